"""The dashboard's frame: title, the data's as-of time, language, filters, navigation.

Run with ``ehospital-dashboard serve`` (or ``streamlit run app.py``). The pages live in
``views/`` (not ``pages/``: see the README) and read the analytics store only, through
``ui.data``. The filters drawn here are in ``st.session_state["filters"]`` for every page;
the language (हिन्दी / English) is ``ui.language.words()``.
"""

from __future__ import annotations

import streamlit as st

from data_access.errors import DashboardError
from data_access.store import store_is_built
from ui import auth, data
from ui.filters import sidebar_filters
from ui.language import language_switch, show_error, words
from ui.pages import PAGES

st.set_page_config(page_title=words()("app.page_title"), page_icon="🏥", layout="wide")
w = language_switch()
try:
    grant = auth.gate(w)  # stops here for anyone not signed in or not authorised
    store = data.store()
except DashboardError as exc:
    st.title(w("app.title"))
    show_error(exc)
    st.stop()

shown = auth.visible_pages(grant)
navigation = st.navigation(
    [
        st.Page(page.file, title=w(page.title_key), icon=page.icon, url_path=page.url_path)
        if page.url_path
        else st.Page(page.file, title=w(page.title_key), icon=page.icon, default=True)
        for page in PAGES
        if page.name in shown
    ]
)
st.title(w("app.title"))
if not store_is_built(store):
    st.warning(w("app.not_built"))
    st.stop()

first_day, as_of = data.data_span()
if as_of is None or first_day is None:
    st.info(w("app.no_registrations"))
    st.stop()
state = data.state()
st.caption(
    w(
        "app.data_as_of",
        day=w.day(as_of),
        refreshed=state.get("refreshed_at", "?").replace("T", " "),
    )
)
st.session_state["filters"] = sidebar_filters(
    as_of=as_of, first_day=first_day, districts=data.districts(), facilities=data.facilities()
)
auth.page_viewed(navigation.url_path or "overview")
navigation.run()
