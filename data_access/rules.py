"""The counting rules of the contract, defined once, in SQL.

Every figure — the analytics tables built by ``refresh``, ``figures --source`` and the
data-quality counts — is computed from :func:`classified_registrations`, which turns raw
``opd_registrations`` rows into one row each with its *status* and its normalised
breakdown values. What "ABHA-linked", "duplicate", "unknown facility" and "invalid
timestamp" mean is written here and nowhere else.

Engine differences (SQLite keeps timestamps as text, PostgreSQL as ``timestamp``; SQLite
has no regular expressions) are handled by the small SQL constructs at the top of this
module, each compiled per dialect.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from data_access.contract import CHANNELS, GENDERS, VISIT_TYPES, facilities, opd_registrations
from data_access.spark_sql import READABLE_AT, reads_text

# --- statuses of a raw row ---------------------------------------------------------------
COUNTED = "counted"
DUPLICATE = "duplicate"
UNKNOWN_FACILITY = "unknown_facility"
INVALID_TIMESTAMP = "invalid_timestamp"
EXCLUDED_STATUSES = (DUPLICATE, UNKNOWN_FACILITY, INVALID_TIMESTAMP)

# --- flags on counted registrations --------------------------------------------------------
FLAG_COLUMNS = (
    "before_go_live",
    "malformed_abha",
    "nonstandard_channel",
    "nonstandard_visit_type",
    "nonstandard_gender",
)

OTHER = "other"
UNKNOWN = "unknown"

AGE_BANDS: tuple[tuple[str, int | None, int | None], ...] = (
    ("0-4", 0, 4),
    ("5-14", 5, 14),
    ("15-29", 15, 29),
    ("30-44", 30, 44),
    ("45-59", 45, 59),
    ("60+", 60, 120),
)
AGE_BAND_LABELS = tuple(label for label, _, _ in AGE_BANDS) + (UNKNOWN,)


# --- per-dialect SQL constructs ------------------------------------------------------------
class readable_timestamp(FunctionElement[datetime]):
    """The timestamp when the value is a readable one, else NULL."""

    type = sa.DateTime()
    inherit_cache = True


@compiles(readable_timestamp, "sqlite")
def _readable_timestamp_sqlite(
    element: readable_timestamp, compiler: SQLCompiler, **kw: Any
) -> str:
    # SQLite keeps timestamps as text (or whatever was written). Only the contract's forms
    # are read (docs/contract.md, "Which timestamps are readable"): SQLite's strftime()
    # would also read 'now', Julian day numbers, zone suffixes (moving the day), 24:00
    # and 30 February. A readable value becomes fixed-width text, so text order is time
    # order and its first ten characters are its day; fractions past the microsecond are
    # dropped, never rounded into the next second (or day).
    (arg,) = element.clauses
    return sqlite_reading(compiler.process(arg, **kw))


_DIGIT = "[0-9]"
_SQLITE_DATE = f"{_DIGIT * 4}-{_DIGIT * 2}-{_DIGIT * 2}"
_SQLITE_MINUTES = f"{_SQLITE_DATE}[ T]{_DIGIT * 2}:{_DIGIT * 2}"
_SQLITE_SECONDS = f"{_SQLITE_MINUTES}:{_DIGIT * 2}"


def sqlite_reading(x: str) -> str:
    """SQLite SQL: the value ``x`` (an SQL expression) as 'YYYY-MM-DD HH:MM:SS.ffffff'
    when it is text of one of the contract's forms with a real date and time; else NULL."""
    shaped = (
        f"(length({x}) = 10 AND {x} GLOB '{_SQLITE_DATE}')"
        f" OR (length({x}) = 16 AND {x} GLOB '{_SQLITE_MINUTES}')"
        f" OR (length({x}) = 19 AND {x} GLOB '{_SQLITE_SECONDS}')"
        f" OR (length({x}) > 20 AND {x} GLOB '{_SQLITE_SECONDS}.{_DIGIT}*'"
        f" AND substr({x}, 21) NOT GLOB '*[^0-9]*')"
    )
    real_date = (
        f"substr({x}, 1, 4) <> '0000' AND date(substr({x}, 1, 10), '+0 days') = substr({x}, 1, 10)"
    )
    real_time = (
        f"(length({x}) = 10 OR (substr({x}, 12, 2) <= '23' AND substr({x}, 15, 2) <= '59'"
        f" AND (length({x}) = 16 OR substr({x}, 18, 2) <= '59')))"
    )
    clock = (
        f"CASE length({x}) WHEN 10 THEN '00:00:00' WHEN 16 THEN substr({x}, 12, 5) || ':00'"
        f" ELSE substr({x}, 12, 8) END"
    )
    fraction = (
        f"substr(CASE WHEN length({x}) > 20 THEN substr({x}, 21) ELSE '' END || '000000', 1, 6)"
    )
    return (
        f"(CASE WHEN typeof({x}) = 'text' AND ({shaped}) AND {real_date} AND {real_time}"
        f" THEN substr({x}, 1, 10) || ' ' || {clock} || '.' || {fraction} END)"
    )


@compiles(readable_timestamp, "spark")
def _readable_timestamp_spark(element: readable_timestamp, compiler: SQLCompiler, **kw: Any) -> str:
    # Spark reads the rows with the source engine's own reading beside the raw value
    # (data_access.spark_sql.READABLE_AT), so both engines' readings stay their own.
    (arg,) = element.clauses
    if getattr(arg, "name", None) != "registered_at":
        raise NotImplementedError("Spark has the source's reading of registered_at only")
    raw = compiler.process(arg, **kw)
    return raw[: -len("registered_at")] + READABLE_AT


@compiles(readable_timestamp, "postgresql")
def _readable_timestamp_pg(element: readable_timestamp, compiler: SQLCompiler, **kw: Any) -> str:
    # a timestamp column holds times, and 'infinity' and '-infinity', which are not
    (arg,) = element.clauses
    value = compiler.process(arg, **kw)
    return f"(CASE WHEN isfinite({value}) THEN {value} END)"


@compiles(readable_timestamp)
def _readable_timestamp_default(
    element: readable_timestamp, compiler: SQLCompiler, **kw: Any
) -> str:
    (arg,) = element.clauses
    return compiler.process(arg, **kw)


class calendar_day(FunctionElement[date]):
    """The calendar day (IST, as stored) of a timestamp; NULL when unreadable."""

    type = sa.Date()
    inherit_cache = True


@compiles(calendar_day, "sqlite")
def _calendar_day_sqlite(element: calendar_day, compiler: SQLCompiler, **kw: Any) -> str:
    # of a readable_timestamp: fixed-width text whose first ten characters are its day
    (arg,) = element.clauses
    return f"substr({compiler.process(arg, **kw)}, 1, 10)"


@compiles(calendar_day, "spark")
def _calendar_day_spark(element: calendar_day, compiler: SQLCompiler, **kw: Any) -> str:
    (arg,) = element.clauses
    value = compiler.process(arg, **kw)
    if reads_text(compiler.dialect):
        # SQLite's reading is text 'YYYY-MM-DD HH:MM:SS.SSS'; date() of it is its day
        return f"substring({value}, 1, 10)"
    return f"CAST({value} AS DATE)"


@compiles(calendar_day)
def _calendar_day_default(element: calendar_day, compiler: SQLCompiler, **kw: Any) -> str:
    (arg,) = element.clauses
    return f"CAST({compiler.process(arg, **kw)} AS DATE)"


class is_fourteen_digits(FunctionElement[bool]):
    """True when the text is exactly 14 ASCII digits."""

    type = sa.Boolean()
    inherit_cache = True


@compiles(is_fourteen_digits, "sqlite")
def _fourteen_sqlite(element: is_fourteen_digits, compiler: SQLCompiler, **kw: Any) -> str:
    (arg,) = element.clauses
    value = compiler.process(arg, **kw)
    return f"(length({value}) = 14 AND {value} NOT GLOB '*[^0-9]*')"


@compiles(is_fourteen_digits, "spark")
def _fourteen_spark(element: is_fourteen_digits, compiler: SQLCompiler, **kw: Any) -> str:
    # Java's '$' also matches before a final line break: the length pins the end instead.
    (arg,) = element.clauses
    value = compiler.process(arg, **kw)
    return f"(length({value}) = 14 AND {value} RLIKE '^[0-9]{{14}}')"


@compiles(is_fourteen_digits)
def _fourteen_default(element: is_fourteen_digits, compiler: SQLCompiler, **kw: Any) -> str:
    (arg,) = element.clauses
    return f"({compiler.process(arg, **kw)} ~ '^[0-9]{{14}}$')"


class binary_order(FunctionElement[str]):
    """A text value compared byte by byte, so ties break the same way on every engine."""

    type = sa.Text()
    inherit_cache = True


@compiles(binary_order, "postgresql")
def _binary_order_pg(element: binary_order, compiler: SQLCompiler, **kw: Any) -> str:
    (arg,) = element.clauses
    return f'({compiler.process(arg, **kw)} COLLATE "C")'


@compiles(binary_order)
def _binary_order_default(element: binary_order, compiler: SQLCompiler, **kw: Any) -> str:
    (arg,) = element.clauses
    return compiler.process(arg, **kw)


def materialized(cte: sa.CTE) -> sa.CTE:
    """A common table expression computed once however often it is read: MATERIALIZED on
    SQLite (3.35+) and PostgreSQL (12+); Spark decides by itself."""
    return cte.prefix_with("MATERIALIZED", dialect="sqlite").prefix_with(
        "MATERIALIZED", dialect="postgresql"
    )


# --- normalisation (rules 4 and 5) -----------------------------------------------------------
# Each helper takes a value already *folded* (trimmed and lower-cased, see ``folded``) and
# uses a simple CASE, so that an engine evaluates the folded value once per row.
def folded(column: sa.ColumnElement[str]) -> sa.ColumnElement[str]:
    return sa.func.lower(sa.func.trim(column))


def normalised_channel(folded_value: sa.ColumnElement[str]) -> sa.ColumnElement[str]:
    return sa.case({c: c for c in CHANNELS}, value=folded_value, else_=OTHER)


def channel_is_nonstandard(folded_value: sa.ColumnElement[str]) -> sa.ColumnElement[int]:
    return sa.case({c: 0 for c in CHANNELS}, value=folded_value, else_=1)


def normalised_visit_type(folded_value: sa.ColumnElement[str]) -> sa.ColumnElement[str]:
    return sa.case({v: v for v in VISIT_TYPES}, value=folded_value, else_=OTHER)


def visit_type_is_nonstandard(folded_value: sa.ColumnElement[str]) -> sa.ColumnElement[int]:
    return sa.case({v: 0 for v in VISIT_TYPES}, value=folded_value, else_=1)


def normalised_gender(folded_value: sa.ColumnElement[str]) -> sa.ColumnElement[str]:
    return sa.case({g.lower(): g for g in GENDERS}, value=folded_value, else_=UNKNOWN)


def gender_is_nonstandard(folded_value: sa.ColumnElement[str]) -> sa.ColumnElement[int]:
    """A gender outside M/F/O. A missing gender (NULL or blank) is allowed by the contract."""
    allowed = {g.lower(): 0 for g in GENDERS} | {"": 0}
    return sa.case(
        (folded_value.is_(None), 0),
        else_=sa.case(allowed, value=folded_value, else_=1),
    )


def age_band(column: sa.ColumnElement[int]) -> sa.ColumnElement[str]:
    whens = [(column < 0, UNKNOWN)] + [(column <= high, label) for label, _, high in AGE_BANDS]
    return sa.case(*whens, else_=UNKNOWN)


def cleaned_abha(column: sa.ColumnElement[str]) -> sa.ColumnElement[str]:
    """The ABHA number with spaces and hyphens removed (rule 5)."""
    return sa.func.replace(sa.func.replace(column, " ", ""), "-", "")


def abha_linked(cleaned: sa.ColumnElement[str]) -> sa.ColumnElement[int]:
    """ABHA-linked (1/0): the cleaned abha_number is exactly 14 digits."""
    return sa.case((is_fourteen_digits(cleaned), 1), else_=0)


def abha_malformed(cleaned: sa.ColumnElement[str]) -> sa.ColumnElement[int]:
    """A non-empty abha_number that is not 14 digits once cleaned (1/0): not linked."""
    return sa.case(
        (cleaned.is_(None), 0), (cleaned == "", 0), (is_fourteen_digits(cleaned), 0), else_=1
    )


# --- which rows a query looks at --------------------------------------------------------------
@dataclass(frozen=True)
class RowWindow:
    """Which raw rows a classification run looks at.

    ``days`` (a closed range) picks the rows whose raw timestamp lies in those days' range
    (readable or not, see ``_ownership``); with ``invalid=True`` the window is instead the
    rows whose raw timestamp lies in no day up to today (missing, before 1900, a later
    day: ``outside_every_day``). The rows sharing a registration_id with those are always
    looked at as well, so a duplicate is recognised whatever day its first copy is on.

    ``id_index``: the source has an index on registration_id (``source_profile.indexed_
    columns``), so the copies of a short window's rows are found by probing
    it row by row; without one (the default, which is never slow) by one semi-join pass
    over the table (see ``_ids_with_copies``).
    """

    first_day: date | None = None
    last_day: date | None = None
    invalid: bool = False
    id_index: bool = False

    @classmethod
    def all_rows(cls) -> RowWindow:
        return cls()

    @property
    def days(self) -> int:
        """Days of a closed range; 0 for the invalid-timestamp window, for an open one
        (no first or last day) a number larger than any range."""
        if self.invalid:
            return 0
        if self.first_day is None or self.last_day is None:
            return 1 << 30
        return (self.last_day - self.first_day).days + 1

    @property
    def is_everything(self) -> bool:
        return self.first_day is None and self.last_day is None and not self.invalid

    def with_id_index(self, id_index: bool) -> RowWindow:
        return replace(self, id_index=id_index)


EARLIEST = datetime(1900, 1, 1)
"""Timestamps before this belong to no day window (as missing and unreadable ones)."""


def _textual_timestamps(dialect: sa.Dialect) -> bool:
    """SQLite keeps registered_at as text, and Spark reading a SQLite source gets it so."""
    return dialect.name == "sqlite" or getattr(dialect, "origin", None) == "sqlite"


class DayStart(sa.types.TypeDecorator[date]):
    """A day as a bound on raw ``registered_at`` values: ``registered_at >= day_start(d)``.

    PostgreSQL (and Spark reading it) compares times: the bound is the day's midnight. On
    SQLite the values are text, compared byte by byte: the bound is the day's own text
    ``'YYYY-MM-DD'``, which sorts before every text beginning with that day, however it
    goes on (``'2025-07-12'``, ``'2025-07-12 00:00:00'``, ``'2025-07-12T…'``). A bound
    written as a timestamp (``'2025-07-12 00:00:00.000000'``, as SQLAlchemy writes one)
    would put a row written ``'2025-07-12'`` or ``'2025-07-12 00:00:00'`` in the day
    before — and a refresh window ending there would read it and not own it.
    """

    impl = sa.DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: sa.Dialect) -> sa.types.TypeEngine:
        textual = _textual_timestamps(dialect)
        return dialect.type_descriptor(sa.String() if textual else sa.DateTime())

    def process_bind_param(self, value: date | None, dialect: sa.Dialect) -> object:
        if value is None:
            return None
        day = value.date() if isinstance(value, datetime) else value
        if _textual_timestamps(dialect):
            return day.isoformat()
        return datetime.combine(day, time.min)

    # No process_literal_param: a literal (Spark SQL) goes through process_bind_param and
    # then the dialect's own literal of the String or DateTime it becomes.


def day_start(day: date, name: str | None = None) -> sa.BindParameter[date]:
    """The bound where ``day`` begins among raw registered_at values (see DayStart)."""
    return sa.bindparam(name, day, type_=DayStart(), unique=name is None)


def outside_every_day(at: sa.ColumnElement, now: datetime) -> sa.ColumnElement[bool]:
    """Rows whose raw timestamp lies in no day up to ``now``'s: missing, before 1900, or
    from the next day on (or text that sorts there, on SQLite; a number sorts before every
    text there, a blob after). Found through the registered_at index; every other row lies
    in the range of exactly one day, and that day's window owns it, readable or not."""
    return sa.or_(
        at.is_(None),
        at < day_start(EARLIEST.date(), "earliest"),
        at >= day_start(now.date() + timedelta(days=1), "tomorrow"),
    )


def in_days(at: sa.ColumnElement, first: date, last: date) -> sa.ColumnElement[bool]:
    """Rows whose raw timestamp lies in the range of the days ``first`` to ``last``."""
    return sa.and_(at >= day_start(first), at < day_start(last + timedelta(days=1)))


SOURCE_DAY_MAX_DAYS = 366
"""Windows up to this many days (every window of a refresh) name the day of each invalid
timestamp inside their range (its ``source_day``); longer ones (``figures --source`` of a
long period) only own it."""


def _in_window(
    window: RowWindow, ts: sa.ColumnElement[Any], now: datetime
) -> sa.ColumnElement[bool]:
    """The raw rows a window looks at, by their own timestamp (see RowWindow)."""
    return _window_condition(window, opd_registrations.c.registered_at, now)


PROBE_MAX_DAYS = 62
"""With an index on registration_id, windows up to this many days find their rows' copies
by probing it row by row; longer ones group the whole index once."""


def _ids_with_copies(
    window: RowWindow, in_window: sa.ColumnElement[bool] | None, probe: bool | None = None
) -> sa.Select[Any]:
    """The (non-null) registration_ids of the window's rows that have more than one row.

    - With an index on registration_id (``window.id_index``): for a short window, or the
      few rows of the invalid-timestamp window, each of the window's rows is probed
      through the index (a correlated count), so refreshing one day costs that day's rows,
      not the table's; for the whole table or a long window, one GROUP BY over the index.
    - Without one: the rows sharing an id with the window's rows, grouped — a semi-join,
      which an engine answers in one pass over the table (PostgreSQL hashes the window's
      ids, SQLite builds a temporary index of them). A correlated count there would read
      the whole table once per row of the window.
    ``probe=False``: group every id of the table (Spark, whose table holds only the
    window's rows and their copies).
    """
    r = opd_registrations
    grouped = (
        sa.select(r.c.registration_id)
        .where(r.c.registration_id.is_not(None))
        .group_by(r.c.registration_id)
        .having(sa.func.count() > 1)
    )
    if window.is_everything or in_window is None or probe is False:
        return grouped
    other = opd_registrations.alias("other_copy")
    if window.id_index:
        if window.days > PROBE_MAX_DAYS:
            return grouped
        copies = (
            sa.select(sa.func.count())
            .where(other.c.registration_id == r.c.registration_id)
            .scalar_subquery()
        )
        return sa.select(r.c.registration_id).where(
            in_window, r.c.registration_id.is_not(None), copies > 1
        )
    window_ids = sa.select(r.c.registration_id).where(in_window, r.c.registration_id.is_not(None))
    return (
        sa.select(other.c.registration_id)
        .where(other.c.registration_id.in_(window_ids))
        .group_by(other.c.registration_id)
        .having(sa.func.count() > 1)
    )


def _ranked(
    copied: sa.Subquery,
    columns: Sequence[sa.Column[Any] | sa.Label[Any]],
    now_param: sa.BindParameter[datetime],
) -> sa.Select[Any]:
    """The rows of ids with several rows, each with its copy number (1: the copy kept)."""
    valid = sa.and_(copied.c.ts.is_not(None), copied.c.ts <= now_param)
    copy_number = (
        sa.func.row_number()
        .over(
            partition_by=copied.c.registration_id,
            order_by=[
                sa.case((valid, 0), else_=1),
                *(
                    sa.nulls_last(key)
                    for key in (
                        copied.c.ts,
                        binary_order(copied.c.facility_id),
                        binary_order(copied.c.channel),
                        binary_order(copied.c.visit_type),
                        binary_order(copied.c.abha),
                        binary_order(copied.c.gender),
                        copied.c.age_years,
                        binary_order(copied.c.department),
                    )
                ),
            ],
        )
        .label("copy_number")
    )
    return sa.select(*(copied.c[c.name] for c in columns), copy_number)


class raw_day_key(FunctionElement[str]):
    """What places a raw registered_at value in a day's range (``refresh.range_day`` reads
    it): its day on PostgreSQL (NULL for ±infinity), its first ten characters on SQLite
    when it is text (NULL for a number, which sorts before every text, or a blob, after)."""

    type = sa.Text()
    inherit_cache = True


@compiles(raw_day_key, "sqlite")
def _raw_day_key_sqlite(element: raw_day_key, compiler: SQLCompiler, **kw: Any) -> str:
    (arg,) = element.clauses
    value = compiler.process(arg, **kw)
    return f"(CASE WHEN typeof({value}) = 'text' THEN substr({value}, 1, 10) END)"


@compiles(raw_day_key)
def _raw_day_key_default(element: raw_day_key, compiler: SQLCompiler, **kw: Any) -> str:
    (arg,) = element.clauses
    value = compiler.process(arg, **kw)
    return f"(CASE WHEN isfinite({value}) THEN CAST({value} AS DATE) END)"


def days_sharing_registration_ids(window: RowWindow, now: datetime) -> sa.CompoundSelect:
    """The raw day keys (:class:`raw_day_key`) of every row whose registration_id has
    several rows, one of them in ``window``; and of every row without an id when the
    window has one (rows without an id are all copies of one another).

    Which copy of a registration is kept depends on all its copies, so when the window's
    rows change, the days of the other copies — valid or not — must be classified again.

    The two are a UNION, not one WHERE with OR: PostgreSQL cannot use the registration_id
    index for ``id IN (…) OR (id IS NULL AND …)`` and read all 20 M rows for each window
    (1.7 s of a one-new-day refresh of 3.5 s at 20 M); each half alone is an index lookup.
    """
    r = opd_registrations
    ts = readable_timestamp(r.c.registered_at)
    in_window = _in_window(window, ts, now)
    ids = _ids_with_copies(window, in_window).subquery("with_copies")
    here = opd_registrations.alias("window_row")
    window_has_no_id_row = (
        sa.select(sa.literal(1))
        .select_from(here)
        .where(
            here.c.registration_id.is_(None), _window_condition(window, here.c.registered_at, now)
        )
        .exists()
    )
    key = raw_day_key(r.c.registered_at)
    return sa.union(
        sa.select(key.label("day")).where(
            r.c.registration_id.in_(sa.select(ids.c.registration_id))
        ),
        sa.select(key.label("day")).where(r.c.registration_id.is_(None), window_has_no_id_row),
    )


def _window_condition(
    window: RowWindow, at: sa.ColumnElement[Any], now: datetime
) -> sa.ColumnElement[bool]:
    """``_in_window`` for the raw timestamp column ``at`` of any alias of the table."""
    if window.invalid:
        return outside_every_day(at, now)
    conditions: list[sa.ColumnElement[bool]] = []
    if window.first_day is not None:
        conditions.append(at >= day_start(window.first_day))
    if window.last_day is not None:
        conditions.append(at < day_start(window.last_day + timedelta(days=1)))
    return sa.and_(*conditions)


def classified_registrations(
    window: RowWindow, now: datetime, *, probe_copies: bool | None = None
) -> sa.Subquery:
    """Every raw row in ``window`` with its status, its day and normalised values.

    Columns: status, day (NULL for an invalid timestamp), facility_id (as recorded),
    channel, visit_type, gender, age_band, department, abha_linked (0/1) and the
    FLAG_COLUMNS (0/1). Status is decided in this order: a second copy of a
    registration_id is a DUPLICATE (the copy kept is the one with a valid timestamp,
    earliest first, ties broken byte-wise on the other columns); the kept copy is
    UNKNOWN_FACILITY when its facility is not in ``facilities``, else INVALID_TIMESTAMP
    when its timestamp is missing, unreadable or after ``now``, else COUNTED.

    Only the rows of a registration_id with several rows need ranking: those (all their
    copies, whatever their day, and every row without an id, which are all taken as
    copies of one another) go through the window function; every other row is its own
    first copy. The ids with copies are found in the same statement (a materialised
    common table expression), so no identifier leaves the database.

    ``probe_copies=False``: find them by grouping every id of the table rather than the
    ids of the window's rows (see ``_ids_with_copies``). Spark groups: its table holds
    only the window's rows and their copies, so grouping it whole finds the same ids.
    """
    r = opd_registrations
    ts = readable_timestamp(r.c.registered_at)
    now_param = sa.bindparam("now", now, type_=sa.DateTime)

    columns = (
        r.c.registration_id,
        r.c.facility_id,
        r.c.department,
        r.c.age_years,
        ts.label("ts"),
        folded(r.c.channel).label("channel"),
        folded(r.c.visit_type).label("visit_type"),
        folded(r.c.gender).label("gender"),
        cleaned_abha(r.c.abha_number).label("abha"),
        r.c.registered_at.label("raw_at"),
    )
    in_window = None if window.is_everything else _in_window(window, ts, now)
    with_copies = materialized(
        _ids_with_copies(window, in_window, probe_copies).cte("ids_with_copies")
    )
    copied_ids = sa.select(with_copies.c.registration_id)
    single = sa.select(*columns, sa.literal(1).label("copy_number")).where(
        r.c.registration_id.is_not(None), r.c.registration_id.not_in(copied_ids)
    )
    if in_window is not None:
        single = single.where(in_window)
    ranked_copies = [
        _ranked(sa.select(*columns).where(which).subquery("copied"), columns, now_param)
        for which in (r.c.registration_id.in_(copied_ids), r.c.registration_id.is_(None))
    ]
    raw = sa.union_all(single, *ranked_copies).subquery("raw")
    raw_ts = raw.c.ts
    raw_valid = sa.and_(raw_ts.is_not(None), raw_ts <= now_param)
    day = sa.case((raw_valid, calendar_day(raw_ts)), else_=sa.null())
    owned, source_day = _ownership(window, raw.c.raw_at, raw_valid, day, now)

    # What depends on the row alone is computed here, once per row: the windowed select
    # is materialised by every engine, so its outputs are not evaluated again above it.
    ranked = sa.select(
        raw.c.facility_id,
        raw.c.department,
        raw.c.copy_number,
        raw_valid.label("ts_valid"),
        day.label("day"),
        source_day.label("source_day"),
        owned.label("owned"),
        normalised_channel(raw.c.channel).label("channel"),
        normalised_visit_type(raw.c.visit_type).label("visit_type"),
        normalised_gender(raw.c.gender).label("gender"),
        age_band(raw.c.age_years).label("age_band"),
        abha_linked(raw.c.abha).label("abha_linked"),
        abha_malformed(raw.c.abha).label("malformed_abha"),
        channel_is_nonstandard(raw.c.channel).label("nonstandard_channel"),
        visit_type_is_nonstandard(raw.c.visit_type).label("nonstandard_visit_type"),
        gender_is_nonstandard(raw.c.gender).label("nonstandard_gender"),
    ).subquery("ranked")

    f = facilities
    status = sa.case(
        (ranked.c.copy_number > 1, DUPLICATE),
        (f.c.facility_id.is_(None), UNKNOWN_FACILITY),
        (sa.not_(ranked.c.ts_valid), INVALID_TIMESTAMP),
        else_=COUNTED,
    )
    classified = (
        sa.select(
            status.label("status"),
            ranked.c.day,
            ranked.c.facility_id,
            ranked.c.channel,
            ranked.c.visit_type,
            ranked.c.gender,
            ranked.c.age_band,
            ranked.c.department,
            ranked.c.abha_linked,
            sa.case(
                (
                    sa.and_(
                        f.c.ehospital_go_live.is_not(None), ranked.c.day < f.c.ehospital_go_live
                    ),
                    1,
                ),
                else_=0,
            ).label("before_go_live"),
            ranked.c.malformed_abha,
            ranked.c.nonstandard_channel,
            ranked.c.nonstandard_visit_type,
            ranked.c.nonstandard_gender,
            ranked.c.source_day,
            ranked.c.owned,
        )
        .select_from(ranked.outerjoin(f, f.c.facility_id == ranked.c.facility_id))
        .subquery("classified")
    )
    return _restrict_to_window(classified, window)


def _ownership(
    window: RowWindow,
    raw_at: sa.ColumnElement,
    valid: sa.ColumnElement[bool],
    day: sa.ColumnElement,
    now: datetime,
) -> tuple[sa.ColumnElement[int], sa.ColumnElement]:
    """Which of the rows read belong to ``window`` (1/0), and the ``source_day`` of those
    with an invalid timestamp that a day window owns.

    Each raw row belongs to exactly one window. A valid timestamp belongs to the window
    of its day. An invalid one belongs to the day whose range of raw timestamps holds it
    (on SQLite an unreadable text that sorts inside a day; on either engine a time later
    today than ``now``) — its ``source_day``, by which a refresh of that day deletes and
    remakes it — or, when it lies in no day (missing, before 1900, a later day), to the
    window of invalid timestamps. So no refresh needs to read every timestamp to find the
    unreadable ones. The rows of other days read only to rank copies are left out.
    """
    if window.is_everything:
        return sa.literal(1), sa.null()
    if window.invalid:
        return sa.case((outside_every_day(raw_at, now), 1), else_=0), sa.null()
    first, last = window.first_day, window.last_day
    assert first is not None and last is not None, "a day window has both ends"
    in_range = in_days(raw_at, first, last)
    if window.days > SOURCE_DAY_MAX_DAYS:
        bucket: sa.ColumnElement = sa.literal(first, sa.Date)  # ownership only
    else:
        bucket = sa.case(
            *(
                (
                    raw_at < day_start(first + timedelta(days=k + 1)),
                    sa.literal(first + timedelta(days=k), sa.Date),
                )
                for k in range(window.days)
            ),
            else_=sa.null(),
        )
    invalid_here = sa.and_(sa.not_(valid), in_range)
    owned = sa.case((sa.and_(valid, day >= first, day <= last), 1), (invalid_here, 1), else_=0)
    return owned, sa.case((invalid_here, bucket), else_=sa.null())


def _restrict_to_window(classified: sa.Subquery, window: RowWindow) -> sa.Subquery:
    """Keep the rows the window owns (see _ownership)."""
    if window.is_everything:
        return classified
    return sa.select(classified).where(classified.c.owned == 1).subquery("in_window")


# --- the raw rows a window reads, for an engine that classifies elsewhere -------------------
def window_source_parts(
    window: RowWindow,
    now: datetime,
    facility_groups: Sequence[Sequence[str]] | None = None,
) -> list[sa.ColumnElement[bool]]:
    """Conditions on ``opd_registrations`` that pick, between them, each raw row that
    :func:`classified_registrations` of ``window`` reads exactly once: the window's own
    rows — one part per day of a day window (the day's range of raw timestamps), or the
    rows outside every day — and one part for the rest (the other copies of the window's
    registrations wherever they lie, and every row without an id, which are all copies
    of one another).

    With ``facility_groups`` (disjoint lists of facility IDs, e.g. a district's each) the
    window's own rows are split by facility instead of by day: one part per group, and one
    for the rows of any other facility or none — for a source partitioned by facility,
    whose partitions each part then reads alone.

    Spark (``data_access.spark_refresh``) reads a window's rows through these, each a
    partition read in parallel, and classifies them with the same statement; the source
    finds the copies through its registration_id index, as the SQL refresh does.
    """
    if window.is_everything:
        raise ValueError("a refresh reads the source window by window, never all at once")
    r = opd_registrations
    at = r.c.registered_at
    in_window = _in_window(window, readable_timestamp(at), now)
    # the complement of the window's own rows (outside_every_day is never NULL: it tests
    # IS NULL itself; a day range is NULL for a NULL timestamp)
    elsewhere = sa.not_(in_window) if window.invalid else sa.or_(at.is_(None), sa.not_(in_window))
    if facility_groups is not None:
        listed = sorted({f for group in facility_groups for f in group})
        facility = r.c.facility_id
        parts = [sa.and_(in_window, facility.in_(sorted(g))) for g in facility_groups if g]
        unlisted = sa.or_(facility.is_(None), facility.not_in(listed)) if listed else sa.true()
        parts.append(sa.and_(in_window, unlisted))
    elif window.invalid:
        parts = [in_window]
    else:
        assert window.first_day is not None and window.last_day is not None
        parts = [
            in_days(at, day, day)
            for day in (window.first_day + timedelta(days=k) for k in range(window.days))
        ]
    copies = sa.select(_ids_with_copies(window, in_window).subquery().c.registration_id)
    others = sa.or_(r.c.registration_id.in_(copies), r.c.registration_id.is_(None))
    return [*parts, sa.and_(elsewhere, others)]
