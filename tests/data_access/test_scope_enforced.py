"""District-scoped access (issue 5) is enforced where the data is read.

Every query of ``data_access.queries`` takes a scope and puts it into its SQL; a user's
ceiling (``Scope.allowed_districts``) keeps every row, key and name of other districts out
of every result. Checked on the worked example (tests/conftest.py: F1 in Bastar, 414; F2
in Dantewada, 416; Sukma, 649, without facilities) with the source and the analytics
store on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from conftest import DEMO_NOW, F1, F2, F_UNKNOWN, fresh_postgres_database

from data_access import queries
from data_access.engines import source_engine, store_engine
from data_access.errors import BadFilter
from data_access.queries import BREAKDOWNS, EVERYWHERE, FACILITY_BREAKDOWNS, Period, Scope
from data_access.refresh import refresh

JANUARY = Period(date(2025, 1, 1), date(2025, 1, 31))
BASTAR, DANTEWADA, SUKMA = 414, 416, 649

UNSCOPED = {"store_state", "optional_tables"}
"""Queries that read no registration data and so need no scope: keep this list short."""


# --- a worked-example store on each engine, with the optional tables filled -----------------
def _fill_optional_tables(url: str) -> None:
    engine = sa.create_engine(url)
    md = sa.MetaData()
    enrolments = sa.Table("abha_enrolments", md, autoload_with=engine)
    staff = sa.Table("facility_staff", md, autoload_with=engine)
    with engine.begin() as conn:
        conn.execute(
            enrolments.insert(),
            [
                {"facility_id": F1, "enrolled_on": date(2025, 1, 15), "enrolments": 7},
                {"facility_id": F2, "enrolled_on": date(2025, 1, 16), "enrolments": 3},
                {"facility_id": F_UNKNOWN, "enrolled_on": date(2025, 1, 16), "enrolments": 5},
            ],
        )
        conn.execute(
            staff.insert(),
            [
                {
                    "facility_id": F1,
                    "cadre": "doctor",
                    "sanctioned_or_working": 4,
                    "hpr_registered": 2,
                },
                {
                    "facility_id": F1,
                    "cadre": "nurse",
                    "sanctioned_or_working": 9,
                    "hpr_registered": 1,
                },
                {
                    "facility_id": F2,
                    "cadre": "nurse",
                    "sanctioned_or_working": 6,
                    "hpr_registered": 3,
                },
            ],
        )
    engine.dispose()


@pytest.fixture
def second_postgres_url() -> Iterator[str]:
    """Another fresh PostgreSQL database, for the store beside the source's."""
    yield from fresh_postgres_database()


@pytest.fixture
def engines(
    worked_source_url: str, engine_name: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[sa.Engine, sa.Engine]]:
    """(source, store), both on the engine under test, the store refreshed."""
    _fill_optional_tables(worked_source_url)
    if engine_name == "sqlite":
        store_url = f"sqlite:///{tmp_path / 'analytics.sqlite'}"
    else:
        store_url = request.getfixturevalue("second_postgres_url")
    source, store = source_engine(worked_source_url), store_engine(store_url)
    refresh(source, store, now=DEMO_NOW)
    yield source, store
    source.dispose()
    store.dispose()


# --- every scoped query, called every way that matters --------------------------------------
def _scoped_query_names() -> set[str]:
    """Public functions of data_access.queries whose first parameter is a database."""
    names = set()
    for name, fn in inspect.getmembers(queries, inspect.isfunction):
        if name.startswith("_") or fn.__module__ != queries.__name__:
            continue
        params = list(inspect.signature(fn).parameters.values())
        if params and (
            params[0].name in {"store", "source", "engine"} or "Engine" in str(params[0].annotation)
        ):
            names.add(name)
    return names


def _counts_every_way(fn: Callable[..., pd.DataFrame], db: sa.Engine, scope: Scope) -> dict:
    ways: dict[Any, pd.DataFrame] = {}
    for by in [(), *((b,) for b in BREAKDOWNS), ("district", "facility", "channel")]:
        ways[by] = fn(db, JANUARY, scope, by)
    for grain in ("day", "week", "month"):
        ways[("grain", grain)] = fn(db, JANUARY, scope, ["facility"], grain)
    return ways


def _check(store: sa.Engine, scope: Scope) -> str:
    queries.check_scope(store, scope)
    return "ok"


CALLS: dict[str, Callable[[sa.Engine, sa.Engine, Scope], Any]] = {
    "registration_counts": lambda _src, store, scope: _counts_every_way(
        queries.registration_counts, store, scope
    ),
    "source_registration_counts": lambda src, _store, scope: _counts_every_way(
        lambda db, period, sc, by, grain=None: queries.source_registration_counts(
            db, period, sc, by, grain, now=DEMO_NOW
        ),
        src,
        scope,
    ),
    "data_quality_counts": lambda _src, store, scope: {
        (period, by_facility): queries.data_quality_counts(store, period, scope, by_facility)
        for period in (None, JANUARY)
        for by_facility in (False, True)
    },
    "districts": lambda _src, store, scope: queries.districts(store, scope),
    "facilities": lambda _src, store, scope: queries.facilities(store, scope),
    "check_scope": lambda _src, store, scope: _check(store, scope),
    "data_span": lambda _src, store, scope: queries.data_span(store, scope),
    "enrolment_counts": lambda _src, store, scope: {
        by: queries.enrolment_counts(store, JANUARY, scope, by)
        for by in [(), *((b,) for b in FACILITY_BREAKDOWNS)]
    },
    "last_registration_days": lambda _src, store, scope: queries.last_registration_days(
        store, scope
    ),
    "department_counts": lambda _src, store, scope: queries.department_counts(
        store, JANUARY, scope
    ),
    "row_accounts": lambda _src, store, scope: queries.row_accounts(store, scope),
    "facility_staff": lambda _src, store, scope: {
        facility: queries.facility_staff(store, facility, scope) for facility in (F1, F2)
    },
}
"""How each scoped query is called here; a new query must be added (see the first test)."""

FORBIDDEN = {
    "facility_id": {F1, F_UNKNOWN},
    "district_lgd": {BASTAR, SUKMA},
    "lgd_code": {BASTAR, SUKMA},
    "name_en": {"Bastar", "Sukma", "District Hospital Test"},
    "name_hi": {"बस्तर", "सुकमा", "जिला चिकित्सालय"},
    "facility_type": {"DH"},
    "block": {"Jagdalpur"},
}
"""What of Bastar (414, F1), Sukma (649) and the unknown facility a user of 416 must not see."""
ANYWHERE = {F1, F_UNKNOWN, "District Hospital Test", "Jagdalpur"}
COUNT_COLUMNS = {"opd_registrations", "abha_linked", "enrolments", "rows", "in_post"}
COUNT_COLUMNS |= {"hpr_registered"}


def _frames(result: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """Every leaf of a result, with its path: DataFrames and plain values."""
    if isinstance(result, dict):
        for key, value in result.items():
            yield from _frames(value, (*path, key))
    elif isinstance(result, tuple):
        for i, value in enumerate(result):
            yield from _frames(value, (*path, i))
    else:
        yield path, result


def _leaks(result: Any) -> list[str]:
    found = []
    for path, leaf in _frames(result):
        if isinstance(leaf, pd.DataFrame):
            for column in leaf.columns:
                values = set(leaf[column].dropna())
                bad = values & (FORBIDDEN.get(column, set()) | ANYWHERE)
                if bad:
                    found.append(f"{path} {column}: {sorted(map(str, bad))}")
        elif leaf in ANYWHERE:
            found.append(f"{path}: {leaf}")
    return found


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in one order (data quality rows come in no order of their own), missing
    values as None whatever the column's dtype."""
    frame = frame.astype(object).where(frame.notna(), None)
    if frame.empty:
        return frame.reset_index(drop=True)
    keys = frame.astype(str)
    return frame.loc[keys.sort_values(list(keys.columns)).index].reset_index(drop=True)


def _same(a: Any, b: Any) -> bool:
    left, right = dict(_frames(a)), dict(_frames(b))
    if left.keys() != right.keys():
        return False
    for key, x in left.items():
        y = right[key]
        if isinstance(x, pd.DataFrame) or isinstance(y, pd.DataFrame):
            if not (isinstance(x, pd.DataFrame) and isinstance(y, pd.DataFrame)):
                return False
            try:
                pd.testing.assert_frame_equal(_sorted(x), _sorted(y), check_dtype=False)
            except AssertionError:
                return False
        elif x != y:
            return False
    return True


def _only_dantewada(frame: pd.DataFrame) -> pd.DataFrame:
    """An unrestricted frame cut down to district 416 by its key columns."""
    if "district_lgd" in frame:
        frame = frame[frame["district_lgd"] == DANTEWADA]
    if "lgd_code" in frame:
        frame = frame[frame["lgd_code"] == DANTEWADA]
    if "facility_id" in frame:
        frame = frame[frame["facility_id"] == F2]
    return frame.reset_index(drop=True)


def _is_nothing(result: Any) -> bool:
    """No row of any facility or district: empty frames, or only zero totals."""
    for _, leaf in _frames(result):
        if isinstance(leaf, pd.DataFrame):
            if leaf.empty:
                continue
            if not set(leaf.columns) <= COUNT_COLUMNS | {"kind"}:
                return False
            if (leaf[[c for c in leaf.columns if c in COUNT_COLUMNS]] != 0).any().any():
                return False
        elif leaf not in (None, "ok"):
            return False
    return True


def test_every_query_that_reads_rows_takes_a_scope() -> None:
    names = _scoped_query_names()
    assert names >= UNSCOPED, "the allow-list names a query that no longer exists"
    missing = sorted(
        name
        for name in names - UNSCOPED
        if "scope" not in inspect.signature(getattr(queries, name)).parameters
    )
    assert not missing, f"queries without a scope: {missing}"
    assert names - UNSCOPED == set(CALLS), "call every scoped query in CALLS below"


def test_the_scope_is_hashable_and_the_ceiling_only_narrows() -> None:
    scope = Scope.of(districts=[414], allowed=[414, 416])
    assert hash(scope) == hash(Scope.of(districts=[414], allowed=[416, 414]))
    assert scope.allowed_districts == frozenset({414, 416})
    assert Scope.of().allowed_districts is None
    assert EVERYWHERE.limited_to(None) == EVERYWHERE
    assert EVERYWHERE.limited_to([416]) == Scope.of(allowed=[416])
    assert scope.limited_to([416, 649]).allowed_districts == frozenset({416})
    assert scope.limited_to(None) == scope
    assert scope.limited_to([]).allowed_districts == frozenset()
    assert Scope.of(allowed=[]).limited_to([416]).allowed_districts == frozenset()
    assert scope.limited_to([416]).districts == frozenset({414}), "filters kept as chosen"
    assert scope.ceiling == Scope.of(allowed=[414, 416])
    assert EVERYWHERE.unrestricted and not Scope.of(allowed=[]).unrestricted


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_ceiling_keeps_other_districts_out_of_every_query(
    engines: tuple[sa.Engine, sa.Engine], name: str
) -> None:
    source, store = engines
    call = CALLS[name]
    everything = call(source, store, EVERYWHERE)
    ceiling = call(source, store, Scope.of(allowed=[DANTEWADA]))

    assert not _leaks(ceiling), _leaks(ceiling)
    # the same as choosing the district, and as cutting the unrestricted result down to it
    assert _same(ceiling, call(source, store, Scope.of(districts=[DANTEWADA])))
    for path, leaf in _frames(everything):
        if isinstance(leaf, pd.DataFrame) and {"district_lgd", "lgd_code", "facility_id"} & set(
            leaf.columns
        ):
            assert _same(dict(_frames(ceiling))[path], _only_dantewada(leaf)), path
    if name != "check_scope":
        assert not _same(everything, ceiling), "the ceiling changed nothing: the test sees nothing"


@pytest.mark.parametrize("name", sorted(CALLS))
def test_an_empty_ceiling_allows_nothing(engines: tuple[sa.Engine, sa.Engine], name: str) -> None:
    source, store = engines
    result = CALLS[name](source, store, Scope.of(allowed=[]))
    assert _is_nothing(result), result
    # a filter cannot widen the ceiling
    widened = CALLS[name](source, store, Scope.of(allowed=[]).limited_to([414, 416]))
    assert _is_nothing(widened), widened


def test_a_facility_outside_the_ceiling_gives_no_rows(engines: tuple[sa.Engine, sa.Engine]) -> None:
    source, store = engines
    scope = Scope.of(facilities=[F1], allowed=[DANTEWADA])
    for by in [(), ("facility",), ("district",), ("channel",)]:
        for frame in (
            queries.registration_counts(store, JANUARY, scope, by),
            queries.source_registration_counts(source, JANUARY, scope, by, now=DEMO_NOW),
        ):
            assert int(frame["opd_registrations"].sum()) == 0
            assert F1 not in set(frame.get("facility_id", []))
    assert queries.facilities(store, scope).empty
    assert queries.last_registration_days(store, scope).empty
    assert queries.department_counts(store, JANUARY, scope).empty
    assert queries.data_span(store, scope) == (None, None)
    assert queries.facility_staff(store, F1, scope).empty
    assert not queries.facility_staff(store, F1, EVERYWHERE).empty


def _message(store: sa.Engine, scope: Scope) -> str:
    with pytest.raises(BadFilter) as caught:
        queries.check_scope(store, scope)
    return str(caught.value)


def test_check_scope_reports_what_is_outside_the_ceiling_as_unknown(
    engines: tuple[sa.Engine, sa.Engine],
) -> None:
    _, store = engines
    ceiling = Scope.of(allowed=[DANTEWADA])
    queries.check_scope(store, Scope.of(districts=[DANTEWADA], facilities=[F2], allowed=[416]))

    outside = _message(store, Scope.of(districts=[BASTAR]).limited_to([DANTEWADA]))
    unknown = _message(store, Scope.of(districts=[999]).limited_to([DANTEWADA]))
    assert outside.startswith("no district with LGD code 414")
    assert outside == unknown.replace("999", "414")
    assert "414" not in outside.removeprefix("no district with LGD code 414")
    assert "649" not in outside
    # without the ceiling Bastar is known
    queries.check_scope(store, Scope.of(districts=[BASTAR]))

    outside = _message(store, Scope.of(facilities=[F1], allowed=ceiling.allowed_districts))
    unknown = _message(store, Scope.of(facilities=[F_UNKNOWN], allowed=ceiling.allowed_districts))
    assert outside.startswith(f"no facility with HFR ID {F1}")
    assert outside == unknown.replace(F_UNKNOWN, F1)


def test_quality_rows_of_unknown_facilities_are_shown_only_unrestricted(
    engines: tuple[sa.Engine, sa.Engine],
) -> None:
    _, store = engines
    kinds = queries.data_quality_counts(store).set_index("kind")["rows"]
    assert kinds["unknown_facility"] == 2  # r6 (not in the registry), r7 (no facility)
    for scope in (Scope.of(allowed=[BASTAR, DANTEWADA, SUKMA]), Scope.of(districts=[DANTEWADA])):
        scoped = queries.data_quality_counts(store, None, scope).set_index("kind")["rows"]
        assert scoped["unknown_facility"] == 0
    # duplicates are counted where they happened: r3's copy at F1, r10's at F2
    dantewada = queries.data_quality_counts(store, JANUARY, Scope.of(allowed=[DANTEWADA]))
    assert dantewada.set_index("kind")["rows"]["duplicate"] == 1


# --- the pages' data layer and the press kit apply the signed-in user's ceiling -------------
@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_pages_read_under_the_users_ceiling(
    worked_store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui import auth, data

    monkeypatch.setattr(auth, "allowed_districts", lambda: frozenset({DANTEWADA}))
    results = {
        "districts": data.districts(),
        "facilities": data.facilities(),
        "span": data.data_span(),
        "counts": data.counts(JANUARY, by=["facility"]),
        "district counts": data.counts(JANUARY, Scope.of(districts=[BASTAR]), by=["district"]),
        "quality": data.data_quality(JANUARY, by_facility=True),
        "enrolments": data.enrolments(JANUARY, by=["district"]),
        "last days": data.last_registration_days(),
        "departments": data.departments(JANUARY),
        "staff": data.facility_staff(F1),
    }
    assert not _leaks(results), _leaks(results)
    assert list(results["districts"]["lgd_code"]) == [DANTEWADA]
    assert list(results["facilities"]["facility_id"]) == [F2]
    assert results["span"] == (date(2025, 1, 16), date(2025, 2, 3))
    assert results["district counts"].empty

    monkeypatch.setattr(auth, "allowed_districts", lambda: None)
    assert list(data.districts()["lgd_code"]) == [BASTAR, DANTEWADA, SUKMA]
    assert data.data_span() == (date(2025, 1, 5), date(2025, 2, 3))


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_press_kit_reads_under_the_ceiling(worked_store: str) -> None:
    from press import kit

    store = store_engine(worked_store)
    figure = kit.build(store, "facility-league-table", JANUARY, (), allowed=frozenset({416}))
    assert "District Hospital Test" not in figure.data.to_csv()
    assert "CHC Test" in figure.data.to_csv()
    assert "Dantewada" in figure.caption.subtitle
    assert "Bastar division" not in figure.caption.subtitle
    with pytest.raises(BadFilter, match="no district with LGD code 414"):
        kit.build(store, "opd-trend", JANUARY, [BASTAR], allowed=frozenset({416}))
