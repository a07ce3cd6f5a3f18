"""Who is looking, and what they may see.

Sign-in is Streamlit's OpenID Connect (``st.login``, ``st.user``, ``st.logout``),
configured under ``[auth]`` in Streamlit's secrets (``.streamlit/secrets.toml``, or the
file ``EHOSPITAL_SECRETS_FILE`` names when ``ehospital-dashboard serve`` passes it on); any
OIDC provider works. The access file (``[access] roles_file``, see ``access/roles.py``)
gives each user a role, found by an e-mail the provider vouches for, else by the subject;
``allowed_districts()`` is the resulting ceiling that ``ui.data`` applies to every query,
so a collector gets nothing of another district whatever the URL or a widget asks.
Without ``[auth]`` the app runs in an open demo mode with a banner, unless ``[access]
require_login`` (the default for a non-demo database) refuses, or the settings file holds
an ``[auth]`` that Streamlit does not read (then it refuses too: it would be open).

Every sign-in (once per identity token), refusal (of the dashboard, or of a page outside
the role), page view and export (with its page) is written to the audit log. Text from a
token is shown with ``st.text``, never as Markdown.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import NoReturn

import sqlalchemy as sa
import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from access.audit import IST, AuditEvent, FileAuditLog, FirstSeen, StoreAuditLog, scope_text
from access.roles import DEMO_PAGES, Grant, Identity, identify, load_access
from data_access.config import load_settings
from data_access.engines import store_engine
from data_access.errors import DashboardError
from i18n import Words

ACCESS_KEY = "access_districts"
_GRANT_KEY = "access_grant"
_LAST_PAGE = "access_last_page"
DEMO_GRANT = Grant(role="admin", districts=None, who="demo")


def allowed_districts() -> frozenset[int] | None:
    """The districts the user may see; None: every district."""
    return st.session_state.get(ACCESS_KEY)


def allowed_divisions() -> frozenset[str] | None:
    """A commissioner's divisions (their districts are :func:`allowed_districts`); None for
    every other user."""
    return current_grant().divisions


def current_grant() -> Grant:
    return st.session_state.get(_GRANT_KEY, DEMO_GRANT)


def in_demo_mode() -> bool:
    """Open to everyone, without sign-in: show nobody's identity (views/system.py)."""
    return current_grant() is DEMO_GRANT


def current_page() -> str:
    """The page of this run as the audit log names it (its URL path; "overview")."""
    return str(st.session_state.get(_LAST_PAGE, ""))


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

    The callable runs outside the script's thread, without the session: who, the role,
    the scope and the page are taken now.
    """
    grant, page = current_grant(), current_page()
    log, event = _available_audit_log(), _event("export", grant, page=page, detail=file_name)

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


def stop_unless_open_to_role(grant: Grant, name: str, page: str, w: Words) -> None:
    """Refuse a page outside the role, reached by its URL (app.py lists every page, those
    outside the role hidden, so that the page asked for is known): the refusal is logged
    with the page, and the run ends before anything of it is read or drawn."""
    if name in visible_pages(grant):
        return
    if st.session_state.get(_LAST_PAGE) != page:
        st.session_state[_LAST_PAGE] = page
        record("refused", page=page, detail="page outside the role")
    st.header(w("auth.page_refused_title"))
    st.text(w("auth.page_refused", role=w(f"auth.role.{grant.role}")))
    st.stop()


def _set(grant: Grant) -> Grant:
    st.session_state[_GRANT_KEY] = grant
    st.session_state[ACCESS_KEY] = grant.districts
    return grant


def _refuse(w: Words) -> NoReturn:
    """Nothing of the data for a user who may not see it."""
    st.session_state[ACCESS_KEY] = frozenset()  # a ceiling of no district: zero rows anyway
    st.stop()


@st.cache_resource(show_spinner=False)
def _sign_ins_written() -> FirstSeen:
    return FirstSeen()


def _first_of_this_sign_in(event: str, identity: Identity) -> bool:
    """Whether this sign-in's ``event`` ("sign_in", "refused") is still to be written.

    Once per identity token, not once per session: Streamlit opens a new session at
    every page load, reload and new tab, and on coming back from the provider, so a flag
    in the session wrote "sign_in" at each of them (69 for one sign-in). The token's
    claims stay the same for as long as the sign-in lasts (Streamlit keeps them in its
    auth cookie) and a new sign-in is a new token, with a new issue time. A token that
    gives no issue time is written once per session.
    """
    flag, this = f"access_{event}_written", (identity.who, identity.sign_in)
    if st.session_state.get(flag) == this:
        return False
    st.session_state[flag] = this
    token = identity.sign_in
    return token is None or _sign_ins_written().first((event, *token))


def _token_detail(identity: Identity) -> str:
    """When the token was issued, for the audit log: it tells one sign-in from another
    (and a sign-in written again by another instance from a new one)."""
    if identity.issued_at is None:
        return ""
    try:
        issued = datetime.fromtimestamp(identity.issued_at, IST).isoformat(timespec="seconds")
    except (ValueError, OverflowError, OSError):  # a time no calendar holds: say the number
        issued = f"at {identity.issued_at:g} (not a time)"
    return f"token issued {issued}"


def _refusal_detail(identity: Identity) -> str:
    """Why, for the audit log; with the e-mail the token claimed when nobody vouches for
    it, so that an impostor's attempt is on record under their own subject."""
    parts = ["not in the access file"]
    if identity.unverified_email:
        parts.append(f"e-mail not verified by the provider: {identity.unverified_email}")
    if detail := _token_detail(identity):
        parts.append(detail)
    return "; ".join(parts)


def gate(w: Words) -> Grant:
    """Decide who is looking before anything is read; stop the run for anyone refused."""
    settings = load_settings()
    if not auth_configured():
        if settings.auth_file is not None:
            # [auth] in a file Streamlit does not read: running open would hand everyone
            # the admin's view, so refuse and say where [auth] must go.
            st.error(w("auth.auth_not_read"))
            st.code(settings.auth_file, language=None)
            _refuse(w)
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

    access = load_access(settings.roles_file) if settings.roles_file else None
    claims = st.user.to_dict()
    identity = access.identify(claims) if access else identify(claims)
    grant = access.grant_for(identity.email, identity.subject) if access else None
    if grant is None:
        if _first_of_this_sign_in("refused", identity):
            refusal = AuditEvent(
                "refused", identity.who, "none", "none", detail=_refusal_detail(identity)
            )
            _write(_available_audit_log(), refusal)
        st.header(w("auth.not_authorised_title"))
        # from the token: shown as text, never as Markdown
        st.text(w("auth.not_authorised", who=identity.who, contact=settings.access_contact))
        if identity.unverified_email:
            st.text(w("auth.email_not_verified", email=identity.unverified_email))
        st.button(w("auth.sign_out"), on_click=st.logout, key="auth_sign_out")
        _refuse(w)

    if grant.divisions is not None:  # a commissioner: the districts of their divisions
        from ui import data  # ui.data reads the ceiling from here: imported when needed

        grant = grant.within(data.districts_by_division())
    _set(grant)
    if _first_of_this_sign_in("sign_in", identity):
        record("sign_in", detail=_token_detail(identity))
    bar = st.sidebar
    bar.text(w("auth.signed_in_as", who=grant.who, role=w(f"auth.role.{grant.role}")))
    bar.button(w("auth.sign_out"), on_click=_sign_out, key="auth_sign_out_sidebar")
    return grant


def _sign_out() -> None:
    record("sign_out")
    st.logout()


def visible_pages(grant: Grant) -> frozenset[str]:
    return DEMO_PAGES if grant is DEMO_GRANT else grant.pages
