"""In a real browser, registry names holding HTML and script are shown as text: no script
runs (no dialog opens), the markup is read on the page as written, on the pages that show
names (Facility profile, Map with its tooltip, Data quality)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import F_HTML, HTML_NAME
from test_browser import MAP_DRAWN, SHOTS, served_chromium, watched_tab

pytestmark = pytest.mark.slow
QUERY = "?period=custom&from=2025-01-01&to=2025-01-31"


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_html_in_registry_names_never_runs(dirty_store: str, tmp_path: Path) -> None:
    dialogs: list[str] = []
    foreign: list[str] = []
    with served_chromium(dirty_store, tmp_path) as (browser, port):
        page = watched_tab(browser, dialogs, foreign)
        for path in (
            f"facility{QUERY}&facility={F_HTML}",
            f"map{QUERY}",
            f"data-quality{QUERY}",
        ):
            page.goto(f"http://127.0.0.1:{port}/{path}")
            page.wait_for_selector("[data-testid='stHeading']", timeout=60_000)
            page.wait_for_timeout(2500)
            assert page.locator("[data-testid='stException']").count() == 0
        # The light map's tooltips: hover every facility's circle.
        page.goto(f"http://127.0.0.1:{port}/map{QUERY}&lang=en")
        page.wait_for_selector(MAP_DRAWN, timeout=60_000)
        page.wait_for_selector("[data-test-script-state='notRunning']", timeout=60_000)
        tooltips = []
        circles = page.locator("[data-testid='stVegaLiteChart'] g.mark-symbol path")
        for index in range(circles.count()):
            circles.nth(index).hover(force=True)
            page.wait_for_timeout(200)
            tooltip = page.locator("#vg-tooltip-element")
            if tooltip.count():
                tooltips.append(tooltip.inner_text())
        assert any(HTML_NAME.split(" CHC")[0] in text for text in tooltips), tooltips
        assert page.locator("#vg-tooltip-element b").count() == 0, "markup in a tooltip"
        page.goto(f"http://127.0.0.1:{port}/facility{QUERY}&facility={F_HTML}")
        page.wait_for_selector("[data-testid='stHeading']", timeout=60_000)
        page.wait_for_timeout(2500)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "hostile-names_facility.png"), full_page=True)
        body = page.inner_text("body")
        assert "<script>" in body, "the name's markup is shown as text"
        assert page.locator("script:has-text('alert(\"x\")')").count() == 0
    assert not dialogs, f"a name's script ran: {dialogs}"
    assert not foreign, f"requests to other hosts: {foreign[:5]}"
    assert HTML_NAME
