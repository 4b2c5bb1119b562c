"""The web page in a real browser (Debian's chromium, headless, driven by Playwright) against a
live server on loopback: the numbers on the page are the API's, routes appear on the map, the
page switches to Japanese, background jobs (a batch comparison, a plan, a stress test) run to
the end, and nothing is fetched from outside this server. Screenshots go to ``test-artifacts/``."""

from __future__ import annotations

import re
import socket
import threading
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("playwright")

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(
        "Debian's chromium is not installed at /usr/bin/chromium (make test installs it)",
        allow_module_level=True,
    )

import httpx  # noqa: E402
import uvicorn  # noqa: E402
from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

from corridor.web.app import create_app  # noqa: E402
from corridor.web.security import Settings  # noqa: E402
from tests.risk.test_stress import HAND_EVENTS  # noqa: E402

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
ROUTE_NUMBERS = {
    "cost": ("totals", "cost_usd_per_t"),
    "days-mean": ("totals", "days_mean"),
    "days-p95": ("totals", "days_p95"),
    "co2e": ("totals", "co2e_kg_per_t"),
    "distance": ("totals", "distance_km"),
}
RISK_NUMBERS = {  # the comparison measures (docs/risk.md#comparison-measures)
    "p-long": "p_interruption_over_30d_30pct",
    "tonne-days": "expected_tonne_days_per_t",
    "stockout-days": "expected_stockout_days",
}
PREMIUM_NUMBERS = {
    "cost": "cost_usd_per_t",
    "usd-per-t": "premium_usd_per_t",
    "usd-per-year": "premium_usd_per_year",
    "extra-days": "extra_days",
    "extra-days-p95": "extra_days_p95",
}


@pytest.fixture(scope="module")
def server(tiny, tmp_path_factory):
    """uvicorn serving the tiny network on a free loopback port, in a thread.

    The network carries the two disruption events of ``test_risk`` (the fixture has none),
    so that stress runs lose something; routes, plans and capacities do not use events.
    """
    store = tmp_path_factory.mktemp("runs") / "runs.duckdb"
    # IPPROTO_TCP explicitly, or asyncio leaves Nagle on (each answer waits a delayed ACK).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = create_app(replace(tiny, events=HAND_EVENTS), Settings(store=store))
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)
    sock.close()


@pytest.fixture(scope="module")
def browser():
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    """A page whose every request beyond 127.0.0.1 is blocked, recorded and failed."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    outside: list[str] = []
    problems: list[str] = []

    def guard(route):
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    pg = context.new_page()
    pg.on("console", lambda m: problems.append(m.text) if _unexpected(m) else None)
    pg.on("pageerror", lambda e: problems.append(str(e)))
    pg.goto(server + "/")
    pg.wait_for_selector("body[data-ready=true]")
    yield pg
    context.close()
    assert outside == [], f"the page tried to reach beyond loopback: {outside}"
    assert problems == [], problems


def _unexpected(message) -> bool:
    """Console errors, less the browser's note of a 4xx answer that a test asked for."""
    expected = "Failed to load resource: the server responded with a status of 4"
    return message.type == "error" and not message.text.startswith(expected)


def ask(page: Page, commodity="ore", origin="MINE", destination="DEST", **fields):
    page.select_option("[data-testid=commodity]", commodity)
    page.select_option("[data-testid=origin]", origin)
    page.select_option("[data-testid=destination]", destination)
    for name, value in fields.items():
        page.fill(f"[data-testid={name}]", str(value))


def shown(page: Page, testid: str) -> tuple[str, str]:
    cell = page.get_by_test_id(testid)
    return cell.get_attribute("data-value"), cell.text_content()


def check_number(page: Page, testid: str, expected, scale=1.0):
    """The cell holds the API's value exactly, and shows it rounded to the digits shown."""
    raw, text = shown(page, testid)
    if expected is None:
        assert raw == "" and text == "—", testid
        return
    assert float(raw) == expected, testid
    number = float(re.sub(r"[^0-9.\-]", "", text))
    digits = len(text.split(".")[1]) if "." in text else 0
    assert abs(number - expected * scale) <= 0.5 * 10**-digits + 1e-9, (testid, text, expected)


def started_job(page: Page, button) -> str:
    """Click a button that starts a background job; the new job's id."""
    with page.expect_response(
        lambda r: r.url.endswith("/api/jobs") and r.request.method == "POST"
    ) as posted:
        button.click()
    return posted.value.json()["id"]


def shot(page: Page, name: str):
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_compare_numbers_and_map_equal_the_api(page, server):
    ask(page, volume=5000)
    page.get_by_test_id("run-compare").click()
    page.wait_for_selector("[data-testid=route-1-cost]")
    body = {
        "commodity": "ore",
        "origin": "MINE",
        "destination": "DEST",
        "avoid": [],
        "volume": 5000,
    }
    expected = httpx.post(server + "/api/compare", json=body).json()
    for rank, route in enumerate(expected["routes"], 1):
        assert shown(page, f"route-{rank}-label")[0] == route["label"]
        for key, (group, field) in ROUTE_NUMBERS.items():
            check_number(page, f"route-{rank}-{key}", route[group][field])
        measures = expected["risk_measures"]["routes"][rank - 1]
        for key, field in RISK_NUMBERS.items():
            scale = 100.0 if key == "p-long" else 1.0
            check_number(page, f"route-{rank}-{key}", measures[field], scale)
        for j, leg in enumerate(route["legs"], 1):
            check_number(page, f"leg-{rank}-{j}-cost", leg["cost_usd_per_t"])
            check_number(page, f"leg-{rank}-{j}-days-mean", leg["days_mean"])
    for i, premium in enumerate(expected["premium"]):
        for key, field in PREMIUM_NUMBERS.items():
            check_number(page, f"premium-{i}-{key}", premium[field])
        change = premium["risk_measures_change"] or {}
        for key, field in RISK_NUMBERS.items():
            scale = 100.0 if key == "p-long" else 1.0
            check_number(page, f"premium-{i}-risk-{key}", change.get(field), scale)
    families = page.locator("#map-routes path.route").evaluate_all(
        "paths => paths.map(p => [p.dataset.route, p.dataset.family, p.getAttribute('d')])"
    )
    assert sorted((int(r), f) for r, f, _ in families) == [
        (i, r["family"]) for i, r in enumerate(expected["routes"], 1)
    ]
    assert all(d.startswith("M") and "L" in d for _, _, d in families)
    assert page.locator("#chart polyline.route").count() == len(expected["routes"])
    expect(page.get_by_test_id("premium-summary")).to_contain_text("Avoid China")
    shot(page, "web-compare-en")


def test_routes_with_avoid_and_details_with_sources(page, server):
    ask(page, k=3)
    page.get_by_test_id("avoid-CN").check()
    page.get_by_test_id("run-routes").click()
    page.wait_for_selector("[data-testid=route-1-cost]")
    body = {"commodity": "ore", "origin": "MINE", "destination": "DEST", "avoid": ["CN"], "k": 3}
    expected = httpx.post(server + "/api/routes", json=body).json()
    assert page.locator("#route-table tbody tr").count() == len(expected["routes"]) == 1
    check_number(page, "route-1-cost", expected["routes"][0]["totals"]["cost_usd_per_t"])
    assert page.get_by_test_id("map-route-1").get_attribute("data-family") == "trans_caspian"
    page.get_by_test_id("map-route-1").dispatch_event("click")
    expect(page.get_by_test_id("details")).to_contain_text("Hand-made figures")
    page.locator("details[data-route='1'] summary").click()
    page.locator("details[data-route='1'] button.link", has_text="L6").click()
    expect(page.get_by_test_id("details")).to_contain_text("17000")
    shot(page, "web-routes-details")


def test_bad_input_names_the_field(page):
    ask(page, k=99)
    page.get_by_test_id("run-routes").click()
    expect(page.get_by_test_id("status")).to_contain_text("[k]")
    expect(page.get_by_test_id("k")).to_have_class(re.compile("invalid"))


def test_japanese(page):
    ask(page)
    page.get_by_test_id("run-compare").click()
    page.wait_for_selector("[data-testid=route-1-cost]")
    english_cost = shown(page, "route-1-cost")
    page.get_by_test_id("lang-ja").click()
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_test_id("run-compare")).to_have_text("比較")
    expect(page.locator("[data-i18n=commodity]")).to_have_text("品目")
    expect(page.locator("[data-testid=destination] option:checked")).to_have_text("目的港")
    expect(page.get_by_test_id("results-title")).to_contain_text("目的港")
    expect(page.get_by_test_id("route-1-label")).to_contain_text("カスピ海横断")
    assert shown(page, "route-1-cost") == english_cost
    shot(page, "web-compare-ja")
    page.get_by_test_id("lang-en").click()
    expect(page.get_by_test_id("run-compare")).to_have_text("Compare")


def test_background_job_runs_to_the_end(page, server):
    ask(page)
    page.get_by_test_id("job-start").click()
    job = page.locator("[data-kind=batch_compare]").first
    expect(job).to_have_attribute("data-status", "done", timeout=10_000)
    assert job.get_by_test_id("job-progress").get_attribute("data-value") == "1"
    expected = httpx.post(
        server + "/api/compare", json={"commodity": "ore", "origin": "MINE", "destination": "DEST"}
    ).json()
    cost = expected["routes"][0]["totals"]["cost_usd_per_t"]
    assert float(job.get_by_test_id("job-result-0-cost").get_attribute("data-value")) == cost
    shot(page, "web-job")


def test_api_docs_work_offline(page, server):
    page.goto(server + "/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("corridor")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    shot(page, "web-api-docs")


def test_plan_job_capacity_and_run_history(page, server):
    pytest.importorskip("highspy")
    ask(page, volume=300000)
    page.get_by_test_id("job-plan").click()
    job = page.locator("[data-kind=plan]").first
    expect(job).to_have_attribute("data-status", "done", timeout=10_000)
    job_id = job.get_attribute("data-testid").removeprefix("job-")
    result = httpx.get(f"{server}/api/jobs/{job_id}").json()["result"]
    shown_cost = job.get_by_test_id("plan-cost").get_attribute("data-value")
    assert float(shown_cost) == result["summary"]["total_cost_usd_per_year"]
    for i, flow in enumerate(result["flows"]):
        check_number(page, f"plan-flow-{i}-t", flow["t_per_year"])
    job.get_by_test_id("plan-map").click()
    assert page.locator("#map-routes path.flow").count() == len(result["link_flows"])
    page.get_by_test_id("run-capacity").click()
    expect(page.get_by_test_id("capacity-summary")).to_contain_text("no capacity figure")
    runs = page.locator("[data-testid=run-table] tbody tr")
    expect(runs).to_have_count(2)
    runs.first.click()
    expect(page.get_by_test_id("details")).to_contain_text("data_version")
    shot(page, "web-plan-capacity-runs")
    stress_id = started_job(page, job.get_by_test_id("plan-stress"))
    stress = page.get_by_test_id(f"job-{stress_id}")
    expect(stress).to_have_attribute("data-status", "done", timeout=20_000)
    params = httpx.get(f"{server}/api/jobs/{stress_id}").json()["params"]
    assert (
        params["contracts"]
        == httpx.get(f"{server}/api/jobs/{job_id}").json()["params"]["contracts"]
    )
    expect(runs).to_have_count(3)


STRESS_NUMBERS = {
    "stress-delivered-share": ("delivered_share",),
    "stress-mean-undelivered": ("undelivered_t", "mean"),
    "stress-var95-undelivered": ("undelivered_t", "var_95"),
    "stress-cvar95-undelivered": ("undelivered_t", "cvar_95"),
    "stress-mean-cost": ("extra_cost_usd", "mean"),
    "stress-var95-cost": ("extra_cost_usd", "var_95"),
    "stress-cvar95-cost": ("extra_cost_usd", "cvar_95"),
}


def test_stress_run_finishes_with_the_api_numbers(page, server):
    ask(page, volume=1000)
    job_id = started_job(page, page.get_by_test_id("job-stress"))
    job = page.get_by_test_id(f"job-{job_id}")
    expect(job).to_have_attribute("data-status", "done", timeout=20_000)
    assert job.get_by_test_id("job-progress").get_attribute("data-value") == "1"
    result = httpx.get(f"{server}/api/jobs/{job_id}").json()["result"]
    assert result["parameters"]["years"] == 20_000
    portfolio = result["portfolio"]
    assert portfolio["undelivered_t"]["mean"] > 0
    for testid, path in STRESS_NUMBERS.items():
        value = portfolio
        for key in path:
            value = value[key]
        cell = job.get_by_test_id(testid)
        assert float(cell.get_attribute("data-value")) == value, testid
    counts = result["distribution"]["undelivered_t"]["counts"]
    bars = job.locator("[data-testid=stress-histogram] rect.bar")
    assert bars.evaluate_all("b => b.map(x => Number(x.dataset.value))") == counts
    shot(page, "web-stress-en")
    page.get_by_test_id("lang-ja").click()
    expect(page.get_by_test_id("job-stress")).to_have_text("ストレステスト")
    expect(job.locator(".job-head strong")).to_have_text("ストレステスト")
    shot(page, "web-stress-ja")
