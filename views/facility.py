"""Facility profile (being built)."""

import streamlit as st

st.header("Facility profile")
st.caption("This page is being built.")
