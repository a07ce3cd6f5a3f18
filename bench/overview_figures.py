"""The Overview's figures — registrations and ABHA-linked by district for a period — computed
two ways, each in a process of its own so that its peak memory can be measured:

* ``naive``: what one would write without the analytics store: ``pd.read_sql`` of the whole
  registration table, then pandas (timestamps parsed, the period kept, facilities joined for
  their district, ``groupby``). It ignores the counting rules, so its totals differ from ours
  by the demo's few dirty rows.
* ``ours``: ``data_access.queries.registration_counts`` on the analytics store, as the page
  calls it.

    python -m bench.overview_figures naive|ours URL FROM TO

prints one line of JSON: the seconds the computation took (imports and start-up left out),
the registrations and districts it found, and the process's peak resident memory
(``VmHWM``). That is read by the child from ``/proc/self/status`` rather than by the parent
from ``getrusage(RUSAGE_CHILDREN)`` or ``wait4``: Linux carries a process's peak over
``fork`` and ``exec``, so those would report at least the parent's own size.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from data_access.config import PROJECT_ROOT


def naive(url: str, first: date, last: date) -> tuple[int, int]:
    import pandas as pd
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    registrations = pd.read_sql("SELECT * FROM opd_registrations", engine)
    facilities = pd.read_sql("SELECT facility_id, district_lgd FROM facilities", engine)
    at = pd.to_datetime(registrations["registered_at"], errors="coerce")
    start, stop = pd.Timestamp(first), pd.Timestamp(last) + timedelta(days=1)
    in_period = registrations[(at >= start) & (at < stop)]
    joined = in_period.merge(facilities, on="facility_id")
    joined["abha_linked"] = joined["abha_number"].notna()
    by_district = joined.groupby("district_lgd").agg(
        opd_registrations=("registration_id", "size"), abha_linked=("abha_linked", "sum")
    )
    engine.dispose()
    return int(by_district["opd_registrations"].sum()), len(by_district)


def ours(url: str, first: date, last: date) -> tuple[int, int]:
    from data_access.engines import store_engine
    from data_access.queries import Period, registration_counts

    engine = store_engine(url)
    by_district = registration_counts(engine, Period(first, last), by=["district"])
    engine.dispose()
    return int(by_district["opd_registrations"].sum()), len(by_district)


WAYS = {"naive": naive, "ours": ours}


def peak_rss_bytes() -> int:
    """This process's peak resident memory (VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def measure(way: str, url: str, first: date, last: date) -> dict:
    """Run one way in a child process: its figures, seconds and peak resident memory."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.overview_figures", way, url, str(first), str(last)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench.overview_figures {way} failed (exit {done.returncode})")
    return json.loads(done.stdout)


def main() -> None:
    way, url, first, last = sys.argv[1:5]
    # Imports (both ways need them, the database driver too) happen before the clock starts.
    import pandas  # noqa: F401
    import sqlalchemy

    import data_access.queries  # noqa: F401

    sqlalchemy.create_engine(url).dispose()

    imported = peak_rss_bytes()
    started = time.perf_counter()
    registrations, districts = WAYS[way](url, date.fromisoformat(first), date.fromisoformat(last))
    seconds = time.perf_counter() - started
    result = {
        "seconds": seconds,
        "registrations": registrations,
        "districts": districts,
        "rss_after_imports_bytes": imported,
        "peak_rss_bytes": peak_rss_bytes(),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
