"""Accessibility in the browser (issue 16, defect 12): every page a visitor without sign-in
sees, in English and Hindi, on a desktop (1400 px) and a phone (390 px), checked by
axe-core (the axe-playwright-python package ships axe.min.js: nothing is downloaded).

A page passes with no violation of impact "serious" or "critical", with ``<html lang>``
in the language shown. The phone screenshots go to artifacts/screenshots/phone/
(``<page>_<en|hi>.png``): look at them.

One server and one browser for the whole module; the pages are opened one after another.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import start_server
from test_browser import BROWSER_ARGS, CHROMIUM, MAP_DRAWN, PAGES, QUERY, SHOTS, _need_browser

pytestmark = pytest.mark.slow

PHONE_SHOTS = SHOTS / "phone"
VIEWPORTS = {"desktop": {"width": 1400, "height": 1000}, "phone": {"width": 390, "height": 844}}
BLOCKING = ("serious", "critical")
# Violations inside Streamlit's own markup that no theme option or markup of ours can
# change, as {(rule id, CSS selector of the node): "the Streamlit issue"}. Each entry is
# one rule on one selector, never a whole rule. None is needed with Streamlit 1.67.
STREAMLIT_OWN: dict[tuple[str, str], str] = {}


@pytest.fixture(scope="module")
def port(demo_on_sqlite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    _need_browser()
    server, port = start_server(demo_on_sqlite[1], tmp_path_factory.mktemp("a11y"))
    try:
        yield port
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture(scope="module")
def browser(port: int):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        yield browser
        browser.close()


def _open(page, port: int, path: str, expects: list[str], lang: str) -> None:
    """The page by its deep link, drawn: heading, charts, image and map there, the script
    finished, the images loaded."""
    page.goto(f"http://127.0.0.1:{port}/{path}{QUERY}&lang={lang}")
    page.wait_for_selector("[data-testid='stHeading']", timeout=60_000)
    if "chart" in expects:
        page.wait_for_selector("[data-testid='stVegaLiteChart'] svg", timeout=60_000)
    if "image" in expects:
        page.wait_for_selector("[data-testid='stImage'] img", timeout=90_000)
    if "map" in expects:
        page.wait_for_selector(MAP_DRAWN, timeout=60_000)
    page.wait_for_selector("[data-test-script-state='notRunning']", timeout=60_000)
    page.wait_for_function("[...document.images].every(image => image.complete)")
    page.wait_for_timeout(1000)  # the charts' own drawing after the script


def _whole_page_screenshot(page, path: Path) -> None:
    """The page from top to bottom: Streamlit scrolls its main section, not the document,
    so the window is made as tall as that section's content first."""
    height = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": page.viewport_size["width"], "height": height})
    page.wait_for_timeout(1000)  # the charts follow the new size
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))


def _blocking(violations: list[dict]) -> list[dict]:
    """The serious and critical violations, less the nodes listed in STREAMLIT_OWN."""
    found = []
    for violation in violations:
        if violation["impact"] not in BLOCKING:
            continue
        nodes = [
            node
            for node in violation["nodes"]
            if (violation["id"], " ".join(node["target"])) not in STREAMLIT_OWN
        ]
        if nodes:
            found.append({**violation, "nodes": nodes})
    return found


def _describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']}"
            f" — {len(violation['nodes'])} node(s)"
        )
        for node in violation["nodes"][:3]:
            lines.append(f"    {' '.join(node['target'])}")
            lines.append(f"      {node['html'][:200]}")
            for check in node.get("any", [])[:1]:
                lines.append(f"      {check['message']}")
    return "\n".join(lines)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("lang", ["en", "hi"])
@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_serious_accessibility_violation(
    browser, port: int, name: str, lang: str, viewport: str
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    path, expects = PAGES[name]
    page = browser.new_page(viewport=VIEWPORTS[viewport])
    try:
        _open(page, port, path, expects, lang)
        assert page.locator("[data-testid='stException']").count() == 0, page.inner_text("body")
        assert page.evaluate("document.documentElement.lang") == lang
        if "image" in expects:
            alt = page.get_attribute("[data-testid='stImage'] img", "alt")
            assert alt and len(alt) > 20, f"the preview's alt text is {alt!r}"
        violations = _blocking(Axe().run(page).response["violations"])
        if viewport == "phone":
            _whole_page_screenshot(page, PHONE_SHOTS / f"{name}_{lang}.png")
    finally:
        page.close()
    assert not violations, f"{name}, {lang}, {viewport}:\n{_describe(violations)}"


def test_switching_language_sets_the_page_language(browser, port: int) -> None:
    """``<html lang>`` follows the switch in the sidebar, both ways, without a reload."""
    page = browser.new_page(viewport=VIEWPORTS["desktop"])
    try:
        _open(page, port, "about", [], "en")
        sidebar = page.locator("[data-testid='stSidebar']")
        for lang, label in (("hi", "हिन्दी"), ("en", "English")):
            sidebar.get_by_text(label, exact=True).click()
            page.wait_for_function(f"document.documentElement.lang === '{lang}'", timeout=30_000)
    finally:
        page.close()
