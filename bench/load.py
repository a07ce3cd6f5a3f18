"""Load: many visitors at once moving between pages and changing filters, on one server.

    .venv/bin/python -m bench.load [--users 25] [--seconds 180] [--store URL] [--json]

Starts ``streamlit run app.py`` on loopback on the analytics store (by default the
configured one; demo mode, no sign-in, file watcher off: ``bench/server_memory.py``) and
drives ``--users`` simulated visitors, each a browser context of one Debian chromium run
by Playwright, for ``--seconds``. Visitors arrive one after another over the first minute
(a third of a shorter run). Each opens a page by a deep link with filters in the URL, then
loops: follows the sidebar navigation to another page, picks another period or district in
the sidebar, or now and then opens a new deep link (a new session); waits until the page
has rendered (Streamlit's run finished, nothing stale, the page's header shown, every
chart, map and image drawn) and records the time from its action to that moment; reads
the page for ``--think`` seconds on average (half to one and a half times it) and goes
on. A visitor starts no new action once the time is up, so the run ends within
``--seconds`` plus one ``--timeout``.

The browsers run on the same machine as the server, and a page drawn in chromium costs
several times the server's CPU for its run (on 2 cores: 1-2.5 s of the browser's against
0.2-0.4 s of the server's; the map, WebGL drawn in software, 3-5 s, and it keeps drawing
while open). With a short ``--think`` the browsers, not the server, saturate a small
machine; the server's and the browsers' CPU time are reported apart.

Errors, each counted by kind: an exception box, an ``st.error`` box, "Page not found", a
request to a host other than the server, a page not rendered within ``--timeout``, a
crashed page. The server's resident memory (``VmRSS`` of the process and its children) is
sampled every ``--sample-every`` seconds. The figures are printed and written as JSON to
``data/bench/load-<time>.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode, urlparse

from bench.data import BENCH_DIR, app_environment
from bench.page_render import STATES
from bench.report import megabytes
from bench.server_memory import BROWSER_ARGS, CHROMIUM, _children, memory, start, stop
from ui.pages import PAGES, PageEntry

PERIODS = ("last_7_days", "last_30_days", "last_90_days", "this_month", "last_month")
PERIODS += ("this_quarter", "fy_to_date", "fy")
"""The period presets a visitor picks in the sidebar (a custom range comes by deep link)."""
CUSTOM_RANGE = {"period": "custom", "from": "2025-05-01", "to": "2025-07-31"}
ACTIONS = (("navigate", 0.45), ("period", 0.25), ("district", 0.2), ("deep_link", 0.1))
"""What a visitor does next, and how often: mostly moves through the app, now and then opens
a shared link (a new session)."""
LANGUAGES = ("en", "hi")
KEPT_ERROR_SAMPLES = 20
RAMP_UP_SECONDS = 60.0
SCREENSHOTS = 5

# Counts the script runs that end (the app's state back to notRunning): Streamlit shows
# its running indicator only after 0.5 s, so a quick run could otherwise be missed and an
# old page taken for the new one. A busy browser may skip drawing "running" (React draws
# the last state), so any state before notRunning counts.
_RUN_COUNTER = """
window.__loadRunsFinished = 0;
new MutationObserver((records) => {
  records.forEach((record, i) => {
    const later = records.slice(i + 1).find((r) => r.target === record.target);
    const now = later ? later.oldValue : record.target.getAttribute("data-test-script-state");
    if (record.oldValue !== "notRunning" && now === "notRunning") window.__loadRunsFinished++;
  });
}).observe(document, {
  subtree: true, attributes: true, attributeOldValue: true,
  attributeFilter: ["data-test-script-state"],
});
"""

# True once the run after the action has ended and the page is drawn; or once an error
# shows (the caller then names it).
_RENDERED = """
([since, header, urlBefore]) => {
  const dialog = document.querySelector("[role='dialog']");
  if (dialog && dialog.innerText.includes("Page not found")) return true;
  const app = document.querySelector("[data-testid='stApp']");
  // A new run: counted by the observer, or — a run so fast that the script state never
  // showed "running" — seen by the filters it wrote into the link.
  const ran = window.__loadRunsFinished > since || (urlBefore && location.href !== urlBefore);
  if (!app || !ran) return false;
  if (app.getAttribute("data-test-script-state") !== "notRunning") return false;
  if (app.getAttribute("data-test-connection-state") !== "CONNECTED") return false;
  const main = document.querySelector("[data-testid='stMain']");
  if (!main || main.querySelector("[data-stale='true']")) return false;
  if (main.querySelector("[data-testid='stException'], [data-testid='stAlertContentError']"))
    return true;
  const headings = [...main.querySelectorAll("[data-testid='stHeading']")];
  if (!headings.some((h) => h.innerText.trim().split("\\n")[0] === header)) return false;
  // Everything the run sent is drawn: charts, maps, images; no placeholder left.
  if (main.querySelector("[data-testid='stSkeleton']")) return false;
  const drawn = (selector, inner) =>
    [...main.querySelectorAll(selector)].every((e) => e.querySelector(inner));
  if (!drawn("[data-testid='stVegaLiteChart']", "svg, canvas")) return false;
  if (!drawn("[data-testid='stDeckGlJsonChart']", "canvas")) return false;
  return [...main.querySelectorAll("[data-testid='stImage'] img")].every((i) => i.complete);
}
"""

_DIAGNOSIS = """
() => {
  const app = document.querySelector("[data-testid='stApp']");
  const main = document.querySelector("[data-testid='stMain']");
  return {
    runs: window.__loadRunsFinished,
    script: app && app.getAttribute("data-test-script-state"),
    connection: app && app.getAttribute("data-test-connection-state"),
    stale: main ? main.querySelectorAll("[data-stale='true']").length : null,
    skeletons: main ? main.querySelectorAll("[data-testid='stSkeleton']").length : null,
    undrawn: main ? [...main.querySelectorAll(
      "[data-testid='stVegaLiteChart'], [data-testid='stDeckGlJsonChart']")].filter(
      (e) => !e.querySelector("svg, canvas")).length : null,
    images_loading: main ? [...main.querySelectorAll("[data-testid='stImage'] img")].filter(
      (i) => !i.complete).length : null,
    headings: main ? [...main.querySelectorAll("[data-testid='stHeading']")].map(
      (h) => h.innerText.trim().split("\\n")[0]).slice(0, 4) : null,
  };
}
"""

_RUNS_FINISHED = "() => window.__loadRunsFinished ?? 0"

_PROBLEM = """
() => {
  const dialog = document.querySelector("[role='dialog']");
  if (dialog && dialog.innerText.includes("Page not found")) return "page not found";
  const main = document.querySelector("[data-testid='stMain']");
  if (main && main.querySelector("[data-testid='stException']")) return "exception box";
  if (main && main.querySelector("[data-testid='stAlertContentError']")) return "error box";
  return null;
}
"""


@dataclass
class Tally:
    """What every visitor recorded, together."""

    views: list[dict] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    error_samples: list[dict] = field(default_factory=list)
    foreign_requests: set[str] = field(default_factory=set)
    screenshots: list[str] = field(default_factory=list)
    screenshot_dir: Path = BENCH_DIR

    def error(self, kind: str, **detail: object) -> None:
        self.errors[kind] += 1
        if len(self.error_samples) < KEPT_ERROR_SAMPLES:
            self.error_samples.append({"kind": kind, **detail})


@dataclass(frozen=True)
class Site:
    """The server under load and what a visitor may ask of it."""

    port: int
    districts: tuple[int, ...]
    financial_years: tuple[int, ...]
    timeout_ms: int
    think_seconds: float

    def url(self, page: PageEntry, params: dict[str, str]) -> str:
        return f"http://127.0.0.1:{self.port}/{page.url_path or ''}?{urlencode(params)}"

    def random_params(self, rng: random.Random) -> dict[str, str]:
        """Filters as a shared link would carry them: a saved state, a preset or a range,
        one district or none."""
        choice = rng.random()
        if choice < 0.3:
            params = dict(rng.choice(list(STATES.values())))
        elif choice < 0.5:
            params = dict(CUSTOM_RANGE)
        else:
            params = {"period": rng.choice(PERIODS)}
            if params["period"] == "fy":
                params["fy"] = str(rng.choice(self.financial_years))
            if rng.random() < 0.5:
                params["district"] = str(rng.choice(self.districts))
        params["lang"] = rng.choice(LANGUAGES)
        return params


class Visitor:
    """One simulated visitor: a browser context that acts, waits for the page and pauses."""

    def __init__(self, number: int, site: Site, context, tally: Tally, seed: int) -> None:  # type: ignore[no-untyped-def]
        self.number = number
        self.site = site
        self.context = context
        self.tally = tally
        self.rng = random.Random(seed * 1000 + number)
        self.page_entry = PAGES[0]
        self.lang = "en"
        self.tab = None

    async def open_tab(self) -> None:
        self.tab = await self.context.new_page()
        await self.tab.add_init_script(_RUN_COUNTER)
        self.tab.set_default_timeout(self.site.timeout_ms)
        self.tab.on("crash", lambda _: self.tally.error("crashed page", visitor=self.number))
        self.tab.on("request", self._check_host)

    def _check_host(self, request) -> None:  # type: ignore[no-untyped-def]
        url = request.url
        if url.startswith(("data:", "blob:")) or urlparse(url).hostname == "127.0.0.1":
            return
        if url not in self.tally.foreign_requests:
            self.tally.foreign_requests.add(url)
            self.tally.error("request to another host", visitor=self.number, url=url)

    async def run_until(self, deadline: float) -> None:
        await self.open_tab()
        await self.act("deep_link")
        await _keep_acting(self, deadline)

    async def act(self, kind: str) -> None:
        """Do one action and wait for its page, within one timeout; a failed one is counted
        and the visitor starts again from a fresh deep link."""
        tab = self.tab
        # A new page shows itself by its header; a filter changed on the same page only by
        # a new run (a fast one may not show as running at all: then the header decides).
        before = -1 if kind in ("deep_link", "navigate") else await tab.evaluate(_RUNS_FINISHED)
        url_before = None if kind in ("deep_link", "navigate") else tab.url
        started = time.perf_counter()
        try:
            await asyncio.wait_for(
                self._act_and_wait(kind, before, url_before), self.site.timeout_ms / 1000
            )
            seconds = time.perf_counter() - started
            problem = await tab.evaluate(_PROBLEM)
        except Exception as exc:  # noqa: BLE001 - any failure of the page is what we count
            crashed = tab.is_closed() or "crash" in str(exc).lower()
            problem = "crashed page" if crashed else "not rendered in time"
            if isinstance(exc, WidgetIgnored):
                problem = "widget ignored the choice"
            if not crashed:  # a crash is counted by the tab's event
                self.tally.error(
                    problem,
                    **self._where(kind),
                    message=(str(exc).splitlines() or [type(exc).__name__])[0],
                    runs_before=before,
                    header=_header(self.page_entry, self.lang),
                    seen=await self._diagnosis(),
                )
            await self._recover(problem)
            return
        if problem:
            self.tally.error(problem, **self._where(kind))
            await self._recover(problem)
            return
        self.tally.views.append(
            {
                "visitor": self.number,
                "client": "browser",
                "action": kind,
                "page": self.page_entry.name,
                "seconds": seconds,
            }
        )

    async def _act_and_wait(self, kind: str, before: int, url_before: str | None) -> None:
        if kind == "deep_link":
            await self._deep_link()
        elif kind == "navigate":
            await self._navigate()
        elif kind == "period":
            await self._pick_period()
        else:
            await self._pick_district()
        await self.tab.wait_for_function(
            _RENDERED,
            arg=[before, _header(self.page_entry, self.lang), url_before],
            timeout=self.site.timeout_ms,
            polling=100,
        )

    async def _diagnosis(self) -> object:
        try:
            return await self.tab.evaluate(_DIAGNOSIS)
        except Exception as exc:  # noqa: BLE001 - the page may be gone
            return str(exc).splitlines()[0]

    def _where(self, kind: str) -> dict[str, object]:
        url = None if self.tab is None or self.tab.is_closed() else self.tab.url
        page = self.page_entry.name
        return {
            "visitor": self.number,
            "client": "browser",
            "action": kind,
            "page": page,
            "url": url,
        }

    async def _recover(self, problem: str) -> None:
        if len(self.tally.screenshots) < SCREENSHOTS and not self.tab.is_closed():
            shot = self.tally.screenshot_dir / f"load-error-{len(self.tally.screenshots) + 1}.png"
            try:
                await self.tab.screenshot(path=str(shot), full_page=True)
                self.tally.screenshots.append(str(shot))
            except Exception:  # noqa: BLE001 - a screenshot is a courtesy
                pass
        if self.tab.is_closed() or problem == "crashed page":
            await self.open_tab()

    async def _deep_link(self) -> None:
        self.page_entry = self.rng.choice(PAGES)
        params = self.site.random_params(self.rng)
        self.lang = params["lang"]
        await self.tab.goto(self.site.url(self.page_entry, params), wait_until="commit")

    async def _navigate(self) -> None:
        self.page_entry = self.rng.choice([p for p in PAGES if p != self.page_entry])
        links = self.tab.locator("[data-testid='stSidebarNavLink']")
        if self.page_entry.url_path is None:
            await links.first.click()
        else:
            await links.and_(self.tab.locator(f"[href$='/{self.page_entry.url_path}']")).click()

    async def _close_open_lists(self) -> None:
        """An options list left open (one that opened as the sidebar scrolled, or whose
        Escape went elsewhere) takes the next click: close it first by clicking an empty
        spot of the page, as a visitor would."""
        for _ in range(3):
            if not await self.tab.locator("[role='listbox']:visible").count():
                return
            await self.tab.keyboard.press("Escape")
            await self.tab.mouse.click(900, 40)  # the empty band above the title
            await self.tab.wait_for_timeout(300)

    async def _pick_period(self) -> None:
        await self._close_open_lists()
        widget = self.tab.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").first
        shown = await widget.locator("input").input_value()
        labels = [_word(self.lang, f"preset.{p}") for p in PERIODS]
        choice = self.rng.choice([label for label in labels if label != shown])
        for _ in range(3):  # a click lost to a list closing as the sidebar scrolls: again
            await _open_list(widget)
            await self.tab.get_by_role("option", name=choice, exact=True).click()
            if await _soon(lambda: widget.locator("input").input_value(), choice):
                return
        raise WidgetIgnored(f"the period list did not take {choice!r}")

    async def _pick_district(self) -> None:
        widget = self.tab.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first
        clear = widget.locator("button[aria-label='Clear all']")
        await self._close_open_lists()
        if await clear.count() and self.rng.random() < 0.5:
            for _ in range(3):
                await self._close_open_lists()
                if await clear.count():
                    await clear.click()
                if await _soon(lambda: widget.locator("[data-tag]").count(), 0):
                    return
            raise WidgetIgnored("the districts were not cleared")
        await _open_list(widget)
        options = self.tab.get_by_role("option")
        await options.first.wait_for()
        names = [name for name in await options.all_inner_texts() if name.strip() != "Select all"]
        if not names:  # every district chosen already
            await self.tab.keyboard.press("Escape")
            await clear.click()
            return
        choice = self.rng.choice(names)
        tags = widget.locator("[data-tag]")
        chosen = await tags.count()
        await self.tab.get_by_role("option", name=choice, exact=True).click(timeout=10_000)
        if not await _soon(tags.count, chosen + 1):
            raise WidgetIgnored(f"the district list did not take {choice!r}")
        await self.tab.keyboard.press("Escape")


class SessionVisitor:
    """A visitor without a browser: one Streamlit session over the app's WebSocket, spoken
    as Streamlit's own front end speaks it (``BackMsg`` and ``ForwardMsg`` protobufs). It
    asks the server for the same runs a browser visitor does, and draws nothing: the
    server's work without a browser's drawing, which on a small machine costs several
    times the server's (module docstring).

    Its actions, as a browser visitor's: a deep link (a new session on a page with filters
    in its query string); a move to another page in the same session (the filters as the
    app last wrote them into the link); another period, or a district picked or cleared,
    in the sidebar's widgets of the same session (the widgets' new values sent with the
    run, as the front end sends them). A
    run counts as rendered when the server says it finished and it drew the page's
    header; errors: an exception or ``st.error`` box in the run, "Page not found", a run
    not finished within the timeout, a widget that did not take the choice, a session
    that fails (a connection refused or dropped). A choice is taken when the run writes
    the new filters into the link, as the app does."""

    def __init__(self, number: int, site: Site, tally: Tally, seed: int) -> None:
        self.number = number
        self.site = site
        self.tally = tally
        self.rng = random.Random(seed * 1000 + number)
        self.page_entry = PAGES[0]
        self.lang = "en"
        self.query_string = ""
        self.socket = None
        self.widgets: dict[str, tuple[str, list[str], list[str]]] = {}
        """The sidebar's period (its first select box) and districts (its first
        multiselect) as the last run drew them: (widget id, options, chosen)."""

    async def run_until(self, deadline: float) -> None:
        try:
            await self.act("deep_link")
            await _keep_acting(self, deadline)
        finally:
            await self._close()

    async def act(self, kind: str, page: PageEntry | None = None) -> None:
        """Do one action (``page``: the page a deep link or a move opens, else one at
        random) and wait for its run; a failed one is counted, and the visitor's next
        action opens a new session."""
        widget = "period" if kind == "period" else "districts"
        choice: tuple[str, list[str]] | None = None
        if self.socket is None or kind == "deep_link" or widget not in self.widgets:
            kind = "deep_link"  # a new session with filters in its link
            self.page_entry = page or self.rng.choice(PAGES)
            params = self.site.random_params(self.rng)
            self.lang = params["lang"]
            self.query_string = urlencode(params)
            await self._close()
        elif kind == "navigate":
            self.page_entry = page or self.rng.choice([p for p in PAGES if p != self.page_entry])
        else:
            choice = self._choose(widget)
        started = time.perf_counter()
        link_before = self.query_string
        try:
            problem = await asyncio.wait_for(self._run(choice), self.site.timeout_ms / 1000)
            if problem is None and choice is not None:
                # The app writes the filters into the link: a choice taken changes it.
                if self.query_string == link_before:
                    problem = "widget ignored the choice"
                elif widget in self.widgets:  # the server does not echo a client's value
                    widget_id, options, _ = self.widgets[widget]
                    self.widgets[widget] = (widget_id, options, choice[1])
        except Exception as exc:  # noqa: BLE001 - any failure of the session is what we count
            timed_out = isinstance(exc, TimeoutError)
            self.tally.error(
                "run not finished in time" if timed_out else "session failed",
                **self._where(kind),
                message=(str(exc).splitlines() or [type(exc).__name__])[0],
            )
            await self._close()
            return
        if problem:
            self.tally.error(problem, **self._where(kind))
            await self._close()
            return
        self.tally.views.append(
            {
                "visitor": self.number,
                "client": "session",
                "action": kind,
                "page": self.page_entry.name,
                "seconds": time.perf_counter() - started,
            }
        )

    def _choose(self, widget: str) -> tuple[str, list[str]]:
        """Another value of the sidebar's period, or a district added or the districts
        cleared, as a visitor picks them: (widget id, the new value)."""
        widget_id, options, chosen = self.widgets[widget]
        if widget == "period":
            return widget_id, [self.rng.choice([o for o in options if o not in chosen])]
        left = [o for o in options if o not in chosen]
        if chosen and (not left or self.rng.random() < 0.5):
            return widget_id, []
        return widget_id, [*chosen, self.rng.choice(left)]

    async def _run(self, choice: tuple[str, list[str]] | None = None) -> str | None:
        """Ask for a run of the current page (with a widget's new value) and read the
        server's messages until it has finished; the problem it showed, if any."""
        from streamlit.proto.Alert_pb2 import Alert
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        from websockets.asyncio.client import connect

        if self.socket is None:
            self.socket = await connect(
                f"ws://127.0.0.1:{self.site.port}/_stcore/stream",
                subprotocols=["streamlit"],  # type: ignore[list-item]
                max_size=None,
                compression="deflate",  # as a browser asks (the server may decline)
            )
        ask = BackMsg()
        ask.rerun_script.query_string = self.query_string
        ask.rerun_script.page_name = self.page_entry.url_path or ""
        if choice is not None:
            state = ask.rerun_script.widget_states.widgets.add()
            state.id = choice[0]
            if self.widgets.get("period", ("",))[0] == choice[0]:
                state.string_value = choice[1][0]
            else:
                state.string_array_value.data.extend(choice[1])
        await self.socket.send(ask.SerializeToString())
        header = _header(self.page_entry, self.lang)
        problem, saw_header = None, False
        widgets: dict[str, tuple[str, list[str], list[str]]] = {}
        while True:
            message = ForwardMsg.FromString(await self.socket.recv())
            kind = message.WhichOneof("type")
            if kind == "page_not_found":
                problem = "page not found"
            elif kind == "page_info_changed":
                self.query_string = message.page_info_changed.query_string
            elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                element = message.delta.new_element
                shown = element.WhichOneof("type")
                if shown == "exception":
                    problem = problem or "exception box"
                elif shown == "alert" and element.alert.format == Alert.ERROR:
                    problem = problem or "error box"
                elif shown == "heading" and element.heading.body.strip() == header:
                    saw_header = True
                elif message.metadata.delta_path[:1] == [SIDEBAR]:
                    _note_filter(widgets, element)
            elif kind == "script_finished":
                status = message.script_finished
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    saw_header = False  # the run the app asked for follows
                    continue
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    return "exception box"
                if problem is None and not saw_header:
                    problem = "page header not drawn"
                self.widgets = widgets
                return problem

    def _where(self, kind: str) -> dict[str, object]:
        url = f"/{self.page_entry.url_path or ''}?{self.query_string}"
        return {"visitor": self.number, "client": "session", "action": kind, "url": url}

    async def _close(self) -> None:
        if self.socket is not None:
            socket, self.socket = self.socket, None
            with contextlib.suppress(Exception):  # a dropped connection is closed already
                await socket.close()


SIDEBAR = 1
"""The first number of a delta's path for an element of the sidebar (Streamlit's
RootContainer.SIDEBAR)."""


def _note_filter(widgets: dict[str, tuple[str, list[str], list[str]]], element) -> None:  # type: ignore[no-untyped-def]
    """Keep the sidebar's first select box (the period) and first multiselect (the
    districts) with their options and what is chosen."""
    kind = element.WhichOneof("type")
    if kind == "selectbox" and "period" not in widgets:
        box = element.selectbox
        options = list(box.options)
        if box.HasField("raw_value"):
            chosen = [box.raw_value]
        else:
            chosen = [options[box.default]] if box.HasField("default") else []
        widgets["period"] = (box.id, options, chosen)
    elif kind == "multiselect" and "districts" not in widgets:
        box = element.multiselect
        options = list(box.options)
        chosen = list(box.raw_values) if box.set_value else [options[i] for i in box.default]
        widgets["districts"] = (box.id, options, chosen)


async def _keep_acting(visitor: Visitor | SessionVisitor, deadline: float) -> None:
    """A visitor's loop after its first page: read for about ``--think`` seconds, then
    the next action drawn from ACTIONS, until the deadline."""
    while time.monotonic() < deadline:
        await asyncio.sleep(visitor.site.think_seconds * visitor.rng.uniform(0.5, 1.5))
        if time.monotonic() >= deadline:
            break
        kinds, weights = zip(*ACTIONS, strict=True)
        await visitor.act(visitor.rng.choices(kinds, weights)[0])


class WidgetIgnored(RuntimeError):
    """A sidebar widget did not take the visitor's choice."""


async def _soon(read, expected: object, seconds: float = 3.0) -> bool:  # type: ignore[no-untyped-def]
    """Whether ``await read()`` gives ``expected`` within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await read() == expected:
            return True
        await asyncio.sleep(0.1)
    return False


async def _open_list(widget) -> None:  # type: ignore[no-untyped-def]
    """Open a selectbox's or multiselect's list of options. The list closes when the
    sidebar scrolls, so the widget is scrolled into view first and the click is retried
    until the list stays open."""
    button = widget.locator("button[aria-haspopup='listbox']")
    for _ in range(5):
        if await button.get_attribute("aria-expanded") == "true":
            return
        await widget.scroll_into_view_if_needed()
        await widget.page.wait_for_timeout(300)
        await button.click()
        await widget.page.wait_for_timeout(300)


def _word(lang: str, key: str) -> str:
    from i18n import Words

    return Words(lang)(key)


def _header(page: PageEntry, lang: str) -> str:
    return _word(lang, f"{page.name}.header")


def _tree(pid: int) -> list[int]:
    """A process and all its descendants."""
    found = [pid]
    for child in _children(pid):
        found += _tree(child)
    return found


def _cpu_seconds(pids: list[int]) -> float:
    """CPU time (user and system) of these processes."""
    total = 0.0
    for process in pids:
        try:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _machine_busy_seconds() -> float:
    """CPU time every core of the machine has spent busy since boot (anyone's work)."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle, iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


class MemorySampler(threading.Thread):
    """The server's resident bytes (children included) every ``every`` seconds; and its
    CPU time and the machine's over the whole run."""

    def __init__(self, pid: int, every: float) -> None:
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.samples: list[tuple[float, int]] = []
        self.peak_hwm = 0
        self._began = time.monotonic()
        self._halt = threading.Event()
        self.cpu_at_start = _cpu_seconds(_tree(pid))
        self.machine_at_start = _machine_busy_seconds()
        self.server_cpu_seconds = self.machine_busy_seconds = 0.0
        self.browser_cpu_seconds = 0.0

    def elapsed(self) -> float:
        """Seconds since the sampler began, on its samples' clock."""
        return time.monotonic() - self._began

    def sample(self) -> None:
        try:
            now = memory(self.pid)
        except OSError:
            return
        self.samples.append((time.monotonic() - self._began, now["rss_bytes"]))
        self.peak_hwm = max(self.peak_hwm, now["peak_rss_bytes"])

    def run(self) -> None:
        while not self._halt.wait(self.every):
            self.sample()

    def stop(self) -> None:
        self._halt.set()
        self.join()
        self.sample()
        self.server_cpu_seconds = _cpu_seconds(_tree(self.pid)) - self.cpu_at_start
        self.machine_busy_seconds = _machine_busy_seconds() - self.machine_at_start


def _store_facts(store_url: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The districts and the financial years a link may name."""
    from data_access import queries
    from data_access.engines import store_engine
    from metrics.periods import fy_of

    engine = store_engine(store_url)
    try:
        districts = tuple(int(code) for code in queries.districts(engine)["lgd_code"])
        first_day, as_of = queries.data_span(engine)
    finally:
        engine.dispose()
    if first_day is None or as_of is None:
        raise SystemExit("the analytics store holds no registrations")
    return districts, tuple(range(fy_of(first_day), fy_of(as_of) + 1))


def browser_numbers(users: int, browsers: int) -> set[int]:
    """Which of the visitors 1..users come with a browser: spread evenly over the arrivals
    (the first visitor is one), so that browsers and sessions arrive mixed."""
    browsers = max(0, min(browsers, users))
    return {1 + (i * users) // browsers for i in range(browsers)} if browsers else set()


async def _drive(
    site: Site,
    users: int,
    browsers: int,
    seconds: float,
    seed: int,
    tally: Tally,
    sampler: MemorySampler,
) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        try:
            deadline = time.monotonic() + seconds
            visitors: list[Visitor | SessionVisitor] = []
            with_browser = browser_numbers(users, browsers)
            for number in range(1, users + 1):
                if number in with_browser:
                    context = await browser.new_context(viewport={"width": 1280, "height": 900})
                    visitors.append(Visitor(number, site, context, tally, seed))
                else:
                    visitors.append(SessionVisitor(number, site, tally, seed))

            ramp_up = min(RAMP_UP_SECONDS, seconds / 3)

            async def staggered(visitor: Visitor | SessionVisitor) -> None:
                # Visitors arrive one after another over the ramp-up, not in one instant.
                await asyncio.sleep((visitor.number - 1) * ramp_up / users)
                await visitor.run_until(deadline)

            hard_stop = seconds + 3 * site.timeout_ms / 1000 + 30
            await asyncio.wait_for(
                asyncio.gather(*(staggered(v) for v in visitors)), timeout=hard_stop
            )
        finally:
            ours = set(_tree(os.getpid())) - {os.getpid()} - set(_tree(sampler.pid))
            sampler.browser_cpu_seconds = _cpu_seconds(sorted(ours))
            await browser.close()


def run(
    store_url: str,
    env: dict[str, str],
    *,
    users: int = 25,
    browsers: int = 5,
    seconds: float = 180,
    think_seconds: float = 30.0,
    timeout_seconds: float = 60,
    sample_every: float = 3.0,
    seed: int = 0,
    rounds: int = 1,
    log: Path,
) -> dict:
    """Load one server on ``store_url`` (its environment ``env``); the figures as a dict.

    ``rounds``: the same visitors make the same visits (the same seed: the same pages,
    filters and pauses) that many times, each ``seconds`` long with a new browser and new
    sessions, on the one server. What a round's visits ask of the caches the round before
    already holds; memory that still grows from one round's end to the next is kept per
    view or per session (``memory_levels``)."""
    districts, years = _store_facts(store_url)
    load_before = os.getloadavg()
    server, port = start(env, log)
    tally = Tally(screenshot_dir=log.parent)
    sampler = MemorySampler(server.pid, sample_every)
    try:
        sampler.sample()
        sampler.start()
        site = Site(port, districts, years, int(timeout_seconds * 1000), think_seconds)
        started = time.monotonic()
        round_ends: list[float] = []
        for _ in range(rounds):
            asyncio.run(_drive(site, users, browsers, seconds, seed, tally, sampler))
            round_ends.append(sampler.elapsed())
        elapsed = time.monotonic() - started
        sampler.stop()
        server_alive = server.poll() is None
    finally:
        stop(server)
    if not server_alive:
        tally.error("server exited")
    return summarise(
        tally,
        sampler,
        users=users,
        browsers=len(browser_numbers(users, browsers)),
        seconds=seconds,
        rounds=rounds,
        round_ends=round_ends,
        elapsed=elapsed,
        think_seconds=think_seconds,
        timeout_seconds=timeout_seconds,
        load_before=load_before,
    )


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile: the smallest value at or above ``fraction`` of them."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def _times(views: list[dict]) -> dict[str, float | None]:
    times = [view["seconds"] for view in views]
    return {
        "p50": percentile(times, 0.5),
        "p95": percentile(times, 0.95),
        "max": max(times, default=None),
    }


def summarise(tally: Tally, sampler: MemorySampler, **run_facts: object) -> dict:
    rss = [value for _, value in sampler.samples]
    return {
        **run_facts,
        "when": datetime.now().isoformat(timespec="seconds"),
        "commit": _commit(),
        "cpus": os.cpu_count(),
        "load_after": os.getloadavg(),
        "page_views": len(tally.views),
        "views_by_action": dict(Counter(view["action"] for view in tally.views)),
        "views_by_page": dict(Counter(view["page"] for view in tally.views)),
        "errors": sum(tally.errors.values()),
        "errors_by_kind": dict(tally.errors),
        "error_samples": tally.error_samples,
        "screenshots": tally.screenshots,
        "views_by_client": dict(Counter(view["client"] for view in tally.views)),
        # a browser's view: its action to the page drawn; a session's: its request to the
        # run's end (nothing to draw)
        "seconds_to_rendered": _times([v for v in tally.views if v["client"] == "browser"]),
        "seconds_to_run_finished": _times([v for v in tally.views if v["client"] == "session"]),
        "rss_bytes": {
            "start": rss[0] if rss else None,
            "peak": max(rss, default=None),
            "end": rss[-1] if rss else None,
            "peak_hwm": sampler.peak_hwm,
        },
        "rss_samples": sampler.samples,
        "views": tally.views,
        "server_cpu_seconds": sampler.server_cpu_seconds,
        "browser_cpu_seconds": sampler.browser_cpu_seconds,
        "machine_busy_cpu_seconds": sampler.machine_busy_seconds,
    }


def memory_levels(samples: list[tuple[float, int]], round_ends: list[float]) -> list[int]:
    """The server's resident size at the end of each round: the median of the samples in
    the round's last quarter (a median ignores the passing peak of a run in flight).

    A round's visits repeat the round before's, so the caches they fill are full by the
    end of the first round: a level that still rises from round to round is memory kept
    per view or per session (a leak), which a check within one run cannot tell from caches
    filling (docs/reliability.md). A round with no sample in its last quarter is an
    error, not a pass."""
    levels, start = [], 0.0
    for end in round_ends:
        tail = [rss for at, rss in samples if end - (end - start) / 4 <= at <= end]
        if not tail:
            raise ValueError(f"no memory sample in the last quarter of the round ending at {end}")
        levels.append(int(statistics.median(tail)))
        start = end
    return levels


def _commit() -> str:
    from bench.run import code_version

    return str(code_version()["commit"])


def describe(result: dict) -> str:
    rss = result["rss_bytes"]

    def secs(value: float | None) -> str:
        return "–" if value is None else f"{value:.2f} s"

    kinds = ", ".join(f"{k}: {n}" for k, n in result["errors_by_kind"].items()) or "none"
    return "\n".join(
        [
            f"users {result['users']} ({result['browsers']} in a browser, the others "
            f"sessions without one), {result['rounds']} × {result['seconds']:.0f} s "
            f"(ran {result['elapsed']:.0f} s, think {result['think_seconds']:.1f} s), "
            f"{result['cpus']} cores, commit {result['commit']}",
            f"page views {result['page_views']} "
            f"(by {', '.join(f'{k} {n}' for k, n in sorted(result['views_by_client'].items()))}; "
            f"{', '.join(f'{k} {n}' for k, n in sorted(result['views_by_action'].items()))})",
            f"errors {result['errors']} ({kinds})",
            *(
                f"{what}: p50 {secs(times['p50'])}, p95 {secs(times['p95'])}, "
                f"max {secs(times['max'])}"
                for what, times in (
                    ("browsers, time to rendered page", result["seconds_to_rendered"]),
                    ("sessions, time to finished run", result["seconds_to_run_finished"]),
                )
            ),
            f"server memory: start {megabytes(rss['start'])}, peak {megabytes(rss['peak'])}, "
            f"end {megabytes(rss['end'])} (VmHWM {megabytes(rss['peak_hwm'])}); at each "
            "round's end: "
            + ", ".join(
                megabytes(level)
                for level in memory_levels(result["rss_samples"], result["round_ends"])
            ),
            "load average before {:.2f} {:.2f} {:.2f}, after {:.2f} {:.2f} {:.2f}".format(
                *result["load_before"], *result["load_after"]
            ),
            f"CPU time: server {result['server_cpu_seconds']:.0f} s, browsers "
            f"{result['browser_cpu_seconds']:.0f} s, whole machine "
            f"{result['machine_busy_cpu_seconds']:.0f} s "
            f"busy of {result['elapsed'] * result['cpus']:.0f} s (other work included)",
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--users", type=int, default=25, help="simulated visitors (25)")
    parser.add_argument(
        "--browsers",
        type=int,
        default=5,
        help="of them, how many in chromium (5); the others are sessions without a browser",
    )
    parser.add_argument(
        "--seconds", type=float, default=180, help="how long they act, each round (180)"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="the same visits again on the same server, to tell a leak from caches (1)",
    )
    parser.add_argument(
        "--think", type=float, default=30.0, help="mean pause between actions (30 s: 15-45 s)"
    )
    parser.add_argument("--timeout", type=float, default=60, help="a page not drawn by then: error")
    parser.add_argument("--sample-every", type=float, default=3.0, help="memory samples, s")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--store", help="the analytics store's URL (default: the configured one)")
    parser.add_argument("--json", action="store_true", help="print the JSON instead")
    args = parser.parse_args(argv)
    if args.store:
        os.environ["ANALYTICS_DB_URL"] = args.store

    from data_access.config import load_settings
    from data_access.engines import store_engine
    from data_access.store import store_is_built

    store_url = load_settings().store_url
    if not store_is_built(store_engine(store_url)):
        raise SystemExit("build the analytics store first: ehospital-dashboard refresh")
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    result = run(
        store_url,
        app_environment(store_url),
        users=args.users,
        browsers=args.browsers,
        seconds=args.seconds,
        think_seconds=args.think,
        timeout_seconds=args.timeout,
        sample_every=args.sample_every,
        seed=args.seed,
        rounds=args.rounds,
        log=BENCH_DIR / "load-server.log",
    )
    out = BENCH_DIR / f"load-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(result, indent=2, default=str))
    if args.json:
        print(json.dumps(result, default=str))
        return
    print(describe(result))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
