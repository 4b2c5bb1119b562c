"""The notes of a plan and the "fewer routes than asked" note are messages: the same English
text as before, in Japanese with --lang ja (the route and plan reports localise them)."""

from __future__ import annotations

import re
from pathlib import Path

import corridor
from corridor.analysis.queries import default_network
from corridor.i18n import Message, localise

UOC = ("uranium_ore_concentrate", "KZ_NORTH_KHARASAN", "JP_YOKOHAMA")
KANA = re.compile(r"[\u3040-\u30ff]")
CONTRACTS = Path(__file__).resolve().parents[2] / "examples" / "contracts.yaml"


def test_fewer_routes_note_reads_in_japanese_with_its_counts():
    found = corridor.routes(*UOC, k=40, avoid=["RU"])
    (note,) = found.notes
    assert isinstance(note, Message)
    n = len(found.routes)
    assert n < 40
    assert note.startswith(f"only {n} distinct routes exist (asked for 40)")
    assert "by the avoid rule" in note and "by the commodity rule" in note
    ja = localise(note, "ja")
    assert ja.startswith(f"異なる経路は {n} 本しかない（40 本を要求）"), ja
    assert "回避規則により" in ja and "品目規則により" in ja
    assert "rule" not in ja and "distinct" not in ja
    closed = re.search(r"(\d+) links are closed", note)
    assert closed and f"{closed.group(1)} 本のリンクが閉じている" in ja


def test_plan_notes_are_messages_in_japanese():
    result = corridor.plan(CONTRACTS, network=default_network())
    assert result.notes and all(isinstance(n, Message) for n in result.notes)
    assert any("hard filters" in n for n in result.notes)
    for note in result.notes:
        ja = localise(note, "ja")
        assert KANA.search(ja) and "candidate routes" not in ja and "hard filters" not in ja, ja
    assert any("候補経路" in localise(n, "ja") for n in result.notes)


def test_penalty_note_carries_the_penalty_in_both_languages(tmp_path: Path):
    contracts = tmp_path / "c.yaml"
    contracts.write_text(
        "contracts:\n"
        "  - id: big\n"
        "    commodity: uranium_ore_concentrate\n"
        "    origin: KZ_NORTH_KHARASAN\n"
        "    destination: JP_YOKOHAMA\n"
        "    volume_t_per_year: 100000000\n",
        encoding="utf-8",
    )
    result = corridor.plan(contracts, network=default_network(), shortfall_penalty=12_345)
    (note,) = [n for n in result.notes if "fall short" in n]
    assert "USD 12,345/t" in note
    assert "不足ペナルティ USD 12,345/t" in localise(note, "ja")
    (short,) = result.shortfalls
    assert short.causes and all(isinstance(c, Message) for c in short.causes)
    full = [c for c in short.causes if c.endswith(" is full")]
    assert full and full[0].startswith("capacity CAP_")
    ja = localise(full[0], "ja")
    assert ja.startswith("容量 CAP_") and ja.endswith("が上限に達している") and "t/年" in ja, ja
