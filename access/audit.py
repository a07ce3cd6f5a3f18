"""The audit log: sign-ins, page views, refusals and exports — who, when, what scope, which
file. Never a figure, never patient data: only the fields of ``AuditEvent``.

``[access] audit_log`` names a file (JSON Lines, one event a line, appended) or ``store``
(the table ``audit_events`` in the analytics store).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Hashable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa

IST = timezone(timedelta(hours=5, minutes=30))
EVENTS = ("sign_in", "sign_out", "page_view", "export", "refused", "brief_sent", "brief_failed")


def scope_text(districts: Iterable[int] | None) -> str:
    """'all' or the LGD codes, e.g. '416' or '414,416'."""
    return "all" if districts is None else ",".join(str(d) for d in sorted(districts))


@dataclass(frozen=True)
class AuditEvent:
    event: str
    user: str
    """The e-mail when it can be relied on (verified, or its provider trusted: see
    ``access.roles.identify``), else the OIDC subject; 'demo' in demo mode. A token that
    names someone else's e-mail without verifying it is logged by its own subject."""
    role: str
    scope: str
    page: str = ""
    """The page (its URL path; "overview" for the root) viewed, refused, or exported from."""
    detail: str = ""
    """For an export, the file name (it says what and when); for a refusal, the reason;
    for a sign-in, when the identity token was issued."""
    at: str = field(default_factory=lambda: datetime.now(IST).isoformat(timespec="seconds"))

    def __post_init__(self) -> None:
        if self.event not in EVENTS:
            raise ValueError(f"unknown audit event {self.event!r}")


class FirstSeen:
    """Keys seen by this process, for events that must be written once per occasion
    rather than once per browser session: a sign-in is one identity token, while every
    page load, reload or new tab opens a new Streamlit session with empty session state.

    Memory grows by one small key per sign-in. Each server process keeps its own: behind
    a proxy with several instances, or after a restart, one sign-in may be written once
    per instance; the event's detail (the token's issue time) shows it is the same one.
    """

    def __init__(self) -> None:
        self._seen: set[Hashable] = set()
        self._lock = threading.Lock()

    def first(self, key: Hashable) -> bool:
        """True the first time ``key`` is seen, False ever after."""
        with self._lock:
            if key in self._seen:
                return False
            self._seen.add(key)
            return True


class FileAuditLog:
    """JSON Lines, appended; safe across the server's threads."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def record(self, event: AuditEvent) -> None:
        line = json.dumps(asdict(event), ensure_ascii=False)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")

    def recent(self, limit: int = 200) -> list[AuditEvent]:
        if not self.path.exists():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()[-limit:]
        return [AuditEvent(**json.loads(line)) for line in reversed(lines) if line.strip()]


_metadata = sa.MetaData()
audit_events = sa.Table(
    "audit_events",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Text, nullable=False),
    sa.Column("event", sa.Text, nullable=False),
    sa.Column("user", sa.Text, nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("scope", sa.Text, nullable=False),
    sa.Column("page", sa.Text, nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
)


class StoreAuditLog:
    """The table ``audit_events`` in the analytics store (created when missing)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        _metadata.create_all(engine, tables=[audit_events])

    def record(self, event: AuditEvent) -> None:
        with self.engine.begin() as conn:
            conn.execute(audit_events.insert(), asdict(event))

    def recent(self, limit: int = 200) -> list[AuditEvent]:
        query = sa.select(audit_events).order_by(audit_events.c.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [AuditEvent(**{k: v for k, v in row.items() if k != "id"}) for row in rows]


AuditLog = FileAuditLog | StoreAuditLog
