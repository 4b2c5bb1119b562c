"""HTML report of a simulation: queue lengths over the year, the end-to-end time
distribution and the timeline of one traced train, as inline SVG (nothing loaded)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING

from corridor.report.html import page, table
from corridor.report.svg import FAMILY_COLOURS, GRID, INK, MUTED, OTHER_COLOUR, _svg_open

if TYPE_CHECKING:
    from corridor.sim import SimResult

WIDTH, HEIGHT = 760, 300
PAD_L, PAD_R, PAD_T, PAD_B = 70, 20, 20, 44
_RESOURCE_HEAD = ("resource", "utilisation", "mean queue", "mean wait h")
_PALETTE = (FAMILY_COLOURS["trans_caspian"], FAMILY_COLOURS["china"], OTHER_COLOUR)


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _step(top: float, count: int = 5) -> float:
    raw = max(top, 1e-9) / count
    mag = 10 ** math.floor(math.log10(raw))
    return float(next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw))


def _axes(x_top: float, y_top: float, x_label: str, y_label: str) -> list[str]:
    """Grid, tick labels and titles for axes from 0 to ``x_top`` and 0 to ``y_top``."""
    w, h = WIDTH - PAD_L - PAD_R, HEIGHT - PAD_T - PAD_B
    out = [f'<g fill="{MUTED}" font-size="11">']
    sx, sy = _step(x_top), _step(y_top)
    for i in range(int(x_top / sx + 1e-9) + 1):
        x = PAD_L + i * sx / x_top * w
        out.append(
            f'<line x1="{x:.1f}" y1="{PAD_T}" x2="{x:.1f}" y2="{PAD_T + h}" stroke="{GRID}"/>'
            f'<text x="{x:.1f}" y="{PAD_T + h + 15}" text-anchor="middle">{i * sx:g}</text>'
        )
    for i in range(int(y_top / sy + 1e-9) + 1):
        y = PAD_T + h - i * sy / y_top * h
        out.append(
            f'<line x1="{PAD_L}" y1="{y:.1f}" x2="{PAD_L + w}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{PAD_L - 6}" y="{y + 4:.1f}" text-anchor="end">{i * sy:,g}</text>'
        )
    out.append(
        f'</g><text x="{PAD_L + w / 2:.1f}" y="{HEIGHT - 8}" text-anchor="middle" '
        f'fill="{INK}">{_e(x_label)}</text>'
        f'<text transform="translate(16 {PAD_T + h / 2:.1f}) rotate(-90)" '
        f'text-anchor="middle" fill="{INK}">{_e(y_label)}</text>'
    )
    return out


_QUEUES = (
    ("(TEU)", "Boxes waiting for a Caspian container feeder, day by day", "TEU waiting"),
    ("vessels waiting", "Container vessels waiting for a berth, day by day", "vessels waiting"),
    ("", "Wagons waiting for a ferry, day by day", "wagons waiting"),
)
"""Queue series by the unit in their name: (name contains, chart title, y label)."""


def queue_charts(series: Mapping[str, Sequence[float]]) -> list[str]:
    """One queue chart per unit (wagons at the ferry ports, TEU at the feeder ports,
    vessels at the Georgian berths), each line a port, sampled daily."""
    out, left = [], dict(series)
    for key, title, label in _QUEUES:
        group = {n: v for n, v in left.items() if key in n}
        for n in group:
            del left[n]
        if group:
            out.append(queue_svg(group, title, label))
    return out


def queue_svg(
    series: Mapping[str, Sequence[float]],
    title: str = "Wagons waiting for a ferry, day by day",
    y_label: str = "wagons waiting",
) -> str:
    """One line per queue of ``series``, sampled daily."""
    days = max((len(v) for v in series.values()), default=1)
    top = max((max(v) for v in series.values() if v), default=1.0) or 1.0
    w, h = WIDTH - PAD_L - PAD_R, HEIGHT - PAD_T - PAD_B
    out = [_svg_open(WIDTH, HEIGHT, title)]
    out += _axes(float(days), top, "day of the year", y_label)
    for i, (port, values) in enumerate(series.items()):
        colour = _PALETTE[i % len(_PALETTE)]
        pts = " ".join(
            f"{PAD_L + d / days * w:.1f},{PAD_T + h - v / top * h:.1f}"
            for d, v in enumerate(values)
        )
        out.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{pts}">'
            f"<title>{_e(port)}</title></polyline>"
            f'<text x="{PAD_L + 8}" y="{PAD_T + 14 + 14 * i}" fill="{colour}">{_e(port)}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def days_svg(days: Sequence[float], p50: float, p95: float) -> str:
    """Histogram of the traced trains' end-to-end days, with the median and p95 marked."""
    if not days:
        return "<p>No traced train arrived.</p>"
    top_d = max(days) * 1.05
    bins = 30
    counts = [0] * bins
    for d in days:
        counts[min(bins - 1, int(d / top_d * bins))] += 1
    top_n = max(counts)
    w, h = WIDTH - PAD_L - PAD_R, HEIGHT - PAD_T - PAD_B
    out = [_svg_open(WIDTH, HEIGHT, "End-to-end days of the traced trains")]
    out += _axes(top_d, float(top_n), "days, origin to destination", "trains")
    out.append(f'<g fill="{_PALETTE[0]}" fill-opacity="0.75">')
    bw = w / bins
    for i, n in enumerate(counts):
        if n:
            y = PAD_T + h - n / top_n * h
            out.append(
                f'<rect x="{PAD_L + i * bw:.1f}" y="{y:.1f}" width="{bw - 1:.1f}" '
                f'height="{PAD_T + h - y:.1f}"><title>{n} trains</title></rect>'
            )
    out.append("</g>")
    for name, value in (("p50", p50), ("p95", p95)):
        x = PAD_L + value / top_d * w
        out.append(
            f'<line x1="{x:.1f}" y1="{PAD_T}" x2="{x:.1f}" y2="{PAD_T + h}" stroke="#d62728" '
            f'stroke-dasharray="4 3"/><text x="{x + 3:.1f}" y="{PAD_T + 12}" '
            f'fill="#d62728" font-size="11">{name} {value:.1f} d</text>'
        )
    out.append("</svg>")
    return "".join(out)


def timeline_svg(stages: Sequence[tuple[str, str, float, float]]) -> str:
    """One traced train's stages as bars on a time axis (days from its departure)."""
    if not stages:
        return "<p>No traced train arrived.</p>"
    t0 = stages[0][2]
    end_d = max((b - t0) / 24.0 for _, _, _, b in stages) or 1.0
    row_h = 16
    height = PAD_T + PAD_B + row_h * len(stages)
    label_w = 250
    w = WIDTH - label_w - PAD_R
    out = [_svg_open(WIDTH, height, "Timeline of one traced train")]
    step = _step(end_d)
    out.append(f'<g fill="{MUTED}" font-size="11">')
    for i in range(int(end_d / step + 1e-9) + 1):
        x = label_w + i * step / end_d * w
        out.append(
            f'<line x1="{x:.1f}" y1="{PAD_T}" x2="{x:.1f}" y2="{height - PAD_B}" '
            f'stroke="{GRID}"/><text x="{x:.1f}" y="{height - PAD_B + 15}" '
            f'text-anchor="middle">{i * step:g}</text>'
        )
    out.append(
        f'</g><text x="{label_w + w / 2:.1f}" y="{height - 8}" text-anchor="middle" '
        f'fill="{INK}">days from departure</text>'
    )
    for i, (label, _, a, b) in enumerate(stages):
        y = PAD_T + i * row_h
        x0 = label_w + (a - t0) / 24.0 / end_d * w
        width = max(1.0, (b - a) / 24.0 / end_d * w)
        waiting = label.startswith(("wait", "dwell", "class 7"))  # feeder waits too
        colour = "#d62728" if waiting else _PALETTE[0]
        out.append(
            f'<text x="{label_w - 6}" y="{y + 12}" text-anchor="end" font-size="11">'
            f"{_e(label)}</text>"
            f'<rect x="{x0:.1f}" y="{y + 2}" width="{width:.1f}" height="{row_h - 4}" '
            f'fill="{colour}"><title>{_e(label)}: {(b - a):.1f} h</title></rect>'
        )
    out.append("</svg>")
    return "".join(out)


def render_sim_report(result: SimResult, title: str = "corridor simulation") -> str:
    """One self-contained HTML page of a :class:`~corridor.sim.SimResult`."""
    e = result.end_to_end_days
    meta = (
        f'<p class="meta">{_e(result.commodity)} {_e(result.origin)} → '
        f"{_e(result.destination)} · {result.volume_t:,.0f} t · {result.replications} "
        f"replications of {result.horizon_days:g} days · seed {result.seed}</p>"
    )
    headline = (
        f"<p>End to end: mean {e.mean:.2f} ± {e.half_width:.2f} days (95 % CI over "
        f"replications), median {result.p50_days:.2f}, p95 {result.p95_days:.2f}.</p>"
    )
    stage_rows = [
        (k, f"{v.mean:,.1f}", f"{v.half_width:,.1f}") for k, v in result.stage_hours.items()
    ]
    resource_rows = [
        (
            name,
            "—" if math.isnan(f["utilisation"].mean) else f"{f['utilisation'].mean:.0%}",
            "—" if math.isnan(f["mean_queue"].mean) else f"{f['mean_queue'].mean:,.1f}",
            "—" if math.isnan(f["mean_wait_h"].mean) else f"{f['mean_wait_h'].mean:,.1f}",
        )
        for name, f in result.resources.items()
    ]
    throughput_rows = [
        (port, f"{v.mean:,.0f}", f"{v.half_width:,.0f}")
        for port, v in result.throughput_t_per_year.items()
    ]
    queues = "".join(queue_charts(result.queue_series))
    main = (
        f'<section id="time"><h2>Time</h2>{headline}'
        f"{days_svg(result.days_sample, result.p50_days, result.p95_days)}"
        f"{table(('stage', 'mean hours', '± 95 % CI'), stage_rows, {1, 2})}</section>"
        f'<section id="traced"><h2>One traced train</h2>'
        f"{timeline_svg(result.traced_timeline)}</section>"
        f'<section id="queues"><h2>Queues and resources</h2>{queues}'
        f"{table(_RESOURCE_HEAD, resource_rows, {1, 2, 3})}"
        f"{table(('port (fleet)', 'loaded t/yr', '± 95 % CI'), throughput_rows, {1, 2})}</section>"
    )
    return page(title, meta, main, "Generated by corridor. Model and sources: docs/sim.md.")
