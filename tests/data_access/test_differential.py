"""Differential tests: the refresh, ``figures``, ``figures --source`` and the data-quality
counts against the reference model of the counting rules (tests/reference_model.py),
on sources Hypothesis makes up: every form a SQLite text may take for a time (and many it
may not), copies within a day, across days, windows and facilities, NULL and empty ids,
ABHA numbers and breakdown values of every shape. Full and incremental refreshes, on
SQLite and PostgreSQL sources, and on Spark.

The profiles are registered in tests/conftest.py. ``ci``, the default, runs the same
examples every time (derandomized): 30 sources per test and engine for the SQL refresh
(about 4 minutes on 2 cores), 3 on Spark (about 4 minutes more, the cluster's start
included). ``nightly`` runs ten times as many, random ones (about an hour):

    .venv/bin/python -m pytest tests/data_access/test_differential.py --hypothesis-profile=nightly

A failure prints the smallest source Hypothesis found (``Draw 1 (case): Case(...)``) and
a ``@reproduce_failure`` line that replays it; the plain tests at the end keep such
sources, each named for what it showed.
"""

from __future__ import annotations

import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
import reference_model as model
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from data_access import queries as q
from data_access import store as st_
from data_access.contract import source_metadata
from data_access.engines import source_engine, store_engine
from data_access.refresh import refresh

# --- the registry -----------------------------------------------------------------------------
F1, F2, F3 = "IN2200000001", "IN2200000002", "IN2200000003"
UNKNOWN = "IN2299999999"
TODAY = date(2024, 4, 15)
LEAP_DAY = date(2024, 2, 29)
GO_LIVE = {F1: None, F2: date(2024, 3, 20), F3: LEAP_DAY}
DISTRICT = {F1: 414, F2: 416, F3: 414}
FACILITY_IDS = (F1, F2, F3, UNKNOWN, None, "", "in2200000001", F1 + " ")
"""What a row's facility_id may be: the registry's, one it does not know, NULL, empty,
one of its IDs in another case or with a space."""

# --- moments ------------------------------------------------------------------------------------
NOWS = (
    datetime(2024, 4, 15, 12, 0),
    datetime(2024, 4, 15, 0, 0),
    datetime(2024, 4, 15, 23, 59, 59),
)
LATER = (timedelta(hours=1), timedelta(hours=13), timedelta(days=1), timedelta(days=3, seconds=1))
"""How long after the first refresh the second one runs."""
SPECIAL_DAYS = (LEAP_DAY, date(2024, 3, 1), date(2023, 2, 28), date(1899, 12, 31), date(1, 1, 1))
OLDEST_DAY = date(2023, 2, 28)
"""The oldest day from 1900 on in whose range a generated value can lie (a readable one,
or an unreadable text such as '2023-02-29'): the look-back of an incremental refresh
reaches back to it, so that edits in place are seen on every day (by design they are
seen on the look-back days only). Days before 1900 lie outside every day: always read."""
CLOCKS = st.one_of(
    st.sampled_from(
        [time(0), time(23, 59, 59, 999999), time(0, 0, 0, 1), time(23, 59), time(12, 0)]
    ),
    st.times(),
)

# --- the other columns ------------------------------------------------------------------------
IDS = ("a", "b", "c", "A", "a ", "", None)
"""Registration ids shared by several rows (besides a fresh id for most rows)."""
CHANNELS = st.sampled_from(
    ["counter", "COUNTER", " Scan_Share ", "abha_kiosk", "Online", "online  ", "walk-in"]
    + ["scan share", "scan-share", "", "  ", None, "Abha_Kiosk\u00a0", "<b>desk</b>"]
)
VISIT_TYPES = st.sampled_from(
    ["new", "NEW", " follow_up", "Follow_Up ", "followup", "follow-up", "", None, "revisit"]
)
GENDERS = st.sampled_from(["M", "F", "O", "m", " f ", "o", "X", "male", "", "  ", None, "U"])
ABHA_NUMBERS = st.one_of(
    st.none(),
    st.text("0123456789", min_size=14, max_size=14),
    st.sampled_from(
        ["12-3456-7890-1234", "1234 5678 9012 34", " 12345678901234 ", "1234567890123"]
        + ["123456789012345", "   ", "--", "", "1234567890123a", "12345678901234\n"]
        + ["१२३४५६७८९०१२३४", "１２３４５６７８９０１２３４", "12_3456_7890_1234"]
    ),
)
AGES = st.one_of(
    st.none(),
    st.sampled_from([-1, 0, 4, 5, 14, 15, 29, 30, 44, 45, 59, 60, 120, 121, 2**31 - 1]),
    st.integers(-10, 130),
)
DEPARTMENTS = st.sampled_from(["Medicine", " Medicine", "medicine", None, "", "बाल रोग", "Ä"])
FIELDS = ("facility_id", "registered_at", "abha_number", "channel", "visit_type")
FIELDS += ("department", "gender", "age_years")
TIE_FIELDS = ("channel", "visit_type", "gender", "abha_number", "age_years", "department")


# --- timestamps as each engine keeps them ------------------------------------------------------
@st.composite
def sqlite_text(draw, moment: datetime) -> str:
    """A text of one of the contract's readable forms that reads as ``moment``."""
    day = moment.date().isoformat()
    forms = ["fraction"]
    if moment.microsecond == 0:
        forms.append("seconds")
        if moment.second == 0:
            forms.append("minutes")
            if moment.time() == time(0):
                forms.append("date")
    form = draw(st.sampled_from(forms))
    if form == "date":
        return day
    text = f"{day}{draw(st.sampled_from(' T'))}{moment.hour:02d}:{moment.minute:02d}"
    if form == "minutes":
        return text
    text += f":{moment.second:02d}"
    if form == "seconds":
        return text
    digits = f"{moment.microsecond:06d}"
    cut = draw(st.integers(len(digits.rstrip("0")) or 1, 6))
    return f"{text}.{digits[:cut]}{draw(st.text('0123456789', max_size=6))}"  # 1-12 digits


def _numeric_looking(text: str) -> bool:
    """SQLite's NUMERIC affinity (a TIMESTAMP column's) would store such text as a number."""
    try:
        float(text)
    except ValueError:
        return False
    return True


GARBAGE = st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=12).filter(
    lambda s: not _numeric_looking(s)
)


@st.composite
def sqlite_unreadable(draw, moment: datetime) -> object:
    """A value SQLite may hold that is no time by the contract (strftime reads many)."""
    readable = draw(sqlite_text(moment))
    d, y = moment.date(), moment.year
    iso = d.isoformat()
    texts = [
        " " + readable,
        readable + " ",
        readable + "\n",
        f"{iso} {moment:%H:%M}:00+05:30",
        f"{iso}T{moment:%H:%M}:00Z",
        f"{iso} {moment:%H:%M}:00 IST",
        f"{iso} 24:00:00",
        f"{iso} 24:00",
        f"{iso} 23:60",
        f"{iso} 12:00:60",
        f"{iso} 1:00",
        f"{iso}t10:00",
        f"{iso}  10:00",
        f"{iso} 10:00:00.",
        f"{iso} 10:00:00,5",
        f"{y:04d}-02-30",
        f"{y:04d}-06-31",
        f"{y:04d}-13-01",
        "2023-02-29",
        "0000-01-01",
        f"{y}-{d.month}-{d.day}",
        f"{d.day:02d}-{d.month:02d}-{y}",
        f"{y}/{d.month:02d}/{d.day:02d}",
        iso.translate(str.maketrans("0123456789", "०१२३४५६७८९")),
        "now",
        "NOW",
        "today",
        "10:00",
        "10:00:00",
        "",
        "not recorded",
    ]
    return draw(
        st.one_of(
            st.sampled_from(texts),
            # Julian day numbers (real and integer), a Unix time, 0
            st.sampled_from([2460416.5, 2460416, 2460416.25, 1713150000, 0, -1]),
            st.just(readable.encode()),  # a blob
            GARBAGE,
        )
    )


def _moments(days: list[date], nows: tuple[datetime, ...]):
    """A time on one of the days (mostly the case's span), or close to a refresh's now."""
    day = st.one_of(*[st.sampled_from(days)] * 4, st.sampled_from(SPECIAL_DAYS))
    near = [n + timedelta(microseconds=k) for n in nows for k in (-1, 0, 1)]
    near += [n + timedelta(hours=k) for n in nows for k in (-1, 1, 2)]
    return st.one_of(
        st.builds(datetime.combine, day, CLOCKS),
        st.builds(datetime.combine, day, CLOCKS),
        st.sampled_from(near),
    )


def timestamps(engine: str, days: list[date], nows: tuple[datetime, ...]):
    moments = _moments(days, nows)
    if engine != "sqlite":  # a timestamp column: a time, ±infinity (written as text), NULL
        infinite = st.sampled_from(["infinity", "-infinity"])
        return st.one_of(moments, moments, moments, moments, moments, infinite, st.none())
    readable = moments.flatmap(sqlite_text)
    return (
        st.one_of(
            *[readable] * 5, moments.flatmap(sqlite_unreadable), moments.flatmap(sqlite_unreadable)
        )
        | st.none()
    )


# --- sources --------------------------------------------------------------------------------------
@st.composite
def registration(draw, engine: str, days: list[date], nows: tuple, fresh_id: str) -> dict:
    return {
        "registration_id": draw(st.one_of(st.just(fresh_id), st.sampled_from(IDS))),
        "facility_id": draw(st.sampled_from(FACILITY_IDS)),
        "registered_at": draw(timestamps(engine, days, nows)),
        "abha_number": draw(ABHA_NUMBERS),
        "channel": draw(CHANNELS),
        "visit_type": draw(VISIT_TYPES),
        "department": draw(DEPARTMENTS),
        "gender": draw(GENDERS),
        "age_years": draw(AGES),
    }


def _column(name: str, engine: str, days: list[date], nows: tuple):
    return {
        "facility_id": st.sampled_from(FACILITY_IDS),
        "registered_at": timestamps(engine, days, nows),
        "abha_number": ABHA_NUMBERS,
        "channel": CHANNELS,
        "visit_type": VISIT_TYPES,
        "department": DEPARTMENTS,
        "gender": GENDERS,
        "age_years": AGES,
    }[name]


@st.composite
def altered(draw, row: dict, engine: str, days: list[date], nows: tuple, id_too=False) -> dict:
    """The row with some of its columns drawn anew: a copy (the same id), or an edit
    (``id_too``: its id may change as well)."""
    # often the same time and facility: then the later keys of rule 1 decide
    fields = draw(st.sampled_from([FIELDS, TIE_FIELDS]))
    names = draw(st.sets(st.sampled_from(fields), min_size=1, max_size=4))
    new = {name: draw(_column(name, engine, days, nows)) for name in sorted(names)}
    if id_too and draw(st.booleans()):
        new["registration_id"] = draw(st.sampled_from(IDS))
    return row | new


@dataclass
class Case:
    engine: str
    now: datetime
    span_days: int
    rows: list[dict]
    periods: list[tuple[date, date]]
    # an incremental case: the source at the second refresh, and when
    later_rows: list[dict] = field(default_factory=list)
    later: datetime | None = None
    complete_check_hours: float = 24.0


@st.composite
def sources(draw, engine: str, max_rows: int = 36, max_copies: int = 8) -> Case:
    now = draw(st.sampled_from(NOWS))
    span = draw(st.integers(2, 70))
    days = [TODAY - timedelta(days=k) for k in range(-2, span + 1)]
    nows = (now, now + LATER[-1])
    count = draw(st.integers(0, max_rows))
    rows = [draw(registration(engine, days, nows, f"u{k}")) for k in range(count)]
    if rows:
        for _ in range(draw(st.integers(0, max_copies))):
            original = draw(st.sampled_from(rows))
            rows.append(draw(altered(original, engine, days, nows)))
    rows = draw(st.permutations(rows))
    period_days = st.sampled_from([days[-1] - timedelta(days=1), *days, *SPECIAL_DAYS])
    periods = [(days[-1], days[0]), (LEAP_DAY, LEAP_DAY)]
    for _ in range(2):
        a, b = sorted((draw(period_days), draw(period_days)))
        periods.append((a, b))
    return Case(engine, now, span, rows, periods)


@st.composite
def changes(draw, engine: str, max_rows: int = 28) -> Case:
    """A source, then the same source later: rows added (new ones, late ones on old days,
    copies of registrations already there), edited in place, deleted; and a later now."""
    case = draw(sources(engine, max_rows=max_rows, max_copies=6))
    days = [TODAY - timedelta(days=k) for k in range(-2, case.span_days + 1)]
    later = case.now + draw(st.sampled_from(LATER))
    nows = (case.now, later)
    after = []
    for row in case.rows:
        action = draw(st.sampled_from(["keep", "keep", "edit", "delete"]))
        if action == "edit":
            after.append(draw(altered(row, engine, days, nows, id_too=True)))
        elif action == "keep":
            after.append(row)
    added = draw(st.integers(0, 10))
    after += [draw(registration(engine, days, nows, f"n{k}")) for k in range(added)]
    if case.rows:
        for _ in range(draw(st.integers(0, 4))):  # late copies of registrations
            after.append(draw(altered(draw(st.sampled_from(case.rows)), engine, days, nows)))
    case.later_rows = draw(st.permutations(after))
    case.later = later
    case.complete_check_hours = draw(st.sampled_from([24.0, 0.0]))
    return case


# --- writing a source -----------------------------------------------------------------------------
MD = source_metadata(with_keys=False)
REGISTRATIONS = MD.tables["opd_registrations"]
# the value goes to the driver as it is (SQLite: the very text, number or blob; no
# DateTime processing)
INSERT_RAW = REGISTRATIONS.insert().values(
    registered_at=sa.type_coerce(sa.bindparam("raw_at"), sa.types.NullType())
)
SQLITE_TYPES = {str: "text", int: "integer", float: "real", bytes: "blob", type(None): "null"}


def write_registry(conn: sa.Connection) -> None:
    conn.execute(
        MD.tables["districts"].insert(),
        [
            {"lgd_code": code, "name_en": name, "name_hi": name, "division": "Bastar"}
            | {"state": "Chhattisgarh"}
            for code, name in ((414, "Bastar"), (416, "Dantewada"))
        ],
    )
    conn.execute(
        MD.tables["facilities"].insert(),
        [
            {"facility_id": fid, "name_en": f"Facility {fid}", "facility_type": "CHC"}
            | {"district_lgd": DISTRICT[fid], "ehospital_go_live": GO_LIVE[fid]}
            for fid in GO_LIVE
        ],
    )


def write_registrations(conn: sa.Connection, rows: list[dict]) -> None:
    conn.execute(REGISTRATIONS.delete())
    if rows:
        params = [{k: v for k, v in r.items() if k != "registered_at"} for r in rows]
        for p, r in zip(params, rows, strict=True):
            p["raw_at"] = r["registered_at"]
        conn.execute(INSERT_RAW, params)
    if conn.dialect.name == "sqlite":
        # the model is given the rows as written: no value may have been turned into
        # another type by the column's affinity on the way in
        stored = conn.exec_driver_sql(
            "SELECT typeof(registered_at), registered_at FROM opd_registrations ORDER BY rowid"
        ).all()
        wanted = [(SQLITE_TYPES[type(r["registered_at"])], r["registered_at"]) for r in rows]
        assert [tuple(s) for s in stored] == wanted


class Sources:
    """Where an example's source lives: a new SQLite file in the example's folder, or the
    test's PostgreSQL database, emptied for each example."""

    def __init__(self, engine: str, postgres_url: str | None) -> None:
        self.engine = engine
        self.postgres_url = postgres_url
        if postgres_url is not None:
            writer = sa.create_engine(postgres_url)
            MD.create_all(writer)
            writer.dispose()

    def write(self, folder: Path, rows: list[dict], *, new: bool = True) -> str:
        if self.postgres_url is None:
            url = f"sqlite:///{folder / 'source.sqlite'}"
        else:
            url = self.postgres_url
        writer = sa.create_engine(url)
        with writer.begin() as conn:
            if new:
                if self.postgres_url is None:
                    MD.create_all(conn)
                else:
                    conn.exec_driver_sql(
                        "TRUNCATE opd_registrations, facilities, districts, abha_enrolments,"
                        " facility_staff"
                    )
                write_registry(conn)
            write_registrations(conn, rows)
        writer.dispose()
        return url


@pytest.fixture
def sources_at(engine_name: str, request: pytest.FixtureRequest) -> Sources:
    url = request.getfixturevalue("postgres_url") if engine_name == "postgresql" else None
    return Sources(engine_name, url)


def example_folder() -> tempfile.TemporaryDirectory:
    """A fresh folder for each example (its store, its SQLite source)."""
    return tempfile.TemporaryDirectory(prefix="differential-")


# --- what the implementation shows, next to what the model says --------------------------------
COUNTS = ("registrations", "abha_linked", *model.FLAGS)


def _counts(c: Counter) -> tuple[int, ...]:
    return tuple(c[name] for name in COUNTS)


def assert_same(what: str, got, expected) -> None:
    if got == expected:
        return
    if isinstance(got, dict) and isinstance(expected, dict):
        keys = sorted(set(got) | set(expected), key=repr)
        diff = [(k, got.get(k), expected.get(k)) for k in keys if got.get(k) != expected.get(k)]
        lines = "\n".join(f"  {k!r}: implementation {g!r}, model {e!r}" for k, g, e in diff[:15])
        raise AssertionError(f"{what}: {len(diff)} keys differ\n{lines}")
    raise AssertionError(f"{what}: implementation {got!r}, model {expected!r}")


def stored_tables(store: sa.Engine) -> dict[str, dict]:
    """The store's day tables, each as a dict of its key to its counts (summed by key)."""
    out: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    with store.connect() as conn:
        d = st_.summary_detail
        for row in conn.execute(sa.select(d)).mappings():
            key = tuple(row[k] for k in ("facility_id", "day", "channel", "visit_type"))
            out["detail"][(*key, row["gender"], row["age_band"])] = tuple(row[c] for c in COUNTS)
        for row in conn.execute(sa.select(st_.summary_daily)).mappings():
            out["daily"][(row["facility_id"], row["day"])] = tuple(row[c] for c in COUNTS)
        for row in conn.execute(sa.select(st_.summary_district_daily)).mappings():
            out["district"][(row["district_lgd"], row["day"])] = tuple(row[c] for c in COUNTS)
        b = st_.summary_breakdowns
        for row in conn.execute(sa.select(b)):
            out["breakdowns"][(row.breakdown, row.day, row.facility_id, row.value)] = (
                row.registrations,
                row.abha_linked,
            )
        x = st_.quality_excluded
        for row in conn.execute(sa.select(x)):
            out["excluded"][(row.day, row.facility_id, row.kind)] += row.rows
            out["by_source_day"][(row.day, row.facility_id, row.kind, row.source_day)] += row.rows
    return {name: dict(table) for name, table in out.items()}


def expected_tables(figures: model.Figures) -> dict[str, dict]:
    detail = {key: _counts(c) for key, c in figures.detail.items()}
    daily = {key: _counts(c) for key, c in figures.daily().items()}
    district: dict = defaultdict(Counter)
    for (facility, day), c in figures.daily().items():
        district[(DISTRICT[facility], day)] += c
    breakdowns: dict = defaultdict(Counter)
    for (facility, day, *values), c in figures.detail.items():
        for name, value in zip(
            ("channel", "visit_type", "gender", "age_band"), values, strict=True
        ):
            breakdowns[(name, day, facility, value)] += c
    return {
        "detail": detail,
        "daily": daily,
        "district": {key: _counts(c) for key, c in district.items()},
        "breakdowns": {
            key: (c["registrations"], c["abha_linked"]) for key, c in breakdowns.items()
        },
        "excluded": dict(figures.excluded),
        "by_source_day": dict(figures.excluded_by_source_day),
    }


def assert_store_matches(store: sa.Engine, figures: model.Figures, label: str) -> None:
    got, expected = stored_tables(store), expected_tables(figures)
    # the contract's part first (day, facility, kind), then the store's source_day
    for name in ("detail", "excluded", "daily", "district", "breakdowns"):
        assert_same(f"{label}: {name}", got.get(name, {}), expected[name])
    if not figures.source_day_is_ambiguous:
        assert_same(
            f"{label}: excluded by source_day",
            got.get("by_source_day", {}),
            expected["by_source_day"],
        )


def _plain(value: object) -> object:
    """A value of a pandas frame as the store has it: NaN (pandas' NULL) is None."""
    return None if isinstance(value, float) and value != value else value


def _frame_totals(frame, key: str | None) -> dict:
    """A counts frame as {group value: {opd_registrations, abha_linked}}, groups without a
    registration left out."""
    out = {}
    for row in frame.to_dict("records"):
        figures = {"opd_registrations": int(row["opd_registrations"])}
        figures["abha_linked"] = int(row["abha_linked"])
        if figures["opd_registrations"] or figures["abha_linked"]:
            out[None if key is None else _plain(row[key])] = figures
    return out


def _by_district(totals: dict) -> dict:
    out: dict = {}
    for facility, figures in totals.items():
        group = out.setdefault(DISTRICT[facility], {"opd_registrations": 0, "abha_linked": 0})
        for name, n in figures.items():
            group[name] += n
    return out


def assert_figures_match(
    store: sa.Engine, source: sa.Engine | None, figures: model.Figures, case: Case, now
) -> None:
    """``figures`` (the store) and ``figures --source`` for the case's periods, and the
    data-quality counts, as the model has them."""
    for first, last in case.periods:
        period = q.Period(first, last)
        label = f"period {first}..{last}"
        by_facility = figures.totals(first, last, by=0)
        expected = {
            "facility_id": by_facility,
            "channel": figures.totals(first, last, by=2),
            None: figures.totals(first, last, by=None),
        }
        for key, by in (("facility_id", ["facility"]), ("channel", ["channel"]), (None, [])):
            got = _frame_totals(q.registration_counts(store, period, by=by), key)
            assert_same(f"figures by {by} of {label}", got, expected[key])
            if source is not None:
                frame = q.source_registration_counts(source, period, by=by, now=now)
                assert_same(
                    f"figures --source by {by} of {label}", _frame_totals(frame, key), expected[key]
                )
        got = _frame_totals(q.registration_counts(store, period, by=["district"]), "district_lgd")
        assert_same(f"figures by district of {label}", got, _by_district(by_facility))
        got = q.data_quality_counts(store, period).set_index("kind")["rows"].to_dict()
        assert_same(f"data quality of {label}", got, figures.quality(first, last))

    got = q.data_quality_counts(store).set_index("kind")["rows"].to_dict()
    assert_same("data quality, every day", got, figures.quality())
    frame = q.data_quality_counts(store, by_facility=True)
    got = Counter(
        {(_plain(r["facility_id"]), r["kind"]): int(r["rows"]) for r in frame.to_dict("records")}
    )
    assert_same("data quality by facility", dict(got), dict(figures.quality_by_facility()))
    raw, counted, excluded = q.row_accounts(store)
    registrations = sum(c["registrations"] for c in figures.detail.values())
    kinds = dict.fromkeys(model.EXCLUDED_KINDS, 0)
    for (_, _, kind), n in figures.excluded.items():
        kinds[kind] += n
    assert_same("row accounts", (raw, counted, excluded), (figures.raw_rows, registrations, kinds))


# --- the tests ------------------------------------------------------------------------------------
def _examples(share: float) -> settings:
    """A share of the profile's examples (see tests/conftest.py)."""
    return settings(max_examples=max(1, round(settings.default.max_examples * share)))


@contextmanager
def opened(source_url: str, folder: str) -> Iterator[tuple[sa.Engine, sa.Engine]]:
    """The source as the dashboard opens it (read-only) and a new store in ``folder``."""
    source = source_engine(source_url)
    store = store_engine(f"sqlite:///{Path(folder) / 'analytics.sqlite'}")
    try:
        yield source, store
    finally:
        source.dispose()
        store.dispose()


def lookback_days(case: Case) -> int:
    """From the second refresh's day back to OLDEST_DAY: every day is a look-back day.

    By design an incremental refresh sees rows edited in place (the count of their day
    unchanged) on the look-back days only; with every day one, the refresh must then
    equal the model whatever was edited."""
    return ((case.later or case.now).date() - OLDEST_DAY).days + 1


def check_full_refresh(sources_at: Sources, case: Case, spark=None) -> None:
    """A full refresh of the case's source (on Spark when given) shows what the model
    says: the store's tables, ``figures``, ``figures --source`` and data quality."""
    expected = model.figures(case.rows, GO_LIVE, case.now, case.engine)
    with example_folder() as folder:
        url = sources_at.write(Path(folder), case.rows)
        with opened(url, folder) as (source, store):
            assert refresh(source, store, now=case.now, aggregator=_aggregator(spark, source)).full
            assert_store_matches(store, expected, "full refresh")
            assert_figures_match(store, source, expected, case, case.now)


def check_incremental_refresh(sources_at: Sources, case: Case, spark=None) -> None:
    """A first refresh, the source changed, an incremental refresh (on Spark when given):
    each shows what the model says of the source it read."""
    assert case.later is not None
    lookback = lookback_days(case)
    with example_folder() as folder:
        url = sources_at.write(Path(folder), case.rows)
        with opened(url, folder) as (source, store):
            aggregator = _aggregator(spark, source)
            refresh(source, store, now=case.now, lookback_days=lookback, aggregator=aggregator)
            before = model.figures(case.rows, GO_LIVE, case.now, case.engine)
            assert_store_matches(store, before, "first refresh")

            sources_at.write(Path(folder), case.later_rows, new=False)
            report = refresh(
                source,
                store,
                now=case.later,
                lookback_days=lookback,
                complete_check_hours=case.complete_check_hours,
                aggregator=_aggregator(spark, source),
            )
            assert not report.full
            after = model.figures(case.later_rows, GO_LIVE, case.later, case.engine)
            assert_store_matches(store, after, "incremental refresh")
            assert_figures_match(store, None if spark else source, after, case, case.later)


def _aggregator(spark, source: sa.Engine):
    if spark is None:
        return None
    from data_access.spark_refresh import SparkAggregator

    return SparkAggregator(spark, source)


@pytest.mark.slow  # Hypothesis: minutes of examples on both engines
@_examples(0.5)
@given(data=st.data())
def test_a_full_refresh_shows_what_the_model_says(
    engine_name: str, sources_at: Sources, data: st.DataObject
) -> None:
    check_full_refresh(sources_at, data.draw(sources(engine_name), label="case"))


@pytest.mark.slow  # Hypothesis: minutes of examples on both engines
@_examples(0.5)
@given(data=st.data())
def test_an_incremental_refresh_shows_what_the_model_says(
    engine_name: str, sources_at: Sources, data: st.DataObject
) -> None:
    check_incremental_refresh(sources_at, data.draw(changes(engine_name), label="case"))


@pytest.mark.slow  # Hypothesis: minutes of examples on both engines
@_examples(0.05)
@given(data=st.data())
def test_the_spark_refresh_shows_what_the_model_says(
    engine_name: str, sources_at: Sources, spark, data: st.DataObject
) -> None:
    """Full, then incremental, with the windows aggregated on the standalone cluster."""
    case = data.draw(changes(engine_name, max_rows=20), label="case")
    check_incremental_refresh(sources_at, case, spark)


# --- sources Hypothesis found, kept as plain tests ----------------------------------------------
NOW = NOWS[0]


def _row(rid, facility, at, **values) -> dict:
    row = {"registration_id": rid, "facility_id": facility, "registered_at": at}
    row |= {"abha_number": None, "channel": "counter", "visit_type": "new"}
    row |= {"department": "Medicine", "gender": "F", "age_years": 30}
    return row | values


def on(engine: str, rows: list[dict]) -> list[dict]:
    """Rows written for SQLite (readable times as text), as the engine keeps them: on
    PostgreSQL the time the text reads as ('infinity' and '-infinity' as they are)."""
    if engine == "sqlite":
        return rows
    infinite = ("infinity", "-infinity")
    return [
        r | {"registered_at": at if at in infinite else model.read_time(at, "sqlite")}
        for r in rows
        for at in [r["registered_at"]]
    ]


def plain_case(engine: str, rows: list[dict], later_rows: list[dict] | None = None, **kw) -> Case:
    periods = kw.pop("periods", [(date(2024, 2, 1), TODAY), (LEAP_DAY, LEAP_DAY)])
    case = Case(engine, kw.pop("now", NOW), 70, on(engine, rows), periods)
    if later_rows is not None:
        case.later_rows = on(engine, later_rows)
        case.later = kw.pop("later", case.now + timedelta(hours=1))
    return case


def test_a_registration_before_1900_stays_in_the_district_figures(
    engine_name: str, sources_at: Sources
) -> None:
    """A valid time before 1900 lies in no day's window; it is counted by the window of
    the rows outside every day. The incremental refresh rewrites the district summary for
    the days it read only: that day's district row must not be lost."""
    rows = [_row("r1", F1, "1899-12-31 10:00:00"), _row("r2", F1, "2024-04-10 09:00")]
    check_incremental_refresh(sources_at, plain_case(engine_name, rows, rows))


def test_deleting_the_kept_copy_counts_the_other_one(engine_name: str, sources_at: Sources) -> None:
    """The earliest copy of r1 (1 April) is deleted: the copy of 10 April is now the
    registration, though nothing on its own day changed."""
    rows = [_row("r1", F1, "2024-04-01 09:00"), _row("r1", F2, "2024-04-10 09:00")]
    check_incremental_refresh(sources_at, plain_case(engine_name, rows, rows[1:]))


def test_a_kept_copy_whose_time_is_erased_gives_way_to_the_other_one(
    engine_name: str, sources_at: Sources
) -> None:
    """The same when the earliest copy is edited in place to a NULL timestamp: it is
    read again with the rows outside every day, and the copy of 10 April is kept."""
    rows = [_row("r1", F1, "2024-04-01 09:00"), _row("r1", F2, "2024-04-10 09:00")]
    later = [rows[0] | {"registered_at": None}, rows[1]]
    check_incremental_refresh(sources_at, plain_case(engine_name, rows, later))


def test_deleting_the_kept_row_without_an_id_counts_the_next_one(
    engine_name: str, sources_at: Sources
) -> None:
    """Rows without an id are copies of one another (rule 1): the same, for them."""
    rows = [_row(None, F1, "2024-04-01 09:00"), _row(None, F2, "2024-04-10 09:00")]
    check_incremental_refresh(sources_at, plain_case(engine_name, rows, rows[1:]))


def test_a_row_without_an_id_added_before_the_kept_one_makes_it_a_duplicate(
    engine_name: str, sources_at: Sources
) -> None:
    """A row without an id arrives on 12 March: it is now the earliest of the rows without
    an id, and the one of 3 April, kept until then, a duplicate."""
    rows = [_row(None, F1, "2024-04-03 09:00")]
    later = [_row(None, F2, "2024-03-12 09:00"), *rows]
    check_incremental_refresh(sources_at, plain_case(engine_name, rows, later))


def test_copies_tied_up_to_the_visit_type_are_told_apart_by_abha_before_gender(
    engine_name: str, sources_at: Sources
) -> None:
    """Rule 1's order of the tie-break: facility, channel, visit type, ABHA number,
    gender, age, department. The ABHA number 1… sorts before 2…, so that copy is kept,
    whatever the genders (found by the tests when the contract named gender first)."""
    rows = [
        _row("r1", F1, "2024-04-10 09:00", gender="M", abha_number="11111111111111"),
        _row("r1", F1, "2024-04-10 09:00", gender="F", abha_number="22222222222222"),
    ]
    check_full_refresh(sources_at, plain_case(engine_name, rows))


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_dates_and_midnights_at_the_start_of_a_window_are_counted(sources_at: Sources) -> None:
    """Rows on four days make two windows of two days; a row written as the date alone, or
    as midnight without a fraction, sorts before '2024-04-03 00:00:00.000000'."""
    rows = [
        _row("r1", F1, "2024-04-01 09:00"),
        _row("r2", F1, "2024-04-02 09:00"),
        _row("r3", F1, "2024-04-03"),
        _row("r4", F1, "2024-04-03 00:00:00"),
        _row("r5", F1, "2024-04-03T00:00"),
        _row("r6", F1, "2024-04-04 00:00:00.0"),
    ]
    check_full_refresh(sources_at, plain_case("sqlite", rows))


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_sqlite_reads_only_the_forms_of_the_contract(sources_at: Sources) -> None:
    """What SQLite's strftime() reads but the contract does not: each an invalid timestamp
    (the first a valid one, for the figures to have a day)."""
    values = ["2024-04-10 09:00", "2024-04-10 10:00:00+05:30", "2024-04-10 24:00:00"]
    values += ["2024-02-30", "now", "10:00", " 2024-04-10", "2024-4-10", b"2024-04-10 09:00"]
    values += [2460411.5, 2460411, "2024-04-10T09:00:00Z", "2024-04-10 09:00:60"]
    rows = [_row(f"r{k}", F1, value) for k, value in enumerate(values)]
    check_full_refresh(sources_at, plain_case("sqlite", rows))


def test_a_copy_before_1900_of_a_registration_of_today_is_counted_once(
    engine_name: str, sources_at: Sources
) -> None:
    """The copy of 'a' kept is the one of 1899 (counted by the window of rows outside every
    day); the refresh of today's copy reads again the days of its other copies, 1899-12-31
    among them, which must not count it a second time."""
    rows = [_row("a", F3, "1899-12-31 23:59"), _row("a", F1, "2024-04-15 12:00:00.000001")]
    check_incremental_refresh(sources_at, plain_case(engine_name, [], rows))


@pytest.mark.parametrize("engine_name", ["postgresql"])
def test_spark_reads_infinity_as_an_invalid_timestamp(sources_at: Sources, spark) -> None:
    """PostgreSQL's 'infinity' and '-infinity' are no time (the SQL refresh reads them
    so); Spark reads the rows outside every day through JDBC as well."""
    rows = [_row("r1", F1, "2024-04-10 09:00"), _row("r2", F1, "infinity")]
    rows += [_row("r3", F2, "-infinity")]
    check_full_refresh(sources_at, plain_case("postgresql", rows), spark)


def test_spark_reads_a_registration_of_year_1(engine_name: str, sources_at: Sources, spark) -> None:
    """A time of year 1 (a readable one: years 0001-9999) is read by Spark as stored, in the
    proleptic Gregorian calendar both engines use, not shifted by a Julian one."""
    rows = [_row("r1", F1, "2024-04-10 09:00"), _row("r2", F1, "0001-01-01 10:00")]
    check_full_refresh(sources_at, plain_case(engine_name, rows), spark)


def test_a_late_copy_from_before_1900_makes_the_copy_of_a_day_a_duplicate(
    engine_name: str, sources_at: Sources
) -> None:
    """A copy of 'c' arrives with a time of year 1: the earliest, so the one kept (of an
    unknown facility); the copy of 30 March, counted until then, is now a duplicate, though
    nothing on its day changed and the new copy lies in no day."""
    rows = [_row("c", F1, "2024-03-30")]
    later = [_row("c", "", "0001-01-01 08:34:02.777892"), *rows]
    check_incremental_refresh(sources_at, plain_case(engine_name, rows, later))


def test_deleting_a_copy_of_a_registration_of_1899_leaves_it_counted_once(
    engine_name: str, sources_at: Sources
) -> None:
    """Two copies of r1 on 31 December 1899, then one of them deleted: the other is counted
    once, on its day, by the window of rows outside every day."""
    rows = [_row("r1", F2, "1899-12-31 10:00")] * 2
    check_incremental_refresh(sources_at, plain_case(engine_name, rows, rows[:1]))
