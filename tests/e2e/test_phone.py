"""On a phone (390 × 844), in Chromium (issue 16, defect 4): the sidebar closes when a page
is chosen in it (it stayed open over 300 of the 390 px), the app's title takes at most two
lines (it took four), no page is wider than the screen, and every chart keeps the width
with its legend under it. The Scorecard and Rollout pages (issue 18) too: nothing on them
reaches past the screen's edge except inside a frame of its own that scrolls (a table)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import start_server
from test_browser import BROWSER_ARGS, CHROMIUM, QUERY, SHOTS, _need_browser

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


def _plot_and_legend(chart) -> tuple[dict, dict | None]:  # type: ignore[no-untyped-def]
    """A chart's plot area (where its grid lines run, both axes' together) and the box of
    its first legend (None: no legend)."""
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
    legends = chart.locator(".role-legend")
    return box, legends.first.bounding_box() if legends.count() else None


DRAWN_LAST = {"alerts": "[data-testid='stExpander']"}  # its table, under the cards
"""What a page without a chart draws last, to wait for."""


def _open_on_the_phone(phone, path: str) -> None:  # type: ignore[no-untyped-def]
    phone.goto(phone.url.split("?")[0].rsplit("/", 1)[0] + f"/{path}{QUERY}&lang=en")
    drawn = DRAWN_LAST.get(path, "[data-testid='stVegaLiteChart'] svg")
    phone.wait_for_selector(drawn, timeout=60_000)
    phone.wait_for_selector("[data-test-script-state='notRunning']", timeout=60_000)
    phone.wait_for_timeout(1500)


def test_charts_keep_the_width_with_the_legend_under_them(phone) -> None:  # type: ignore[no-untyped-def]
    _open_on_the_phone(phone, "trends")
    chart = phone.locator("[data-testid='stVegaLiteChart'] svg").first
    box, legend_box = _plot_and_legend(chart)
    assert box["width"] >= 220, f"the plot is {box['width']:.0f} px wide"
    assert box["height"] >= 200, f"the plot is {box['height']:.0f} px high"
    assert legend_box is not None, "no legend drawn"
    assert legend_box["y"] >= box["y"] + box["height"] - 1, "the legend is not under the plot"


# What reaches past the right edge of the screen in the main area: (element, its right
# edge) outside any frame that clips or scrolls it ("loose"), and the frames, inside the
# screen, whose content reaches past it: (frame, in a table?, content width, frame width).
REACHING_PAST = """() => {
  const screen = window.innerWidth + 1;
  const main = document.querySelector('[data-testid="stMain"]');
  const name = (e) => (e.getAttribute('data-testid') || e.tagName.toLowerCase())
    + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ')[0] : '');
  const frame = (e) => {
    for (let a = e.parentElement; a && a !== main; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if (['auto', 'scroll', 'hidden', 'clip'].includes(o)) return a;
    }
    return null;
  };
  const loose = [], framed = new Map();
  for (const e of main.querySelectorAll('*')) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.right <= screen) continue;
    const f = frame(e);
    if (f && f.getBoundingClientRect().right <= screen) {
      const table = f.closest('[data-testid="stDataFrame"]') !== null;
      framed.set(f, [name(f), table, Math.round(f.scrollWidth), Math.round(f.clientWidth)]);
    } else {
      loose.push([name(e), Math.round(r.right)]);
    }
  }
  return {loose: loose.slice(0, 10), framed: [...framed.values()].slice(0, 10)};
}"""


@pytest.mark.parametrize("path", ["scorecard", "rollout", "alerts"])
def test_scorecard_and_rollout_fit_the_screen(phone, path: str) -> None:  # type: ignore[no-untyped-def]
    _open_on_the_phone(phone, path)
    assert phone.locator("[data-testid='stException']").count() == 0
    height = phone.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    try:
        # as high as the page, for a screenshot of all of it; as wide as the phone
        phone.set_viewport_size({"width": PHONE["width"], "height": min(int(height), 6000)})
        phone.wait_for_timeout(800)
        SHOTS.mkdir(parents=True, exist_ok=True)
        phone.screenshot(path=str(SHOTS / f"phone_{path}.png"))
        widths = phone.evaluate(
            "() => [document.querySelector('[data-testid=\"stMain\"]').scrollWidth,"
            " document.scrollingElement.scrollWidth]"
        )
        assert max(widths) <= PHONE["width"], f"{path} is {max(widths)} px wide on a 390 px screen"
        past = phone.evaluate(REACHING_PAST)
        assert not past["loose"], f"{path}: past the screen's edge: {past['loose']}"
        # A table's grid may scroll sideways in its own frame; a chart's own drawing clips
        # what passes its edge (test_no_chart_text_is_cut_at_the_charts_edge); nothing else.
        others = [f for f in past["framed"] if not f[1] and f[0] != "svg"]
        assert not others, f"{path}: cut by their frame: {others}"
        print(f"\n{path} on a phone, wider than their frame: {past['framed']}")
        for chart in phone.locator("[data-testid='stVegaLiteChart'] svg").all():
            box, legend_box = _plot_and_legend(chart)
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (path, box)
            assert box["width"] >= 200, f"{path}: a plot is {box['width']:.0f} px wide"
            if legend_box is not None:
                assert legend_box["y"] >= box["y"] + box["height"] - 1, (
                    f"{path}: a legend is not under its plot"
                )
    finally:
        phone.set_viewport_size(PHONE)


# The text of the page's charts that passes the edge of its chart, where the chart's SVG
# cuts it off, by more than 4 px (a rotated axis title's box reaches 2-3 px past it and shows
# whole): (text, its left and right edges, the chart's).
CUT_TEXT = """() => {
  const out = [];
  for (const svg of document.querySelectorAll('[data-testid="stVegaLiteChart"] svg')) {
    const s = svg.getBoundingClientRect();
    for (const t of svg.querySelectorAll('text')) {
      const r = t.getBoundingClientRect();
      // a label Vega hides (labelOverlap: opacity 0) is in the SVG but not on the screen
      const shown = getComputedStyle(t).opacity !== "0";
      if (shown && r.width > 0 && (r.right > s.right + 4 || r.left < s.left - 4)) {
        out.push([t.textContent, Math.round(r.left), Math.round(r.right),
                  Math.round(s.left), Math.round(s.right)]);
      }
    }
  }
  return out;
}"""


@pytest.mark.parametrize(
    "path",
    ["scorecard", "rollout"],
)
def test_no_chart_text_is_cut_at_the_charts_edge(phone, path: str) -> None:  # type: ignore[no-untyped-def]
    _open_on_the_phone(phone, path)
    cut = phone.evaluate(CUT_TEXT)
    assert not cut, f"{path}: text cut at a chart's edge (text, left, right, chart's): {cut}"
