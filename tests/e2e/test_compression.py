"""End to end behind the documented proxy: nginx with deploy/nginx/ehospital-dashboard.conf
(as bench/page_weight.py runs it: ports, checkout path and a throwaway certificate
replaced, Streamlit's fonts cut into a folder of its own as the README's step after an
install does) in front of a real dashboard. Streamlit's JavaScript arrives compressed
(gzip, and brotli where the module is installed) with a year's immutable caching, the
page is revalidated on every visit, the fonts are the cut ones (or Streamlit's, for a font
not cut), and a page renders in chromium through the proxy, its WebSocket compressed by
permessage-deflate and its icons drawn as icons. Its screenshot is
artifacts/screenshots/proxy_overview.png: look at it.

Without nginx the test is skipped with the reason, except under CI=true (.ci/run installs
nginx and its brotli module), where that is a failure."""

from __future__ import annotations

import gzip
import re
import ssl
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import DEMO_NOW, IN_CI, start_server, write_worked_example
from test_browser import SHOTS, _need_browser

from bench.page_weight import (
    BROTLI_MODULE,
    brotli_available,
    documented_proxy,
    launch_browser,
    nginx_unavailable,
)
from bench.server_memory import _wait_until_done
from cli.proxy_fonts import ICON_FONT, MEDIA, streamlit_static
from data_access.contract import source_metadata
from data_access.engines import source_engine, store_engine
from data_access.refresh import refresh

pytestmark = pytest.mark.slow

YEAR = 365 * 24 * 3600
ICONS_AS_DRAWN = """async () => {
    await document.fonts.ready;
    return [...document.querySelectorAll("body *")]
        .filter((el) => getComputedStyle(el).fontFamily.includes("Material Symbols")
            && el.childElementCount === 0 && el.textContent.trim() && el.offsetParent)
        .map((el) => {
            const text = document.createRange();
            text.selectNodeContents(el);
            return {
                name: el.textContent.trim(),
                width: text.getBoundingClientRect().width,
                fontSize: parseFloat(getComputedStyle(el).fontSize),
            };
        });
}"""
"""Every icon on the page (a leaf element in Material Symbols, shown) with the width its
text is drawn in: about one em for an icon, several for a name spelled in letters because
the font lacks its ligature."""


def _need_nginx() -> None:
    reason = nginx_unavailable()
    if reason is None and IN_CI and not brotli_available():
        reason = f"{BROTLI_MODULE} is missing (apt-get install libnginx-mod-http-brotli-filter)"
    if reason:
        if IN_CI:
            pytest.fail(f"CI=true and {reason}: the proxy test must run in CI")
        pytest.skip(reason)


@pytest.fixture
def small_store(tmp_path: Path) -> str:
    """The analytics store of the conftest's worked example, on SQLite: a page renders at
    once (what is measured here is the transport, not the figures)."""
    source, store = f"sqlite:///{tmp_path / 'source.sqlite'}", f"sqlite:///{tmp_path / 'a.sqlite'}"
    engine = sa.create_engine(source)
    source_metadata(with_keys=False).create_all(engine)
    engine.dispose()
    write_worked_example(source)
    refresh(source_engine(source), store_engine(store), now=DEMO_NOW)
    return store


def _get(url: str, context: ssl.SSLContext | None = None, **headers: str):  # type: ignore[no-untyped-def]
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, context=context, timeout=30) as answer:
        return answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read()


def _main_bundle(html: bytes) -> str:
    found = re.search(rb'src="\.?/?(static/js/index\.[\w-]+\.js)"', html)
    assert found, f"no main JavaScript bundle in the page: {html[:500]!r}"
    return found[1].decode()


def test_the_documented_proxy_compresses_caches_and_carries_the_websocket(
    small_store: str, tmp_path: Path
) -> None:
    _need_nginx()
    _need_browser()
    from playwright.sync_api import sync_playwright

    server, port = start_server(
        small_store, tmp_path, env={"EHOSPITAL_DATA_DIR": str(tmp_path / "data")}
    )
    try:
        with documented_proxy(port, tmp_path / "nginx") as proxy:
            trusted = ssl.create_default_context(cafile=str(proxy.certificate.cert))
            base = f"https://127.0.0.1:{proxy.port}"

            status, headers, html = _get(f"{base}/", trusted)
            assert status == 200
            assert headers.get("cache-control") == "no-cache", "the page must be revalidated"
            bundle = _main_bundle(html)
            _, _, plain = _get(f"http://127.0.0.1:{port}/{bundle}", **{"Accept-Encoding": ""})

            status, headers, body = _get(f"{base}/{bundle}", trusted, **{"Accept-Encoding": "gzip"})
            assert status == 200
            assert headers.get("content-encoding") == "gzip", headers
            assert gzip.decompress(body) == plain
            assert len(body) < len(plain) / 3, f"{len(body)} of {len(plain)} bytes"
            assert "accept-encoding" in headers.get("vary", "").lower()
            cache = headers.get("cache-control", "")
            assert "immutable" in cache and f"max-age={YEAR}" in cache, cache

            if proxy.brotli:
                _, headers, body = _get(f"{base}/{bundle}", trusted, **{"Accept-Encoding": "br"})
                assert headers.get("content-encoding") == "br", headers
                assert len(body) < len(plain) / 3

            # The fonts: the cut ones where the step wrote them, else Streamlit's own.
            icon_font = next(font for font in proxy.cut_fonts if font.icons is not None)
            _, headers, body = _get(f"{base}/{MEDIA}/{icon_font.name}", trusted)
            assert body == (proxy.fonts / MEDIA / icon_font.name).read_bytes()
            assert len(body) < icon_font.bytes_before / 4
            assert headers.get("cache-control") == f"public, max-age={YEAR}, immutable"
            assert headers.get("content-type") == "font/woff2", headers
            whole = next((streamlit_static() / MEDIA).glob("KaTeX_Main-Regular.*.woff2"))
            _, headers, body = _get(f"{base}/{MEDIA}/{whole.name}", trusted)
            assert body == whole.read_bytes(), "a font not cut comes from the dashboard"
            assert headers.get("cache-control") == f"public, max-age={YEAR}, immutable"
            assert next((streamlit_static() / MEDIA).glob(ICON_FONT)).name == icon_font.name

            with sync_playwright() as playwright:
                browser = launch_browser(playwright, proxy.certificate)
                page = browser.new_page()
                cdp = page.context.new_cdp_session(page)
                cdp.send("Network.enable")
                extensions: list[str] = []
                cdp.on(
                    "Network.webSocketHandshakeResponseReceived",
                    lambda event: extensions.append(
                        {k.lower(): v for k, v in event["response"]["headers"].items()}.get(
                            "sec-websocket-extensions", ""
                        )
                    ),
                )
                page.goto(f"{base}/?period=custom&from=2025-01-01&to=2025-01-31&lang=en")
                _wait_until_done(page)  # the page's script ran: the WebSocket works
                body_text = page.inner_text("body")
                assert page.locator("[data-testid='stException']").count() == 0, body_text[:2000]
                assert "Overview" in body_text
                drawn = page.evaluate(ICONS_AS_DRAWN)
                SHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SHOTS / "proxy_overview.png"), full_page=True)
                assert {"dashboard", "map", "info"} <= {icon["name"] for icon in drawn}, drawn
                spelled = [i for i in drawn if i["width"] > 1.5 * i["fontSize"]]
                assert not spelled, f"icons drawn as their names, in letters: {spelled}"
                # On (.streamlit/config.toml): a slow link's filter changes are ×4-5 lighter.
                assert extensions and "permessage-deflate" in extensions[0], extensions
                browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
