"""Cached calls into ``data_access``: the pages' only way to the data.

Every cached call is keyed on the store's URL and the time of its last refresh, so a
refresh that lands (from cron, in another process) is seen at the next rerun; and on the
arguments, so each filter state is computed once.

Every call puts the signed-in user's ceiling (``ui.auth.allowed_districts()``) into the
scope it hands to ``data_access``, which adds it to the SQL; the ceiling is part of the
scope and so of the cache key: users with different ceilings never share an entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
import sqlalchemy as sa
import streamlit as st

from data_access import queries
from data_access.config import load_settings
from data_access.engines import store_engine
from data_access.queries import EVERYWHERE, Period, Scope
from ui import auth

CACHE_TTL_SECONDS = 3600


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> sa.Engine:
    return store_engine(url)


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


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _counts(
    url: str, token: str, period: Period, scope: Scope, by: tuple[str, ...], grain: str | None
) -> pd.DataFrame:
    return queries.registration_counts(_engine(url), period, scope, by, grain)


def counts(
    period: Period, scope: Scope = EVERYWHERE, by: Sequence[str] = (), grain: str | None = None
) -> pd.DataFrame:
    """OPD registrations and ABHA-linked per group (see queries.registration_counts)."""
    return _counts(store_url(), refresh_token(), period, limited(scope), tuple(by), grain)


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _districts(url: str, token: str, scope: Scope) -> pd.DataFrame:
    return queries.districts(_engine(url), scope)


def districts() -> pd.DataFrame:
    """The registry's districts the user may see."""
    return _districts(store_url(), refresh_token(), limited())


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _facilities(url: str, token: str, scope: Scope) -> pd.DataFrame:
    return queries.facilities(_engine(url), scope)


def facilities() -> pd.DataFrame:
    """The registry's facilities in the districts the user may see."""
    return _facilities(store_url(), refresh_token(), limited())


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _span(url: str, token: str, scope: Scope) -> tuple[date | None, date | None]:
    return queries.data_span(_engine(url), scope)


def data_span() -> tuple[date | None, date | None]:
    """First and last day with counted registrations in the districts the user may see."""
    return _span(store_url(), refresh_token(), limited())


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
    return _quality(store_url(), refresh_token(), period, limited(scope), by_facility)


def state() -> dict[str, str]:
    return queries.store_state(store())


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _enrolments(
    url: str, token: str, period: Period, scope: Scope, by: tuple[str, ...]
) -> pd.DataFrame | None:
    return queries.enrolment_counts(_engine(url), period, scope, by)


def enrolments(
    period: Period, scope: Scope = EVERYWHERE, by: Sequence[str] = ()
) -> pd.DataFrame | None:
    """ABHA enrolments, or None when the database has no abha_enrolments table."""
    return _enrolments(store_url(), refresh_token(), period, limited(scope), tuple(by))


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _last_days(url: str, token: str, scope: Scope) -> pd.DataFrame:
    return queries.last_registration_days(_engine(url), scope)


def last_registration_days(scope: Scope = EVERYWHERE) -> pd.DataFrame:
    return _last_days(store_url(), refresh_token(), limited(scope))


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _departments(url: str, token: str, period: Period, scope: Scope) -> pd.DataFrame:
    return queries.department_counts(_engine(url), period, scope)


def departments(period: Period, scope: Scope = EVERYWHERE) -> pd.DataFrame:
    return _departments(store_url(), refresh_token(), period, limited(scope))


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _staff(url: str, token: str, facility_id: str, scope: Scope) -> pd.DataFrame | None:
    return queries.facility_staff(_engine(url), facility_id, scope)


def facility_staff(facility_id: str, scope: Scope = EVERYWHERE) -> pd.DataFrame | None:
    """HPR coverage by cadre, or None when the database has no facility_staff table;
    no rows for a facility outside the districts the user may see."""
    return _staff(store_url(), refresh_token(), facility_id, limited(scope))


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
    return _press_figure(
        store_url(),
        refresh_token(),
        name,
        period,
        tuple(sorted(districts)),
        lang,
        load_settings().boundary_file,
        None if allowed is None else tuple(sorted(allowed)),
    )
