"""About: what every figure means, where the data comes from."""

from __future__ import annotations

from importlib.metadata import version

import streamlit as st

from data_access.engines import describe
from metrics.definitions import FIGURES, QUALITY_KINDS
from ui import data
from ui.frame import open_page

w = open_page("about").w

settings_state = data.state()
source = settings_state.get("source", "?")
if source.endswith("demo-registrations.sqlite"):
    st.warning(w("about.demo"))

st.subheader(w("about.figures"))
for figure in FIGURES:
    st.markdown(
        f"**{w(f'figure.{figure.key}')}** — {w(f'figure.{figure.key}.definition')} "
        + w("about.column", column=figure.source)
    )
st.subheader(w("about.data_quality"))
st.markdown(w("about.quality_intro"))
for kind in QUALITY_KINDS:
    st.markdown(f"**{w(f'quality.{kind.key}')}** — {w(f'quality.{kind.key}.definition')}")
st.subheader(w("about.source_title"))
st.markdown(
    w(
        "about.source",
        source=describe(source) if "://" in source else source,
        refreshed=settings_state.get("refreshed_at", "?").replace("T", " "),
    )
)
st.caption(w("about.version", version=version("ehospital-dashboard")))
