"""Every problem of an input file is a catalogue message, so it reads in the command's
language: ``network validate``, ``plan`` and ``whatif`` with ``--lang ja`` list a bad table
cell, a bad contracts file and a bad scenario in Japanese (file, row or line, column or field
named; exit code 2), their English unchanged."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from tests.i18n.test_no_english import english_left
from tests.i18n.test_no_english_market import _main

SRC = Path(__file__).resolve().parents[2] / "src" / "corridor"
PROBLEMS = {"Problem", "FileProblem", "ContractProblem"}
# the argument that carries the message: Problem(file, row, column, message), a contracts
# entry's where.add(field, message), a scenario's where.add(entry, field, message), the
# reason of validate.InvalidValue(field, reason); a parser's ValueError(message)
ADDS = {"contracts/io.py": 1, "network/scenario_io.py": 2}
RAISES = ("network/cells.py", "network/regimes.py", "network/load.py", "network/states.py")
RETURNS = {"contracts/io.py": {"_share"}, "network/projects.py": {"_entry_problem",
           "sim_whatif_problem"}}  # fmt: skip
# a developer's mistakes, not the user's: a schema declaring a type no parser knows, states
# applied twice to a network
ALLOWED = {
    ("network/cells.py", "f\"schema declares unknown type '{kind}'\""),
    ("network/states.py", "f'the network is already set to {net.as_of.isoformat()}'"),
}


def _plain(node: ast.AST) -> bool:
    """A text written in place (a literal, an f-string, str() of something, a sum of them)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and node.value != ""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _plain(node.left) or _plain(node.right)
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "str"


def _name(func: ast.AST) -> str:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def _plain_messages(path: Path, root: Path = SRC) -> list[tuple[int, str]]:
    """(line, text) of every problem message built from plain text in one module of the
    package at ``root``."""
    rel = path.relative_to(root).as_posix()
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        message: ast.AST | None = None
        if isinstance(node, ast.Call):
            name, args = _name(node.func), node.args
            if name in PROBLEMS and len(args) >= 4:
                message = args[3]
            elif name == "add" and rel in ADDS and len(args) > ADDS[rel]:
                message = args[ADDS[rel]]
            elif name == "InvalidValue" and len(args) >= 2:
                message = args[1]
            elif name == "ValueError" and rel in RAISES and args:
                message = args[0]
        elif isinstance(node, ast.FunctionDef) and node.name in RETURNS.get(rel, ()):
            for sub in ast.walk(node):
                if isinstance(sub, ast.Return) and sub.value is not None and _plain(sub.value):
                    found.append((sub.lineno, ast.unparse(sub.value)))
        if message is not None and _plain(message):
            text = ast.unparse(message)
            if (rel, text) not in ALLOWED:
                found.append((node.lineno, text))
    return found


def test_every_problem_is_a_message():
    """A Problem (or a parser's reason that becomes one) built from an English string cannot
    be shown in Japanese: each must be a ``corridor.i18n.Message``."""
    plain = {
        f"{path.relative_to(SRC)}:{line}: {text}"
        for path in sorted(SRC.rglob("*.py"))
        for line, text in _plain_messages(path)
    }
    assert plain == set(), "\n".join(sorted(plain))


def test_the_scan_finds_plain_messages(tmp_path: Path):
    """The check can fail: it finds a literal, an f-string and str(exc) given as messages."""
    module = tmp_path / "network" / "load.py"
    module.parent.mkdir()
    module.write_text(
        "Problem(f, 1, 'id', 'is empty')\nProblem(f, 1, 'id', f'{x} twice')\n"
        "Problem(f, None, None, str(exc))\nProblem(f, 1, 'id', Message('prob_is_empty'))\n"
        "raise ValueError('bad cell')\nInvalidValue('--k', Message('prob_too_large'))\n",
        encoding="utf-8",
    )
    assert sorted(line for line, _ in _plain_messages(module, tmp_path)) == [1, 2, 3, 5]


def _one_line(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def test_a_bad_table_cell_is_listed_in_japanese(tmp_path: Path, monkeypatch, capsys):
    data = tmp_path / "data"
    shutil.copytree(SRC / "data", data)
    links = data / "links.csv"
    lines = links.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("distance_km")] = "12x"
    cells[header.index("mode")] = "teleport"
    links.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n", encoding="utf-8")
    args = ["network", "validate", str(data)]
    ja = _main([*args, "--lang", "ja"], "C.UTF-8", monkeypatch, capsys)
    where = f"{links}, 行 2, 列"
    assert "エラー: ネットワークデータに 3 件の問題" in ja, ja
    assert f"{where} distance_km: 数値（半角数字）にする（'12x' は不可）" in ja
    assert (
        f"{where} mode: 'teleport' は rail, road, sea, ferry, tanker, pipeline のどれでもない" in ja
    )
    assert f"{where} gauge_mm: 軌間を持てるのは鉄道区間だけ" in ja
    assert english_left(ja) == [] and "row 2" not in ja and "is not one of" not in ja
    en = _main(args, "C.UTF-8", monkeypatch, capsys)
    assert f"{links}, row 2, column distance_km: must be a number (ASCII digits), not '12x'" in en
    assert f"{links}, row 2, column gauge_mm: only rail links have a gauge" in en


BAD_CONTRACTS = """\
name: bad
contracts:
  - id: c1
    commodity: rare_earth_concentrate
    origin: KZ_ZHANA_KZZ
    destination: JP_YOKOHAMA
    volume_t_per_year: -5
    colour: red
    families:
      china: {max_share: 30}
"""


def test_a_bad_contracts_file_is_listed_in_japanese(tmp_path: Path, monkeypatch, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_CONTRACTS, encoding="utf-8")
    args = ["plan", str(path), "--no-store"]
    ja = _main([*args, "--lang", "ja"], "C.UTF-8", monkeypatch, capsys)
    assert f"エラー: 契約ファイル {path} に 4 件の問題：" in ja, ja
    assert (
        f"{path}, 行 5, 項目 origins: 契約 'c1'：不明な地点 'KZ_ZHANA_KZZ'"
        "（候補: KZ_ZHANA_KZ, KZ_ZHANAOZEN）" in ja
    )
    assert "行 7, 項目 volume_t_per_year: 契約 'c1'：数量は正の値にする（-5 は不可）" in ja
    assert "行 8, 項目 colour: 不明な項目 'colour'。使える項目：id, commodity," in ja
    assert (
        "行 9, 項目 families.china.max_share: 契約 'c1'、系統 china：max_share 30 は 1 を超える："
        "比率は小数で指定する（30 % なら 0.3）" in ja
    )
    assert english_left(ja) == [] and "line 5" not in ja and "did you mean" not in ja
    en = _main(args, "C.UTF-8", monkeypatch, capsys)
    assert f"error: 4 problem(s) in the contracts file {path}:" in en
    assert (
        f"{path}, line 5, field origins: contract 'c1': unknown node 'KZ_ZHANA_KZZ' "
        "(did you mean KZ_ZHANA_KZ, KZ_ZHANAOZEN?)" in en
    )


def test_broken_yaml_is_said_in_japanese(tmp_path: Path, monkeypatch, capsys):
    path = tmp_path / "broken.yaml"
    path.write_text("contracts:\n  - id: [c1\n", encoding="utf-8")
    ja = _main(["plan", str(path), "--no-store", "--lang", "ja"], "C.UTF-8", monkeypatch, capsys)
    assert f"エラー: 契約ファイル {path} に 1 件の問題： {path}, 行 3: YAML として不正：" in ja, ja


BAD_SCENARIO = """\
name: bad
colour: red
edits:
  - close: KZ_AKTAUU
    days: 400
  - derate: CN_X
    percent: 150
events:
  - id: ev_new
    kind: weather
"""


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_bad_scenario_is_listed_in_the_language_of_the_command(
    lang: str, tmp_path: Path, monkeypatch, capsys
):
    path = tmp_path / "bad_scenario.yaml"
    path.write_text(BAD_SCENARIO, encoding="utf-8")
    text = _main(["whatif", str(path), "--lang", lang], "C.UTF-8", monkeypatch, capsys)
    if lang == "en":
        assert f"error: 8 problem(s) in the scenario file {path}:" in text, text
        assert (
            "line 5, field days: edit 1 (close KZ_AKTAUU): days must be more than 0 and at "
            "most 365, not 400" in text
        )
        assert "line 10, field kind: event ev_new (new): kind 'weather' is not one of" in text
        return
    assert f"エラー: シナリオファイル {path} に 8 件の問題：" in text, text
    assert f"{path}, 行 2, 項目 colour: シナリオ：不明な項目 'colour'。使える項目：name," in text
    days = "days は 0 より大きく 365 以下にする（400 は不可）"
    assert f"行 5, 項目 days: 変更 1（close KZ_AKTAUU）：{days}" in text
    assert "行 9, 項目 name_en: 事象 ev_new（新規）：新しい事象には 'name_en' が必要" in text
    assert "行 10, 項目 kind: 事象 ev_new（新規）：kind の値が不正：'weather' は closure," in text
    assert english_left(text) == [] and "line 5" not in text and "is required" not in text
