"""Figures and statistics as pure functions of counts. No Streamlit, no SQL."""
