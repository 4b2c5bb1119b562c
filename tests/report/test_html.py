"""The offline HTML report and its SVG figures, on the tiny hand-made network."""

from __future__ import annotations

import html as htmllib
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from corridor.analysis.queries import compare, routes
from corridor.analysis.results import Comparison, RouteSet
from corridor.network.load import load_network
from corridor.network.model import Network, Source
from corridor.report import (
    chart_points,
    render_report,
    route_map,
    time_cost_distance_chart,
    write_report,
)
from corridor.risk.measures import compare_measures
from corridor.routing.route import Route

TINY = Path(__file__).parents[1] / "fixtures" / "tiny"
VOID = {"meta", "br", "hr", "img", "input", "link", "area", "base", "col", "source", "wbr"}


@pytest.fixture(scope="module")
def net() -> Network:
    return load_network(TINY)


@pytest.fixture(scope="module")
def sections(net: Network) -> list[Comparison | RouteSet]:
    return [
        compare("uoc", "MINE", "DEST", network=net, volume=1000),
        # Penalising Georgia makes the China route cheapest, so avoiding China has a premium.
        compare("ore", "MINE", "DEST", network=net, volume=10_000, penalise={"GE": 100}),
        routes("ore", "MINE", "DEST", network=net, k=5),
    ]


@pytest.fixture(scope="module")
def page(net: Network, sections: list[Comparison | RouteSet]) -> str:
    return render_report(
        sections, net, "Tiny <test> & report", {"carrying cost": "10 %/yr <of value>"}
    )


def _section_texts(page: str) -> list[str]:
    return re.findall(r'<section class="section".*?</section>', page, re.S)


def _text(fragment: str) -> str:
    return htmllib.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def _all_routes(sections: list[Comparison | RouteSet]) -> list[Route]:
    return [r for s in sections for r in s.routes]


class _Balance(HTMLParser):
    """Checks that every element opened is closed, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def test_one_well_formed_document(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>")
    assert page.count("<html") == 1 and page.rstrip().endswith("</html>")
    assert page.count("<body") == 1 and page.count("<head>") == 1
    checker = _Balance()
    checker.feed(page)
    assert checker.errors == [] and checker.stack == []


def test_text_is_escaped(page: str) -> None:
    assert "<test>" not in page and "<of value>" not in page
    assert "<title>Tiny &lt;test&gt; &amp; report</title>" in page
    assert "10 %/yr &lt;of value&gt;" in page


def test_nothing_is_loaded_from_the_network(page: str) -> None:
    assert not re.search(r"<link\b", page, re.I)
    assert not re.search(r"<(?:script|img|iframe|embed|object|source)\b[^>]*\ssrc\s*=", page, re.I)
    assert not re.search(r"""src\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert not re.search(r"url\(\s*['\"]?\s*(?:https?:)?//", page, re.I)
    assert "@import" not in page
    for tag in re.findall(r"<(?:script|img|link)\b[^>]*>", page, re.I):
        assert "http" not in tag


def test_map_has_a_path_per_route_and_country_outlines(
    page: str, sections: list[Comparison | RouteSet]
) -> None:
    texts = _section_texts(page)
    assert len(texts) == len(sections)
    for text, section in zip(texts, sections, strict=True):
        maps = re.findall(r'<figure class="map">(<svg.*?</svg>)', text, re.S)
        assert len(maps) == 1
        svg = maps[0]
        ranks = re.findall(r'<path class="route" data-route="(\d+)"', svg)
        assert ranks == [str(i) for i in range(len(section.routes), 0, -1)]
        for rank, route in enumerate(section.routes, 1):
            assert f"#{rank} {htmllib.escape(route.label)}" in svg
        countries = re.findall(r'<path class="country" data-iso2="(\w*)" fill-rule="evenodd"', svg)
        assert {"KZ", "CN", "JP"} <= set(countries)
        assert len(countries) > 10
        assert "clip-path=" in svg and "(BORDER_A), Kazakhstan (KZ)" in svg


def test_route_map_alone(net: Network, sections: list[Comparison | RouteSet]) -> None:
    svg = route_map(net, sections[2].routes, width=800, height=500)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'viewBox="0 0 800 500"' in svg
    assert svg.count('<path class="route"') == len(sections[2].routes)
    with pytest.raises(ValueError):
        route_map(net, [])


def test_charts_in_each_section(page: str, sections: list[Comparison | RouteSet]) -> None:
    for text, section in zip(_section_texts(page), sections, strict=True):
        charts = re.findall(r'<figure class="chart">(<svg.*?</svg>)', text, re.S)
        assert len(charts) == 2
        for svg in charts:
            assert svg.count('<polyline class="route"') == len(section.routes)
        assert "Cumulative cost (USD/t)" in charts[0]
        assert "Cumulative mean time (days)" in charts[1]
        assert "border crossing at Border A" in charts[0]


def test_route_table_numbers(
    page: str, sections: list[Comparison | RouteSet], net: Network
) -> None:
    for text, section in zip(_section_texts(page), sections, strict=True):
        table = re.search(r'<table class="routes">.*?</table>', text, re.S)
        assert table is not None
        rows = re.findall(r'<tr data-route="(\d+)">(.*?)</tr>', table.group(0), re.S)
        assert [int(rank) for rank, _ in rows] == list(range(1, len(section.routes) + 1))
        measures = getattr(section, "measures", None) or compare_measures(net, section.routes)
        for (rank, row), r in zip(rows, section.routes, strict=True):
            cells = [_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            assert cells[1] == r.label
            assert cells[3:8] == [
                f"{r.cost_usd_per_t:,.2f}",
                f"{r.days_mean:,.1f}",
                f"{r.days_p95:,.1f}",
                f"{r.co2e_kg_per_t:,.1f}",
                f"{r.distance_km:,.0f}",
            ]
            assert cells[8] == " › ".join(r.countries)
            # the comparison measures (docs/risk.md#comparison-measures), shared events apart
            m = measures.routes[int(rank) - 1]
            assert cells[10] == f"{m.p_long_interruption * 100:,.1f} %"
            assert cells[11] == f"{m.tonne_days_per_t:,.2f}"
            assert cells[12] == f"{m.stockout_days:,.2f}"


def test_leg_tables_add_up(page: str, sections: list[Comparison | RouteSet]) -> None:
    details = re.findall(r"<details.*?</details>", page, re.S)
    every = _all_routes(sections)
    assert len(details) == len(every)
    for block, r in zip(details, every, strict=True):
        legs = re.findall(r'<tr class="(link|transfer|dwell)">', block)
        assert legs == [leg.kind for leg in r.legs]
        for leg in r.legs:
            if leg.link:
                assert f"{leg.link} <small" in block
        total = re.search(r'<tr class="total">(.*?)</tr>', block, re.S)
        assert total is not None
        assert f"{r.cost_usd_per_t:,.2f}" in total.group(1)
        assert 'href="#src-hand"' in block


def test_premium_in_plain_words(page: str, sections: list[Comparison | RouteSet]) -> None:
    uoc, ore = _section_texts(page)[:2]
    assert "Avoiding China is not possible: no route for Uranium ore concentrate" in _text(uoc)
    assert "Avoiding Russia costs nothing extra" in _text(uoc)
    assert "Trans-Caspian: no route for Uranium ore concentrate" in _text(uoc)
    assert "node Port W does not accept class 7 cargo" in uoc
    comparison = sections[1]
    assert isinstance(comparison, Comparison)
    alt = comparison.premium[0]
    assert alt.name == "avoid China" and alt.route is not None
    assert alt.premium_usd_per_t is not None and alt.extra_days is not None
    assert alt.premium_usd_per_year is not None
    words = (
        f"Avoiding China costs USD {alt.premium_usd_per_t:,.2f}/t more "
        f"(USD {alt.premium_usd_per_year:,.0f}/yr at 10,000 t/yr) "
        f"and adds {alt.extra_days:.1f} days, by {alt.route.label}."
    )
    assert words in _text(ore)


def test_every_route_source_is_listed(
    net: Network, page: str, sections: list[Comparison | RouteSet]
) -> None:
    match = re.search(r'<section id="sources">.*?</section>', page, re.S)
    assert match is not None
    block = match.group(0)
    ids = {s for r in _all_routes(sections) for s in r.sources}
    assert ids
    for sid in ids:
        src = net.source(sid)
        assert f'<li id="src-{sid}">' in block
        assert htmllib.escape(src.citation) in block
        assert str(src.year) in block and src.kind in block
        assert htmllib.escape(src.method) in block
    assert '<dl class="assumptions"><dt>carrying cost</dt>' in page


def test_write_report_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.html"
    write_report(target, "<p>one</p>")
    write_report(str(target), "<p>two</p>")
    assert target.read_text(encoding="utf-8") == "<p>two</p>"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
    nested = tmp_path / "reports" / "new.html"
    write_report(nested, "<p>nested</p>")
    assert nested.read_text(encoding="utf-8") == "<p>nested</p>"
    nested.unlink()
    nested.parent.rmdir()

    def interrupted(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_report(target, "<p>three</p>")
    assert target.read_text(encoding="utf-8") == "<p>two</p>"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_chart_points_arithmetic(sections: list[Comparison | RouteSet]) -> None:
    for r in _all_routes(sections):
        cost = chart_points(r, "cost")
        days = chart_points(r, "days")
        assert cost[0] == (0.0, 0.0) and days[0] == (0.0, 0.0)
        assert cost[1] == pytest.approx((0.0, sum(r.charges.values())), abs=1e-9)
        assert cost[-1] == pytest.approx((r.distance_km, r.cost_usd_per_t), abs=1e-6)
        assert days[-1] == pytest.approx((r.distance_km, r.days_mean), abs=1e-6)
        assert len(cost) == len(r.legs) + 2 and len(days) == len(r.legs) + 1
        for pts, first, metric in ((cost, 2, "cost"), (days, 1, "days")):
            for i, leg in enumerate(r.legs, first):
                (x0, y0), (x1, y1) = pts[i - 1], pts[i]
                rise = leg.cost_usd_per_t if metric == "cost" else leg.days_mean
                assert y1 - y0 == pytest.approx(rise)
                if leg.kind in ("transfer", "dwell"):
                    assert x1 == x0
                else:
                    assert x1 == pytest.approx(x0 + leg.distance_km) and x1 > x0
        kinds = {leg.kind for leg in r.legs}
        assert {"link", "transfer", "dwell"} <= kinds


def test_chart_rejects_unknown_metric(sections: list[Comparison | RouteSet]) -> None:
    with pytest.raises(ValueError):
        chart_points(sections[0].routes[0], "co2")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        time_cost_distance_chart([], "cost")


def _with_source(net: Network, source: Source) -> Network:
    return Network(
        net.nodes,
        net.links,
        net.commodities,
        net.exposures,
        net.emission_factors,
        (source,),
        net.origin,
    )


def test_source_urls_are_links_only_when_web_addresses(
    net: Network, sections: list[Comparison | RouteSet]
) -> None:
    web = Source("hand", "Figures & more", "https://example.org/t?a=1&b=2", 2025, "report", "")
    page = render_report(sections[:1], _with_source(net, web), "t")
    assert 'Figures &amp; more. <a href="https://example.org/t?a=1&amp;b=2">' in page
    bad = Source("hand", "Figures", "javascript:alert(1)", 2025, "report", "")
    page = render_report(sections[:1], _with_source(net, bad), "t")
    assert "javascript:alert(1)" in page and 'href="javascript' not in page
