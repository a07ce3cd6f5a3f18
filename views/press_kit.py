"""Press kit: a ready-made figure, previewed as it will print, with its files.

The figure, its data and its headline sentences come from ``press.kit`` (through the
cache in ``ui.data``); the command line's ``export`` makes the same files.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from i18n import LANGUAGE_NAMES, LANGUAGES, Words
from i18n.markdown import literal
from press import kit
from ui import data
from ui.auth import recorded_export
from ui.exports import styled
from ui.filters import districts_name
from ui.frame import open_page

page = open_page("press_kit", caption=False)
w, filters = page.w, page.filters
st.caption(w("press_kit.intro"))

left, right = st.columns([1, 2])
name = left.selectbox(
    w("press_kit.choose_chart"),
    kit.chart_names(),
    format_func=lambda n: w(f"press_kit.chart.{n}"),
    key="press_chart",
)
lang = left.radio(
    w("press_kit.choose_language"),
    LANGUAGES,
    index=LANGUAGES.index(w.lang),
    format_func=LANGUAGE_NAMES.__getitem__,
    horizontal=True,
    key="press_lang",
)
district_names = page.district_names
chosen = left.multiselect(
    w("press_kit.choose_districts"),
    list(district_names),
    default=[d for d in filters.in_districts if d in district_names],
    format_func=district_names.__getitem__,
    placeholder=w("filters.all_districts"),
    key="press_districts",
)
left.caption(w("press_kit.period_from_filters", period=w.period(filters.start, filters.end)))
if filters.in_facilities or filters.facility_types:
    left.caption(w("press_kit.facility_filter_note"))

drawn_figure = data.press_figure(name, filters.period, chosen, lang)
figure = drawn_figure["figure"]
file_words = Words(lang)  # the files' language, which may differ from the page's
drawn = figure.data
registrations = drawn.get(file_words("figure.opd_registrations"))
if (
    drawn_figure["preview"] is None
    or registrations is None
    or not (registrations.fillna(0) > 0).any()
):
    scope = districts_name(chosen, page.districts, w)  # a collector's "all" is not the division
    right.info(w.markdown("press_kit.no_data", scope=scope))
    st.stop()

right.subheader(w("press_kit.preview"))
right.image(
    drawn_figure["preview"],
    width="stretch",
    alt=w(
        "press_kit.preview_alt",
        chart=w(f"press_kit.chart.{name}"),
        period=w.period(filters.start, filters.end),
    ),
)

labels = {
    "png": w("press_kit.download_png"),
    "svg": w("press_kit.download_svg"),
    "csv": w("press_kit.download_csv"),
    "xlsx": w("press_kit.download_xlsx"),
}
# Each file is made when its button is clicked, from the drawing the preview was made of.
for extension in kit.FORMATS:
    left.download_button(
        labels[extension],
        recorded_export(partial(figure.file, extension), figure.names[extension]),
        file_name=figure.names[extension],
        mime=kit.MIME_TYPES[extension],
        on_click="ignore",
        icon=":material/download:",
        key=f"press_download_{extension}",
        width="stretch",
    )
left.download_button(
    w("press_kit.download_headlines"),
    recorded_export(lambda: figure.headlines_text().encode("utf-8"), figure.names["txt"]),
    file_name=figure.names["txt"],
    mime="text/plain",
    on_click="ignore",
    icon=":material/download:",
    key="press_download_headlines",
    width="stretch",
)

st.subheader(w("press_kit.headlines"))
st.markdown("\n".join(f"- {literal(line)}" for line in figure.headlines))
st.subheader(w("press_kit.data"))
st.dataframe(styled(drawn, file_words), hide_index=True)
