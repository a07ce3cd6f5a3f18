"""The store at scale: a district summary that wide views read instead of facility rows
(and that always equals the facilities summed), and PostgreSQL day tables partitioned by
month, which a period's query prunes to its months."""

from __future__ import annotations

import re
from datetime import date, datetime

import pandas as pd
import pytest
import sqlalchemy as sa
from conftest import DEMO_NOW

from data_access import store as st
from data_access.contract import source_metadata
from data_access.engines import source_engine, store_engine
from data_access.queries import Period, Scope, data_quality_counts, registration_counts
from data_access.refresh import refresh
from data_access.rules import FLAG_COLUMNS

YEAR = Period(date(2025, 1, 1), date(2025, 12, 31))
EVERY_TYPE = ("DH", "CH", "CHC", "PHC", "SHC")


def facilities_summed(store: sa.Engine) -> tuple[pd.DataFrame, pd.DataFrame]:
    """summary_daily summed per district here, in pandas, and the district summary."""
    with store.connect() as conn:
        daily = pd.read_sql(sa.select(st.summary_daily), conn)
        registry = pd.read_sql(
            sa.select(st.dim_facilities.c.facility_id, st.dim_facilities.c.district_lgd), conn
        )
        district = pd.read_sql(sa.select(st.summary_district_daily), conn)
    counts = [c.name for c in st.summary_daily.columns if c.name not in ("facility_id", "day")]
    summed = (
        daily.merge(registry, on="facility_id")
        .groupby(["district_lgd", "day"], as_index=False)[counts]
        .sum()
    )
    order = ["district_lgd", "day"]
    return (
        summed.sort_values(order).reset_index(drop=True),
        district[summed.columns].sort_values(order).reset_index(drop=True),
    )


def test_the_district_summary_is_the_facilities_summed(dirty_source_url: str, tmp_path) -> None:
    source = source_engine(dirty_source_url)
    store = store_engine(f"sqlite:///{tmp_path / 'store.sqlite'}")
    refresh(source, store, now=DEMO_NOW)
    expected, got = facilities_summed(store)
    assert len(got) > 0
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)

    # A facility moves to another district: no registration changed, yet every day of
    # the district summary is made again.
    writable = sa.create_engine(dirty_source_url)
    f = source_metadata(with_keys=False).tables["facilities"]
    with writable.begin() as conn:
        conn.execute(f.update().where(f.c.facility_id == "IN2200000001").values(district_lgd=649))
    writable.dispose()
    report = refresh(source, store, now=datetime(2026, 11, 26, 13))
    assert not report.full
    expected, got = facilities_summed(store)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    assert 649 in set(got["district_lgd"])


@pytest.mark.parametrize(
    "scope",
    [Scope(), Scope.of([414]), Scope.of([414, 416]), Scope.of(allowed=[416])],
    ids=["division", "one district", "two districts", "a collector's ceiling"],
)
@pytest.mark.parametrize("grain", [None, "day", "month"])
def test_whole_districts_read_the_district_summary_and_agree(
    dirty_store: str, scope: Scope, grain: str | None
) -> None:
    store = store_engine(dirty_store)
    by_district = registration_counts(store, YEAR, scope, by=["district"], grain=grain)
    # the same scope with every facility type chosen reads the facilities' rows
    through_facilities = registration_counts(
        store, YEAR, Scope.of(scope.districts, facility_types=EVERY_TYPE,
                              allowed=scope.allowed_districts),
        by=["district"], grain=grain,
    )  # fmt: skip
    pd.testing.assert_frame_equal(by_district, through_facilities, check_dtype=False)
    assert by_district["opd_registrations"].sum() > 0
    flags = data_quality_counts(store, YEAR, scope)
    flags_through_facilities = data_quality_counts(
        store, YEAR, Scope.of(scope.districts, facility_types=EVERY_TYPE,
                              allowed=scope.allowed_districts),
    )  # fmt: skip
    # the flags on counted registrations agree (rows of unknown facilities are counted
    # only without any filter, by design: compared under a filter they differ)
    flagged = flags.set_index("kind")["rows"].loc[list(FLAG_COLUMNS)]
    flagged_through = flags_through_facilities.set_index("kind")["rows"].loc[list(FLAG_COLUMNS)]
    pd.testing.assert_series_equal(flagged, flagged_through)
    assert flagged.sum() > 0


def test_a_wide_view_never_reads_facility_rows(dirty_store: str) -> None:
    """The statements of a division-wide view name the district summary, not the daily
    facility table (seen in the SQL the store is sent)."""
    store = store_engine(dirty_store)
    sent: list[str] = []
    sa.event.listen(store, "before_cursor_execute", lambda *a: sent.append(a[2]))
    registration_counts(store, YEAR, Scope(), grain="month")
    registration_counts(store, YEAR, Scope.of([414]), by=["district"])
    assert sent and all("summary_registrations_district_daily" in s for s in sent)
    assert not any(re.search(r"\bsummary_registrations_daily\b", s) for s in sent)


@pytest.mark.postgres
@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_a_postgresql_store_is_partitioned_by_month(
    dirty_source_url: str, postgres_url: str
) -> None:
    store = store_engine(postgres_url)
    refresh(source_engine(dirty_source_url), store, now=DEMO_NOW)
    with store.connect() as conn:
        partitions = set(
            conn.execute(
                sa.text(
                    "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                    " JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = :t"
                ),
                {"t": st.summary_daily.name},
            ).scalars()
        )
        # the source's days run from January 2025 to February 2025 (2036 is in the future)
        assert {
            "summary_registrations_daily_202501",
            "summary_registrations_daily_202502",
            "summary_registrations_daily_default",
        } <= partitions
        in_default = conn.execute(
            sa.text("SELECT count(*) FROM summary_registrations_daily_default")
        ).scalar()
        assert in_default == 0, "every counted day has its month's partition"
        plan = "\n".join(
            conn.execute(
                sa.text(
                    "EXPLAIN SELECT sum(registrations) FROM summary_registrations_daily"
                    " WHERE day BETWEEN :a AND :b"
                ),
                {"a": date(2025, 1, 1), "b": date(2025, 1, 31)},
            ).scalars()
        )
    assert "summary_registrations_daily_202501" in plan
    assert "summary_registrations_daily_202502" not in plan, "February is pruned"


def test_partitions_are_made_for_the_months_with_rows_only(dirty_source_url: str) -> None:
    from conftest import F1, _row

    from data_access.refresh import source_months

    writable = sa.create_engine(dirty_source_url)
    with writable.begin() as conn:
        conn.execute(
            source_metadata(with_keys=False).tables["opd_registrations"].insert(),
            _row("stray", F1, datetime(1901, 3, 5, 9)),  # a clock a century off
        )
    writable.dispose()
    source = source_engine(dirty_source_url)
    with source.connect() as conn:
        months = source_months(conn, DEMO_NOW)
    source.dispose()
    # not every month from 1901 on; not 2036 (in the future)
    assert months == [date(1901, 3, 1), date(2025, 1, 1), date(2025, 2, 1)]
