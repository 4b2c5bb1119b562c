"""Report section of a comparison under uncertainty: bands, flips, tornado, improve first."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from html import escape

from corridor.analysis.capacity_bands import CapacityBands
from corridor.analysis.stress_bands import StressBands
from corridor.i18n import catalogue, family_name, localise, t
from corridor.report.svg import (
    GRID,
    INK,
    MUTED,
    _fit,
    _n,
    _nice_ticks,
    _svg_open,
    _tick_label,
)
from corridor.routing.route import FAMILY_LABELS
from corridor.uncertainty.compare import UncertainComparison
from corridor.uncertainty.study import Driver, Study

LOW_COLOUR = "#4c78a8"
HIGH_COLOUR = "#e45756"
TORNADO_BARS = 8
BAR_H, BAR_GAP, LABEL_W = 18, 8, 330


def _rule(name: str, lang: str) -> str:
    """An avoid rule's name ("avoid China") in ``lang``."""
    key = "rule_" + name.replace(" ", "_")
    return t(key, lang) if lang != "en" and key in catalogue(lang) else name


def band_name(key: str, lang: str = "en") -> str:
    """``cost:china`` -> ``China (cheapest route)``; ``premium:avoid China`` -> words."""
    kind, name = key.split(":", 1)
    if kind == "premium":
        return t("unc_band_premium", lang, rule=_rule(name, lang))
    if name == "cheapest":
        return t("unc_band_cheapest", lang)
    family = FAMILY_LABELS.get(name, name) if lang == "en" else family_name(name, lang)
    return t("unc_band_family", lang, family=family)


def tornado_chart(
    drivers: Sequence[Driver],
    stated: float,
    width: int = 760,
    what: str = "premium",
    fmt: Callable[[float], str] = lambda v: f"USD {v:,.2f}/t",
    lang: str = "en",
) -> str:
    """Horizontal bars: ``what`` (the premium) with each estimate at the low and at the high
    end of its range (others as stated), widest swing on top; the vertical line is the
    stated value. ``fmt`` writes a value with its unit. A group without ends is left out."""
    shown = [
        (d, lo, hi)
        for d in drivers
        if (lo := d.at_low) is not None and (hi := d.at_high) is not None
    ]
    bars = sorted(shown, key=lambda b: -abs(b[2] - b[1]))[:TORNADO_BARS]
    height = 40 + len(bars) * (BAR_H + BAR_GAP) + 30
    values = [stated, *(v for _, lo_, hi_ in bars for v in (lo_, hi_))]
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    lo, hi = lo - 0.05 * span, hi + 0.05 * span
    x0, x1 = LABEL_W, width - 20

    def x(v: float) -> float:
        return x0 + (v - lo) / (hi - lo) * (x1 - x0)

    out = [_svg_open(width, height, t("unc_tornado_aria", lang, what=what))]
    ticks = _nice_ticks(hi - lo)
    step = ticks[1] - ticks[0]
    tick = math.ceil(lo / step) * step
    while tick <= hi:
        out.append(
            f'<line x1="{_n(x(tick))}" y1="24" x2="{_n(x(tick))}" y2="{height - 26}" '
            f'stroke="{GRID}"/><text x="{_n(x(tick))}" y="{height - 10}" text-anchor="middle" '
            f'fill="{MUTED}">{_tick_label(tick)}</text>'
        )
        tick += step
    for i, (d, at_low, at_high) in enumerate(bars):
        y = 30 + i * (BAR_H + BAR_GAP)
        label = escape(_fit(d.name(lang), LABEL_W - 16))
        out.append(
            f'<text x="{LABEL_W - 8}" y="{_n(y + BAR_H - 5)}" text-anchor="end" fill="{INK}">'
            f"<title>{escape(d.factor)}</title>{label}</text>"
        )
        ends = ((at_low, LOW_COLOUR, "unc_tornado_end_low"),
                (at_high, HIGH_COLOUR, "unc_tornado_end_high"))  # fmt: skip
        for v, colour, end in ends:
            left, right = sorted((x(stated), x(v)))
            out.append(
                f'<rect x="{_n(left)}" y="{y}" width="{_n(max(right - left, 1.0))}" '
                f'height="{BAR_H}" fill="{colour}">'
                f"<title>{escape(t(end, lang, label=d.name(lang)))}"
                f"{escape(what)} {escape(fmt(v))}</title></rect>"
            )
    out.append(
        f'<line x1="{_n(x(stated))}" y1="22" x2="{_n(x(stated))}" y2="{height - 26}" '
        f'stroke="{INK}" stroke-width="1.5"/>'
        f'<text x="{_n(x(stated))}" y="16" text-anchor="middle" fill="{INK}">'
        f"{escape(t('unc_tornado_stated', lang))}{escape(fmt(stated))}</text></svg>"
    )
    return "".join(out)


def uncertainty_section(u: UncertainComparison, lang: str = "en") -> str:
    """The HTML of the uncertainty part of a comparison section, its fixed words in ``lang``."""
    from corridor.report.html import table

    rows = [
        (band_name(k, lang), *(f"{v:,.2f}" for v in (b.base, b.p5, b.p50, b.p95)))
        for k, b in u.bands.items()
    ]
    draws = t("unc_draws_compare", lang, n=f"{u.samples:,}", factors=u.factors, figures=u.figures)
    out = [
        f"<h3>{escape(t('unc_title_compare', lang))}</h3>",
        f"<p>{draws}</p>",
        table(("", t("unc_col_stated", lang), "P5", "P50", "P95"), rows, {1, 2, 3, 4}),
        '<ul class="findings">',
        *(f"<li>P({escape(localise(k, lang))}) = {v:.1%}</li>" for k, v in u.probabilities.items()),
        "</ul>",
    ]
    if u.drivers:
        stated = u.bands[f"premium:{u.rule}"].base
        rule = _rule(u.rule, lang)
        out.append(f"<h3>{escape(t('unc_drivers_premium', lang, rule=rule))}</h3>")
        chart = tornado_chart(u.drivers, stated, what=t("unc_what_premium", lang), lang=lang)
        caption = escape(t("unc_tornado_caption_premium", lang))
        out.append(f'<figure class="chart">{chart}<figcaption>{caption}</figcaption></figure>')
        driver_rows = [
            (
                d.name(lang),
                str(d.figures),
                f"{d.s1:.2f}",
                f"{d.st:.2f}",
                f"{d.narrowing:.0%}",
                d.factor,
            )
            for d in u.drivers[:10]
        ]
        out.append(
            table(
                (
                    t("unc_col_estimate", lang),
                    t("unc_col_figures", lang),
                    "Sobol' S1",
                    "Sobol' ST",
                    t("unc_col_narrowing", lang),
                    t("hdr_id", lang),
                ),
                driver_rows,
                {1, 2, 3, 4},
            )
        )
        if u.improve_first:
            narrows = [
                t("unc_band_narrows", lang, label=d.name(lang), narrowing=f"{d.narrowing:.0%}")
                for d in u.improve_first
            ]
            out.append(
                f"<p><strong>{escape(t('unc_improve_first', lang))}</strong> "
                + "; ".join(escape(n) for n in narrows)
                + ".</p>"
            )
    out.append(f'<p class="meta">{escape(localise(u.approximation, lang))}</p>')
    out.append(f"<p><strong>{escape(localise(u.closing_note(), lang))}</strong></p>")
    return "\n".join(out)


def study_section(
    s: Study,
    title: str,
    labels: Mapping[str, str],
    probabilities: Mapping[str, float],
    fmt: Callable[[float], str],
    note: str,
    what: str,
    lang: str = "en",
) -> str:
    """The HTML of a capacity, plan or stress result under uncertainty: bands (``labels``:
    headline -> row name), statements with their probability, tornado, Sobol' indices and
    improve-first list of the study's target (``what``, written by ``fmt``), with the fixed
    words in ``lang``."""
    from corridor.report.html import table

    rows = [
        (label, *(fmt(v) for v in (b.base, b.p5, b.p50, b.p95)))
        for k, label in labels.items()
        if (b := s.bands.get(k)) is not None
    ]
    draws = t("unc_draws", lang, n=f"{s.samples:,}", factors=s.factors, figures=s.figures)
    out = [
        f"<h3>{escape(title)}</h3>",
        f"<p>{escape(draws)}</p>",
        table(("", t("unc_col_stated", lang), "P5", "P50", "P95"), rows, {1, 2, 3, 4}),
        '<ul class="findings">',
        *(f"<li>P({escape(localise(k, lang))}) = {v:.1%}</li>" for k, v in probabilities.items()),
        "</ul>",
    ]
    if any(d.at_low is not None and d.at_high is not None for d in s.drivers):
        stated = s.bands[s.target].base
        out.append(f"<h3>{escape(t('unc_drivers_title', lang, what=what))}</h3>")
        chart = tornado_chart(s.drivers, stated, what=what, fmt=fmt, lang=lang)
        out.append(
            f'<figure class="chart">{chart}'
            f"<figcaption>{escape(t('unc_tornado_caption', lang, what=what))}</figcaption>"
            "</figure>"
        )
        estimated = t("unc_estimated", lang)
        driver_rows = [
            (
                d.name(lang),
                str(d.figures),
                f"{d.s1:.2f}",
                f"{d.st:.2f}",
                f"{d.narrowing:.0%}" + ("" if d.measured else f" ({estimated})"),
                d.factor,
            )
            for d in s.drivers[:10]
        ]
        head = (t("unc_col_estimate", lang), t("unc_col_figures", lang), "Sobol' S1",
                "Sobol' ST", t("unc_col_narrowing", lang), t("hdr_id", lang))  # fmt: skip
        out.append(table(head, driver_rows, {1, 2, 3, 4}))
        first = s.improve_first()
        if first:
            out.append(
                f"<p><strong>{escape(t('unc_improve_first', lang))}</strong> "
                + "; ".join(f"{escape(d.name(lang))} (−{d.narrowing:.0%})" for d in first)
                + "</p>"
            )
    out.append(f"<p><strong>{escape(localise(note, lang))}</strong></p>")
    return "\n".join(out)


def _amount(v: float) -> str:
    return f"{v:,.2f}" if abs(v) < 10 else f"{v:,.0f}"


def capacity_bands_section(b: CapacityBands, lang: str = "en") -> str:
    """The capacity left for the user over joint draws: bands, how often each element
    binds, tornado of its drivers."""
    if b.study is None:
        reason = localise(b.reason, lang)
        return f"<h3>{escape(t('unc_title_capacity', lang))}</h3><p>{escape(reason)}.</p>"
    labels = {
        "max_t_per_year": t("unc_row_capacity", lang),
        "total_t_per_year": t("unc_row_capacity_total", lang),
    }
    probs = {t("unc_binds", lang, element=c): p for c, p in b.binds.items()}
    probs[t("unc_binding_changes", lang)] = b.p_binding_changes
    return study_section(
        b.study, t("unc_title_capacity", lang), labels, probs, _amount, b.closing_note(),
        t("unc_what_capacity", lang), lang,
    )  # fmt: skip


def stress_bands_section(b: StressBands, lang: str = "en") -> str:
    """A stress test's headlines over joint draws of the disruption estimates, and the
    tornado of the drivers of its tail loss (the CVaR of the extra cost)."""
    level = f"{b.level * 100:.0f}"
    labels = {
        "mean_extra_cost_usd": t("unc_row_mean_cost", lang),
        "cvar_extra_cost_usd": t("unc_row_cvar_cost", lang, level=level),
        "mean_undelivered_t": t("unc_row_mean_t", lang),
        "cvar_undelivered_t": t("unc_row_cvar_t", lang, level=level),
    }
    what = t("unc_what_cvar", lang, level=level) if b.study.target == "cvar_extra_cost_usd" else (
        labels.get(b.study.target, b.study.target))  # fmt: skip
    section = study_section(
        b.study, t("unc_title_stress", lang), labels, b.probabilities, _amount, b.closing_note(),
        what, lang,
    )  # fmt: skip
    not_drawn = t("unc_not_drawn", lang, what=localise(b.not_drawn, lang))
    return section + f'\n<p class="meta">{escape(not_drawn)}</p>'
