"""The Map, visited again: the server's run of the page and what the browser draws, per visit.

    .venv/bin/python -m bench.map_revisit [--store URL] [--rounds 2] [--map light|interactive]
                                          [--skip-browser] [--json]

``--map``: the light map (Vega-Lite, the page's default) or the interactive one (deck.gl),
chosen by its toggle before the first timed visit and kept for the session, as a user does.

*Server*: one AppTest session opens the Overview, then the Map and Trends in turn, ``rounds``
times, and times each run of the Map (the first includes the process's first read of the
boundary file; the others are a visitor coming back to the page).

*Browser*: ``streamlit run app.py`` on loopback (demo mode) and Debian's chromium
(Playwright, no GPU: deck.gl draws with software WebGL). The Overview is opened by its deep
link, then the Map and Trends are chosen in the sidebar in turn, ``rounds`` times. For each
visit of the Map, from the click, as the page itself records them: the *rest of the page*
(its last element, the facilities' expander, in the page), the *map drawn* (the end of the
longest task of the page's main thread after deck.gl's canvas is created, in which its first
frame is drawn and read back; the canvas itself when there is no such task), and that task.

Prints figures; tests do not time anything. The store is the configured one (the demo's)
unless ``--store`` names another.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a file: python bench/map_revisit.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.page_weight import MAP_DRAWN  # noqa: E402

QUERY = "period=custom&from=2025-05-01&to=2025-07-31&lang=en"
CHROMIUM = "/usr/bin/chromium"
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TIMEOUT_MS = 180_000
LONG_TASK_S = 0.5
# In the page, from before its first script: when each element first appears, the main
# thread's long tasks, and when a run of the script ends.
MARKS_JS = """
window.__marks = [];
const mark = (name) => window.__marks.push([name, performance.now()]);
window.__mark = mark;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__marks.push(['task ' + e.duration, e.startTime]);
}).observe({entryTypes: ['longtask']});
const seen = new Set();
const watched = {
  canvas: __MAP_DRAWN__,
  rest: "[data-testid='stExpander']",
  status: "[data-testid='stStatusWidget']",
  spinner: "[data-testid='stSpinner']",
};
new MutationObserver(() => {
  for (const [name, selector] of Object.entries(watched)) {
    const there = !!document.querySelector(selector);
    if (there && !seen.has(name)) { seen.add(name); mark('+' + name); }
    if (!there && seen.has(name)) { seen.delete(name); }
  }
  const app = document.querySelector("[data-testid='stApp']");
  const state = app && app.getAttribute('data-test-script-state');
  if (state !== window.__state) { window.__state = state; mark('state ' + state); }
}).observe(document, {subtree: true, childList: true, attributes: true,
                      attributeFilter: ['data-test-script-state']});
""".replace("__MAP_DRAWN__", json.dumps(MAP_DRAWN))


INTERACTIVE_TOGGLE = "map_interactive_toggle"


def server_runs(rounds: int, interactive: bool = False) -> list[float]:
    """Seconds of each run of the Map in one AppTest session, Trends between them."""
    from streamlit.testing.v1 import AppTest

    from data_access.config import PROJECT_ROOT

    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=300)
    for key, value in (pair.split("=") for pair in QUERY.split("&")):
        at.query_params[key] = value
    at.run()
    if interactive:
        at.switch_page("views/map.py").run()
        at.toggle(key=INTERACTIVE_TOGGLE).set_value(True).run()
        at.switch_page("views/trends.py").run()
    times = []
    for _ in range(rounds):
        at.switch_page("views/map.py")
        started = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - started)
        if at.exception:
            raise SystemExit(f"the Map raised: {at.exception[0].message}")
        at.switch_page("views/trends.py").run()
    return times


def _visit(page, link: str) -> dict[str, float | None]:  # type: ignore[no-untyped-def]
    """Choose the page in the sidebar; once it is drawn, the times of its marks."""
    page.evaluate("window.__marks = []; window.__mark('click')")
    page.locator(f"[data-testid='stSidebarNavLink'][href$='/{link}']").click()
    if link == "map":
        page.wait_for_selector(MAP_DRAWN, timeout=TIMEOUT_MS)
        page.wait_for_selector("[data-testid='stExpander']", timeout=TIMEOUT_MS)
    page.wait_for_selector("[data-test-script-state='notRunning']", timeout=TIMEOUT_MS)
    page.wait_for_timeout(1500)  # the map's first frame, and any task after it
    marks = page.evaluate("window.__marks")
    clicked = next(at for name, at in marks if name == "click")
    seconds = [(name, (at - clicked) / 1000) for name, at in marks]
    first = {name: at for name, at in reversed(seconds)}
    canvas = first.get("+canvas")
    tasks = [
        (at, float(name.split()[1]) / 1000)
        for name, at in seconds
        if name.startswith("task ") and canvas is not None and at >= canvas - 0.05
    ]
    frame = max(tasks, key=lambda task: task[1], default=None)
    drawn = frame[0] + frame[1] if frame and frame[1] >= LONG_TASK_S else canvas
    return {
        "rest_of_page": first.get("+rest"),
        "map_drawn": drawn,
        "longest_task": frame[1] if frame else None,
        "status_shown": first.get("+status"),
        "spinner_shown": first.get("+spinner"),
    }


def browser_visits(
    env: dict[str, str], rounds: int, log: Path, interactive: bool = False
) -> list[dict]:
    """Each visit of the Map in one browser session, Trends between them."""
    from playwright.sync_api import sync_playwright

    from bench import server_memory

    server, port = server_memory.start(env, log)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.add_init_script(MARKS_JS)
            page.goto(f"http://127.0.0.1:{port}/?{QUERY}")
            page.wait_for_selector("[data-testid='stVegaLiteChart']", timeout=TIMEOUT_MS)
            page.wait_for_selector("[data-test-script-state='notRunning']", timeout=TIMEOUT_MS)
            if interactive:
                _visit(page, "map")
                page.get_by_text("Interactive map", exact=True).click()
                page.wait_for_selector(
                    "[data-testid='stDeckGlJsonChart'] canvas", timeout=TIMEOUT_MS
                )
                _visit(page, "trends")
            visits = []
            for _ in range(rounds):
                visits.append(_visit(page, "map"))
                _visit(page, "trends")
            browser.close()
    finally:
        server_memory.stop(server)
    return visits


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--store", help="the analytics store's URL (default: the configured one)")
    parser.add_argument("--rounds", type=int, default=2, help="visits of the Map")
    parser.add_argument(
        "--map", choices=["light", "interactive"], default="light", help="which map is drawn"
    )
    parser.add_argument("--skip-browser", action="store_true", help="the server's runs only")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")
    if args.store:
        os.environ["ANALYTICS_DB_URL"] = args.store

    from data_access.config import load_settings
    from data_access.engines import describe

    store_url = load_settings().store_url
    result: dict = {"store": describe(store_url), "load_average": os.getloadavg()}
    interactive = args.map == "interactive"
    result["map"] = args.map
    result["server_seconds"] = server_runs(args.rounds, interactive)
    if not args.skip_browser:
        from bench.data import app_environment

        with tempfile.TemporaryDirectory(prefix="map-revisit-") as folder:
            result["browser"] = browser_visits(
                app_environment(store_url), args.rounds, Path(folder) / "server.log", interactive
            )
    if args.json:
        json.dump(result, sys.stdout)
        return
    load = result["load_average"][0]
    print(f"the {args.map} map; store: {result['store']}; load average {load:.1f}")
    runs = result["server_seconds"]
    print(
        f"server, the Map's run: first visit {runs[0]:.2f} s, later visits "
        f"{', '.join(f'{s:.2f}' for s in runs[1:])} s"
        + (f" (median {statistics.median(runs[1:]):.2f})" if len(runs) > 2 else "")
    )
    if "browser" in result:
        print(f"{'browser, from the click':<26}{'rest of page':>14}{'map drawn':>12}{'task':>8}")
        for number, visit in enumerate(result["browser"], start=1):
            print(
                f"{'visit ' + str(number):<26}{_seconds(visit['rest_of_page']):>14}"
                f"{_seconds(visit['map_drawn']):>12}{_seconds(visit['longest_task']):>8}"
            )


if __name__ == "__main__":
    main()
