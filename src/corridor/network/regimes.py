"""Compliance as data: sanctions and transit-permit regimes, buyer profiles, and what they mean
for a route.

A **regime** (``regimes.csv``) concerns some exposures (countries, straits) for some cargo
classes, from a date; its ``effect`` on a person it binds is to exclude a route, flag it (usable
with due diligence) or make it conditional on a permit. A **buyer profile** (``buyers.csv``)
says which regimes bind the buyer (its jurisdiction, the regimes that bind anyone, the issuers
it follows for its bank's currency or its insurers' market) and may override an effect, or turn
it into a priced penalty. :func:`compliance` turns both into what the routing needs: the
exposures a buyer may not touch (dropped when the commodity graph is built, like an avoid
rule), the penalties, and the flags shown next to every route.

The buyer id ``none`` applies no regime: nothing is excluded and every regime in force that a
route touches is shown as a flag.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from corridor.errors import RequestError
from corridor.i18n import Message, Named, catalogue, t

NO_BUYER = "none"
DEFAULT_BUYER = "JP"
EFFECTS = ("exclude", "flag", "condition")

Provenance = Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class Regime:
    """A sanctions regime or a transit permit, dated, with what it restricts and whom it binds."""

    id: str
    name_en: str
    name_ja: str
    kind: str
    issuer: str
    targets: tuple[str, ...]
    cargo_classes: tuple[str, ...]
    restricts: tuple[str, ...]
    binds: tuple[str, ...]
    effect: str
    in_force_from: dt.date
    in_force_to: dt.date | None
    lead_time_days: float
    lead_time_days_p95: float
    sources: Provenance
    note: str

    def in_force(self, on: dt.date) -> bool:
        """Whether the regime holds on ``on``."""
        return self.in_force_from <= on and (self.in_force_to is None or on <= self.in_force_to)

    def applies_to(self, cargo_class: str) -> bool:
        """Whether the regime concerns this cargo class (blank classes: every class)."""
        return not self.cargo_classes or cargo_class in self.cargo_classes


@dataclass(frozen=True)
class Buyer:
    """Whose rules a buyer follows, and its overrides of regime effects."""

    id: str
    name_en: str
    name_ja: str
    jurisdiction: str
    follows: tuple[str, ...]
    treatment: Mapping[str, tuple[str, float]]
    """Regime id -> (effect, penalty USD/t); the effect ``penalty`` carries a price."""
    sources: tuple[str, ...]
    note: str

    def bound_by(self, regime: Regime) -> bool:
        """Whether ``regime`` binds this buyer (or the buyer applies it by policy)."""
        return (
            "any" in regime.binds
            or self.jurisdiction in regime.binds
            or regime.issuer in self.follows
        )


@dataclass(frozen=True)
class RegimeFlag:
    """One regime next to one route: what it does to that route for this buyer."""

    regime: str
    name_en: str
    name_ja: str
    effect: str
    """exclude, flag, condition or penalty (for buyer ``none``: the regime's own effect)."""
    binding: bool
    """Whether it binds the buyer asked about (False for buyer ``none``)."""
    touches: tuple[str, ...]
    """The regime's targets this route crosses."""
    restricts: tuple[str, ...]
    penalty_usd_per_t: float
    lead_time_days: float
    lead_time_days_p95: float

    @property
    def word(self) -> str:
        """What the regime does to the route, in one or two words."""
        return self.word_in("en")

    def word_in(self, lang: str = "en") -> str:
        """:attr:`word` in ``lang`` ("excluded by", "flag"; 除外, 注意)."""
        if self.effect == "exclude":
            return t("cli_regime_excluded_by" if self.binding else "cli_regime_sanctions", lang)
        return t(f"cli_regime_{self.effect}", lang)

    def short(self) -> str:
        """Compact form for a table cell: ``flag EU_RUSSIA_833`` or ``condition CN_… ~60 d``."""
        return self.short_in("en")

    def short_in(self, lang: str = "en") -> str:
        """:meth:`short` in ``lang``: ``condition CN_… ~60 d`` / ``条件 CN_… 約60日``."""
        days = f"{self.lead_time_days:g}"
        lead = t("cli_regime_short_lead", lang, days=days) if self.lead_time_days else ""
        price = f" USD {self.penalty_usd_per_t:,.0f}/t" if self.effect == "penalty" else ""
        return f"{self.word_in(lang)} {self.regime}{price}{lead}"

    def text(self) -> str:
        """One line for tables: effect, regime name and id, where, and any lead time."""
        word = {
            "exclude": "sanctions (excludes the route for buyers it binds)",
            "flag": "flag",
            "condition": "condition",
            "penalty": f"penalty USD {self.penalty_usd_per_t:,.0f}/t",
        }[self.effect]
        if self.binding and self.effect == "exclude":
            word = "excluded"
        out = f"{word}: {self.name_en} ({self.regime}) on {', '.join(self.touches)}"
        if self.lead_time_days:
            out += f"; lead time ~{self.lead_time_days:g} d (p95 {self.lead_time_days_p95:g} d)"
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "regime": self.regime,
            "name": self.name_en,
            "name_ja": self.name_ja,
            "effect": self.effect,
            "binding": self.binding,
            "touches": list(self.touches),
            "restricts": list(self.restricts),
            "penalty_usd_per_t": round(self.penalty_usd_per_t, 2),
            "lead_time_days": self.lead_time_days or None,
            "lead_time_days_p95": self.lead_time_days_p95 or None,
        }


def restriction_word(word: str, lang: str = "en") -> str:
    """What a regime restricts (``port_call``) in words of ``lang`` ("port calls"; the word
    itself where the catalogue has none)."""
    key = "restrict_" + word
    return t(key, lang) if key in catalogue(lang) else word


@dataclass(frozen=True)
class Compliance:
    """What a buyer's regimes mean for the routes of one cargo class on one date."""

    buyer: str
    as_of: dt.date
    rules: tuple[tuple[Regime, str, float], ...]
    """Regimes in force for the cargo class, each with its effect for the buyer and penalty."""
    binding: frozenset[str]
    """Ids of the regimes that bind the buyer (empty for buyer ``none``)."""

    @property
    def excluded(self) -> dict[str, str]:
        """Exposure id -> why a route may not touch it (the regime that excludes it)."""
        out: dict[str, str] = {}
        for regime, effect, _ in self.rules:
            if effect == "exclude" and regime.id in self.binding:
                for target in regime.targets:
                    out.setdefault(target, self._why(regime))
        return out

    @property
    def penalties(self) -> dict[str, float]:
        """Exposure id -> USD per tonne added to routes crossing it (priced regimes)."""
        out: dict[str, float] = {}
        for regime, effect, price in self.rules:
            if effect == "penalty" and regime.id in self.binding:
                for target in regime.targets:
                    out[target] = out.get(target, 0.0) + price
        return out

    def flags(self, exposures: Iterable[str]) -> tuple[RegimeFlag, ...]:
        """The regimes a route crossing ``exposures`` meets, in table order."""
        crossed = set(exposures)
        out = []
        for regime, effect, price in self.rules:
            touches = tuple(t for t in regime.targets if t in crossed)
            if not touches:
                continue
            out.append(
                RegimeFlag(
                    regime.id,
                    regime.name_en,
                    regime.name_ja,
                    effect,
                    regime.id in self.binding,
                    touches,
                    regime.restricts,
                    price,
                    regime.lead_time_days,
                    regime.lead_time_days_p95,
                )
            )
        return tuple(out)

    def _why(self, regime: Regime) -> str:
        # the id in English (as before); Japanese names the regime only
        name = Named(f"{regime.name_en} ({regime.id})", regime.name_ja)
        return Message("regime_excluded_why", buyer=self.buyer, regime=name)


def compliance(
    regimes: Iterable[Regime],
    buyers: Mapping[str, Buyer],
    buyer: str | None,
    cargo_class: str,
    as_of: dt.date | None = None,
) -> Compliance:
    """Resolve a buyer profile against the regimes in force for one cargo class.

    Parameters
    ----------
    regimes, buyers : the network's regimes and buyer profiles (by id).
    buyer : a buyer id, or ``none`` to apply no regime and flag every one; None picks the
        default profile (``JP``) when the buyers table has it, else ``none``.
    cargo_class : the commodity's cargo class.
    as_of : date the regimes must be in force on (default: today).

    Raises
    ------
    RequestError
        If the buyer id is not ``none`` and not in the buyers table.
    """
    on = as_of or dt.date.today()
    if buyer is None:
        buyer = DEFAULT_BUYER if DEFAULT_BUYER in buyers else NO_BUYER
    who = buyer
    profile = None
    if who != NO_BUYER:
        profile = buyers.get(who)
        if profile is None:
            known = ", ".join([NO_BUYER, *buyers])
            raise RequestError(f"unknown buyer '{who}' (known buyer profiles: {known})")
    rules = []
    binding = set()
    for regime in regimes:
        if not (regime.in_force(on) and regime.applies_to(cargo_class)):
            continue
        effect, price = regime.effect, 0.0
        if profile is not None:
            effect, price = profile.treatment.get(regime.id, (effect, 0.0))
            if profile.bound_by(regime):
                binding.add(regime.id)
        rules.append((regime, effect, price))
    return Compliance(who, on, tuple(rules), frozenset(binding))


# --------------------------------------------------------------------------- records


def regime_record(v: Mapping[str, Any], sources: Provenance) -> Regime:
    """A :class:`Regime` from parsed cell values."""
    return Regime(
        v["id"],
        v["name_en"],
        v["name_ja"],
        v["kind"],
        v["issuer"],
        tuple(v["targets"]),
        tuple(v.get("cargo_classes") or ()),
        tuple(v["restricts"]),
        tuple(v["binds"]),
        v["effect"],
        v["in_force_from"],
        v.get("in_force_to"),
        float(v.get("lead_time_days") or 0.0),
        max(float(v.get("lead_time_days_p95") or 0.0), float(v.get("lead_time_days") or 0.0)),
        sources,
        v.get("note") or "",
    )


def buyer_record(v: Mapping[str, Any]) -> Buyer:
    """A :class:`Buyer` from parsed cell values (its treatment already checked)."""
    return Buyer(
        v["id"],
        v["name_en"],
        v["name_ja"],
        v["jurisdiction"],
        tuple(v.get("follows") or ()),
        parse_treatment(v.get("treatment") or ""),
        tuple(s for s in (v.get("sources") or "").replace(";", "+").split("+") if s.strip()),
        v.get("note") or "",
    )


def parse_treatment(text: str) -> dict[str, tuple[str, float]]:
    """Parse ``REGIME=effect`` / ``REGIME=penalty:USD`` entries separated by ';'.

    Raises
    ------
    ValueError
        On a malformed entry, an unknown effect or a bad price.
    """
    out: dict[str, tuple[str, float]] = {}
    for entry in (e.strip() for e in text.split(";")):
        if not entry:
            continue
        regime, sep, effect = (p.strip() for p in entry.partition("="))
        if not sep or not regime:
            raise ValueError(Message("prob_not_regime_effect", entry=entry))
        if effect.startswith("penalty:"):
            try:
                price = float(effect.split(":", 1)[1])
            except ValueError:
                raise ValueError(Message("prob_penalty_not_number", entry=entry)) from None
            if not 0 <= price < float("inf"):
                raise ValueError(Message("prob_penalty_negative", entry=entry))
            out[regime] = ("penalty", price)
        elif effect in EFFECTS:
            out[regime] = (effect, 0.0)
        else:
            allowed = ", ".join((*EFFECTS, "penalty:USD"))
            raise ValueError(
                Message("prob_effect_not_one_of", entry=entry, effect=effect, allowed=allowed)
            )
    return out
