"""The dashboard's frame: title, the data's as-of time, navigation.

Run with ``ehospital-dashboard serve`` (or ``streamlit run app.py``). Pages live in
``pages/``; they read the analytics store only, through ``data_access``.
"""

from __future__ import annotations

import streamlit as st

from data_access.config import load_settings
from data_access.engines import store_engine
from data_access.errors import DashboardError
from data_access.queries import store_state
from data_access.store import store_is_built

st.set_page_config(page_title="Bastar e-Hospital · ABHA adoption", page_icon="🏥", layout="wide")


@st.cache_resource(show_spinner=False)
def analytics_store(url: str):  # type: ignore[no-untyped-def]
    return store_engine(url)


st.title("NextGen e-Hospital and ABHA in Bastar division")
try:
    store = analytics_store(load_settings().store_url)
except DashboardError as exc:
    st.error(str(exc))
    st.stop()
if not store_is_built(store):
    st.warning(
        "The analytics tables have not been built yet. Run `ehospital-dashboard refresh` "
        "(or start the dashboard with `ehospital-dashboard serve`)."
    )
    st.stop()

state = store_state(store)
as_of = state.get("now", "?").replace("T", " ")
st.caption(f"Data as of {as_of} IST")
st.session_state["store"] = store

navigation = st.navigation(
    [st.Page("pages/overview.py", title="Overview", icon="📊", default=True)]
)
navigation.run()
