"""Load: 25 visitors for 3 minutes on one dashboard server (``bench/load.py``), on the demo
store, with Debian's chromium driven by Playwright, loopback only.

Fails on any error a visitor meets (an exception or st.error box, "Page not found", a
request to another host, a page not drawn within 60 s, a crashed page, a sidebar widget
that does not take a choice) and when the server's memory is not bounded. Times are
printed, not asserted: they depend on the machine and on what else it runs (the 25
browsers run on it too).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_browser import _need_browser

from bench.data import app_environment
from bench.load import describe, memory_plateaus, run

pytestmark = pytest.mark.slow

USERS = 25
SECONDS = 180
PEAK_RSS_BOUND = 1024 * 1024 * 1024
"""1 GiB for one server process with 25 sessions. Five sessions peak near 500 MB
(docs/performance.md); the caches are shared and each session holds little, so 25 should
stay well under twice that. A server that kept every session's pages, or a cache without
a bound, would pass it."""


def test_25_visitors_for_3_minutes_on_one_server(demo_on_sqlite, tmp_path: Path) -> None:
    _need_browser()
    store_url = demo_on_sqlite[1]
    env = {
        **app_environment(store_url),
        "EHOSPITAL_DATA_DIR": str(tmp_path),  # the audit log
        "EHOSPITAL_SECRETS_FILE": str(tmp_path / "none.toml"),  # demo mode, no sign-in
    }
    result = run(store_url, env, users=USERS, seconds=SECONDS, log=tmp_path / "server.log")
    (tmp_path / "load.json").write_text(json.dumps(result, indent=2, default=str))
    print(f"\n{describe(result)}\nall figures: {tmp_path / 'load.json'}")

    assert result["errors"] == 0, (
        f"{result['errors']} errors: {result['errors_by_kind']}; first ones: "
        f"{result['error_samples'][:5]}; screenshots: {result['screenshots']}"
    )
    assert result["page_views"] >= USERS, "every visitor should have seen pages"
    rss = result["rss_bytes"]
    assert rss["peak"] < PEAK_RSS_BOUND, f"peak resident memory {rss['peak']:,} bytes"
    assert memory_plateaus(result["rss_samples"]), (
        "the server's memory kept growing: its median in the last third of the run is more "
        "than 10% above the middle third's: "
        f"{[(round(t), r // 2**20) for t, r in result['rss_samples']]} (s, MiB)"
    )
