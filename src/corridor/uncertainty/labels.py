"""Names of the estimates a study draws, for people: what the estimate is (its source's title)
and which figure it moves, in English and Japanese.

A factor's id (``est_bcp_dwell_az_ge:dwell_hours``, ``nodes/KZ_DOSTYK/dwell_hours``) stays its
``label`` in JSON; these names are what the tables and reports show first. The Japanese titles
of the estimates are in ``corridor/i18n/estimates_ja.json`` (label text only: no figure).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from corridor.i18n import catalogue, t
from corridor.network.model import Network
from corridor.network.names import place_name

ASSUMPTIONS_TABLE = "assumptions"
_PREFIXES = ("Analyst estimate: ", "Analyst assumption: ", "Assumption: ")


@cache
def estimate_titles_ja() -> dict[str, str]:
    """Source id -> the Japanese title of the estimate."""
    text = resources.files("corridor.i18n").joinpath("estimates_ja.json").read_text("utf-8")
    data: dict[str, str] = json.loads(text)
    return data


def estimate_title(net: Network, source: str, lang: str = "en") -> str:
    """The title of an estimate (its citation without "Analyst estimate: "), in ``lang``;
    the id where the network has no such source."""
    if lang != "en" and source in estimate_titles_ja():
        return estimate_titles_ja()[source]
    if not net.has("sources", source):
        return source
    text = str(net.record("sources", source).citation)
    for prefix in _PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    return text[:1].upper() + text[1:]


def figure_word(column: str, lang: str = "en") -> str:
    """What a column holds ("dwell, h"), in ``lang``; the column where none is written."""
    key = "fig_" + column.split(":", 1)[0]
    return t(key, lang) if key in catalogue(lang) else column


def record_name(net: Network, table: str, record: str, lang: str = "en") -> str:
    """A record as people name it: a place, a link by its ends, an exposure, an event..."""
    if not net.has(table, record):
        return record
    row: Any = net.record(table, record)
    if table == "nodes":
        return place_name(row, lang)
    if table == "links":
        a, b = (place_name(net.node(n), lang) for n in (row.from_, row.to))
        return f"{a} – {b}"
    if table == "capacities":
        return element_name(net, str(row.element), lang)
    name_en = getattr(row, "name_en", "") or record
    return (getattr(row, "name_ja", "") or name_en) if lang != "en" else name_en


def element_name(net: Network, element: str, lang: str = "en") -> str:
    """A capacity's element by name: a link, a node or a group of links (``capgroup_…`` in
    the catalogue); the id where it has none."""
    for owner in ("links", "nodes"):
        if net.has(owner, element):
            return record_name(net, owner, element, lang)
    key = f"capgroup_{element}"
    return t(key, lang) if key in catalogue(lang) else element


def factor_names(net: Network, name: str, table: str, record: str, column: str,
                 sources: tuple[str, ...], alone: bool) -> tuple[str, str]:  # fmt: skip
    """The English and Japanese names of a factor: the model assumption, the estimate (shared
    ``source:column`` factors, by their first source) or the record (a figure alone), each
    with the figure it moves."""
    out = []
    for lang in ("en", "ja"):
        what = figure_word(column, lang)
        if table == ASSUMPTIONS_TABLE:
            out.append(t("fig_model_assumption", lang, what=what))
        elif ":" in name and sources and not alone:
            title = estimate_title(net, sources[0], lang)
            out.append(f"{title}: {what}" if lang == "en" else f"{title} — {what}")
        else:
            out.append(t("fig_of_record", lang, record=record_name(net, table, record, lang),
                         what=what))  # fmt: skip
    return out[0], out[1]
