"""What ``ehospital-dashboard check`` reports about the source beyond the contract: the
indexes the refresh relies on, and the forms of the timestamps in ``registered_at``.

Both are read cheaply: the indexes through the inspector (the database's catalogue), the
timestamps in one grouped query that counts each form in the database. No row leaves the
database, only counts, and ``abha_number`` is never selected.

The words an administrator reads (what a missing index costs, what each form is) are
written here once; the command line prints them and docs/contract.md ("Indexes the
source should have") describes them.

Which SQLite values are readable is the contract's (docs/contract.md, "Which timestamps
are readable"), written here a second time, independently of
:func:`data_access.rules.readable_timestamp`, as a classification of every value into a
form: the tests hold the two to each other.
"""

from __future__ import annotations

import contextlib
import textwrap
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.schema import CreateIndex

from data_access.contract import source_metadata

TABLE = "opd_registrations"

# --- indexes ---------------------------------------------------------------------------------
PRESENT = "present"
MISSING = "missing"
UNSEEN = "unseen"  # opd_registrations is a view: its indexes are on the tables under it

RECOMMENDED_COLUMNS = ("registered_at", "registration_id")
"""The first column of each index the refresh relies on, in the order they are reported."""

INDEX_NAMES: dict[str, str] = {
    next(iter(index.columns)).name: str(index.name)
    for index in source_metadata(with_keys=False).tables[TABLE].indexes
}
"""The contract's own names for them (``data_access.contract``, as the demo has them)."""

INDEX_PURPOSES = {
    "registered_at": "the refresh reads the source by ranges of days",
    "registration_id": "the refresh looks up the copies of each registration by its ID",
}

INDEX_COSTS = {
    "registered_at": (
        "every refresh reads the whole table once per window instead of only the days it "
        "needs; a one-day refresh reads all {rows}"
    ),
    "registration_id": (
        "the duplicate look-up reads the whole table for every window (still linear in its "
        "size, but never only the days refreshed); a one-day refresh reads all {rows}"
    ),
}
"""What the absence of each index costs (after "no index on COLUMN: ")."""

MISSING_IS_NOT_AN_ERROR = (
    "a missing index changes no figure, only how long a refresh takes; create it on the "
    "database the source is copied from (a read replica takes its indexes from there)"
)

VIEW_WORDS = (
    "indexes cannot be seen on a view: the table under it should have an index whose "
    "first column is its {column}; if it has none, {consequence}"
)


@dataclass(frozen=True)
class RecommendedIndex:
    """One index the refresh relies on and whether the source has it.

    ``state``: PRESENT (``found`` names the index or primary key that serves), MISSING, or
    UNSEEN when ``opd_registrations`` is a view (the tables under it may have it or not).
    ``statement``: the DDL that adds it, for the source's engine.
    """

    column: str
    name: str
    state: str
    found: str | None
    statement: str

    def consequence(self, rows: int | None = None) -> str:
        counted = "its rows" if rows is None else f"{rows:,} row{'' if rows == 1 else 's'}"
        return INDEX_COSTS[self.column].format(rows=counted)

    def cost(self, rows: int | None = None) -> str:
        """What its absence costs, in words for an administrator; ``rows``: the table's."""
        return f"no index on {self.column}: {self.consequence(rows)}"


def _relation(inspector: sa.Inspector) -> tuple[str, bool]:
    """opd_registrations as the database spells it, and whether it is a (plain) view."""
    tables = {name.lower(): name for name in inspector.get_table_names()}
    views = {name.lower(): name for name in inspector.get_view_names()}
    with contextlib.suppress(NotImplementedError):  # a materialized view holds its rows
        names = inspector.get_materialized_view_names()  # and has indexes, like a table
        tables.update({name.lower(): name for name in names})
    if TABLE in tables:
        return tables[TABLE], False
    if TABLE in views:
        return views[TABLE], True
    raise LookupError(f"the source has no table or view {TABLE}")


def _whole_column(column_names: list | None, options: dict | None) -> str | None:
    """The first column of an index, when it is a plain column and the index is not partial
    (an index on an expression, or on some rows only, does not serve the refresh)."""
    if not column_names or not column_names[0]:
        return None
    if any(key.endswith("_where") and value is not None for key, value in (options or {}).items()):
        return None
    return str(column_names[0]).lower()


def _serving(inspector: sa.Inspector, relation: str) -> dict[str, str]:
    """For each first column of the relation's primary key, unique constraints and indexes,
    the first that serves it ('primary key', 'index NAME')."""
    with warnings.catch_warnings():
        # SQLite: "Skipped unsupported reflection of expression-based index" (such an
        # index does not serve the refresh anyway), not a warning for the administrator
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa.exc.SAWarning)
        return _first_columns(inspector, relation)


def _first_columns(inspector: sa.Inspector, relation: str) -> dict[str, str]:
    serving: dict[str, str] = {}
    pk = inspector.get_pk_constraint(relation) or {}
    first = _whole_column(pk.get("constrained_columns"), None)
    if first:
        serving[first] = "primary key" + (f" {pk['name']}" if pk.get("name") else "")
    for index in inspector.get_indexes(relation):
        first = _whole_column(index.get("column_names"), index.get("dialect_options"))
        if first:
            serving.setdefault(first, f"index {index['name']}")
    try:
        uniques = inspector.get_unique_constraints(relation)
    except NotImplementedError:
        uniques = []
    for unique in uniques:
        first = _whole_column(unique.get("column_names"), None)
        if first:
            serving.setdefault(first, f"unique constraint {unique.get('name') or ''}".strip())
    return serving


def _create_index(engine: sa.Engine, relation: str, column: str, name: str) -> str:
    """CREATE INDEX for the engine; on PostgreSQL CONCURRENTLY, which does not hold up the
    writers of a live database while it is built."""
    table = sa.Table(relation, sa.MetaData(), sa.Column(column))
    concurrently = engine.dialect.name == "postgresql"
    index = sa.Index(name, table.c[column], postgresql_concurrently=concurrently)
    return str(CreateIndex(index).compile(dialect=engine.dialect)).strip()


def recommended_indexes(engine: sa.Engine) -> list[RecommendedIndex]:
    """Each index the refresh relies on (an index or primary key whose first column is
    ``registered_at``; one whose first column is ``registration_id``), and whether the
    source has it. Read from the catalogue only."""
    inspector = sa.inspect(engine)
    relation, is_view = _relation(inspector)
    columns = {c["name"].lower(): c["name"] for c in inspector.get_columns(relation)}
    serving = {} if is_view else _serving(inspector, relation)
    out = []
    for column in RECOMMENDED_COLUMNS:
        name = INDEX_NAMES[column]
        spelled = columns.get(column, column)
        if is_view:
            state, found = UNSEEN, None
            statement = f"CREATE INDEX {name} ON <the table under the view> (<its {column}>)"
        else:
            found = serving.get(column)
            state = PRESENT if found else MISSING
            statement = _create_index(engine, relation, spelled, name)
        out.append(RecommendedIndex(column, name, state, found, statement))
    return out


def indexed_columns(engine: sa.Engine) -> set[str]:
    """The recommended columns the source certainly has an index on: the refresh then
    reads by index ranges and probes; for the others (and on a view, whose indexes
    cannot be seen) it takes the way that never reads the table more than once a window."""
    return {index.column for index in recommended_indexes(engine) if index.state == PRESENT}


def missing_indexes(engine: sa.Engine) -> list[RecommendedIndex]:
    """The recommended indexes the source certainly lacks (none are certain on a view)."""
    return [index for index in recommended_indexes(engine) if index.state == MISSING]


WIDTH = 96


def _wrapped(text: str, indent: str) -> list[str]:
    return textwrap.wrap(
        text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ", break_on_hyphens=False
    )


def describe_indexes(indexes: list[RecommendedIndex], rows: int | None = None) -> list[str]:
    """The "Indexes" section of ``check``: one line an index, then for each one missing
    (or unseen) what that costs and the statement that adds it (on a line of its own, for
    copying). ``rows``: how many rows the table has."""
    lines = [f"Indexes on {TABLE}:"]
    for index in indexes:
        if index.state == PRESENT:
            lines.append(f"  {index.column:<18}present ({index.found})")
            continue
        if index.state == UNSEEN:
            lines.append(f"  {index.column:<18}not visible: {TABLE} is a view")
            words = VIEW_WORDS.format(column=index.column, consequence=index.consequence(rows))
            lines += _wrapped(words, "    ")
            lines.append("    add it to that table with:")
        else:
            lines.append(f"  {index.column:<18}missing: {INDEX_PURPOSES[index.column]}")
            lines += _wrapped(index.cost(rows), "    ")
            lines.append("    add it with:")
        lines.append(f"      {index.statement}")
    if any(index.state != PRESENT for index in indexes):
        lines += _wrapped(f"note: {MISSING_IS_NOT_AN_ERROR}", "  ")
    return lines


# --- the forms of registered_at ------------------------------------------------------------------
class TimestampForm(NamedTuple):
    """How many rows of ``registered_at`` have one form, and whether the dashboard reads
    that form as a time (None: not classified, the column is not a timestamp)."""

    form: str
    rows: int
    readable: bool | None


# SQLite: the contract's forms (readable), then the unreadable kinds, in the order reported
DATE_ALONE = "YYYY-MM-DD"
MINUTES = "YYYY-MM-DD HH:MM"
MINUTES_T = "YYYY-MM-DDTHH:MM"
SECONDS = "YYYY-MM-DD HH:MM:SS"
SECONDS_T = "YYYY-MM-DDTHH:MM:SS"
FRACTION = "YYYY-MM-DD HH:MM:SS.F…"
FRACTION_T = "YYYY-MM-DDTHH:MM:SS.F…"
IMPOSSIBLE = "YYYY-MM-DD…, impossible date/time"
SPACED = "text with spaces before or after"
ZONED = "text with a time zone"
EMPTY = "empty text"
OTHER_TEXT = "other text"
INTEGER = "integer"
REAL = "real number"
BLOB = "blob"
NULL = "NULL"

SQLITE_READABLE_FORMS = (DATE_ALONE, MINUTES, MINUTES_T, SECONDS, SECONDS_T, FRACTION, FRACTION_T)
SQLITE_UNREADABLE_FORMS = (IMPOSSIBLE, SPACED, ZONED, EMPTY, OTHER_TEXT, INTEGER, REAL, BLOB, NULL)

# PostgreSQL (a timestamp column: every finite value is a time)
PG_MIDNIGHT = "timestamp at midnight exactly"
PG_SECONDS = "timestamp, whole seconds"
PG_FRACTION = "timestamp with fractional seconds"
PG_INFINITE = "infinity or -infinity"
PG_DATE = "date (no time of day)"
PG_READABLE_FORMS = (PG_MIDNIGHT, PG_SECONDS, PG_FRACTION, PG_DATE)
PG_UNREADABLE_FORMS = (PG_INFINITE, NULL)

FORM_NOTES = {
    PG_MIDNIGHT: "how a system keeping only the date writes them",
    DATE_ALONE: "read as midnight",
}

_D = "[0-9]"
_DATE_GLOB = f"{_D * 4}-{_D * 2}-{_D * 2}"
_MINUTES_GLOB = f"{_DATE_GLOB}[ T]{_D * 2}:{_D * 2}"
_SECONDS_GLOB = f"{_MINUTES_GLOB}:{_D * 2}"


def _glob(value: sa.ColumnElement, pattern: str) -> sa.ColumnElement[bool]:
    return value.op("GLOB", is_comparison=True)(sa.literal(pattern))


def _two(value: sa.ColumnElement, start: int) -> sa.ColumnElement[str]:
    return sa.func.substr(value, start, 2)


def sqlite_timestamp_form(value: sa.ColumnElement) -> sa.ColumnElement[str]:
    """SQLite: the form of ``value`` (one of SQLITE_READABLE_FORMS or
    SQLITE_UNREADABLE_FORMS), per the contract's "Which timestamps are readable": text of
    one of its forms, with a date that exists (years 0001-9999, 29 February in leap years
    only) and a time of 00:00-23:59:59, is readable; nothing else is.

    Written for a scan of millions of rows (about 1 µs a row): the type is taken once
    (``CASE typeof(x) WHEN``), and once the shape is known to be digits in place, the date
    and time are checked by comparing two-digit texts."""
    n = sa.func.length(value)
    shaped = sa.case(
        (n == 10, _glob(value, _DATE_GLOB)),
        (n == 16, _glob(value, _MINUTES_GLOB)),
        (n == 19, _glob(value, _SECONDS_GLOB)),
        (
            n > 20,
            sa.and_(
                _glob(value, f"{_SECONDS_GLOB}.{_D}*"),
                sa.not_(_glob(sa.func.substr(value, 21), "*[^0-9]*")),
            ),
        ),
        else_=sa.false(),
    )
    year = sa.cast(sa.func.substr(value, 1, 4), sa.Integer)
    leap = sa.or_(sa.and_(year % 4 == 0, year % 100 != 0), year % 400 == 0)
    last_day = sa.case(
        {"01": "31", "03": "31", "04": "30", "05": "31", "06": "30", "07": "31", "08": "31"}
        | {"09": "30", "10": "31", "11": "30", "12": "31"}
        | {"02": sa.case((leap, "29"), else_="28")},
        value=_two(value, 6),
        else_="00",  # no such month
    )
    real_date = sa.and_(
        sa.func.substr(value, 1, 4) != "0000",
        _two(value, 9) >= "01",
        _two(value, 9) <= last_day,
    )
    real_time = sa.or_(
        n == 10,
        sa.and_(
            _two(value, 12) <= "23",
            _two(value, 15) <= "59",
            sa.or_(n == 16, _two(value, 18) <= "59"),
        ),
    )
    tee = sa.func.substr(value, 11, 1) == "T"
    readable_form = sa.case(
        (n == 10, DATE_ALONE),
        (n == 16, sa.case((tee, MINUTES_T), else_=MINUTES)),
        (n == 19, sa.case((tee, SECONDS_T), else_=SECONDS)),
        else_=sa.case((tee, FRACTION_T), else_=FRACTION),
    )
    zoned = sa.and_(
        _glob(value, f"{_MINUTES_GLOB}*"),
        sa.or_(
            _glob(value, "*[Zz]"),
            _glob(value, f"*[+-]{_D * 2}:{_D * 2}"),
            _glob(value, f"*[+-]{_D * 4}"),
            _glob(value, f"*[+-]{_D * 2}"),
        ),
    )
    text_form = sa.case(
        (sa.and_(shaped, real_date, real_time), readable_form),
        (shaped, IMPOSSIBLE),
        (value == "", EMPTY),
        (sa.func.trim(value) != value, SPACED),
        (zoned, ZONED),
        else_=OTHER_TEXT,
    )
    return sa.case(
        {"text": text_form, "null": NULL, "integer": INTEGER, "real": REAL, "blob": BLOB},
        value=sa.func.typeof(value),
    )


def _postgresql_timestamp_form(value: sa.ColumnElement) -> sa.ColumnElement[str]:
    return sa.case(
        (value.is_(None), NULL),
        (sa.not_(sa.func.isfinite(value)), PG_INFINITE),
        (sa.func.date_trunc("second", value) != value, PG_FRACTION),
        (sa.func.date_trunc("day", value) == value, PG_MIDNIGHT),
        else_=PG_SECONDS,
    )


def _count_by(
    engine: sa.Engine,
    relation: str,
    column: str,
    form: Callable[[sa.ColumnElement[Any]], sa.ColumnElement[str]],
) -> dict[str, int]:
    """One grouped query: how many rows of each form."""
    at = sa.table(relation, sa.column(column)).c[column]
    forms = sa.select(form(at).label("form")).subquery("forms")
    query = sa.select(forms.c.form, sa.func.count().label("n")).group_by(forms.c.form)
    with engine.connect() as conn:
        return {str(name): int(n) for name, n in conn.execute(query)}


def timestamp_forms(engine: sa.Engine) -> list[TimestampForm]:
    """The forms found in ``opd_registrations.registered_at`` and how many rows of each
    (only the forms found, readable ones first, in a fixed order), from one grouped
    query. On a column that is not a timestamp (text on PostgreSQL, say, through a view)
    only its type and its non-NULL rows, not classified."""
    inspector = sa.inspect(engine)
    relation, _ = _relation(inspector)
    columns = {c["name"].lower(): c for c in inspector.get_columns(relation)}
    column = columns["registered_at"]
    name, column_type = column["name"], column["type"]
    dialect = engine.dialect.name

    order: list[tuple[str, bool | None]]
    if dialect == "sqlite":
        counts = _count_by(engine, relation, name, sqlite_timestamp_form)
        order = [(f, True) for f in SQLITE_READABLE_FORMS]
        order += [(f, False) for f in SQLITE_UNREADABLE_FORMS]
    elif dialect == "postgresql" and isinstance(column_type, sa.DateTime):
        counts = _count_by(engine, relation, name, _postgresql_timestamp_form)
        order = [(f, True) for f in PG_READABLE_FORMS]
        order += [(f, False) for f in PG_UNREADABLE_FORMS]
    else:
        if dialect == "postgresql" and isinstance(column_type, sa.Date):
            label, readable = PG_DATE, True
        else:
            label, readable = f"{column_type} (not a timestamp; not classified)", None

        def present(at: sa.ColumnElement) -> sa.ColumnElement[str]:
            return sa.case((at.is_(None), NULL), else_=label)

        counts = _count_by(engine, relation, name, present)
        order = [(label, readable), (NULL, False)]
    return [
        TimestampForm(form, counts[form], readable) for form, readable in order if form in counts
    ]


def describe_forms(forms: list[TimestampForm]) -> list[str]:
    """The "Timestamps in registered_at" section of ``check``: form, rows, readable or not."""
    lines = ["Timestamps in registered_at (rows):"]
    if not forms:
        lines.append("  (no rows)")
        return lines
    for form, rows, readable in forms:
        verdict = {True: "readable", False: "unreadable", None: "not classified"}[readable]
        note = f" ({FORM_NOTES[form]})" if form in FORM_NOTES else ""
        lines.append(f"  {form:<36}{rows:>12,}  {verdict}{note}")
    total = sum(f.rows for f in forms)
    if all(f.readable is not None for f in forms):
        readable_rows = sum(f.rows for f in forms if f.readable)
        lines.append(f"  readable: {readable_rows:,} of {total:,} rows")
    return lines
