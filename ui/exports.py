"""Download buttons under every chart and table: PNG (2×), SVG, CSV and XLSX; CSV and XLSX.

The files are made only when a button is clicked (Streamlit's deferred ``data``), by the
same ``press`` functions the command line uses, with the caption of the page in force:
title, scope and period, source line, and the notes a reader needs (the definitions, and
what the page says under the chart: partial weeks, dashed go-live lines, "<5"). The
figures in them follow one rule (``press.files``): counts whole, shares as percentages
with one decimal, dates as dates.

File names say what and when, and one name is one table: every name a page hands out is
claimed for the session with the table's title and columns, and a second, different table
under the same name is logged and listed (``name_clashes``; the page tests require none).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st
from babel.numbers import format_decimal
from pandas.io.formats.style import Styler

from data_access.config import load_settings
from i18n import Words
from press.files import (
    COUNT,
    DATE,
    DATETIME,
    NUMBER,
    SHARE,
    Caption,
    column_kinds,
    csv_bytes,
    file_name,
    has_suppressed_counts,
    share_columns,
    xlsx_bytes,
)
from ui import charts, data
from ui.auth import recorded_export
from ui.filters import scope_name
from ui.language import words

PNG_SCALE = 2.0
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_CLAIMED = "_export_file_names"
_CLASHES = "_export_name_clashes"
_PAGE_SCOPE = "_export_page_scope"
_PAGE_PERIOD = "_export_page_period"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExportContext:
    """What every file exported from this page run shares."""

    words: Words
    scope: str
    """The scope in the chosen language, e.g. 'बस्तर संभाग'."""
    scope_slug: str
    """The scope in English, for file names: 'Bastar division'."""
    subtitle: str
    source: str

    def caption(self, title: str, notes: Sequence[str] = ()) -> Caption:
        return Caption(title, self.subtitle, self.source, tuple(n for n in notes if n))

    def file_name(self, what: str, extension: str) -> str:
        start, end = _days()
        return file_name(what, self.scope_slug, start, end, self.words.lang, extension)


def _page() -> str:
    """The page this run draws (its script's hash), or '' outside a page run."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return "" if ctx is None else str(ctx.page_script_hash)


def exports_of_facility(facility_id: str) -> None:
    """The files of this page are of one facility, not of the filters' scope: their
    subtitle, source line and file name name it (the Facility profile)."""
    st.session_state[_PAGE_SCOPE] = (_page(), facility_id)


def exports_over(start: date, end: date) -> None:
    """The files of this page are of the days ``start`` to ``end``, not of the filters'
    period: their subtitle and file name say those days (the Rollout page reads all the
    data, whatever the period chosen)."""
    st.session_state[_PAGE_PERIOD] = (_page(), start, end)


def _days() -> tuple[date, date]:
    """The first and last day the files of this page are of."""
    filters = st.session_state["filters"]
    page, start, end = st.session_state.get(_PAGE_PERIOD, (None, None, None))
    if start is not None and end is not None and page == _page():
        return start, end
    return filters.start, filters.end


def _scope_names(w: Words) -> tuple[str, str]:
    """The scope of the files, in the language and in English (for file names)."""
    filters = st.session_state["filters"]
    districts, facilities = data.districts(), data.facilities()
    page, facility_id = st.session_state.get(_PAGE_SCOPE, (None, None))
    if facility_id is not None and page == _page():
        name = w.facility_names(facilities).get(facility_id, facility_id)
        name_en = Words("en").facility_names(facilities).get(facility_id, facility_id)
        return str(name), str(name_en)
    return (
        scope_name(filters, districts, facilities, w),
        scope_name(filters, districts, facilities, Words("en")),
    )


def export_context() -> ExportContext:
    """The caption parts of the page in force (filters, language, data as of): worked out
    once a run for each scope and period the page's files are of (a page has a dozen
    tables and charts, each asking)."""
    w = words()
    key = (
        "export_context",
        w.lang,
        _days(),
        st.session_state.get(_PAGE_SCOPE),
        _page(),
        st.session_state["filters"],  # frozen: its value, not the object
    )
    memo = data.run_memo()
    if key not in memo:
        memo[key] = _export_context(w)
    return memo[key]


def _export_context(w: Words) -> ExportContext:
    scope, scope_en = _scope_names(w)
    _, as_of = data.data_span()
    return ExportContext(
        words=w,
        scope=scope,
        scope_slug=scope_en,
        subtitle=f"{scope} · {w.period(*_days())}",
        source=w("export.source", scope=scope, day=w.day(as_of)),
    )


# ---------------------------------------------------------------------------------------
# One name, one table
# ---------------------------------------------------------------------------------------


def _claim(name: str, title: str, frame: pd.DataFrame, key: str) -> None:
    """Claim ``name`` (without its extension) for the table ``title`` with these columns.

    The same table may claim its name again (a rerun, another button of it); another
    table under a name already claimed in the session is a clash: logged and listed.
    """
    signature = (title, tuple(str(c) for c in frame.columns))
    claimed: dict[str, tuple[tuple[str, tuple[str, ...]], str]] = st.session_state.setdefault(
        _CLAIMED, {}
    )
    first = claimed.setdefault(name, (signature, key))
    if first[0] != signature:
        clash = f"{name}: {key!r} ({title!r}) and {first[1]!r} ({first[0][0]!r})"
        log.warning("two different tables share the file name %s", clash)
        clashes: list[str] = st.session_state.setdefault(_CLASHES, [])
        if clash not in clashes:
            clashes.append(clash)


def name_clashes() -> list[str]:
    """The file names that two different tables claimed in this session (should be none)."""
    return list(st.session_state.get(_CLASHES, []))


# ---------------------------------------------------------------------------------------
# Buttons
# ---------------------------------------------------------------------------------------


def _button(label: str, make: Callable[[], bytes], name: str, mime: str, key: str) -> None:
    """A download button whose file is made on the click, and logged to the audit log."""
    st.download_button(
        label,
        recorded_export(make, name),
        file_name=name,
        mime=mime,
        key=key,
        on_click="ignore",
        icon=":material/download:",
    )


def _shares(frame: pd.DataFrame, w: Words, shares: Collection[str] = ()) -> tuple[str, ...]:
    """The share columns: those the catalogue names as shares, and those given."""
    found = share_columns(frame, w.lang)
    return (*found, *(str(c) for c in shares if c in frame.columns and str(c) not in found))


def _with_small_number_note(frame: pd.DataFrame, notes: Sequence[str], w: Words) -> list[str]:
    """The notes, and the "<5" note when a count of the table is shown as "<5"."""
    notes = [n for n in notes if n]
    if has_suppressed_counts(frame):
        threshold = load_settings().small_number_threshold
        note = w("export.small_number_note", threshold=threshold)
        if note not in notes:
            notes.append(note)
    return notes


def _data_buttons(
    frame: pd.DataFrame,
    caption: Caption,
    shares: tuple[str, ...],
    context: ExportContext,
    what: str,
    key: str,
) -> None:
    w = context.words
    _button(
        w("export.csv"),
        lambda: csv_bytes(frame, shares, w.lang),
        context.file_name(what, "csv"),
        "text/csv",
        f"{key}_csv",
    )
    _button(
        w("export.xlsx"),
        lambda: xlsx_bytes(frame, caption, shares=shares, lang=w.lang),
        context.file_name(what, "xlsx"),
        XLSX_MIME,
        f"{key}_xlsx",
    )


def chart_downloads(
    chart: alt.TopLevelMixin | Callable[[], alt.TopLevelMixin],
    frame: pd.DataFrame,
    *,
    what: str,
    title: str,
    notes: Sequence[str] = (),
    key: str,
    shares: Collection[str] = (),
) -> None:
    """PNG, SVG, CSV and XLSX of a chart, in a small popover under it.

    ``frame`` is exactly the data drawn, with its columns named in the chosen language;
    ``what`` names the file ('abha-adoption'); ``title`` heads the image; ``notes`` are
    what a reader needs to read it: the definitions of the figures drawn and what the
    page says under the chart (they go under the image and the XLSX table; the CSV is
    data only). ``shares``: columns holding a share (0–1) that the catalogue does not
    name as one. ``key`` is unique on the page. ``chart`` may be a function that makes
    the chart, for one that is not on the page (the Map's static choropleth): it is
    then made only when its PNG or SVG is asked for, not at every run.
    """
    context = export_context()
    w = context.words
    caption = context.caption(title, _with_small_number_note(frame, notes, w))
    _claim(context.file_name(what, ""), title, frame, key)
    share_names = _shares(frame, w, shares)

    def made() -> alt.TopLevelMixin:
        return chart if isinstance(chart, alt.TopLevelMixin) else chart()

    def svg() -> bytes:
        from press import render  # loaded when a button is clicked

        return render.figure_svg(made(), caption, w.lang).encode("utf-8")

    def png() -> bytes:
        from press import render

        return render.figure_png(made(), caption, w.lang, scale=PNG_SCALE)

    with st.popover(w("export.downloads"), icon=":material/download:"):
        _button(w("export.png"), png, context.file_name(what, "png"), "image/png", f"{key}_png")
        _button(w("export.svg"), svg, context.file_name(what, "svg"), "image/svg+xml", f"{key}_svg")
        _data_buttons(frame, caption, share_names, context, what, key)


def table_downloads(
    frame: pd.DataFrame,
    *,
    what: str,
    title: str,
    key: str,
    notes: Sequence[str] = (),
    shares: Collection[str] = (),
) -> None:
    """CSV and XLSX of a table as shown (headers in the chosen language); the XLSX has
    the caption above the table and ``notes`` under it."""
    context = export_context()
    w = context.words
    caption = context.caption(title, _with_small_number_note(frame, notes, w))
    _claim(context.file_name(what, ""), title, frame, key)
    with st.popover(w("export.downloads"), icon=":material/download:"):
        _data_buttons(frame, caption, _shares(frame, w, shares), context, what, key)


def localised(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The chart with the d3 locale of the language in force (Indian grouping, month names)."""
    return charts.for_screen(chart.configure(locale=words().vega_locale()))


def show_chart(
    chart: alt.TopLevelMixin,
    frame: pd.DataFrame,
    *,
    what: str,
    title: str,
    notes: Sequence[str] = (),
    key: str,
    where=None,  # a container (column, tab); the page itself when None
    shares: Collection[str] = (),
    **altair_chart_options,
) -> None:
    """Draw a chart, localised, and its downloads under it (PNG, SVG, CSV and XLSX of
    ``frame``). ``notes``: see ``chart_downloads``; pass what the page's caption under the
    chart explains.

    ``chart`` must not be configured yet (the locale is a top-level configuration).
    ``title`` is also the chart's name for a screen reader (else "Vega visualization").
    """
    target = where if where is not None else st
    options = {"width": "stretch", "alt": title} | altair_chart_options
    target.altair_chart(localised(chart), **options)
    with target.container():
        chart_downloads(chart, frame, what=what, title=title, notes=notes, key=key, shares=shares)


def _percent_columns(column_config: Mapping[str, Any] | None) -> list[str]:
    """Columns a table's ``column_config`` shows as percentages of a share (0–1)."""
    found = []
    for column, config in (column_config or {}).items():
        type_config = config.get("type_config", {}) if isinstance(config, Mapping) else {}
        if type_config.get("format") == "percent":
            found.append(column)
    return found


def show_table(
    frame: pd.DataFrame,
    *,
    what: str,
    title: str,
    key: str,
    where=None,
    notes: Sequence[str] = (),
    shares: Collection[str] = (),
    **dataframe_options,
) -> None:
    """Draw a table (``st.dataframe``) and its CSV and XLSX downloads under it.

    ``frame`` is the table as shown: columns already named in the chosen language. A
    column shown as a percentage (``NumberColumn(format="percent")``) is a share.
    """
    target = where if where is not None else st
    shares = [*shares, *_percent_columns(dataframe_options.get("column_config"))]
    # On screen by the files' rule: one table, one number of decimals (the Overview's
    # movers showed 22.52% beside +38.7).
    missing = dataframe_options.get("placeholder", "–")  # e.g. "never" for no last day
    target.dataframe(
        styled(frame, words(), shares, na_rep=missing),
        **({"hide_index": True} | dataframe_options),
    )
    with target.container():
        table_downloads(frame, what=what, title=title, key=key, notes=notes, shares=shares)


# ---------------------------------------------------------------------------------------
# A table on screen by the same rule
# ---------------------------------------------------------------------------------------


def styled(
    frame: pd.DataFrame, w: Words, shares: Collection[str] = (), *, na_rep: str = "–"
) -> Styler:
    """``frame`` for ``st.dataframe`` with its figures as the files and headlines have
    them, in ``w``'s formats: counts grouped the Indian way (81,023), every share a
    percentage with one decimal (48.9%), other numbers with one decimal, dates
    DD-MM-YYYY. The values stay numbers, so the columns still sort as numbers."""
    kinds = column_kinds(frame, _shares(frame, w, shares))

    def one_decimal(value: Any) -> str:
        return format_decimal(value, format="#,##,##0.0", locale=w.locale)

    formats: dict[str, Callable[[Any], str]] = {
        COUNT: lambda v: v if isinstance(v, str) else w.count(v),
        SHARE: w.percent,
        NUMBER: one_decimal,
        DATE: lambda v: w.day(pd.Timestamp(v).date()),
        DATETIME: lambda v: pd.Timestamp(v).strftime("%d-%m-%Y %H:%M"),
    }
    return frame.style.format(
        {column: formats[kind] for column, kind in kinds.items() if kind in formats},
        na_rep=na_rep,
    )
