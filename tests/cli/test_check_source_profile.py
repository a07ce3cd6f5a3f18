"""``check`` names the indexes the source lacks and the forms of its timestamps, on each
engine, after what it printed before; a missing index is a note, not a failure."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from conftest import worked_example_rows

from cli.main import main

pytestmark = pytest.mark.usefixtures("isolated_config")


def _check(capsys: pytest.CaptureFixture[str], url: str) -> str:
    code = main(["check", "--db", url])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Traceback" not in out + err
    return out


def test_check_names_a_missing_index_and_the_forms(worked_source_url: str, capsys) -> None:
    engine = sa.create_engine(worked_source_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql("DROP INDEX ix_opd_registrations_registration_id")
    engine.dispose()
    postgres = worked_source_url.startswith("postgresql")
    rows = 14 if postgres else 15  # SQLite has one more, of unreadable text

    out = _check(capsys, worked_source_url)
    lines = out.splitlines()
    # after what check printed before
    sections = [lines.index(s) for s in ("Data quality (rows):", "Indexes on opd_registrations:")]
    assert sections == sorted(sections)
    assert "Timestamps in registered_at (rows):" in lines[sections[1] :]

    assert "  registered_at     present (index ix_opd_registrations_registered_at)" in lines
    assert any(line.startswith("  registration_id   missing: ") for line in lines)
    words = " ".join(line.strip() for line in lines)
    assert "no index on registration_id: the duplicate look-up reads the whole table" in words
    assert f"a one-day refresh reads all {rows} rows" in words
    concurrently = "CONCURRENTLY " if postgres else ""
    statement = (
        f"CREATE INDEX {concurrently}ix_opd_registrations_registration_id "
        "ON opd_registrations (registration_id)"
    )
    assert f"      {statement}" in lines

    if postgres:
        expected = [
            ("timestamp, whole seconds", 13, "readable"),
            ("NULL", 1, "unreadable"),
        ]
    else:
        expected = [
            ("YYYY-MM-DD HH:MM:SS.F…", 13, "readable"),  # how SQLAlchemy writes a datetime
            ("other text", 1, "unreadable"),  # 'not recorded'
            ("NULL", 1, "unreadable"),
        ]
    at = lines.index("Timestamps in registered_at (rows):")
    assert lines[at + 1 : at + 1 + len(expected)] == [
        f"  {form:<36}{n:>12,}  {verdict}" for form, n, verdict in expected
    ]
    assert lines[at + 1 + len(expected)] == f"  readable: 13 of {rows} rows"

    # no row value: neither an ABHA number nor a registration ID
    for row in worked_example_rows():
        if row["abha_number"] and row["abha_number"].strip():
            assert row["abha_number"] not in out
    assert not re.search(r"\br\d+\b", out)


def test_check_with_every_index_says_so(worked_source_url: str, capsys) -> None:
    out = _check(capsys, worked_source_url)
    assert "  registered_at     present (index ix_opd_registrations_registered_at)" in out
    assert "  registration_id   present (index ix_opd_registrations_registration_id)" in out
    assert "CREATE INDEX" not in out
    assert "missing" not in out
