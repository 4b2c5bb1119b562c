"""``--help`` of every command in Japanese from the locale or ``--lang ja``; English unchanged.

The catalogue's English ``help_*`` texts must equal the declared help (nothing drifts), and
every command and parameter must have one (a new option without a translation fails here).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from corridor.cli import app
from corridor.cli.help_lang import command_key, param_key, walk
from corridor.cli.usage_lang import help_language
from corridor.i18n import catalogue

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# wide enough that no help text wraps, so each one can be found whole in the output
WIDE = {"LC_ALL": "", "LC_MESSAGES": "", "COLUMNS": "2000", "CORRIDOR_DATA": ""}
JA_LOCALE = {**WIDE, "LANG": "ja_JP.UTF-8"}
C_LOCALE = {**WIDE, "LANG": "C"}


def _norm(text: str | None) -> str:
    return " ".join((text or "").split())


def _tree() -> list[tuple[tuple[str, ...], Any]]:
    return list(walk(typer.main.get_command(app)))


PATHS = [path for path, _ in _tree()]


def _help(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    res = CliRunner().invoke(app, args, env=env)
    return res.exit_code, res.output


def test_the_tree_is_whole():
    assert len(PATHS) == 26  # root, 17 commands, 2 groups and their 6 commands
    assert ("network", "show") in PATHS and ("validate-model",) in PATHS
    assert sum(len(c.params) for _, c in _tree()) == 265


def test_every_command_and_parameter_has_a_help_key_whose_english_is_the_declared_help():
    en, ja = catalogue("en"), catalogue("ja")
    used = set()
    for path, command in _tree():
        key = command_key(path)
        assert key in en, f"{key}: add the help of '{' '.join(path)}' to en.json and ja.json"
        assert en[key] == _norm(command.help), key
        used.add(key)
        for param in command.params:
            pkey = param_key(path, param.name, en)
            assert pkey is not None, f"no help_opt_ key for {param.name} of '{' '.join(path)}'"
            assert en[pkey] == _norm(param.help), (path, param.name)
            assert JAPANESE.search(ja[pkey]), pkey
            used.add(pkey)
    declared = {k for k in en if k.startswith(("help_cmd_", "help_opt_"))}
    assert declared - used == set(), "help keys no command uses"
    assert len(used) == 156  # 26 commands, 130 parameter texts


def test_a_parameter_takes_its_own_key_before_the_shared_one():
    en = catalogue("en")
    assert param_key(("stress",), "seed", en) == "help_opt_stress__seed"
    assert param_key(("routes",), "seed", en) == "help_opt_seed"
    assert param_key(("runs", "list"), "fmt", en) == "help_opt_runs_list__fmt"
    assert param_key(("routes",), "no_such_option", en) is None
    assert command_key(("validate-model",)) == "help_cmd_validate_model"
    assert command_key(()) == "help_cmd_corridor"


@pytest.mark.parametrize("how", ["locale", "lang"])
@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "corridor")
def test_help_is_japanese_for_every_option(path: tuple[str, ...], how: str):
    if how == "locale":
        code, text = _help([*path, "--help"], JA_LOCALE)
    else:
        command = dict(_tree())[path]
        if not any(p.name == "lang" for p in command.params):
            pytest.skip("no --lang on this command")  # the locale decides (case above)
        code, text = _help([*path, "--lang", "ja", "--help"], C_LOCALE)
    assert code == 0, text
    ja, en = catalogue("ja"), catalogue("en")
    command = dict(_tree())[path]
    assert ja[command_key(path)] in text
    for param in command.params:
        key = param_key(path, param.name, en)
        assert key is not None
        assert ja[key] in text, (param.name, text)
        assert _norm(param.help) not in text, param.name  # no English left beside it
    assert "このヘルプを表示して終了する。" in text and "Show this message" not in text
    assert "╭─ オプション" in text and "Options" not in text


def test_lang_ja_before_help_and_with_equals_sign():
    for args in (
        ["compare", "--help", "--lang", "ja"],
        ["compare", "--lang=ja", "--help"],
        ["compare", "--lang", "ja", "--help"],
    ):
        code, text = _help(args, C_LOCALE)
        assert code == 0 and "品目 ID（例：uranium_ore_concentrate）。" in text, args


def test_english_help_is_the_declared_help_and_lang_en_beats_the_locale():
    for args, env in (
        (["compare", "--help"], C_LOCALE),
        (["compare", "--lang", "en", "--help"], JA_LOCALE),
        (["compare", "--help"], {**JA_LOCALE, "LC_ALL": "C"}),  # LC_ALL wins, as for output
    ):
        code, text = _help(args, env)
        assert code == 0
        assert not JAPANESE.search(text), args
        assert "Commodity id, e.g. uranium_ore_concentrate." in text
        assert "╭─ Options" in text and "[required]" in text and "[default: table]" in text


def test_japanese_help_leaves_typer_english_for_the_next_invocation():
    _help(["compare", "--help"], JA_LOCALE)
    _, text = _help(["--help"], C_LOCALE)
    assert "╭─ Commands" in text and "Show this message and exit." in text
    assert not JAPANESE.search(text)


def test_root_and_groups_without_a_command_show_japanese_help():
    for path, title in (((), "╭─ コマンド"), (("network",), "ネットワークの表を調べ、検証する。")):
        code_en, text_en = _help(list(path), C_LOCALE)
        code, text = _help(list(path), JA_LOCALE)
        assert code == code_en, text  # the same exit code as the English help
        assert title in text and "Commands" in text_en


def test_default_and_required_markers_are_japanese():
    _, text = _help(["compare", "--help"], JA_LOCALE)
    assert "[必須]" in text and "[既定: table]" in text and "[required]" not in text


def test_help_language(monkeypatch: pytest.MonkeyPatch):
    for name, value in (("LC_ALL", ""), ("LC_MESSAGES", ""), ("LANG", "ja_JP.UTF-8")):
        monkeypatch.setenv(name, value)
    for args, lang in (
        (["compare", "--lang", "en", "--help"], "en"),
        (["compare", "--lang=en", "--help"], "en"),
        (["compare", "--lang", "fr", "--help"], "ja"),  # unknown: the locale's
        (["compare", "--lang"], "ja"),
    ):
        assert help_language(args) == lang, args
    monkeypatch.setenv("LC_ALL", "C")  # LC_ALL wins, as for the output of commands
    assert help_language(["compare", "--help"]) == "en"


def test_smoke_real_entry_point_and_no_translation_on_the_normal_path():
    """One real process: a command that is not help imports no help translation; then
    ``corridor compare --help`` in a Japanese locale prints Japanese help and exits 0."""
    script = (
        "import sys\n"
        "from corridor.cli import app, main\n"
        "app(['network', 'schema'], standalone_mode=False)\n"
        "assert 'corridor.cli.help_lang' not in sys.modules\n"
        "sys.argv = ['corridor', 'compare', '--help']\n"
        "main()\n"
    )
    env = {**os.environ, **JA_LOCALE, "COLUMNS": "200"}
    res = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert res.returncode == 0, res.stderr
    assert "ルート系統（中国、カスピ海横断、ロシア、イラン）ごとの最良ルート" in res.stdout
    assert "品目 ID（例：uranium_ore_concentrate）。" in res.stdout
