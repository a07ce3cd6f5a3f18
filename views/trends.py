"""Trends (being built)."""

import streamlit as st

st.header("Trends")
st.caption("This page is being built.")
