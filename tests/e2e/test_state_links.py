"""The statewide demo by deep link, in Chromium (issue 18, "Statewide"): every page opened
for the state names Chhattisgarh, and never Bastar division as its scope; the main pages
opened for a division (``?division=Raipur``) name that division, not the state; a division
the registry does not know is refused by name and the state is shown. In English and Hindi,
each page in a new tab (a new session that reads the link), on one server of the statewide
demo served as the demo (tests/conftest.py: ``state_demo_served``). Screenshots go to
artifacts/screenshots/ (state_<page>_<lang>.png, division_<page>_<lang>.png): look at them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from test_browser import PAGES as EXPECTED_DRAWINGS
from test_browser import SHOTS, served_chromium, watched_tab

from bench.page_weight import MAP_DRAWN
from i18n import Words
from ui.pages import PAGES

pytestmark = pytest.mark.slow

LANGS = ("en", "hi")
STATE = {"en": "Chhattisgarh", "hi": "छत्तीसगढ़"}
BASTAR = {"en": "Bastar division", "hi": "बस्तर संभाग"}
RAIPUR = {"en": "Raipur division", "hi": "रायपुर संभाग"}
# demo/reference/divisions.csv: the five divisions, as the registry names them
DIVISIONS = {
    "en": ["Bastar", "Raipur", "Durg", "Bilaspur", "Surguja"],
    "hi": ["बस्तर", "रायपुर", "दुर्ग", "बिलासपुर", "सरगुजा"],
}
DIVISION_WORD = {"en": " division", "hi": " संभाग"}

# The pages whose caption under the header says the scope ("… {scope} · {period}", or the
# Rollout's "…: {scope}."); the Facility profile's names its facility, the Press kit names
# the scope in its headline sentences and files, About and System in the title only.
SCOPE_CAPTION = {"overview", "map", "trends", "comparison", "rollout", "scorecard", "data-quality"}
SHOT_HEIGHT = 6000
DIVISION_PAGES = ["overview", "map", "trends", "comparison", "scorecard", "rollout"]


def _slug(page) -> str:  # type: ignore[no-untyped-def]
    return page.url_path or "overview"


STATE_PAGES = [_slug(page) for page in PAGES]


@pytest.fixture(scope="module")
def served(state_demo_served, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """(browser, port, dialogs, foreign requests): one server on the statewide demo."""
    folder, store_url = state_demo_served
    dialogs: list[str] = []
    foreign: list[str] = []
    with served_chromium(
        store_url,
        tmp_path_factory.mktemp("state-links"),
        env={"EHOSPITAL_DATA_DIR": str(folder)},
    ) as (browser, port):
        yield browser, port, dialogs, foreign
    assert not dialogs, f"dialogs opened: {dialogs[:5]}"
    assert not foreign, f"requests to other hosts: {foreign[:5]}"


def _text(locator) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.replace("\u2060", "") for t in locator.all_inner_texts()]


def _open(served, request, path: str, query: str, shot: str):  # type: ignore[no-untyped-def]
    """A new tab on ``/<path>?<query>``, once its script has run and its charts are drawn;
    a screenshot of the whole page, ``<shot>.png``. Returns the tab."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    browser, port, dialogs, foreign = served
    tab = watched_tab(browser, dialogs, foreign)
    request.addfinalizer(tab.close)  # a failed test's tab too: no session left running
    tab.goto(f"http://127.0.0.1:{port}/{path}?{query}")
    tab.wait_for_selector("[data-testid='stHeading']", timeout=60_000)
    expects = EXPECTED_DRAWINGS.get(path or "overview", ("", []))[1]
    failed = "[data-testid='stException']"
    waits = [
        ("chart", "[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg"),
        ("image", "[data-testid='stImage'] img"),
        ("map", MAP_DRAWN),
    ]
    try:
        for what, selector in waits:
            if what in expects:  # drawn, or an exception box in its place
                tab.wait_for_selector(f"{selector}, {failed}", timeout=90_000)
        tab.wait_for_selector("[data-test-script-state='notRunning']", timeout=60_000)
    except PlaywrightTimeout:
        tab.screenshot(path=str(SHOTS / f"{shot}_timed-out.png"))
        pytest.fail(f"/{path}?{query} not drawn: {tab.inner_text('body')[:1500]}")
    # The main area scrolls inside the window: the window as high as the page (up to a
    # limit), so that the screenshot holds every chart.
    for wait in (500, 1000):  # measured again once the last tables and charts have drawn
        height = tab.evaluate(
            "() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight"
        )
        tab.set_viewport_size({"width": 1400, "height": max(1000, min(int(height), SHOT_HEIGHT))})
        tab.wait_for_timeout(wait)
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / f"{shot}.png"))
    return tab


def _no_failure(tab) -> str:  # type: ignore[no-untyped-def]
    """The main area's text, once it is known to hold no exception box or traceback."""
    body = tab.inner_text("body").replace("\u2060", "")
    assert tab.locator("[data-testid='stException']").count() == 0, body[:2000]
    assert "Traceback" not in body, body[:2000]
    assert "Page not found" not in body
    return body


def _page_caption(tab) -> str:  # type: ignore[no-untyped-def]
    """The caption under the page's header (the first of the main area is the frame's
    "Data as of …")."""
    captions = _text(tab.locator("[data-testid='stMain'] [data-testid='stCaptionContainer']"))
    assert len(captions) >= 2, captions
    return captions[1]


def _other_divisions(lang: str, but: str) -> list[str]:
    return [f"{name}{DIVISION_WORD[lang]}" for name in DIVISIONS[lang] if name != but]


def _headlines(tab) -> list[str]:  # type: ignore[no-untyped-def]
    return _text(tab.locator("[data-testid='stMain'] [data-testid='stMarkdownContainer'] li"))


def _downloaded_name(tab, label: str) -> str:  # type: ignore[no-untyped-def]
    with tab.expect_download() as download:
        tab.get_by_text(label, exact=True).click()
    return download.value.suggested_filename


# --- the state -----------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", STATE_PAGES)
def test_every_page_of_the_state_names_the_state(served, request, page: str, lang: str) -> None:
    path = "" if page == "overview" else page
    tab = _open(served, request, path, f"lang={lang}", f"state_{page}_{lang}")
    body = _no_failure(tab)
    title = _text(tab.locator("[data-testid='stMain'] h1"))[0]
    assert STATE[lang] in title, title
    assert BASTAR[lang] not in title, title
    assert f"{BASTAR[lang]} · " not in body  # never the scope of a caption
    caption = _page_caption(tab)
    assert BASTAR[lang] not in caption, caption
    if page in SCOPE_CAPTION:
        assert STATE[lang] in caption, caption
        for division in _other_divisions(lang, but=""):
            assert division not in caption, caption
    if page == "press-kit":
        headlines = _headlines(tab)
        assert headlines and headlines[0].startswith(STATE[lang]), headlines
        name = _downloaded_name(tab, Words(lang)("press_kit.download_svg"))
        assert "_chhattisgarh_" in name and name.endswith(f"_{lang}.svg"), name
    if page == "overview":
        headlines = _headlines(tab)
        assert any(STATE[lang] in line for line in headlines), headlines
        assert not any(BASTAR[lang] in line for line in headlines), headlines


AXES = """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"] svg')].map(
  (svg) => [svg.querySelectorAll('[aria-label^="X-axis"]').length,
            svg.querySelectorAll('[aria-label^="Y-axis"]').length])"""


def test_every_chart_of_the_states_trends_has_both_axes(served, request) -> None:
    """Lines by district (the default), 33 of them: 7 in colour, the rest grey."""
    tab = _open(served, request, "trends", "lang=en", "state_trends-axes_en")
    axes = tab.evaluate(AXES)
    assert axes and all(x >= 1 and y >= 1 for x, y in axes), f"(x, y) axes per chart: {axes}"


# --- a division ----------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", DIVISION_PAGES)
def test_the_main_pages_of_a_division_name_the_division(
    served, request, page: str, lang: str
) -> None:
    path = "" if page == "overview" else page
    tab = _open(served, request, path, f"division=Raipur&lang={lang}", f"division_{page}_{lang}")
    body = _no_failure(tab)
    caption = _page_caption(tab)
    assert RAIPUR[lang] in caption, caption
    assert STATE[lang] not in caption, caption
    for division in _other_divisions(lang, but=DIVISIONS[lang][1]):
        assert division not in caption, caption
    assert f"{STATE[lang]} · " not in body  # the state is not the scope of any caption
    assert f"{BASTAR[lang]} · " not in body
    assert "division=Raipur" in tab.url  # the link keeps the division


@pytest.mark.parametrize("lang", LANGS)
def test_the_press_kit_of_a_division_names_the_division(served, request, lang: str) -> None:
    tab = _open(
        served, request, "press-kit", f"division=Raipur&lang={lang}", f"division_press-kit_{lang}"
    )
    _no_failure(tab)
    headlines = _headlines(tab)
    name = _downloaded_name(tab, Words(lang)("press_kit.download_svg"))
    assert headlines and headlines[0].startswith(RAIPUR[lang]), headlines
    assert "_raipur-division_" in name, name


# --- a division the registry does not know ------------------------------------------------------
REFUSED = {"en": "no division named 'Nowhere'", "hi": "'Nowhere' नाम का कोई संभाग नहीं"}


@pytest.mark.parametrize("lang", LANGS)
def test_an_unknown_division_is_named_and_the_state_shown(served, request, lang: str) -> None:
    browser, port, dialogs, foreign = served
    tab = watched_tab(browser, dialogs, foreign)
    request.addfinalizer(tab.close)
    tab.goto(f"http://127.0.0.1:{port}/?division=Nowhere&lang={lang}")
    tab.wait_for_selector("[data-testid='stToast']", timeout=60_000)  # gone after 4 s
    toasts = "\n".join(_text(tab.locator("[data-testid='stToast']")))
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / f"division-refused_{lang}.png"))
    assert REFUSED[lang] in toasts, toasts
    tab.wait_for_selector("[data-test-script-state='notRunning']", timeout=60_000)
    _no_failure(tab)
    caption = _page_caption(tab)
    assert STATE[lang] in caption and BASTAR[lang] not in caption, caption
    assert "division=" not in tab.url  # dropped from the link
