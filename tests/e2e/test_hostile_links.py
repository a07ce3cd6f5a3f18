"""In a real browser, a link's values are shown as text (issue 17, item 2): an image, a
link, HTML, LaTeX, an icon or a bare address written into ``?lang=``, ``?facility=``,
``?district=`` or ``?type=`` is named in the "ignored" message as written (cut to 40
characters); the browser
requests nothing but the server, and no element from the link is drawn."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from test_browser import served_chromium, watched_tab

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
NAMED = ("lang", "facility")  # values the first page's "ignored" message names
DRAWN_FROM_THE_LINK = (
    "[data-testid='stMarkdownContainer'] a[href*='evil']",
    "[data-testid='stMarkdownContainer'] img",
    "[data-testid='stMarkdownContainer'] .katex",
    "[data-testid='stToast'] [data-testid='stMarkdownContainer'] span[role='img']",
    "img[src*='evil']",
)


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_hostile_links_are_named_as_text(dirty_store: str, tmp_path: Path) -> None:
    foreign: list[str] = []
    dialogs: list[str] = []
    with served_chromium(dirty_store, tmp_path) as (browser, port):
        for path, params in LINKS:
            page = watched_tab(browser, dialogs, foreign)  # a new session reads the link
            page.goto(f"http://127.0.0.1:{port}/{path}?{urlencode(params)}")
            page.wait_for_selector("[data-testid='stHeading']", timeout=60_000)
            toasts, expected = [], []
            if path == "":  # the first page of a session reads the link and says so
                expected = [link_value(HOSTILE[n]) for n in NAMED if params.get(n) == HOSTILE[n]]
                # one toast per ignored value, and the browser may draw them a frame apart:
                # read them once all the expected values are there (or after 30 s, to fail
                # below with what was shown)
                try:
                    toasts = page.wait_for_function(
                        """names => {
                            const shown = Array.from(
                                document.querySelectorAll("[data-testid='stToast']"),
                                t => t.innerText);
                            const text = shown.join("\\n").replaceAll("\\u2060", "");
                            return names.every(n => text.includes(n)) && shown;
                        }""",
                        arg=expected,
                        timeout=30_000,
                    ).json_value()
                except PlaywrightTimeout:
                    toasts = page.locator("[data-testid='stToast']").all_inner_texts()
            page.wait_for_selector("[data-test-script-state='notRunning']", timeout=60_000)
            assert page.locator("[data-testid='stException']").count() == 0, path
            for selector in DRAWN_FROM_THE_LINK:
                assert page.locator(selector).count() == 0, (path, selector)
            shown = "\n".join(toasts).replace("\u2060", "")
            for value in expected:
                assert value in shown, (value, toasts)
            page.close()
    assert not dialogs, f"a value's script ran: {dialogs}"
    assert not foreign, f"requests to other hosts: {foreign[:5]}"
