"""Number, money and name formatting shared by the HTML report modules."""

from __future__ import annotations

from html import escape

from corridor.i18n import catalogue, family_name, t
from corridor.routing.route import FAMILY_LABELS


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _num(value: float, digits: int) -> str:
    """Thousands separators and fixed decimals, without a minus on a rounded zero."""
    if round(value, digits) == 0:
        value = 0.0
    return f"{value:,.{digits}f}"


def _signed(value: float, digits: int) -> str:
    text = _num(value, digits)
    return text if text.startswith("-") or text.strip("0.,") == "" else "+" + text


def _usd_big(value: float) -> str:
    """A USD amount for a sentence: 'USD 1.2 m', 'USD 3.4 bn' or 'USD 12,300'."""
    a = abs(value)
    if a >= 1e9:
        return f"USD {value / 1e9:,.1f} bn"
    if a >= 1e6:
        return f"USD {value / 1e6:,.1f} m"
    return f"USD {value:,.0f}"


def _usd_t(value: float) -> str:
    return f"USD {_num(value, 0 if abs(value) >= 100 else 2)}/t"


def _days(value: float, lang: str = "en") -> str:
    text = _num(value, 1)
    if lang != "en":
        return t("map_days", lang, days=text)
    return f"{text} day" if text == "1.0" else f"{text} days"


def _family(family: str, lang: str = "en") -> str:
    if lang != "en":
        return family_name(family, lang)
    return " + ".join(FAMILY_LABELS.get(f, f) for f in family.split("+"))


def _rule(name: str, lang: str) -> str:
    """An avoid rule's name ("avoid China") in ``lang``."""
    key = "rule_" + name.replace(" ", "_")
    return t(key, lang) if lang != "en" and key in catalogue(lang) else name


def _word(prefix: str, word: str, lang: str) -> str:
    """A word of the tables (a cost component, a kind of source, a mode) in ``lang``; itself
    in English or when the catalogue lacks it."""
    key = f"{prefix}_{word}"
    return t(key, lang) if lang != "en" and key in catalogue(lang) else word
