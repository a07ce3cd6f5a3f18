"""The command line on each engine: figures, their agreement with the source, bad input."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import F1, F2, WORKED_JANUARY, _row, write_worked_example

from cli.main import main
from data_access.contract import source_metadata
from data_access.engines import store_engine
from data_access.queries import Period, Scope, registration_counts

pytestmark = pytest.mark.usefixtures("isolated_config")

JANUARY = ["--from", "2025-01-01", "--to", "2025-01-31"]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def figures_json(capsys, url: str, *args: str) -> list[dict]:
    code, out, err = run(capsys, "figures", "--db", url, "--format", "json", *args)
    assert code == 0, err
    return json.loads(out)


def test_figures_json_by_facility(worked_source_url: str, capsys) -> None:
    rows = figures_json(capsys, worked_source_url, *JANUARY, "--by", "facility")
    by_id = {r["facility_id"]: r for r in rows}
    for fid, key in ((F1, "F1"), (F2, "F2")):
        expected = WORKED_JANUARY[key]
        assert by_id[fid]["opd_registrations"] == expected["opd_registrations"]
        assert by_id[fid]["abha_linked"] == expected["abha_linked"]
        share = expected["abha_linked"] / expected["opd_registrations"]
        assert by_id[fid]["abha_share"] == share  # unrounded


@pytest.mark.parametrize("by", [None, "facility", "district", "facility_type", "channel", "month"])
def test_source_and_analytics_agree(worked_source_url: str, capsys, by: str | None) -> None:
    extra = ["--by", by] if by else []
    from_store = figures_json(capsys, worked_source_url, *extra)
    from_source = figures_json(capsys, worked_source_url, *extra, "--source")
    assert from_store == from_source
    assert from_store, "the worked example has registrations"


def test_filter_by_district_and_facility(worked_source_url: str, capsys) -> None:
    rows = figures_json(capsys, worked_source_url, *JANUARY, "--district", "414")
    assert [r["opd_registrations"] for r in rows] == [WORKED_JANUARY["F1"]["opd_registrations"]]
    rows = figures_json(capsys, worked_source_url, *JANUARY, "--facility", F2)
    assert [r["opd_registrations"] for r in rows] == [WORKED_JANUARY["F2"]["opd_registrations"]]


def test_data_quality_command(worked_source_url: str, capsys) -> None:
    code, out, err = run(capsys, "data-quality", "--db", worked_source_url, "--format", "json")
    assert code == 0, err
    counts = {r["kind"]: r["rows"] for r in json.loads(out)}
    for kind, expected in WORKED_JANUARY["quality"].items():
        if kind != "invalid_timestamp":
            assert counts[kind] == expected, kind
    assert counts["invalid_timestamp"] >= WORKED_JANUARY["quality"]["invalid_timestamp"]


def test_check_summarises_a_good_database(worked_source_url: str, capsys) -> None:
    code, out, _ = run(capsys, "check", "--db", worked_source_url)
    assert code == 0
    assert "facilities:     2" in out
    assert "duplicate" in out


def test_check_names_what_is_missing(tmp_path: Path, capsys) -> None:
    import sqlite3

    path = tmp_path / "partial.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE districts (lgd_code INTEGER, name_en TEXT)")
    code, out, _ = run(capsys, "check", "--db", str(path))
    assert code == 1
    assert "districts.name_hi: column is missing" in out
    assert "opd_registrations: required table is missing" in out


def _one_line_error(code: int, out: str, err: str, *needles: str) -> None:
    assert code == 2
    assert "Traceback" not in out + err
    lines = [line for line in err.splitlines() if line.startswith("ehospital-dashboard:")]
    assert len(lines) == 1, err
    for needle in needles:
        assert needle in lines[0]


def test_bad_inputs_get_one_line_and_exit_2(worked_source_url: str, tmp_path: Path, capsys) -> None:
    db = ["--db", worked_source_url]
    cases = [
        (["figures", *db, "--from", "2025-02-01", "--to", "2025-01-01"], ["after", "swap"]),
        (["figures", *db, "--from", "01/02/2025"], ["not a date", "YYYY-MM-DD"]),
        (["figures", *db, "--district", "999"], ["999"]),
        (["figures", *db, "--facility", "IN2200000000"], ["IN2200000000"]),
        (["figures", *db, "--district", "Bastar"], ["Bastar"]),
        (["figures", "--db", str(tmp_path / "nowhere.sqlite")], ["does not exist"]),
        (["figures", "--db", "postgresql+psycopg://postgres@127.0.0.1:1/x"], ["cannot open"]),
        (["figures", "--db", "nosuchdriver://x"], ["nosuchdriver"]),
        (["figures", *db, "--by", "ward"], ["ward"]),
    ]
    for args, needles in cases:
        _one_line_error(*run(capsys, *args), *needles)


def test_a_database_without_the_contract_tables(tmp_path: Path, capsys) -> None:
    import sqlite3

    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE patients (id INTEGER)")
    _one_line_error(*run(capsys, "figures", "--db", str(path)), "no table", "check")


def test_demo_refuses_to_overwrite(tmp_path: Path, capsys) -> None:
    existing = tmp_path / "demo.sqlite"
    existing.write_bytes(b"keep me")
    _one_line_error(*run(capsys, "demo", "--out", str(existing)), "--force")
    assert existing.read_bytes() == b"keep me"


@pytest.mark.postgres
def test_demo_into_postgresql_refuses_a_database_with_the_tables(postgres_url: str, capsys):
    write_worked_example_tables(postgres_url)
    _one_line_error(*run(capsys, "demo", "--out", postgres_url), "already has")


def write_worked_example_tables(url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    source_metadata(with_keys=False).create_all(engine)
    engine.dispose()
    write_worked_example(url)


def test_refresh_checks_every_day_when_asked(
    worked_source_url: str, tmp_path: Path, capsys
) -> None:
    """A row synced late onto an old day: the next refresh of the day checks the recent
    days only and leaves it for the daily complete check; --check-every-day finds it now."""
    store = f"sqlite:///{tmp_path / 'store.sqlite'}"
    code, _, err = run(capsys, "refresh", "--db", worked_source_url, "--store", store)
    assert code == 0, err
    engine = sa.create_engine(worked_source_url)
    with engine.begin() as conn:
        conn.execute(
            source_metadata(with_keys=False).tables["opd_registrations"].insert(),
            [_row("late", F2, datetime(2025, 1, 20, 9))],
        )
    engine.dispose()

    def january_f2() -> int:
        counts = registration_counts(
            store_engine(store), Period(date(2025, 1, 1), date(2025, 1, 31)), Scope.of([], [F2])
        )
        return int(counts["opd_registrations"].sum())

    before = WORKED_JANUARY["F2"]["opd_registrations"]
    assert january_f2() == before
    code, _, err = run(capsys, "refresh", "--db", worked_source_url, "--store", store)
    assert code == 0, err
    assert january_f2() == before, "within a day of the last check, old days are not counted"
    code, _, err = run(
        capsys, "refresh", "--db", worked_source_url, "--store", store, "--check-every-day"
    )
    assert code == 0, err
    assert january_f2() == before + 1
