"""End to end sign-in: a real OpenID Connect provider, Streamlit's own ``st.login``, chromium.

The provider is ``oidc-provider-mock`` on 127.0.0.1 (its authorize page is a form where
one types the subject; the subjects below are registered with their e-mail claims). The
dashboard runs on ``localhost``: the host of ``[auth] redirect_uri`` must be the one the
browser uses, since Streamlit checks the auth cookie's origin against the websocket's, and
the two servers on different hosts keep their cookies apart.

``[auth]`` reaches the server as Streamlit secrets through ``--secrets.files`` (the project's
own ``.streamlit/secrets.toml`` is neither read nor touched); ``[access]`` (access file,
audit log, contact) through ``EHOSPITAL_SECRETS_FILE``, the same temporary file.

The Dantewada collector (LGD 416) signs in, sees Dantewada only on the Overview, the Map
and in an exported CSV, edits the link to Bastar (414) and to Bastar's district hospital
and gets nothing of them, opens the System page by its URL and is refused, signs out; a
stranger who signs in is told whom to ask; an impostor whose token carries the collector's
e-mail without ``email_verified`` is not let in, and the audit log names them by their
subject. The audit log then holds one sign-in for the collector's many page loads, the
refused page, and the page of every export.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from conftest import IN_CI, free_port, start_server
from test_browser import BROWSER_ARGS, CHROMIUM, SHOTS, _need_browser, _watch_for_foreign_requests

from data_access.engines import store_engine
from data_access.queries import Period, Scope, districts, facilities, registration_counts
from i18n import Words

pytestmark = pytest.mark.slow

COLLECTOR = "collector.dantewada@cg.gov.in"
COLLECTOR_SUB = "collector-dantewada"
STRANGER = "stranger@example.com"
STRANGER_SUB = "stranger"
IMPOSTOR_SUB = "impostor"
"""A user of the provider whose profile says the collector's e-mail, which the provider
never verified: its token carries ``email`` and no ``email_verified``."""
CONTACT = "the NHM state office, Raipur"
DANTEWADA, BASTAR = 416, 414
DANTEWADA_NAME = "Dakshin Bastar Dantewada"
BASTAR_HOSPITAL, DANTEWADA_HOSPITAL = "IN2210000101", "IN2210000102"
START, END = date(2025, 5, 1), date(2025, 7, 31)
QUERY = f"period=custom&from={START}&to={END}"
WAIT_MS = 60_000
PROVIDER_STYLESHEET = re.compile(rb'<link\s+rel="stylesheet"\s+href="https://[^"]*"\s*/?>')


@contextmanager
def oidc_provider() -> Iterator[str]:
    """oidc-provider-mock on 127.0.0.1 with the two users; yields its issuer URL.

    Its pages load their stylesheet from a CDN: that link is taken out, so that nothing
    the browser opens in this test reaches beyond loopback.
    """
    import werkzeug.serving
    from oidc_provider_mock import User, app

    provider = app(
        user_claims=[
            User(sub=COLLECTOR_SUB, claims={"email": COLLECTOR, "email_verified": True}),
            User(sub=STRANGER_SUB, claims={"email": STRANGER, "email_verified": True}),
            User(sub=IMPOSTOR_SUB, claims={"email": COLLECTOR}),
        ]
    )

    @provider.after_request
    def _no_stylesheet_from_a_cdn(response):
        if response.mimetype == "text/html":
            response.set_data(PROVIDER_STYLESHEET.sub(b"", response.get_data()))
        return response

    server = werkzeug.serving.make_server("127.0.0.1", 0, provider, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def _write_config(tmp_path: Path, port: int, issuer: str) -> tuple[Path, Path]:
    """One TOML file: [auth] for Streamlit's secrets, [access] for the dashboard."""
    access = tmp_path / "access.toml"
    access.write_text(
        f'[[user]]\nemail = "{COLLECTOR}"\nrole = "collector"\ndistricts = [{DANTEWADA}]\n',
        encoding="utf-8",
    )
    audit = tmp_path / "audit.jsonl"
    config = tmp_path / "secrets.toml"
    config.write_text(
        "[auth]\n"
        f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
        'cookie_secret = "a-cookie-secret-for-this-test-only"\n'
        'client_id = "ehospital-dashboard"\n'
        'client_secret = "a-client-secret"\n'
        f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n'
        "\n[access]\n"
        f'roles_file = "{access}"\n'
        f'audit_log = "{audit}"\n'
        f'contact = "{CONTACT}"\n',
        encoding="utf-8",
    )
    return config, audit


def _sign_in(page, base: str, issuer: str, subject: str) -> None:
    """From the dashboard's sign-in page through the provider's form and back."""
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{issuer}/oauth2/authorize*", timeout=WAIT_MS)
    page.fill("input[name='sub']", subject)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{base}/**", timeout=WAIT_MS)


def _wait_for_page(page) -> None:
    """The page's header drawn and the script done (no 'running' indicator left)."""
    page.wait_for_selector("[data-testid='stMain'] [data-testid='stHeading']", timeout=WAIT_MS)
    page.wait_for_function(
        "() => !document.querySelector(\"[data-testid='stStatusWidget']\")", timeout=WAIT_MS
    )


def _main_text(page) -> str:
    return page.inner_text("[data-testid='stMain']", timeout=WAIT_MS)


def _other_districts(text: str, names: dict[int, str]) -> list[str]:
    """The names of districts other than Dantewada that ``text`` mentions.

    "Bastar" is also a word of "Dakshin Bastar Dantewada" and of the app's title ("… in
    Bastar division"), so those are taken out first. Nothing else may say "Bastar
    division": under a collector's ceiling the scope is named for the district.
    """
    rest = text.replace(DANTEWADA_NAME, " ").replace("ABHA in Bastar division", " ")
    return [
        name
        for code, name in names.items()
        if code != DANTEWADA and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", rest)
    ]


def _table_cells(page, nth: int, *, column: int) -> list[str]:
    """One column of the ``nth`` table on the page, from the grid's accessible table
    (st.dataframe draws its cells on a canvas)."""
    cells = (
        page.locator("[data-testid='stDataFrame']")
        .nth(nth)
        .locator(f"td[role='gridcell'][aria-colindex='{column}']")
    )
    cells.first.wait_for(state="attached", timeout=WAIT_MS)  # inside the canvas: not visible
    return cells.all_text_contents()


def _toast(page, containing: str) -> str:
    toast = page.locator("[data-testid='stToast']", has_text=containing).first
    toast.wait_for(timeout=WAIT_MS)
    return toast.inner_text()


def _download_csv(page, popover, tmp_path: Path) -> tuple[str, pd.DataFrame]:
    """Open a Downloads popover, click CSV, save the file the browser gets."""
    popover.click()
    with page.expect_download(timeout=WAIT_MS) as download_info:
        page.locator("[data-testid='stPopoverBody']").get_by_role("button", name="CSV").click()
    download = download_info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    page.keyboard.press("Escape")
    return download.suggested_filename, pd.read_csv(saved, encoding="utf-8-sig")


def test_the_dantewada_collector_signs_in_sees_only_dantewada_and_signs_out(
    demo_on_sqlite, tmp_path: Path
) -> None:
    _need_browser()
    try:
        import authlib  # noqa: F401  Streamlit's st.login needs it (streamlit[auth])
        import oidc_provider_mock  # noqa: F401
    except ImportError as exc:
        reason = f"{exc.name} is not installed (pip install -e '.[test]')"
        if IN_CI:
            pytest.fail(f"CI=true and {reason}: the sign-in test must run in CI")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    _, store_url = demo_on_sqlite
    store = store_engine(store_url)
    names = {int(row.lgd_code): row.name_en for row in districts(store).itertuples()}
    assert names[DANTEWADA] == DANTEWADA_NAME and names[BASTAR] == "Bastar"
    dantewada_total = int(
        registration_counts(store, Period(START, END), Scope.of(districts=[DANTEWADA]))[
            "opd_registrations"
        ].sum()
    )
    division_total = int(registration_counts(store, Period(START, END))["opd_registrations"].sum())
    in_district = facilities(store)
    dantewada_facilities = set(
        in_district.loc[in_district["district_lgd"] == DANTEWADA, "facility_id"]
    )
    store.dispose()
    assert {BASTAR_HOSPITAL, DANTEWADA_HOSPITAL} <= set(in_district["facility_id"])
    assert 0 < dantewada_total < division_total

    foreign: list[str] = []
    with oidc_provider() as issuer:
        port = free_port()
        config, audit = _write_config(tmp_path, port, issuer)
        server, _ = start_server(
            store_url,
            tmp_path,
            port=port,
            extra_args=["--secrets.files", str(config)],
            env={"EHOSPITAL_SECRETS_FILE": str(config)},
            log=tmp_path / "server.log",
        )
        base = f"http://localhost:{port}"
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
                context = browser.new_context(
                    viewport={"width": 1400, "height": 1000}, accept_downloads=True
                )
                context.set_default_timeout(WAIT_MS)
                context.set_default_navigation_timeout(WAIT_MS)
                page = context.new_page()
                _watch_for_foreign_requests(page, foreign)

                # --- not signed in: the sign-in page, nothing of the data ----------------------
                page.goto(f"{base}/?{QUERY}")
                page.get_by_role("button", name="Sign in").wait_for()
                assert page.locator("[data-testid='stMetric']").count() == 0
                assert DANTEWADA_NAME not in page.inner_text("body")

                # --- the collector signs in: the Overview of Dantewada ------------------------
                _sign_in(page, base, issuer, COLLECTOR_SUB)
                page.get_by_text(f"Signed in as {COLLECTOR}").wait_for()
                page.goto(f"{base}/?{QUERY}")
                _wait_for_page(page)
                page.wait_for_selector("[data-testid='stVegaLiteChart'] svg, canvas")
                page.wait_for_timeout(2000)  # let the charts draw
                SHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SHOTS / "collector-overview.png"), full_page=True)
                assert page.locator("[data-testid='stException']").count() == 0
                headlines = page.locator(
                    "[data-testid='stMain'] [data-testid='stMarkdownContainer'] li"
                ).all_inner_texts()
                assert headlines, _main_text(page)[:2000]
                assert headlines[0].startswith(f"{DANTEWADA_NAME}: "), headlines[0]
                for line in headlines:
                    assert not _other_districts(line, names), line
                overview = _main_text(page)
                assert not _other_districts(overview, names), overview[:3000]
                assert BASTAR_HOSPITAL not in overview
                opd_tile = page.locator("[data-testid='stMetric']").first.inner_text()
                assert Words("en").count(dantewada_total) in opd_tile, opd_tile
                assert Words("en").count(division_total) not in overview
                sidebar = page.inner_text("[data-testid='stSidebar']")
                assert "District collector" in sidebar and not _other_districts(sidebar, names)

                # the trend chart's CSV, downloaded through the browser: Dantewada only
                name, trend = _download_csv(
                    page,
                    page.locator("[data-testid='stPopover']").first.get_by_role("button"),
                    tmp_path,
                )
                assert name.endswith(".csv") and "abha-adoption-by-district" in name
                assert set(trend["District"]) == {DANTEWADA_NAME}, trend.head()
                assert trend["OPD registrations"].sum() == dantewada_total

                # --- the Map: its district table and its CSV, Dantewada only --------------------
                page.goto(f"{base}/map?{QUERY}")
                _wait_for_page(page)
                page.wait_for_selector("[data-testid='stDataFrame']")
                page.wait_for_timeout(1500)
                assert page.locator("[data-testid='stException']").count() == 0
                map_text = _main_text(page)
                assert not _other_districts(map_text, names), map_text[:3000]
                assert BASTAR_HOSPITAL not in map_text
                assert _table_cells(page, 0, column=1) == [DANTEWADA_NAME]  # district table
                page.locator("[data-testid='stExpander'] summary").click()  # open the expander
                facility_districts = _table_cells(page, 1, column=3)
                assert set(facility_districts) == {DANTEWADA_NAME}, facility_districts
                facility_names = _table_cells(page, 1, column=1)
                assert "District Hospital Dantewada" in facility_names, facility_names
                assert "District Hospital Bastar" not in facility_names, facility_names
                popovers = page.locator("[data-testid='stPopover']")
                # the popovers in page order: the static map's, the district table's, …
                name, table = _download_csv(page, popovers.nth(1).get_by_role("button"), tmp_path)
                assert "map-figures-by-district" in name, name
                assert list(table["District"]) == [DANTEWADA_NAME], table
                assert BASTAR_HOSPITAL not in table.to_csv() and "414" not in table.to_csv()

                # --- the link edited to Bastar: ignored, said so, Dantewada still --------------
                page.goto(f"{base}/map?{QUERY}&district={BASTAR}")
                ignored = _toast(page, "Ignored in the link")
                assert str(BASTAR) in ignored, ignored
                _wait_for_page(page)
                page.wait_for_selector("[data-testid='stDataFrame']")
                tampered = _main_text(page).replace(ignored, "")
                assert not _other_districts(tampered, names), tampered[:3000]
                assert _table_cells(page, 0, column=1) == [DANTEWADA_NAME]
                name, table = _download_csv(
                    page,
                    page.locator("[data-testid='stPopover']").nth(1).get_by_role("button"),
                    tmp_path,
                )
                assert list(table["District"]) == [DANTEWADA_NAME], table

                # --- Bastar's district hospital by its HFR ID: nothing of it --------------------
                page.goto(f"{base}/facility?{QUERY}&facility={BASTAR_HOSPITAL}")
                ignored = _toast(page, BASTAR_HOSPITAL)
                assert "Ignored in the link" in ignored, ignored
                _wait_for_page(page)
                page.wait_for_selector("[data-testid='stVegaLiteChart']")  # the page drawn
                profile = _main_text(page).replace(ignored, "")
                assert BASTAR_HOSPITAL not in profile and "District Hospital Bastar" not in profile
                assert not _other_districts(profile, names), profile[:3000]
                shown = set(re.findall(r"IN\d{10}", profile))  # a Dantewada facility instead
                assert shown and shown <= dantewada_facilities, shown
                assert f"District {DANTEWADA_NAME}" in profile, profile[:3000]

                # --- the System page by its URL: refused, not in the menu, logged -------------
                page.goto(f"{base}/system?{QUERY}")
                page.get_by_text("This page is not open to your role").wait_for()
                _wait_for_page(page)
                assert page.locator("[data-testid='stDataFrame']").count() == 0
                assert page.locator("[data-testid='stMetric']").count() == 0
                menu = page.inner_text("[data-testid='stSidebar']")
                assert "System" not in menu and "Data quality" not in menu, menu

                # --- sign out: back at the sign-in page, and still there after a reload -------
                page.get_by_role("button", name="Sign out").click()
                # Streamlit ends the session at the provider too (its end_session_endpoint),
                # which asks to confirm and sends the browser back through /oauth2callback.
                page.wait_for_url(f"{issuer}/oauth2/end_session*")
                page.get_by_role("button", name="End session").click()
                page.wait_for_url(f"{base}/**")
                page.get_by_role("button", name="Sign in").wait_for()
                page.goto(f"{base}/?{QUERY}")
                page.get_by_role("button", name="Sign in").wait_for()
                assert page.locator("[data-testid='stMetric']").count() == 0

                # --- a stranger signs in: not authorised, told whom to ask ---------------------
                _sign_in(page, base, issuer, STRANGER_SUB)
                page.get_by_text("Not authorised").wait_for()
                page.wait_for_timeout(1000)
                page.screenshot(path=str(SHOTS / "not-authorised.png"), full_page=True)
                refused = _main_text(page)
                assert STRANGER in refused and CONTACT in refused, refused
                assert page.locator("[data-testid='stMetric']").count() == 0
                assert DANTEWADA_NAME not in page.inner_text("body")

                # --- the impostor: the collector's e-mail, not verified: not the collector ----
                page.get_by_role("button", name="Sign out").click()
                page.wait_for_url(f"{issuer}/oauth2/end_session*")
                page.get_by_role("button", name="End session").click()
                page.wait_for_url(f"{base}/**")
                _sign_in(page, base, issuer, IMPOSTOR_SUB)
                page.get_by_text("Not authorised").wait_for()
                page.wait_for_timeout(1000)
                refused = _main_text(page)
                assert f"signed in as {IMPOSTOR_SUB}," in refused, refused
                assert f"did not confirm the e-mail {COLLECTOR}" in refused, refused
                assert page.locator("[data-testid='stMetric']").count() == 0
                body = page.inner_text("body")
                assert DANTEWADA_NAME not in body and "District collector" not in body
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=20)
    assert not foreign, f"requests to other hosts: {foreign[:5]}"

    events = [json.loads(line) for line in audit.read_text(encoding="utf-8").splitlines()]
    kinds = [(e["event"], e["user"]) for e in events]
    assert ("sign_in", COLLECTOR) in kinds and ("sign_out", COLLECTOR) in kinds, kinds
    assert ("refused", STRANGER) in kinds, kinds
    # the impostor, by their own subject, with the e-mail they claimed; never signed in
    (impostor,) = [e for e in events if e["user"] == IMPOSTOR_SUB]
    assert impostor["event"] == "refused" and COLLECTOR in impostor["detail"], impostor
    # one sign-in for the collector's many page loads (each a new Streamlit session)
    assert [user for event, user in kinds if event == "sign_in"] == [COLLECTOR], kinds
    assert ("refused", "system", COLLECTOR) in [(e["event"], e["page"], e["user"]) for e in events]
    exports = [e for e in events if e["event"] == "export"]
    assert len(exports) == 3 and all(e["scope"] == str(DANTEWADA) for e in exports), exports
    assert [e["page"] for e in exports] == ["overview", "map", "map"], exports
