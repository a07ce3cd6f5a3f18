"""The global filters: period, districts, facility types, facilities.

Drawn once in the sidebar by ``app.py``, kept in the session while moving between pages,
and written to the URL's query parameters so any view can be bookmarked and shared:
opening such a URL restores it. A value in the URL that the data does not know is
dropped with a warning that names it, never an error.

Query parameters: ``period`` (a preset), ``fy`` (start year of a named financial year),
``from``/``to`` (a custom range, YYYY-MM-DD), ``district`` (LGD codes, repeated),
``type`` (facility types, repeated), ``facility`` (HFR IDs, repeated); ``lang`` belongs to
``ui.language``. Every label is in the language in force.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import streamlit as st

from data_access.queries import Period, Scope
from i18n import Words
from metrics.periods import PRESETS, fy_of, preset_period, previous_period
from ui import auth
from ui.language import PARAM as LANGUAGE_PARAM
from ui.language import words as current_words

DEFAULT_PRESET = "last_90_days"
_KEYS = {
    "preset": "filter_preset",
    "fy": "filter_fy",
    "range": "filter_range",
    "districts": "filter_districts",
    "types": "filter_types",
    "facilities": "filter_facilities",
}


_PENDING = "filter_pending_scope"


def widget_key(name: str, language: str) -> str:
    """The key of a filter's widget in one language.

    The filters in force are kept under ``_KEYS`` as codes (LGD codes, HFR IDs, preset
    names); each widget draws them under a key of its language. The browser keeps a
    chosen option as the text it showed: a widget kept across a language switch would be
    handed the other language's text, which matches no option (the district dropped, the
    facility's display text written into the link). A switch draws new widgets, each
    set from the codes.
    """
    return f"{_KEYS[name]}.{language}"


def _bind_widgets(language: str) -> None:
    """Set each filter widget of ``language`` that is not drawn yet from the codes in force."""
    state = st.session_state
    for name, key in _KEYS.items():
        if key in state and widget_key(name, language) not in state:
            value = state[key]
            state[widget_key(name, language)] = list(value) if isinstance(value, list) else value


def _forget_widgets() -> None:
    """Drop every language's filter widgets, so the next ones are set from the codes."""
    state = st.session_state
    for name in _KEYS:
        for key in [k for k in state if isinstance(k, str) and k.startswith(_KEYS[name] + ".")]:
            del state[key]


def narrow_to(*, districts: list[int] | None = None, facilities: list[str] | None = None) -> None:
    """Narrow the whole app to these districts or facilities (from a page, e.g. a map click).

    Applied at the top of the next run, before the sidebar's widgets are drawn, as
    Streamlit requires; this run stops here.
    """
    request: dict[str, list] = {}
    if districts is not None:
        request["districts"] = districts
    if facilities is not None:
        request["facilities"] = facilities
    st.session_state[_PENDING] = request
    st.rerun()


@dataclass(frozen=True)
class Filters:
    """The filters in force, validated against the data."""

    preset: str
    start: date
    end: date
    fy: int | None = None
    districts: tuple[int, ...] = ()
    facility_types: tuple[str, ...] = ()
    facilities: tuple[str, ...] = ()
    problems: tuple[str, ...] = field(default=(), compare=False)
    """What the link asked for that the data does not know, in words of the language."""

    @property
    def period(self) -> Period:
        return Period(self.start, self.end)

    @property
    def previous(self) -> Period:
        return Period(*previous_period(self.start, self.end))

    @property
    def scope(self) -> Scope:
        return Scope.of(self.districts, self.facilities, self.facility_types)

    def query_params(self) -> dict[str, str | list[str]]:
        params: dict[str, str | list[str]] = {"period": self.preset}
        if self.preset == "fy" and self.fy is not None:
            params["fy"] = str(self.fy)
        if self.preset == "custom":
            params["from"], params["to"] = self.start.isoformat(), self.end.isoformat()
        if self.districts:
            params["district"] = [str(d) for d in self.districts]
        if self.facility_types:
            params["type"] = list(self.facility_types)
        if self.facilities:
            params["facility"] = list(self.facilities)
        return params


def _parse_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def filters_from_params(
    params: dict[str, list[str]],
    *,
    as_of: date,
    first_day: date,
    districts: pd.DataFrame,
    facilities: pd.DataFrame,
    words: Words | None = None,
) -> Filters:
    """Filters from query parameters, every value checked; unknown ones dropped and named."""
    w = words or Words("en")
    problems: list[str] = []
    preset = (params.get("period") or [DEFAULT_PRESET])[0]
    if preset not in PRESETS:
        problems.append(w("filters.problem.period", value=preset))
        preset = DEFAULT_PRESET
    fy = None
    start = end = None
    if preset == "fy":
        text = (params.get("fy") or [""])[0]
        fy = int(text) if text.isdigit() else None
        if fy is None or not fy_of(first_day) <= fy <= fy_of(as_of):
            problems.append(w("filters.problem.fy", value=text))
            fy = fy_of(as_of)
    if preset == "custom":
        start = _parse_date((params.get("from") or [None])[0])
        end = _parse_date((params.get("to") or [None])[0])
        if start is None or end is None or start > end:
            problems.append(w("filters.problem.range"))
            preset, start, end = DEFAULT_PRESET, None, None
    start, end = preset_period(preset, as_of, fy_start_year=fy, start=start, end=end)

    known_districts = set(districts["lgd_code"].astype(int))
    chosen_districts = []
    for text in params.get("district", []):
        if text.isdigit() and int(text) in known_districts:
            chosen_districts.append(int(text))
        else:
            problems.append(w("filters.problem.district", value=text))
    known_types = set(facilities["facility_type"])
    types = []
    for text in params.get("type", []):
        (
            types.append(text)
            if text in known_types
            else problems.append(w("filters.problem.type", value=text))
        )
    known_facilities = set(facilities["facility_id"])
    chosen = []
    for text in params.get("facility", []):
        (
            chosen.append(text)
            if text in known_facilities
            else problems.append(w("filters.problem.facility", value=text))
        )
    return Filters(
        preset,
        start,
        end,
        fy,
        tuple(chosen_districts),
        tuple(types),
        tuple(chosen),
        tuple(problems),
    )


def sidebar_filters(
    *, as_of: date, first_day: date, districts: pd.DataFrame, facilities: pd.DataFrame
) -> Filters:
    """Draw the filters in the sidebar and return them; keep the URL in step."""
    w = current_words()
    state = st.session_state
    if _PENDING in state:  # a page asked to narrow the scope (e.g. a click on the map)
        pending = state.pop(_PENDING)
        state[_KEYS["districts"]] = list(
            pending.get("districts", state.get(_KEYS["districts"], []))
        )
        state[_KEYS["facilities"]] = list(pending.get("facilities", []))
        _forget_widgets()
    if _KEYS["preset"] not in state:
        initial = filters_from_params(
            {k: st.query_params.get_all(k) for k in st.query_params},
            as_of=as_of,
            first_day=first_day,
            districts=districts,
            facilities=facilities,
            words=w,
        )
        for problem in initial.problems:
            st.toast(w("filters.ignored", problem=problem), icon=":material/warning:")
        state[_KEYS["preset"]] = initial.preset
        state[_KEYS["fy"]] = initial.fy or fy_of(as_of)
        state[_KEYS["range"]] = (initial.start, initial.end)
        state[_KEYS["districts"]] = list(initial.districts)
        state[_KEYS["types"]] = list(initial.facility_types)
        state[_KEYS["facilities"]] = list(initial.facilities)
    _bind_widgets(w.lang)

    def key(name: str) -> str:
        return widget_key(name, w.lang)

    bar = st.sidebar
    bar.header(w("filters.header"))
    preset = bar.selectbox(
        w("filters.period"),
        PRESETS,
        format_func=lambda p: w(f"preset.{p}"),
        key=key("preset"),
    )
    fy = None
    custom: tuple[date, date] | None = None
    if preset == "fy":
        years = list(range(fy_of(as_of), fy_of(first_day) - 1, -1))
        fy = bar.selectbox(
            w("filters.financial_year"), years, format_func=w.fy_label, key=key("fy")
        )
    elif preset == "custom":
        shown_start, shown_end = state[key("range")]
        chosen = bar.date_input(
            w("filters.range"),
            min_value=min(first_day, shown_start),
            max_value=max(as_of, shown_end),
            format="DD-MM-YYYY",
            key=key("range"),
        )
        if isinstance(chosen, tuple) and len(chosen) == 2:
            custom = (chosen[0], chosen[1])
        else:
            bar.caption(w("filters.pick_last_day"))
            custom = (chosen[0], chosen[0]) if chosen else (as_of, as_of)
    start, end = preset_period(
        preset,
        as_of,
        fy_start_year=fy,
        start=custom[0] if custom else None,
        end=custom[1] if custom else None,
    )

    district_names = {int(k): v for k, v in w.district_names(districts).items()}
    chosen_districts = bar.multiselect(
        w("filters.district"),
        list(district_names),
        format_func=district_names.__getitem__,
        key=key("districts"),
        placeholder=w("filters.all_districts"),
    )
    types = bar.multiselect(
        w("filters.facility_type"),
        sorted(set(facilities["facility_type"])),
        format_func=lambda code: w.label("facility_type", code),
        key=key("types"),
        placeholder=w("filters.all_types"),
    )
    in_scope = facilities
    if chosen_districts:
        in_scope = in_scope[in_scope["district_lgd"].isin(chosen_districts)]
    if types:
        in_scope = in_scope[in_scope["facility_type"].isin(types)]
    names = w.facility_names(facilities).to_dict()
    options = list(dict.fromkeys([*in_scope["facility_id"], *state[key("facilities")]]))
    chosen_facilities = bar.multiselect(
        w("filters.facility"),
        options,
        format_func=lambda fid: f"{names.get(fid, fid)} · {fid}",
        key=key("facilities"),
        placeholder=w("filters.all_facilities"),
    )
    filters = Filters(
        preset,
        start,
        end,
        fy,
        tuple(int(d) for d in chosen_districts),
        tuple(types),
        tuple(chosen_facilities),
    )
    state[_KEYS["preset"]] = preset
    if fy is not None:
        state[_KEYS["fy"]] = fy
    if preset == "custom":
        state[_KEYS["range"]] = (start, end)
    state[_KEYS["districts"]] = list(filters.districts)
    state[_KEYS["types"]] = list(filters.facility_types)
    state[_KEYS["facilities"]] = list(filters.facilities)
    _write_query_params(filters)
    return filters


def _write_query_params(filters: Filters) -> None:
    wanted = filters.query_params()
    if LANGUAGE_PARAM in st.query_params:
        wanted[LANGUAGE_PARAM] = st.query_params[LANGUAGE_PARAM]
    current = {k: st.query_params.get_all(k) for k in st.query_params}
    normalised = {k: v if isinstance(v, list) else [v] for k, v in wanted.items()}
    if current != normalised:
        st.query_params.from_dict(wanted)


def scope_name(
    filters: Filters,
    districts: pd.DataFrame,
    facilities: pd.DataFrame,
    words: Words | None = None,
) -> str:
    """Where the figures are from, in words: facilities, else districts, else the division.

    Under a user's ceiling (a district collector) "all districts" is not the division:
    the districts the user may see are named instead (``districts`` holds only those).
    """
    w = words or current_words()
    if filters.facilities:
        names = w.facility_names(facilities)
        return ", ".join(str(names.get(f, f)) for f in filters.facilities)
    chosen = list(filters.districts)
    if not chosen and auth.allowed_districts() is not None:
        chosen = sorted(int(code) for code in districts["lgd_code"])
    if chosen:
        names = w.district_names(districts)
        return ", ".join(str(names.get(d, d)) for d in chosen)
    return w.division()


def period_name(filters: Filters, words: Words | None = None) -> str:
    """The period in force: 'Last 90 days: 03-08-2025 to 31-10-2025', 'FY 2025-26: …'."""
    w = words or current_words()
    label = None
    if filters.preset == "fy" and filters.fy is not None:
        label = w.fy_label(filters.fy)
    elif filters.preset not in ("fy", "custom"):
        label = w(f"preset.{filters.preset}")
    when = w.period(filters.start, filters.end)
    return f"{label}: {when}" if label else when


def scope_caption(
    filters: Filters,
    districts: pd.DataFrame,
    facilities: pd.DataFrame,
    words: Words | None = None,
) -> str:
    """The period and scope in force, in words: every page shows it."""
    w = words or current_words()
    parts = [scope_name(filters, districts, facilities, w)]
    if filters.facility_types:
        parts.append("/".join(w.label("facility_type", t) for t in filters.facility_types))
    parts.append(period_name(filters, w))
    return " · ".join(parts)


def facilities_in_scope(filters: Filters, facilities: pd.DataFrame) -> pd.DataFrame:
    """The facility registry rows that the filters cover."""
    rows = facilities
    if filters.districts:
        rows = rows[rows["district_lgd"].isin(filters.districts)]
    if filters.facility_types:
        rows = rows[rows["facility_type"].isin(filters.facility_types)]
    if filters.facilities:
        rows = rows[rows["facility_id"].isin(filters.facilities)]
    return rows
