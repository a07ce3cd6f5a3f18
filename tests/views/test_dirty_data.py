"""A registration database with every kind of problem the counting rules name, and more:
every page, export and command works on it, every problem is counted on the data-quality
view, all rows are accounted for, and names holding HTML are shown as text.

On top of the worked example (tests/conftest.py: null and unknown facility, exact and
differing duplicates, null, unreadable (SQLite) and future timestamps, odd case and
spaces, unlisted values, malformed and hyphenated ABHA numbers, a facility without
coordinates, a district without facilities) this adds: registry names with HTML, quotes,
an ampersand, emoji and Devanagari combining marks; a facility with no registrations; a
district named with HTML and without a boundary; a registration without an id. And an
empty database.
"""

from __future__ import annotations

import html
import json
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import DEMO_NOW, F_HTML, HTML_NAME, _row
from views_helpers import JANUARY, open_page

from cli.main import main
from data_access import queries
from data_access.contract import source_metadata
from data_access.engines import source_engine, store_engine
from data_access.refresh import refresh
from i18n import Words
from i18n.markdown import literal
from metrics.quality import reconcile
from ui.pages import PAGE_FILES

EN = Words("en")


def _raw_rows(url: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        n = conn.execute(sa.text("SELECT count(*) FROM opd_registrations")).scalar()
    engine.dispose()
    return int(n)


def test_every_row_is_accounted_for(dirty_source_url: str, tmp_path: Path) -> None:
    """All rows = counted + each excluded kind, on both engines, after a full refresh and
    after an incremental one that brings a late duplicate."""
    store = store_engine(f"sqlite:///{tmp_path / 'store.sqlite'}")
    source = source_engine(dirty_source_url)
    refresh(source, store, now=DEMO_NOW)
    books = reconcile(*queries.row_accounts(store))
    assert books.source_rows == _raw_rows(dirty_source_url)
    assert books.balances, books
    assert books.excluded["duplicate"] >= 3  # r3, r10 and the copy without an id
    assert books.excluded["unknown_facility"] == 2
    engine = sa.create_engine(dirty_source_url)
    with engine.begin() as conn:
        conn.execute(
            source_metadata(with_keys=False).tables["opd_registrations"].insert(),
            _row("h1", F_HTML, datetime(2025, 1, 20, 9), "00-1234-5678-9011"),
        )
    engine.dispose()
    refresh(source, store, now=datetime(2026, 11, 26, 13), complete_check_hours=0)
    later = reconcile(*queries.row_accounts(store))
    assert later.source_rows == books.source_rows + 1
    assert later.balances and later.excluded["duplicate"] == books.excluded["duplicate"] + 1


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("lang", ["en", "hi"])
@pytest.mark.parametrize(
    "state",
    [JANUARY, {**JANUARY, "facility": F_HTML}, {**JANUARY, "district": "650"}],
    ids=["division", "html-named facility", "district without facilities"],
)
@pytest.mark.parametrize("page", PAGE_FILES)
def test_every_page_renders_on_dirty_data(dirty_store: str, page: str, state, lang) -> None:
    at = open_page(page, {**state, "lang": lang})
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_data_quality_view_counts_every_problem_and_balances(dirty_store: str) -> None:
    at = open_page(
        "views/data_quality.py", {"period": "custom", "from": "2024-01-01", "to": "2026-11-26"}
    )
    assert not at.exception, at.exception
    tiles = {m.label: m.value for m in at.metric}
    for kind in (
        "duplicate",
        "unknown_facility",
        "invalid_timestamp",
        "before_go_live",
        "malformed_abha",
        "nonstandard_channel",
        "nonstandard_visit_type",
        "nonstandard_gender",
    ):
        assert tiles[EN(f"quality.{kind}")] not in ("0", None), kind
    assert any(
        EN("data_quality.accounts_balance", rows=EN.count(_raw_rows_of_store(dirty_store)))
        == s.value
        for s in at.success
    )


def _raw_rows_of_store(store_url: str) -> int:
    return int(queries.store_state(store_engine(store_url))["source_rows"])


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_html_in_names_is_text_in_the_facility_page(dirty_store: str) -> None:
    """The name arrives in the page's Markdown written to show as the registry wrote it
    (``i18n.markdown.literal``: no tag, no link, no emphasis; issue 17), not as markup; the
    map's tooltip escapes it, tests/geo."""
    at = open_page("views/facility.py", {**JANUARY, "facility": F_HTML})
    assert not at.exception
    texts = [e.value for e in (*at.header, *at.subheader, *at.caption, *at.markdown)]
    assert any(literal(HTML_NAME) in str(t) for t in texts), texts
    assert not any(HTML_NAME in str(t) for t in texts), "the name's markup is escaped"


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_map_tooltip_gets_names_escaped(dirty_store: str) -> None:
    """deck.gl writes a tooltip's values into the page as HTML: the map hands it the
    names escaped, so the markup shows as text and no script runs."""
    at = open_page("views/map.py", JANUARY)
    at.toggle(key="map_interactive_toggle").set_value(True).run()
    assert not at.exception
    (deck,) = at.get("deck_gl_json_chart")
    spec = json.loads(deck.proto.json)
    points = [
        point
        for layer in spec["layers"]
        if isinstance(layer.get("data"), list)
        for point in layer["data"]
        if isinstance(point, dict) and point.get("facility_id") == F_HTML
    ]
    assert [p["name"] for p in points] == [html.escape(HTML_NAME)]
    assert "<script>" not in deck.proto.json


def _cli(capsys, *args: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_every_command_works_on_dirty_data(
    dirty_source_url: str, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EHOSPITAL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("EHOSPITAL_SECRETS_FILE", str(tmp_path / "none.toml"))
    store = f"sqlite:///{tmp_path / 'store.sqlite'}"
    db = ["--db", dirty_source_url]
    both = [*db, "--store", store]
    period = ["--from", "2025-01-01", "--to", "2025-01-31"]
    commands = [
        ["refresh", *both, "--full"],
        ["check", *db],
        ["figures", *both, *period, "--by", "facility", "--format", "csv"],
        ["figures", *db, "--source", *period, "--by", "facility"],
        ["data-quality", *both, "--by-facility"],
        ["health", *both],
    ]
    from press import kit

    out_dir = tmp_path / "releases"
    out_dir.mkdir()
    for chart in kit.chart_names():
        for fmt in ("svg", "csv", "xlsx", "txt"):
            commands.append(
                [
                    "export",
                    *both,
                    "--chart",
                    chart,
                    *period,
                    "--format",
                    fmt,
                    "--out",
                    str(out_dir),
                    "--lang",
                    "hi" if fmt == "svg" else "en",
                ]
            )
    for command in commands:
        code, out, err = _cli(capsys, *command)
        assert code == 0, (command, err)
        assert "Traceback" not in out + err
    figures = _cli(capsys, "figures", *both, *period, "--by", "facility")[1]
    assert HTML_NAME in figures, "names leave as the registry wrote them"
    for svg in out_dir.glob("*.svg"):
        text = svg.read_text(encoding="utf-8")
        assert "<script" not in text, f"{svg.name}: a name's markup got into the SVG"
        import xml.etree.ElementTree as ET

        ET.fromstring(text)  # well-formed: every name escaped


def test_an_empty_database_works(
    empty_source_url: str, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No districts, no facilities, no registrations: the refresh, the commands and every
    page say there is nothing yet."""
    monkeypatch.setenv("EHOSPITAL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("EHOSPITAL_SECRETS_FILE", str(tmp_path / "none.toml"))
    store = f"sqlite:///{tmp_path / 'store.sqlite'}"
    both = ["--db", empty_source_url, "--store", store]
    for command in (
        ["refresh", *both],
        ["check", "--db", empty_source_url],
        ["figures", *both],
        ["data-quality", *both],
    ):
        code, out, err = _cli(capsys, *command)
        assert code in (0, 1), (command, err)
        assert "Traceback" not in out + err
    books = reconcile(*queries.row_accounts(store_engine(store)))
    assert books.source_rows == 0 and books.balances
    monkeypatch.setenv("ANALYTICS_DB_URL", store)
    for page in PAGE_FILES:
        at = open_page(page, {})
        assert not at.exception, (page, at.exception)
        assert EN("app.no_registrations") in [i.value for i in at.info]
