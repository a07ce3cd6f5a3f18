"""The dashboard's frame: title, the data's as-of time, language, filters, navigation.

Run with ``ehospital-dashboard serve`` (or ``streamlit run app.py``). The pages live in
``views/`` (not ``pages/``: see the README) and read the analytics store only, through
``ui.data``. The filters drawn here are in ``st.session_state["filters"]`` for every page;
the language (हिन्दी / English) is ``ui.language.words()``.

When the store does not answer, the pages show the last figures they had and the frame
says so above them (``ui.data``: last good answers); it reruns by itself once the store
answers again.
"""

from __future__ import annotations

import streamlit as st

from data_access.config import load_settings
from data_access.errors import DashboardError
from data_access.store import store_is_built
from ui import auth, data, downloads
from ui.filters import districts_name, sidebar_filters
from ui.language import language_switch, show_error, words
from ui.pages import PAGES, page_at

STORE_POLL_SECONDS = 15

# A menu item of the app's own keeps the toolbar, with Streamlit's running figure in it,
# under toolbarMode = "minimal" (ui/progress.py).
st.set_page_config(
    page_title=words()("app.page_title"),
    page_icon="🏥",
    layout="wide",
    menu_items={"About": words()("app.about")},
)
w = language_switch()  # with the phone rules (ui.layout)
data.begin_run()
try:
    grant = auth.gate(w)  # stops here for anyone not signed in or not authorised
    downloads.start_sweeper(load_settings().download_lifetime_seconds)  # once a process
except DashboardError as exc:
    st.title(w("app.title_plain"))
    show_error(exc)
    st.stop()
try:
    built = store_is_built(data.store())
except data.STORE_ERRORS:
    built = True  # not answering: the calls below show the last good figures, or say so


@st.fragment(run_every=STORE_POLL_SECONDS)
def _rerun_when_store_answers() -> None:
    if data.store_answers():
        st.rerun(scope="app")


def _store_notice(where) -> None:  # type: ignore[no-untyped-def]
    problem = data.trouble()
    if problem is None:
        return
    error, refreshed = problem
    with where:
        if refreshed is not None:
            st.warning(
                w.markdown("app.store_unavailable", refreshed=refreshed.replace("T", " ")[:16])
            )
            st.caption(w.markdown("error.details", details=error))
        if not error.timed_out:  # down or cut off: come back by itself
            _rerun_when_store_answers()


# Every page is listed, those outside the role hidden from the menu: a page opened by its
# URL is then the one resolved (not the default in its place), so the refusal below names it.
shown = auth.visible_pages(grant)
navigation = st.navigation(
    [
        st.Page(
            page.file,
            title=w(page.title_key),
            icon=page.icon,
            visibility="visible" if page.name in shown else "hidden",
            url_path=page.url_path,
            default=page.url_path is None,
        )
        for page in PAGES
    ]
)
opened = page_at(navigation.url_path)


def _title() -> str:
    """'NextGen e-Hospital and ABHA in Bastar division': the area is all the user may see
    (the registry's division or state, a collector's districts), named from the data."""
    if not built:
        return w("app.title_plain")
    try:
        visible = data.districts()
    except (DashboardError, *data.STORE_ERRORS):
        visible = None
    if visible is None or visible.empty:
        return w("app.title_plain")
    return w.markdown("app.title", area=districts_name((), visible, w))


st.title(_title())
auth.stop_unless_open_to_role(grant, opened.name, navigation.url_path or "overview", w)
notice = st.container()
if not built:
    st.warning(w("app.not_built"))
    st.stop()

try:
    first_day, as_of = data.data_span()
    if as_of is None or first_day is None:
        st.info(w("app.no_registrations"))
        st.stop()
    state = data.state()
    st.caption(
        w.markdown(
            "app.data_as_of",
            day=w.day(as_of),
            refreshed=state.get("refreshed_at", "?").replace("T", " "),
        )
    )
    st.session_state["filters"] = sidebar_filters(
        as_of=as_of, first_day=first_day, districts=data.districts(), facilities=data.facilities()
    )
    auth.page_viewed(navigation.url_path or "overview")
    # Not wrapped in st.spinner: a spinner's placeholder ahead of the page's elements left
    # them as skeletons under load (tests/e2e/test_load.py); Streamlit's running figure,
    # kept by the menu item above, says the page is working.
    navigation.run()
except DashboardError as exc:
    show_error(exc)
_store_notice(notice)
