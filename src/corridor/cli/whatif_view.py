"""Terminal tables of ``corridor whatif`` in English or Japanese.

Nothing here computes a number: it renders a :class:`corridor.analysis.whatif.WhatIf`
with the texts of the message catalogue, places and events by name in Japanese.
"""

from __future__ import annotations

from typing import Any

from corridor.cli._app import _rows_table, out
from corridor.i18n import localise
from corridor.i18n import t as msg
from corridor.network.model import Network
from corridor.network.names import event_name
from corridor.network.scenario_text import edit_text

IN_TIME_COLUMNS = (
    "late_t",
    "tonne_days_late",
    "stockout_days",
    "undelivered_t",
    "extra_cost_usd",
    "planning_effect_usd",
)
UNIT_KEYS = {"t/yr": "t_yr", "USD/yr": "usd_yr", "USD/t": "usd_t", "days": "days"}


def whatif_tables(result: Any, net: Network, lang: str = "en") -> None:
    """Print the scenario, its edits and events, the figures that change and the notes."""
    s = result.scenario
    illustrative = msg("whatif_cli_illustrative", lang) if s.illustrative else ""
    out.print(f"[bold]{s.name}[/]" + illustrative)
    for e in s.edits:
        out.print(f"  • {edit_text(e, net, lang)}")
    for ev in s.events:
        name = event_name(ev, lang) if lang != "en" else ev.id
        out.print(f"  • {msg('whatif_cli_event', lang, event=name)}")
    _delta_table(msg("whatif_cli_against_base", lang), result.deltas, lang)
    same = []
    for contract, deltas in result.by_contract.items():
        if any(_changed(d) for d in deltas):
            _delta_table(msg("whatif_cli_contract", lang, contract=contract), deltas, lang)
        else:
            same.append(contract)
    if same:
        out.print(f"[dim]{msg('whatif_cli_unchanged', lang, contracts=', '.join(same))}[/]")
    if result.in_time:
        _in_time_table(result.in_time, lang, single=not result.by_contract)
    for note in result.notes:
        out.print(f"[yellow]{msg('whatif_cli_note', lang)}[/]: {localise(note, lang)}", markup=True)


def _in_time_table(block: Any, lang: str, single: bool) -> None:
    """The dated closures against the plan, per contract and for the portfolio."""

    def who(name: str) -> str:
        if name == "flow" and single:
            return msg("whatif_cli_flow", lang)
        return name

    portfolio = msg("whatif_cli_portfolio", lang)
    rows = [
        [name, *(f"{v[k]:,.0f}" for k in IN_TIME_COLUMNS)]
        for name, v in [
            *((who(c), v) for c, v in block["contracts"].items()),
            (portfolio, block["portfolio"]),
        ]
    ]
    title = msg("whatif_cli_in_time", lang, days=f"{block['stock_days']:g}")
    heads = [msg(f"whatif_cli_col_{k}", lang) for k in ("contract", *IN_TIME_COLUMNS)]
    _rows_table(title, heads, rows, range(1, len(heads)))


def _changed(d: Any) -> bool:
    return (
        bool(d.change) or d.base_text != d.scenario_text or (d.base is None) != (d.scenario is None)
    )


def _n(v: float | None, digits: int = 0) -> str:
    return "—" if v is None else f"{v:,.{digits}f}"


def _unit(unit: str, lang: str) -> str:
    return msg(f"whatif_cli_unit_{UNIT_KEYS[unit]}", lang) if unit in UNIT_KEYS else unit


def _delta_table(title: str, deltas: Any, lang: str) -> None:
    """The figures that change (all figures are in --format json)."""
    rows = []
    for d in deltas:
        if not _changed(d):
            continue
        digits = 2 if d.unit in ("days", "USD/t") else 0
        change = "" if d.change is None else f"{d.change:+,.{digits}f}"
        base = localise(d.base_text, lang) or _n(d.base, digits)
        scen = localise(d.scenario_text, lang) or _n(d.scenario, digits)
        rows.append([localise(d.figure, lang), _unit(d.unit, lang), base, scen, change])
    if not rows:
        out.print(msg("whatif_cli_no_change", lang, title=title))
        return
    heads = [
        msg(f"whatif_cli_col_{k}", lang) for k in ("figure", "unit", "base", "scenario", "change")
    ]
    _rows_table(title, heads, rows, range(2, len(heads)))
