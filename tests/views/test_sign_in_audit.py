"""Sign-in through the app (AppTest, the user injected) for issue 17: an e-mail nobody
vouches for lets no one in (item 1), sign-in in a file Streamlit does not read does not
open the app (item 6), and the audit log records refused pages, one sign-in per token and
the page of every export (item 8)."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_access import (  # noqa: F401  (access_config: a fixture)
    ACCESS,
    AUTH,
    USERS,
    _events,
    access_config,
    open_with_claims,
)
from test_languages import visible_text
from views_helpers import JANUARY, shown_table

from access.audit import AuditEvent, FileAuditLog
from data_access.config import PROJECT_ROOT

COLLECTOR = USERS["collector"]
TRUSTED_ISSUER = "https://sso.cg.gov.in/realms/health"
_issued = itertools.count(int(time.time()))


def _new_token_time() -> int:
    """An ``iat`` no other test has used: the server keeps the sign-ins it has written for
    as long as it runs, and the tests share one process."""
    return next(_issued)


def open_with(claims: dict | None, page: str = "views/overview.py") -> AppTest:
    """The app as a user whose identity token carries ``claims``, on January's link."""
    return open_with_claims(claims, page, JANUARY)


# --- item 1: the impostor -------------------------------------------------------------------


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_an_email_without_email_verified_is_not_the_collector(access_config: Path) -> None:  # noqa: F811
    """A token with the collector's e-mail and no email_verified (many providers never send
    the claim, and let a user type any e-mail): refused, and logged by its own subject."""
    at = open_with({"sub": "sub-impostor", "email": COLLECTOR, "iat": _new_token_time()})
    assert not at.exception, at.exception
    assert not at.metric and not at.dataframe
    shown = visible_text(at)
    assert "Not authorised" in shown and "Dakshin Bastar Dantewada" not in shown
    assert "You are signed in as sub-impostor," in shown  # not as the collector
    assert f"did not confirm the e-mail {COLLECTOR}" in shown
    assert "District collector" not in shown
    events = _events(access_config)
    assert [(e["event"], e["user"]) for e in events] == [("refused", "sub-impostor")]
    assert COLLECTOR in events[0]["detail"] and "not verified" in events[0]["detail"]
    assert "Dakshin Bastar Dantewada" not in at.session_state["access_districts"].__repr__()


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_an_email_from_a_trusted_provider_counts_without_the_claim(
    access_config: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    (tmp_path / "access.toml").write_text(
        f'trust_emails_from = ["{TRUSTED_ISSUER}"]\n' + ACCESS, encoding="utf-8"
    )
    trusted = open_with({"iss": TRUSTED_ISSUER, "sub": "s1", "email": COLLECTOR})
    assert not trusted.exception, trusted.exception
    assert trusted.metric and "Signed in as " + COLLECTOR in visible_text(trusted)
    other = open_with({"iss": "https://other.example.org", "sub": "s2", "email": COLLECTOR})
    assert not other.metric and "Not authorised" in visible_text(other)


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_a_token_s_text_is_shown_as_text_not_markdown(access_config: Path) -> None:  # noqa: F811
    """What the token says is drawn as text: a Markdown image or link in it stays words."""
    hostile = "![x](http://evil.example/x.png) [Sign in again](http://evil.example)"
    at = open_with({"sub": hostile, "email": hostile, "iat": _new_token_time()})
    assert not at.exception, at.exception
    assert not at.markdown or all("evil.example" not in m.value for m in at.markdown)
    assert any(hostile in t.value for t in at.text)


# --- item 6: [auth] where Streamlit does not read it ----------------------------------------


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_sign_in_in_a_file_streamlit_does_not_read_does_not_open_the_app(
    worked_store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """[auth] only in EHOSPITAL_SECRETS_FILE, and the demo source: not the open demo mode
    (everyone admin) but a refusal that names the file and where [auth] must go."""
    settings = tmp_path / "dashboard.toml"
    auth = "".join(f'{key} = "{value}"\n' for key, value in AUTH.items())
    settings.write_text(f"[auth]\n{auth}", encoding="utf-8")
    monkeypatch.setenv("EHOSPITAL_SECRETS_FILE", str(settings))
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60)  # no at.secrets
    for key, value in JANUARY.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    assert not at.metric and not at.dataframe
    assert not any("Demo mode" in box.value for box in at.sidebar.info)
    assert "Streamlit reads sign-in only from its own secrets files" in at.error[0].value
    assert "--secrets.files" in at.error[0].value
    assert [block.value for block in at.code] == [str(settings.resolve())]


def demo_system_page(audit: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The open demo's System page, its audit log at ``audit``."""
    settings = tmp_path / "dashboard.toml"
    settings.write_text(f'[access]\naudit_log = "{audit}"\n', encoding="utf-8")
    monkeypatch.setenv("EHOSPITAL_SECRETS_FILE", str(settings))
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("views/system.py").run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_demo_s_system_page_shows_no_one_s_email(
    worked_store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    audit = tmp_path / "audit.jsonl"
    log = FileAuditLog(audit)
    log.record(AuditEvent("sign_in", COLLECTOR, "collector", "416"))
    log.record(AuditEvent("refused", "sub-impostor", "none", "none", detail=f"e-mail {COLLECTOR}"))
    log.record(AuditEvent("page_view", "demo", "admin", "all", page="map"))
    at = demo_system_page(audit, tmp_path, monkeypatch)
    shown = visible_text(at) + "".join(frame.value.to_csv() for frame in at.dataframe)
    assert "Audit log" in shown and "Demo mode: only the events of the demo" in shown
    assert COLLECTOR not in shown and "sub-impostor" not in shown
    assert "map" in at.dataframe[-1].value.to_csv()  # the demo's own event is listed


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_system_page_shows_a_path_from_the_settings_as_text(
    worked_store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """st.table renders its cells as Markdown: a path named in the settings file that reads
    as a picture is shown as its characters (issue 17, item 2), never drawn."""
    folder = tmp_path / "![x](http:⁄⁄evil.example⁄x.png) [y](http:⁄⁄evil.example)"
    folder.mkdir()
    audit = folder / "audit.jsonl"
    at = demo_system_page(audit, tmp_path, monkeypatch)
    cells = [value for row in shown_table(at, 0) for value in row]
    assert str(audit) in cells, cells
    written = at.table[0].value.to_csv()
    assert "![x]" not in written and "[y](" not in written and "&#91;" in written


# --- item 8: the audit log ------------------------------------------------------------------


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize(
    ("page", "url_path"), [("system", "system"), ("data_quality", "data-quality")]
)
def test_a_page_outside_the_role_is_refused_and_logged_as_such(
    access_config: Path,  # noqa: F811
    page: str,
    url_path: str,
) -> None:
    """A collector opening the System page by its URL: refused with the page named, and
    not logged as a view of the Overview."""
    claims = {"sub": "sub-c", "email": COLLECTOR, "email_verified": True}
    at = open_with(claims, f"views/{page}.py")
    assert not at.exception, at.exception
    assert not at.dataframe and not at.metric
    assert "This page is not open to your role (District collector)" in visible_text(at)
    events = [(e["event"], e["page"]) for e in _events(access_config)]
    assert ("refused", url_path) in events, events
    assert events[-1] == ("refused", url_path)
    assert ("page_view", url_path) not in events


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_a_sign_in_is_written_once_however_many_page_loads(access_config: Path) -> None:  # noqa: F811
    """Every page load is a new Streamlit session; one identity token is one sign-in."""
    token = {"iss": "https://idp", "sub": "sub-c", "email": COLLECTOR, "email_verified": True}
    token["iat"] = _new_token_time()
    for page in ("views/overview.py", "views/map.py", "views/overview.py"):
        assert not open_with(token, page).exception
    signed_in = [e for e in _events(access_config) if e["event"] == "sign_in"]
    assert len(signed_in) == 1 and signed_in[0]["user"] == COLLECTOR
    assert signed_in[0]["detail"].startswith("token issued ")
    open_with({**token, "iat": _new_token_time()})  # signed out and in again: a new token
    assert sum(e["event"] == "sign_in" for e in _events(access_config)) == 2


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_an_impostor_s_refusal_is_written_once_per_token(access_config: Path) -> None:  # noqa: F811
    token = {"sub": "sub-impostor", "email": COLLECTOR, "iat": _new_token_time()}
    open_with(token)
    open_with(token)
    assert [e["event"] for e in _events(access_config)] == ["refused"]


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_an_export_names_its_page(
    access_config: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import ui.auth
    import ui.exports

    made: list[Callable[[], bytes]] = []

    def keep(make: Callable[[], bytes], name: str) -> Callable[[], bytes]:
        made.append(ui.auth.recorded_export(make, name))
        return made[-1]

    monkeypatch.setattr(ui.exports, "recorded_export", keep)
    claims = {"sub": "sub-c", "email": COLLECTOR, "email_verified": True}
    at = open_with(claims, "views/map.py")
    assert not at.exception, at.exception
    made[-1]()  # the click: the file is made and the export logged
    export = _events(access_config)[-1]
    assert export["event"] == "export" and export["page"] == "map", export
    assert export["detail"] and export["user"] == COLLECTOR
