"""The dashboard server's resident memory with several browser sessions open.

Starts ``streamlit run app.py`` on loopback on a given analytics store (demo mode: no
sign-in), opens ``sessions`` browser sessions with Playwright and Debian's chromium, each
visiting every page (sessions alternate between the two filter states of
``bench/page_render.py``; the sessions load each page at the same time), keeps them open,
and reads the server's ``VmHWM`` (peak) and ``VmRSS`` from ``/proc`` — with any child
processes' added.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from bench.data import BENCH_DIR
from bench.page_render import STATES
from data_access.config import PROJECT_ROOT
from ui.pages import PAGES

CHROMIUM = "/usr/bin/chromium"
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PAGE_TIMEOUT_MS = 180_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(env: dict[str, str], log: Path) -> tuple[subprocess.Popen, int]:
    """``streamlit run app.py`` on a free loopback port; returns once it answers."""
    port = _free_port()
    with log.open("ab") as out:
        server = subprocess.Popen(
            [
                *(sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "app.py")),
                *("--server.port", str(port), "--server.address", "127.0.0.1"),
                *("--server.headless", "true"),
                # No file watcher: a file edited while the benchmark runs (say, by someone
                # working in the same checkout) would make Streamlit drop modules from
                # sys.modules while sessions import them.
                *("--server.fileWatcherType", "none"),
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health") as answer:
                if answer.read() == b"ok":
                    return server, port
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError(f"the dashboard server did not start; see {log}") from None
            time.sleep(0.3)


def stop(server: subprocess.Popen) -> None:
    """End the server: asked first, killed after 30 s."""
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _status_kb(pid: int) -> dict[str, int]:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            values[key] = int(rest.split()[0])
    return values


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def memory(pid: int) -> dict[str, int]:
    """Peak and current resident bytes of the process and its children, together."""
    total = {"VmHWM": 0, "VmRSS": 0}
    for process in (pid, *_children(pid)):
        for key, kb in _status_kb(process).items():
            total[key] += kb * 1024
    return {"peak_rss_bytes": total["VmHWM"], "rss_bytes": total["VmRSS"]}


def _wait_until_done(tab) -> None:  # type: ignore[no-untyped-def]
    tab.wait_for_selector("[data-testid='stHeading']", timeout=PAGE_TIMEOUT_MS)
    tab.wait_for_timeout(300)  # the run starts
    tab.wait_for_function(
        "() => !document.querySelector(\"[data-testid='stStatusWidget']\")",
        timeout=PAGE_TIMEOUT_MS,
    )


def _visit_every_page(tabs: list, port: int) -> None:
    """Open the app in every tab, then move all tabs page by page through the navigation
    (one session per tab, as a visitor clicking through)."""
    for tab, params in tabs:
        query = f"?{urlencode(params)}" if params else ""
        tab.goto(f"http://127.0.0.1:{port}/{query}", wait_until="commit")
    for tab, _ in tabs:
        _wait_until_done(tab)
    for entry in PAGES[1:]:
        for tab, _ in tabs:
            tab.locator(f"[data-testid='stSidebarNavLink'][href$='/{entry.url_path}']").click()
        for number, (tab, _) in enumerate(tabs, start=1):
            try:
                tab.wait_for_url(f"**/{entry.url_path}*", timeout=PAGE_TIMEOUT_MS)
                _wait_until_done(tab)
            except Exception as exc:
                shot = BENCH_DIR / f"server-failure-{entry.name}-{number}.png"
                tab.screenshot(path=str(shot), full_page=True)
                raise RuntimeError(
                    f"session {number} did not show {entry.name}; see {shot}"
                ) from exc
            if tab.locator("[data-testid='stException']").count():
                raise RuntimeError(f"session {number}: {entry.name} raised an exception")


def measure(env: dict[str, str], sessions: int, log: Path) -> dict:
    from playwright.sync_api import sync_playwright

    server, port = start(env, log)
    try:
        at_start = memory(server.pid)
        started = time.perf_counter()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
            states = list(STATES.values())
            tabs = [
                (browser.new_context().new_page(), states[i % len(states)]) for i in range(sessions)
            ]
            _visit_every_page(tabs, port)
            seconds = time.perf_counter() - started
            with_sessions = memory(server.pid)
            browser.close()
    finally:
        stop(server)
    return {
        "sessions": sessions,
        "pages": len(PAGES),
        "seconds": seconds,
        "rss_at_start_bytes": at_start["rss_bytes"],
        **with_sessions,
        "cpus": os.cpu_count(),
    }
