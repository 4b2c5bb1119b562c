"""Usage errors (a bad option value, an unknown or missing option) in the command's language:
``--lang ja`` or a Japanese locale; English unchanged; exit code 2 either way."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from corridor.cli import app

ROUTES = ["routes", "--commodity", "uranium_ore_concentrate", "--origin", "KZ_NORTH_KHARASAN"]
ROUTES += ["--destination", "JP_YOKOHAMA"]
JA = {"LANG": "ja_JP.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}
EN = {"LANG": "C.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}


def _run(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    res = CliRunner().invoke(app, args, env=env)
    return res.exit_code, res.output


@pytest.mark.parametrize(
    "args, env, words",
    [
        (
            [*ROUTES, "--k", "abc", "--lang", "ja"],
            EN,
            ["'--k' の値が不正です", "'abc' は不可", "エラー"],
        ),
        ([*ROUTES, "--k", "abc"], JA, ["'--k' の値が不正です"]),
        ([*ROUTES, "--bogus"], JA, ["そのようなオプションはありません: --bogus", "でヘルプを表示"]),
        (["routes", "--origin", "KZ_ZHANA_KZ"], JA, ["'--commodity' の指定が必要です"]),
    ],
)
def test_usage_errors_in_japanese(args: list[str], env: dict[str, str], words: list[str]):
    code, text = _run(args, env)
    assert code == 2, text
    for w in words:
        assert w in text, text
    assert "Invalid value" not in text and "No such option" not in text and "Missing" not in text


def test_usage_errors_stay_english_otherwise_and_the_words_are_restored():
    code, text = _run([*ROUTES, "--k", "abc"], EN)
    assert code == 2 and "Invalid value for '--k'" in text and "for help." in text
    _run([*ROUTES, "--bogus", "--lang", "ja"], EN)  # Japanese once ...
    code, text = _run([*ROUTES, "--bogus"], EN)  # ... then English again, in one process
    assert code == 2 and "No such option: --bogus" in text and "エラー" not in text
