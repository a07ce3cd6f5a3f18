"""Alerts: the open alerts of the sidebar's scope under the user's ceiling, newest first.

Each alert is a card (where, what, since when, a link to the facility or the district):
readable on a phone, where a table's long sentence would be cut at the screen's edge; the
same alerts as a table below, for sorting and copying."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from i18n.alerts import alerts_in_words
from i18n.markdown import literal
from ui import data
from ui.frame import open_page

page = open_page("alerts", caption=False)
w, filters = page.w, page.filters
st.caption(w.markdown("alerts.caption", scope=page.scope_name))

alerts = data.open_alerts(filters.scope)
if alerts.empty:
    st.success(w.markdown("alerts.none", scope=page.scope_name))
    st.stop()

kept = {k: v for k, v in filters.query_params().items() if k in ("period", "fy", "from", "to")}


def link(scope_kind: str, scope_code: str) -> str | None:
    """The facility's profile or the district's overview, in this period and language."""
    if scope_kind == "facility":
        return "facility?" + urlencode({**kept, "facility": scope_code, "lang": w.lang}, True)
    if scope_kind == "district":
        return "./?" + urlencode({**kept, "district": scope_code, "lang": w.lang}, True)
    return None


shown = alerts_in_words(alerts, w, page.district_names, page.facility_names)
what, since, go_to = w("alerts.what"), w("alerts.since"), w("alerts.link")
shown[go_to] = [
    link(kind, code) for kind, code in zip(alerts["scope_kind"], alerts["scope_code"], strict=True)
]
cards = zip(shown.itertuples(index=False, name=None), alerts["scope_kind"], strict=True)
for (sentence, place, opened, url), kind in cards:
    with st.container(border=True):
        st.markdown(f"**{literal(place)}**")
        st.markdown(literal(sentence))
        st.caption(f"{literal(since)}: {w.day(opened)}")
        if url:
            st.link_button(w(f"alerts.card_link.{kind}"), url)

with st.expander(w("alerts.as_table")):
    st.dataframe(
        shown,
        hide_index=True,
        column_config={
            what: st.column_config.TextColumn(width="large"),
            since: st.column_config.DateColumn(format="DD-MM-YYYY"),
            go_to: st.column_config.LinkColumn(display_text=w("alerts.link_text")),
        },
    )
