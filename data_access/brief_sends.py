"""Which weekly briefs were mailed, kept in the analytics store: ``brief --send`` mails a
subscriber's brief once in an ISO week, however often it runs (a timer that fires again
after a failure, an administrator who reruns it by hand).

Like the ``alerts`` table, ``brief_sends`` is not one of the analytics tables: a rebuild
of the store keeps it. A send is recorded after the SMTP server accepted the message; a
failed one is not, so the next run tries it again. Who was sent what, and every failure,
is in the audit log too (``access.audit``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

SENDS = sa.MetaData()
brief_sends = sa.Table(
    "brief_sends",
    SENDS,
    sa.Column("subscriber", sa.Text, primary_key=True),  # the address, casefolded
    sa.Column("brief", sa.Text, primary_key=True),
    sa.Column("week", sa.Text, primary_key=True),
    sa.Column("sent_at", sa.Text, nullable=False),
    sa.Column("file_name", sa.Text, nullable=False),
)


@dataclass(frozen=True)
class SendKey:
    """One subscriber's brief in one ISO week: ``brief`` names what it is of and in which
    language (``district:416:hi``), ``week`` the ISO week of the day it is sent
    (``2026-W49``)."""

    subscriber: str
    brief: str
    week: str

    @staticmethod
    def of(subscriber: str, brief: str, day: date) -> SendKey:
        year, week, _ = day.isocalendar()
        return SendKey(subscriber.strip().casefold(), brief, f"{year}-W{week:02d}")


def ensure_sends_table(engine: sa.Engine) -> None:
    SENDS.create_all(engine, checkfirst=True)


def already_sent(engine: sa.Engine, key: SendKey) -> bool:
    t = brief_sends
    with engine.connect() as conn:
        found = conn.execute(
            sa.select(sa.func.count()).where(
                t.c.subscriber == key.subscriber, t.c.brief == key.brief, t.c.week == key.week
            )
        ).scalar()
    return bool(found)


def record_sent(engine: sa.Engine, key: SendKey, file_name: str, at: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(
            brief_sends.insert(),
            {
                "subscriber": key.subscriber,
                "brief": key.brief,
                "week": key.week,
                "sent_at": at.isoformat(timespec="seconds"),
                "file_name": file_name,
            },
        )
