"""Map (being built)."""

import streamlit as st

st.header("Map")
st.caption("This page is being built.")
