"""``market``, ``backtest`` and the break-even report with ``--lang ja`` (or a Japanese locale)
show no English where a translation exists (the check of :mod:`tests.i18n.test_no_english`);
their errors read in the command's language; the English output keeps its words (the JSON
output is pinned by the goldens market, backtest, breakeven_ree, api_market, api_breakeven)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corridor.cli import app, main
from corridor.i18n import Message, localise
from corridor.market import REPLAYS
from tests.conftest import TINY
from tests.i18n.test_no_english import _run, english_left

OD = ["--commodity", "rare_earth_concentrate", "--origin", "KZ_ZHANA_KZ",
      "--destination", "JP_YOKOHAMA"]  # fmt: skip
CHANGES_JA = ("対ロシア制裁", "紅海危機とカスピ海の低水位", "新たな規制なし：2024 年の状態が続く")
CHANGES_EN = ("sanctions on Russia", "Red Sea crisis and Caspian low water",
              "no new regime: persistence of 2024")  # fmt: skip


def _html_text(path: Path) -> str:
    html = path.read_text(encoding="utf-8")
    body = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def _words(text: str) -> str:
    """Output with line breaks taken out (rich wraps a table's title to the table's width)."""
    return " ".join(text.split())


def test_market_in_japanese_has_no_english():
    text = _run(["market"])
    words = _words(text)
    assert "経路選択、市場 westbound_overland（最尤推定）" in words, text[:800]
    assert "パラメータ" in text and "標準誤差" in text and "カスピ海横断経路の年別比率" in text
    # the bundled fit: 3 calibration years, hold-out error 3.53 points, MAPE 7.1 %
    assert "較正 3 年、1 回の判断 = 1,000 t" in text
    assert "検証：比率の平均絶対誤差 3.53 ポイント、数量の MAPE 7.1 %（1 年）" in text
    assert "holdout" not in text and "calibration" not in text
    assert english_left(text) == []


def test_backtest_in_japanese_has_no_english():
    text = _run(["backtest"])
    assert "バックテスト：カスピ海横断経路の比率と数量" in _words(text), text[:800]
    assert all(change in text for change in CHANGES_JA), text
    assert "標本内" in text and "標本外" in text
    assert not any(change in text for change in CHANGES_EN)
    assert english_left(text) == []


def test_market_and_backtest_take_the_language_of_the_locale():
    env = {"LC_ALL": "", "LC_MESSAGES": "", "LANG": "ja_JP.UTF-8", "CORRIDOR_DATA": ""}
    text = CliRunner().invoke(app, ["backtest"], env=env).stdout
    assert "バックテスト" in text and "対ロシア制裁" in text
    env["LC_ALL"] = "C.UTF-8"  # LC_ALL decides before LANG
    text = CliRunner().invoke(app, ["market"], env=env).stdout
    assert "Route choice, market westbound_overland" in _words(text)


def test_breakeven_report_in_japanese_has_no_english(tmp_path: Path):
    path = tmp_path / "breakeven.html"
    _run(["breakeven", *OD, "--volume", "10000", "--report", str(path)])
    text = _html_text(path)
    title = "損益分岐: レアアース精鉱 ジャナ・カザフスタン・レアアース地区 → 横浜港（2025 年）"
    assert title in text
    assert "KZ_ZHANA_KZ" not in text and "rare_earth_concentrate" not in text  # names, not ids
    assert all(change in text for change in CHANGES_JA)
    assert "較正" in text and "検証" in text and "holdout" not in text
    assert english_left(text) == []


def test_english_output_keeps_its_words(tmp_path: Path):
    market = _words(_run(["market"], "en"))
    assert "Route choice, market westbound_overland (maximum likelihood)" in market
    assert "┃ parameter ┃ estimate ┃ SE ┃" in market
    assert "3 calibration years, one decision = 1,000 t" in market
    assert "holdout: mean absolute share error 3.53 pts, volume MAPE 7.1 % over 1 year(s)" in market
    back = _run(["backtest"], "en")
    assert all(change in back for change in CHANGES_EN)
    assert "│ 2023–24 │ Red Sea crisis and Caspian low water │ out    │" in back
    assert english_left(back) != []  # the check sees English
    path = tmp_path / "breakeven.html"
    _run(["breakeven", *OD, "--volume", "10000", "--report", str(path)], "en")
    text = _html_text(path)
    assert "Break-even: rare_earth_concentrate KZ_ZHANA_KZ → JP_YOKOHAMA (2025)" in text
    assert all(change in text for change in CHANGES_EN) and "holdout" in text


def test_replay_changes_are_messages_whose_text_is_english():
    changes = [r[4] for r in REPLAYS]
    assert all(isinstance(c, Message) for c in changes)
    assert tuple(changes) == CHANGES_EN and json.dumps(changes) == json.dumps(list(CHANGES_EN))
    assert tuple(localise(c, "ja") for c in changes) == CHANGES_JA


def _main(args: list[str], lang: str, monkeypatch: pytest.MonkeyPatch, capsys) -> str:
    """Run the installed entry point in-process; its exit code must be 2; its stderr."""
    for var, value in {"LC_ALL": "", "LC_MESSAGES": "", "LANG": lang}.items():
        monkeypatch.setenv(var, value)
    monkeypatch.delenv("CORRIDOR_DATA", raising=False)
    monkeypatch.setattr(sys, "argv", ["corridor", *args])
    with pytest.raises(SystemExit) as exc:
        main()
    err = capsys.readouterr().err
    assert exc.value.code == 2, err
    assert "Traceback" not in err
    return _words(err)


@pytest.mark.parametrize(
    ("args", "ja", "en"),
    [
        (["breakeven", *OD, "--share", "1.5"],
         "エラー: 比率は 0 より大きく 1 より小さい値にする（1.5 は不可）",
         "error: share must lie strictly between 0 and 1, not 1.5"),
        (["breakeven", *OD, "--volume", "-3"],
         "数量は正のトン数にする（-3.0 は不可）",
         "volume must be a positive number of tonnes, not -3.0"),
        (["breakeven", *OD, "--sanctions-probability", "0"],
         "制裁の年確率は (0, 1] の範囲にする（0.0 は不可）",
         "sanctions probability must lie in (0, 1], not 0.0"),
        (["breakeven", *OD, "--year", "3000"],
         "年には 1900〜2100 年を指定する（3000 は不可）", "year must be a year, not 3000"),
        (["market", "--decision-t", "0"], "判断の規模は正のトン数にする（0.0 は不可）",
         "decision size must be a positive number of tonnes, not 0.0"),
        (["market", "--market", "nowhere"], "不明な市場 'nowhere'（westbound_overland のいずれか）",
         "unknown market 'nowhere' (one of westbound_overland)"),
        (["backtest", "--format", "xml"], "--format は table か json（'xml' は不可）",
         "--format must be table or json, not 'xml'"),
        # the tiny network has neither market_observations.csv nor market_regimes.csv
        (["market", "--data", str(TINY)], "エラー: ネットワークデータに 2 件の問題",
         "error: 2 problem(s) in the network data"),
    ],
)  # fmt: skip
def test_errors_read_in_the_language_of_the_command(args, ja, en, monkeypatch, capsys):
    assert ja in _main([*args, "--lang", "ja"], "C.UTF-8", monkeypatch, capsys)
    assert ja in _main(args, "ja_JP.UTF-8", monkeypatch, capsys)  # from the locale
    assert en in _main(args, "C.UTF-8", monkeypatch, capsys)


def test_an_unwritable_report_is_said_in_the_language_of_the_command(
    tmp_path: Path, monkeypatch, capsys
):
    where = tmp_path / "no such folder" / "breakeven.html"
    args = ["breakeven", *OD, "--report", str(where), "--lang"]
    ja = _main([*args, "ja"], "C.UTF-8", monkeypatch, capsys)
    assert f"エラー: レポート {where} を書き出せない：" in ja
    en = _main([*args, "en"], "C.UTF-8", monkeypatch, capsys)
    assert f"error: cannot write the report {where}: No such file or directory" in en


def test_bad_market_rows_are_listed_in_japanese(tiny_copy: Path, monkeypatch, capsys):
    """Each problem of the market tables by file, row and column, its words in Japanese."""
    data = Path(__file__).resolve().parents[2] / "src" / "corridor" / "data"
    for name in ("market_observations.csv", "market_regimes.csv"):
        lines = (data / name).read_text(encoding="utf-8").splitlines()
        if name == "market_observations.csv":
            lines[1] = "m,2021,atlantis,100,100,100,calibration,volume_t=mot_kz_titr_2026,"
            lines[2] = "m,2021,russia,-5,,,training,volume_t=mot_kz_titr_2026,"
        (tiny_copy / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    args = ["market", "--data", str(tiny_copy)]
    ja = _main([*args, "--lang", "ja"], "C.UTF-8", monkeypatch, capsys)
    assert "market_observations.csv, 行 2, 列 family: 不明な系統 'atlantis'" in ja, ja
    assert "行 3, 列 volume_t: 有限の 0 以上の値にする：-5" in ja
    assert "行 3, 列 split: calibration か holdout にする：'training'" in ja
    assert "列 sources: 不明な出典 'mot_kz_titr_2026'" in ja  # the tiny network lacks it
    assert english_left(ja) == [] and "row 2" not in ja and "unknown" not in ja
    en = _main(args, "C.UTF-8", monkeypatch, capsys)
    assert "market_observations.csv, row 2, column family: unknown family 'atlantis'" in en
    assert "row 3, column split: must be calibration or holdout: 'training'" in en
