"""On a phone (390 × 844), in Chromium (issue 16, defect 4): the sidebar closes when a page
is chosen in it (it stayed open over 300 of the 390 px), the app's title takes at most two
lines (it took four), no page is wider than the screen, and every chart keeps the width
with its legend under it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import start_server
from test_browser import BROWSER_ARGS, CHROMIUM, QUERY, _need_browser

pytestmark = pytest.mark.slow

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def phone(demo_on_sqlite, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    _need_browser()
    from playwright.sync_api import sync_playwright

    server, port = start_server(demo_on_sqlite[1], tmp_path_factory.mktemp("phone"))
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
            page = browser.new_page(viewport=PHONE)
            page.goto(f"http://127.0.0.1:{port}/{QUERY}&district=416&lang=en")
            page.wait_for_selector("[data-testid='stHeading']", timeout=60_000)
            page.wait_for_selector("[data-testid='stVegaLiteChart'] svg", timeout=60_000)
            yield page
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)


def _sidebar_open(page) -> bool:  # type: ignore[no-untyped-def]
    box = page.locator("[data-testid='stSidebar']").bounding_box()
    return box is not None and box["x"] + box["width"] > 40


def test_the_sidebar_closes_when_a_page_is_chosen(phone) -> None:  # type: ignore[no-untyped-def]
    assert not _sidebar_open(phone), "a phone opens with the sidebar closed"
    phone.locator("[data-testid='stExpandSidebarButton']").click()
    phone.wait_for_timeout(800)
    assert _sidebar_open(phone)
    phone.locator("[data-testid='stSidebarNavLink']").filter(has_text="Trends").click()
    phone.wait_for_url("**/trends**", timeout=30_000)
    phone.wait_for_timeout(1500)
    assert not _sidebar_open(phone), "the sidebar still covers the page chosen"
    assert "district=416" in phone.url  # the scope came along


def test_the_title_takes_two_lines_and_nothing_is_wider_than_the_screen(phone) -> None:  # type: ignore[no-untyped-def]
    title = phone.locator("[data-testid='stMainBlockContainer'] h1").first
    # The text's own height (a range over it), not the heading's box with its padding.
    height = float(
        title.evaluate(
            "e => { const r = document.createRange(); r.selectNodeContents(e);"
            " return r.getBoundingClientRect().height; }"
        )
    )
    line = float(title.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
    assert height <= 2.2 * line, f"the title takes {height / line:.1f} lines"
    width = phone.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide on a 390 px screen"


def test_charts_keep_the_width_with_the_legend_under_them(phone) -> None:  # type: ignore[no-untyped-def]
    phone.goto(phone.url.split("?")[0].rsplit("/", 1)[0] + f"/trends{QUERY}&lang=en")
    phone.wait_for_selector("[data-testid='stVegaLiteChart'] svg", timeout=60_000)
    phone.wait_for_timeout(1500)
    chart = phone.locator("[data-testid='stVegaLiteChart'] svg").first
    # The plot's area: where its grid lines run (both axes' grids together).
    grids = [g.bounding_box() for g in chart.locator(".role-axis-grid").all()]
    grids = [g for g in grids if g]
    assert grids, "no grid drawn"
    box = {
        "x": min(g["x"] for g in grids),
        "y": min(g["y"] for g in grids),
        "width": max(g["x"] + g["width"] for g in grids) - min(g["x"] for g in grids),
        "height": max(g["y"] + g["height"] for g in grids) - min(g["y"] for g in grids),
    }
    assert box["width"] >= 220, f"the plot is {box['width']:.0f} px wide"
    assert box["height"] >= 200, f"the plot is {box['height']:.0f} px high"
    legend = chart.locator(".role-legend").first
    legend_box = legend.bounding_box()
    assert legend_box["y"] >= box["y"] + box["height"] - 1, "the legend is not under the plot"
