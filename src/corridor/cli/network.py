"""``corridor network``: what the network holds, one record with its sources, validation."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from corridor import validate
from corridor._json import plain
from corridor.cli._app import AsOfOpt, DataOpt, OverlayOpt, _net, _text, app, out
from corridor.cli.brief import LangOpt, language
from corridor.errors import RequestError
from corridor.i18n import Message, family_name, localise
from corridor.i18n import t as msg
from corridor.network.model import Network
from corridor.network.names import place_name, service_text

network_app = typer.Typer(help="Inspect and validate the network tables.", no_args_is_help=True)
app.add_typer(network_app, name="network")


@network_app.command("validate")
def network_validate(
    directory: Annotated[Path | None, typer.Argument(help="Folder of tables to check.")] = None,
    overlay: OverlayOpt = None,
    lang: LangOpt = None,
) -> None:
    """Check a folder of network tables (default: the bundled tables); list every problem."""
    lang_ = language(lang)
    from corridor.network.load import load_network

    net = load_network(directory, overlay)
    counts = msg(
        "netshow_valid_counts",
        lang_,
        nodes=len(net.nodes),
        links=len(net.links),
        commodities=len(net.commodities),
        exposures=len(net.exposures),
        factors=len(net.emission_factors),
        events=len(net.events),
        sources=len(net.sources),
        origin=localise(net.origin, lang_),
    )
    out.print(f"[green]{msg('netshow_valid', lang_)}[/]: {counts}")


@network_app.command("schema")
def network_schema() -> None:
    """Print the schema of the tables (every column: type, unit, default, meaning) as Markdown."""
    from corridor.network.schema import schema_markdown

    sys.stdout.write(schema_markdown())


@network_app.command("show")
def network_show(
    record_id: Annotated[
        str | None, typer.Argument(help="A node, link, commodity, exposure or source id.")
    ] = None,
    data: DataOpt = None,
    overlay: OverlayOpt = None,
    as_of: AsOfOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    lang: LangOpt = None,
) -> None:
    """Counts by kind, mode, country and route family; or one record with its sources."""
    validate.choice(fmt, "--format", ("table", "json"))
    lang_ = language(lang)
    net = _net(data, overlay, as_of)
    if record_id is None:
        _show_counts(net, fmt, lang_)
    else:
        _show_record(net, record_id, fmt, lang_)


def _ja(key: str, raw: str, lang: str) -> str:
    """A vocabulary word (kind, mode, cargo class, field) by its label in Japanese; English
    shows the tables' own word."""
    from corridor.i18n import catalogue

    return raw if lang == "en" else catalogue(lang).get(key, raw)


def _exposure(net: Network, x: str, lang: str) -> str:
    if lang == "en" or not net.has("exposures", x):
        return x
    return net.exposure(x).name_ja or x


def _show_counts(net: Network, fmt: str, lang: str = "en") -> None:
    groups: dict[str, Counter[str]] = {
        "node kind": Counter(n.kind for n in net.nodes),
        "node country": Counter(n.country for n in net.nodes),
        "link mode": Counter(link.mode for link in net.links),
        "link family": Counter(link.family for link in net.links),
    }
    if fmt == "json":
        out.print_json(json.dumps({k: dict(v) for k, v in groups.items()}))
        return
    counts = msg("netshow_counts", lang, nodes=len(net.nodes), links=len(net.links),
                 sources=len(net.sources))  # fmt: skip
    out.print(f"[bold]{msg('netshow_title', lang)}[/] ({localise(net.origin, lang)}): {counts}")
    words = {"node kind": ("nodes", "kind"), "node country": ("nodes", "country"),
             "link mode": ("links", "mode"), "link family": ("links", "family")}  # fmt: skip
    sep = ", " if lang == "en" else "、"
    for title, group in groups.items():
        table, field = words[title]
        heading = msg(f"netshow_group_{title.replace(' ', '_')}", lang)
        out.print(
            f"\n[bold]{heading}[/]: "
            + sep.join(f"{_word(net, table, field, k, lang)} {v}" for k, v in sorted(group.items()))
        )
    from corridor.routing.route import FAMILY_LABELS

    out.print(f"\n[bold]{msg('netshow_families', lang)}[/]")
    for family, links in sorted(net.families().items()):
        places = sorted({n for link in links for n in (link.from_, link.to)})
        names = places if lang == "en" else [place_name(net.node(n), lang) for n in places]
        line = msg("netshow_family_line", lang, links=len(links), nodes=len(places),
                   places=sep.join(names))  # fmt: skip
        label = FAMILY_LABELS.get(family, family) if lang == "en" else family_name(family, lang)
        own = f" ({family})" if lang == "en" else ""
        out.print(f"  [cyan]{label}[/]{own}: {line}")


def _record(net: Network, record_id: str) -> tuple[str, Any]:
    tables = ("nodes", "links", "commodities", "exposures", "emission_factors", "sources")
    for table in (*tables, "regimes", "buyers"):
        if net.has(table, record_id):
            return table, net.record(table, record_id)
    near = net.similar_ids(record_id)
    text = Message("netshow_unknown_id", id=record_id)
    raise RequestError(
        Message("netshow_did_you_mean", text=text, ids=", ".join(near)) if near else text
    )


def _show_record(net: Network, record_id: str, fmt: str, lang: str = "en") -> None:
    table, rec = _record(net, record_id)
    fields = {k.rstrip("_"): v for k, v in vars(rec).items()}
    provenance = fields.pop("sources", {}) if table != "sources" else {}
    if isinstance(provenance, tuple):  # a buyer profile names its sources as one list
        provenance = {"profile": provenance}
    used = sorted({s for ids in dict(provenance).values() for s in ids})
    if fmt == "json":
        payload = {
            "table": table,
            **{k: plain(v) for k, v in fields.items()},
            "sources": {k: list(v) for k, v in dict(provenance).items()},
            "source_details": [plain(vars(net.source(s))) for s in used],
        }
        out.print_json(json.dumps(payload, ensure_ascii=False))
        return
    name = getattr(rec, "name_ja", "") if lang != "en" else ""
    if table == "links" and lang != "en":
        from corridor.graph import link_text

        name = localise(link_text(net, rec), lang)
    grid = Table(
        title=f"{msg(f'netshow_record_{table}', lang)} {name or record_id}", show_header=True
    )
    grid.add_column(msg("hdr_field", lang))
    grid.add_column(msg("hdr_value", lang), overflow="fold")
    grid.add_column(msg("netshow_th_source", lang), overflow="fold")
    for k, v in fields.items():
        ids = {s for col, src in dict(provenance).items() if col.startswith(k) for s in src}
        label = _ja("hdr_id" if k == "id" else f"field_{k}", k, lang)
        value = _value(net, table, k, v, lang)
        if table == "links" and k == "service" and v and lang != "en":
            # the service by its Japanese name, not the table's words labelled as written
            label, value = msg("netshow_field_service", lang), service_text(rec).ja or v
        grid.add_row(label, value, ", ".join(sorted(ids)))
    out.print(grid)
    for sid in used:
        s = net.source(sid)
        kind = _ja(f"srckind_{s.kind}", s.kind, lang)
        out.print(
            f"[bold]{s.id}[/]{msg('netshow_source_head', lang, kind=kind, year=s.year)}: "
            f"{_citation(s.id, s.citation, lang)}"
            + (f" — {s.url}" if s.url else "")
            + (f"\n    {msg('netshow_method', lang)}: {s.method}" if s.method else "")
        )


def _citation(source: str, citation: str, lang: str) -> str:
    """A source's citation as written; in Japanese, an estimate by its Japanese title."""
    from corridor.uncertainty.labels import estimate_titles_ja

    title = estimate_titles_ja().get(source) if lang == "ja" else None
    return msg("netshow_estimate", lang, title=title) if title else citation


KIND_KEYS = {"nodes": "node_kind", "exposures": "exposure_kind", "regimes": "regime_kind",
             "sources": "srckind"}  # fmt: skip


PREFIXES = {"effect": "regime_effect", "restricts": "restrict", "cargo_class": "cargo",
            "cargo_classes": "cargo", "allowed_modes": "mode", "mode": "mode",
            "capacity_group": "capgroup"}  # fmt: skip
EXPOSURE_FIELDS = {"issuer", "country", "countries", "chokepoints", "targets"}
WORD_FIELDS = {"kind", "family", "from", "to", "products", *PREFIXES, *EXPOSURE_FIELDS}


def _word(net: Network, table: str, field: str, x: str, lang: str) -> str:
    """One word of a field in Japanese: a vocabulary label, a place, country or commodity by
    name; English keeps the tables' word (the id)."""
    if lang == "en":
        return x
    if field == "kind":
        return _ja(f"{KIND_KEYS.get(table, '')}_{x}", x, lang)
    if field in PREFIXES:
        return _ja(f"{PREFIXES[field]}_{x}", x, lang)
    if field in EXPOSURE_FIELDS:
        return _exposure(net, x, lang)
    if field == "family":
        return family_name(x, lang)
    if field in ("from", "to") and net.has("nodes", x):
        return place_name(net.node(x), lang)
    if field == "products" and net.has("commodities", x):
        return net.commodity(x).name_ja or x
    return x


def _value(net: Network, table: str, field: str, v: Any, lang: str) -> str:
    """A field's value as text; in Japanese, vocabulary words, places, countries and
    commodities by their names (ids stay where nothing has a name)."""
    if field == "geometry":
        return msg("netshow_points", lang, n=len(v))
    if lang == "en":
        return _text(v)
    sep = "、"
    if isinstance(v, bool):
        return msg("netshow_yes" if v else "netshow_no", lang)
    if field in WORD_FIELDS and isinstance(v, str):
        return _word(net, table, field, v, lang) if v else ""
    if field in WORD_FIELDS and isinstance(v, tuple):
        return sep.join(_word(net, table, field, x, lang) for x in v)
    if field == "season":
        return sep.join(f"{msg('netshow_month', lang, month=m)}: {f:g}" for m, f in dict(v).items())
    if field == "handling_usd_per_t":
        return sep.join(f"{_ja(f'cargo_{c}', c, lang)}: {x:g}" for c, x in dict(v).items())
    return _text(v)
