"""The analytics store: summary tables the dashboard owns and reads.

Kept apart from the registration database the way DHIS2 keeps its analytics tables apart
from its transaction tables. ``refresh`` builds them from the source with aggregate
queries; every page reads only these. All figures in them already follow the counting
rules (see :mod:`data_access.rules`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from data_access.rules import FLAG_COLUMNS

STORE = sa.MetaData()
STORE_VERSION = "8"
"""Bumped whenever the analytics tables change shape; a store of another version is
rebuilt by the next refresh (and until then the dashboard asks for one)."""

_counts = ("registrations", "abha_linked", *FLAG_COLUMNS)

MONTHLY: dict[str, Any] = {"postgresql_partition_by": "RANGE (day)"}
"""On PostgreSQL the day tables are partitioned by month (see ``ensure_month_partitions``):
a page's period reads only its months' partitions, and a refresh deletes and rewrites
only the partitions of the days it refreshes. Other engines ignore it."""


def _count_columns() -> list[sa.Column[int]]:
    return [sa.Column(name, sa.Integer, nullable=False, default=0) for name in _counts]


summary_detail = sa.Table(
    "summary_registrations_detail",
    STORE,
    sa.Column("facility_id", sa.Text, primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("channel", sa.Text, primary_key=True),
    sa.Column("visit_type", sa.Text, primary_key=True),
    sa.Column("gender", sa.Text, primary_key=True),
    sa.Column("age_band", sa.Text, primary_key=True),
    *_count_columns(),
    **MONTHLY,
)
"""Counted registrations at (facility, day, channel, visit type, gender, age band) grain."""

summary_daily = sa.Table(
    "summary_registrations_daily",
    STORE,
    sa.Column("facility_id", sa.Text, primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    *_count_columns(),
    sa.Index("ix_summary_registrations_daily_day", "day"),
    **MONTHLY,
)
"""The detail summed over its breakdowns: what most pages need, ~40 times smaller."""

summary_breakdowns = sa.Table(
    "summary_registrations_breakdowns",
    STORE,
    sa.Column("breakdown", sa.Text, primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("facility_id", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, primary_key=True),
    sa.Column("registrations", sa.Integer, nullable=False),
    sa.Column("abha_linked", sa.Integer, nullable=False),
    **MONTHLY,
)
"""The detail summed over all breakdowns but one (channel, visit_type, gender or
age_band), keyed breakdown first and then day, so that a page's "by channel over this
period" reads only that breakdown's rows of those days. Its size is bounded by facilities
× days × values (a few per breakdown), however many registrations there are; the detail
table keeps growing with them (more combinations filled)."""

summary_departments = sa.Table(
    "summary_registrations_departments",
    STORE,
    sa.Column("facility_id", sa.Text, primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("department", sa.Text, primary_key=True),
    sa.Column("registrations", sa.Integer, nullable=False),
    sa.Column("abha_linked", sa.Integer, nullable=False),
    **MONTHLY,
)
"""Counted registrations by facility, day and department (as recorded, trimmed)."""

summary_district_daily = sa.Table(
    "summary_registrations_district_daily",
    STORE,
    sa.Column("district_lgd", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("day", sa.Date, primary_key=True),
    *_count_columns(),
    sa.Index("ix_summary_registrations_district_daily_day", "day"),
    **MONTHLY,
)
"""``summary_daily`` summed per district (through the registry's facilities), so that a
view of a whole state or country, or of whole districts, reads a row per district and day
instead of one per facility and day (a thousand times fewer nationally)."""

quality_excluded = sa.Table(
    "quality_excluded_rows",
    STORE,
    sa.Column("day", sa.Date),
    sa.Column("facility_id", sa.Text),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("source_day", sa.Date),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Index("ix_quality_excluded_rows_day", "day"),
)
"""Raw rows kept out of every figure, by kind (duplicate, unknown_facility,
invalid_timestamp). ``day`` is NULL for an invalid timestamp, ``facility_id`` as recorded.
``source_day``: for an invalid timestamp that lies within a day's range of raw timestamps
(see ``rules._ownership``), that day, by which the refresh of that day replaces it."""

enrolments_daily = sa.Table(
    "enrolments_daily",
    STORE,
    sa.Column("facility_id", sa.Text, primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("enrolments", sa.Integer, nullable=False),
)

dim_districts = sa.Table(
    "dim_districts",
    STORE,
    sa.Column("lgd_code", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name_en", sa.Text, nullable=False),
    sa.Column("name_hi", sa.Text),
    sa.Column("division", sa.Text),
    sa.Column("state", sa.Text),
    sa.Column("division_hi", sa.Text),
    sa.Column("state_hi", sa.Text),
)
"""The registry's districts, with the Hindi names of their division and state from the
source's optional ``divisions`` and ``states`` tables (NULL where it has none)."""

dim_facilities = sa.Table(
    "dim_facilities",
    STORE,
    sa.Column("facility_id", sa.Text, primary_key=True),
    sa.Column("name_en", sa.Text, nullable=False),
    sa.Column("name_hi", sa.Text),
    sa.Column("facility_type", sa.Text, nullable=False),
    sa.Column("district_lgd", sa.Integer, nullable=False),
    sa.Column("block", sa.Text),
    sa.Column("latitude", sa.Float),
    sa.Column("longitude", sa.Float),
    sa.Column("ehospital_go_live", sa.Date),
)

dim_facility_staff = sa.Table(
    "dim_facility_staff",
    STORE,
    sa.Column("facility_id", sa.Text, nullable=False),
    sa.Column("cadre", sa.Text, nullable=False),
    sa.Column("sanctioned_or_working", sa.Integer, nullable=False),
    sa.Column("hpr_registered", sa.Integer, nullable=False),
)

calendar_days = sa.Table(
    "calendar_days",
    STORE,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("iso_week_start", sa.Date, nullable=False),
    sa.Column("month_start", sa.Date, nullable=False),
    sa.Column("quarter_start", sa.Date, nullable=False),
    sa.Column("fy_start", sa.Date, nullable=False),
)
"""Each day with the first day of its ISO week, month, quarter and Indian financial year,
so that every engine buckets time the same way with a plain join."""

source_day_rows = sa.Table(
    "source_day_rows",
    STORE,
    sa.Column("day", sa.Date),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("fingerprint", sa.Text),
)
"""Raw rows per calendar day in the source at the last refresh: how a later refresh sees
which days changed. ``day`` NULL holds rows whose timestamp is missing or unreadable.
``fingerprint``: for the look-back days only, a digest of the rows' content (see
``refresh.day_fingerprints``), so that a later refresh re-reads only those that changed."""

refresh_state = sa.Table(
    "refresh_state",
    STORE,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

CALENDAR_FIRST_DAY = date(2010, 4, 1)
CALENDAR_LAST_DAY = date(2040, 3, 31)


def fy_start(day: date) -> date:
    """First day (1 April) of the Indian financial year that holds ``day``."""
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def bucket_start(day: date, grain: str) -> date:
    """First day of the day's ISO week, month, quarter or Indian financial year."""
    if grain == "day":
        return day
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if grain == "fy":
        return fy_start(day)
    raise ValueError(f"unknown grain {grain!r}")


def calendar_rows(first: date = CALENDAR_FIRST_DAY, last: date = CALENDAR_LAST_DAY) -> list[dict]:
    rows = []
    day = first
    while day <= last:
        rows.append(
            {
                "day": day,
                "iso_week_start": bucket_start(day, "week"),
                "month_start": bucket_start(day, "month"),
                "quarter_start": bucket_start(day, "quarter"),
                "fy_start": bucket_start(day, "fy"),
            }
        )
        day += timedelta(days=1)
    return rows


def stored_version(engine: sa.Engine) -> str | None:
    if not sa.inspect(engine).has_table(refresh_state.name):
        return None
    with engine.connect() as conn:
        return conn.execute(
            sa.select(refresh_state.c.value).where(refresh_state.c.key == "store_version")
        ).scalar()


MONTH_PARTITIONED = (
    summary_detail,
    summary_daily,
    summary_breakdowns,
    summary_departments,
    summary_district_daily,
)


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=1) + timedelta(days=32)).replace(day=1)


def ensure_month_partitions(engine: sa.Engine, months: Iterable[date] = ()) -> int:
    """PostgreSQL: a partition of each day table for each of ``months`` (first days)
    that has none yet, and a default partition (days of no month partition); nothing on
    other engines. Returns how many partitions were made.

    Run in short transactions of its own before a refresh's transaction (making a
    partition locks its parent table, which must not wait for a whole refresh). A month
    whose rows already sit in the default partition keeps them there: still counted,
    only not pruned.
    """
    if engine.dialect.name != "postgresql":
        return 0
    made = 0
    with engine.connect() as conn:
        existing = set(
            conn.execute(
                sa.text("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid")
            ).scalars()
        )
    wanted_months = sorted({month_start(m) for m in months})
    for table in MONTH_PARTITIONED:
        wanted = [(f"{table.name}_default", "DEFAULT")] + [
            (
                f"{table.name}_{month:%Y%m}",
                f"FOR VALUES FROM ('{month.isoformat()}') TO ('{next_month(month).isoformat()}')",
            )
            for month in wanted_months
        ]
        for name, bounds in wanted:
            if name in existing:
                continue
            try:
                with engine.begin() as conn:
                    conn.execute(
                        sa.text(f'CREATE TABLE "{name}" PARTITION OF "{table.name}" {bounds}')
                    )
                made += 1
            except sa.exc.DBAPIError:
                # rows of that month already in the default partition: leave them there
                continue
    return made


def ensure_store(engine: sa.Engine) -> None:
    """Create the store's tables the first time; fill the calendar once.

    A store written by another version of the dashboard is dropped and made anew (the next
    refresh is then a full one): its tables may have another shape.
    """
    inspector = sa.inspect(engine)
    if inspector.has_table(refresh_state.name) and stored_version(engine) != STORE_VERSION:
        STORE.drop_all(engine)
    STORE.create_all(engine)
    ensure_month_partitions(engine)  # PostgreSQL: rows need a partition to land in
    with engine.begin() as conn:
        has_calendar = conn.execute(sa.select(sa.func.count()).select_from(calendar_days)).scalar()
        if not has_calendar:
            conn.execute(calendar_days.insert(), calendar_rows())


def store_is_built(engine: sa.Engine) -> bool:
    inspector = sa.inspect(engine)
    if not all(inspector.has_table(t.name) for t in STORE.sorted_tables):
        return False
    with engine.connect() as conn:
        state = dict(conn.execute(sa.select(refresh_state.c.key, refresh_state.c.value)).all())
    return "refreshed_at" in state and state.get("store_version") == STORE_VERSION
