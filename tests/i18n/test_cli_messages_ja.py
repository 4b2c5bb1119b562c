"""The messages every command shares (an unknown ``--lang``, a brief or report file that
cannot be written, "brief written") read in the command's language; English keeps its words."""

from __future__ import annotations

from pathlib import Path

from tests.i18n.test_no_english import ALL_CHINA, REE, YOK, _run, english_left
from tests.i18n.test_no_english_market import _main, _words


def test_an_unknown_language_is_refused_in_the_language_of_the_locale(monkeypatch, capsys):
    args = ["market", "--lang", "fr"]
    ja = _main(args, "ja_JP.UTF-8", monkeypatch, capsys)
    assert "エラー: --lang は en, ja のいずれか（'fr' は不可）" in ja
    en = _main(args, "C.UTF-8", monkeypatch, capsys)
    assert "error: --lang must be one of en, ja, not 'fr'" in en


def test_a_brief_of_another_kind_is_refused_in_the_language_of_the_command(
    tmp_path: Path, monkeypatch, capsys
):
    args = ["compare", *REE, *YOK, "--brief", str(tmp_path / "brief.txt"), "--lang"]
    ja = _main([*args, "ja"], "C.UTF-8", monkeypatch, capsys)
    assert f"--brief {tmp_path / 'brief.txt'}：ファイル名は .pdf か .html で終える" in ja
    en = _main([*args, "en"], "ja_JP.UTF-8", monkeypatch, capsys)
    assert "the file must end in .pdf or .html" in en


def test_brief_written_is_said_in_japanese(tmp_path: Path):
    path = tmp_path / "brief.html"
    text = _run(["compare", *REE, *YOK, "--brief", str(path)])
    assert path.exists() and f"ブリーフを {path} に書き出しました" in _words(text)
    assert english_left(text) == []


def test_an_unwritable_report_of_another_command_is_said_in_japanese(
    tmp_path: Path, monkeypatch, capsys
):
    (tmp_path / "a file").write_text("not a folder", encoding="utf-8")
    where = tmp_path / "a file" / "exposure.html"
    args = ["exposure", str(ALL_CHINA), "--no-store", "--report", str(where), "--lang"]
    ja = _main([*args, "ja"], "C.UTF-8", monkeypatch, capsys)
    assert f"エラー: レポート {where} を書き出せない：" in ja
    en = _main([*args, "en"], "C.UTF-8", monkeypatch, capsys)
    assert f"error: cannot write report {where}: " in en  # then the system's reason
