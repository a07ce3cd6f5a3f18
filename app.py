"""The dashboard's frame: title, the data's as-of time, the global filters, navigation.

Run with ``ehospital-dashboard serve`` (or ``streamlit run app.py``). The pages live in
``views/`` (not ``pages/``: see the README) and read the analytics store only, through
``ui.data``. The filters drawn here are in ``st.session_state["filters"]`` for every page.
"""

from __future__ import annotations

import streamlit as st

from data_access.errors import DashboardError
from data_access.store import store_is_built
from ui import data
from ui import format as fmt
from ui.filters import sidebar_filters

st.set_page_config(page_title="Bastar e-Hospital · ABHA adoption", page_icon="🏥", layout="wide")

PAGES = [
    st.Page("views/overview.py", title="Overview", icon="📊", default=True),
    st.Page("views/map.py", title="Map", icon="🗺️", url_path="map"),
    st.Page("views/trends.py", title="Trends", icon="📈", url_path="trends"),
    st.Page("views/comparison.py", title="District comparison", icon="🏆", url_path="comparison"),
    st.Page("views/facility.py", title="Facility profile", icon="🏥", url_path="facility"),
    st.Page("views/data_quality.py", title="Data quality", icon="🩺", url_path="data-quality"),
    st.Page("views/about.py", title="About", icon="ℹ️", url_path="about"),
]

navigation = st.navigation(PAGES)
st.title("NextGen e-Hospital and ABHA in Bastar division")
try:
    store = data.store()
except DashboardError as exc:
    st.error(str(exc))
    st.stop()
if not store_is_built(store):
    st.warning(
        "The analytics tables have not been built yet. Run `ehospital-dashboard refresh` "
        "(or start the dashboard with `ehospital-dashboard serve`)."
    )
    st.stop()

first_day, as_of = data.data_span()
if as_of is None or first_day is None:
    st.info("No registrations in this database yet.")
    st.stop()
state = data.state()
st.caption(
    f"Data as of {fmt.day(as_of)} (last registration day) · refreshed "
    f"{state.get('refreshed_at', '?').replace('T', ' ')} IST"
)
st.session_state["filters"] = sidebar_filters(
    as_of=as_of, first_day=first_day, districts=data.districts(), facilities=data.facilities()
)
navigation.run()
