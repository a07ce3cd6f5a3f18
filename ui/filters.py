"""The global filters: period, districts, facility types, facilities.

Drawn once in the sidebar by ``app.py``, kept in the session while moving between pages,
and written to the URL's query parameters so any view can be bookmarked and shared:
opening such a URL restores it. A value in the URL that the data does not know is
dropped with a warning that names it, never an error.

Query parameters: ``period`` (a preset), ``fy`` (start year of a named financial year),
``from``/``to`` (a custom range, YYYY-MM-DD), ``division`` (divisions as ``districts.division``
names them, repeated; only where the registry has several), ``district`` (LGD codes, repeated),
``block`` (development blocks as ``<LGD code of the district>:<name>``, repeated; a bare name
is read where one district of those in view has a block of that name), ``type`` (facility
types, repeated), ``facility`` (HFR IDs, repeated); ``lang`` is
``ui.language``'s, and a value it does not know is named here with the others
(``filters_from_params`` is the one reader of a link's values). Every label is in the
language in force.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import streamlit as st

from data_access.queries import Period, Scope
from i18n import LANGUAGES, Words
from metrics.periods import (
    PRESETS,
    data_window,
    fy_of,
    preset_period,
    previous_period,
    within_data,
)
from ui import auth
from ui.language import PARAM as LANGUAGE_PARAM
from ui.language import refused_in_link
from ui.language import words as current_words

DEFAULT_PRESET = "last_90_days"
_KEYS = {
    "preset": "filter_preset",
    "fy": "filter_fy",
    "range": "filter_range",
    "divisions": "filter_divisions",
    "districts": "filter_districts",
    "blocks": "filter_blocks",
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


def narrow_to(
    *,
    divisions: list[str] | None = None,
    districts: list[int] | None = None,
    blocks: list[str] | None = None,
    facilities: list[str] | None = None,
) -> None:
    """Narrow the whole app to these divisions, districts, blocks or facilities (from a
    page, e.g. a map click). New divisions clear the districts, new districts the division,
    and either the blocks chosen before.

    Applied at the top of the next run, before the sidebar's widgets are drawn, as
    Streamlit requires; this run stops here.
    """
    request: dict[str, list] = {}
    if divisions is not None:  # a division, or all of them: no district chosen any more
        request["divisions"] = divisions
        request["districts"] = []
        request["blocks"] = []
    if districts is not None:  # districts, or all of them: no division chosen any more
        request["districts"] = districts
        request["divisions"] = []
        request["blocks"] = []
    if blocks is not None:
        request["blocks"] = blocks
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
    divisions: tuple[str, ...] = ()
    """The divisions chosen (as ``districts.division`` names them); () for all. Only a
    registry of several divisions offers the choice."""
    division_districts: tuple[int, ...] = ()
    """The LGD codes of the chosen divisions' districts the user may see."""
    blocks: tuple[str, ...] = ()
    """The development blocks chosen, as :func:`block_key` writes them; () for all."""
    block_facilities: tuple[str, ...] = ()
    """The HFR IDs of the chosen blocks' facilities the user may see (never empty when a
    block is chosen: a block is known by its facilities)."""

    @property
    def in_districts(self) -> tuple[int, ...]:
        """The districts the figures are of: those chosen, else the chosen divisions', else
        () for every district the user may see. Every page narrows by this."""
        return self.districts or self.division_districts

    @property
    def in_facilities(self) -> tuple[str, ...]:
        """The facilities the figures are of: those chosen, else the chosen blocks', else
        () for every facility of :attr:`in_districts`. Every page narrows by this."""
        return self.facilities or self.block_facilities

    @property
    def period(self) -> Period:
        return Period(self.start, self.end)

    @property
    def previous(self) -> Period:
        return Period(*previous_period(self.start, self.end))

    @property
    def scope(self) -> Scope:
        return Scope.of(self.in_districts, self.in_facilities, self.facility_types)

    def query_params(self) -> dict[str, str | list[str]]:
        params: dict[str, str | list[str]] = {"period": self.preset}
        if self.preset == "fy" and self.fy is not None:
            params["fy"] = str(self.fy)
        if self.preset == "custom":
            params["from"], params["to"] = self.start.isoformat(), self.end.isoformat()
        if self.divisions:
            params["division"] = list(self.divisions)
        if self.districts:
            params["district"] = [str(d) for d in self.districts]
        if self.blocks:
            params["block"] = list(self.blocks)
        if self.facility_types:
            params["type"] = list(self.facility_types)
        if self.facilities:
            params["facility"] = list(self.facilities)
        return params


MAX_VALUE_LENGTH = 40
"""The longest value a link may hold: far more than any code the app writes (an HFR ID has
12 characters, an LGD code 3, a date 10); a longer one is refused and named cut short."""
MAX_VALUES = 500
"""Values of one parameter read from a link; the rest are refused unread (counted, not named)."""
MAX_PROBLEMS_NAMED = 5
"""Problems named one by one; any beyond are counted in one more ("12 more values")."""
_CODE = re.compile(r"[0-9]{1,9}", re.ASCII)
"""An LGD code or a year: ASCII digits only (``"²".isdigit()`` is true, ``int("²")`` fails)."""
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def _parse_date(text: str | None) -> date | None:
    """YYYY-MM-DD only (``date.fromisoformat`` also takes 20250101 and week dates)."""
    if text is None or not _ISO_DAY.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _code(text: str) -> int | None:
    return int(text) if _CODE.fullmatch(text) else None


def link_value(text: str) -> str:
    """A value from a link as a message names it: cut to ``MAX_VALUE_LENGTH`` characters."""
    return text if len(text) <= MAX_VALUE_LENGTH else text[:MAX_VALUE_LENGTH] + "…"


def filters_from_params(
    params: dict[str, list[str]],
    *,
    as_of: date,
    first_day: date,
    districts: pd.DataFrame,
    facilities: pd.DataFrame,
    words: Words | None = None,
) -> Filters:
    """Filters from query parameters, every value checked; unknown ones dropped and named.

    The one parser of the link's filters, with limits, since a link is anyone's to write:
    at most ``MAX_VALUES`` values a parameter and ``MAX_VALUE_LENGTH`` characters a value;
    codes and years in ASCII digits; a custom range cut to the days a period may cover
    (``metrics.periods.data_window``: the financial years of the data, to ``as_of``), or
    refused when it holds none of them, so no later arithmetic meets year 1 or 9999.
    Problems are plain text (a page shows them through ``Words.markdown``), at most
    ``MAX_PROBLEMS_NAMED`` named.
    """
    w = words or Words("en")
    problems: list[str] = []
    unread = 0

    def values(name: str) -> list[str]:
        nonlocal unread
        given = params.get(name) or []
        unread += max(0, len(given) - MAX_VALUES)
        return list(given[:MAX_VALUES])

    def first(name: str) -> str | None:
        given = values(name)
        return given[0] if given else None

    def refuse(key: str, text: str | None = None) -> None:
        problems.append(w(key) if text is None else w(key, value=link_value(text)))

    language = first(LANGUAGE_PARAM)
    if language is not None and language not in LANGUAGES:  # ui.language fell back
        refuse("filters.problem.lang", language)
    preset = first("period") or DEFAULT_PRESET
    if preset not in PRESETS:
        refuse("filters.problem.period", preset)
        preset = DEFAULT_PRESET
    fy = None
    start = end = None
    if preset == "fy":
        text = first("fy") or ""
        fy = _code(text)
        if fy is None or not fy_of(first_day) <= fy <= fy_of(as_of):
            refuse("filters.problem.fy", text)
            fy = fy_of(as_of)
    if preset == "custom":
        start, end = _parse_date(first("from")), _parse_date(first("to"))
        if start is None or end is None or start > end:
            refuse("filters.problem.range")
            preset, start, end = DEFAULT_PRESET, None, None
        elif (cut := within_data(start, end, first_day, as_of)) is None:
            window = data_window(first_day, as_of)
            problems.append(
                w(
                    "filters.problem.range_outside",
                    period=w.period(start, end),
                    data=w.period(*window),
                )
            )
            preset, start, end = DEFAULT_PRESET, None, None
        elif cut != (start, end):
            asked = w.period(start, end)
            start, end = cut
            problems.append(
                w("filters.problem.range_cut", period=asked, shown=w.period(start, end))
            )
    start, end = preset_period(preset, as_of, fy_start_year=fy, start=start, end=end)

    by_folded = {name.strip().casefold(): name for name in division_names(districts)}
    chosen_divisions: list[str] = []
    for text in values("division"):
        name = by_folded.get(text.strip().casefold()) if len(text) <= MAX_VALUE_LENGTH else None
        if name is not None:
            chosen_divisions.append(name)
        else:
            refuse("filters.problem.division", text)
    chosen_divisions = only_a_part(chosen_divisions, districts)
    known_districts = set(districts_of(chosen_divisions, districts))
    chosen_districts: list[int] = []
    for text in values("district"):
        code = _code(text)
        if code in known_districts:
            chosen_districts.append(code)
        else:
            refuse("filters.problem.district", text)
    known_blocks = blocks_of(
        facilities[facilities["district_lgd"].isin(chosen_districts or sorted(known_districts))]
        if "district_lgd" in facilities
        else facilities
    )
    by_block_key = {block.casefold(): block for block in known_blocks.dropna()}
    by_block_name: dict[str, list[str]] = {}
    for block in by_block_key.values():
        by_block_name.setdefault(block_name(block).casefold(), []).append(block)
    chosen_blocks: list[str] = []
    for text in values("block"):
        folded = text.strip().casefold() if len(text) <= MAX_VALUE_LENGTH else None
        if folded in by_block_key:
            chosen_blocks.append(by_block_key[folded])
        elif folded is not None and len(named := by_block_name.get(folded, [])) == 1:
            chosen_blocks.append(named[0])  # a bare name, of one block in view
        else:
            refuse("filters.problem.block", text)
    chosen_blocks = list(dict.fromkeys(chosen_blocks))
    in_blocks = [str(f) for f, b in known_blocks.items() if b in set(chosen_blocks)]
    known_types = set(facilities["facility_type"])
    types = []
    for text in values("type"):
        if text in known_types:
            types.append(text)
        else:
            refuse("filters.problem.type", text)
    known_facilities = set(in_blocks) if chosen_blocks else set(facilities["facility_id"])
    chosen = []
    for text in values("facility"):
        if text in known_facilities:
            chosen.append(text)
        else:
            refuse("filters.problem.facility", text)
    more = max(0, len(problems) - MAX_PROBLEMS_NAMED) + unread
    if more > 0:
        problems = [*problems[:MAX_PROBLEMS_NAMED], w("filters.problem.more", count=w.count(more))]
    divisions = tuple(dict.fromkeys(chosen_divisions))
    return Filters(
        preset,
        start,
        end,
        fy,
        tuple(dict.fromkeys(chosen_districts)),
        tuple(dict.fromkeys(types)),
        tuple(dict.fromkeys(chosen)),
        problems=tuple(problems),
        divisions=divisions,
        division_districts=tuple(districts_of(divisions, districts)) if divisions else (),
        blocks=tuple(chosen_blocks),
        block_facilities=tuple(in_blocks),
    )


def division_names(districts: pd.DataFrame) -> list[str]:
    """The divisions of ``districts`` (as ``districts.division`` names them), sorted."""
    if districts.empty or "division" not in districts:
        return []
    return sorted({str(d) for d in districts["division"].dropna()})


def districts_of(divisions: Sequence[str], districts: pd.DataFrame) -> list[int]:
    """The LGD codes of ``districts`` in ``divisions``; every one when none are given."""
    rows = districts if not divisions else districts[districts["division"].isin(divisions)]
    return [int(code) for code in rows["lgd_code"]]


def block_key(district_lgd: object, block: object) -> str | None:
    """A development block as the app writes it: ``<LGD code of its district>:<name>``
    ("414:Jagdalpur"), since two districts may have blocks of one name; None for none."""
    if block is None or pd.isna(block) or not str(block).strip():
        return None
    return f"{int(district_lgd)}:{str(block).strip()}"  # type: ignore[call-overload]


def block_name(key: str) -> str:
    """The block's name in a key of :func:`block_key` (the whole text if it has no code)."""
    code, _, name = key.partition(":")
    return name if name and _CODE.fullmatch(code) else key


def blocks_of(facilities: pd.DataFrame) -> pd.Series:
    """HFR ID → the key of its block (:func:`block_key`), None where the registry names none."""
    if not {"district_lgd", "block"} <= set(facilities.columns):
        return pd.Series(None, index=facilities["facility_id"].astype(str).to_numpy(), dtype=object)
    return pd.Series(
        [
            block_key(code, block)
            for code, block in zip(facilities["district_lgd"], facilities["block"], strict=True)
        ],
        index=facilities["facility_id"].astype(str).to_numpy(),
        dtype=object,
    )


def block_names(facilities: pd.DataFrame, districts: pd.DataFrame, words: Words) -> dict[str, str]:
    """Block key → its name in the language (the catalogue's, else as the registry writes
    it), with its district's name where two districts of ``facilities`` have a block of
    that name ("Jagdalpur"; "Pharasgaon (Kondagaon)" were Pharasgaon also another's)."""
    keys = sorted(set(blocks_of(facilities).dropna()), key=_block_order)
    district_names = {int(k): v for k, v in words.district_names(districts).items()}
    districts_of_name: dict[str, set[str]] = {}
    for key in keys:
        districts_of_name.setdefault(block_name(key), set()).add(key.partition(":")[0])
    names = {}
    for key in keys:
        name, code = block_name(key), key.partition(":")[0]
        shown = words.label("block", name)
        if len(districts_of_name[name]) > 1:
            shown = f"{shown} ({district_names.get(int(code), code)})"
        names[key] = shown
    return names


def _block_order(key: str) -> tuple[int, str]:
    code, _, name = key.partition(":")
    return (int(code) if _CODE.fullmatch(code) else 0, name.casefold())


def district_clicks(
    codes: Iterable[int], filters: Filters, districts: pd.DataFrame
) -> dict[int, dict[str, list]]:
    """What a click on each district of ``codes`` on the map narrows the app to
    (``narrow_to``'s arguments): on the state's map, nothing chosen and several divisions
    in view, the district's division, a level down; else the district itself."""
    chosen = filters.divisions or filters.in_districts or filters.in_facilities
    division_of: dict[int, str] = {}
    if not chosen and "division" in districts and districts["division"].nunique() > 1:
        division_of = {
            int(code): str(division)
            for code, division in zip(districts["lgd_code"], districts["division"], strict=True)
            if pd.notna(division)
        }
    return {
        int(code): (
            {"divisions": [division_of[int(code)]]}
            if int(code) in division_of
            else {"districts": [int(code)]}
        )
        for code in codes
    }


LEVELS = ("division", "district", "block", "facility")
"""The hierarchy below the state, in order: what a scope is made of one level down."""


def level_below(filters: Filters, districts: pd.DataFrame) -> str:
    """The units one level below the scope in force: the state's divisions, a division's
    districts, a district's blocks, a block's facilities (or the facilities chosen).

    ``districts`` are those the user may see; a collector's several districts are
    districts, as a division's are."""
    if filters.in_facilities:
        return "facility"
    in_view = districts
    if filters.in_districts:
        in_view = districts[districts["lgd_code"].isin(filters.in_districts)]
    if len(in_view) == 1:
        return "block"
    if "division" in in_view and in_view["division"].nunique() > 1:
        return "division"
    return "district"


def only_a_part(divisions: Sequence[str], districts: pd.DataFrame) -> list[str]:
    """``divisions``, or none when they hold every district the user may see: choosing all
    is choosing nothing (a registry of one division, a commissioner's own division)."""
    if divisions and set(division_names(districts)) <= set(divisions):
        return []
    return list(divisions)


def sidebar_filters(
    *, as_of: date, first_day: date, districts: pd.DataFrame, facilities: pd.DataFrame
) -> Filters:
    """Draw the filters in the sidebar and return them; keep the URL in step."""
    w = current_words()
    state = st.session_state
    if _PENDING in state:  # a page asked to narrow the scope (e.g. a click on the map)
        pending = state.pop(_PENDING)
        state[_KEYS["divisions"]] = list(
            pending.get("divisions", state.get(_KEYS["divisions"], []))
        )
        state[_KEYS["districts"]] = list(
            pending.get("districts", state.get(_KEYS["districts"], []))
        )
        state[_KEYS["blocks"]] = list(pending.get("blocks", state.get(_KEYS["blocks"], [])))
        state[_KEYS["facilities"]] = list(pending.get("facilities", []))
        _forget_widgets()
    if _KEYS["preset"] not in state:
        params = {k: st.query_params.get_all(k) for k in st.query_params}
        refused_language = refused_in_link()
        if refused_language is not None:  # ui.language has put its own choice in the link
            params[LANGUAGE_PARAM] = [refused_language]
        initial = filters_from_params(
            params,
            as_of=as_of,
            first_day=first_day,
            districts=districts,
            facilities=facilities,
            words=w,
        )
        for problem in initial.problems:
            st.toast(w.markdown("filters.ignored", problem=problem), icon=":material/warning:")
        state[_KEYS["preset"]] = initial.preset
        state[_KEYS["fy"]] = initial.fy or fy_of(as_of)
        state[_KEYS["range"]] = (initial.start, initial.end)
        state[_KEYS["divisions"]] = list(initial.divisions)
        state[_KEYS["districts"]] = list(initial.districts)
        state[_KEYS["blocks"]] = list(initial.blocks)
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

    all_divisions = division_names(districts)
    chosen_divisions: list[str] = []
    if len(all_divisions) > 1:  # a registry of several divisions: the state, division by division
        chosen_divisions = bar.multiselect(
            w("filters.division"),
            all_divisions,
            format_func=lambda name: w.division_names(districts[districts["division"] == name]),
            key=key("divisions"),
            placeholder=w("filters.all_divisions"),
        )
    chosen_divisions = only_a_part(chosen_divisions, districts)
    in_divisions = districts[districts["lgd_code"].isin(districts_of(chosen_divisions, districts))]
    district_names = {int(k): v for k, v in w.district_names(in_divisions).items()}
    # a district of a division no longer chosen is dropped before the widget is drawn
    state[key("districts")] = [d for d in state.get(key("districts"), []) if d in district_names]
    chosen_districts = bar.multiselect(
        w("filters.district"),
        list(district_names),
        format_func=district_names.__getitem__,
        key=key("districts"),
        placeholder=w("filters.all_districts"),
    )
    in_districts = facilities[
        facilities["district_lgd"].isin(chosen_districts or list(district_names))
    ]
    block_of = blocks_of(in_districts)
    block_labels = block_names(in_districts, districts, w)
    # a block of a district no longer chosen is dropped before the widget is drawn
    state[key("blocks")] = [b for b in state.get(key("blocks"), []) if b in block_labels]
    chosen_blocks: list[str] = []
    if block_labels:  # the registry names the facilities' blocks
        chosen_blocks = bar.multiselect(
            w("filters.block"),
            list(block_labels),
            format_func=lambda block: (
                f"{block_labels[block]} · {district_names.get(int(block.partition(':')[0]), '')}"
            ),
            key=key("blocks"),
            placeholder=w("filters.all_blocks"),
        )
    in_blocks = [str(f) for f, b in block_of.items() if b in set(chosen_blocks)]
    types = bar.multiselect(
        w("filters.facility_type"),
        sorted(set(facilities["facility_type"])),
        format_func=lambda code: w.label("facility_type", code),
        key=key("types"),
        placeholder=w("filters.all_types"),
    )
    in_scope = facilities
    if chosen_districts or chosen_divisions:
        in_scope = in_districts
    if chosen_blocks:
        in_scope = in_scope[in_scope["facility_id"].astype(str).isin(in_blocks)]
        # a facility of a block no longer chosen is dropped before the widget is drawn
        state[key("facilities")] = [
            f for f in state.get(key("facilities"), []) if f in set(in_blocks)
        ]
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
        divisions=tuple(chosen_divisions),
        division_districts=tuple(district_names) if chosen_divisions else (),
        blocks=tuple(chosen_blocks),
        block_facilities=tuple(in_blocks),
    )
    state[_KEYS["preset"]] = preset
    if fy is not None:
        state[_KEYS["fy"]] = fy
    if preset == "custom":
        state[_KEYS["range"]] = (start, end)
    state[_KEYS["divisions"]] = list(filters.divisions)
    state[_KEYS["districts"]] = list(filters.districts)
    state[_KEYS["blocks"]] = list(filters.blocks)
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
    """Where the figures are from, in words: facilities, else blocks ("Jagdalpur block"),
    else districts, else divisions, else all the user may see (the division or the state).

    Under a user's ceiling (a district collector) "all districts" is not the division:
    the districts the user may see are named instead (``districts`` holds only those).
    """
    w = words or current_words()
    if filters.facilities:
        names = w.facility_names(facilities)
        return ", ".join(str(names.get(f, f)) for f in filters.facilities)
    if filters.blocks:
        labels = block_names(facilities, districts, w)
        return ", ".join(
            w("common.block_of", name=labels.get(b, block_name(b))) for b in filters.blocks
        )
    if filters.divisions and not filters.districts:
        return w.division_names(districts[districts["division"].isin(filters.divisions)])
    return districts_name(filters.districts, districts, w)


def districts_name(chosen: Sequence[int], districts: pd.DataFrame, words: Words) -> str:
    """The chosen districts in words; none chosen: every district the user may see.

    That is the registry's area (``Words.region``: the division, or the state when several
    divisions are in it) only for a user without a ceiling: a collector's "all" is the
    collector's districts, named (``districts`` holds only those), so that no label says
    "Bastar division" over figures of Dantewada alone.
    """
    codes = list(chosen)
    if not codes and auth.allowed_divisions() is not None and not districts.empty:
        return words.division_names(districts)  # a commissioner's: whole divisions
    if not codes and auth.allowed_districts() is not None:
        codes = sorted(int(code) for code in districts["lgd_code"])
    return words.area_name(codes, districts)


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
    if filters.in_districts:
        rows = rows[rows["district_lgd"].isin(filters.in_districts)]
    if filters.facility_types:
        rows = rows[rows["facility_type"].isin(filters.facility_types)]
    if filters.in_facilities:
        rows = rows[rows["facility_id"].isin(filters.in_facilities)]
    return rows
