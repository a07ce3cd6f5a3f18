"""The counting rules on each engine, against rows whose answers are worked out by hand
(see worked_example_rows in tests/conftest.py)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from conftest import F1, F2, WORKED_JANUARY

from data_access.engines import source_engine, store_engine
from data_access.queries import (
    Period,
    Scope,
    data_quality_counts,
    department_counts,
    registration_counts,
    source_registration_counts,
)
from data_access.refresh import refresh

NOW = datetime(2026, 11, 26, 12, 0)
JANUARY = Period(date(2025, 1, 1), date(2025, 1, 31))


def _expected_quality(engine_name: str) -> dict[str, int]:
    expected = dict(WORKED_JANUARY["quality"])
    if engine_name == "sqlite":
        expected["invalid_timestamp"] += 1  # r14, 'not recorded'
    return expected


def test_figures_by_facility_from_the_source(worked_source_url: str) -> None:
    source = source_engine(worked_source_url)
    frame = source_registration_counts(source, JANUARY, by=["facility"], now=NOW)
    got = frame.set_index("facility_id")[["opd_registrations", "abha_linked"]].to_dict("index")
    assert got == {F1: WORKED_JANUARY["F1"], F2: WORKED_JANUARY["F2"]}


def test_figures_by_facility_from_the_analytics_store(
    worked_source_url: str, store_url: str
) -> None:
    source, store = source_engine(worked_source_url), store_engine(store_url)
    refresh(source, store, now=NOW)
    frame = registration_counts(store, JANUARY, by=["facility"])
    got = frame.set_index("facility_id")[["opd_registrations", "abha_linked"]].to_dict("index")
    assert got == {F1: WORKED_JANUARY["F1"], F2: WORKED_JANUARY["F2"]}


def test_data_quality_counts(worked_source_url: str, store_url: str, engine_name: str) -> None:
    source, store = source_engine(worked_source_url), store_engine(store_url)
    refresh(source, store, now=NOW)
    got = data_quality_counts(store).set_index("kind")["rows"].to_dict()
    assert got == _expected_quality(engine_name)


def test_breakdowns_fold_case_and_spaces(worked_source_url: str, store_url: str) -> None:
    source, store = source_engine(worked_source_url), store_engine(store_url)
    refresh(source, store, now=NOW)
    scope = Scope.of(facilities=[F1])
    channel = registration_counts(store, JANUARY, scope, by=["channel"])
    # r1 counter, r2 ' Scan_Share ', r3 'COUNTER', r4 walk-in -> other, r5 counter
    assert channel.set_index("channel")["opd_registrations"].to_dict() == {
        "counter": 3,
        "other": 1,
        "scan_share": 1,
    }
    gender = registration_counts(store, JANUARY, scope, by=["gender"])
    # r1 F, r2 'f ', r3 M, r4 X -> unknown, r5 F
    assert gender.set_index("gender")["opd_registrations"].to_dict() == {
        "F": 3,
        "M": 1,
        "unknown": 1,
    }
    visit = registration_counts(store, JANUARY, scope, by=["visit_type"])
    assert visit.set_index("visit_type")["opd_registrations"].to_dict() == {
        "follow_up": 1,
        "new": 3,
        "other": 1,
    }


def test_period_is_closed_whole_days(worked_source_url: str, store_url: str) -> None:
    source, store = source_engine(worked_source_url), store_engine(store_url)
    refresh(source, store, now=NOW)
    one_day = Period(date(2025, 1, 16), date(2025, 1, 16))
    # the 16th: r4 (F1), r10 and r12 (F2); r10's copy of the 17th is a duplicate either way
    for frame in (
        registration_counts(store, one_day),
        source_registration_counts(source, one_day, now=NOW),
    ):
        assert frame["opd_registrations"].tolist() == [3]


def test_a_future_timestamp_counts_once_its_day_has_come(
    worked_source_url: str, store_url: str
) -> None:
    source, store = source_engine(worked_source_url), store_engine(store_url)
    later = datetime(2036, 1, 2)
    refresh(source, store, now=later)
    frame = registration_counts(store, Period(date(2036, 1, 1), date(2036, 1, 1)), by=["facility"])
    assert frame.set_index("facility_id")["abha_linked"].to_dict() == {F2: 1}


@pytest.mark.parametrize(
    "by",
    [
        ["district"],
        ["facility_type"],
        ["district", "channel"],
        ["gender"],
        ["facility", "age_band"],
        ["channel", "visit_type"],
        ["facility", "visit_type", "gender", "age_band"],
    ],
)
def test_store_and_source_agree(worked_source_url: str, store_url: str, by: list[str]) -> None:
    source, store = source_engine(worked_source_url), store_engine(store_url)
    refresh(source, store, now=NOW)
    everything = Period(date(2024, 1, 1), date(2026, 11, 26))
    for grain in (None, "day", "week", "month", "quarter", "fy"):
        a = registration_counts(store, everything, by=by, grain=grain)
        b = source_registration_counts(source, everything, by=by, grain=grain, now=NOW)
        assert a.to_dict("records") == b.to_dict("records")


def test_age_bands(worked_source_url: str, store_url: str) -> None:
    source, store = source_engine(worked_source_url), store_engine(store_url)
    refresh(source, store, now=NOW)
    frame = registration_counts(store, JANUARY, Scope.of(facilities=[F1]), by=["age_band"])
    # r1 30, r2 5, r3 70, r4 missing, r5 30
    assert frame.set_index("age_band")["opd_registrations"].to_dict() == {
        "30-44": 2,
        "5-14": 1,
        "60+": 1,
        "unknown": 1,
    }


def test_an_empty_selection_gives_zero_rows_not_an_error(worked_source_url: str, store_url: str):
    source, store = source_engine(worked_source_url), store_engine(store_url)
    refresh(source, store, now=NOW)
    empty = Period(date(2020, 1, 1), date(2020, 1, 31))
    assert registration_counts(store, empty, by=["district"]).empty
    assert source_registration_counts(source, empty, by=["district"], now=NOW).empty
    total = registration_counts(store, empty)
    assert total["opd_registrations"].tolist() in ([0], [])


def test_departments(worked_source_url: str, store_url: str) -> None:
    source, store = source_engine(worked_source_url), store_engine(store_url)
    refresh(source, store, now=NOW)
    frame = department_counts(store, JANUARY)
    # every hand-built row is in Medicine; January counts 5 at F1 and 2 at F2
    assert frame.set_index("department")["opd_registrations"].to_dict() == {"Medicine": 7}
