"""Overview (placeholder until the dashboard issue): the division's totals for the last
full month of data, from the analytics store."""

from __future__ import annotations

import streamlit as st

from data_access.queries import Period, data_span, registration_counts
from metrics.adoption import adoption_rate

store = st.session_state["store"]
first, last = data_span(store)
if last is None:
    st.info("No registrations in this database yet.")
    st.stop()
period = Period(first, last)
totals = registration_counts(store, period).iloc[0]
registrations, linked = int(totals["opd_registrations"]), int(totals["abha_linked"])
rate = adoption_rate(linked, registrations)

st.caption(f"All facilities, {first:%d-%m-%Y} to {last:%d-%m-%Y}")
left, middle, right = st.columns(3)
left.metric("OPD registrations", f"{registrations:,}")
middle.metric("ABHA-linked", f"{linked:,}")
right.metric("ABHA adoption", "–" if rate is None else f"{rate:.1%}")
