"""Routes are labelled by place names, with their conditions, in English and Japanese."""

from __future__ import annotations

import pytest

import corridor
from corridor.analysis.queries import default_network
from corridor.network.names import place_name, short_name_en, short_name_ja


@pytest.mark.parametrize(
    ("full", "short"),
    [
        ("Dostyk border station (gauge change 1520/1435)", "Dostyk"),
        ("Alashankou (Alataw Pass) border station (1435 mm side)", "Alashankou"),
        ("Port of Yokohama", "Yokohama"),
        ("Baku International Sea Trade Port (Alat)", "Baku"),
        ("Lianyungang port / China–Kazakhstan logistics base", "Lianyungang"),
        ("Tianjin New Port", "Tianjin"),
        ("Port W", "Port W"),  # nothing but the kind word would be left: keep it
    ],
)
def test_short_names(full: str, short: str):
    assert short_name_en(full) == short


def test_uranium_routes_are_named_and_carry_their_conditions():
    net = default_network()
    result = corridor.compare(
        "uranium_ore_concentrate", "KZ_NORTH_KHARASAN", "JP_YOKOHAMA", network=net
    )
    china = next(r for r in result.routes if r.family == "china")
    assert china.label == "China: Dostyk → Alashankou → Lianyungang"
    assert china.label_ja == "中国経由: " + " → ".join(
        place_name(net.node(n), "ja") for n in china.gateways
    )
    assert "阿拉山口" in china.label_ja and "連雲港" in china.label_ja
    assert "KZ_" not in china.label and "CN_" not in china.label
    kinds = {c.kind for c in china.conditions}
    assert {"approval", "charter_only"} <= kinds  # the class-7 transit of China
    d = china.to_dict()
    assert d["gateways"] == ["KZ_DOSTYK", "CN_ALASHANKOU", "CN_LIANYUNGANG"]  # ids kept
    assert any("approval" in c["text"] for c in d["conditions"])
    caspian = next(r for r in result.routes if r.family == "trans_caspian")
    seasonal = [c for c in caspian.conditions if c.kind == "seasonal"]
    # F_AKTAU_ALAT has season 11:0.5|12:0.5 in links.csv
    assert seasonal and "50 %" in seasonal[0].text_en and "Nov, Dec" in seasonal[0].text_en


def test_rare_earth_concentrate_has_no_class7_condition():
    result = corridor.compare("rare_earth_concentrate", "KZ_ZHANA_KZ", "JP_YOKOHAMA")
    assert all(c.kind == "seasonal" for r in result.routes for c in r.conditions)


def test_fewer_routes_than_asked_says_how_many_exist():
    rs = corridor.routes("uranium_ore_concentrate", "KZ_NORTH_KHARASAN", "JP_YOKOHAMA", k=10)
    assert len(rs.routes) < 10
    (note,) = rs.notes
    assert note.startswith(f"only {len(rs.routes)} distinct routes exist (asked for 10)")
    assert "commodity rule" in note  # class-7 cargo closes links


@pytest.mark.parametrize(
    ("full", "short"),
    [
        ("ドスティク国境駅（軌間変更1520/1435）", "ドスティク国境駅"),
        ("バンダレ・アッバース／シャヒード・ラジャイー港", "バンダレ・アッバース"),
        ("横浜港", "横浜港"),
    ],
)
def test_short_names_ja(full: str, short: str):
    assert short_name_ja(full) == short


def test_the_place_book_names_every_place_as_place_name_does():
    """Its names are made as they are read; each is the node's short name in both languages,
    and unknown ids are not in it."""
    from corridor.network.names import PlaceBook

    net = default_network()
    names = PlaceBook.of(net).names
    assert "KZ_DOSTYK" in names and "NOWHERE" not in names
    assert names["KZ_DOSTYK"] == ("Dostyk", place_name(net.node("KZ_DOSTYK"), "ja"))
    assert dict(names) == {n.id: (place_name(n), place_name(n, "ja")) for n in net.nodes}
    assert len(names) == len(net.nodes)
    with pytest.raises(KeyError):
        names["NOWHERE"]
