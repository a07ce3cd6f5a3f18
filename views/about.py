"""About: what every figure means, where the data comes from."""

from __future__ import annotations

from importlib.metadata import version

import streamlit as st

from data_access.engines import describe
from metrics.definitions import FIGURES, QUALITY_KINDS
from ui import data

st.header("About these figures")
st.caption("Definitions of every figure on the dashboard, the data's source and version.")

settings_state = data.state()
source = settings_state.get("source", "?")
if source.endswith("demo-registrations.sqlite"):
    st.warning(
        "**Demo data.** These figures come from a synthetic demo database. Its facility list "
        "is illustrative (no public source names which facilities run e-Hospital); only the "
        "published May–July 2025 figures of District Hospitals Bastar and Dantewada are real."
    )

st.subheader("Figures")
for figure in FIGURES:
    st.markdown(f"**{figure.label}** — {figure.definition}")
st.subheader("Data quality")
st.markdown(
    "Real replicas are not clean. Every raw row lands in exactly one of: counted, "
    "duplicate, unknown facility, invalid timestamp; counted registrations can carry flags."
)
for kind in QUALITY_KINDS:
    st.markdown(f"**{kind.label}** — {kind.definition}")
st.subheader("Source")
shown_source = describe(source) if "://" in source else source
refreshed = settings_state.get("refreshed_at", "?").replace("T", " ")
st.markdown(
    f"NextGen e-Hospital OPD registrations, read from `{shown_source}` "
    f"and summarised by the last refresh at {refreshed} IST. "
    "Periods are whole calendar days in IST, both ends included; the financial year runs "
    "April to March."
)
st.caption(f"ehospital-dashboard {version('ehospital-dashboard')}")
