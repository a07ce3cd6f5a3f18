"""District comparison (being built)."""

import streamlit as st

st.header("District comparison")
st.caption("This page is being built.")
