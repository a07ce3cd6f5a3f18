"""The Map, visited twice in one browser session (issue 16, defect 6), in Debian's chromium;
and a click on the light map (the default) narrowing the app.

With the interactive map chosen, deck.gl's first frame holds the page's main thread for
seconds in a browser without a usable GPU (software WebGL), at every visit: Streamlit draws
a page's elements anew. The Map draws its map last, so the rest of the page is in the
page before the map on every visit; before, on a second visit the map came first and the
rest of the page waited behind it. Also: the toolbar, with Streamlit's running figure, is
there under toolbarMode minimal, its menu holding only the app's "About".

Times are recorded by the page itself (a MutationObserver) and only compared with each
other; how long anything takes is measured by ``bench/map_revisit.py``, not here.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import start_server
from test_browser import (
    BROWSER_ARGS,
    CHROMIUM,
    MAP_DRAWN,
    QUERY,
    SHOTS,
    _need_browser,
    _watch_for_foreign_requests,
)

pytestmark = pytest.mark.slow

WAIT_MS = 120_000
# When each element first appears in the page, by the page's clock.
MARKS = """
window.__marks = {};
const watched = {
  rest: "[data-testid='stExpander']",
  deck: "[data-testid='stDeckGlJsonChart']",
  canvas: "[data-testid='stDeckGlJsonChart'] canvas",
};
new MutationObserver(() => {
  for (const [name, selector] of Object.entries(watched)) {
    if (!(name in window.__marks) && document.querySelector(selector)) {
      window.__marks[name] = performance.now();
    }
  }
}).observe(document, {subtree: true, childList: true});
"""


@pytest.fixture(scope="module")
def port(demo_on_sqlite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    _need_browser()
    server, port = start_server(demo_on_sqlite[1], tmp_path_factory.mktemp("map-revisit"))
    try:
        yield port
    finally:
        server.terminate()
        server.wait(timeout=20)


def _choose(  # type: ignore[no-untyped-def]
    page, path: str, drawn: str = "[data-testid='stDeckGlJsonChart'] canvas"
) -> None:
    """The page chosen in the sidebar, drawn and its run ended."""
    page.evaluate("window.__marks = {}")
    page.locator(f"[data-testid='stSidebarNavLink'][href$='/{path}']").click()
    page.wait_for_url(f"**/{path}*", timeout=WAIT_MS)
    if path == "map":
        page.wait_for_selector(drawn, timeout=WAIT_MS)
        page.wait_for_selector("[data-testid='stExpander']", timeout=WAIT_MS)
    page.wait_for_timeout(300)  # the run has begun
    page.wait_for_selector("[data-test-script-state='notRunning']", timeout=WAIT_MS)
    body = page.inner_text("body")
    assert page.locator("[data-testid='stException']").count() == 0, body[:2000]


def test_the_map_twice_draws_the_rest_of_the_page_before_the_map(port: int) -> None:
    from playwright.sync_api import sync_playwright

    foreign: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        _watch_for_foreign_requests(page, foreign)
        page.add_init_script(MARKS)
        page.goto(f"http://127.0.0.1:{port}/{QUERY}&lang=en")
        page.wait_for_selector("[data-testid='stVegaLiteChart']", timeout=WAIT_MS)
        page.wait_for_selector("[data-test-script-state='notRunning']", timeout=WAIT_MS)

        page.locator("[data-testid='stMainMenu']").click()
        menu = page.locator("[data-testid='stMainMenuList']").inner_text()
        page.keyboard.press("Escape")
        # The interactive map, chosen once on a first visit, is kept for the session.
        _choose(page, "map", drawn=MAP_DRAWN)
        page.get_by_text("Interactive map", exact=True).click()
        page.wait_for_selector("[data-testid='stDeckGlJsonChart'] canvas", timeout=WAIT_MS)
        _choose(page, "trends")
        visits = []
        for _ in range(2):
            _choose(page, "map")
            visits.append(page.evaluate("window.__marks"))
            _choose(page, "trends")
        page.locator("[data-testid='stSidebarNavLink'][href$='/map']").click()
        page.wait_for_selector("[data-testid='stExpander']", timeout=WAIT_MS)
        page.wait_for_timeout(3000)  # the map's first frame
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "map-revisit_en.png"))
        browser.close()
    assert menu.splitlines()[0] == "About", f"the menu holds {menu!r}"
    assert not any(item in menu for item in ("Rerun", "Clear cache", "Settings", "Print"))
    for number, marks in enumerate(visits, start=1):
        assert {"rest", "deck", "canvas"} <= set(marks), f"visit {number}: {marks}"
        assert marks["rest"] <= marks["deck"], (
            f"visit {number}: the map came {marks['rest'] - marks['deck']:.0f} ms before the"
            " rest of the page, which waited behind deck.gl's first frame"
        )
    assert not foreign, f"requests to other hosts: {foreign[:5]}"


def test_a_click_on_the_light_map_narrows_the_app_to_it(port: int) -> None:
    """The light map (the default) shows a facility's figures in its tooltip, in the
    language, and a click on the facility puts its code in the link and narrows the page;
    the interactive map is not loaded at all."""
    from playwright.sync_api import sync_playwright

    foreign: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        _watch_for_foreign_requests(page, foreign)
        scripts: list[str] = []
        page.on("request", lambda request: scripts.append(request.url))
        for lang, district in (("hi", "दक्षिण बस्तर दंतेवाड़ा"), ("en", "Dakshin Bastar Dantewada")):
            page.goto(f"http://127.0.0.1:{port}/map{QUERY}&lang={lang}")
            page.wait_for_selector(MAP_DRAWN, timeout=WAIT_MS)
            page.wait_for_selector("[data-test-script-state='notRunning']", timeout=WAIT_MS)
            label = page.locator("[data-testid='stVegaLiteChart'] text", has_text=district)
            box = label.first.bounding_box()
            assert box, f"no name of the district on the {lang} map"
        # Dantewada's district hospital: its circle, just above the district's name.
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] - 10)
        page.wait_for_selector("#vg-tooltip-element.visible", timeout=10_000)
        tooltip = page.inner_text("#vg-tooltip-element")
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] - 10)
        page.wait_for_url("**facility=*", timeout=WAIT_MS)
        page.wait_for_selector("[data-test-script-state='notRunning']", timeout=WAIT_MS)
        page.wait_for_timeout(1500)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "map-light-clicked_en.png"))
        caption = page.inner_text("[data-testid='stMain']")
        browser.close()
    assert "District Hospital Dantewada" in tooltip and "33,895" in tooltip, tooltip
    assert "District Hospital Dantewada ·" in caption, "the page names the chosen facility"
    assert not [url for url in scripts if "DeckGlJsonChart" in url], "deck.gl was loaded"
    assert not foreign, f"requests to other hosts: {foreign[:5]}"
