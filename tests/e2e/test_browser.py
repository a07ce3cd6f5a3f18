"""End to end: a real server, Debian's chromium driven by Playwright, every page opened by
its deep link on a fresh server. Fails on an exception box, a "Page not found" dialog, a
blank chart, or a request to any host other than the server. Screenshots go to
artifacts/screenshots/ (ignored by git): look at them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest
from conftest import IN_CI, start_server

from bench.page_weight import MAP_DRAWN
from data_access.config import PROJECT_ROOT

CHROMIUM = "/usr/bin/chromium"
SHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
PAGES = {
    "overview": ("", ["chart"]),
    "map": ("map", ["map"]),
    "trends": ("trends", ["chart"]),
    "comparison": ("comparison", ["chart"]),
    "rollout": ("rollout", ["chart"]),
    "scorecard": ("scorecard", ["chart"]),
    "facility": ("facility", ["chart"]),
    "press-kit": ("press-kit", ["image"]),
    "data-quality": ("data-quality", []),
    "alerts": ("alerts", []),
    "about": ("about", []),
}
QUERY = "?period=custom&from=2025-05-01&to=2025-07-31"
pytestmark = pytest.mark.slow


def _need_browser() -> None:
    try:
        import playwright  # noqa: F401
    except ImportError:
        reason = "playwright is not installed (pip install -e '.[test]')"
    else:
        reason = (
            None if Path(CHROMIUM).exists() else f"{CHROMIUM} is missing (apt-get install chromium)"
        )
    if reason:
        if IN_CI:
            pytest.fail(f"CI=true and {reason}: the browser tests must run in CI")
        pytest.skip(reason)


BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _watch_for_foreign_requests(page, foreign: list[str]) -> None:
    page.on(
        "request",
        lambda request: (
            urlparse(request.url).hostname not in ("127.0.0.1", "localhost")
            and not request.url.startswith(("data:", "blob:"))
            and foreign.append(request.url)
        ),
    )


def watched_tab(browser, dialogs: list[str], foreign: list[str]):  # type: ignore[no-untyped-def]
    """A new tab (a new Streamlit session) at 1400 px that notes every dialog a script
    opens (and dismisses it) and every request to a host other than the server."""
    tab = browser.new_page(viewport={"width": 1400, "height": 1000})
    tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _watch_for_foreign_requests(tab, foreign)
    return tab


@contextmanager
def served_chromium(
    store_url: str, tmp_path: Path, **server_options: object
) -> Iterator[tuple[object, int]]:
    """A dashboard server on ``store_url`` and Debian's chromium: (browser, port); both
    stopped afterwards. ``server_options`` go to ``start_server`` (``env``, ``extra_args``)."""
    _need_browser()
    from playwright.sync_api import sync_playwright

    server, port = start_server(store_url, tmp_path, **server_options)  # type: ignore[arg-type]
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
            try:
                yield browser, port
            finally:
                browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.mark.parametrize("lang", ["en", "hi"])
@pytest.mark.parametrize("name", list(PAGES))
def test_page_by_deep_link_on_a_fresh_server(
    demo_on_sqlite, name: str, lang: str, tmp_path: Path
) -> None:
    _need_browser()
    from playwright.sync_api import sync_playwright

    path, expects = PAGES[name]
    server, port = start_server(demo_on_sqlite[1], tmp_path)
    foreign: list[str] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            _watch_for_foreign_requests(page, foreign)
            page.goto(f"http://127.0.0.1:{port}/{path}{QUERY}&lang={lang}")
            page.wait_for_selector("[data-testid='stHeading']", timeout=60_000)
            if "chart" in expects:
                page.wait_for_selector(
                    "[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg",
                    timeout=60_000,
                )
            if "image" in expects:
                page.wait_for_selector("[data-testid='stImage'] img", timeout=90_000)
            if "map" in expects:
                page.wait_for_selector(MAP_DRAWN, timeout=60_000)
            page.wait_for_timeout(2500)  # let the last charts draw
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"{name}_{lang}.png"), full_page=True)
            body = page.inner_text("body")
            assert page.locator("[data-testid='stException']").count() == 0, body[:2000]
            assert "Page not found" not in body
            assert "This page is being built" not in body
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert not foreign, f"requests to other hosts: {foreign[:5]}"


def test_hindi_overview_and_press_kit_download(demo_on_sqlite, tmp_path: Path) -> None:
    """In Hindi: the Overview and the Press kit, screenshotted; the Press kit's PNG, downloaded
    through the browser, is the very file `ehospital-dashboard export` writes."""
    _need_browser()
    from playwright.sync_api import sync_playwright

    from cli.main import main

    source_url, store_url = demo_on_sqlite
    server, port = start_server(store_url, tmp_path)
    foreign: list[str] = []
    query = "?lang=hi&period=custom&from=2025-05-01&to=2025-07-31"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
            _watch_for_foreign_requests(page, foreign)
            page.goto(f"http://127.0.0.1:{port}/{query}")
            page.wait_for_selector("[data-testid='stVegaLiteChart'] svg, canvas", timeout=60_000)
            page.wait_for_timeout(2500)
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "overview_hi.png"), full_page=True)
            body = page.inner_text("body")
            assert "ओपीडी पंजीयन" in body and "आभा" in body
            assert page.locator("[data-testid='stException']").count() == 0, body[:2000]

            page.goto(f"http://127.0.0.1:{port}/press-kit{query}")
            page.wait_for_selector("[data-testid='stImage'] img", timeout=90_000)
            page.wait_for_timeout(1500)
            page.screenshot(path=str(SHOTS / "press-kit_hi.png"), full_page=True)
            assert page.locator("[data-testid='stException']").count() == 0
            with page.expect_download() as download_info:
                page.get_by_text("छपाई के लिए चित्र (PNG, 2×)").click()
            download = download_info.value
            downloaded = tmp_path / download.suggested_filename
            download.save_as(downloaded)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert not foreign, f"requests to other hosts: {foreign[:5]}"
    assert downloaded.name == (
        "abha-adoption-by-district_bastar-division_2025-05-01_2025-07-31_hi.png"
    )
    out = tmp_path / "cli"
    code = main(
        [
            "export",
            "--db",
            source_url,
            "--store",
            store_url,
            "--chart",
            "abha-adoption-by-district",
            "--from",
            "2025-05-01",
            "--to",
            "2025-07-31",
            "--lang",
            "hi",
            "--format",
            "png",
            "--out",
            str(out) + "/",
        ]
    )
    assert code == 0
    assert (out / downloaded.name).read_bytes() == downloaded.read_bytes()
