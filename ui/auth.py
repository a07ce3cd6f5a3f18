"""Who is looking, and what they may see.

Sign-in is Streamlit's OpenID Connect (``st.login``, ``st.user``, ``st.logout``),
configured under ``[auth]`` in ``.streamlit/secrets.toml``; any OIDC provider works. The
access file (``[access] roles_file``, see ``access/roles.py``) gives each verified e-mail
or subject a role; ``allowed_districts()`` is the resulting ceiling that ``ui.data``
applies to every query, so a collector gets nothing of another district whatever the URL
or a widget asks. Without ``[auth]`` the app runs in an open demo mode with a banner,
unless ``[access] require_login`` (the default for a non-demo database) refuses.

Every sign-in, refusal, page view and export is written to the audit log.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from access.audit import AuditEvent, FileAuditLog, StoreAuditLog, scope_text
from access.roles import DEMO_PAGES, Grant, load_access
from data_access.config import load_settings
from data_access.engines import store_engine
from data_access.errors import DashboardError
from i18n import Words

ACCESS_KEY = "access_districts"
_GRANT_KEY = "access_grant"
_SIGNED_IN_LOGGED = "access_sign_in_logged"
_LAST_PAGE = "access_last_page"
DEMO_GRANT = Grant(role="admin", districts=None, who="demo")


def allowed_districts() -> frozenset[int] | None:
    """The districts the user may see; None: every district."""
    return st.session_state.get(ACCESS_KEY)


def current_grant() -> Grant:
    return st.session_state.get(_GRANT_KEY, DEMO_GRANT)


def auth_configured() -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        return False


@st.cache_resource(show_spinner=False)
def _audit_log(target: str, store_url: str) -> FileAuditLog | StoreAuditLog:
    if target == "store":
        return StoreAuditLog(store_engine(store_url))
    return FileAuditLog(target)


def audit_log() -> FileAuditLog | StoreAuditLog:
    settings = load_settings()
    return _audit_log(settings.audit_target, settings.store_url)


def _event(kind: str, grant: Grant, page: str = "", detail: str = "") -> AuditEvent:
    return AuditEvent(kind, grant.who, grant.role, scope_text(grant.districts), page, detail)


AUDIT_FALLBACK = "audit-fallback.jsonl"
"""Where events go, under the data folder, while an audit log in the store cannot be
written (the store does not answer): kept, not lost, and the page is not broken."""


def _available_audit_log() -> FileAuditLog | StoreAuditLog:
    try:
        return audit_log()
    except (sa.exc.SQLAlchemyError, DashboardError):
        return FileAuditLog(load_settings().data_dir / AUDIT_FALLBACK)


def _write(log: FileAuditLog | StoreAuditLog, event: AuditEvent) -> None:
    try:
        log.record(event)
    except (sa.exc.SQLAlchemyError, DashboardError):
        FileAuditLog(load_settings().data_dir / AUDIT_FALLBACK).record(event)


def record(kind: str, page: str = "", detail: str = "") -> None:
    """Write an event of the user in this session to the audit log."""
    _write(_available_audit_log(), _event(kind, current_grant(), page, detail))


def recorded_export(make: Callable[[], bytes], file_name: str) -> Callable[[], bytes]:
    """``make`` that also logs the export when the file is made (on the click).

    The callable runs outside the script's thread, without the session: who, the role
    and the scope are taken now.
    """
    log, event = _available_audit_log(), _event("export", current_grant(), detail=file_name)

    def made() -> bytes:
        content = make()
        _write(log, event)
        return content

    return made


def page_viewed(page: str) -> None:
    """Log a page view when the user moves to another page (not at every rerun)."""
    if st.session_state.get(_LAST_PAGE) != page:
        st.session_state[_LAST_PAGE] = page
        record("page_view", page=page)


def _set(grant: Grant) -> Grant:
    st.session_state[_GRANT_KEY] = grant
    st.session_state[ACCESS_KEY] = grant.districts
    return grant


def _refuse(w: Words) -> None:
    """Nothing of the data for a user who may not see it."""
    st.session_state[ACCESS_KEY] = frozenset()  # a ceiling of no district: zero rows anyway
    st.stop()


def gate(w: Words) -> Grant:
    """Decide who is looking before anything is read; stop the run for anyone refused."""
    settings = load_settings()
    if not auth_configured():
        if settings.login_required:
            st.error(w("auth.login_required_unconfigured"))
            _refuse(w)
        st.sidebar.info(w("auth.demo_banner"), icon=":material/lock_open:")
        return _set(DEMO_GRANT)

    if not st.user.is_logged_in:
        st.header(w("auth.sign_in_title"))
        st.write(w("auth.sign_in_text"))
        st.button(w("auth.sign_in"), on_click=st.login, type="primary", key="auth_sign_in")
        _refuse(w)

    email = st.user.get("email")
    if st.user.get("email_verified") is False:
        email = None  # only a verified e-mail counts
    subject = st.user.get("sub")
    access = load_access(settings.roles_file) if settings.roles_file else None
    grant = access.grant_for(email, subject) if access else None
    who = str(email or subject or "?")
    if grant is None:
        if not st.session_state.get(_SIGNED_IN_LOGGED):
            st.session_state[_SIGNED_IN_LOGGED] = True
            audit_log().record(
                AuditEvent("refused", who, "none", "none", detail="not in the access file")
            )
        st.header(w("auth.not_authorised_title"))
        st.write(w("auth.not_authorised", who=who, contact=settings.access_contact))
        st.button(w("auth.sign_out"), on_click=st.logout, key="auth_sign_out")
        _refuse(w)

    _set(grant)
    if not st.session_state.get(_SIGNED_IN_LOGGED):
        st.session_state[_SIGNED_IN_LOGGED] = True
        record("sign_in")
    bar = st.sidebar
    bar.caption(w("auth.signed_in_as", who=who, role=w(f"auth.role.{grant.role}")))
    bar.button(w("auth.sign_out"), on_click=_sign_out, key="auth_sign_out_sidebar")
    return grant


def _sign_out() -> None:
    record("sign_out")
    st.logout()


def visible_pages(grant: Grant) -> frozenset[str]:
    return DEMO_PAGES if grant is DEMO_GRANT else grant.pages
