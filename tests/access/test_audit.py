"""The audit log keeps who, when, what scope and which export, on a file or in the store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from access.audit import AuditEvent, FileAuditLog, StoreAuditLog, scope_text


def _events() -> list[AuditEvent]:
    return [
        AuditEvent("sign_in", "collector@cg.gov.in", "collector", scope_text([416])),
        AuditEvent("page_view", "collector@cg.gov.in", "collector", "416", page="map"),
        AuditEvent(
            "export",
            "collector@cg.gov.in",
            "collector",
            "416",
            detail="district-map_dakshin-bastar-dantewada_2025-05-01_2025-07-31_hi.png",
        ),
    ]


def test_a_file_log_appends_json_lines(tmp_path: Path) -> None:
    log = FileAuditLog(tmp_path / "logs" / "audit.jsonl")
    for event in _events():
        log.record(event)
    lines = (tmp_path / "logs" / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["event"] for line in lines] == ["sign_in", "page_view", "export"]
    assert set(json.loads(lines[0])) == {"event", "user", "role", "scope", "page", "detail", "at"}
    assert [e.event for e in log.recent()] == ["export", "page_view", "sign_in"]


def test_a_store_log_keeps_the_same_events(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'store.sqlite'}")
    log = StoreAuditLog(engine)
    events = _events()  # once: each event stamps its own second, so a second call could differ
    for event in events:
        log.record(event)
    assert log.recent() == list(reversed(events))


def test_only_known_events() -> None:
    with pytest.raises(ValueError, match="unknown audit event"):
        AuditEvent("viewed_patient", "x", "admin", "all")
    assert scope_text(None) == "all"
    assert scope_text([416, 414]) == "414,416"
