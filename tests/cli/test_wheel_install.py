"""A non-editable install: the wheel, built from the checkout and installed into a fresh
environment outside it, serves the dashboard, and writes its store into the working
directory's data/, never into site-packages (the slow test); `serve` finds the app it
ships, or says that it is missing (the quick ones).

The fresh environment gets the dashboard's dependencies from this one's site-packages (a
.pth file), so that nothing is downloaded; the wheel itself is installed by pip, without
its dependencies, before that path is added. Every command runs from a folder outside the
checkout, so nothing of it is importable."""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
import urllib.request
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import urlparse
from zipfile import ZipFile

import pytest
from conftest import IN_CI, free_port

from bench.server_memory import BROWSER_ARGS, CHROMIUM
from cli.main import APP_PACKAGE, app_script, main
from data_access import config
from data_access.config import PROJECT_ROOT
from data_access.errors import DashboardError
from ui.pages import PAGE_FILES

SMALL_DEMO = {  # two facilities in two districts, one quarter: a source made in 2 s
    "facility_ids": ["IN2210000104", "IN2210000102"],
    "start": date(2025, 5, 1),
    "end": date(2025, 7, 31),
}
NOT_SOURCES = {".git", ".venv", "data", "artifacts", "build", "tests", "bench", "docs"}
LOCAL_SETTINGS = {"secrets.toml", "access.toml"}  # a machine's own, never copied


def _need_browser() -> None:
    try:
        import playwright  # noqa: F401
    except ImportError:
        reason = "playwright is not installed (pip install -e '.[test]')"
    else:
        reason = None if Path(CHROMIUM).exists() else f"{CHROMIUM} is missing"
    if reason:
        if IN_CI:
            pytest.fail(f"CI=true and {reason}: the browser tests must run in CI")
        pytest.skip(reason)


def _sources(folder: str, names: list[str]) -> set[str]:
    """What a copy of the checkout leaves out: local state, caches, what is not packaged."""
    skip = {n for n in names if n == "__pycache__" or n.endswith((".egg-info", "_cache"))}
    skip |= LOCAL_SETTINGS & set(names)
    if Path(folder) == PROJECT_ROOT:
        skip |= NOT_SOURCES & set(names)
    return skip


def build_wheel(tmp: Path) -> Path:
    """The wheel of the checkout as it is, built offline from a copy (the build writes
    build/ and the egg-info into its source folder: not into the shared checkout)."""
    source = tmp / "source"
    shutil.copytree(PROJECT_ROOT, source, ignore=_sources)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    built = subprocess.run(
        [*pip, "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index"]
        + ["-w", str(tmp / "dist"), str(source)],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = (tmp / "dist").glob("ehospital_dashboard-*.whl")
    return wheel


def fresh_environment(tmp: Path, wheel: Path) -> tuple[Path, Path]:
    """A new virtual environment with the wheel installed; returns it and its site-packages."""
    env = tmp / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    python = env / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--python", str(python)]
    installed = subprocess.run(
        [*pip, "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
        capture_output=True,
        text=True,
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    site_packages = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    # The dependencies, from this environment: its site-packages, not the checkout.
    ours = dict.fromkeys([sysconfig.get_path("purelib"), sysconfig.get_path("platlib")])
    (site_packages / "dashboard_dependencies.pth").write_text(
        "".join(f"{path}\n" for path in ours), encoding="utf-8"
    )
    return env, site_packages


def files_under(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(path.relative_to(folder)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in folder.rglob("*")
        if path.is_file()
    }


def outside_env(tmp: Path, bin_dir: Path) -> dict[str, str]:
    """The environment variables of a user of the installed package: none of ours."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("EHOSPITAL_", "STREAMLIT_", "PYTHON", "VIRTUAL_ENV"))
        and key not in ("REGISTRATIONS_DB_URL", "ANALYTICS_DB_URL")
    }
    (tmp / "home").mkdir(exist_ok=True)
    env["HOME"] = str(tmp / "home")  # no ~/.streamlit of this machine
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return env


def wait_for_health(server: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health") as r:
                if r.read() == b"ok":
                    return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"the installed dashboard did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)


def imports_in(python: Path, cwd: Path, env: dict[str, str]) -> tuple[dict, list[str]]:
    """Where the installed interpreter, run from ``cwd``, finds the dashboard's code (None:
    nowhere), and its sys.path."""
    names = ("cli", "ui", "data_access", f"{APP_PACKAGE}.app", "views")
    probe = (
        "import importlib.util as u, json, sys\n"
        "spec = lambda name: u.find_spec(name) and u.find_spec(name).origin\n"
        f"print(json.dumps([{{n: spec(n) for n in {names!r}}}, sys.path]))"
    )
    found = subprocess.run(
        [str(python), "-c", probe], cwd=cwd, env=env, capture_output=True, text=True
    )
    assert found.returncode == 0, found.stderr
    origins, path = json.loads(found.stdout)
    return origins, path


def overview_in_browser(port: int) -> list[str]:
    """Open the dashboard in chromium, wait for the Overview and its tiles, check that no
    exception shows; returns the requests made to any other host."""
    from playwright.sync_api import sync_playwright

    foreign: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on(
            "request",
            lambda request: (
                urlparse(request.url).hostname not in ("127.0.0.1", "localhost")
                and not request.url.startswith(("data:", "blob:"))
                and foreign.append(request.url)
            ),
        )
        page.goto(f"http://127.0.0.1:{port}/?lang=en")
        page.get_by_role("heading", name="Overview", exact=True).wait_for(timeout=60_000)
        page.wait_for_selector("[data-testid='stMetric']", timeout=60_000)
        page.wait_for_timeout(1500)
        body = page.inner_text("body")
        assert page.locator("[data-testid='stException']").count() == 0, body[:2000]
        browser.close()
    return foreign


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The command as an installed wheel runs it: its code in a site-packages folder (no
    app.py or pyproject.toml there), run from another folder, which is returned."""
    site_packages = tmp_path / "site-packages"
    site_packages.mkdir()
    monkeypatch.setattr(config, "PROJECT_ROOT", site_packages)
    monkeypatch.syspath_prepend(str(site_packages))
    # An editable install of the checkout maps ehospital_app to the checkout itself (the
    # package-dir of pyproject.toml), by a finder and a path hook; an installed wheel has
    # neither.
    editable = [f for f in sys.meta_path if "__editable__" in getattr(f, "__module__", "")]
    monkeypatch.setattr(sys, "meta_path", [f for f in sys.meta_path if f not in editable])
    monkeypatch.setattr(sys, "path", [p for p in sys.path if "__editable__" not in p])
    for name in ("EHOSPITAL_DATA_DIR", "EHOSPITAL_SECRETS_FILE", "ANALYTICS_DB_URL"):
        monkeypatch.delenv(name, raising=False)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    yield work
    for name in (APP_PACKAGE, f"{APP_PACKAGE}.app"):
        sys.modules.pop(name, None)


def shipped_app() -> Path:
    """The app.py a wheel ships, in the site-packages of the ``installed`` fixture."""
    app = config.PROJECT_ROOT / APP_PACKAGE / "app.py"
    app.parent.mkdir()
    app.write_text("")
    importlib.invalidate_caches()
    return app


def test_serve_runs_the_checkouts_app_from_the_checkout() -> None:
    assert app_script() == PROJECT_ROOT / "app.py"


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_installed_serve_runs_the_shipped_app_on_the_working_directorys_data(
    installed: Path, worked_source_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = shipped_app()
    started: list[tuple[list[str], dict[str, str]]] = []
    moved: list[Path] = []
    monkeypatch.setattr("os.execve", lambda path, args, env: started.append((args, env)))
    monkeypatch.setattr("os.chdir", lambda path: moved.append(Path(path)))

    assert main(["serve", "--db", worked_source_url, "--port", "8999"]) == 0
    ((args, env),) = started
    assert args[3:] == ["run", str(app), "--server.port", "8999"]
    assert env["EHOSPITAL_DATA_DIR"] == str(installed / "data")
    assert moved == [installed], "Streamlit runs where the settings' secrets.toml is"
    (store,) = (installed / "data").glob("*.sqlite")
    assert store.name.startswith("analytics-"), "the store of the --db source, in ./data"


def test_installed_without_the_app_serve_says_so_before_it_makes_anything(
    installed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(DashboardError, match="reinstall"):
        app_script()
    assert main(["serve"]) == 2
    assert f"({APP_PACKAGE}/app.py) is not installed" in capsys.readouterr().err
    assert not (installed / "data").exists()


@pytest.mark.slow
def test_the_built_wheel_installed_elsewhere_serves_the_dashboard(tmp_path: Path) -> None:
    _need_browser()
    from demo.generator import generate_demo

    wheel = build_wheel(tmp_path)
    with ZipFile(wheel) as archive:
        shipped = set(archive.namelist())
    for script in ("app.py", *PAGE_FILES, ".streamlit/config.toml"):
        assert f"ehospital_app/{script}" in shipped, f"{script} is not in the wheel"
    assert not [name for name in shipped if "secrets.toml" in name or name.startswith("data/")]

    environment, site_packages = fresh_environment(tmp_path, wheel)
    bin_dir = environment / "bin"
    site = tmp_path / "site"  # where the user runs the command: its data/ is the default
    site.mkdir()
    env = outside_env(tmp_path, bin_dir)

    origins, path = imports_in(bin_dir / "python", site, env)
    assert origins.pop("views") is None, "the checkout's views/ is importable"
    for name, origin in origins.items():
        assert origin and Path(origin).is_relative_to(site_packages), f"{name} is {origin}"
    assert str(PROJECT_ROOT) not in path

    (site / "data").mkdir()
    generate_demo(site / "data" / "demo-registrations.sqlite", **SMALL_DEMO)
    before = files_under(environment)

    command = str(bin_dir / "ehospital-dashboard")
    refreshed = subprocess.run(
        [command, "refresh"], cwd=site, env=env, capture_output=True, text=True
    )
    assert refreshed.returncode == 0, refreshed.stderr
    assert (site / "data" / "analytics-demo.sqlite").is_file(), "the store is not in ./data"

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    figures = subprocess.run(
        [command, "figures", "--format", "json"],
        cwd=elsewhere,
        env={**env, "EHOSPITAL_DATA_DIR": str(site / "data")},
        capture_output=True,
        text=True,
    )
    assert figures.returncode == 0, figures.stderr
    assert json.loads(figures.stdout)[0]["opd_registrations"] > 0
    assert not list(elsewhere.iterdir()), "EHOSPITAL_DATA_DIR was not where the data went"

    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [command, "serve", "--port", str(port)],
            cwd=site,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_health(server, port, log)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as response:
            assert response.status == 200
            assert b'<div id="root">' in response.read()

        foreign = overview_in_browser(port)
    finally:
        server.terminate()
        server.wait(timeout=20)

    served = log.read_text(errors="replace")
    # The shipped .streamlit/config.toml applies: it names the address Streamlit prints, so
    # that Streamlit does not look up the machine's external IP on the internet.
    assert f"URL: http://localhost:{port}" in served, served[-3000:]
    assert "External URL" not in served
    assert not foreign, f"requests to other hosts: {foreign[:5]}"
    assert (site / "data" / "audit.jsonl").is_file(), "the page view was not audited in ./data"
    now = files_under(environment)
    written = sorted(
        name for name in now.keys() | before.keys() if now.get(name) != before.get(name)
    )
    assert not written, f"the dashboard wrote into its installed environment: {written[:10]}"
