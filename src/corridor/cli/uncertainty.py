"""Terminal face of a comparison's uncertainty: bands, ranking flips, strongest drivers."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from corridor.analysis.capacity_bands import CapacityBands
from corridor.analysis.plan_bands import PlanBands
from corridor.analysis.results import RouteSet
from corridor.analysis.stress_bands import YEARS_PER_DRAW, StressBands, stress_bands
from corridor.i18n import Message, Named, family_name, localise
from corridor.i18n import t as msg
from corridor.network.model import Network
from corridor.risk.allocation import Allocation
from corridor.routing.route import FAMILY_LABELS
from corridor.uncertainty.compare import UncertainComparison
from corridor.uncertainty.study import Study

DRIVERS_SHOWN = 5


def band_label(key: str) -> str:
    """``cost:trans_caspian`` -> ``Trans-Caspian, cheapest route``; premiums by rule name."""
    kind, name = key.split(":", 1)
    if kind == "premium":
        return f"premium: {name}"
    return "cheapest route overall" if name == "cheapest" else FAMILY_LABELS.get(name, name)


def _how_sure(samples: int, factors: int, figures: int, unit: str, lang: str) -> str:
    return msg("cli_unc_title", lang, n=f"{samples:,}", factors=factors, figures=figures, unit=unit)


def _band_name(key: str, lang: str) -> str:
    if lang == "en":
        return band_label(key)
    from corridor.report.uncertainty import band_name

    return band_name(key, lang)


def print_bands(out: Console, u: UncertainComparison, lang: str = "en") -> None:
    """Print the bands, the probabilities and the five strongest drivers of the premium."""
    t = Table(
        title=_how_sure(u.samples, u.factors, u.figures, "USD/t", lang),
        title_justify="left",
    )
    for name in ("", msg("unc_col_stated", lang), "P5", "P50", "P95"):
        t.add_column(name, justify="left" if not name else "right")
    for key, b in u.bands.items():
        t.add_row(_band_name(key, lang), *(f"{v:,.0f}" for v in (b.base, b.p5, b.p50, b.p95)))
    out.print(t)
    for statement, p in u.probabilities.items():
        if "cheapest" not in statement:
            out.print(f"P({localise(statement, lang)}) = {p:.1%}")
    if u.drivers:
        from corridor.cli.routes import rule_name

        d = Table(
            title=msg("cli_unc_drivers", lang, rule=rule_name(u.rule, lang)),
            title_justify="left",
        )
        for i, key in enumerate(
            (
                "unc_col_estimate",
                "unc_col_figures",
                "S1",
                "ST",
                "cli_col_premium_low",
                "cli_col_at_high",
                "cli_col_band_minus",
                "hdr_id",
            )
        ):
            name = key if key in ("S1", "ST") else msg(key, lang)
            d.add_column(name, justify="left" if i in (0, 7) else "right")
        for x in u.drivers[:DRIVERS_SHOWN]:
            d.add_row(
                x.name(lang),
                str(x.figures),
                f"{x.s1:.2f}",
                f"{x.st:.2f}",
                f"{x.at_low or 0:,.0f}",
                f"{x.at_high or 0:,.0f}",
                f"{x.narrowing:.0%}",
                x.factor,
            )
        out.print(d)
        if u.improve_first:
            first = u.improve_first[0]
            out.print(
                msg(
                    "cli_improve_first",
                    lang,
                    label=first.name(lang),
                    narrowing=f"{first.narrowing:.0%}",
                )
            )
    out.print(f"[dim]{localise(u.approximation, lang)}[/]")
    out.print(localise(u.closing_note(DRIVERS_SHOWN), lang), markup=False, soft_wrap=True)


def print_route_bands(out: Console, result: RouteSet, lang: str = "en") -> None:
    """Print each listed route's cost band and its chance of being the cheapest of the list."""
    u = result.uncertainty
    if u is None:
        return
    t = Table(
        title=_how_sure(u.samples, u.factors, u.figures, "USD/t", lang),
        title_justify="left",
    )
    names = (
        "#",
        msg("col_route", lang),
        msg("unc_col_stated", lang),
        "P5",
        "P50",
        "P95",
        msg("cli_col_p_cheapest", lang),
    )
    for i, name in enumerate(names):
        t.add_column(name, justify="left" if i == 1 else "right")
    for i, (route, b, p) in enumerate(
        zip(result.routes, u.bands, u.p_cheapest, strict=True), start=1
    ):
        t.add_row(
            str(i),
            route.label_in(lang),
            *(f"{v:,.0f}" for v in (b.base, b.p5, b.p50, b.p95)),
            f"{p:.1%}",
        )
    out.print(t)
    out.print(msg("cli_p_order", lang, p=f"{u.p_order_kept:.1%}"))


def print_study(
    out: Console,
    u: Study,
    bands: dict[str, str],
    probabilities: dict[str, float],
    unit: str,
    note: str,
    digits: int = 0,
    lang: str = "en",
) -> None:
    """Print a study's bands (``bands``: headline -> label), statements with their
    probability, the strongest drivers of its target (each estimate by its name, its id in
    the last column), improve-first and the closing note, in ``lang``."""
    t = Table(title=_how_sure(u.samples, u.factors, u.figures, unit, lang), title_justify="left")
    for name in ("", msg("unc_col_stated", lang), "P5", "P50", "P95"):
        t.add_column(name, justify="left" if not name else "right")
    for key, label in bands.items():
        b = u.bands.get(key)
        if b is not None:
            t.add_row(label, *(f"{v:,.{digits}f}" for v in (b.base, b.p5, b.p50, b.p95)))
    out.print(t)
    for statement, p in probabilities.items():
        out.print(f"P({localise(statement, lang)}) = {p:.1%}", markup=False)
    if u.drivers:
        what = bands.get(u.target, u.target)
        d = Table(
            title=msg("cli_unc_drivers_of", lang, what=what, n=f"{u.evaluations:,}"),
            title_justify="left",
        )
        heads = ("unc_col_estimate", "unc_col_figures", "S1", "ST", "cli_col_at_low",
                 "cli_col_at_high", "cli_col_band_minus", "hdr_id")  # fmt: skip
        for i, key in enumerate(heads):
            name = key if key in ("S1", "ST") else msg(key, lang)
            d.add_column(name, justify="left" if i in (0, len(heads) - 1) else "right")
        est = msg("cli_unc_est_suffix", lang)
        for x in u.drivers[: DRIVERS_SHOWN + 1]:
            d.add_row(
                x.name(lang),
                str(x.figures),
                f"{x.s1:.2f}",
                f"{x.st:.2f}",
                "—" if x.at_low is None else f"{x.at_low:,.{digits}f}",
                "—" if x.at_high is None else f"{x.at_high:,.{digits}f}",
                f"{x.narrowing:.0%}" + ("" if x.measured else est),
                x.factor,
            )
        out.print(d)
        first = u.improve_first()
        if first:
            out.print(
                msg(
                    "cli_improve_first_study",
                    lang,
                    label=first[0].name(lang),
                    narrowing=f"{first[0].narrowing:.0%}",
                ),
                markup=False,
            )
    out.print(localise(note, lang), markup=False, soft_wrap=True)


def print_capacity_bands(
    out: Console, b: CapacityBands, lang: str = "en", net: Network | None = None
) -> None:
    """Print the band of the capacity left, how often each element binds (named from ``net``
    in Japanese), and its drivers."""
    from corridor.uncertainty.labels import element_name

    if b.study is None:
        out.print(msg("cli_unc_how_sure_reason", lang, reason=localise(b.reason, lang)),
                  markup=False)  # fmt: skip
        return
    probs: dict[str, float] = {
        Message("unc_binds", element=Named(c, element_name(net, c, "ja") if net else c)): p
        for c, p in b.binds.items()
    }
    probs[Message("unc_binding_changes")] = b.p_binding_changes
    labels = {
        "max_t_per_year": msg("cli_unc_left_user", lang),
        "total_t_per_year": msg("cli_unc_total_users", lang),
    }
    unit = "t/yr" if lang == "en" else msg("cli_unc_t_yr", lang)
    print_study(out, b.study, labels, probs, unit, b.closing_note(), lang=lang)


def print_plan_bands(out: Console, b: PlanBands, lang: str = "en") -> None:
    """Print the plan's cost, shortfall, family shares and shadow prices with their bands."""
    s = b.study
    labels = {
        "total_cost_usd_per_year": msg("cli_unc_plan_cost", lang),
        "delivered_t_per_year": msg("cli_unc_plan_delivered", lang),
        "shortfall_t_per_year": msg("cli_unc_plan_short", lang),
    }
    labels |= {
        k: msg("cli_unc_plan_shadow", lang, element=k.split(":", 1)[1])
        for k in s.bands
        if k.startswith("shadow:")
    }
    unit = msg("cli_unc_as_labelled", lang)
    print_study(out, s, labels, b.probabilities, unit, b.closing_note(), lang=lang)
    for c, p in b.penalty_driven.items():
        out.print(msg("cli_unc_penalty_driven", lang, element=c, share=f"{p:.0%}"), markup=False)
    shares = {k: v for k, v in s.bands.items() if k.startswith("share:")}
    if shares:
        t = Table(title=msg("cli_unc_shares", lang), title_justify="left")
        first = msg("cli_unc_col_family", lang)
        for name in (first, msg("unc_col_stated", lang), "P5", "P50", "P95"):
            t.add_column(name, justify="left" if name == first else "right")
        for k, v in shares.items():
            name = k.split(":", 1)[1]
            label = FAMILY_LABELS.get(name, name) if lang == "en" else family_name(name, lang)
            t.add_row(label, *(f"{x:.1%}" for x in (v.base, v.p5, v.p50, v.p95)))
        out.print(t)


def stress_bands_for(
    allocation: Allocation, samples: int, seed: int, years: int, timing: str
) -> StressBands:
    """The stress test of ``allocation`` over ``samples`` joint draws of its estimates
    (at most :data:`~corridor.analysis.stress_bands.YEARS_PER_DRAW` years per draw)."""
    from corridor.cli._app import err

    per_draw = min(years, YEARS_PER_DRAW)
    with err.status(msg("cli_unc_stress_draws", n=f"{samples:,}", years=f"{per_draw:,}")):
        return stress_bands(allocation, samples=samples, seed=seed, years=per_draw, timing=timing)


def print_stress_bands(out: Console, b: StressBands, lang: str = "en") -> None:
    """Print the bands of the extra cost and undelivered tonnes and the drivers of the CVaR."""
    pct = f"{b.level * 100:.0f}"
    labels = {
        "mean_extra_cost_usd": msg("cli_unc_stress_mean_cost", lang),
        "cvar_extra_cost_usd": msg("cli_unc_stress_cvar_cost", lang, level=pct),
        "mean_undelivered_t": msg("cli_unc_stress_mean_t", lang),
        "cvar_undelivered_t": msg("cli_unc_stress_cvar_t", lang, level=pct),
    }
    unit = msg("cli_unc_as_labelled", lang)
    print_study(out, b.study, labels, b.probabilities, unit, b.closing_note(), lang=lang)
    out.print(f"[dim]{msg('cli_unc_not_drawn', lang, what=localise(b.not_drawn, lang))}[/]")
