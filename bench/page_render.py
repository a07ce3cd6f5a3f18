"""Server-side render time of every page (AppTest), cold and warm cache.

    .venv/bin/python bench/page_render.py [--runs 5] [--store URL] [--json]

Reads the analytics store of the configuration (by default the demo's, built by
`make run` or `ehospital-dashboard refresh`), or the one ``--store`` names. For every page
of ``ui.pages.PAGES`` and two filter states it opens a session on the Overview, moves to
the page, empties Streamlit's caches (``st.cache_data``, ``st.cache_resource``: the next
run reads the store again, on a new connection) and times the page's run: *cold*; then
times ``--runs`` more runs: *warm* is their median. Only the page's own run is timed, as
a visitor's click would run it. ``--json`` prints the figures as JSON for ``bench/run.py``.
A benchmark prints figures; tests do not time anything.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

STATES = {
    "division, last 90 days": {},
    "one district, FY 2025-26": {"period": "fy", "fy": "2025", "district": "416"},
}


def _timed_run(at) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - started
    if at.exception:
        raise SystemExit(f"the page raised: {at.exception[0].message}")
    return elapsed


def page_times(page: str, params: dict[str, str], runs: int) -> tuple[float, float]:
    """(cold, warm) seconds of one page's run under the filters in ``params``."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from data_access.config import PROJECT_ROOT
    from ui.pages import PAGE_FILES

    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=300)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()  # the session opens on the Overview
    if page != PAGE_FILES[0]:
        at.switch_page(page)
    st.cache_data.clear()
    st.cache_resource.clear()
    cold = _timed_run(at)
    warm = statistics.median(_timed_run(at) for _ in range(runs))
    return cold, warm


def measure(runs: int) -> dict:
    """Every page under every filter state; and the first render of the process."""
    from streamlit.testing.v1 import AppTest

    from data_access.config import PROJECT_ROOT
    from ui.pages import PAGES

    started = time.perf_counter()
    AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=300).run()
    first = time.perf_counter() - started
    pages = []
    for page in PAGES:
        for label, params in STATES.items():
            cold, warm = page_times(page.file, params, runs)
            pages.append({"page": page.name, "state": label, "cold": cold, "warm": warm})
    return {"process_first_render": first, "pages": pages}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="warm runs per page (median shown)")
    parser.add_argument("--store", help="the analytics store's URL (default: the configured one)")
    parser.add_argument("--json", action="store_true", help="print JSON for bench/run.py")
    args = parser.parse_args()
    # Emptying the caches between runs, outside a script run, makes Streamlit warn each time.
    os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")
    if args.store:
        os.environ["ANALYTICS_DB_URL"] = args.store

    from data_access.config import load_settings
    from data_access.engines import describe, store_engine
    from data_access.store import store_is_built

    settings = load_settings()
    if not store_is_built(store_engine(settings.store_url)):
        raise SystemExit("build the analytics store first: ehospital-dashboard refresh")
    result = measure(args.runs)
    if args.json:
        json.dump(result, sys.stdout)
        return
    print(f"store: {describe(settings.store_url)}")
    print(f"first render in the process: {result['process_first_render']:.2f} s")
    print(f"{'page':<24}{'filters':<28}{'cold s':>8}{'warm s':>8}")
    for row in result["pages"]:
        print(f"{row['page']:<24}{row['state']:<28}{row['cold']:>8.2f}{row['warm']:>8.2f}")


if __name__ == "__main__":
    main()
