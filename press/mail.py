"""The weekly brief as an e-mail, and its sending through the configured SMTP server.

One message per subscriber: a short text (the headline sentences, what is attached, why
they receive it) in the subscriber's language, the brief as a PDF (to print) and as a
PNG (for a phone). Sent over STARTTLS, with the password from the secrets file
(``[mail]``, ``data_access.config.MailSettings``). Who is mailed what, and when, is
``cli.brief_mail``'s work.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from babel.dates import get_day_names

from data_access.config import MailSettings
from data_access.errors import DashboardError
from press.brief import Brief


class MailError(DashboardError):
    """The SMTP server could not be reached, refused the sign-in or the message."""


def brief_message(
    brief: Brief, pdf: bytes, png: bytes, *, sender: str, to: str, day: int, file_stem: str
) -> EmailMessage:
    """The brief for one subscriber: text in the brief's language, the PDF and the PNG
    attached as ``<file_stem>.pdf`` and ``.png``. ``day``: the weekday it is sent on
    (0 Monday), named in the text."""
    w = brief.words
    message = EmailMessage()
    message["Subject"] = w(
        "brief.mail.subject", kind=brief.kind, scope=brief.scope_name, period=brief.period_text
    )
    message["From"] = sender
    message["To"] = to
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip("> ") or None)
    day_name = get_day_names("wide", locale=w.locale)[day]
    body = [
        w("brief.title", scope=brief.scope_name),
        brief.period_text,
        "",
        *(f"- {line}" for line in brief.headlines),
        "",
        w("brief.mail.attached"),
        "",
        brief.source,
        brief.freshness,
        "",
        w("brief.mail.why", day=day_name),
    ]
    message.set_content("\n".join(body), charset="utf-8")
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=f"{file_stem}.pdf")
    message.add_attachment(png, maintype="image", subtype="png", filename=f"{file_stem}.png")
    return message


def open_smtp(settings: MailSettings) -> smtplib.SMTP:
    """A connection to the server, upgraded with STARTTLS (the certificate checked against
    the system's CAs or ``ca_file``) and signed in when a username is set."""
    try:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_seconds)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(
            f"cannot reach the mail server {settings.host}:{settings.port}: {exc}"
        ) from None
    try:
        smtp.ehlo()
        if settings.starttls:
            context = ssl.create_default_context(cafile=settings.ca_file)
            smtp.starttls(context=context)
            smtp.ehlo()
        if settings.username and settings.password:
            smtp.login(settings.username, settings.password)
    except smtplib.SMTPAuthenticationError:
        smtp.close()
        raise MailError(
            f"the mail server {settings.host} refused the sign-in of {settings.username} "
            "([mail] username and password)"
        ) from None
    except (OSError, smtplib.SMTPException, ssl.SSLError) as exc:
        smtp.close()
        raise MailError(f"the mail server {settings.host} could not be used: {exc}") from None
    return smtp


def send(settings: MailSettings, message: EmailMessage) -> None:
    """Send one message on a connection of its own: a refused address, or a server that
    drops the connection, fails this message only."""
    smtp = open_smtp(settings)
    try:
        smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        reasons = "; ".join(
            f"{address}: {code} {_text(said)}" for address, (code, said) in exc.recipients.items()
        )
        raise MailError(f"the mail server refused the address ({reasons})") from None
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"the mail server did not take the message: {exc}") from None
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def _text(said: bytes | str) -> str:
    return said.decode("utf-8", "replace") if isinstance(said, bytes) else said
