"""Load: 25 visitors, twice 90 seconds (the 3 minutes of issue 7), on one dashboard server
(``bench/load.py``), on the demo store, loopback only: 5 in Debian's chromium driven by
Playwright, 20 as sessions without a browser that speak Streamlit's own WebSocket protocol
(25 sessions on the server; the drawing of 25 browsers alone would saturate the 2 cores
the server shares with them).

Fails on any error a visitor meets (an exception or st.error box, "Page not found", a
request to another host, a page not drawn or a run not finished within 60 s, a crashed
page, a sidebar widget that does not take a choice, a connection refused) and when the
server's memory is not bounded: the second round repeats the first's visits, and its end
must not hold more memory than the first's (a leak grows with every view; caches hold
what the first round asked). Times are printed, not asserted: they depend on the
machine and on what else it runs.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from test_browser import _need_browser

from bench.data import app_environment
from bench.load import SessionVisitor, Site, Tally, describe, memory_levels, run
from bench.server_memory import start, stop
from ui.pages import PAGES, PageEntry

pytestmark = pytest.mark.slow

USERS = 25
BROWSERS = 5
SECONDS = 90
ROUNDS = 2
LEVEL_TOLERANCE = 0.08
"""How much more the second round's end may hold than the first's. The same visits again
fill no cache entry the first did not: what is left is noise (a Python heap does not give
back all it freed; +3.1 % measured, docs/reliability.md) and the few actions the second
round's timing adds. About 35 MB on 430: a leak of half a megabyte a view (some 70 views
a round of 90 s) or a kept session fails it."""
PEAK_RSS_BOUND = 1024 * 1024 * 1024
"""1 GiB for one server process with 25 sessions. Five sessions peak near 500 MB
(docs/performance.md); the caches are shared and each session holds little, so 25 should
stay well under twice that. A server that kept every session's pages, or a cache without
a bound, would pass it."""


def test_25_visitors_twice_90_seconds_on_one_server(demo_on_sqlite, tmp_path: Path) -> None:
    _need_browser()
    store_url = demo_on_sqlite[1]
    env = {
        **app_environment(store_url),
        "EHOSPITAL_DATA_DIR": str(tmp_path),  # the audit log
        "EHOSPITAL_SECRETS_FILE": str(tmp_path / "none.toml"),  # demo mode, no sign-in
    }
    result = run(
        store_url,
        env,
        users=USERS,
        browsers=BROWSERS,
        seconds=SECONDS,
        rounds=ROUNDS,
        log=tmp_path / "server.log",
    )
    (tmp_path / "load.json").write_text(json.dumps(result, indent=2, default=str))
    print(f"\n{describe(result)}\nall figures: {tmp_path / 'load.json'}")

    assert result["errors"] == 0, (
        f"{result['errors']} errors: {result['errors_by_kind']}; first ones: "
        f"{result['error_samples'][:5]}; screenshots: {result['screenshots']}"
    )
    assert result["views_by_client"].get("browser", 0) >= BROWSERS, result["views_by_client"]
    assert result["views_by_client"].get("session", 0) >= USERS - BROWSERS
    assert len({view["visitor"] for view in result["views"]}) == USERS, "every visitor saw pages"
    rss = result["rss_bytes"]
    assert rss["peak"] < PEAK_RSS_BOUND, f"peak resident memory {rss['peak']:,} bytes"
    first, second = memory_levels(result["rss_samples"], result["round_ends"])
    assert second <= first * (1 + LEVEL_TOLERANCE), (
        f"the same visits again left the server holding {second / first - 1:.1%} more memory "
        f"({first // 2**20} -> {second // 2**20} MiB at the rounds' ends, "
        f"{[round(end) for end in result['round_ends']]} s): "
        f"{[(round(t), r // 2**20) for t, r in result['rss_samples']]} (s, MiB)"
    )


def test_a_session_without_a_browser_sees_what_a_browser_would(demo_on_sqlite, tmp_path) -> None:
    """The load's browserless visitor moves between pages and changes the sidebar's period
    and districts in one session (each choice written into the link, as the app does); it
    counts a page run as seen only when the server finished it and drew the page's
    header, and names a page that does not exist."""
    env = {**app_environment(demo_on_sqlite[1]), "EHOSPITAL_DATA_DIR": str(tmp_path)}
    env["EHOSPITAL_SECRETS_FILE"] = str(tmp_path / "none.toml")
    server, port = start(env, tmp_path / "server.log")
    tally = Tally(screenshot_dir=tmp_path)
    site = Site(port, districts=(416,), financial_years=(2025,), timeout_ms=60_000, think_seconds=0)
    overview, trends, comparison = PAGES[0], PAGES[2], PAGES[3]
    steps = [("deep_link", trends), ("period", None), ("district", None), ("district", None)]
    steps += [("navigate", comparison), ("period", None), ("navigate", overview)]
    try:

        async def visit() -> None:
            visitor = SessionVisitor(1, site, tally, seed=0)
            for kind, page in steps:
                await visitor.act(kind, page)
            await visitor.act("navigate", PageEntry("views/about.py", "nav.about", "", "nowhere"))
            await visitor._close()

        asyncio.run(visit())
    finally:
        stop(server)
    assert [(view["action"], view["page"]) for view in tally.views] == [
        ("deep_link", "trends"),
        ("period", "trends"),
        ("district", "trends"),
        ("district", "trends"),
        ("navigate", "comparison"),
        ("period", "comparison"),
        ("navigate", "overview"),
    ], tally.error_samples
    assert dict(tally.errors) == {"page not found": 1}, tally.error_samples
