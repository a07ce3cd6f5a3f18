"""In a real browser, a link's values are shown as text (issue 17, item 2): an image, a
link, HTML, LaTeX, an icon or a bare address written into ``?lang=``, ``?facility=``,
``?district=`` or ``?type=`` is named in the "ignored" message as written (cut to 40
characters); the browser
requests nothing but the server, and no element from the link is drawn."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pytest
from conftest import start_server
from test_browser import BROWSER_ARGS, CHROMIUM, _need_browser, _watch_for_foreign_requests

from ui.filters import link_value

pytestmark = pytest.mark.slow
PERIOD = {"period": "custom", "from": "2025-01-01", "to": "2025-01-31"}
HOSTILE = {
    "lang": "![x](http://evil.example/lang.png)",
    "facility": "[Session expired: sign in again](http://evil.example/login)",
    "district": '<img src="http://evil.example/district.png">',
    "type": "$\\href{http://evil.example}{x}$ :material/warning: www.evil.example",
}
LINKS = [
    ("", {**PERIOD, "lang": HOSTILE["lang"]}),
    ("", {**PERIOD, "facility": HOSTILE["facility"], "district": HOSTILE["district"]}),
    ("map", {**PERIOD, "type": HOSTILE["type"], "lang": "hi"}),
    ("facility", {**PERIOD, "facility": HOSTILE["facility"]}),
    ("comparison", {"period": "custom", "from": "0001-01-01", "to": "9999-12-31"}),
]
DRAWN_FROM_THE_LINK = (
    "[data-testid='stMarkdownContainer'] a[href*='evil']",
    "[data-testid='stMarkdownContainer'] img",
    "[data-testid='stMarkdownContainer'] .katex",
    "[data-testid='stToast'] [data-testid='stMarkdownContainer'] span[role='img']",
    "img[src*='evil']",
)


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_hostile_links_are_named_as_text(dirty_store: str, tmp_path: Path) -> None:
    _need_browser()
    from playwright.sync_api import sync_playwright

    server, port = start_server(dirty_store, tmp_path)
    foreign: list[str] = []
    dialogs: list[str] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            _watch_for_foreign_requests(page, foreign)
            for path, params in LINKS:
                page.goto(f"http://127.0.0.1:{port}/{path}?{urlencode(params)}")
                page.wait_for_selector("[data-testid='stHeading']", timeout=60_000)
                toasts = []
                if path == "":  # the first page of a session reads the link and says so
                    page.wait_for_selector("[data-testid='stToast']", timeout=30_000)
                    toasts = page.locator("[data-testid='stToast']").all_inner_texts()
                page.wait_for_selector("[data-test-script-state='notRunning']", timeout=60_000)
                assert page.locator("[data-testid='stException']").count() == 0, path
                for selector in DRAWN_FROM_THE_LINK:
                    assert page.locator(selector).count() == 0, (path, selector)
                shown = "\n".join(toasts).replace("\u2060", "")
                for name in ("lang", "facility"):
                    if name in params and path == "" and params[name] == HOSTILE[name]:
                        assert link_value(HOSTILE[name]) in shown, (HOSTILE[name], toasts)
                page.context.clear_cookies()
                page = _fresh_session(browser, page, foreign, dialogs)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert not dialogs, f"a value's script ran: {dialogs}"
    assert not foreign, f"requests to other hosts: {foreign[:5]}"


def _fresh_session(browser, page, foreign: list[str], dialogs: list[str]):  # type: ignore[no-untyped-def]
    """A new tab: a new Streamlit session, which reads its link afresh."""
    page.close()
    fresh = browser.new_page(viewport={"width": 1400, "height": 1000})
    fresh.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _watch_for_foreign_requests(fresh, foreign)
    return fresh
