"""The demo's dirty rows: a few of every kind the counting rules name, so the data-quality view
has something to show and every figure can be checked to survive them.

Each kind has a documented count (:data:`DIRTY_ROW_COUNTS`); a full run writes exactly that
many rows of each kind. Every dirty row is made from a clean *template* registration drawn
at a random facility (each facility equally likely) and a random row of it, and has exactly
one defect, so each is counted under one kind only:

``exact_duplicate``
    the template row written a second time (a replica that synced it twice).
``conflicting_duplicate``
    the template's registration_id again with a field changed: the channel (a re-sync after
    the desk corrected it) or the time by a few minutes.
``unknown_facility``
    a new registration whose facility_id is not in facilities: unregistered PHCs
    (:data:`UNREGISTERED_FACILITY_IDS`).
``null_facility``
    a new registration with facility_id NULL (the demo table has no NOT NULL constraint).
``unreadable_timestamp``
    registered_at that no engine reads as a time (:data:`UNREADABLE_TIMESTAMPS`).
``null_timestamp``
    registered_at NULL.
``future_timestamp``
    registered_at in 2036 (a device clock error), after any plausible "now".
``before_go_live``
    an otherwise valid registration 1–10 days before its facility's go-live (training and
    test registrations).
``odd_case_value``
    channel, visit_type or gender in odd case or with spaces (`` Scan_Share``, ``COUNTER ``,
    ``New``, ``FOLLOW_UP``, ``f ``): counts normally once trimmed and case-folded.
``unlisted_value``
    channel, visit_type or gender outside the lists (``walk-in``, ``referral``, ``X``).
``malformed_abha``
    abha_number not empty but not 14 digits once spaces and hyphens are removed
    (``00-1234-5678``, ``ABHA PENDING``, 13 or 15 digits): counts as not linked.
``formatted_abha``
    a valid ABHA number written with hyphens or spaces (``00-1234-5678-9012``,
    ``0012 3456 7890 12``): counts as linked. Like every demo ABHA number it starts with
    ``00`` and fails the Luhn check (see :mod:`demo.generator`).

Every new dirty registration has a registration_id of the usual shape whose sequence number
starts at :data:`DIRTY_SEQUENCE_START`, above any day's clean registrations, so it never
collides with a clean one. No dirty row falls in a calibrated facility-period
(:class:`ExcludedPeriod`): those must reproduce the published figures by plain counting.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import count

import numpy as np

from data_access.contract import CHANNELS

DIRTY_ROW_COUNTS: dict[str, int] = {
    "exact_duplicate": 40,
    "conflicting_duplicate": 30,
    "unknown_facility": 30,
    "null_facility": 10,
    "unreadable_timestamp": 25,
    "null_timestamp": 10,
    "future_timestamp": 20,
    "before_go_live": 40,
    "odd_case_value": 50,
    "unlisted_value": 30,
    "malformed_abha": 30,
    "formatted_abha": 40,
}

UNREGISTERED_FACILITY_IDS = ("IN2299999901", "IN2299999902", "IN2299999903")
UNREADABLE_TIMESTAMPS = (
    "2025-13-45 10:00:00",
    "31/02/2025",
    "not recorded",
    "2025-02-30 25:61:00",
    "",
)
FUTURE_YEAR = 2036
UNLISTED_VALUES = {
    "channel": ("walk-in", "referral", "camp"),
    "visit_type": ("referral", "emergency"),
    "gender": ("X", "U"),
}
DIRTY_SEQUENCE_START = 90_001

_COLUMNS = (
    "registration_id",
    "facility_id",
    "registered_at",
    "abha_number",
    "channel",
    "visit_type",
    "department",
    "gender",
    "age_years",
)
_ID, _FACILITY, _AT, _ABHA, _CHANNEL = 0, 1, 2, 3, 4
_FIELD = {"channel": 4, "visit_type": 5, "gender": 7}
_MAX_ATTEMPTS = 10_000

Row = list[object]


@dataclass(frozen=True)
class FacilityRows:
    """Where a facility's clean rows are: rowids first..last of opd_registrations."""

    facility_id: str
    go_live: date | None
    first_rowid: int
    last_rowid: int

    @property
    def has_rows(self) -> bool:
        return self.last_rowid >= self.first_rowid


@dataclass(frozen=True)
class ExcludedPeriod:
    """A facility-period that must hold no dirty row (a calibrated one)."""

    facility_id: str
    start: date
    end: date

    def covers(self, facility_id: object, day: date) -> bool:
        return facility_id == self.facility_id and self.start <= day <= self.end


class _Templates:
    """Random clean rows to make dirty ones from, each used once, none in an excluded period."""

    def __init__(
        self,
        connection: sqlite3.Connection,
        rng: np.random.Generator,
        facilities: Sequence[FacilityRows],
        excluded: Sequence[ExcludedPeriod],
    ) -> None:
        self.connection = connection
        self.rng = rng
        self.facilities = [f for f in facilities if f.has_rows]
        self.excluded = excluded
        self.used: set[int] = set()

    def allowed(self, facility_id: object, day: date) -> bool:
        return not any(period.covers(facility_id, day) for period in self.excluded)

    def draw(self, *, linked: bool = False, with_go_live: bool = False) -> tuple[Row, FacilityRows]:
        pool = [f for f in self.facilities if f.go_live is not None] if with_go_live else []
        pool = pool or self.facilities
        if not pool:
            raise LookupError("no clean registrations to make dirty rows from")
        for _ in range(_MAX_ATTEMPTS):
            facility = pool[int(self.rng.integers(len(pool)))]
            rowid = int(self.rng.integers(facility.first_rowid, facility.last_rowid + 1))
            if rowid in self.used:
                continue
            row = list(
                self.connection.execute(
                    f"SELECT {', '.join(_COLUMNS)} FROM opd_registrations WHERE rowid = ?",
                    (rowid,),
                ).fetchone()
            )
            if linked and row[_ABHA] is None:
                continue
            if not self.allowed(row[_FACILITY], _day(row)):
                continue
            self.used.add(rowid)
            return row, facility
        raise LookupError("found no clean registration to make a dirty row from")


def _day(row: Row) -> date:
    return date.fromisoformat(str(row[_AT])[:10])


class _Maker:
    """Builds one dirty row of each kind from a template."""

    def __init__(self, templates: _Templates, rng: np.random.Generator) -> None:
        self.templates = templates
        self.rng = rng
        self.sequence: Iterator[int] = count(DIRTY_SEQUENCE_START)

    def _pick(self, options: Sequence[str]) -> str:
        return options[int(self.rng.integers(len(options)))]

    def _new_id(self, facility_id: object, day: date) -> str:
        return f"{facility_id}-{day:%y%m%d}-{next(self.sequence):05d}"

    def _new_registration(self, *, linked: bool = False) -> Row:
        row, _ = self.templates.draw(linked=linked)
        row[_ID] = self._new_id(row[_FACILITY], _day(row))
        return row

    def exact_duplicate(self) -> list[Row]:
        row, _ = self.templates.draw()
        return [row]

    def conflicting_duplicate(self) -> list[Row]:
        row, _ = self.templates.draw()
        moment = datetime.fromisoformat(str(row[_AT]))
        later = moment + timedelta(minutes=int(self.rng.integers(1, 21)))
        if self.rng.random() < 0.35 and later.date() == moment.date():
            row[_AT] = later.strftime("%Y-%m-%d %H:%M:%S")
        else:
            row[_CHANNEL] = self._pick([c for c in CHANNELS if c != row[_CHANNEL]])
        return [row]

    def unknown_facility(self) -> list[Row]:
        row, _ = self.templates.draw()
        row[_FACILITY] = self._pick(UNREGISTERED_FACILITY_IDS)
        row[_ID] = self._new_id(row[_FACILITY], _day(row))
        return [row]

    def null_facility(self) -> list[Row]:
        row = self._new_registration()
        row[_FACILITY] = None
        return [row]

    def unreadable_timestamp(self) -> list[Row]:
        row = self._new_registration()
        row[_AT] = self._pick(UNREADABLE_TIMESTAMPS)
        return [row]

    def null_timestamp(self) -> list[Row]:
        row = self._new_registration()
        row[_AT] = None
        return [row]

    def future_timestamp(self) -> list[Row]:
        row = self._new_registration()
        row[_AT] = f"{FUTURE_YEAR}{str(row[_AT])[4:]}"
        return [row]

    def before_go_live(self) -> list[Row]:
        for _ in range(_MAX_ATTEMPTS):
            row, facility = self.templates.draw(with_go_live=True)
            if facility.go_live is None:
                break
            day = facility.go_live - timedelta(days=int(self.rng.integers(1, 11)))
            if self.templates.allowed(facility.facility_id, day):
                row[_ID] = self._new_id(facility.facility_id, day)
                row[_AT] = f"{day.isoformat()}{str(row[_AT])[10:]}"
                return [row]
        return []

    def odd_case_value(self) -> list[Row]:
        row = self._new_registration()
        fields = [name for name, index in _FIELD.items() if row[index] is not None]
        index = _FIELD[self._pick(fields)]
        value = str(row[index])
        variants = [
            value.upper(),
            value.title(),
            value.lower(),
            f"{value.upper()} ",
            f" {value.title()}",
            f"{value.lower()} ",
            f" {value}",
        ]
        row[index] = self._pick([v for v in variants if v != value])
        return [row]

    def unlisted_value(self) -> list[Row]:
        row = self._new_registration()
        name = self._pick(list(_FIELD))
        row[_FIELD[name]] = self._pick(UNLISTED_VALUES[name])
        return [row]

    def malformed_abha(self) -> list[Row]:
        row = self._new_registration(linked=True)
        number = str(row[_ABHA])
        row[_ABHA] = self._pick(
            [
                f"{number[:2]}-{number[2:6]}-{number[6:10]}",
                "ABHA PENDING",
                number[:13],
                f"{number}{number[-1]}",
                f"{number[:4]} {number[4:8]} {number[8:12]}",
            ]
        )
        return [row]

    def formatted_abha(self) -> list[Row]:
        row = self._new_registration(linked=True)
        number = str(row[_ABHA])
        row[_ABHA] = self._pick(
            [
                f"{number[:2]}-{number[2:6]}-{number[6:10]}-{number[10:]}",
                f"{number[:4]} {number[4:8]} {number[8:12]} {number[12:]}",
                f"{number[:4]}-{number[4:8]}-{number[8:12]}-{number[12:]}",
            ]
        )
        return [row]


def add_dirty_rows(
    connection: sqlite3.Connection,
    rng: np.random.Generator,
    facilities: Sequence[FacilityRows],
    excluded: Sequence[ExcludedPeriod],
    counts: dict[str, int] = DIRTY_ROW_COUNTS,
) -> dict[str, int]:
    """Append the dirty rows to opd_registrations; returns the rows written of each kind.

    ``facilities`` says where each facility's clean rows are; ``excluded`` are the
    facility-periods that must stay clean. With no clean rows at all nothing is written.
    """
    maker = _Maker(_Templates(connection, rng, facilities, excluded), rng)
    written: dict[str, int] = {}
    rows: list[Row] = []
    for kind, wanted in counts.items():
        make: Callable[[], list[Row]] = getattr(maker, kind)
        made: list[Row] = []
        try:
            while len(made) < wanted:
                new = make()
                if not new:
                    break
                made += new
        except LookupError:
            pass
        written[kind] = len(made)
        rows += made
    placeholders = ", ".join("?" * len(_COLUMNS))
    connection.executemany(f"INSERT INTO opd_registrations VALUES ({placeholders})", rows)
    return written
