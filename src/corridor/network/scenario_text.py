"""Scenario edits in words, in English or Japanese (places and events by name in Japanese)."""

from __future__ import annotations

from typing import Any

from corridor.i18n import t as msg
from corridor.network.model import Network
from corridor.network.names import event_name, place_name


def target_name(net: Network, target: str, lang: str) -> str:
    """An edit's target as a reader of ``lang`` knows it: the id in English, the Japanese
    name of the node, exposure, project or event in Japanese (the id where there is none)."""
    if lang == "en":
        return target
    if net.has("nodes", target):
        return place_name(net.node(target), lang)
    if net.has("events", target):
        return event_name(net.event(target), lang)
    for table in ("exposures", "projects", "links"):
        for row in getattr(net, table, ()):
            if row.id == target:
                return getattr(row, "name_ja", "") or target
    return target


def edit_text(e: Any, net: Network, lang: str = "en") -> str:
    """One scenario edit in words (in English, the text of ``Edit.describe``)."""
    target = target_name(net, e.target, lang)
    if e.action == "close":
        days = msg("whatif_cli_edit_days", lang, days=f"{e.days:g}") if e.days else ""
        start = (
            ""
            if e.from_day is None
            else msg("whatif_cli_edit_from", lang, day=f"{e.from_day + 1:g}")
        )
        return msg("whatif_cli_edit_close", lang, target=target, days=days, start=start)
    if e.action == "derate" and e.percent is not None and e.percent < 0:
        return msg("whatif_cli_edit_raise", lang, target=target, percent=f"{-e.percent:g}")
    if e.action == "derate":
        return msg("whatif_cli_edit_derate", lang, target=target, percent=f"{e.percent:g}")
    if e.action == "commission":
        return msg("whatif_cli_edit_commission", lang, target=target)
    if e.action == "delay":
        return msg("whatif_cli_edit_delay", lang, target=target, days=f"{e.days:+g}")
    if e.action == "tariff":
        parts = ", ".join(
            f"{k} {v:g}"
            for k, v in (("USD/t", e.usd_per_t), ("USD/t-km", e.usd_per_tkm), ("×", e.factor))
            if v is not None
        )
        return msg("whatif_cli_edit_tariff", lang, target=target, parts=parts)
    what = e.action.removeprefix("add_")
    return msg("whatif_cli_edit_add", lang, what=what, target=target)
