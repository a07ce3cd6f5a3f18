"""What ``check`` reports about the source: the indexes the refresh relies on, and the
forms of ``registered_at``, on each engine; and the SQLite forms held to the contract's
reading of timestamps (``rules.readable_timestamp``)."""

from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa

from data_access import source_profile as sp
from data_access.contract import source_metadata
from data_access.engines import source_engine
from data_access.rules import readable_timestamp

# Every form of the contract, and the unreadable kinds, with the form each must be given.
SAMPLES: list[tuple[object, str]] = [
    # readable: the contract's forms, with a real date and time
    ("2025-07-12", sp.DATE_ALONE),
    ("2024-02-29", sp.DATE_ALONE),  # leap day
    ("2000-02-29", sp.DATE_ALONE),  # divisible by 400: a leap year
    ("0001-01-01", sp.DATE_ALONE),
    ("9999-12-31", sp.DATE_ALONE),
    ("2025-07-12 09:30", sp.MINUTES),
    ("2025-12-31 23:59", sp.MINUTES),
    ("2025-07-12T09:30", sp.MINUTES_T),
    ("2025-07-12 09:30:05", sp.SECONDS),
    ("2025-07-12 00:00:00", sp.SECONDS),
    ("2025-07-12 23:59:59", sp.SECONDS),
    ("2025-07-12T09:30:05", sp.SECONDS_T),
    ("2025-07-12 09:30:05.25", sp.FRACTION),
    ("2025-07-12 09:30:05.0", sp.FRACTION),
    ("2025-07-12 23:59:59.999999", sp.FRACTION),
    ("2025-07-12 23:59:59.999999999999", sp.FRACTION),  # 12 fractional digits
    ("2024-02-29 12:00:00.000000", sp.FRACTION),
    ("2025-07-12T09:30:05.123456", sp.FRACTION_T),
    # unreadable
    (" 2025-07-12", sp.SPACED),
    ("2025-07-12 ", sp.SPACED),
    ("2025-07-12 10:00:00+05:30", sp.ZONED),
    ("2025-07-12 10:00:00Z", sp.ZONED),
    ("2025-07-12T10:00-0530", sp.ZONED),
    ("2025-02-30", sp.IMPOSSIBLE),
    ("2025-06-31", sp.IMPOSSIBLE),
    ("2025-02-29", sp.IMPOSSIBLE),  # not a leap year
    ("1900-02-29", sp.IMPOSSIBLE),  # divisible by 100, not 400
    ("0000-01-01", sp.IMPOSSIBLE),
    ("2025-13-01", sp.IMPOSSIBLE),
    ("2025-07-00", sp.IMPOSSIBLE),
    ("2025-07-12 24:00:00", sp.IMPOSSIBLE),
    ("2025-07-12 10:60", sp.IMPOSSIBLE),
    ("2025-07-12 10:00:60", sp.IMPOSSIBLE),
    ("2025-07-12T25:00:00.5", sp.IMPOSSIBLE),
    ("now", sp.OTHER_TEXT),
    ("10:00", sp.OTHER_TEXT),
    ("2025-7-12", sp.OTHER_TEXT),
    ("2025-07-12t10:00", sp.OTHER_TEXT),
    ("2025-07-12 10:00:00.", sp.OTHER_TEXT),
    ("2025-07-12 10:00:00,5", sp.OTHER_TEXT),
    ("2025-07-12  10:00", sp.OTHER_TEXT),
    ("2025-07-12\n", sp.OTHER_TEXT),
    ("٢٠٢٥-٠٧-١٢", sp.OTHER_TEXT),  # digits, but not ASCII ones
    ("garbage", sp.OTHER_TEXT),
    ("", sp.EMPTY),
    (2460000.5, sp.REAL),  # a Julian day number
    (2460000, sp.INTEGER),
    (1752300000, sp.INTEGER),  # Unix time
    (None, sp.NULL),
    (b"2025-07-12", sp.BLOB),
]


def _writable(url: str) -> sa.Engine:
    return sa.create_engine(url, isolation_level="AUTOCOMMIT")


def _insert_raw(url: str, values: list[object], table: str = "opd_registrations") -> None:
    """Rows with these registered_at values, written as they are (no SQLAlchemy type
    processing), into the contract's column (TIMESTAMP: NUMERIC affinity on SQLite)."""
    engine = _writable(url)
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as conn:
        conn.exec_driver_sql(
            f"INSERT INTO {table} (registration_id, facility_id, registered_at, abha_number,"
            " channel, visit_type) VALUES "
            + ("(?, 'F', ?" if sqlite else "(%s, 'F', %s::timestamp")
            + ", '12345678901234', 'counter', 'new')",
            [(f"s{i}", value) for i, value in enumerate(values)],
        )
    engine.dispose()


def _execute(url: str, *statements: str) -> None:
    engine = _writable(url)
    with engine.connect() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)
    engine.dispose()


def _by_column(indexes: list[sp.RecommendedIndex]) -> dict[str, sp.RecommendedIndex]:
    return {index.column: index for index in indexes}


# --- indexes -----------------------------------------------------------------------------------
def test_the_contract_indexes_are_present(empty_source_url: str) -> None:
    source = source_engine(empty_source_url)
    indexes = _by_column(sp.recommended_indexes(source))
    assert list(indexes) == ["registered_at", "registration_id"]
    for column, index in indexes.items():
        assert index.state == sp.PRESENT
        assert index.found == f"index ix_opd_registrations_{column}"
    assert sp.missing_indexes(source) == []
    lines = sp.describe_indexes(list(indexes.values()), rows=10)
    assert lines == [
        "Indexes on opd_registrations:",
        "  registered_at     present (index ix_opd_registrations_registered_at)",
        "  registration_id   present (index ix_opd_registrations_registration_id)",
    ]


@pytest.mark.parametrize("column", ["registered_at", "registration_id"])
def test_a_dropped_index_is_missing_with_its_cost_and_statement(
    empty_source_url: str, column: str
) -> None:
    name = f"ix_opd_registrations_{column}"
    _execute(empty_source_url, f"DROP INDEX {name}")
    source = source_engine(empty_source_url)
    (missing,) = sp.missing_indexes(source)
    assert (missing.column, missing.name, missing.state) == (column, name, sp.MISSING)
    concurrently = "CONCURRENTLY " if source.dialect.name == "postgresql" else ""
    assert missing.statement == (
        f"CREATE INDEX {concurrently}{name} ON opd_registrations ({column})"
    )
    assert missing.cost(3_400_000).startswith(f"no index on {column}: ")
    assert missing.cost(3_400_000).endswith("a one-day refresh reads all 3,400,000 rows")
    text = "\n".join(sp.describe_indexes(sp.recommended_indexes(source), rows=3_400_000))
    assert f"{column:<18}missing" in text
    assert f"      {missing.statement}\n" in text
    assert "changes no figure" in text
    source.dispose()

    _execute(empty_source_url, missing.statement)  # the statement printed does add it
    assert sp.missing_indexes(source_engine(empty_source_url)) == []


def test_a_primary_key_serves_registration_id(empty_source_url: str) -> None:
    engine = _writable(empty_source_url)
    keyed = source_metadata(with_keys=True).tables["opd_registrations"]
    keyed.drop(engine)  # the keyless table of the fixture, by the same name
    keyed.create(engine)
    engine.dispose()
    indexes = _by_column(sp.recommended_indexes(source_engine(empty_source_url)))
    assert indexes["registration_id"].state == sp.PRESENT
    assert indexes["registration_id"].found.startswith("primary key")
    assert indexes["registered_at"].state == sp.MISSING


def test_only_an_index_led_by_the_whole_column_serves(empty_source_url: str) -> None:
    postgres = "postgresql" in empty_source_url
    _execute(
        empty_source_url,
        "DROP INDEX ix_opd_registrations_registered_at",
        "DROP INDEX ix_opd_registrations_registration_id",
        "CREATE INDEX by_facility_then_time ON opd_registrations (facility_id, registered_at)",
        "CREATE INDEX some_rows ON opd_registrations (registered_at) "
        "WHERE registered_at IS NOT NULL",
        "CREATE INDEX on_days ON opd_registrations "
        + ("((registered_at::date))" if postgres else "(date(registered_at))"),
        "CREATE INDEX by_id_then_time ON opd_registrations (registration_id, registered_at)",
    )
    indexes = _by_column(sp.recommended_indexes(source_engine(empty_source_url)))
    assert indexes["registered_at"].state == sp.MISSING
    assert indexes["registration_id"].state == sp.PRESENT
    assert indexes["registration_id"].found == "index by_id_then_time"


def test_on_a_view_the_indexes_are_not_called_missing(empty_source_url: str) -> None:
    _execute(
        empty_source_url,
        "ALTER TABLE opd_registrations RENAME TO opd_rows",
        "CREATE VIEW opd_registrations AS SELECT * FROM opd_rows",
    )
    _insert_raw(empty_source_url, ["2025-07-12 09:30:05", None], table="opd_rows")
    source = source_engine(empty_source_url)
    indexes = sp.recommended_indexes(source)
    assert [index.state for index in indexes] == [sp.UNSEEN, sp.UNSEEN]
    assert sp.missing_indexes(source) == []
    text = "\n".join(sp.describe_indexes(indexes, rows=2))
    assert "missing:" not in text
    words = " ".join(line.strip() for line in text.splitlines())
    assert "registered_at     not visible: opd_registrations is a view" in text
    assert (
        "indexes cannot be seen on a view: the table under it should have an index whose "
        "first column is its registered_at; if it has none, every refresh reads the whole table"
    ) in words
    # the forms are read through the view all the same
    assert sum(form.rows for form in sp.timestamp_forms(source)) == 2


# --- the forms of registered_at ------------------------------------------------------------
def test_sqlite_forms_agree_with_the_reading_of_the_contract(tmp_path) -> None:
    """A value's form is readable exactly when rules.readable_timestamp reads it."""
    url = f"sqlite:///{tmp_path / 'samples.sqlite'}"
    source_metadata(with_keys=False).create_all(sa.create_engine(url))
    _insert_raw(url, [value for value, _ in SAMPLES])
    r = source_metadata(with_keys=False).tables["opd_registrations"]
    at = r.c.registered_at
    query = sa.select(
        r.c.registration_id,
        sp.sqlite_timestamp_form(at).label("form"),
        sa.type_coerce(readable_timestamp(at), sa.Text).label("reading"),
    )
    with sa.create_engine(url).connect() as conn:
        got = {row.registration_id: (row.form, row.reading) for row in conn.execute(query)}
    wrong_form, disagreements = [], []
    for i, (value, expected) in enumerate(SAMPLES):
        form, reading = got[f"s{i}"]
        if form != expected:
            wrong_form.append((value, form, expected))
        if (form in sp.SQLITE_READABLE_FORMS) != (reading is not None):
            disagreements.append((value, form, reading))
    assert wrong_form == [], "(value, form given, form expected)"
    assert disagreements == [], "(value, form, readable_timestamp): readable iff read"
    # … and the grouped query counts the same forms
    forms = sp.timestamp_forms(source_engine(url))
    assert Counter({f.form: f.rows for f in forms}) == Counter(form for _, form in SAMPLES)


def test_sqlite_one_row_of_each_form(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'source.sqlite'}"
    source_metadata(with_keys=False).create_all(sa.create_engine(url))
    one_each = {}
    for value, form in SAMPLES:
        one_each.setdefault(form, value)
    _insert_raw(url, list(one_each.values()))
    forms = sp.timestamp_forms(source_engine(url))
    assert forms == [
        *(sp.TimestampForm(f, 1, True) for f in sp.SQLITE_READABLE_FORMS),
        *(sp.TimestampForm(f, 1, False) for f in sp.SQLITE_UNREADABLE_FORMS),
    ]
    lines = sp.describe_forms(forms)
    assert lines[0] == "Timestamps in registered_at (rows):"
    assert lines[1] == f"  {'YYYY-MM-DD':<36}{1:>12,}  readable (read as midnight)"
    assert f"  {'NULL':<36}{1:>12,}  unreadable" in lines
    assert lines[-1] == "  readable: 7 of 16 rows"


@pytest.mark.postgres
def test_postgresql_forms(postgres_url: str) -> None:
    source_metadata(with_keys=False).create_all(sa.create_engine(postgres_url))
    _insert_raw(
        postgres_url,
        [
            "2025-07-12",  # midnight: a system keeping the date only
            "2025-07-13 00:00:00",
            "2025-07-12 09:30:05",
            "2025-07-12 09:30:05.25",
            "2025-07-12 23:59:59.999999",
            None,
            "infinity",
        ],
    )
    forms = sp.timestamp_forms(source_engine(postgres_url))
    assert forms == [
        sp.TimestampForm(sp.PG_MIDNIGHT, 2, True),
        sp.TimestampForm(sp.PG_SECONDS, 1, True),
        sp.TimestampForm(sp.PG_FRACTION, 2, True),
        sp.TimestampForm(sp.PG_INFINITE, 1, False),
        sp.TimestampForm(sp.NULL, 1, False),
    ]
    assert sp.describe_forms(forms)[-1] == "  readable: 5 of 7 rows"


@pytest.mark.postgres
def test_postgresql_column_that_is_not_a_timestamp(postgres_url: str) -> None:
    _execute(
        postgres_url,
        "CREATE TABLE opd_rows (registration_id text, registered_at text)",
        "INSERT INTO opd_rows VALUES ('a', '2025-07-12'), ('b', 'soon'), ('c', NULL)",
        "CREATE VIEW opd_registrations AS SELECT * FROM opd_rows",
    )
    forms = sp.timestamp_forms(source_engine(postgres_url))
    assert forms == [
        sp.TimestampForm("TEXT (not a timestamp; not classified)", 2, None),
        sp.TimestampForm(sp.NULL, 1, False),
    ]
    lines = sp.describe_forms(forms)
    assert "not classified" in lines[1]
    assert not any(line.strip().startswith("readable:") for line in lines)


def test_only_counts_leave_the_database(empty_source_url: str) -> None:
    """One grouped query for the forms, the catalogue for the indexes; no ABHA number."""
    _insert_raw(empty_source_url, ["2025-07-12 09:30:05"] * 3 + [None])
    source = source_engine(empty_source_url)
    statements: list[str] = []
    sa.event.listen(
        source, "before_cursor_execute", lambda *args: statements.append(args[2].lower())
    )
    forms = sp.timestamp_forms(source)
    sp.recommended_indexes(source)
    assert sum(f.rows for f in forms) == 4
    assert not [s for s in statements if "abha" in s]
    reads = [s for s in statements if "from opd_registrations" in s]
    assert len(reads) == 1 and "count(*)" in reads[0] and "group by" in reads[0]
