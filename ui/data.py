"""Cached calls into ``data_access``: the pages' only way to the data.

Every cached call is keyed on the store's URL and the time of its last refresh, so a
refresh that lands (from cron, in another process) is seen at the next rerun; and on the
arguments, so each filter state is computed once.

Every call puts the signed-in user's ceiling (``ui.auth.allowed_districts()``) into the
scope it hands to ``data_access``, which adds it to the SQL; the ceiling is part of the
scope and so of the cache key: users with different ceilings never share an entry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TypeVar

import pandas as pd
import sqlalchemy as sa
import streamlit as st

from data_access import alerts, queries
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


def _store_token() -> str:
    return queries.store_state(store()).get("refreshed_at", "")


def refresh_token() -> str:
    """Changes whenever a refresh lands: part of every cache key below. Read from the store
    once a run (the frame's ``begin_run`` starts each run afresh): a page's dozens of
    cached calls cost one query, not one each, and every figure of a run is of the same
    refresh."""
    memo = run_memo()
    url = store_url()
    if ("refresh_token", url) not in memo:
        memo["refresh_token", url] = _store_token()
    return memo["refresh_token", url]


def run_memo() -> dict:
    """What this script run has worked out once for all its elements (emptied at the top
    of every run by ``begin_run``)."""
    memo = st.session_state.get(_RUN_MEMO)
    if memo is None:
        memo = st.session_state[_RUN_MEMO] = {}
    return memo


# --- when the store does not answer -----------------------------------------------------------
# Every call below goes through _read, and every answer is kept by st.cache_data under the
# store's refresh token (and the call's arguments, so under the user's ceiling). When the
# store does not answer — down, unreachable, a query past the statement timeout — the run
# is marked in trouble and each call is answered from the cache under the last token the
# store gave: the figures last read, for up to CACHE_TTL_SECONDS. A call not in the cache
# fails at once (no second wait on a hanging store) with StoreUnavailable, a plain
# message. The frame (app.py) says what is unavailable and from when the figures are, and
# the page polls the store and reruns by itself once it answers.
_TROUBLE = "_store_trouble"
_RUN_MEMO = "_run_memo"
STORE_ERRORS = (sa.exc.DBAPIError, DatabaseUnavailable)
_last_token: dict[str, str] = {}
"""Per store URL, the refresh token of the store's last answer in this server process."""


def begin_run() -> None:
    """Called by the frame at the start of every run: the store gets a new chance."""
    st.session_state[_TROUBLE] = None
    st.session_state[_RUN_MEMO] = {}


def trouble() -> tuple[StoreUnavailable, str | None] | None:
    """In this run: what went wrong with the store, and the refresh time of the figures
    shown instead (None when none could be shown)."""
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


def _answering(url: str) -> sa.Engine:
    """The store, for a cached call's body (a cache miss): refused at once in a run where
    the store has not answered, so that no query waits on it a second time."""
    if trouble() is not None:
        raise StoreUnavailable("not read: the analytics store did not answer in this run")
    return _engine(url)


def _read(name: str, compute: Callable[..., T], *args: object) -> T:
    url = store_url()
    if trouble() is None:
        try:
            token = refresh_token()
            value = compute(url, token, *args)
        except STORE_ERRORS as exc:
            st.session_state[_TROUBLE] = (_unavailable(url, exc), None)
        else:
            _last_token[url] = token
            return value
    problem, shown = trouble()  # type: ignore[misc]
    token = _last_token.get(url)
    if token is None:
        raise problem
    try:
        value = compute(url, token, *args)  # the figures last read, from the cache
    except STORE_ERRORS:
        raise problem from None
    st.session_state[_TROUBLE] = (problem, token)
    return value


def store_answers() -> bool:
    """Whether the store answers now (for the page waiting for it to come back)."""
    try:
        _store_token()
    except STORE_ERRORS:
        return False
    return True


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _counts(
    url: str, token: str, period: Period, scope: Scope, by: tuple[str, ...], grain: str | None
) -> pd.DataFrame:
    return queries.registration_counts(_answering(url), period, scope, by, grain)


def counts(
    period: Period, scope: Scope = EVERYWHERE, by: Sequence[str] = (), grain: str | None = None
) -> pd.DataFrame:
    """OPD registrations and ABHA-linked per group (see queries.registration_counts)."""
    return _read("counts", _counts, period, limited(scope), tuple(by), grain)


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _districts(url: str, token: str, scope: Scope) -> pd.DataFrame:
    return queries.districts(_answering(url), scope)


def districts() -> pd.DataFrame:
    """The registry's districts the user may see."""
    return _read("districts", _districts, limited())


def districts_by_division() -> dict[str, list[int]]:
    """Every district of the registry by its division (``districts.division``): where a
    commissioner's ceiling is found at sign-in (``ui.auth.gate``), before any ceiling."""
    registry = _read("districts", _districts, EVERYWHERE)
    by_division: dict[str, list[int]] = {}
    for division, code in zip(registry["division"], registry["lgd_code"], strict=True):
        by_division.setdefault(str(division), []).append(int(code))
    return by_division


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _facilities(url: str, token: str, scope: Scope) -> pd.DataFrame:
    return queries.facilities(_answering(url), scope)


def facilities() -> pd.DataFrame:
    """The registry's facilities in the districts the user may see."""
    return _read("facilities", _facilities, limited())


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _span(url: str, token: str, scope: Scope) -> tuple[date | None, date | None]:
    return queries.data_span(_answering(url), scope)


def data_span() -> tuple[date | None, date | None]:
    """First and last day with counted registrations in the districts the user may see."""
    return _read("span", _span, limited())


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _quality(
    url: str, token: str, period: Period | None, scope: Scope, by_facility: bool
) -> pd.DataFrame:
    return queries.data_quality_counts(_answering(url), period, scope, by_facility)


def data_quality(
    period: Period | None = None, by_facility: bool = False, scope: Scope = EVERYWHERE
) -> pd.DataFrame:
    """Data quality counts (see queries.data_quality_counts: under a ceiling, rows of
    facilities the registry does not know are left out)."""
    return _read("quality", _quality, period, limited(scope), by_facility)


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _state(url: str, token: str) -> dict[str, str]:
    return queries.store_state(_answering(url))


def state() -> dict[str, str]:
    """The store's refresh state (refreshed_at, source, …)."""
    return _read("state", _state)


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _row_accounts(
    url: str, token: str, scope: Scope, period: Period | None
) -> tuple[int, int, dict[str, int]] | None:
    return queries.row_accounts(_answering(url), scope, period)


def row_accounts(period: Period | None = None) -> tuple[int, int, dict[str, int]] | None:
    """Raw rows, counted, excluded by kind, for the whole store or the days of ``period``
    (queries.row_accounts); None for a user limited to some districts."""
    return _read("row_accounts", _row_accounts, limited(), period)


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _enrolments(
    url: str, token: str, period: Period, scope: Scope, by: tuple[str, ...]
) -> pd.DataFrame | None:
    return queries.enrolment_counts(_answering(url), period, scope, by)


def enrolments(
    period: Period, scope: Scope = EVERYWHERE, by: Sequence[str] = ()
) -> pd.DataFrame | None:
    """ABHA enrolments, or None when the database has no abha_enrolments table."""
    return _read("enrolments", _enrolments, period, limited(scope), tuple(by))


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _last_days(url: str, token: str, scope: Scope) -> pd.DataFrame:
    return queries.last_registration_days(_answering(url), scope)


def last_registration_days(scope: Scope = EVERYWHERE) -> pd.DataFrame:
    return _read("last_days", _last_days, limited(scope))


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _open_alerts(url: str, token: str, scope: Scope, evaluated: str) -> pd.DataFrame:
    return alerts.open_alerts(_answering(url), scope)


_last_evaluated: dict[str, str] = {}
"""Per store URL, when the alerts last read had been evaluated (as _last_token)."""


def _alerts_now(url: str, token: str, scope: Scope) -> pd.DataFrame:
    # Alerts are recorded just after a refresh commits: keyed on their own evaluation too,
    # so that a page read between the two does not keep the previous ones for an hour.
    if trouble() is None:
        _last_evaluated[url] = alerts.evaluated_at(_answering(url))
    return _open_alerts(url, token, scope, _last_evaluated.get(url, ""))


def open_alerts(scope: Scope = EVERYWHERE) -> pd.DataFrame:
    """The open alerts the user may see in ``scope``, newest first (alerts.open_alerts)."""
    return _read("open_alerts", _alerts_now, limited(scope))


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _departments(url: str, token: str, period: Period, scope: Scope) -> pd.DataFrame:
    return queries.department_counts(_answering(url), period, scope)


def departments(period: Period, scope: Scope = EVERYWHERE) -> pd.DataFrame:
    return _read("departments", _departments, period, limited(scope))


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _staff(url: str, token: str, facility_id: str, scope: Scope) -> pd.DataFrame | None:
    return queries.facility_staff(_answering(url), facility_id, scope)


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
        _answering(url),
        name,
        period,
        districts,
        lang,
        boundary_file=boundary_file,
        allowed=None if allowed is None else frozenset(allowed),
    )
    rendered = figure.rendered()
    # No rows, no drawing: the page says there is nothing to draw (an empty time axis
    # cannot even be drawn). The files are made on their download's click, from the same
    # drawing (``RenderedFigure.file``).
    return {"figure": rendered, "preview": None if rendered.empty else rendered.preview_png()}


def press_figure(name: str, period: Period, districts: Sequence[int], lang: str) -> dict:
    """A Press kit figure drawn (``press.kit.RenderedFigure``, under ``"figure"``: its
    data, caption, headlines, file names and, on demand, files) and its preview PNG
    (``"preview"``, None when there is nothing to draw).

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
