"""Is the dashboard fit to serve? The checks behind ``ehospital-dashboard health``, for a
service monitor (systemd, Nagios, Kubernetes probes).

Each check ends OK, WARNING or CRITICAL (Nagios' exit statuses 0, 1, 2):

- **store**: the analytics store answers and holds a complete refresh of this version —
  CRITICAL otherwise, as the pages then have nothing to show;
- **refresh**: the last refresh landed less than ``max_age`` ago — WARNING otherwise
  (the pages still serve, with older figures);
- **source**: the registration database answers — WARNING otherwise (the next refresh
  will fail; the pages serve the store).

Only counts and times are reported; URLs without their passwords.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import make_url

from data_access import queries
from data_access.config import Settings
from data_access.engines import describe, source_engine, store_engine
from data_access.errors import DatabaseUnavailable
from data_access.store import STORE_VERSION, store_is_built

OK, WARNING, CRITICAL = 0, 1, 2
STATUS_NAMES = {OK: "OK", WARNING: "WARNING", CRITICAL: "CRITICAL"}
TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class Check:
    name: str
    status: int
    message: str

    def line(self) -> str:
        return f"{STATUS_NAMES[self.status]} {self.name}: {self.message}"


def _first_line(exc: BaseException) -> str:
    return (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [type(exc).__name__])[0]


def check_health(settings: Settings, *, now: datetime, max_age: timedelta) -> list[Check]:
    """The store, the last refresh and the source, checked in that order."""
    checks: list[Check] = []
    where = describe(settings.store_url)
    state: dict[str, str] = {}
    url = make_url(settings.store_url)
    embedded = url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
    if embedded and not Path(str(url.database)).exists():  # opening it would create it
        checks.append(Check("store", CRITICAL, f"{where} does not exist"))
        return [*checks, *_source_check(settings)]
    try:
        store = store_engine(settings.store_url, statement_timeout=TIMEOUT_SECONDS)
        try:
            built = store_is_built(store)
            state = queries.store_state(store) if built else {}
        finally:
            store.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure to read the store is the finding
        checks.append(Check("store", CRITICAL, f"{where} does not answer: {_first_line(exc)}"))
    else:
        if built:
            checks.append(Check("store", OK, f"{where} answers (store version {STORE_VERSION})"))
        else:
            checks.append(
                Check("store", CRITICAL, f"{where} holds no complete refresh of this version")
            )

    refreshed = state.get("refreshed_at")
    if refreshed:
        age = now - datetime.fromisoformat(refreshed)
        hours = age.total_seconds() / 3600
        status = OK if age <= max_age else WARNING
        limit = max_age.total_seconds() / 3600
        checks.append(
            Check(
                "refresh",
                status,
                f"last refresh {refreshed.replace('T', ' ')} IST, {hours:.1f} h ago "
                f"(limit {limit:g} h), {int(state.get('source_rows', 0)):,} raw rows",
            )
        )

    return [*checks, *_source_check(settings)]


def _source_check(settings: Settings) -> list[Check]:
    try:
        source_engine(settings.source_url).dispose()
    except DatabaseUnavailable as exc:
        return [Check("source", WARNING, f"{exc} (the next refresh will fail)")]
    return [Check("source", OK, f"{describe(settings.source_url)} answers")]


def overall(checks: list[Check]) -> int:
    return max((c.status for c in checks), default=CRITICAL)
