"""Terminal face of a comparison's uncertainty: bands, ranking flips, strongest drivers."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from corridor.analysis.results import RouteSet
from corridor.routing.route import FAMILY_LABELS
from corridor.uncertainty.compare import UncertainComparison

DRIVERS_SHOWN = 5


def band_label(key: str) -> str:
    """``cost:trans_caspian`` -> ``Trans-Caspian, cheapest route``; premiums by rule name."""
    kind, name = key.split(":", 1)
    if kind == "premium":
        return f"premium: {name}"
    return "cheapest route overall" if name == "cheapest" else FAMILY_LABELS.get(name, name)


def print_bands(out: Console, u: UncertainComparison) -> None:
    """Print the bands, the probabilities and the five strongest drivers of the premium."""
    t = Table(
        title=f"How sure: {u.samples:,} joint draws of {u.factors} estimates "
        f"({u.figures} figures), USD/t",
        title_justify="left",
    )
    for name in ("", "as stated", "P5", "P50", "P95"):
        t.add_column(name, justify="left" if not name else "right")
    for key, b in u.bands.items():
        t.add_row(band_label(key), *(f"{v:,.0f}" for v in (b.base, b.p5, b.p50, b.p95)))
    out.print(t)
    for statement, p in u.probabilities.items():
        if "cheapest" not in statement:
            out.print(f"P({statement}) = {p:.1%}")
    if u.drivers:
        d = Table(
            title=f"Strongest drivers of the premium ({u.rule}): Sobol' indices",
            title_justify="left",
        )
        for name in ("estimate", "figures", "S1", "ST", "premium at low", "at high", "band −"):
            d.add_column(name, justify="left" if name == "estimate" else "right")
        for x in u.drivers[:DRIVERS_SHOWN]:
            d.add_row(
                x.label,
                str(x.figures),
                f"{x.s1:.2f}",
                f"{x.st:.2f}",
                f"{x.low_usd_per_t:,.0f}",
                f"{x.high_usd_per_t:,.0f}",
                f"{x.narrowing:.0%}",
            )
        out.print(d)
        if u.improve_first:
            out.print(
                f"Improve first: {u.improve_first[0].label} (pinning it narrows the "
                f"P5–P95 band of the premium by {u.improve_first[0].narrowing:.0%})."
            )
    out.print(f"[dim]{u.approximation}[/]")
    out.print(u.closing_note(DRIVERS_SHOWN), markup=False, soft_wrap=True)


def print_route_bands(out: Console, result: RouteSet) -> None:
    """Print each listed route's cost band and its chance of being the cheapest of the list."""
    u = result.uncertainty
    if u is None:
        return
    t = Table(
        title=f"How sure: {u.samples:,} joint draws of {u.factors} estimates "
        f"({u.figures} figures), USD/t",
        title_justify="left",
    )
    for name in ("#", "route", "as stated", "P5", "P50", "P95", "P(cheapest of these)"):
        t.add_column(name, justify="left" if name == "route" else "right")
    for i, (route, b, p) in enumerate(
        zip(result.routes, u.bands, u.p_cheapest, strict=True), start=1
    ):
        t.add_row(
            str(i),
            route.label,
            *(f"{v:,.0f}" for v in (b.base, b.p5, b.p50, b.p95)),
            f"{p:.1%}",
        )
    out.print(t)
    out.print(f"P(the order above holds) = {u.p_order_kept:.1%}")
