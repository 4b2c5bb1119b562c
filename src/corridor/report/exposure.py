"""The risk exposure index as rows, notes and an HTML report section, in English or Japanese.

Shared by ``corridor exposure`` (its table and ``--report``) and the API's report: the rows
are ranked as the library ranks them (worst first) and the single points of failure — the
elements whose time to survive is shorter than their time to recover — are marked.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from corridor.i18n import t
from corridor.network.names import place_name
from corridor.report.html import page

if TYPE_CHECKING:
    from corridor.network.model import Network
    from corridor.risk.exposure import Element, ExposureResult, ExposureRow

COLUMNS = (
    "exp_col_element",
    "exp_col_type",
    "exp_col_ttr",
    "exp_col_tts",
    "exp_col_spof",
    "exp_col_stockout",
    "exp_col_late",
    "exp_col_undelivered",
    "exp_col_cost",
    "exp_col_index",
)
NUMERIC = frozenset(range(2, len(COLUMNS)))


def _n(v: float) -> str:
    return f"{v:,.0f}"


def columns(lang: str = "en") -> list[str]:
    """The column heads of the exposure table (in Japanese the element by its name, and its
    id in a last column)."""
    heads = [t(key, lang) for key in COLUMNS]
    return heads if lang == "en" else [*heads, t("hdr_id", lang)]


def element_name(net: Network, element: Element, lang: str = "en") -> str:
    """The element's name in ``lang`` (Japanese falls back to English where a name is missing)."""
    if lang == "en":
        return element.name
    if element.name_ja:
        return element.name_ja
    if element.type == "node" and net.has("nodes", element.id):
        return place_name(net.node(element.id), lang)
    if element.type == "link" and net.has("links", element.id):
        link = net.link(element.id)
        return f"{place_name(net.node(link.from_), lang)} – {place_name(net.node(link.to), lang)}"
    if element.type == "exposure" and net.has("exposures", element.id):
        return net.exposure(element.id).name_ja or element.name
    return element.name


def row_cells(row: ExposureRow, lang: str = "en", net: Network | None = None) -> list[str]:
    """One row of the table, as text: in English the element's id first; in Japanese its
    name first (``net`` names an element whose ``name_ja`` is empty) and its id last."""
    first = row.element.id
    if lang != "en":
        first = row.element.name_ja or (element_name(net, row.element, lang) if net else first)
    cells = [
        first + (f" (+{len(row.same)})" if row.same else ""),
        t(f"exp_type_{row.element.type}", lang),
        f"{row.ttr.days:g} ({row.ttr.low:g}–{row.ttr.high:g})",
        t("exp_survives", lang) if row.tts_days is None else f"{row.tts_days:g}",
        t("exp_yes", lang) if row.single_point else "",
        _n(row.impact.stockout_days),
        _n(row.impact.late_t),
        _n(row.impact.undelivered_t),
        _n(row.impact.extra_cost_usd),
        f"{row.index:.3f}",
    ]
    return cells if lang == "en" else [*cells, row.element.id]


def title(result: ExposureResult, lang: str = "en") -> str:
    """The table's title: measure, stock, TTR statistic, first day lost."""
    return t(
        "exp_title",
        lang,
        measure=t(f"exp_measure_{result.measure}", lang),
        stock=f"{result.stock_days:g}",
        ttr=t(f"exp_ttr_{result.ttr_statistic}", lang),
        day=result.start_day + 1,
    )


def notes(result: ExposureResult, lang: str = "en") -> list[str]:
    """The notes on the ranking, built from the result (so that they follow ``lang``)."""
    out = []
    if result.ranked_by and result.ranked_by != result.measure:
        out.append(t("exp_note_fallback", lang, what=t(f"exp_what_{result.measure}", lang)))
    net = result.allocation.network
    spof = [_label(net, r, lang) for r in result.rows if r.single_point]
    if spof:
        out.append(t("exp_note_spof", lang, ids=", ".join(spof)))
    elif result.rows:
        out.append(t("exp_note_no_spof", lang))
    out.append(t("exp_note_tts", lang))
    return out


def _label(net: Network, row: ExposureRow, lang: str) -> str:
    """The element as the notes name it: its id in English, its name in Japanese."""
    return row.element.id if lang == "en" else element_name(net, row.element, lang)


def _both(net: Network, row: ExposureRow, lang: str) -> str:
    """``id (name)`` in English; the name alone in Japanese (the id is in the table)."""
    name = element_name(net, row.element, lang)
    return f"{row.element.id} ({name})" if lang == "en" else name


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _cell(tag: str, text: str, column: int) -> str:
    cls = ' class="n"' if column in NUMERIC else ""
    return f"<{tag}{cls}>{_e(text)}</{tag}>"


def exposure_section(result: ExposureResult, lang: str = "en") -> str:
    """The exposure index as an HTML section: ranked table, single points of failure marked
    (a row of class ``spof``), the worst element and the notes."""
    net = result.allocation.network
    head = "".join(_cell("th", h, i) for i, h in enumerate(columns(lang)))
    body = []
    for row in result.rows:
        cells = row_cells(row, lang, net)
        if lang == "en":
            cells[0] = f"{cells[0]} — {element_name(net, row.element, lang)}"
        tds = "".join(_cell("td", c, i) for i, c in enumerate(cells))
        cls = ' class="spof"' if row.single_point else ""
        body.append(f"<tr{cls}>{tds}</tr>")
    spof = [r for r in result.rows if r.single_point]
    lead = (
        t(
            "exp_report_spof",
            lang,
            n=len(spof),
            ids=", ".join(_both(net, r, lang) for r in spof),
        )
        if spof
        else t("exp_report_no_spof", lang)
    )
    if result.rows:
        worst = result.rows[0]
        lead += " " + t(
            "exp_report_worst",
            lang,
            element=_both(net, worst, lang),
            ttr=f"{worst.ttr.days:g}",
            stockout=_n(worst.impact.stockout_days),
            late=_n(worst.impact.late_t),
            usd=_n(worst.impact.extra_cost_usd),
        )
    items = "".join(f"<li>{_e(n)}</li>" for n in notes(result, lang))
    return f"""
<section id="exposure"><h2>{_e(t("exp_report_heading", lang))}</h2>
<p class="muted">{_e(title(result, lang))}</p>
<p>{_e(lead)}</p>
<div class="wrap"><table class="exposure"><thead><tr>{head}</tr></thead>
<tbody>{"".join(body)}</tbody></table></div>
<ul>{items}</ul>
</section>"""


SPOF_STYLE = (
    "<style>tr.spof td{background:#fde8e8;font-weight:600}"
    "tr.spof td:first-child{border-left:4px solid #c62828}</style>"
)


def render_exposure_report(result: ExposureResult, lang: str = "en") -> str:
    """The exposure index as one self-contained HTML page."""
    allocation = result.allocation
    meta = (
        f'<p class="meta">{_e(allocation.name or "allocation")} ({_e(allocation.basis)}) · '
        f"{_e(t('exp_report_data', lang, version=result.data_version[:12]))}</p>"
    )
    return page(
        t("exp_report_page", lang),
        meta,
        SPOF_STYLE + exposure_section(result, lang),
        _e(t("exp_report_footer", lang)),
    )
