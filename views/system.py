"""System (administrators): the configuration in force, the last refresh, who has which
role, and the audit log. No secret is shown: database URLs without their passwords."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import streamlit as st

from access.roles import ROLES, load_access
from data_access.config import load_settings
from data_access.engines import describe
from i18n.markdown import literal_cells
from ui import auth, data
from ui.exports import show_table
from ui.frame import open_page

w = open_page("system").w
settings = load_settings()

st.subheader(w("system.configuration"))
state = data.state()
rows = [
    (w("system.source"), describe(settings.source_url)),
    (w("system.store"), describe(settings.store_url)),
    (w("system.refreshed"), state.get("refreshed_at", "–").replace("T", " ")),
    (w("system.sign_in"), w("common.yes") if auth.auth_configured() else w("common.no")),
    (w("system.login_required"), w("common.yes") if settings.login_required else w("common.no")),
    (w("system.roles_file"), settings.roles_file or "–"),
    (w("system.audit_log"), settings.audit_target),
    (w("system.adoption_target"), w.percent(settings.adoption_target_percent / 100)),
]
# Paths and URLs from the settings file: shown as text, st.table renders Markdown.
st.table(
    literal_cells(
        pd.DataFrame(rows, columns=[w("system.setting"), w("system.value")]).set_index(
            w("system.setting")
        )
    )
)

st.subheader(w("system.roles"))
if settings.roles_file:
    access = load_access(settings.roles_file)
    grants = {**{g.who: g for g in access.by_email.values()}}
    grants |= {g.who: g for g in access.by_subject.values()}
    counts = Counter(g.role for g in grants.values())
    st.table(
        pd.DataFrame(
            {
                w("system.role"): [w(f"auth.role.{r}") for r in ROLES],
                w("system.users"): [counts.get(r, 0) for r in ROLES],
            }
        ).set_index(w("system.role"))
    )
else:
    st.info(w("system.no_roles_file"))

st.subheader(w("system.audit"))
events = auth.audit_log().recent(200)
if auth.in_demo_mode():
    # Open to everyone: only the demo's own events, never a signed-in user's e-mail.
    events = [e for e in events if e.user == auth.DEMO_GRANT.who]
    st.caption(w("system.demo_audit"))
if not events:
    st.info(w("system.no_events"))
else:
    table = pd.DataFrame(
        {
            w("system.at"): [e.at for e in events],
            w("system.event"): [w(f"system.event.{e.event}") for e in events],
            w("system.user"): [e.user for e in events],
            w("system.role"): [
                w(f"auth.role.{e.role}") if e.role in ROLES else e.role for e in events
            ],
            w("system.scope"): [e.scope for e in events],
            w("system.page"): [e.page for e in events],
            w("system.detail"): [e.detail for e in events],
        }
    )
    show_table(table, what="audit-log", title=w("system.audit"), key="system_audit")
