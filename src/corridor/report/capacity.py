"""The capacity report: the maximum left for the user, its bottlenecks and, over joint draws of
the capacity estimates, its band, how often each element binds and the tornado of its drivers."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from corridor.i18n import t
from corridor.report.html import page, table

if TYPE_CHECKING:
    from corridor.analysis.capacity_bands import CapacityBands
    from corridor.optimize.maxflow import CapacityResult


def render_capacity_report(
    result: CapacityResult,
    bands: CapacityBands | None = None,
    title: str = "corridor capacity",
    lang: str = "en",
) -> str:
    """One self-contained offline HTML page of a capacity and, if given, its bands.

    Parameters
    ----------
    result : CapacityResult
        From :func:`corridor.optimize.maxflow.max_flow`.
    bands : CapacityBands, optional
        From :func:`corridor.analysis.capacity_bands.capacity_bands`.
    lang : str
        Language of the uncertainty section's fixed words (``en`` or ``ja``).
    """
    from corridor.report.uncertainty import capacity_bands_section

    r, net = result.request, result.network
    rows = [
        (
            b.capacity.id,
            b.capacity.name,
            f"{b.capacity.capacity_t_per_year:,.0f}",
            f"{b.used_t_per_year:,.0f}",
            f"{b.marginal_t_per_t:g}",
            ", ".join(b.capacity.sources),
        )
        for b in result.bottlenecks
    ]
    head = ("capacity", "what", "left t/yr", "carried t/yr", "marginal t/t", "sources")
    main = [f"<p><strong>{escape(result.summary())}</strong></p>"]
    if rows:
        main += ["<h2>Binding bottlenecks (minimum cut)</h2>", table(head, rows, {2, 3, 4})]
    if bands is not None:
        main.append(f'<section id="capacity-bands">{capacity_bands_section(bands, lang)}</section>')
    meta = (
        f'<p class="meta">{escape(r.commodity)}: {escape(", ".join(r.origins))} → '
        f"{escape(', '.join(r.destinations))} · network “{escape(net.origin)}” · data version "
        f"{escape(result.data_version[:12])}</p>"
    )
    return page(title, meta, "\n".join(main), escape(t("unc_report_footer", lang)))
