"""Cached calls into ``data_access``: the pages' only way to the data.

Every cached call is keyed on the store's URL and the time of its last refresh, so a
refresh that lands (from cron, in another process) is seen at the next rerun; and on the
arguments, so each filter state is computed once.

Every call puts the signed-in user's ceiling (``ui.auth.allowed_districts()``) into the
scope it hands to ``data_access``, which adds it to the SQL; the ceiling is part of the
scope and so of the cache key: users with different ceilings never share an entry.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import date
from typing import TypeVar

import pandas as pd
import sqlalchemy as sa
import streamlit as st

from data_access import queries
from data_access.config import load_settings
from data_access.engines import describe, store_engine
from data_access.errors import DatabaseUnavailable, StoreUnavailable
from data_access.queries import EVERYWHERE, Period, Scope
from ui import auth

CACHE_TTL_SECONDS = 3600
T = TypeVar("T")


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> sa.Engine:
    return store_engine(url, statement_timeout=load_settings().statement_timeout_seconds)


def store_url() -> str:
    return load_settings().store_url


def store() -> sa.Engine:
    return _engine(store_url())


def limited(scope: Scope = EVERYWHERE) -> Scope:
    """``scope`` under the signed-in user's ceiling: what every call below reads."""
    return scope.limited_to(auth.allowed_districts())


def refresh_token() -> str:
    """Changes whenever a refresh lands: part of every cache key below."""
    return queries.store_state(store()).get("refreshed_at", "")


# --- when the store does not answer -----------------------------------------------------------
# Every call below goes through _read. When the store answers, its value is also kept as
# the last good answer to that exact call (same arguments, so the same user ceiling). When
# it does not — down, unreachable, a query past the statement timeout — the call returns
# that last good answer and the run is marked in trouble: the frame (app.py) says what is
# unavailable and since when, the later calls of the run go straight to the last answers
# (no second wait on a hanging store), and the page polls the store and reruns by itself
# once it answers. A call never answered before raises StoreUnavailable (a plain message).
LAST_GOOD_ENTRIES = 512
_last_good: OrderedDict[tuple, tuple[str, object]] = OrderedDict()
_last_good_lock = threading.Lock()
_TROUBLE = "_store_trouble"
STORE_ERRORS = (sa.exc.DBAPIError, DatabaseUnavailable)


def begin_run() -> None:
    """Called by the frame at the start of every run: the store gets a new chance."""
    st.session_state[_TROUBLE] = None


def trouble() -> tuple[StoreUnavailable, str | None] | None:
    """In this run: what went wrong with the store, and the refresh time of the figures
    shown instead (None when nothing could be shown)."""
    return st.session_state.get(_TROUBLE)


def _unavailable(url: str, exc: BaseException) -> StoreUnavailable:
    if isinstance(exc, StoreUnavailable):
        return exc
    if isinstance(exc, DatabaseUnavailable):  # the engine could not be opened: says why
        return StoreUnavailable(str(exc))
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines() or [type(exc).__name__]
    timed_out = "statement timeout" in reason[0] or reason[0] == "interrupted"
    if timed_out:
        seconds = load_settings().statement_timeout_seconds
        reason = [f"a query ran past the statement timeout ({seconds:g} s)"]
    return StoreUnavailable(
        f"the analytics store at {describe(url)} did not answer: {reason[0]}", timed_out=timed_out
    )


def _read(name: str, compute: Callable[..., T], *args: object) -> T:
    url = store_url()
    key = (name, url, *args)
    if trouble() is None:
        try:
            token = refresh_token()
            value = compute(url, token, *args)
        except STORE_ERRORS as exc:
            problem = _unavailable(url, exc)
        else:
            with _last_good_lock:
                _last_good[key] = (token, value)
                _last_good.move_to_end(key)
                while len(_last_good) > LAST_GOOD_ENTRIES:
                    _last_good.popitem(last=False)
            return value
    else:
        problem = trouble()[0]  # type: ignore[index]
    with _last_good_lock:
        kept = _last_good.get(key)
    st.session_state[_TROUBLE] = (problem, kept[0] if kept else None)
    if kept is None:
        raise problem
    return kept[1]  # type: ignore[return-value]


def store_answers() -> bool:
    """Whether the store answers now (for the page waiting for it to come back)."""
    try:
        refresh_token()
    except STORE_ERRORS:
        return False
    return True


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _counts(
    url: str, token: str, period: Period, scope: Scope, by: tuple[str, ...], grain: str | None
) -> pd.DataFrame:
    return queries.registration_counts(_engine(url), period, scope, by, grain)


def counts(
    period: Period, scope: Scope = EVERYWHERE, by: Sequence[str] = (), grain: str | None = None
) -> pd.DataFrame:
    """OPD registrations and ABHA-linked per group (see queries.registration_counts)."""
    return _read("counts", _counts, period, limited(scope), tuple(by), grain)


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _districts(url: str, token: str, scope: Scope) -> pd.DataFrame:
    return queries.districts(_engine(url), scope)


def districts() -> pd.DataFrame:
    """The registry's districts the user may see."""
    return _read("districts", _districts, limited())


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _facilities(url: str, token: str, scope: Scope) -> pd.DataFrame:
    return queries.facilities(_engine(url), scope)


def facilities() -> pd.DataFrame:
    """The registry's facilities in the districts the user may see."""
    return _read("facilities", _facilities, limited())


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _span(url: str, token: str, scope: Scope) -> tuple[date | None, date | None]:
    return queries.data_span(_engine(url), scope)


def data_span() -> tuple[date | None, date | None]:
    """First and last day with counted registrations in the districts the user may see."""
    return _read("span", _span, limited())


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _quality(
    url: str, token: str, period: Period | None, scope: Scope, by_facility: bool
) -> pd.DataFrame:
    return queries.data_quality_counts(_engine(url), period, scope, by_facility)


def data_quality(
    period: Period | None = None, by_facility: bool = False, scope: Scope = EVERYWHERE
) -> pd.DataFrame:
    """Data quality counts (see queries.data_quality_counts: under a ceiling, rows of
    facilities the registry does not know are left out)."""
    return _read("quality", _quality, period, limited(scope), by_facility)


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _state(url: str, token: str) -> dict[str, str]:
    return queries.store_state(_engine(url))


def state() -> dict[str, str]:
    """The store's refresh state (refreshed_at, source, …)."""
    return _read("state", _state)


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _row_accounts(url: str, token: str, scope: Scope) -> tuple[int, int, dict[str, int]] | None:
    return queries.row_accounts(_engine(url), scope)


def row_accounts() -> tuple[int, int, dict[str, int]] | None:
    """Raw rows, counted, excluded by kind, for the whole store (queries.row_accounts);
    None for a user limited to some districts."""
    return _read("row_accounts", _row_accounts, limited())


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _enrolments(
    url: str, token: str, period: Period, scope: Scope, by: tuple[str, ...]
) -> pd.DataFrame | None:
    return queries.enrolment_counts(_engine(url), period, scope, by)


def enrolments(
    period: Period, scope: Scope = EVERYWHERE, by: Sequence[str] = ()
) -> pd.DataFrame | None:
    """ABHA enrolments, or None when the database has no abha_enrolments table."""
    return _read("enrolments", _enrolments, period, limited(scope), tuple(by))


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _last_days(url: str, token: str, scope: Scope) -> pd.DataFrame:
    return queries.last_registration_days(_engine(url), scope)


def last_registration_days(scope: Scope = EVERYWHERE) -> pd.DataFrame:
    return _read("last_days", _last_days, limited(scope))


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _departments(url: str, token: str, period: Period, scope: Scope) -> pd.DataFrame:
    return queries.department_counts(_engine(url), period, scope)


def departments(period: Period, scope: Scope = EVERYWHERE) -> pd.DataFrame:
    return _read("departments", _departments, period, limited(scope))


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _staff(url: str, token: str, facility_id: str, scope: Scope) -> pd.DataFrame | None:
    return queries.facility_staff(_engine(url), facility_id, scope)


def facility_staff(facility_id: str, scope: Scope = EVERYWHERE) -> pd.DataFrame | None:
    """HPR coverage by cadre, or None when the database has no facility_staff table;
    no rows for a facility outside the districts the user may see."""
    return _read("staff", _staff, facility_id, limited(scope))


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False, max_entries=64)
def _press_figure(
    url: str,
    token: str,
    name: str,
    period: Period,
    districts: tuple[int, ...],
    lang: str,
    boundary_file: str | None,
    allowed: tuple[int, ...] | None,
) -> dict:
    from press import kit  # the renderers load only when the Press kit is opened

    figure = kit.build(
        _engine(url),
        name,
        period,
        districts,
        lang,
        boundary_file=boundary_file,
        allowed=None if allowed is None else frozenset(allowed),
    )
    return {
        "files": {ext: figure.file(ext) for ext in kit.FORMATS},
        "names": {ext: figure.file_name(ext) for ext in (*kit.FORMATS, "txt")},
        "headlines": figure.headlines_text(),
        "data": figure.data,
        "caption": figure.caption,
    }


def press_figure(name: str, period: Period, districts: Sequence[int], lang: str) -> dict:
    """A Press kit figure's files (png, svg, csv, xlsx), their names, headlines and data.

    Made by ``press.kit``, exactly as ``ehospital-dashboard export`` makes them, under
    the user's ceiling: a district outside it is refused like an unknown one.
    """
    allowed = auth.allowed_districts()
    return _read(
        "press_figure",
        _press_figure,
        name,
        period,
        tuple(sorted(districts)),
        lang,
        load_settings().boundary_file,
        None if allowed is None else tuple(sorted(allowed)),
    )
