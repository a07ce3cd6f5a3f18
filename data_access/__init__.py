"""The registration database contract, the counting rules in SQL, the analytics store and
the aggregate queries. Nothing here imports Streamlit."""
