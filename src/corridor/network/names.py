"""Names of places for people: short place names in English or Japanese, and the conditions
that come with a route: approvals (regimes with effect ``condition``: a permission a state
gives), terms of the places it passes (``terms.csv``: charter only, an assumed acceptance)
and seasonal capacity (the links' ``season``).

Ids stay the keys of every table and of the JSON; these names are what a face shows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from corridor._derived import Lazy
from corridor.i18n import Joined, Message, Named, catalogue
from corridor.network.model import Event, Link, Network, Node
from corridor.network.regimes import Regime

LANGS = ("en", "ja")

# Descriptors that say what kind of place it is; a route label needs only the place.
_SUFFIXES = re.compile(
    r"\s+(border station|station|junction|rail hub|oil terminal|marine terminal|"
    r"deep-sea port|New Port|port|oil field|offshore oil field|rare-earth area.*|"
    r"oil and gas-condensate field|rare-earth plant|"
    r"ISR uranium mine|ISR uranium deposit|ISR mines|ISR area)$"
)
_PORT_OF = re.compile(r"^Port of\s+")
_TRADE_PORT = re.compile(r"\s+International Sea Trade Port$")
_JA_BRACKET = re.compile(r"\s*[（(]")
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


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
    name = _PORT_OF.sub("", name)
    name = _TRADE_PORT.sub("", name)
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


def event_name(event: Event, lang: str = "en") -> str:
    """Name of a disruption event in ``lang``; Japanese falls back to English where
    ``name_ja`` is empty."""
    return event.name_ja if lang == "ja" and event.name_ja else event.name_en


def commodity_name(net: Network, commodity: str, lang: str = "en") -> str:
    """Name of a commodity in ``lang`` (the id where the tables do not list it); Japanese
    falls back to English where ``name_ja`` is empty."""
    if not net.has("commodities", commodity):
        return commodity
    c = net.commodity(commodity)
    return c.name_ja if lang == "ja" and c.name_ja else c.name_en


def short_name_ja(name_ja: str) -> str:
    """The place in a Japanese name: the text before a bracketed description
    ("ドスティク国境駅（軌間変更1520/1435）" -> "ドスティク国境駅")."""
    short = _JA_BRACKET.split(name_ja, maxsplit=1)[0].split("／")[0].strip()
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


def _approval(regime: Regime) -> Condition:
    lead = ""
    lead_ja = ""
    if regime.lead_time_days:
        lead = f" (lead time ~{regime.lead_time_days:g} d, p95 {regime.lead_time_days_p95:g} d)"
        lead_ja = f"（所要 約{regime.lead_time_days:g}日、p95 {regime.lead_time_days_p95:g}日）"
    return Condition(
        "approval",
        regime.id,
        f"Needs {regime.name_en}{lead}",
        f"{regime.name_ja}が必要{lead_ja}",
    )


def _short_names(node: Node) -> tuple[str, str]:
    """A node's short names, English and Japanese."""
    return place_name(node), place_name(node, "ja")


@dataclass(frozen=True)
class PlaceBook:
    """What route details need of a network to name places and state conditions, without
    keeping the network: short names by node, seasonal conditions by link, the terms of
    places and the approvals (condition regimes in force) by what they concern."""

    names: Mapping[str, tuple[str, str]]
    seasonal: dict[str, Condition]
    terms: tuple[tuple[frozenset[str], frozenset[str], Condition], ...] = ()
    approvals: tuple[tuple[frozenset[str], Regime, Condition], ...] = ()

    @classmethod
    def of(cls, net: Network) -> PlaceBook:
        on = net.as_of or dt.date.today()
        return cls(
            Lazy({n.id: n for n in net.nodes}, _short_names),  # a route names a few
            {link.id: _season(link, net) for link in net.links if link.season},
            tuple(
                (
                    frozenset(term.applies_to),
                    frozenset(term.cargo_classes),
                    Condition(term.kind, "", term.text_en, term.text_ja),
                )
                for term in net.terms
            ),
            tuple(
                (frozenset(r.targets), r, _approval(r))
                for r in net.regimes
                if r.effect == "condition" and r.in_force(on)
            ),
        )

    def conditions(
        self,
        cargo_class: str,
        nodes: tuple[str, ...],
        links: tuple[str, ...],
        exposures: tuple[str, ...] = (),
    ) -> tuple[Condition, ...]:
        """Conditions of a route for one cargo class, once each: the approvals of the
        countries and chokepoints it crosses (``exposures``) first, then the terms and
        seasons of the places and links it passes, in route order."""
        found: dict[str, Condition] = {}
        crossed = set(exposures)
        for targets, regime, cond in self.approvals:
            if targets & crossed and regime.applies_to(cargo_class):
                found.setdefault(cond.text_en, cond)
        for place in (*nodes, *links):
            for applies, classes, cond in self.terms:
                if place in applies and cargo_class in classes:
                    found.setdefault(
                        cond.text_en, Condition(cond.kind, place, cond.text_en, cond.text_ja)
                    )
            if place in self.seasonal:
                season = self.seasonal[place]
                found.setdefault(season.text_en, season)
        return tuple(found.values())


def place_book(net: Network) -> PlaceBook:
    """The :class:`PlaceBook` of ``net`` (built once per network)."""
    return net.derived.get(PlaceBook, lambda: PlaceBook.of(net))


# --------------------------------------------------------------------------- what a leg is


def mode_text(mode_key: str) -> str:
    """A mode and gauge as the graph names them ("rail1520", "sea"), with its label in
    Japanese (鉄道1520 mm, 海上輸送); a mode the catalogue lacks stays as it is."""
    gauge = re.fullmatch(r"rail(\d+)", mode_key)
    if gauge:
        return Message("leg_rail_gauge", gauge=gauge[1])
    return Message(f"mode_{mode_key}") if f"mode_{mode_key}" in catalogue("en") else mode_key


def service_text(link: Link) -> Named:
    """What runs on a link, as ``links.csv`` says it ("freight train"; its mode where blank),
    named in Japanese by the catalogue (``svc_<words>``) or else by its mode's label."""
    english = link.service or link.mode
    ja = catalogue("ja")
    slug = re.sub(r"[^a-z0-9]+", "_", english.lower()).strip("_")
    return Named(english, ja.get(f"svc_{slug}") or ja.get(f"mode_{link.mode}", ""))


def transfer_text(modes: tuple[str, str], node: Node) -> Message:
    """A change of mode or gauge at a place: "rail1520 → sea at Port of Aktau"."""
    changes = Joined(" → ", (mode_text(m) for m in modes))
    return Message("leg_transfer", modes=changes, place=_place(node))


def dwell_text(node: Node) -> Message:
    """The wait on arrival at a place: a border crossing or a port/customs dwell."""
    key = "leg_dwell_border" if node.kind == "border_crossing" else "leg_dwell_port"
    return Message(key, place=_place(node))


def _place(node: Node) -> Named:
    return Named(node.name_en, place_name(node, "ja"))
