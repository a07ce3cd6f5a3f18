"""The analytics store on a real PostgreSQL server goes away, hangs and comes back while a
session is open: the page never shows a traceback, says what is unavailable, shows the
last figures it had with their refresh time, and is itself again once the store answers."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import DEMO_NOW, PG_ADMIN_URL
from views_helpers import HOME, JANUARY, open_page

from data_access.engines import source_engine, store_engine
from data_access.refresh import refresh
from i18n import Words

pytestmark = pytest.mark.postgres
EN = Words("en")
TIMEOUT_SECONDS = 2


@pytest.fixture
def pg_store(
    worked_source_url: str, postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The worked example refreshed into a PostgreSQL store; the dashboard pointed at it
    with a statement timeout of 2 s."""
    refresh(source_engine(worked_source_url), store_engine(postgres_url), now=DEMO_NOW)
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        f"[dashboard]\nstatement_timeout_seconds = {TIMEOUT_SECONDS}\n"
        '[access]\naudit_log = "store"\n'
    )
    monkeypatch.setenv("EHOSPITAL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ANALYTICS_DB_URL", postgres_url)
    monkeypatch.setenv("EHOSPITAL_SECRETS_FILE", str(secrets))
    yield postgres_url


def _admin() -> sa.Engine:
    return sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


def _cut_off(url: str, allowed: bool) -> None:
    """Refuse (or allow again) new connections to the store's database, and end the
    open ones (pg_terminate_backend), as a server restart or a network cut would."""
    name = sa.engine.make_url(url).database
    admin = _admin()
    with admin.connect() as conn:
        conn.execute(sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(allowed).lower()}'))
        if not allowed:
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
    admin.dispose()


def _texts(elements) -> list[str]:  # type: ignore[no-untyped-def]
    # as a reader sees them: without the invisible word joiners that keep a URL from a
    # link or a database row from being turned into a link (i18n/markdown.py)
    return [e.value.replace("\u2060", "") for e in elements]


def _tiles(at) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_store_lost_mid_session_shows_last_figures_and_recovers(
    pg_store: str, tmp_path: Path
) -> None:
    at = open_page(HOME, JANUARY)
    assert not at.exception and not at.warning
    before = _tiles(at)
    assert before[EN("figure.opd_registrations")] == "7"

    _cut_off(pg_store, allowed=False)
    try:
        at.run()
        assert not at.exception, at.exception
        assert _tiles(at) == before, "the last figures read stay on the page"
        warning = " ".join(_texts(at.warning))
        assert "does not answer" in warning and "refreshed 2026" in warning
        assert any("analytics store" in c for c in _texts(at.caption)), "names what is down"

        # a page never read before has no last figures: a plain message, no traceback
        at.switch_page("views/trends.py").run()
        assert not at.exception, at.exception
        assert EN("error.StoreUnavailable") in _texts(at.error)
        fallback = tmp_path / "data" / "audit-fallback.jsonl"
        views = [json.loads(line) for line in fallback.read_text().splitlines()]
        assert [(v["event"], v["page"]) for v in views] == [("page_view", "trends")], (
            "the audit log in the store cannot be written: the event is kept aside"
        )
    finally:
        _cut_off(pg_store, allowed=True)

    at.run()  # what the page's poll does once the store answers
    assert not at.exception and not at.warning and not at.error
    at.switch_page(HOME).run()
    assert _tiles(at) == before


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_a_query_that_hangs_is_cancelled_by_the_statement_timeout(pg_store: str) -> None:
    at = open_page(HOME, JANUARY)
    assert not at.exception
    admin = sa.create_engine(pg_store)
    with admin.connect() as locker:
        locker.execute(sa.text("LOCK TABLE summary_registrations_daily IN ACCESS EXCLUSIVE MODE"))
        locker.execute(sa.text("LOCK TABLE summary_registrations_detail IN ACCESS EXCLUSIVE MODE"))
        # the division's figures come from the district summary
        locker.execute(
            sa.text("LOCK TABLE summary_registrations_district_daily IN ACCESS EXCLUSIVE MODE")
        )
        started = time.monotonic()
        at.switch_page("views/trends.py").run()  # figures not read before: new queries
        waited = time.monotonic() - started
        assert not at.exception, at.exception
        shown = _texts(at.error) + _texts(at.warning)
        assert shown, "the page says the store does not answer"
        details = " ".join(_texts(at.caption))
        assert "statement timeout" in details
        locker.rollback()
    admin.dispose()
    # one wait of the timeout, not one per query of the page
    assert waited < 20 * TIMEOUT_SECONDS
    at.run()
    assert not at.exception and not at.error and not at.warning


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_store_unreachable_at_start_up_says_so(
    worked_source_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = sa.engine.make_url(PG_ADMIN_URL).set(port=1, database="nowhere")
    monkeypatch.setenv("ANALYTICS_DB_URL", url.render_as_string(hide_password=False))
    monkeypatch.setenv("EHOSPITAL_SECRETS_FILE", str(tmp_path / "none.toml"))
    at = open_page(HOME, JANUARY)
    assert not at.exception, at.exception
    assert EN("error.StoreUnavailable") in _texts(at.error)
    assert any("127.0.0.1:1/nowhere" in c for c in _texts(at.caption))
