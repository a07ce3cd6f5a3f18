"""Download buttons under every chart and table: PNG (2×), SVG and CSV; CSV and XLSX.

The files are made only when a button is clicked (Streamlit's deferred ``data``), by the
same ``press`` functions the command line uses, with the caption of the page in force:
title, scope and period, source line, definitions. File names say what and when.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import altair as alt
import pandas as pd
import streamlit as st

from i18n import Words
from press.files import Caption, csv_bytes, file_name, xlsx_bytes
from ui import data
from ui.auth import recorded_export
from ui.filters import scope_name
from ui.language import words

PNG_SCALE = 2.0


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
        return Caption(title, self.subtitle, self.source, tuple(notes))

    def file_name(self, what: str, extension: str) -> str:
        filters = st.session_state["filters"]
        return file_name(
            what, self.scope_slug, filters.start, filters.end, self.words.lang, extension
        )


def export_context() -> ExportContext:
    """The caption parts of the page in force (filters, language, data as of)."""
    w = words()
    filters = st.session_state["filters"]
    districts, facilities = data.districts(), data.facilities()
    scope = scope_name(filters, districts, facilities, w)
    scope_en = scope_name(filters, districts, facilities, Words("en"))
    _, as_of = data.data_span()
    return ExportContext(
        words=w,
        scope=scope,
        scope_slug=scope_en,
        subtitle=f"{scope} · {w.period(filters.start, filters.end)}",
        source=w("export.source", scope=scope, day=w.day(as_of)),
    )


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


def chart_downloads(
    chart: alt.TopLevelMixin,
    frame: pd.DataFrame,
    *,
    what: str,
    title: str,
    notes: Sequence[str] = (),
    key: str,
) -> None:
    """PNG, SVG and CSV of a chart, in a small popover under it.

    ``frame`` is exactly the data drawn, with its columns named in the chosen language;
    ``what`` names the file ('abha-adoption'); ``title`` heads the image; ``notes`` are
    the definitions of the figures drawn. ``key`` is unique on the page.
    """
    context = export_context()
    caption = context.caption(title, notes)
    w = context.words

    def svg() -> bytes:
        from press import render  # loaded when a button is clicked

        return render.figure_svg(chart, caption, w.lang).encode("utf-8")

    def png() -> bytes:
        from press import render

        return render.figure_png(chart, caption, w.lang, scale=PNG_SCALE)

    with st.popover(w("export.downloads"), icon=":material/download:"):
        _button(w("export.png"), png, context.file_name(what, "png"), "image/png", f"{key}_png")
        _button(w("export.svg"), svg, context.file_name(what, "svg"), "image/svg+xml", f"{key}_svg")
        _button(
            w("export.csv"),
            lambda: csv_bytes(frame),
            context.file_name(what, "csv"),
            "text/csv",
            f"{key}_csv",
        )


def table_downloads(frame: pd.DataFrame, *, what: str, title: str, key: str) -> None:
    """CSV and XLSX of a table as shown (headers in the chosen language)."""
    context = export_context()
    w = context.words
    caption = context.caption(title)
    with st.popover(w("export.downloads"), icon=":material/download:"):
        _button(
            w("export.csv"),
            lambda: csv_bytes(frame),
            context.file_name(what, "csv"),
            "text/csv",
            f"{key}_csv",
        )
        _button(
            w("export.xlsx"),
            lambda: xlsx_bytes(frame, caption),
            context.file_name(what, "xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            f"{key}_xlsx",
        )


def localised(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The chart with the d3 locale of the language in force (Indian grouping, month names)."""
    return chart.configure(locale=words().vega_locale())


def show_chart(
    chart: alt.TopLevelMixin,
    frame: pd.DataFrame,
    *,
    what: str,
    title: str,
    notes: Sequence[str] = (),
    key: str,
    where=None,  # a container (column, tab); the page itself when None
    **altair_chart_options,
) -> None:
    """Draw a chart, localised, and its downloads under it (PNG, SVG, CSV of ``frame``).

    ``chart`` must not be configured yet (the locale is a top-level configuration).
    """
    target = where if where is not None else st
    target.altair_chart(localised(chart), **({"width": "stretch"} | altair_chart_options))
    with target.container():
        chart_downloads(chart, frame, what=what, title=title, notes=notes, key=key)


def show_table(
    frame: pd.DataFrame,
    *,
    what: str,
    title: str,
    key: str,
    where=None,
    **dataframe_options,
) -> None:
    """Draw a table (``st.dataframe``) and its CSV and XLSX downloads under it.

    ``frame`` is the table as shown: columns already named in the chosen language.
    """
    target = where if where is not None else st
    target.dataframe(frame, **({"hide_index": True} | dataframe_options))
    with target.container():
        table_downloads(frame, what=what, title=title, key=key)
