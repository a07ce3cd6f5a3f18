"""The key queries, timed: the Overview's figures from the analytics store (what every page
reads) and the same from the registration database (the counting rules run on raw rows).

Each query runs once on a new engine (*first*: connection included) and then ``runs``
times (*median*). Periods end on the last day of data, as the pages' default does. A query
on the source that the engine cancels (the source connection's statement timeout, on a
slow or busy machine) is recorded as such, with no time, and the run goes on.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta

import sqlalchemy as sa

from bench.data import REFRESH_NOW
from data_access.engines import source_engine, store_engine
from data_access.queries import Period, data_span, registration_counts, source_registration_counts


def _periods(last: date) -> dict[str, Period]:
    return {
        "90 days": Period(last - timedelta(days=89), last),
        "2 years": Period(last - timedelta(days=2 * 365 - 1), last),
    }


def store_queries(last: date) -> dict[str, Callable[..., object]]:
    periods = _periods(last)
    return {
        "division, last 90 days": lambda e: registration_counts(e, periods["90 days"]),
        "by district, last 90 days": lambda e: registration_counts(
            e, periods["90 days"], by=["district"]
        ),
        "by district and month, 2 years": lambda e: registration_counts(
            e, periods["2 years"], by=["district"], grain="month"
        ),
    }


def source_queries(last: date) -> dict[str, Callable[..., object]]:
    periods = _periods(last)
    return {
        "by district, last 90 days": lambda e: source_registration_counts(
            e, periods["90 days"], by=["district"], now=REFRESH_NOW
        ),
    }


def _time(open_engine: Callable, url: str, query: Callable, runs: int) -> dict[str, float]:
    started = time.perf_counter()
    engine = open_engine(url)
    try:
        query(engine)
        first = time.perf_counter() - started
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            query(engine)
            times.append(time.perf_counter() - started)
    finally:
        engine.dispose()
    return {"first": first, "median": statistics.median(times) if times else first}


def last_day(store_url: str) -> date:
    engine = store_engine(store_url)
    try:
        _, last = data_span(engine)
    finally:
        engine.dispose()
    if last is None:
        raise RuntimeError("the store holds no registrations")
    return last


def measure(source_url: str, store_url: str, runs: int, source_runs: int) -> dict[str, dict]:
    """{"store: <query>" | "source: <query>": {"first": s, "median": s}}."""
    last = last_day(store_url)
    timings = {
        f"store: {name}": _time(store_engine, store_url, query, runs)
        for name, query in store_queries(last).items()
    }
    for name, query in source_queries(last).items():
        try:
            timings[f"source: {name}"] = _time(source_engine, source_url, query, source_runs)
        except sa.exc.OperationalError as exc:  # cancelled: the statement timeout
            reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
            timings[f"source: {name}"] = {"first": None, "median": None, "error": reason}
    return timings
