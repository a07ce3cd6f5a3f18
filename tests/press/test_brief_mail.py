"""``brief --send`` against a real SMTP server on loopback (aiosmtpd, STARTTLS required
before AUTH): a collector, a commissioner and a ministry user each get one message with
the brief of their own ceiling in their language; an address the server refuses fails
alone and is logged; a rerun the same week sends nothing twice."""

from __future__ import annotations

import email
import email.policy
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from datetime import date
from email.message import EmailMessage as Message
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from conftest import IN_CI, free_port

from access.audit import FileAuditLog
from access.roles import parse_access
from bench.page_weight import throwaway_certificate
from cli.brief_mail import send_briefs
from data_access import queries
from data_access.config import MailSettings
from data_access.errors import ConfigurationError

USER, PASSWORD = "dashboard", "s3cret-for-the-test"
REFUSED = "bounce@cg.gov.in"
MONDAY = date(2026, 11, 30)
ACCESS = f"""
[[user]]
email = "collector.dantewada@cg.gov.in"
role = "collector"
districts = [416]

[[user]]
email = "commissioner.bastar@cg.gov.in"
role = "commissioner"
divisions = ["Bastar"]

[[user]]
email = "secretary@cg.gov.in"
role = "ministry"

[[user]]
email = "{REFUSED}"
role = "collector"
districts = [414]

[[user]]
email = "friday.reader@cg.gov.in"
role = "ministry"

[[subscription]]
email = "collector.dantewada@cg.gov.in"
lang = "hi"

[[subscription]]
email = "commissioner.bastar@cg.gov.in"
lang = "en"
day = "monday"

[[subscription]]
email = "secretary@cg.gov.in"
district = 649

[[subscription]]
email = "{REFUSED}"

[[subscription]]
email = "friday.reader@cg.gov.in"
day = "friday"
"""


# --- the server -------------------------------------------------------------------------------
class Mailbox:
    """What the server accepted: one entry per message, with its envelope."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address == REFUSED:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted"


def _authenticator(server, session, envelope, mechanism, auth_data):  # noqa: ANN001
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok)


@pytest.fixture
def smtp_server(tmp_path: Path) -> Iterator[tuple[Mailbox, MailSettings]]:
    certificate = throwaway_certificate(tmp_path, "smtp", ca=True)
    cert, key = certificate.cert, certificate.key
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=_authenticator,
        auth_require_tls=True,
    )
    controller.start()
    settings = MailSettings(
        host="127.0.0.1",
        port=port,
        sender="ABHA dashboard <dashboard@cg.gov.in>",
        username=USER,
        password=PASSWORD,
        ca_file=str(cert),
        timeout_seconds=10,
    )
    try:
        yield mailbox, settings
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def store(small_bastar_store):  # type: ignore[no-untyped-def]
    """The Bastar demo at a twentieth of its volume (tests/conftest.py)."""
    return small_bastar_store


def _pdf_text(message: Message, tmp_path: Path) -> str:
    (pdf,) = [p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"]
    if shutil.which("pdftotext") is None:
        if IN_CI:
            pytest.fail("CI=true and pdftotext (poppler-utils) not installed")
        pytest.skip("pdftotext (poppler-utils) not installed")
    path = tmp_path / pdf.get_filename()
    path.write_bytes(pdf.get_payload(decode=True))
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _send(store, settings: MailSettings, log: FileAuditLog, today: date = MONDAY):
    return send_briefs(
        store,
        parse_access(ACCESS),
        settings,
        today=today,
        log=log,
        target_percent=60.0,
    )


def test_each_subscriber_gets_their_own_brief_once_a_week(
    store, smtp_server, tmp_path: Path
) -> None:
    mailbox, settings = smtp_server
    log = FileAuditLog(tmp_path / "audit.jsonl")
    results = _send(store, settings, log)
    status = {r.subscription.email: r.status for r in results}
    assert status == {
        "collector.dantewada@cg.gov.in": "sent",
        "commissioner.bastar@cg.gov.in": "sent",
        "secretary@cg.gov.in": "sent",
        REFUSED: "failed",
    }, "the Friday subscriber waits for Friday; the refused address fails alone"
    (failure,) = [r for r in results if r.status == "failed"]
    assert "550" in failure.detail and REFUSED in failure.detail

    received = {tos[0]: message for tos, message in mailbox.messages}
    assert sorted(received) == sorted(
        ["collector.dantewada@cg.gov.in", "commissioner.bastar@cg.gov.in", "secretary@cg.gov.in"]
    ), "one message per subscriber"
    names = dict(
        zip(
            queries.districts(store)["lgd_code"].astype(int),
            queries.districts(store)["name_en"],
            strict=True,
        )
    )
    collector = received["collector.dantewada@cg.gov.in"]
    assert "साप्ताहिक सारांश" in str(
        email.header.make_header(email.header.decode_header(collector["Subject"]))
    )
    text = _pdf_text(collector, tmp_path)
    assert "दंतेवाड़ा" in text
    assert names[414] not in text and "Bastar division" not in text, "only the collector's district"
    body = collector.get_body(("plain",)).get_content()
    assert "सोमवार" in body, "the day named in Hindi"
    commissioner = _pdf_text(received["commissioner.bastar@cg.gov.in"], tmp_path)
    assert "Bastar division" in commissioner
    secretary = _pdf_text(received["secretary@cg.gov.in"], tmp_path)
    assert names[649] in secretary and names[416] not in secretary
    for message in received.values():
        types = sorted(p.get_content_type() for p in message.iter_attachments())
        assert types == ["application/pdf", "image/png"]
        assert message["From"] == settings.sender

    events = [(e.event, e.user) for e in log.recent()]
    assert sorted(events) == sorted(
        [
            ("brief_sent", "collector.dantewada@cg.gov.in"),
            ("brief_sent", "commissioner.bastar@cg.gov.in"),
            ("brief_sent", "secretary@cg.gov.in"),
            ("brief_failed", REFUSED),
        ]
    )
    assert PASSWORD not in (tmp_path / "audit.jsonl").read_text(encoding="utf-8")

    # The timer fires again on Wednesday of the same week: nothing twice; the failed retried.
    again = _send(store, settings, log, today=date(2026, 12, 2))
    assert again == [], "Wednesday is nobody's day"
    again = send_briefs(
        store,
        parse_access(ACCESS),
        settings,
        today=MONDAY,
        log=log,
        target_percent=60.0,
    )
    assert {r.subscription.email: r.status for r in again} == {
        "collector.dantewada@cg.gov.in": "already sent",
        "commissioner.bastar@cg.gov.in": "already sent",
        "secretary@cg.gov.in": "already sent",
        REFUSED: "failed",
    }
    assert len(mailbox.messages) == 3
    # the next Monday is a new week
    assert {r.status for r in _send(store, settings, log, today=date(2026, 12, 7))} == {
        "sent",
        "failed",
    }
    assert len(mailbox.messages) == 6


def test_a_wrong_password_fails_every_subscriber_and_sends_nothing(
    store, smtp_server, tmp_path: Path
) -> None:
    mailbox, settings = smtp_server
    from dataclasses import replace

    log = FileAuditLog(tmp_path / "audit.jsonl")
    # a week of its own: the store (shared by the module) keeps the other tests' sends
    wrong = replace(settings, password="wrong", timeout_seconds=3)
    results = _send(store, wrong, log, today=date(2026, 12, 14))
    assert {r.status for r in results} == {"failed"}
    # aiosmtpd answers PLAIN with 535, then leaves smtplib's LOGIN attempt unanswered: the
    # reason is "refused the sign-in" or a timeout, naming the server either way
    assert all("mail server 127.0.0.1" in r.detail for r in results), [r.detail for r in results]
    assert mailbox.messages == []
    assert "wrong" not in (tmp_path / "audit.jsonl").read_text(encoding="utf-8")


def test_a_server_without_the_certificate_trusted_is_refused(
    store, smtp_server, tmp_path: Path
) -> None:
    """STARTTLS checks the server's certificate: the test's CA not given, nothing is sent
    (and no password crosses the link)."""
    mailbox, settings = smtp_server
    from dataclasses import replace

    log = FileAuditLog(tmp_path / "a.jsonl")
    results = _send(store, replace(settings, ca_file=None), log, today=date(2026, 12, 21))
    assert {r.status for r in results} == {"failed"}
    assert mailbox.messages == []


# --- the settings and the access file ---------------------------------------------------------
def test_mail_settings_are_checked() -> None:
    from data_access.config import mail_settings

    assert mail_settings({}) is None
    ok = mail_settings({"host": "smtp.cg.gov.in", "sender": "d@cg.gov.in"})
    assert ok is not None and ok.port == 587 and ok.starttls
    for bad, needle in [
        ({"host": "smtp.cg.gov.in"}, "sender"),
        ({"host": "smtp.cg.gov.in", "sender": "d@x", "starttls": False}, "unencrypted"),
        ({"host": "smtp.cg.gov.in", "sender": "d@x", "username": "u"}, "both"),
        ({"host": "smtp.cg.gov.in", "sender": "d@x", "port": 70000}, "port"),
    ]:
        with pytest.raises(ConfigurationError, match=needle):
            mail_settings(bad)
    local = mail_settings({"host": "localhost", "sender": "d@x", "starttls": False})
    assert local is not None and not local.starttls
    secret = mail_settings({"host": "h", "sender": "d@x", "username": "u", "password": "pw1"})
    assert "pw1" not in repr(secret)


@pytest.mark.parametrize(
    ("entry", "needle"),
    [
        ('email = "nobody@cg.gov.in"', "[[user]]"),
        ('email = "collector.dantewada@cg.gov.in"\ndistrict = 414', "outside"),
        ('email = "collector.dantewada@cg.gov.in"\ndivision = "Bastar"', "collector"),
        ('email = "commissioner.bastar@cg.gov.in"\ndivision = "Raipur"', "not one of"),
        ('email = "secretary@cg.gov.in"\nday = "someday"', "weekday"),
        ('email = "secretary@cg.gov.in"\nlang = "fr"', "lang"),
        ('email = "secretary@cg.gov.in"\nwhen = "monday"', "no setting"),
    ],
)
def test_a_wrong_subscription_is_named(entry: str, needle: str) -> None:
    users = ACCESS.split("[[subscription]]")[0]
    with pytest.raises(ConfigurationError) as error:
        parse_access(users + "[[subscription]]\n" + entry + "\n")
    assert needle in str(error.value) and "subscription 1" in str(error.value)
