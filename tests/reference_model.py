"""The counting rules of docs/contract.md, in plain Python: the oracle of the differential
tests (tests/data_access/test_differential.py).

Written from the contract alone, row by row, as simply as it can be said; it shares no
code with data_access (which it must not import) and does nothing for speed.

Input: the source's ``opd_registrations`` rows as dicts, the values as the source engine
keeps them (``registered_at``: on SQLite the text, number, blob or NULL written into it;
on PostgreSQL a ``datetime``, the text 'infinity' or '-infinity', or None); the registry
(facility_id -> ehospital_go_live, a date or None); the moment of the refresh; and the
engine ('sqlite' or 'postgresql'), because which timestamps are readable differs.
Output: :class:`Figures`, what the store and the command line must show.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

CHANNELS = ("counter", "scan_share", "abha_kiosk", "online")
VISIT_TYPES = ("new", "follow_up")
GENDERS = {"m": "M", "f": "F", "o": "O"}
EXCLUDED_KINDS = ("duplicate", "unknown_facility", "invalid_timestamp")
FLAGS = (
    "before_go_live",
    "malformed_abha",
    "nonstandard_channel",
    "nonstandard_visit_type",
    "nonstandard_gender",
)
AGE_BANDS = (("0-4", 0, 4), ("5-14", 5, 14), ("15-29", 15, 29), ("30-44", 30, 44))
AGE_BANDS += (("45-59", 45, 59), ("60+", 60, 120))

# "Which timestamps are readable" (SQLite): YYYY-MM-DD, then optionally a space or a capital
# T and HH:MM, then optionally :SS, then optionally a dot and one digit or more.
SQLITE_FORM = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"(?:[ T]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]+))?)?)?"
)
FIRST_DAY_OF_A_WINDOW = date(1900, 1, 1)
"""The refresh reads day by day from here to the day of ``now`` (``refresh.EARLIEST``); an
invalid raw value of no such day has no ``source_day``. Used for ``source_day`` only,
a detail of the store, not of the contract."""


def read_time(value: object, engine: str) -> datetime | None:
    """The time a stored ``registered_at`` value is read as; None when unreadable."""
    if engine != "sqlite":
        # PostgreSQL: a time; 'infinity' and '-infinity' (given here as that text) are none
        return value if isinstance(value, datetime) else None
    if not isinstance(value, str):
        return None  # NULL, an integer, a real, a blob
    match = SQLITE_FORM.fullmatch(value)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction = match.groups()
    hour, minute, second = int(hour or 0), int(minute or 0), int(second or 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    micro = int((fraction or "").ljust(6, "0")[:6])  # further digits dropped, not rounded
    try:
        return datetime(int(year), int(month), int(day), hour, minute, second, micro)
    except ValueError:  # no such day (30 February, 31 June, year 0)
        return None


@lru_cache(maxsize=8)
def _day_texts(last: date) -> list[str]:
    days = (last - FIRST_DAY_OF_A_WINDOW).days + 1
    return [(FIRST_DAY_OF_A_WINDOW + timedelta(days=k)).isoformat() for k in range(days)]


def raw_day(value: object, engine: str, now: datetime) -> date | None:
    """The day among those a refresh reads (1900-01-01 to now's day) whose range of raw
    values holds ``value``; None for a value in no such day's range.

    On SQLite the range of a day is text: 'YYYY-MM-DD' <= value < the next day's
    'YYYY-MM-DD' (a number sorts before all text, a blob after it: neither is in any
    day). On PostgreSQL the day of the time (±infinity is in no day)."""
    if engine != "sqlite":
        if not isinstance(value, datetime):
            return None
        inside = FIRST_DAY_OF_A_WINDOW <= value.date() <= now.date()
        return value.date() if inside else None
    if not isinstance(value, str):
        return None
    texts = _day_texts(now.date() + timedelta(days=1))  # the day after now's ends it
    at = bisect_right(texts, value) - 1  # the last day whose text is <= value
    if at < 0 or at == len(texts) - 1:
        return None
    return date.fromisoformat(texts[at])


def folded(value: str | None) -> str | None:
    """Trimmed (leading and trailing spaces) and lower case."""
    return None if value is None else value.strip(" ").lower()


def cleaned_abha(value: str | None) -> str | None:
    return None if value is None else value.replace(" ", "").replace("-", "")


def is_linked(abha: str | None) -> bool:
    cleaned = cleaned_abha(abha)
    return cleaned is not None and re.fullmatch(r"[0-9]{14}", cleaned) is not None


def age_band(age: int | None) -> str:
    for label, low, high in AGE_BANDS:
        if age is not None and low <= age <= high:
            return label
    return "unknown"


def _nulls_last(value: object) -> tuple:
    return (1, "") if value is None else (0, value)


def copy_order(row: dict, engine: str, now: datetime) -> tuple:
    """Rule 1: which copy of a registration is kept (the smallest). A valid timestamp
    first, the earliest first (an unreadable one after every time); then facility_id,
    channel and visit type folded, ABHA number cleaned, gender folded, age, department, each
    compared code point by code point (the order of their UTF-8 bytes), NULL last."""
    at = read_time(row["registered_at"], engine)
    valid = at is not None and at <= now
    keys = (
        row["facility_id"],
        folded(row["channel"]),
        folded(row["visit_type"]),
        cleaned_abha(row["abha_number"]),
        folded(row["gender"]),
        row["age_years"],
        row["department"],
    )
    return (not valid, _nulls_last(at), *map(_nulls_last, keys))


@dataclass
class Figures:
    """What the refresh and the command line must show for a source."""

    detail: dict[tuple, Counter]
    """Counted registrations by (facility_id, day, channel, visit_type, gender, age_band):
    a Counter of registrations, abha_linked and each flag."""
    excluded: Counter
    """Excluded raw rows by (day, facility_id, kind): day None for a row whose timestamp
    is not valid."""
    excluded_by_source_day: Counter
    """The same by (day, facility_id, kind, source_day): source_day, for a row whose
    timestamp is not valid, the day (see :func:`raw_day`) whose range holds its raw value."""
    source_day_is_ambiguous: bool
    """True when two copies tie on every key of rule 1 but lie in different days' ranges:
    which one is the duplicate (so the source_day of each kind) is left open by the
    contract."""
    raw_rows: int

    def daily(self) -> dict[tuple, Counter]:
        out: dict[tuple, Counter] = defaultdict(Counter)
        for (facility, day, *_), counts in self.detail.items():
            out[(facility, day)] += counts
        return dict(out)

    def counted(self, first: date | None = None, last: date | None = None) -> list[tuple]:
        """(facility_id, day, breakdown values…, counts) of the days first..last."""
        return [
            (*key, counts)
            for key, counts in self.detail.items()
            if (first is None or key[1] >= first) and (last is None or key[1] <= last)
        ]

    def totals(self, first: date, last: date, by: int | None = 0) -> dict:
        """Registrations and ABHA-linked of the period (rule 6: both days included), per
        value of the key at position ``by`` of the detail key (0: facility; None: all)."""
        out: dict = {}
        for *key, counts in self.counted(first, last):
            group = out.setdefault(
                None if by is None else key[by], {"opd_registrations": 0, "abha_linked": 0}
            )
            group["opd_registrations"] += counts["registrations"]
            group["abha_linked"] += counts["abha_linked"]
        return out

    def quality(self, first: date | None = None, last: date | None = None) -> dict[str, int]:
        """Rows of each kind of problem: excluded rows of the period's days or of no day,
        and the flags of the period's counted registrations (every day when no period)."""
        out = dict.fromkeys((*EXCLUDED_KINDS, *FLAGS), 0)
        for (day, _, kind), n in self.excluded.items():
            if day is None or first is None or first <= day <= last:
                out[kind] += n
        for *_, counts in self.counted(first, last):
            for flag in FLAGS:
                out[flag] += counts[flag]
        return out

    def quality_by_facility(self) -> Counter:
        """Every day: (facility_id as recorded, kind) -> rows, kinds with rows only."""
        out: Counter = Counter()
        for (_, facility, kind), n in self.excluded.items():
            out[(facility, kind)] += n
        for (facility, *_), counts in self.detail.items():
            for flag in FLAGS:
                if counts[flag]:
                    out[(facility, flag)] += counts[flag]
        return out


def figures(rows: list[dict], registry: dict, now: datetime, engine: str) -> Figures:
    """Rules 1-5 over the raw rows (see the module docstring)."""
    copies: dict[object, list[dict]] = defaultdict(list)
    for row in rows:  # rows without an id (None) are all copies of one another
        copies[row["registration_id"]].append(row)
    detail: dict[tuple, Counter] = defaultdict(Counter)
    excluded: Counter = Counter()
    by_source_day: Counter = Counter()
    ambiguous = False
    for group in copies.values():
        ranked = sorted(group, key=lambda r: copy_order(r, engine, now))
        first = copy_order(ranked[0], engine, now)
        tied = [r for r in ranked if copy_order(r, engine, now) == first]
        ambiguous |= len({raw_day(r["registered_at"], engine, now) for r in tied}) > 1
        for number, row in enumerate(ranked):
            at = read_time(row["registered_at"], engine)
            valid = at is not None and at <= now
            day = at.date() if valid else None
            if number > 0:
                kind = "duplicate"
            elif row["facility_id"] not in registry:  # None is never a registry id
                kind = "unknown_facility"
            elif not valid:
                kind = "invalid_timestamp"
            else:
                kind = "counted"
            if kind != "counted":
                source_day = None if valid else raw_day(row["registered_at"], engine, now)
                excluded[(day, row["facility_id"], kind)] += 1
                by_source_day[(day, row["facility_id"], kind, source_day)] += 1
                continue
            channel, visit, gender = (folded(row[c]) for c in ("channel", "visit_type", "gender"))
            abha = cleaned_abha(row["abha_number"])
            go_live = registry[row["facility_id"]]
            key = (
                row["facility_id"],
                day,
                channel if channel in CHANNELS else "other",
                visit if visit in VISIT_TYPES else "other",
                GENDERS.get(gender, "unknown"),
                age_band(row["age_years"]),
            )
            detail[key] += Counter(
                registrations=1,
                abha_linked=int(is_linked(abha)),
                before_go_live=int(go_live is not None and day < go_live),
                malformed_abha=int(bool(abha) and not is_linked(abha)),
                nonstandard_channel=int(channel not in CHANNELS),
                nonstandard_visit_type=int(visit not in VISIT_TYPES),
                nonstandard_gender=int(gender not in (None, "", *GENDERS)),
            )
    return Figures(dict(detail), excluded, by_source_day, ambiguous, len(rows))
