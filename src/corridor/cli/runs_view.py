"""Terminal pages of ``corridor runs show`` and ``runs diff`` in English or Japanese.

Nothing here computes a number. A stored run keeps ids and English texts; in Japanese its
kinds, statuses, headline figures, tables and columns read by the catalogue's labels (those of
``runs list``), and its places, links, commodities, families and routes by their Japanese
names on the bundled network. English prints the stored keys as before.
"""

from __future__ import annotations

import json
import re
from typing import Any

from corridor.cli._app import _rows_table, out
from corridor.i18n import catalogue, family_name, localise
from corridor.i18n import t as msg
from corridor.network.model import Network

# Headline columns of ``runs diff`` and the capacity-use table, by catalogue key.
_DIFF_CAP_EN = ("capacity", "used a", "used b", "change t/yr", "shadow a", "shadow b")
_DIFF_CAP_KEYS = ("capacity", "used_a", "used_b", "change_t", "shadow_a", "shadow_b")


def _label(key: str, fallback: str, lang: str) -> str:
    """The catalogue's label for ``key`` in Japanese; English (and a missing key) keeps
    ``fallback``, the stored word."""
    return fallback if lang == "en" else catalogue(lang).get(key, fallback)


def cell(v: Any) -> str:
    """A stored value as text (numbers to 2 decimals below 1,000)."""
    if isinstance(v, float):
        return f"{v:,.2f}" if abs(v) < 1000 else f"{v:,.0f}"
    return "" if v is None else str(v)


def _network() -> Network:
    from corridor.analysis.queries import default_network

    return default_network()


def _route_ja(label: str, net: Network) -> str:
    """A stored English route label ("China: Dostyk → Alashankou (via the Cape)") in
    Japanese, from the same place and family names it was built of; as stored where a part
    is not one of them."""
    from corridor.network.names import place_name
    from corridor.routing.route import FAMILY_LABELS

    families = {family_name(f, "en"): family_name(f, "ja") for f in FAMILY_LABELS}
    places = {place_name(n): place_name(n, "ja") for n in net.nodes}
    cape = msg("via_cape", "en")
    rest = label.removesuffix(cape)
    family, _, gates = rest.partition(": ")
    names = gates.split(" → ") if gates else []
    if family not in families or any(g not in places for g in names):
        return label
    text = families[family] + (": " + " → ".join(places[g] for g in names) if names else "")
    return text + (msg("via_cape", "ja") if rest != label else "")


def _capacity_ja(capacity: str, net: Network) -> str:
    """A capacity by name: a node's capacity row (what leaves it, by which modes), a link or
    a group of links."""
    from corridor.uncertainty.labels import element_name

    row = next((r for r in net.capacities if r.id == capacity), None)
    if row is None or not net.has("nodes", row.element):
        return element_name(net, row.element if row else capacity, "ja")
    place = element_name(net, row.element, "ja")
    cargo = "・".join(_label(f"cargo_{c}", c, "ja") for c in row.cargo_classes)
    cargo = cargo or msg("runs_cap_all_cargo", "ja")
    if row.modes:
        modes = "・".join(_label(f"mode_{m}", m, "ja") for m in row.modes)
        return msg("runs_cap_leaving_by", "ja", place=place, cargo=cargo, modes=modes)
    return msg("runs_cap_leaving", "ja", place=place, cargo=cargo)


def _unit_ja(unit: str) -> str:
    key = "runs_unit_" + re.sub(r"[^a-z0-9]+", "_", unit.lower()).strip("_")
    return _label(key, unit, "ja")


def _value_ja(column: str, v: Any, net: Network) -> str:
    """One cell in Japanese: names where the stored value is an id or an English label."""
    from corridor.graph import link_text
    from corridor.network.names import place_name

    if not isinstance(v, str):
        return cell(v)
    if column == "commodity" and net.has("commodities", v):
        return net.commodity(v).name_ja or v
    if column in ("origin", "destination") and net.has("nodes", v):
        return place_name(net.node(v), "ja")
    if column == "family":
        return family_name(v, "ja")
    if column == "route":
        return _route_ja(v, net)
    if column == "link" and net.has("links", v):
        return str(localise(link_text(net, net.link(v)), "ja"))
    if column in ("capacity", "name"):
        return _capacity_ja(v, net)
    if column == "shadow_unit":
        return _unit_ja(v)
    return v


def show(run: Any, lang: str) -> None:
    """Parameters, headline numbers and result tables of one stored run."""
    from corridor.cli.plan import _headline as headline_text

    if lang == "en":
        out.print(
            f"[bold]{run.id}[/] ({run.kind}, {run.status}) created "
            f"{run.created_at:%Y-%m-%d %H:%M} UTC\ninputs {run.inputs_hash[:16]} · "
            f"data {run.data_version[:16]}\n{headline_text(run.headline, lang)}"
        )
        for name, rows in run.tables.items():
            if rows:
                cols = list(rows[0])
                _rows_table(name, cols, [[cell(r[c]) for c in cols] for r in rows], set())
        return
    kind = _label(f"runs_kind_{run.kind}", run.kind, lang)
    status = _label(f"runs_status_{run.status}", run.status, lang)
    created = f"{run.created_at:%Y-%m-%d %H:%M}"
    head = msg("runs_show_head", lang, kind=kind, status=status, created=created)
    hashes = msg("runs_show_hashes", lang, inputs=run.inputs_hash[:16], data=run.data_version[:16])
    out.print(f"[bold]{run.id}[/] {head}\n{hashes}\n{headline_text(run.headline, lang)}")
    net = _network() if any(run.tables.values()) else None
    for name, rows in run.tables.items():
        if rows and net is not None:
            cols = list(rows[0])
            if "capacity" in cols and "name" in cols:
                cols.remove("name")  # the capacity column names it in Japanese
            heads = [_label(f"runs_col_{c}", c, lang) for c in cols]
            body = [[_value_ja(c, r[c], net) for c in cols] for r in rows]
            _rows_table(_label(f"runs_table_{name}", name, lang), heads, body, set())


def diff(d: Any, lang: str) -> None:
    """What changed between two runs: parameters, headline numbers, capacity use."""
    out.print(f"[bold]{d.a.id}[/] → [bold]{d.b.id}[/]")
    word = "parameter" if lang == "en" else msg("runs_diff_parameter", lang)
    for key, (x, y) in d.parameters.items():
        out.print(f"  {word} {key}: {json.dumps(x)[:200]} → {json.dumps(y)[:200]}")
    en = lang == "en"
    _rows_table(
        "Headline" if en else msg("runs_diff_headline", lang),
        ["figure" if en else msg("runs_diff_figure", lang), d.a.id, d.b.id,
         "change" if en else msg("runs_diff_change", lang)],
        [[_label(f"runs_head_{k}", k, lang), cell(x), cell(y), cell(c)]
         for k, (x, y, c) in d.headline.items()],
        {1, 2, 3},
    )  # fmt: skip
    net = None if en or not d.utilisation else _network()
    heads = list(_DIFF_CAP_EN) if en else [msg(f"runs_diff_{k}", lang) for k in _DIFF_CAP_KEYS]
    _rows_table(
        "Capacity use that changed" if en else msg("runs_diff_capacity_use", lang),
        heads,
        [
            [
                u["capacity"] if net is None else _capacity_ja(u["capacity"], net),
                cell(u["used_t_per_year"]["a"]),
                cell(u["used_t_per_year"]["b"]),
                cell(u["change_t_per_year"]),
                cell(u["shadow_price"]["a"]),
                cell(u["shadow_price"]["b"]),
            ]
            for u in d.utilisation
        ],
        {1, 2, 3, 4, 5},
    )
