"""Server-side render time of every page (AppTest), cold and warm cache.

    .venv/bin/python bench/page_render.py [--runs 5]

Reads the analytics store of the configuration (by default the demo's, built by
`make run` or `ehospital-dashboard refresh`). Prints, per page and filter state, the first
(cold) render and the median of the warm ones. A benchmark prints figures; tests do not
time anything.
"""

from __future__ import annotations

import argparse
import statistics
import time

from streamlit.testing.v1 import AppTest

from data_access.config import PROJECT_ROOT, load_settings
from data_access.engines import store_engine
from data_access.store import store_is_built
from ui.pages import PAGE_FILES

PAGES = PAGE_FILES
STATES = {
    "division, last 90 days": {},
    "one district, FY 2025-26": {"period": "fy", "fy": "2025", "district": "416"},
}


def render(page: str, params: dict[str, str]) -> float:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    started = time.perf_counter()
    at.run()
    if page != PAGES[0]:
        at.switch_page(page).run()
    elapsed = time.perf_counter() - started
    if at.exception:
        raise SystemExit(f"{page} raised: {at.exception[0].message}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="warm runs per page (median shown)")
    args = parser.parse_args()
    settings = load_settings()
    if not store_is_built(store_engine(settings.store_url)):
        raise SystemExit("build the analytics store first: ehospital-dashboard refresh")
    print(f"store: {settings.store_url}")
    print(f"{'page':<24}{'filters':<28}{'cold s':>8}{'warm s':>8}")
    for page in PAGES:
        for label, params in STATES.items():
            cold = render(page, params)
            warm = statistics.median(render(page, params) for _ in range(args.runs))
            name = page.removeprefix("views/").removesuffix(".py")
            print(f"{name:<24}{label:<28}{cold:>8.2f}{warm:>8.2f}")


if __name__ == "__main__":
    main()
