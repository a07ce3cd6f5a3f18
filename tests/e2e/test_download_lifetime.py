"""A made download's /media address (issue 17, item 9), on a real server and browser: the
file a click made is served without any cookie (what the README says) and only for
``[dashboard] download_lifetime_seconds``; the Press kit's preview, still on the page,
stays."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from test_browser import QUERY, served_chromium

pytestmark = pytest.mark.slow
LIFETIME = 6
"""Seconds; the sweeper runs every half of it, so a made file lives 3 to 6 s."""


def _status(url: str) -> tuple[int, bytes]:
    """GET without cookies, as from another machine that only has the address."""
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - loopback
            return answer.status, answer.read()
    except urllib.error.HTTPError as refused:
        return refused.code, b""


def test_a_made_download_leaves_its_address_within_the_lifetime(
    demo_on_sqlite: tuple[str, str], tmp_path: Path
) -> None:
    settings = tmp_path / "settings.toml"
    settings.write_text(f"[dashboard]\ndownload_lifetime_seconds = {LIFETIME}\n")
    _, store_url = demo_on_sqlite
    with served_chromium(store_url, tmp_path, env={"EHOSPITAL_SECRETS_FILE": str(settings)}) as (
        browser,
        port,
    ):
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        page.goto(f"http://127.0.0.1:{port}/press-kit{QUERY}")
        preview = page.locator("[data-testid='stImage'] img")
        preview.wait_for(timeout=90_000)
        page.wait_for_selector("[data-test-script-state='notRunning']", timeout=60_000)
        with page.expect_download() as started:
            page.get_by_text("Data (CSV)").click()
        clicked = time.monotonic()
        download = started.value
        made = Path(download.path()).read_bytes()
        url = download.url
        assert "/media/" in url and b"," in made, (url, made[:80])

        status, body = _status(url)
        assert (status, body) == (200, made), "served without a cookie while it lasts"

        while _status(url)[0] == 200 and time.monotonic() - clicked < LIFETIME + 10:
            time.sleep(0.5)
        gone_after = time.monotonic() - clicked
        assert _status(url)[0] == 404, f"still served {gone_after:.0f} s after the click"
        # The sweeper's thread may start its wait up to half a lifetime before the file is
        # made; allow the browser's and the test's own time on top of the lifetime.
        assert gone_after <= LIFETIME + 3, f"gone only after {gone_after:.1f} s"

        source = preview.get_attribute("src") or ""
        assert source.startswith("/media/") or "/media/" in source
        shown = source if source.startswith("http") else f"http://127.0.0.1:{port}{source}"
        assert _status(shown)[0] == 200, "the preview on the page stays while it is shown"
