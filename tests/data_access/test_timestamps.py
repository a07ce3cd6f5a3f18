"""Which registered_at values are read as times, and that every row lies in exactly one
day's range however its time is written (docs/contract.md, "Which timestamps are
readable").

The lost-rows fault of issue 15: on SQLite a row written '2025-07-12 00:00:00' or
'2025-07-12' sorted before the bound '2025-07-12 00:00:00.000000', so a refresh window
ending on 11 July read it (and did not own it) and the window from 12 July never did.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa
from conftest import F1, F2, write_worked_example

from data_access.engines import source_engine, store_engine
from data_access.queries import Period, data_quality_counts, registration_counts, row_accounts
from data_access.refresh import refresh, source_day_counts
from data_access.rules import in_days, readable_timestamp

NOW = datetime(2026, 11, 26, 12, 0)

READABLE = {
    "2025-07-12": "2025-07-12 00:00:00.000000",
    "2025-07-12 00:00": "2025-07-12 00:00:00.000000",
    "2025-07-12 00:00:00": "2025-07-12 00:00:00.000000",
    "2025-07-12T09:30": "2025-07-12 09:30:00.000000",
    "2025-07-12T09:30:05": "2025-07-12 09:30:05.000000",
    "2025-07-12 09:30:05.5": "2025-07-12 09:30:05.500000",
    "2025-07-12 09:30:05.123": "2025-07-12 09:30:05.123000",
    "2025-07-12 23:59:59.999999": "2025-07-12 23:59:59.999999",
    "2025-07-12 23:59:59.9999999": "2025-07-12 23:59:59.999999",  # dropped, not rounded
    "2025-07-12 23:59:59.123456789012": "2025-07-12 23:59:59.123456",
    "2024-02-29 10:00": "2024-02-29 10:00:00.000000",
    "0001-01-01": "0001-01-01 00:00:00.000000",
    "9999-12-31 23:59:59": "9999-12-31 23:59:59.000000",
}
UNREADABLE = [
    " 2025-07-12",
    "2025-07-12 ",
    "2025-07-12  10:00",
    "2025-07-12 10:00:00+05:30",  # SQLite's strftime would move it to 04:30
    "2025-07-12 10:00:00Z",
    "2025-07-12t10:00",
    "2025-07-12 10",
    "2025-07-12 10:00:00.",
    "2025-07-12 10:00:00,5",
    "2025-02-29",  # not a leap year
    "2025-02-30",  # strftime reads it as it is
    "2025-06-31",
    "2025-13-01",
    "0000-01-01",
    "2025-07-12 24:00:00",
    "2025-07-12 10:60",
    "2025-07-12 10:00:60",
    "2025-7-12",
    "12025-07-12",
    "10:00",  # strftime: 1 January 2000
    "now",  # strftime: the present
    "2460000.5",  # strftime: a Julian day number
    "not recorded",
    "",
]


def _read_on_sqlite(value: object) -> object:
    engine = sa.create_engine("sqlite://")
    with engine.connect() as conn:
        conn.execute(sa.text("CREATE TABLE t (registered_at TIMESTAMP)"))
        conn.execute(sa.text("INSERT INTO t VALUES (:v)"), {"v": value})
        column = sa.table("t", sa.column("registered_at")).c.registered_at
        return conn.execute(sa.select(sa.type_coerce(readable_timestamp(column), sa.Text))).scalar()


@pytest.mark.parametrize("text", sorted(READABLE))
def test_sqlite_reads_the_contract_forms(text: str) -> None:
    assert _read_on_sqlite(text) == READABLE[text]


@pytest.mark.parametrize("value", [*UNREADABLE, 2460000.5, 2460000, b"2025-07-12", None])
def test_sqlite_reads_nothing_else(value: object) -> None:
    assert _read_on_sqlite(value) is None


def _source_with_rows(url: str, rows: list[tuple[str, str, object]]) -> sa.Engine:
    """The worked example's registry (F1 live from 10-01-2025) with only ``rows``
    (registration_id, facility_id, registered_at as written)."""
    write_worked_example(url)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM opd_registrations"))
        for rid, facility, at in rows:
            value = at.isoformat(sep=" ") if isinstance(at, datetime) else at
            if engine.dialect.name == "postgresql" and isinstance(at, str):
                infinite = at in ("infinity", "-infinity")
                value = at if infinite else datetime.fromisoformat(at) if at else None
            conn.execute(
                sa.text(
                    "INSERT INTO opd_registrations (registration_id, facility_id, registered_at,"
                    " channel, visit_type) VALUES (:rid, :f, :at, 'counter', 'new')"
                ),
                {"rid": rid, "f": facility, "at": value},
            )
    engine.dispose()
    return source_engine(url)


# Two days, so the full refresh makes two one-day windows with a boundary at 12 July.
MIDNIGHT_ROWS = [
    ("a", F1, "2025-07-11 10:00:00"),
    ("b", F1, "2025-07-12 00:00:00"),
    ("c", F1, "2025-07-12"),
    ("d", F2, "2025-07-12 00:00"),
    ("e", F2, "2025-07-12T00:00:00"),
    ("f", F2, "2025-07-11 23:59:59.999999"),
]


def test_midnight_rows_at_a_window_boundary_are_counted(
    empty_source_url: str, store_url: str
) -> None:
    source = _source_with_rows(empty_source_url, MIDNIGHT_ROWS)
    store = store_engine(store_url)
    report = refresh(source, store, now=NOW)
    assert len(report.ranges) == 2, "the test needs a window boundary between the days"
    frame = registration_counts(
        store, Period(date(2025, 7, 12), date(2025, 7, 12)), by=["facility"]
    )
    got = frame.set_index("facility_id")["opd_registrations"].to_dict()
    assert got == {F1: 2, F2: 2}
    eleventh = registration_counts(store, Period(date(2025, 7, 11), date(2025, 7, 11)))
    assert int(eleventh["opd_registrations"].iloc[0]) == 2
    raw, counted, excluded = row_accounts(store)  # type: ignore[misc]
    assert raw == counted + sum(excluded.values()) == len(MIDNIGHT_ROWS)


def test_each_row_lies_in_its_own_days_range(empty_source_url: str) -> None:
    source = _source_with_rows(empty_source_url, MIDNIGHT_ROWS)
    with source.connect() as conn:
        counts = source_day_counts(conn, NOW)
        r = sa.table("opd_registrations", sa.column("registered_at"))
        twelfth = conn.execute(
            sa.select(sa.func.count())
            .select_from(r)
            .where(in_days(r.c.registered_at, date(2025, 7, 12), date(2025, 7, 12)))
        ).scalar()
    assert counts == {date(2025, 7, 11): 2, date(2025, 7, 12): 4}
    assert twelfth == 4


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_unreadable_text_is_an_invalid_timestamp_on_its_days_range(
    empty_source_url: str, store_url: str
) -> None:
    rows = [("a", F1, "2025-07-12 10:00"), *((f"u{i}", F1, v) for i, v in enumerate(UNREADABLE))]
    source = _source_with_rows(empty_source_url, rows)
    store = store_engine(store_url)
    refresh(source, store, now=NOW)
    quality = data_quality_counts(store).set_index("kind")["rows"].to_dict()
    assert quality["invalid_timestamp"] == len(UNREADABLE)
    raw, counted, excluded = row_accounts(store)  # type: ignore[misc]
    assert (raw, counted) == (len(rows), 1)
    assert counted + sum(excluded.values()) == raw


ODD_TEXTS = [
    *UNREADABLE,
    *READABLE,
    "1899-12-31 23:59",
    "1900-01-01",
    "1900-01-0",
    "2025-07-1",
    "2025-07-19x",
    "2025-07-2",
    "2025-07-32",
    "2025-07-31~",
    "2026-11-26 23:59:59",
    "2026-11-27",
    "2026-11-26T12:00:01",
    "2025-12-31 ",
    "2025-13",
    "2025-",
    "2",
    "~",
]


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_one_grouped_pass_counts_each_days_range_as_the_ranges_do(
    empty_source_url: str,
) -> None:
    """The count of a source without an index on registered_at (one GROUP BY) agrees
    with the count over each day's range, for text that sorts anywhere."""
    rows = [(f"t{i}", F1, v) for i, v in enumerate(ODD_TEXTS)]
    rows += [("n1", F1, 2460000.5), ("n2", F1, 45000), ("b1", F1, b"2025-07-12"), ("x", F1, None)]
    source = _source_with_rows(empty_source_url, rows)
    with source.connect() as conn:
        by_ranges = source_day_counts(conn, NOW)
        grouped = source_day_counts(conn, NOW, by_ranges=False)
    assert grouped == by_ranges
    assert sum(grouped.values()) == len(rows)


@pytest.mark.parametrize("engine_name", [pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_one_grouped_pass_counts_as_the_ranges_do_on_postgresql(empty_source_url: str) -> None:
    rows = [
        ("a", F1, datetime(1899, 12, 31, 23, 59)),
        ("b", F1, datetime(1900, 1, 1)),
        ("c", F1, datetime(2025, 7, 12)),
        ("d", F1, datetime(2025, 7, 12, 23, 59, 59, 999999)),
        ("e", F1, datetime(2026, 11, 26, 23, 0)),
        ("f", F1, datetime(2026, 11, 27)),
        ("g", F1, None),
    ]
    source = _source_with_rows(empty_source_url, rows)
    with source.connect() as conn:
        by_ranges = source_day_counts(conn, NOW)
        grouped = source_day_counts(conn, NOW, by_ranges=False)
    assert grouped == by_ranges
    assert by_ranges[None] == 3


class _LosingAggregator:
    """Aggregates in the source as the SQL refresh does, then loses one registration of
    the 12th of July: what the midnight fault did, in any engine."""

    workers = 1

    def __init__(self, source: sa.Engine) -> None:
        self.source = source

    def __call__(self, window, now):  # type: ignore[no-untyped-def]
        from data_access.refresh import DETAIL_COLUMNS, aggregate_window, as_date

        with self.source.connect() as conn:
            aggregates = aggregate_window(conn, window, now)
        day_at, n_at = DETAIL_COLUMNS.index("day"), DETAIL_COLUMNS.index("registrations")
        for i, row in enumerate(aggregates.detail):
            if as_date(row[day_at]) == date(2025, 7, 12):
                lost = list(row)
                lost[n_at] -= 1
                aggregates.detail[i] = tuple(lost)
                break
        return aggregates


def test_a_refresh_that_loses_a_row_fails_and_names_the_day(
    empty_source_url: str, store_url: str
) -> None:
    from data_access.errors import RowsUnaccounted

    source = _source_with_rows(empty_source_url, MIDNIGHT_ROWS)
    store = store_engine(store_url)
    refresh(source, store, now=NOW)
    before = registration_counts(store, Period(date(2025, 7, 1), date(2025, 7, 31)))
    with pytest.raises(RowsUnaccounted, match="2025-07-12: 4 in the source, 3 accounted") as err:
        refresh(source, store, now=NOW, full=True, aggregator=_LosingAggregator(source))
    assert set(err.value.days) == {date(2025, 7, 12)}
    after = registration_counts(store, Period(date(2025, 7, 1), date(2025, 7, 31)))
    assert after.equals(before), "a failed refresh keeps the previous figures"


@pytest.mark.parametrize("engine_name", [pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_infinite_timestamps_are_invalid_on_postgresql(
    empty_source_url: str, store_url: str
) -> None:
    """A PostgreSQL timestamp column also holds 'infinity' and '-infinity': no time, no
    day (the refresh used to fail reading the day of '-infinity')."""
    rows = [("a", F1, "2025-07-12 10:00:00"), ("b", F1, "-infinity"), ("c", F2, "infinity")]
    source = _source_with_rows(empty_source_url, rows)
    with source.connect() as conn:
        assert source_day_counts(conn, NOW, by_ranges=False) == {date(2025, 7, 12): 1, None: 2}
    store = store_engine(store_url)
    refresh(source, store, now=NOW)
    quality = data_quality_counts(store).set_index("kind")["rows"].to_dict()
    assert quality["invalid_timestamp"] == 2
    raw, counted, excluded = row_accounts(store)  # type: ignore[misc]
    assert (raw, counted, counted + sum(excluded.values())) == (3, 1, 3)
