"""The refresh: incremental equals full, interrupted leaves the last state, readers never
see a half-written refresh (also from another process), and a PostgreSQL store holds the
same tables as the embedded one."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime

import pandas as pd
import pytest
import sqlalchemy as sa
from conftest import F1, F2, F_UNKNOWN, _row

from data_access import store as st
from data_access.contract import source_metadata
from data_access.engines import source_engine, store_engine
from data_access.refresh import day_ranges, days_to_refresh, refresh

NOW = datetime(2026, 11, 26, 12, 0)
LATER = datetime(2026, 12, 2, 12, 0)
TABLES = (
    st.summary_detail,
    st.summary_daily,
    st.summary_departments,
    st.summary_district_daily,
    st.quality_excluded,
    st.enrolments_daily,
)


def snapshot(store: sa.Engine) -> dict[str, list[tuple]]:
    out = {}
    with store.connect() as conn:
        for table in TABLES:
            rows = conn.execute(sa.select(table)).all()
            out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return out


def add_rows(url: str, rows: list[dict]) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(source_metadata(with_keys=False).tables["opd_registrations"].insert(), rows)
    engine.dispose()


LATE_ROWS = [
    _row("n1", F1, datetime(2026, 12, 1, 9), "00123456789099"),  # a new day
    _row("n2", F2, datetime(2026, 11, 30, 9)),
    _row("r1", F1, datetime(2026, 12, 1, 10)),  # a copy of a January registration
    _row("late", F1, datetime(2025, 1, 20, 9), "00123456789098"),  # synced 22 months late
    _row("soon", F2, datetime(2026, 11, 28, 9)),  # future at NOW, valid at LATER
]


def test_incremental_refresh_equals_full(worked_source_url: str, tmp_path) -> None:
    source = source_engine(worked_source_url)
    incremental = store_engine(f"sqlite:///{tmp_path / 'incremental.sqlite'}")
    full = store_engine(f"sqlite:///{tmp_path / 'full.sqlite'}")
    first = refresh(source, incremental, now=NOW)
    assert first.full

    add_rows(worked_source_url, LATE_ROWS)
    report = refresh(source, incremental, now=LATER, lookback_days=3)
    assert not report.full
    assert report.days < 40, "an incremental refresh reads the changed days only"
    refresh(source, full, now=LATER, full=True)
    assert snapshot(incremental) == snapshot(full)

    with incremental.connect() as conn:
        late = conn.execute(
            sa.select(st.summary_daily.c.registrations).where(
                st.summary_daily.c.facility_id == F1,
                st.summary_daily.c.day == datetime(2025, 1, 20).date(),
            )
        ).scalar()
    assert late == 1, "a late row on an old day is found by the day counts"


def test_days_to_refresh_covers_changes_lookback_and_elapsed_days() -> None:
    d = pd.Timestamp
    source = {d("2026-11-20").date(): 10, d("2026-11-25").date(): 5, None: 2}
    stored = {d("2026-11-20").date(): 9, d("2026-11-25").date(): 5, None: 2}
    days = days_to_refresh(
        source, stored, previous_now=datetime(2026, 11, 24, 8), now=NOW, lookback_days=1
    )
    assert days == {
        d("2026-11-20").date(),  # its count changed
        d("2026-11-24").date(),  # lookback from the newest day, and elapsed since last run
        d("2026-11-25").date(),
        d("2026-11-26").date(),
    }
    assert day_ranges(sorted(days)) == [
        (d("2026-11-20").date(), d("2026-11-20").date()),
        (d("2026-11-24").date(), d("2026-11-26").date()),
    ]


def _totals(store: sa.Engine) -> int:
    with store.connect() as conn:
        return int(conn.execute(sa.select(sa.func.sum(st.summary_daily.c.registrations))).scalar())


def test_an_interrupted_refresh_leaves_the_previous_state(
    worked_source_url: str, store_url
) -> None:
    source, store = source_engine(worked_source_url), store_engine(store_url)
    refresh(source, store, now=NOW)
    before = snapshot(store)

    def stop_half_way(done: int, total: int, label: str) -> None:
        if done == total // 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        refresh(source, store, now=LATER, full=True, progress=stop_half_way)
    assert snapshot(store) == before


READER = """
import sys, sqlalchemy as sa
engine = sa.create_engine(sys.argv[1])
with engine.connect() as conn:
    print(conn.execute(sa.text(
        "SELECT sum(registrations) FROM summary_registrations_daily")).scalar())
"""


def test_readers_in_another_process_see_the_last_complete_refresh(
    worked_source_url: str, store_url: str
) -> None:
    source, store = source_engine(worked_source_url), store_engine(store_url)
    refresh(source, store, now=NOW)
    before = _totals(store)
    add_rows(worked_source_url, LATE_ROWS)
    seen: list[int] = []

    def read_meanwhile(done: int, total: int, label: str) -> None:
        if done == total - 1:  # everything written, nothing committed yet
            out = subprocess.run(
                [sys.executable, "-c", READER, store_url],
                capture_output=True,
                text=True,
                timeout=60,
                check=True,
            )
            seen.append(int(out.stdout))

    refresh(source, store, now=LATER, full=True, progress=read_meanwhile)
    assert seen == [before]
    assert _totals(store) > before


@pytest.mark.postgres
def test_a_postgresql_store_holds_the_same_tables(
    worked_source_url: str, store_url: str, postgres_url: str
) -> None:
    source = source_engine(worked_source_url)
    embedded, server = store_engine(store_url), store_engine(postgres_url)
    refresh(source, embedded, now=NOW)
    refresh(source, server, now=NOW)
    assert snapshot(embedded) == snapshot(server)


def test_a_store_of_another_version_is_rebuilt(worked_source_url: str, store_url: str) -> None:
    source, store = source_engine(worked_source_url), store_engine(store_url)
    refresh(source, store, now=NOW)
    before = snapshot(store)
    with store.begin() as conn:
        conn.execute(
            st.refresh_state.update()
            .where(st.refresh_state.c.key == "store_version")
            .values(value="0")
        )
        conn.execute(sa.text("DROP TABLE summary_registrations_departments"))
    assert not st.store_is_built(store), "the dashboard asks for a refresh"
    report = refresh(source, store, now=NOW)
    assert report.full
    assert st.store_is_built(store)
    assert snapshot(store) == before


def test_an_earlier_copy_on_another_old_day_moves_the_kept_copy(
    worked_source_url: str, tmp_path
) -> None:
    """r4 was registered on 16 January; a copy of it turns up, long after, dated
    10 January. The copy kept is now the one of the 10th: the 16th must lose it, although
    the 16th's own rows did not change (an incremental refresh that only re-read the 10th
    would count r4 twice)."""
    source = source_engine(worked_source_url)
    incremental = store_engine(f"sqlite:///{tmp_path / 'incremental.sqlite'}")
    full = store_engine(f"sqlite:///{tmp_path / 'full.sqlite'}")
    refresh(source, incremental, now=NOW)
    add_rows(worked_source_url, [_row("r4", F1, datetime(2025, 1, 10, 9))])
    report = refresh(source, incremental, now=LATER, lookback_days=3)
    assert not report.full
    refresh(source, full, now=LATER, full=True)
    assert snapshot(incremental) == snapshot(full)
    with incremental.connect() as conn:
        days = dict(
            conn.execute(
                sa.select(st.summary_daily.c.day, st.summary_daily.c.registrations).where(
                    st.summary_daily.c.facility_id == F1
                )
            ).all()
        )
    assert days[datetime(2025, 1, 10).date()] == 1
    assert datetime(2025, 1, 16).date() not in days, "r4 was F1's only registration that day"


def test_between_complete_checks_only_recent_days_are_counted(
    worked_source_url: str, tmp_path
) -> None:
    """Refreshes within a day of the last complete check count the recent days only: a
    row synced late onto an old day waits for the next complete check (at most a day),
    while a new day's rows show at once. The complete check then finds the late row and
    the store equals a full refresh."""
    source = source_engine(worked_source_url)
    incremental = store_engine(f"sqlite:///{tmp_path / 'incremental.sqlite'}")
    full = store_engine(f"sqlite:///{tmp_path / 'full.sqlite'}")
    refresh(source, incremental, now=NOW)
    add_rows(
        worked_source_url,
        [
            _row("old", F1, datetime(2025, 1, 20, 9)),  # 22 months late
            _row("new", F2, datetime(2026, 11, 26, 15)),  # today, after NOW
        ],
    )
    soon = datetime(2026, 11, 26, 18, 0)

    def day_count(day) -> int | None:
        d = st.summary_daily
        with incremental.connect() as conn:
            return conn.execute(
                sa.select(sa.func.sum(d.c.registrations)).where(d.c.day == day)
            ).scalar()

    quick = refresh(source, incremental, now=soon)
    assert not quick.full and quick.days < 20
    assert day_count(datetime(2026, 11, 26).date()) == 1
    assert day_count(datetime(2025, 1, 20).date()) is None, "an old day waits"

    complete = refresh(source, incremental, now=NOW.replace(day=27, hour=13))
    assert not complete.full
    assert day_count(datetime(2025, 1, 20).date()) == 1, "the complete check found it"
    refresh(source, full, now=NOW.replace(day=27, hour=13), full=True)
    assert snapshot(incremental) == snapshot(full)


def _invalid_rows(store: sa.Engine) -> int:
    q = st.quality_excluded
    with store.connect() as conn:
        return int(
            conn.execute(
                sa.select(sa.func.coalesce(sa.func.sum(q.c.rows), 0)).where(
                    q.c.kind == "invalid_timestamp"
                )
            ).scalar()
        )


def test_invalid_timestamps_inside_a_day_are_refreshed_with_that_day(
    worked_source_url: str, tmp_path
) -> None:
    """A time later today than "now" (both engines) and, on SQLite, an unreadable text that
    sorts inside 20 January belong to the window of their day: found by that day's
    refresh, kept while invalid, counted once valid; equal to a full refresh each time."""
    source = source_engine(worked_source_url)
    incremental = store_engine(f"sqlite:///{tmp_path / 'incremental.sqlite'}")
    refresh(source, incremental, now=NOW)
    before = _invalid_rows(incremental)
    add_rows(worked_source_url, [_row("tonight", F2, datetime(2026, 11, 26, 20))])
    added = 1
    if source.dialect.name == "sqlite":
        raw = sa.create_engine(worked_source_url)
        with raw.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO opd_registrations (registration_id, facility_id, registered_at, "
                "channel, visit_type, gender, age_years) VALUES "
                "('garbled', ?, '2025-01-20 99:00:00', 'counter', 'new', 'F', 40)",
                (F1,),
            )
        raw.dispose()
        added += 1

    for step, now in enumerate((datetime(2026, 11, 26, 13), datetime(2026, 11, 26, 21))):
        report = refresh(source, incremental, now=now, complete_check_hours=0)
        assert not report.full
        full = store_engine(f"sqlite:///{tmp_path / f'full{step}.sqlite'}")
        refresh(source, full, now=now, full=True)
        assert snapshot(incremental) == snapshot(full)
        tonight_counted = step == 1
        assert _invalid_rows(incremental) == before + added - tonight_counted


RECENT_ROWS = [
    _row("a1", F1, datetime(2026, 11, 23, 9)),
    _row("a2", F1, datetime(2026, 11, 24, 9)),
    _row("a3", F2, datetime(2026, 11, 25, 9), "00123456789096"),
]


def _update(url: str, which: str, **values: object) -> None:
    r = source_metadata(with_keys=False).tables["opd_registrations"]
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(r.update().where(r.c.registration_id == which).values(**values))
    engine.dispose()


def test_look_back_days_are_read_again_only_when_their_rows_changed(
    worked_source_url: str, tmp_path
) -> None:
    """The look-back days (23–25 November, before "now" on the 26th) are re-read when a row
    of theirs was edited in place, which their row counts cannot show, and only then; an
    edit that makes a row a copy of a registration on another unchanged day re-reads that
    day too. Equal to a full refresh after each step."""
    add_rows(worked_source_url, RECENT_ROWS)
    source = source_engine(worked_source_url)
    incremental = store_engine(f"sqlite:///{tmp_path / 'incremental.sqlite'}")
    refresh(source, incremental, now=NOW, lookback_days=3)

    def refreshed_days(now: datetime) -> set:
        report = refresh(source, incremental, now=now, lookback_days=3)
        assert not report.full
        full = store_engine(f"sqlite:///{tmp_path / f'full-{now:%H}.sqlite'}")
        refresh(source, full, now=now, full=True)
        assert snapshot(incremental) == snapshot(full)
        return {
            first + pd.Timedelta(days=k).to_pytimedelta()
            for first, last in report.ranges
            for k in range((last - first).days + 1)
        }

    today = NOW.date()
    day = {n: datetime(2026, 11, n).date() for n in (23, 24, 25)}
    assert refreshed_days(datetime(2026, 11, 26, 13)) == {today}, "nothing changed"

    # An edit may have taken away the copy kept of a registration whose other copies were
    # duplicates: the days holding duplicates (r3's and r10's, January 2025) are read too.
    duplicates = {datetime(2025, 1, 15).date(), datetime(2025, 1, 17).date()}
    _update(worked_source_url, "a2", abha_number="00123456789095")  # linked now
    assert refreshed_days(datetime(2026, 11, 26, 14)) == {today, day[24]} | duplicates

    # a1 (23rd) becomes an earlier copy of a3 (25th, unchanged): the 25th loses a3
    _update(worked_source_url, "a1", registration_id="a3")
    assert refreshed_days(datetime(2026, 11, 26, 15)) == {today, day[23], day[25]} | duplicates
    with incremental.connect() as conn:
        on_25th = conn.execute(
            sa.select(sa.func.sum(st.summary_daily.c.registrations)).where(
                st.summary_daily.c.day == day[25]
            )
        ).scalar()
    assert on_25th is None, "a3's only row on the 25th is now a duplicate"


def test_a_new_day_re_reads_only_itself_and_the_days_of_its_copies(
    worked_source_url: str, tmp_path
) -> None:
    """Rows that arrive on a day the store has no rows for only add: they cannot take away
    the copy kept of any registration, so the days holding duplicates elsewhere are not
    read again (every cron run would pay for them) -- only the new day, the days since the
    last refresh, and the day of an older copy of one of its registrations (r4's, 16
    January 2025). Equal to a full refresh."""
    source = source_engine(worked_source_url)
    incremental = store_engine(f"sqlite:///{tmp_path / 'incremental.sqlite'}")
    refresh(source, incremental, now=NOW, lookback_days=3)
    add_rows(
        worked_source_url,
        [
            _row("fresh", F1, datetime(2026, 11, 27, 9)),
            _row("r4", F2, datetime(2026, 11, 27, 10)),  # a later copy of r4 (16 January)
        ],
    )
    now = datetime(2026, 11, 27, 13)
    report = refresh(source, incremental, now=now, lookback_days=3)
    assert not report.full
    full = store_engine(f"sqlite:///{tmp_path / 'full.sqlite'}")
    refresh(source, full, now=now, full=True)
    assert snapshot(incremental) == snapshot(full)
    read = {
        first + pd.Timedelta(days=k).to_pytimedelta()
        for first, last in report.ranges
        for k in range((last - first).days + 1)
    }
    # not the 15th and 17th, which hold duplicates (r3's, r10's) that no new row touches
    assert read == {NOW.date(), now.date(), datetime(2025, 1, 16).date()}


def test_a_change_of_the_facility_registry_refreshes_everything(
    worked_source_url: str, tmp_path
) -> None:
    """r6 (15 January 2025) is at a facility the registry does not know; once the registry
    lists it, r6 counts, although its day is far outside any look-back."""
    source = source_engine(worked_source_url)
    store = store_engine(f"sqlite:///{tmp_path / 'store.sqlite'}")
    refresh(source, store, now=NOW)
    engine = sa.create_engine(worked_source_url)
    with engine.begin() as conn:
        conn.execute(
            source_metadata(with_keys=False).tables["facilities"].insert(),
            {
                "facility_id": F_UNKNOWN,
                "name_en": "PHC Newly Listed",
                "facility_type": "PHC",
                "district_lgd": 414,
            },
        )
    engine.dispose()
    report = refresh(source, store, now=datetime(2026, 11, 26, 13))
    assert report.full
    with store.connect() as conn:
        counted = conn.execute(
            sa.select(sa.func.sum(st.summary_daily.c.registrations)).where(
                st.summary_daily.c.facility_id == F_UNKNOWN
            )
        ).scalar()
    assert counted == 1
