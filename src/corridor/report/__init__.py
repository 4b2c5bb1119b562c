"""Offline reports: one self-contained HTML file with inline SVG maps and charts."""

from corridor.report.html import render_report, write_report
from corridor.report.svg import chart_points, route_map, route_styles, time_cost_distance_chart

__all__ = [
    "chart_points",
    "render_report",
    "route_map",
    "route_styles",
    "time_cost_distance_chart",
    "write_report",
]
