"""The statewide demo (``generate_demo(region="state")``): Bastar as it was, the rest added."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from data_access.contract import check_contract
from demo.calibration import PUBLISHED_FIGURES
from demo.dirty_rows import DIRTY_ROW_COUNTS, DIRTY_SEQUENCE_START
from demo.generator import DIVISION_ADOPTION, generate_demo
from demo.reference import load_region

SMALL_START, SMALL_END = date(2026, 1, 1), date(2026, 3, 31)
DEMO_END = date(2026, 10, 31)
COMPARED = ("opd_registrations", "abha_enrolments", "facility_staff", "facilities")


def _query(path: Path, sql: str, parameters: tuple = ()) -> list[tuple]:
    with sqlite3.connect(path) as connection:
        return connection.execute(sql, parameters).fetchall()


def _scalar(path: Path, sql: str, parameters: tuple = ()):
    return _query(path, sql, parameters)[0][0]


def _ids(**names: str) -> dict[str, str]:
    facilities = load_region("state").facilities.set_index("name_en")["facility_id"]
    return {key: facilities[name] for key, name in names.items()}


SMALL = _ids(
    raipur="District Hospital Raipur",  # live from 5 January 2026
    abhanpur="CHC Abhanpur",  # live from 23 January 2026
    deobhog="CHC Deobhog",  # planned: no go-live
    dondi="CHC Dondi",  # scheduled: February 2027
    tokapal="CHC Tokapal",  # Bastar
)


def _small_state_run(out: Path, **options):
    return generate_demo(
        out,
        start=SMALL_START,
        end=SMALL_END,
        facility_ids=list(SMALL.values()),
        region="state",
        **options,
    )


def test_small_state_run_follows_the_contract_and_names_divisions(tmp_path):
    out = tmp_path / "state.db"
    summary = _small_state_run(out)
    engine = sa.create_engine(f"sqlite:///{out}")
    try:
        assert [str(problem) for problem in check_contract(engine)] == []
    finally:
        engine.dispose()
    assert summary.region == "state"
    assert summary.facilities == 5
    assert summary.not_live == 2
    assert _scalar(out, "SELECT count(*) FROM districts") == 33
    assert _query(out, "SELECT name, name_hi FROM divisions ORDER BY rowid") == [
        ("Bastar", "बस्तर"),
        ("Raipur", "रायपुर"),
        ("Durg", "दुर्ग"),
        ("Bilaspur", "बिलासपुर"),
        ("Surguja", "सरगुजा"),
    ]
    assert _query(out, "SELECT name, name_hi FROM states") == [("Chhattisgarh", "छत्तीसगढ़")]
    planned = _query(out, "SELECT ehospital_go_live FROM facilities WHERE facility_id = ?", (
        SMALL["deobhog"],
    ))  # fmt: skip
    assert planned == [(None,)]


def test_planned_and_scheduled_facilities_have_no_registrations(tmp_path):
    out = tmp_path / "state.db"
    _small_state_run(out)
    per_facility = dict(
        _query(out, "SELECT facility_id, count(*) FROM opd_registrations GROUP BY facility_id")
    )
    assert SMALL["deobhog"] not in per_facility
    assert SMALL["dondi"] not in per_facility
    assert per_facility[SMALL["raipur"]] > 10_000
    assert per_facility[SMALL["tokapal"]] > 1_000
    enrolling = {row[0] for row in _query(out, "SELECT DISTINCT facility_id FROM abha_enrolments")}
    assert SMALL["deobhog"] not in enrolling and SMALL["dondi"] not in enrolling
    # the registry's staff are there, on e-Hospital or not
    assert _scalar(out, "SELECT count(DISTINCT facility_id) FROM facility_staff") == 5


def test_clean_registrations_start_at_go_live(tmp_path):
    out = tmp_path / "state.db"
    _small_state_run(out)
    early = _query(
        out,
        """SELECT registration_id FROM opd_registrations JOIN facilities USING (facility_id)
           WHERE datetime(registered_at) IS NOT NULL
             AND date(registered_at) < ehospital_go_live""",
    )
    assert all(int(rid.rsplit("-", 1)[1]) >= DIRTY_SEQUENCE_START for (rid,) in early)
    first_day = _scalar(
        out,
        """SELECT min(date(registered_at)) FROM opd_registrations
           WHERE facility_id = ? AND CAST(substr(registration_id, -5) AS INTEGER) < ?""",
        (SMALL["raipur"], DIRTY_SEQUENCE_START),
    )
    assert first_day == "2026-01-05"


def test_a_bastar_facility_is_the_same_in_both_regions(tmp_path):
    """Same facilities, same seed: the state region writes Bastar's rows byte for byte."""
    options = {"start": SMALL_START, "end": SMALL_END, "facility_ids": [SMALL["tokapal"]]}
    generate_demo(tmp_path / "bastar.db", region="bastar", **options)
    generate_demo(tmp_path / "state.db", region="state", **options)
    for table in COMPARED:
        sql = f"SELECT * FROM {table} ORDER BY rowid"
        assert _query(tmp_path / "bastar.db", sql) == _query(tmp_path / "state.db", sql), table
    assert _scalar(tmp_path / "bastar.db", "SELECT count(*) FROM districts") == 7
    assert _query(tmp_path / "bastar.db", "SELECT name FROM divisions") == [("Bastar",)]


def test_an_unknown_region_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown region"):
        generate_demo(tmp_path / "demo.db", region="india")
    assert list(tmp_path.iterdir()) == []


# --- the full statewide run --------------------------------------------------------------------
# Generating it takes about 16 s on an idle 2-core machine (6.2 million rows); the tests share
# one file and run on one worker (xdist_group).


@pytest.fixture(scope="module")
def state_demo(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("state-demo") / "state.db"
    summary = generate_demo(out, region="state")
    print(f"\nstate demo: {summary.registration_rows:,} rows in {summary.seconds:.1f} s")
    return out, summary


@pytest.mark.slow
@pytest.mark.xdist_group("state_demo")
def test_full_state_run(state_demo):
    out, summary = state_demo
    reference = load_region("state")
    not_live = reference.facilities["ehospital_go_live"].map(lambda d: d is None or d > DEMO_END)
    assert summary.facilities == len(reference.facilities) == 175
    assert summary.not_live == int(not_live.sum())
    assert summary.dirty_rows == DIRTY_ROW_COUNTS
    assert _scalar(out, "SELECT count(*) FROM opd_registrations") == summary.registration_rows
    assert _scalar(out, "SELECT count(*) FROM districts") == 33
    assert _scalar(out, "SELECT count(*) FROM divisions") == 5


@pytest.mark.slow
@pytest.mark.xdist_group("state_demo")
@pytest.mark.parametrize("figure", PUBLISHED_FIGURES, ids=lambda f: f.facility_name)
def test_state_run_reproduces_the_published_figures(state_demo, figure):
    out, _ = state_demo
    registrations, linked, rows = _query(
        out,
        """SELECT count(DISTINCT registration_id),
                  count(DISTINCT CASE WHEN abha_number IS NOT NULL THEN registration_id END),
                  count(*)
           FROM opd_registrations JOIN facilities USING (facility_id)
           WHERE name_en = ? AND registered_at BETWEEN ? AND ?""",
        (
            figure.facility_name,
            f"{figure.period_start} 00:00:00",
            f"{figure.period_end} 23:59:59",
        ),
    )[0]
    assert (registrations, linked) == (figure.registrations, figure.abha_linked)
    assert rows == registrations  # no dirty row in the calibrated period


@pytest.mark.slow
@pytest.mark.xdist_group("state_demo")
def test_no_registrations_at_planned_or_scheduled_facilities(state_demo):
    out, _ = state_demo
    rows = _scalar(
        out,
        """SELECT count(*) FROM opd_registrations JOIN facilities USING (facility_id)
           WHERE ehospital_go_live IS NULL OR ehospital_go_live > ?""",
        (DEMO_END.isoformat(),),
    )
    assert rows == 0
    planned = _scalar(out, "SELECT count(*) FROM facilities WHERE ehospital_go_live IS NULL")
    assert planned >= 3


@pytest.mark.slow
@pytest.mark.xdist_group("state_demo")
def test_only_the_dirty_rows_come_before_go_live(state_demo):
    out, _ = state_demo
    before = _query(
        out,
        """SELECT registration_id FROM opd_registrations JOIN facilities USING (facility_id)
           WHERE datetime(registered_at) IS NOT NULL
             AND date(registered_at) < ehospital_go_live""",
    )
    assert len(before) == DIRTY_ROW_COUNTS["before_go_live"]
    assert all(int(rid.rsplit("-", 1)[1]) >= DIRTY_SEQUENCE_START for (rid,) in before)


@pytest.mark.slow
@pytest.mark.xdist_group("state_demo")
def test_bastar_clean_rows_are_those_of_the_bastar_demo(state_demo, full_demo):
    """Bastar's facilities come first, so the state demo's first rows are the Bastar demo's
    clean rows (same seed), compared here through a fingerprint per facility."""
    clean = full_demo[1].registrations
    sql = """SELECT facility_id, count(*), count(abha_number), min(registration_id),
                    max(registration_id), sum(strftime('%s', registered_at)),
                    sum(CAST(substr(abha_number, 9) AS INTEGER)), sum(age_years),
                    sum(length(channel || visit_type || department || coalesce(gender, '')))
             FROM opd_registrations WHERE rowid <= ?
             GROUP BY facility_id ORDER BY facility_id"""
    bastar_rows = _query(full_demo[0], sql, (clean,))
    assert len(bastar_rows) == 49
    assert sum(row[1] for row in bastar_rows) == clean
    assert _query(state_demo[0], sql, (clean,)) == bastar_rows


@pytest.mark.slow
@pytest.mark.xdist_group("state_demo")
def test_adoption_in_the_first_six_months_differs_by_division(state_demo):
    """Raipur's first six months ahead of Bastar's, Surguja's behind."""
    out, _ = state_demo
    shares = dict(
        _query(
            out,
            """SELECT d.division, avg(r.abha_number IS NOT NULL)
               FROM opd_registrations r
               JOIN facilities f USING (facility_id)
               JOIN districts d ON d.lgd_code = f.district_lgd
               WHERE datetime(r.registered_at) IS NOT NULL
                 AND date(r.registered_at) >= f.ehospital_go_live
                 AND date(r.registered_at) < date(f.ehospital_go_live, '+6 months')
                 AND f.name_en NOT IN (?, ?)
               GROUP BY d.division""",
            tuple(figure.facility_name for figure in PUBLISHED_FIGURES),
        )
    )
    assert set(DIVISION_ADOPTION) < set(shares)
    assert shares["Raipur"] > shares["Bastar"] + 0.02
    assert shares["Surguja"] < shares["Bastar"] - 0.02
