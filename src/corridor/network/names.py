"""Names of places for people: short place names in English or Japanese, and the conditions
(approval, charter only, seasonal capacity) that come with a place or a link.

Ids stay the keys of every table and of the JSON; these names are what a face shows.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from corridor.network.model import Link, Network, Node

LANGS = ("en", "ja")

# Descriptors that say what kind of place it is; a route label needs only the place.
_SUFFIXES = re.compile(
    r"\s+(border station|station|junction|rail hub|oil terminal|marine terminal|"
    r"deep-sea port|New Port|port|oil field|offshore oil field|rare-earth area.*|"
    r"oil and gas-condensate field|rare-earth plant|"
    r"ISR uranium mine|ISR uranium deposit|ISR mines|ISR area)$"
)
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_CONDITIONS_CSV = Path(__file__).resolve().parent.parent / "data" / "conditions.csv"


def short_name_en(name_en: str) -> str:
    """The place in a full English name: "Dostyk border station (gauge change …)" -> "Dostyk".

    Parameters
    ----------
    name_en : str
        The ``name_en`` of a node.

    Returns
    -------
    str
        The name without brackets, "Port of", alternatives after " / " and kind words.
    """
    name = name_en.split(" (")[0].split(" / ")[0].strip()
    name = re.sub(r"^Port of\s+", "", name)
    name = re.sub(r"\s+International Sea Trade Port$", "", name)
    short = _SUFFIXES.sub("", name).strip()
    return short or name


def place_name(node: Node, lang: str = "en") -> str:
    """Short name of a node in ``lang``; Japanese falls back to English where ``name_ja`` is empty.

    Parameters
    ----------
    node : Node
        A node of the network.
    lang : str
        ``"en"`` or ``"ja"``.

    Returns
    -------
    str
        The name to show.
    """
    if lang == "ja" and node.name_ja:
        return short_name_ja(node.name_ja)
    return short_name_en(node.name_en)


def short_name_ja(name_ja: str) -> str:
    """The place in a Japanese name: the text before a bracketed description
    ("ドスティク国境駅（軌間変更1520/1435）" -> "ドスティク国境駅")."""
    short = re.split(r"\s*[（(]", name_ja, maxsplit=1)[0].split("／")[0].strip()
    return short or name_ja


@dataclass(frozen=True)
class Condition:
    """Something a route is subject to beyond its price: an approval, a charter, a season."""

    kind: str
    where: str
    text_en: str
    text_ja: str

    def to_dict(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "where": self.where,
            "text": self.text_en,
            "text_ja": self.text_ja,
        }


@cache
def _condition_rows() -> tuple[tuple[frozenset[str], frozenset[str], str, str, str], ...]:
    with _CONDITIONS_CSV.open(encoding="utf-8", newline="") as f:
        return tuple(
            (
                frozenset(r["applies_to"].split("|")),
                frozenset(r["cargo_classes"].split("|")),
                r["kind"],
                r["text_en"],
                r["text_ja"],
            )
            for r in csv.DictReader(f)
        )


def _season(link: Link, net: Network) -> Condition:
    months = sorted(link.season)
    factors = {round(link.season[m] * 100) for m in months}
    pct = "/".join(f"{f} %" for f in sorted(factors))
    where = f"{place_name(net.node(link.from_))} → {place_name(net.node(link.to))}"
    en = ", ".join(_MONTHS_EN[m - 1] for m in months)
    ja = "・".join(f"{m}月" for m in months)
    return Condition(
        "seasonal",
        link.id,
        f"Seasonal: {where} runs at {pct} of capacity in {en}",
        f"季節制約: {place_name(net.node(link.from_), 'ja')} → "
        f"{place_name(net.node(link.to), 'ja')} は{ja}に能力の{pct}",
    )


@dataclass(frozen=True)
class PlaceBook:
    """What route details need of a network to name places and state conditions, without
    keeping the network: short names by node, seasonal conditions by link."""

    names: dict[str, tuple[str, str]]
    seasonal: dict[str, Condition]

    @classmethod
    def of(cls, net: Network) -> PlaceBook:
        return cls(
            {n.id: (place_name(n), place_name(n, "ja")) for n in net.nodes},
            {link.id: _season(link, net) for link in net.links if link.season},
        )

    def conditions(
        self, cargo_class: str, nodes: tuple[str, ...], links: tuple[str, ...]
    ) -> tuple[Condition, ...]:
        """Conditions of the places and links a route passes, for one cargo class, once
        each, in route order (seasonal ones from the links' ``season`` column)."""
        found: dict[str, Condition] = {}
        for place in (*nodes, *links):
            for applies, classes, kind, en, ja in _condition_rows():
                if place in applies and cargo_class in classes:
                    found.setdefault(en, Condition(kind, place, en, ja))
            if place in self.seasonal:
                cond = self.seasonal[place]
                found.setdefault(cond.text_en, cond)
        return tuple(found.values())


def place_book(net: Network) -> PlaceBook:
    """The :class:`PlaceBook` of ``net`` (built once per network)."""
    return net.derived.get(PlaceBook, lambda: PlaceBook.of(net))
