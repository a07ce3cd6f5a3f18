"""The demo generator: deterministic, safe with existing files, realistic, calibrated, dirty."""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from data_access.contract import CHANNELS, GENDERS, VISIT_TYPES, check_contract
from demo.calibration import (
    PUBLISHED_FIGURES,
    allocate_registrations,
    choose_linked,
    fit_adoption_midpoint,
)
from demo.dirty_rows import DIRTY_ROW_COUNTS, DIRTY_SEQUENCE_START
from demo.generator import DemoSummary, generate_demo
from demo.reference import load_facilities

TABLES = ("districts", "facilities", "opd_registrations", "abha_enrolments", "facility_staff")
SMALL_START, SMALL_END = date(2025, 4, 1), date(2025, 5, 31)
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"


def _small_facility_ids() -> list[str]:
    """One civil hospital and two CHCs: a few thousand registrations over two months."""
    facilities = load_facilities()
    live = facilities.loc[
        facilities["ehospital_go_live"].map(lambda d: d is not None and d < SMALL_START)
    ]
    chs = live.loc[live["facility_type"] == "CH", "facility_id"].tolist()
    chcs = live.loc[live["facility_type"] == "CHC", "facility_id"].tolist()
    return chs[:1] + chcs[:2]


def _small_run(out: Path, **options) -> DemoSummary:
    return generate_demo(
        out, start=SMALL_START, end=SMALL_END, facility_ids=_small_facility_ids(), **options
    )


def _dump(path: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(path) as connection:
        return {
            table: connection.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
            for table in TABLES
        }


def _query(path: Path, sql: str, parameters: tuple = ()) -> list[tuple]:
    with sqlite3.connect(path) as connection:
        return connection.execute(sql, parameters).fetchall()


def _scalar(path: Path, sql: str, parameters: tuple = ()):
    return _query(path, sql, parameters)[0][0]


def _luhn_valid(numbers: list[str]) -> np.ndarray:
    digits = np.frombuffer("".join(numbers).encode(), dtype=np.uint8).reshape(-1, 14) - 48
    digits = digits[:, ::-1].astype(np.int64)  # from the check digit leftwards
    doubled = digits[:, 1::2] * 2
    doubled = np.where(doubled > 9, doubled - 9, doubled)
    return (digits[:, 0::2].sum(axis=1) + doubled.sum(axis=1)) % 10 == 0


def _normalised_abha(value: str) -> str:
    return re.sub(r"[\s-]", "", value)


# --- small runs --------------------------------------------------------------------------------


def test_same_seed_gives_identical_tables_and_another_seed_differs(tmp_path):
    _small_run(tmp_path / "a.db", seed=7)
    _small_run(tmp_path / "b.db", seed=7)
    _small_run(tmp_path / "c.db", seed=8)
    first, again, other = (_dump(tmp_path / name) for name in ("a.db", "b.db", "c.db"))
    assert first == again
    assert first["opd_registrations"] != other["opd_registrations"]
    assert len(first["opd_registrations"]) > 1_000


def test_refuses_to_overwrite_without_force(tmp_path):
    out = tmp_path / "demo.db"
    _small_run(out)
    before = out.read_bytes()
    with pytest.raises(FileExistsError, match="--force"):
        _small_run(out, seed=99)
    assert out.read_bytes() == before
    summary = _small_run(out, seed=99, force=True)
    assert summary.path == out
    assert _scalar(out, "SELECT count(*) FROM opd_registrations") == summary.registration_rows
    assert [p.name for p in tmp_path.iterdir()] == ["demo.db"]


def test_interrupted_run_leaves_no_database(tmp_path):
    out = tmp_path / "demo.db"

    def interrupt(done: int, total: int, label: str) -> None:
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _small_run(out, progress=interrupt)
    assert list(tmp_path.iterdir()) == []


def test_progress_is_reported_up_to_the_total(tmp_path):
    calls: list[tuple[int, int, str]] = []
    _small_run(tmp_path / "demo.db", progress=lambda *call: calls.append(call))
    done = [call[0] for call in calls]
    assert done == sorted(done)
    assert calls[-1][0] == calls[-1][1] == len(_small_facility_ids()) + 1


def test_small_run_follows_the_contract(tmp_path):
    out = tmp_path / "demo.db"
    summary = _small_run(out)
    engine = sa.create_engine(f"sqlite:///{out}")
    try:
        assert check_contract(engine) == []
    finally:
        engine.dispose()
    assert summary.facilities == 3
    assert summary.days == (SMALL_END - SMALL_START).days + 1
    assert _scalar(out, "SELECT count(*) FROM facilities") == 3
    assert _scalar(out, "SELECT count(*) FROM districts") == 7
    indexes = {row[0] for row in _query(out, "SELECT name FROM sqlite_master WHERE type='index'")}
    assert {"ix_opd_registrations_registration_id", "ix_opd_registrations_registered_at"} <= indexes


def test_unknown_facility_id_in_the_subset_is_refused(tmp_path):
    with pytest.raises(ValueError, match="IN2200000000"):
        generate_demo(tmp_path / "demo.db", facility_ids=["IN2200000000"])


# --- volume scale (the benchmark's larger and smaller demos) -------------------------------------


def test_volume_scale_multiplies_registrations_and_scale_one_is_the_demo(tmp_path):
    demo = _small_run(tmp_path / "demo.db")
    one = _small_run(tmp_path / "one.db", volume_scale=1.0)
    doubled = _small_run(tmp_path / "doubled.db", volume_scale=2.0)
    assert _dump(tmp_path / "one.db") == _dump(tmp_path / "demo.db")
    assert one == replace(demo, path=one.path, seconds=one.seconds)
    assert 1.9 < doubled.registrations / demo.registrations < 2.1
    assert doubled.facilities == demo.facilities  # registrations grow, facilities don't
    with pytest.raises(ValueError, match="volume_scale"):
        _small_run(tmp_path / "none.db", volume_scale=0)


def test_a_scaled_calibrated_period_has_the_published_figure_times_the_scale(tmp_path):
    figure = PUBLISHED_FIGURES[1]
    (facility_id,) = load_facilities().loc[
        lambda f: f["name_en"] == figure.facility_name, "facility_id"
    ]
    out = tmp_path / "demo.db"
    generate_demo(
        out,
        start=figure.period_start,
        end=figure.period_end,
        facility_ids=[facility_id],
        volume_scale=0.1,
    )
    registrations, linked = _query(
        out,
        """SELECT count(*), count(abha_number) FROM opd_registrations
           WHERE facility_id = ? AND registered_at BETWEEN ? AND ?""",
        (facility_id, f"{figure.period_start} 00:00:00", f"{figure.period_end} 23:59:59"),
    )[0]
    assert registrations == round(figure.registrations * 0.1)
    assert linked == round(figure.abha_linked * 0.1)


# --- calibration arithmetic --------------------------------------------------------------------


def test_allocation_and_linked_choice_are_exact():
    rng = np.random.default_rng(1)
    counts = allocate_registrations(rng, 60_045, np.array([5.0, 1.0, 3.0] * 30))
    assert counts.sum() == 60_045
    mask = choose_linked(rng, 32_379, rng.uniform(0.1, 0.9, size=60_045))
    assert mask.sum() == 32_379


def test_adoption_midpoint_fit_hits_the_share():
    days = np.arange(300, 400)

    def share(midpoint: float) -> float:
        return float(np.mean(0.05 + 0.65 / (1 + np.exp(-0.02 * (days - midpoint)))))

    midpoint = fit_adoption_midpoint(share, 0.4)
    assert share(midpoint) == pytest.approx(0.4, abs=1e-6)
    with pytest.raises(ValueError):
        fit_adoption_midpoint(share, 0.9)


# --- the full default run ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def facility_table(full_demo) -> pd.DataFrame:
    out, _ = full_demo
    with sqlite3.connect(out) as connection:
        table = pd.read_sql("SELECT * FROM facilities", connection, index_col="facility_id")
    table["ehospital_go_live"] = pd.to_datetime(table["ehospital_go_live"])
    return table


@pytest.fixture(scope="session")
def daily(full_demo, facility_table) -> pd.DataFrame:
    """Per facility and day: registrations, ABHA-linked, Scan & Share, follow-ups.

    Only rows with a readable, plausible time at a known facility (as the dashboard counts).
    """
    out, _ = full_demo
    with sqlite3.connect(out) as connection:
        table = pd.read_sql(
            """SELECT facility_id, substr(registered_at, 1, 10) AS day, count(*) AS n,
                      sum(abha_number IS NOT NULL) AS linked,
                      sum(channel = 'scan_share') AS scan_share,
                      sum(visit_type = 'follow_up') AS follow_up
               FROM opd_registrations
               WHERE datetime(registered_at) IS NOT NULL
                 AND substr(registered_at, 1, 4) < '2030'
               GROUP BY 1, 2""",
            connection,
        )
    table = table.loc[table["facility_id"].isin(facility_table.index)].copy()
    table["day"] = pd.to_datetime(table["day"])
    table["facility_type"] = table["facility_id"].map(facility_table["facility_type"])
    table["go_live"] = table["facility_id"].map(facility_table["ehospital_go_live"])
    return table


def _facility_id(facility_table: pd.DataFrame, name: str) -> str:
    return facility_table.index[facility_table["name_en"] == name][0]


@pytest.mark.slow
def test_full_run_completes(full_demo):
    out, summary = full_demo
    assert summary.facilities == 49
    assert summary.days == (date(2026, 10, 31) - date(2024, 4, 1)).days + 1
    assert _scalar(out, "SELECT count(*) FROM opd_registrations") == summary.registration_rows
    assert summary.registration_rows == summary.registrations + sum(DIRTY_ROW_COUNTS.values())
    assert summary.dirty_rows == DIRTY_ROW_COUNTS
    assert _scalar(out, "SELECT count(*) FROM facility_staff") == summary.facility_staff_rows
    assert _scalar(out, "SELECT count(*) FROM abha_enrolments") == summary.abha_enrolment_rows
    assert _scalar(out, "SELECT min(enrolments) FROM abha_enrolments") > 0
    assert {row[0] for row in _query(out, "SELECT DISTINCT cadre FROM facility_staff")} == {
        "doctor",
        "nurse",
        "pharmacist",
        "lab_technician",
    }
    over = "SELECT count(*) FROM facility_staff WHERE hpr_registered > sanctioned_or_working"
    assert _scalar(out, over) == 0


@pytest.mark.slow
def test_weekly_rhythm_at_district_hospital_bastar(daily, facility_table):
    bastar = daily.loc[
        daily["facility_id"] == _facility_id(facility_table, "District Hospital Bastar")
    ]
    mean = bastar.groupby(bastar["day"].dt.day_of_week)["n"].mean()
    weekday_mean = mean.loc[0:4].mean()
    assert mean[6] < 0.5 * weekday_mean  # Sunday
    assert mean.idxmax() == 0  # Monday
    assert mean[5] < weekday_mean  # Saturday


@pytest.mark.slow
def test_volumes_by_facility_type(daily):
    settled = daily.loc[daily["day"] >= "2026-04-01"]
    means = settled.groupby(["facility_type", "facility_id"])["n"].sum() / settled["day"].nunique()
    assert means["DH"].between(100, 1_000).all(), means["DH"]
    assert means["CH"].between(50, 250).all(), means["CH"]
    assert means["CHC"].between(10, 100).all(), means["CHC"]


@pytest.mark.slow
def test_monsoon_months_are_busier_than_dry_months(daily):
    early = daily.loc[daily["go_live"] < "2025-01-01"]

    def daily_mean(first: str, last: str) -> float:
        days = early.loc[early["day"].between(first, last)]
        return days["n"].sum() / days["day"].nunique()

    monsoon = daily_mean("2025-07-15", "2025-09-15")
    dry = daily_mean("2026-01-15", "2026-03-15")  # later, so the growth trend favours it
    assert monsoon > 1.05 * dry


@pytest.mark.slow
def test_abha_adoption_rises_along_different_curves(daily):
    since_go_live = (daily["day"] - daily["go_live"]).dt.days
    first = daily.loc[since_go_live.between(0, 90)].groupby("facility_id")[["linked", "n"]].sum()
    last = daily.loc[daily["day"] >= "2026-08-01"].groupby("facility_id")[["linked", "n"]].sum()
    first_share = first["linked"] / first["n"]
    last_share = last["linked"] / last["n"]
    rising = last_share > first_share + 0.05
    assert rising.mean() >= 0.9, last_share - first_share
    assert last_share.std() > 0.05
    assert 0.40 <= last_share.max() <= 0.85
    assert first_share.max() < 0.25


@pytest.mark.slow
def test_scan_and_share_grows(daily):
    by_year = daily.groupby(daily["day"].dt.year)[["scan_share", "n"]].sum()
    share = by_year["scan_share"] / by_year["n"]
    assert share[2026] > share[2025] > share[2024]
    assert share[2026] > 0.2


@pytest.mark.slow
def test_follow_up_share_is_realistic(daily):
    share = daily["follow_up"].sum() / daily["n"].sum()
    assert 0.25 <= share <= 0.45
    by_type = daily.groupby("facility_type")[["follow_up", "n"]].sum()
    type_share = by_type["follow_up"] / by_type["n"]
    assert type_share["DH"] > type_share["CHC"]


@pytest.mark.slow
def test_linked_follow_ups_reuse_numbers_seen_at_the_facility(full_demo, facility_table):
    out, _ = full_demo
    seen: set[str] = set()
    follow_ups = orphans = 0
    for abha, visit_type in _query(
        out,
        """SELECT abha_number, visit_type FROM opd_registrations
           WHERE facility_id = ? AND abha_number IS NOT NULL ORDER BY registered_at, rowid""",
        (_facility_id(facility_table, "District Hospital Bastar"),),
    ):
        if visit_type == "follow_up":
            follow_ups += 1
            orphans += abha not in seen
        seen.add(abha)
    assert follow_ups > 10_000
    assert orphans < 0.01 * follow_ups  # only those before the facility's first linked patient


@pytest.mark.slow
def test_ages_genders_and_departments_are_plausible(full_demo, facility_table):
    out, _ = full_demo
    (f, m, o, unknown, total, oldest, youngest, children, elderly, adult_paediatrics, hours) = (
        _query(
            out,
            """SELECT sum(gender = 'F'), sum(gender = 'M'), sum(gender = 'O'),
                      sum(gender IS NULL), count(*), max(age_years), min(age_years),
                      avg(age_years < 15), avg(age_years >= 65),
                      sum(department = 'Paediatrics' AND age_years >= 15),
                      avg(substr(registered_at, 12, 2) BETWEEN '08' AND '13')
               FROM opd_registrations""",
        )[0]
    )
    assert 0.50 < f / total < 0.54
    assert 0.45 < m / total < 0.49
    assert 0 < o / total < 0.005
    assert 0.005 < unknown / total < 0.02
    assert (youngest, oldest) == (0, 95)
    assert children > 0.15 and elderly < 0.15
    assert adult_paediatrics == 0
    assert hours > 0.85
    chc = facility_table.index[facility_table["facility_type"] == "CHC"][0]
    departments = {
        row[0]
        for row in _query(
            out, "SELECT DISTINCT department FROM opd_registrations WHERE facility_id = ?", (chc,)
        )
    }
    assert departments == {"Medicine", "Paediatrics", "Obstetrics & Gynaecology", "Dental", "AYUSH"}


@pytest.mark.slow
def test_no_registrations_before_go_live_except_the_dirty_ones(full_demo):
    out, _ = full_demo
    before = _query(
        out,
        """SELECT registration_id FROM opd_registrations JOIN facilities USING (facility_id)
           WHERE datetime(registered_at) IS NOT NULL
             AND date(registered_at) < ehospital_go_live""",
    )
    assert len(before) == DIRTY_ROW_COUNTS["before_go_live"]
    assert all(int(rid.rsplit("-", 1)[1]) >= DIRTY_SEQUENCE_START for (rid,) in before)


@pytest.mark.slow
def test_abha_numbers_are_synthetic(full_demo):
    out, _ = full_demo
    values = [v for (v,) in _query(out, "SELECT abha_number FROM opd_registrations")]
    numbers = [v for v in values if v is not None and len(v) == 14 and v.isdigit()]
    written = [_normalised_abha(v) for v in values if v is not None and not v.isdigit()]
    numbers += [n for n in written if re.fullmatch(r"\d{14}", n)]
    assert len(numbers) > 1_000_000
    assert all(n.startswith("00") for n in numbers)
    assert not _luhn_valid(numbers).any()
    # the documentation's sample number passes, as real ones seem to
    assert _luhn_valid(["91543730835328", "00000000000001"]).tolist() == [True, False]


@pytest.mark.slow
@pytest.mark.parametrize("figure", PUBLISHED_FIGURES, ids=lambda f: f.facility_name)
def test_calibrated_periods_match_the_published_figures(full_demo, figure):
    out, _ = full_demo
    (facility_id,) = _query(
        out, "SELECT facility_id FROM facilities WHERE name_en = ?", (figure.facility_name,)
    )[0]
    period = (facility_id, f"{figure.period_start} 00:00:00", f"{figure.period_end} 23:59:59")
    registrations, linked, rows = _query(
        out,
        """SELECT count(DISTINCT registration_id),
                  count(DISTINCT CASE WHEN abha_number IS NOT NULL THEN registration_id END),
                  count(*)
           FROM opd_registrations
           WHERE facility_id = ? AND registered_at BETWEEN ? AND ?""",
        period,
    )[0]
    assert registrations == figure.registrations
    assert linked == figure.abha_linked

    # No dirty row in the period: no duplicates, nothing but clean values and ids.
    assert rows == registrations
    values = _query(
        out,
        """SELECT DISTINCT channel, visit_type, gender, length(abha_number),
                  substr(abha_number, 1, 2), CAST(substr(registration_id, -5) AS INTEGER) < ?
           FROM opd_registrations WHERE facility_id = ? AND registered_at BETWEEN ? AND ?""",
        (DIRTY_SEQUENCE_START, *period),
    )
    for channel, visit_type, gender, abha_length, abha_prefix, clean_id in values:
        assert channel in CHANNELS and visit_type in VISIT_TYPES
        assert gender is None or gender in GENDERS
        assert (abha_length, abha_prefix) in {(None, None), (14, "00")}
        assert clean_id
    first, last = f"{figure.period_start:%y%m%d}", f"{figure.period_end:%y%m%d}"
    dirty_ids_in_period = _scalar(
        out,
        """SELECT count(*) FROM opd_registrations
           WHERE registration_id LIKE ? || '-%'
             AND substr(registration_id, length(?) + 2, 6) BETWEEN ? AND ?
             AND CAST(substr(registration_id, -5) AS INTEGER) >= ?""",
        (facility_id, facility_id, first, last, DIRTY_SEQUENCE_START),
    )
    assert dirty_ids_in_period == 0


@pytest.mark.slow
def test_dirty_rows_in_the_file_match_the_documented_counts(full_demo):
    out, _ = full_demo
    found: Counter = Counter()

    repeated_ids = _query(
        out,
        "SELECT registration_id FROM opd_registrations GROUP BY registration_id "
        "HAVING count(*) > 1",
    )
    for (rid,) in repeated_ids:
        versions = Counter(
            _query(out, "SELECT * FROM opd_registrations WHERE registration_id = ?", (rid,))
        )
        found["exact_duplicate"] += sum(n - 1 for n in versions.values())
        found["conflicting_duplicate"] += len(versions) - 1

    found["null_facility"] = _scalar(
        out, "SELECT count(*) FROM opd_registrations WHERE facility_id IS NULL"
    )
    found["unknown_facility"] = _scalar(
        out,
        """SELECT count(*) FROM opd_registrations WHERE facility_id IS NOT NULL
           AND facility_id NOT IN (SELECT facility_id FROM facilities)""",
    )

    # (a DATETIME column has NUMERIC affinity in SQLite: compare substrings, not the column)
    odd_stamps = _query(
        out,
        """SELECT registered_at FROM opd_registrations
           WHERE registered_at IS NULL OR datetime(registered_at) IS NULL
              OR substr(registered_at, 1, 4) >= '2030'""",
    )
    now = datetime.now()
    for (stamp,) in odd_stamps:
        if stamp is None:
            found["null_timestamp"] += 1
            continue
        try:
            moment = datetime.strptime(stamp, TIMESTAMP_FORMAT)
        except ValueError:
            found["unreadable_timestamp"] += 1
        else:
            found["future_timestamp"] += int(moment > now)

    found["before_go_live"] = _scalar(
        out,
        """SELECT count(*) FROM opd_registrations JOIN facilities USING (facility_id)
           WHERE datetime(registered_at) IS NOT NULL
             AND date(registered_at) < ehospital_go_live""",
    )

    lists = (set(CHANNELS), set(VISIT_TYPES), set(GENDERS))
    placeholders = {
        name: ", ".join("?" * len(values))
        for name, values in zip(("channel", "visit_type", "gender"), lists, strict=True)
    }
    for *values, n in _query(
        out,
        f"""SELECT channel, visit_type, gender, count(*) FROM opd_registrations
            WHERE channel NOT IN ({placeholders["channel"]})
               OR visit_type NOT IN ({placeholders["visit_type"]})
               OR gender NOT IN ({placeholders["gender"]})
            GROUP BY 1, 2, 3""",
        (*CHANNELS, *VISIT_TYPES, *GENDERS),
    ):
        folded = [
            None if v is None else (v.strip().upper() if i == 2 else v.strip().lower())
            for i, v in enumerate(values)
        ]
        if any(f is not None and f not in lists[i] for i, f in enumerate(folded)):
            found["unlisted_value"] += n
        elif folded != values:
            found["odd_case_value"] += n

    for abha, n in _query(
        out,
        """SELECT abha_number, count(*) FROM opd_registrations
           WHERE abha_number IS NOT NULL
             AND (length(abha_number) != 14 OR abha_number GLOB '*[^0-9]*')
           GROUP BY 1""",
    ):
        if re.fullmatch(r"\d{14}", _normalised_abha(abha)):
            found["formatted_abha"] += n
        else:
            found["malformed_abha"] += n

    assert dict(found) == DIRTY_ROW_COUNTS
