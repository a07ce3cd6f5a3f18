"""``brief --send``: each subscriber of the access file mailed the weekly brief of their
own ceiling, in their language, on their weekday; once in an ISO week.

For every ``[[subscription]]`` whose ``day`` is today (IST): the user's grant (a
commissioner's districts found in the registry, as at sign-in), the brief of last week
under it (``press.brief.make_brief``, the same figures as the pages), its PDF and PNG,
one message (``press.mail``), then ``brief_sends`` and the audit log. A subscriber whose
brief or message fails is logged and the others go on; the next run tries them again,
and skips those already mailed this week.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage

import sqlalchemy as sa

from access.audit import IST, AuditEvent, FileAuditLog, StoreAuditLog, scope_text
from access.roles import AccessFile, Grant, Subscription
from data_access import queries
from data_access.brief_sends import SendKey, already_sent, ensure_sends_table, record_sent
from data_access.config import MailSettings
from data_access.errors import DashboardError
from data_access.queries import EVERYWHERE
from press.brief import BriefScope, make_brief, named_period
from press.brief_page import render_html, render_pdf, render_png
from press.files import file_name
from press.mail import brief_message, send


@dataclass(frozen=True)
class SendResult:
    """What happened to one subscription: ``sent``, ``already sent`` this week, or
    ``failed`` (``detail``: the file name sent, or why it failed)."""

    subscription: Subscription
    status: str
    detail: str = ""


def brief_key(subscription: Subscription) -> str:
    """What the brief is of and in which language: ``district:416:hi``, ``division:Bastar:en``
    or ``ceiling:en`` (the user's own districts)."""
    if subscription.district is not None:
        what = f"district:{subscription.district}"
    elif subscription.division is not None:
        what = f"division:{subscription.division}"
    else:
        what = "ceiling"
    return f"{what}:{subscription.lang}"


def _grant(access: AccessFile, subscription: Subscription, store: sa.Engine) -> Grant:
    grant = access.grant_for(subscription.email, None)
    if grant is None:  # parse_access checks it; a file changed under us is still refused
        raise DashboardError(f"{subscription.email} is not a user of the access file")
    registry = queries.districts(store, EVERYWHERE)
    by_division: dict[str, list[int]] = {}
    if "division" in registry:
        for code, division in zip(registry["lgd_code"], registry["division"], strict=True):
            by_division.setdefault(str(division), []).append(int(code))
    return grant.within(by_division)


def send_briefs(
    store: sa.Engine,
    access: AccessFile,
    mail: MailSettings,
    *,
    today: date,
    log: FileAuditLog | StoreAuditLog,
    target_percent: float,
    every_day: bool = False,
    sender: Callable[[MailSettings, EmailMessage], None] = send,
) -> list[SendResult]:
    """Mail today's subscribers (every subscriber with ``every_day``) the brief of the
    last whole week of the data; see the module's docstring."""
    ensure_sends_table(store)
    _, last = queries.data_span(store, EVERYWHERE)
    if last is None:
        raise DashboardError("the analytics store holds no registrations yet: nothing to send")
    period = named_period("last-week", last)
    results = []
    for subscription in access.subscriptions:
        if not every_day and subscription.weekday != today.weekday():
            continue
        key = SendKey.of(subscription.email, brief_key(subscription), today)
        if already_sent(store, key):
            results.append(SendResult(subscription, "already sent"))
            continue
        grant: Grant | None = None
        try:
            grant = _grant(access, subscription, store)
            if grant.districts is not None and not grant.districts:
                raise DashboardError(
                    f"{subscription.email} sees no district of the registry (their divisions "
                    "name none)"
                )
            brief = make_brief(
                store,
                BriefScope(
                    districts=() if subscription.district is None else (subscription.district,),
                    division=subscription.division,
                    allowed=grant.districts,
                ),
                period,
                subscription.lang,
                target_percent=target_percent,
                period_name="last-week",
            )
            pdf = render_pdf(render_html(brief))
            stem = file_name(
                "brief", brief.scope_slug, period.start, period.end, subscription.lang, ""
            ).rstrip(".")
            message = brief_message(
                brief,
                pdf,
                render_png(pdf),
                sender=mail.sender,
                to=subscription.email,
                day=subscription.weekday,
                file_stem=stem,
            )
            sender(mail, message)
        except DashboardError as exc:
            log.record(_event("brief_failed", subscription, grant, str(exc)))
            results.append(SendResult(subscription, "failed", str(exc)))
            continue
        record_sent(store, key, f"{stem}.pdf", datetime.now(IST))
        log.record(_event("brief_sent", subscription, grant, f"{stem}.pdf"))
        results.append(SendResult(subscription, "sent", f"{stem}.pdf"))
    return results


def _event(kind: str, subscription: Subscription, grant: Grant | None, detail: str) -> AuditEvent:
    """An audit event of a send: the subscriber, their role and the districts the brief
    could show (their ceiling), the brief's file name or why it failed."""
    return AuditEvent(
        kind,
        subscription.email,
        grant.role if grant is not None else "?",
        scope_text(grant.districts) if grant is not None else "?",
        "brief",
        detail,
    )
