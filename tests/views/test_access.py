"""Sign-in, roles and district scope through the app, with the user injected (AppTest.user).

The role × page × tampering matrix: a Dantewada collector (LGD 416) who edits the link to
Bastar (414), names Bastar's facility (F1) by its HFR ID, or picks Bastar in a widget gets
nothing of Bastar on any page — no name, no HFR ID, no figure.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import F1, F2, WORKED_JANUARY
from streamlit.testing.v1 import AppTest
from test_languages import visible_text
from views_helpers import JANUARY, use_access_file, use_settings

from access.roles import PAGES_OF_ROLE
from data_access.config import PROJECT_ROOT
from ui.pages import PAGES

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-cookie-secret",
    "client_id": "dashboard",
    "client_secret": "secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
ACCESS = """
[[user]]
email = "collector.dantewada@cg.gov.in"
role = "collector"
districts = [416]

[[user]]
email = "ministry@cg.gov.in"
role = "ministry"

[[user]]
email = "press@cg.gov.in"
role = "press"

[[user]]
email = "admin@cg.gov.in"
role = "admin"
"""
USERS = {
    "collector": "collector.dantewada@cg.gov.in",
    "ministry": "ministry@cg.gov.in",
    "press": "press@cg.gov.in",
    "admin": "admin@cg.gov.in",
}
BASTAR_TRACES = ("District Hospital Test", F1, r"(?<![\w,.])414(?![\w,.])")
TAMPERING = {
    "none": {},
    "link to Bastar's district": {"district": "414"},
    "link to Bastar's facility": {"facility": F1},
    "link to both districts": {"district": ["414", "416"]},
    "link to Bastar's block": {"block": "414:Jagdalpur"},
}


@pytest.fixture
def access_config(worked_store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_access_file(ACCESS, tmp_path, monkeypatch, more='contact = "the NHM state office"\n')


def open_as(email: str | None, page: str, params: dict, *, verified: bool = True) -> AppTest:
    claims = {"email": email, "email_verified": verified, "sub": f"sub-{email}"} if email else None
    return open_with_claims(claims, page, params)


def open_with_claims(claims: dict | None, page: str, params: dict) -> AppTest:
    """The app as a user whose identity token carries ``claims`` (None: not signed in)."""
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, **claims} if claims is not None else {"is_logged_in": False}
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page != "views/overview.py" and not at.exception:
        try:
            at.switch_page(page).run()
        except Exception as exc:  # a page outside the role's navigation cannot be opened
            pytest.fail(f"switch_page({page}) raised {exc!r}")
    return at


def assert_nothing_of_bastar(at: AppTest, ignored: list[str]) -> None:
    """No name, HFR ID or LGD code of Bastar (414, F1) on the page or in its tables; the
    ``ignored`` messages, which name the link's own values back, left out."""
    shown = visible_text(at)
    for message in ignored:
        shown = shown.replace(message, "")
    for frame in at.dataframe:
        shown += "\n" + frame.value.to_csv()
    for trace in BASTAR_TRACES:
        found = re.search(trace, shown)
        assert found is None, shown[max(0, found.start() - 300) : found.end() + 100]


def _events(audit: Path) -> list[dict]:
    if not audit.exists():
        return []
    return [json.loads(line) for line in audit.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_not_signed_in_sees_only_the_sign_in_page(access_config: Path) -> None:
    at = open_as(None, "views/overview.py", JANUARY)
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.metric and not at.dataframe
    assert "NextGen" not in " ".join(m.value for m in at.markdown)


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_an_unknown_user_is_politely_refused(access_config: Path) -> None:
    at = open_as("stranger@example.com", "views/overview.py", JANUARY)
    assert not at.exception
    text = visible_text(at)
    assert "stranger@example.com" in text and "the NHM state office" in text
    assert not at.metric and not at.dataframe
    assert [b.label for b in at.button] == ["Sign out"]
    assert _events(access_config)[-1]["event"] == "refused"


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_an_unverified_email_does_not_count(access_config: Path) -> None:
    at = open_as(USERS["ministry"], "views/overview.py", JANUARY, verified=False)
    assert not at.metric
    assert "Not authorised" in visible_text(at)


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_sign_in_required_but_not_configured_shows_no_data(
    worked_store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_settings("[access]\nrequire_login = true\n", tmp_path, monkeypatch)
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert "Sign-in is required" in at.error[0].value
    assert not at.metric and not at.dataframe


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_demo_mode_says_so(worked_store: str) -> None:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60)
    for key, value in JANUARY.items():
        at.query_params[key] = value
    at.run()
    assert any("Demo mode" in box.value for box in at.sidebar.info)
    assert at.metric  # open: the figures are shown


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("role", list(USERS))
def test_navigation_shows_each_role_its_pages(access_config: Path, role: str) -> None:
    at = open_as(USERS[role], "views/overview.py", JANUARY)
    assert not at.exception
    for page in PAGES:
        allowed = page.name in PAGES_OF_ROLE[role]
        if allowed:
            opened = open_as(USERS[role], page.file, JANUARY)
            assert not opened.exception, (role, page.file)
        else:  # hidden from the menu; opened by its URL, refused before anything is read
            refused = at.switch_page(page.file).run()
            assert not refused.exception, (role, page.file)
            assert not refused.metric and not refused.dataframe, (role, page.file)
            assert "This page is not open to your role" in visible_text(refused)
    events = _events(access_config)
    assert events[0]["event"] == "sign_in" and events[0]["user"] == USERS[role]


@pytest.mark.parametrize("engine_name", ["sqlite", "postgresql"])
@pytest.mark.parametrize("tampering", list(TAMPERING))
@pytest.mark.parametrize("page", sorted(PAGES_OF_ROLE["collector"]))
def test_a_collector_gets_nothing_of_another_district(
    access_config: Path, page: str, tampering: str
) -> None:
    at = open_as(USERS["collector"], f"views/{page}.py", {**JANUARY, **TAMPERING[tampering]})
    assert not at.exception, at.exception
    # The link's own values are named back in the "ignored" message: that is the clear
    # message the user gets, not data of the other district.
    ignored = [t.value for t in at.toast if t.value.startswith("Ignored in the link")]
    if page == "overview":  # the first run, where the link is read (later runs keep no toast)
        if tampering in ("link to Bastar's district", "link to both districts"):
            assert any("414" in message for message in ignored)
        if tampering == "link to Bastar's facility":
            assert any(F1 in message for message in ignored)
        if tampering == "link to Bastar's block":
            assert any("414:Jagdalpur" in m.replace("\u2060", "") for m in ignored), ignored
    assert_nothing_of_bastar(at, ignored)
    filters = at.session_state["filters"]
    assert set(filters.districts) <= {416}
    assert F1 not in filters.in_facilities and filters.blocks == ()
    if page == "overview" and tampering == "none":
        assert at.metric[0].value == str(WORKED_JANUARY["F2"]["opd_registrations"])


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_a_collector_picking_another_district_in_a_widget_gets_nothing(
    access_config: Path,
) -> None:
    at = open_as(USERS["collector"], "views/overview.py", JANUARY)
    districts = at.sidebar.multiselect[0]
    assert districts.options == ["Dakshin Bastar Dantewada"]
    facilities = at.sidebar.multiselect[-1]
    assert all(F1 not in option for option in facilities.options)
    assert any(F2 in option for option in facilities.options)


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_audit_log_has_sign_in_page_views_and_no_figures(access_config: Path) -> None:
    at = open_as(USERS["collector"], "views/map.py", JANUARY)
    assert not at.exception
    events = _events(access_config)
    assert [e["event"] for e in events][:1] == ["sign_in"]
    assert {"page_view"} <= {e["event"] for e in events}
    assert all(e["scope"] == "416" and e["role"] == "collector" for e in events)
    # who, when, what scope, which page or file: no other field, so no figure
    assert all(set(e) == {"at", "event", "user", "role", "scope", "page", "detail"} for e in events)


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_a_collector_s_figures_are_named_for_the_district_not_the_division(
    access_config: Path,
) -> None:
    """Under a ceiling, "all districts" is the collector's district: the caption and the
    headline name it; calling its figures the division's would misstate them."""
    at = open_as(USERS["collector"], "views/overview.py", JANUARY)
    assert not at.exception, at.exception
    shown = visible_text(at)
    assert "Dakshin Bastar Dantewada · " in shown  # the scope caption
    assert re.search(r"^\W*Dakshin Bastar Dantewada: ", shown, re.MULTILINE), shown[:2000]
    assert "Bastar division: " not in shown and "Bastar division · " not in shown
