"""The memo a user makes, tried as a person would in Debian's chromium (Playwright): route
names on the page in English and Japanese, downloads that open, and the one-page brief.

Screenshots of the main page and of the brief in both languages go to reports/screenshots/.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("playwright")

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(
        "Debian's chromium is not installed (make test installs it)", allow_module_level=True
    )

import openpyxl  # noqa: E402
import uvicorn  # noqa: E402
from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

import corridor  # noqa: E402
from corridor.analysis.queries import default_network  # noqa: E402
from corridor.cli.brief import compare_brief_file  # noqa: E402
from corridor.network.names import place_name  # noqa: E402
from corridor.report.brief import compare_brief  # noqa: E402
from corridor.web.app import create_app  # noqa: E402
from corridor.web.security import Settings  # noqa: E402

SHOTS = Path(__file__).resolve().parents[2] / "reports" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
ID = re.compile(r"\b[A-Z]{2}_[A-Z0-9_]+\b")
UOC = ("uranium_ore_concentrate", "KZ_NORTH_KHARASAN", "JP_YOKOHAMA")
REE = ("rare_earth_concentrate", "KZ_ZHANA_KZ", "JP_YOKOHAMA")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """uvicorn serving the bundled network on a free loopback port."""
    store = tmp_path_factory.mktemp("runs") / "runs.duckdb"
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = create_app(default_network(), Settings(store=store))
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
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
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="en-US", accept_downloads=True
    )
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(server + "/")
    pg.wait_for_selector("body[data-ready=true]")
    yield pg
    context.close()
    assert errors == [], errors


def _ask_uranium(page: Page) -> None:
    commodity, origin, destination = UOC
    page.select_option("[data-testid=commodity]", commodity)
    page.select_option("[data-testid=origin]", origin)
    page.select_option("[data-testid=destination]", destination)
    page.fill("[data-testid=volume]", "1000")
    page.get_by_test_id("run-compare").click()
    page.wait_for_selector("[data-testid=route-1-name]")


def _names(page: Page) -> list[str]:
    return page.locator("[data-testid$=-name]").all_text_contents()


def test_routes_are_named_and_downloads_open(page: Page, tmp_path: Path):
    _ask_uranium(page)
    names = _names(page)
    expected = corridor.compare(*UOC, volume=1000)
    assert names == [r.label for r in expected.routes]
    assert not any(ID.search(n) for n in names), names  # no id where a name exists
    assert "China: Dostyk → Alashankou → Lianyungang" in names
    rank = names.index("China: Dostyk → Alashankou → Lianyungang") + 1
    title = page.get_by_test_id(f"route-{rank}-label").get_attribute("title") or ""
    assert title == "KZ_DOSTYK › CN_ALASHANKOU › CN_LIANYUNGANG"  # the ids, on hover
    expect(page.get_by_test_id("route-1-conditions")).to_contain_text("approval")
    page.screenshot(path=str(SHOTS / "main-en.png"), full_page=False)
    page.locator("#results").screenshot(path=str(SHOTS / "results-en.png"))

    with page.expect_download() as got:
        page.get_by_test_id("download-xlsx").first.click()
    assert got.value.suggested_filename == "compare.xlsx"
    got.value.save_as(tmp_path / "compare.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "compare.xlsx")
    assert wb.sheetnames[0] == "routes" and wb.sheetnames[-1] == "sources"
    assert [r[0] for r in wb["routes"].iter_rows(min_row=2, values_only=True)] == names
    with page.expect_download() as got_csv:
        page.get_by_test_id("download-csv").first.click()
    text = Path(got_csv.value.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("route,route_ja,gateways")


def test_japanese_page_names_places_in_japanese(page: Page, tmp_path: Path):
    net = default_network()
    _ask_uranium(page)
    page.get_by_test_id("lang-ja").click()
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_test_id("route-1-name")).to_contain_text("中国経由")
    names = _names(page)
    expected = corridor.compare(*UOC, volume=1000)
    assert names == [r.label_ja for r in expected.routes]
    for name, route in zip(names, expected.routes, strict=True):
        for gate in route.gateways:
            node = net.node(gate)
            assert node.name_ja, f"{gate} has no name_ja"  # every place has one since data11
            assert place_name(node, "ja") in name, (gate, name)
            if place_name(node) not in node.name_ja:
                assert place_name(node) not in name, (gate, name)  # no English left
    expect(page.get_by_test_id("route-1-conditions")).to_contain_text("承認")
    assert "カザフスタン、中国、日本" in page.locator("#results").inner_text()  # 、 in Japanese
    shared = page.get_by_test_id("shared-risk").inner_text()
    assert "EV_" not in shared and net.event("EV_JAPAN_PORT").name_ja in shared
    iran = page.locator("#unavailable li").inner_text()  # the Iran family's reason
    assert re.search(r"[\u3040-\u30ff]", iran) and not ID.search(iran), iran
    assert "no route" not in iran and place_name(net.node("TM_BEREKET"), "ja") in iran, iran
    page.screenshot(path=str(SHOTS / "main-ja.png"), full_page=False)
    page.locator("#results").screenshot(path=str(SHOTS / "results-ja.png"))
    with page.expect_download() as got:
        page.get_by_test_id("download-xlsx").first.click()
    got.value.save_as(tmp_path / "compare-ja.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "compare-ja.xlsx")
    assert wb.sheetnames == ["経路", "回避プレミアム", "概要", "出典"]
    head = [c.value for c in wb["経路"][1]]
    assert head[:2] == ["経路", "経路（英語）"] and "費用 [USD/t]" in head
    assert [r[0] for r in wb["経路"].iter_rows(min_row=2, values_only=True)] == names


def test_japanese_route_details_show_the_mode_and_what_in_japanese(page: Page):
    """The first route's legs, opened: each leg's mode by its label and what it is in
    Japanese (``what_ja``); back in English, the words of the API."""
    _ask_uranium(page)
    first = corridor.compare(*UOC, volume=1000).routes[0]
    legs = page.locator("#legs details[data-route='1']")
    page.get_by_test_id("lang-ja").click()
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    legs.locator("summary").click()
    expect(legs).to_have_attribute("open", "")
    modes = {"rail": "鉄道", "road": "道路", "sea": "海上輸送", "transfer": "積替え",
             "dwell": "滞留"}  # fmt: skip
    for j, leg in enumerate(first.legs, 1):
        mode = page.get_by_test_id(f"leg-1-{j}-mode")
        what = page.get_by_test_id(f"leg-1-{j}-what")
        expect(what).to_have_text(leg.what_ja)
        assert leg.what_ja != leg.what and re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", leg.what_ja)
        if leg.mode in modes:
            expect(mode).to_have_text(modes[leg.mode])
    kinds = {leg.kind for leg in first.legs}
    assert {"link", "transfer", "dwell"} <= kinds, kinds
    expect(legs.locator("tr.charge td").first).to_have_text("ルート全体の費用: 保険")
    page.get_by_test_id("lang-en").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("leg-1-1-what")).to_have_text(first.legs[0].what)
    expect(page.get_by_test_id("leg-1-1-mode")).to_have_text(first.legs[0].mode)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_brief_reads_on_one_page(browser, lang: str, tmp_path: Path):
    net = default_network()
    for name, question, volume in (("rare-earth", REE, 10_000), ("uranium", UOC, 1_000)):
        result = corridor.compare(*question, volume=volume, network=net)
        html = compare_brief(result, net, lang)
        context = browser.new_context(viewport={"width": 794, "height": 1123})
        pg = context.new_page()
        pg.set_content(html)
        body = pg.locator("main").inner_text()
        assert not ID.search(body.split("\n")[0]), "title shows an id"
        labels = [r.label_in(lang) for r in result.routes]
        assert all(label in body for label in labels[:1])
        assert len(pg.locator("[data-testid=caveats] li").all()) == 3
        height = pg.evaluate("document.documentElement.scrollHeight")
        assert height <= 1123 * 1.05, f"the brief runs over one A4 page: {height}px"
        pg.screenshot(path=str(SHOTS / f"brief-{name}-{lang}.png"), full_page=True)
        context.close()
        pdf = tmp_path / f"{name}-{lang}.pdf"
        compare_brief_file(result, net, pdf, lang)  # as the CLI writes it, with capacity
        data = pdf.read_bytes()
        assert data[:5] == b"%PDF-" and pdf.stat().st_size > 20_000
        pages = re.findall(rb"/Type\s*/Page\b(?!s)", data)
        assert len(pages) == 1, f"the {name} brief ({lang}) prints on {len(pages)} pages"


_LABEL_BOXES = """() => {
  const map = document.querySelector('[data-testid=map-svg]').getBoundingClientRect();
  return [...document.querySelectorAll('#map-labels text')].map(t => {
    const b = t.getBoundingClientRect();
    return {text: t.firstChild.nodeValue, left: b.left - map.left, right: map.right - b.right,
            top: b.top - map.top, bottom: map.bottom - b.bottom};
  });
}"""


@pytest.mark.parametrize("question", [UOC, REE], ids=["uranium", "rare_earth"])
def test_map_labels_of_origin_and_destination_are_inside_the_map(page: Page, question):
    """The origin's and Yokohama's labels, measured by Chromium's text layout, lie inside the
    map's box in English and in Japanese (Yokohama sits near the right edge)."""
    commodity, origin, destination = question
    page.select_option("[data-testid=commodity]", commodity)
    page.select_option("[data-testid=origin]", origin)
    page.select_option("[data-testid=destination]", destination)
    page.get_by_test_id("run-compare").click()
    page.wait_for_selector("[data-testid=route-1-name]")
    net = default_network()
    for lang in ("en", "ja"):
        if lang == "ja":
            page.get_by_test_id("lang-ja").click()
            expect(page.locator("html")).to_have_attribute("lang", "ja")
            page.wait_for_function(
                "document.querySelector('#map-labels text:last-child')?.firstChild.nodeValue"
                f".includes({place_name(net.node(destination), 'ja')!r})"
            )
        boxes = page.evaluate(_LABEL_BOXES)
        shown = [b["text"] for b in boxes]
        assert len(shown) == 2, shown
        for text, node in zip(shown, (origin, destination), strict=True):
            assert place_name(net.node(node), lang).split(" (")[0] in text, (lang, text)
        for b in boxes:
            assert min(b["left"], b["right"], b["top"], b["bottom"]) >= 0, (lang, b)
