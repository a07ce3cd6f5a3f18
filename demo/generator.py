"""The demo generator: a SQLite registration database that looks like NextGen e-Hospital's.

:func:`generate_demo` writes the contract's tables (``../shared/spec/registration-db.md``)
for the demo's illustrative facility list (:mod:`demo.reference`): districts, facilities,
OPD registrations, ABHA enrolments and HPR staff coverage. The registrations come from a
model of each facility, not from uniform noise:

* **Volume.** A base weekday volume per facility (DH hundreds, CH 100–200, CHC tens) times
  a weekly rhythm (Monday highest, Saturday lower, Sunday about a quarter), public holidays
  of Chhattisgarh as low as Sundays (``holidays.India(subdiv="CG")``), a monsoon rise
  (July–September, peaking mid-August), a slight growth trend and a ramp-up over the first
  weeks after the facility's e-Hospital go-live; nothing before go-live. Each day's count is
  Poisson around that, with some extra day-to-day noise and the odd outage day.
* **ABHA adoption** follows a logistic curve per facility (own start level at go-live,
  ceiling 45–80 %, midpoint and steepness). Linked registrations come through Scan & Share
  (a share rising over calendar time), the ABHA kiosk, the counter's ABHA search or online;
  unlinked ones through the counter and a few online.
* **Patients.** New and follow-up visits (follow-ups ≈ 30–40 %, more at DHs, fewer just
  after go-live); an ABHA-linked follow-up reuses the ABHA number, gender, age and
  department of a patient seen recently at that facility (a per-facility pool). Ages follow
  an Indian OPD (many children and young adults), departments depend on facility type, age
  and gender (Paediatrics under 15, Obstetrics & Gynaecology women only), times fall in OPD
  hours (mostly 08:00–14:00, peak mid-morning, a few in the evening).

**Regions.** ``region="bastar"`` (the default) writes Bastar division: seven districts, 49
facilities. ``region="state"`` writes all 33 districts of Chhattisgarh in five divisions:
Bastar's facilities exactly as in the Bastar demo (same rows for the same seed) plus the
other divisions' facilities, which go live through 2026 (:mod:`demo.reference`). Their
adoption curves differ by division (:data:`DIVISION_ADOPTION`). A facility without a go-live
date is *planned*: the registry lists it, e-Hospital does not run there, so it has no
registrations (nor does one whose go-live is after the last day). The optional ``divisions``
and ``states`` tables give the Hindi names of the region's divisions and state.

Two facility-periods are calibrated to the state's published figures exactly; see
:mod:`demo.calibration`. A small, documented number of dirty rows of every kind the
counting rules name is added afterwards, outside those periods; see :mod:`demo.dirty_rows`.

**ABHA numbers are synthetic and can never be a real person's.** Every one is 14 digits
starting with ``00`` (real ABHA numbers start with 91 or another non-zero prefix) and its
last digit is chosen so that the number *fails* the Luhn check (sandbox samples suggest real
numbers pass it). :func:`luhn_is_valid` is the check.

The run is deterministic for a seed: every facility draws from its own generator, seeded
from ``(seed, CRC-32 of its facility ID)``, so a facility's registrations are the same
whether it is generated alone or with all the others.
"""

from __future__ import annotations

import math
import os
import sqlite3
import tempfile
import time
import zlib
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from itertools import repeat
from pathlib import Path

import holidays
import numpy as np
import pandas as pd
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.schema import CreateIndex, CreateTable

from data_access.config import DEMO_DB_NAME
from data_access.contract import CHANNELS, VISIT_TYPES, source_metadata
from demo import calibration, dirty_rows
from demo.reference import REGIONS, load_region

ProgressCallback = Callable[[int, int, str], None]

_EPOCH = date(1970, 1, 1)
TREND_REFERENCE_DAY = date(2024, 4, 1)
"""Growth is measured from this day; fixed so a facility's model does not depend on the range."""

# Expected volume relative to an ordinary Wednesday; index 0 is Monday.
WEEKDAY_FACTORS = np.array([1.20, 1.05, 1.00, 0.98, 0.96, 0.84, 0.25])
HOLIDAY_FACTOR = 0.25
MONSOON_PEAK_DAY_OF_YEAR = 227  # mid-August
MONSOON_WIDTH_DAYS = 32.0
DAILY_NOISE_SHAPE = 60.0  # gamma noise on each day's expected volume: about 13 % spread
OUTAGE_RATE = 0.004  # share of days when the system was down for part of the day

BASE_WEEKDAY_VOLUME = {"DH": (300.0, 560.0), "CH": (110.0, 175.0), "CHC": (22.0, 60.0)}
FOLLOW_UP_SHARE = {"DH": (0.37, 0.42), "CH": (0.33, 0.38), "CHC": (0.29, 0.35)}
KIOSK_SHARE = {"DH": (0.25, 0.45), "CH": (0.25, 0.40), "CHC": (0.08, 0.25)}
ONLINE_SHARE_OF_LINKED = 0.04
SCAN_SHARE_MIDPOINT = date(2025, 3, 1)
SCAN_SHARE_SCALE_DAYS = 70.0

GENDERS = ("F", "M", "O", None)
GENDER_SHARES = (0.52, 0.468, 0.002, 0.01)
AGE_NULL_SHARE = 0.003
# (youngest, oldest, share) of an Indian OPD's patients
AGE_BANDS = (
    (0, 4, 0.11),
    (5, 14, 0.12),
    (15, 24, 0.14),
    (25, 34, 0.17),
    (35, 44, 0.14),
    (45, 54, 0.12),
    (55, 64, 0.10),
    (65, 74, 0.07),
    (75, 84, 0.025),
    (85, 95, 0.005),
)

DEPARTMENTS = (
    "Medicine",
    "Paediatrics",
    "Obstetrics & Gynaecology",
    "Surgery",
    "Orthopaedics",
    "Ophthalmology",
    "ENT",
    "Dental",
    "Dermatology",
    "Psychiatry",
    "TB & Chest",
    "AYUSH",
)
DEPARTMENTS_BY_TYPE = {
    "DH": DEPARTMENTS,
    "CH": (
        "Medicine",
        "Paediatrics",
        "Obstetrics & Gynaecology",
        "Surgery",
        "Orthopaedics",
        "Ophthalmology",
        "Dental",
        "AYUSH",
    ),
    "CHC": ("Medicine", "Paediatrics", "Obstetrics & Gynaecology", "Dental", "AYUSH"),
}
# Relative weights of the departments for each patient group; a facility keeps the
# departments it has. Obstetrics & Gynaecology is for women only (fixed up after sampling).
DEPARTMENT_WEIGHTS = {
    "child": {
        "Paediatrics": 82, "ENT": 4, "Ophthalmology": 3, "Dental": 4, "Dermatology": 3,
        "Surgery": 2, "Orthopaedics": 2,
    },
    "woman_15_49": {
        "Obstetrics & Gynaecology": 38, "Medicine": 30, "Surgery": 4, "Orthopaedics": 3,
        "Ophthalmology": 3, "ENT": 4, "Dental": 5, "Dermatology": 5, "Psychiatry": 1.5,
        "TB & Chest": 2, "AYUSH": 4,
    },
    "adult": {
        "Medicine": 46, "Surgery": 9, "Orthopaedics": 9, "Ophthalmology": 5, "ENT": 5,
        "Dental": 6, "Dermatology": 6, "Psychiatry": 2.5, "TB & Chest": 5, "AYUSH": 5,
        "Obstetrics & Gynaecology": 2,
    },
    "elderly": {
        "Medicine": 48, "Ophthalmology": 14, "Orthopaedics": 12, "Surgery": 7, "ENT": 4,
        "Dental": 3, "Dermatology": 3, "Psychiatry": 1, "TB & Chest": 5, "AYUSH": 4,
        "Obstetrics & Gynaecology": 1,
    },
}  # fmt: skip

STAFF_CADRES = ("doctor", "nurse", "pharmacist", "lab_technician")
STAFF_IN_POST = {
    "DH": {"doctor": (25, 60), "nurse": (60, 150), "pharmacist": (4, 8), "lab_technician": (5, 12)},
    "CH": {"doctor": (10, 20), "nurse": (25, 45), "pharmacist": (2, 4), "lab_technician": (2, 5)},
    "CHC": {"doctor": (3, 8), "nurse": (8, 20), "pharmacist": (1, 3), "lab_technician": (1, 3)},
}
HPR_COVERAGE_BY_TYPE = {"DH": (0.65, 0.9), "CH": (0.5, 0.75), "CHC": (0.3, 0.6)}
HPR_COVERAGE_BY_CADRE = {"doctor": 1.1, "nurse": 0.85, "pharmacist": 0.95, "lab_technician": 0.8}

# Adoption by division, for the divisions after Bastar: (adoption at go-live, the curve's
# midpoint in days after go-live), each a range. A facility's own draws within Bastar's
# ranges (0.02–0.10 and 100–330 days, draw_facility_model) are mapped onto its division's
# ranges, so its place within the range is kept. Raipur, the capital's division, starts
# higher and rises sooner than Bastar did; Surguja, the northern hill division, starts lower
# and rises later. Bastar's facilities are left as drawn.
DIVISION_ADOPTION: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    "Raipur": ((0.05, 0.12), (100.0, 260.0)),
    "Durg": ((0.03, 0.10), (120.0, 320.0)),
    "Bilaspur": ((0.02, 0.08), (140.0, 340.0)),
    "Surguja": ((0.01, 0.05), (220.0, 400.0)),
}
_DRAWN_ADOPTION_START = (0.02, 0.10)
_DRAWN_ADOPTION_MIDPOINT = (100.0, 330.0)

DEMO_FILE_NAMES = {"bastar": DEMO_DB_NAME, "state": "demo-registrations-state.sqlite"}
"""The default file of each region's demo, in the data folder."""

_INSERT_REGISTRATION = "INSERT INTO opd_registrations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"


@dataclass(frozen=True)
class DemoSummary:
    """What one run wrote."""

    path: Path
    seed: int
    start: date
    end: date
    facilities: int
    days: int
    registration_rows: int
    """Rows of opd_registrations, dirty rows included."""
    registrations: int
    """Clean registrations the model generated (each a distinct registration_id)."""
    abha_linked: int
    """Of those, ABHA-linked."""
    abha_enrolment_rows: int
    facility_staff_rows: int
    dirty_rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    region: str = "bastar"
    not_live: int = 0
    """Facilities with no registrations: planned (no go-live) or going live after the end."""

    @property
    def dirty_row_total(self) -> int:
        return sum(self.dirty_rows.values())


# --- the calendar ---------------------------------------------------------------------------


def day_number(day: date) -> int:
    """Days since 1970-01-01: the generator's day axis."""
    return (day - _EPOCH).days


def day_of(number: int) -> date:
    return _EPOCH + timedelta(days=int(number))


class Calendar:
    """Weekdays and Chhattisgarh's public holidays over the generator's day axis."""

    def __init__(self, first_year: int, last_year: int) -> None:
        days = holidays.India(subdiv="CG", years=range(first_year, last_year + 1))
        self.holidays = np.array(sorted(day_number(d) for d in days), dtype=np.int64)

    def weekday(self, days: np.ndarray) -> np.ndarray:
        return (days + 3) % 7  # 1970-01-01 was a Thursday; 0 is Monday

    def rhythm(self, days: np.ndarray) -> np.ndarray:
        """Weekday factor, with a public holiday as low as a Sunday."""
        factor = WEEKDAY_FACTORS[self.weekday(days)]
        return np.where(np.isin(days, self.holidays), np.minimum(factor, HOLIDAY_FACTOR), factor)


def _day_of_year(days: np.ndarray) -> np.ndarray:
    as_dates = days.astype("datetime64[D]")
    return (as_dates - as_dates.astype("datetime64[Y]")).astype(np.int64) + 1


def _logistic(x: np.ndarray | float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


# --- the facility model ---------------------------------------------------------------------


@dataclass(frozen=True)
class FacilityModel:
    """The parameters that make one facility's registrations; all rates are per day."""

    facility_id: str
    name: str
    facility_type: str
    go_live: int | None  # day number; None: live before the data starts
    base_volume: float  # expected registrations on an ordinary Wednesday at the reference day
    growth_per_year: float
    monsoon_amplitude: float
    ramp_days: float
    adoption_start: float
    adoption_ceiling: float
    adoption_midpoint: float  # days after go-live
    adoption_steepness: float
    follow_up_share: float
    scan_share_ceiling: float
    scan_share_midpoint: int  # day number
    kiosk_share: float

    def days_live(self, days: np.ndarray) -> np.ndarray:
        origin = day_number(TREND_REFERENCE_DAY) if self.go_live is None else self.go_live
        return days - origin

    def volume_shape(self, days: np.ndarray, calendar: Calendar) -> np.ndarray:
        """Expected daily volume for a base volume of 1; zero before go-live."""
        years = (days - day_number(TREND_REFERENCE_DAY)) / 365.25
        distance = (_day_of_year(days) - MONSOON_PEAK_DAY_OF_YEAR) / MONSOON_WIDTH_DAYS
        monsoon = 1.0 + self.monsoon_amplitude * np.exp(-(distance**2))
        live = self.days_live(days)
        ramp = np.where(live >= 0, 1.0 - 0.8 * np.exp(-np.maximum(live, 0) / self.ramp_days), 0.0)
        if self.go_live is None:
            ramp = np.ones(len(days))
        return calendar.rhythm(days) * monsoon * np.exp(self.growth_per_year * years) * ramp

    def expected_volume(self, days: np.ndarray, calendar: Calendar) -> np.ndarray:
        return self.base_volume * self.volume_shape(days, calendar)

    def abha_share(self, days: np.ndarray, midpoint: float | None = None) -> np.ndarray:
        """The logistic adoption curve, exactly ``adoption_start`` at go-live."""
        midpoint = self.adoption_midpoint if midpoint is None else midpoint
        live = np.maximum(self.days_live(days), 0)
        at_go_live = _logistic(-self.adoption_steepness * midpoint)
        rise = (_logistic(self.adoption_steepness * (live - midpoint)) - at_go_live) / (
            1.0 - at_go_live
        )
        return self.adoption_start + (self.adoption_ceiling - self.adoption_start) * rise

    def follow_up_probability(self, days: np.ndarray) -> np.ndarray:
        """Follow-ups need patients seen before: few just after go-live."""
        live = np.maximum(self.days_live(days), 0)
        return self.follow_up_share * (1.0 - np.exp(-live / 40.0))

    def scan_share_probability(self, days: np.ndarray) -> np.ndarray:
        """Of ABHA-linked registrations, the share through Scan & Share."""
        return self.scan_share_ceiling * _logistic(
            (days - self.scan_share_midpoint) / SCAN_SHARE_SCALE_DAYS
        )


def _facility_rng(seed: int, facility_id: str, stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(facility_id.encode()), stream])


def draw_facility_model(facility: pd.Series, rng: np.random.Generator) -> FacilityModel:
    """A facility's parameters, drawn within its type's ranges."""
    kind = facility["facility_type"] if facility["facility_type"] in BASE_WEEKDAY_VOLUME else "CHC"
    go_live = facility["ehospital_go_live"]
    go_live_day = None if go_live is None or pd.isna(go_live) else day_number(go_live)
    scan_share_midpoint = day_number(SCAN_SHARE_MIDPOINT) + int(rng.normal(0, 75))
    if go_live_day is not None:
        scan_share_midpoint = max(scan_share_midpoint, go_live_day + 45)
    return FacilityModel(
        facility_id=facility["facility_id"],
        name=facility["name_en"],
        facility_type=facility["facility_type"],
        go_live=go_live_day,
        base_volume=rng.uniform(*BASE_WEEKDAY_VOLUME[kind]),
        growth_per_year=rng.uniform(0.03, 0.08),
        monsoon_amplitude=rng.uniform(0.15, 0.30),
        ramp_days=rng.uniform(6.0, 16.0),
        adoption_start=rng.uniform(0.02, 0.10),
        adoption_ceiling=rng.uniform(0.45, 0.80),
        adoption_midpoint=rng.uniform(100.0, 330.0),
        adoption_steepness=rng.uniform(0.012, 0.035),
        follow_up_share=rng.uniform(*FOLLOW_UP_SHARE[kind]),
        scan_share_ceiling=rng.uniform(0.55, 0.80),
        scan_share_midpoint=scan_share_midpoint,
        kiosk_share=rng.uniform(*KIOSK_SHARE[kind]),
    )


def with_division_adoption(model: FacilityModel, division: str) -> FacilityModel:
    """The model with its adoption start and midpoint moved into its division's ranges.

    A division without an entry in :data:`DIVISION_ADOPTION` (Bastar) keeps the model.
    """
    if division not in DIVISION_ADOPTION:
        return model
    (start_low, start_high), (mid_low, mid_high) = DIVISION_ADOPTION[division]

    def mapped(value: float, drawn: tuple[float, float], low: float, high: float) -> float:
        return low + (value - drawn[0]) / (drawn[1] - drawn[0]) * (high - low)

    return replace(
        model,
        adoption_start=mapped(model.adoption_start, _DRAWN_ADOPTION_START, start_low, start_high),
        adoption_midpoint=mapped(
            model.adoption_midpoint, _DRAWN_ADOPTION_MIDPOINT, mid_low, mid_high
        ),
    )


def calibrate_facility_model(
    model: FacilityModel, figure: calibration.PublishedFigure, calendar: Calendar
) -> FacilityModel:
    """The model refitted so its *expected* figures over the period equal the published ones.

    The base volume is scaled so the expected registrations of the period equal the
    published total; the adoption ceiling is kept above the published share and the
    adoption midpoint solved so the volume-weighted mean adoption over the period equals
    it. (Should a late go-live leave the curve too little time, its steepness is raised.)
    """
    days = np.arange(day_number(figure.period_start), day_number(figure.period_end) + 1)
    shape = model.volume_shape(days, calendar)
    target_share = figure.abha_share
    model = replace(
        model,
        base_volume=calibration.fit_base_volume(shape, figure.registrations),
        adoption_ceiling=max(model.adoption_ceiling, min(0.80, target_share + 0.10)),
        adoption_start=min(model.adoption_start, target_share / 2),
    )
    for _ in range(6):
        fitted = model

        def period_share(midpoint: float, fitted: FacilityModel = fitted) -> float:
            return float(np.average(fitted.abha_share(days, midpoint), weights=shape))

        try:
            midpoint = calibration.fit_adoption_midpoint(period_share, target_share)
        except ValueError:
            model = replace(model, adoption_steepness=model.adoption_steepness * 2)
            continue
        return replace(model, adoption_midpoint=midpoint)
    raise ValueError(f"{model.name}: cannot fit the adoption curve to {figure}")


def with_volume_scale(
    model: FacilityModel, figure: calibration.PublishedFigure | None, volume_scale: float
) -> tuple[FacilityModel, calibration.PublishedFigure | None]:
    """The model with ``volume_scale`` times its volume, and its period's totals to match."""
    model = replace(model, base_volume=model.base_volume * volume_scale)
    if figure is not None:
        figure = replace(
            figure,
            registrations=round(figure.registrations * volume_scale),
            abha_linked=round(figure.abha_linked * volume_scale),
        )
    return model, figure


# --- registrations of one facility ---------------------------------------------------------


@dataclass
class FacilityRegistrations:
    """One facility's generated rows, as columns ready for ``executemany``."""

    registration_id: list[str]
    registered_at: list[str]
    abha_number: list[str | None]
    channel: list[str]
    visit_type: list[str]
    department: list[str]
    gender: list[str | None]
    age_years: list[int | None]
    enrolments: list[tuple[str, str, int]]
    linked: int

    def __len__(self) -> int:
        return len(self.registration_id)

    def rows(self, facility_id: str):
        return zip(
            self.registration_id,
            repeat(facility_id),
            self.registered_at,
            self.abha_number,
            self.channel,
            self.visit_type,
            self.department,
            self.gender,
            self.age_years,
            strict=False,
        )


class _Strings:
    """Lookup tables that turn numbers into the text the database holds, built once."""

    def __init__(self) -> None:
        self.sequence = [f"{i:05d}" for i in range(100_000)]
        self.clock = [f" {s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}" for s in range(86_400)]


def _registration_seconds(rng: np.random.Generator, n: int) -> np.ndarray:
    """Seconds after midnight: mostly 08:00–14:00 peaking mid-morning, some afternoon/evening."""
    part = rng.random(n)
    morning = 8 + 6 * rng.beta(2.0, 3.5, n)
    afternoon = 14 + 3 * rng.beta(1.0, 1.5, n)
    evening = 17 + 3 * rng.beta(1.5, 2.5, n)
    hours = np.where(part < 0.92, morning, np.where(part < 0.97, afternoon, evening))
    return np.minimum((hours * 3600).astype(np.int64), 86_399)


def _ages(rng: np.random.Generator, n: int) -> np.ndarray:
    lows = np.array([band[0] for band in AGE_BANDS])
    spans = np.array([band[1] - band[0] + 1 for band in AGE_BANDS])
    band = rng.choice(len(AGE_BANDS), size=n, p=[b[2] for b in AGE_BANDS])
    return lows[band] + (rng.random(n) * spans[band]).astype(np.int64)


def _departments(
    rng: np.random.Generator, facility_type: str, ages: np.ndarray, genders: np.ndarray
) -> np.ndarray:
    """Department codes (indexes into DEPARTMENTS) by facility type, age group and gender."""
    offered = DEPARTMENTS_BY_TYPE.get(facility_type, DEPARTMENTS_BY_TYPE["CHC"])
    woman = genders == 0
    groups = {
        "child": ages < 15,
        "woman_15_49": woman & (ages >= 15) & (ages <= 49),
        "elderly": ages >= 60,
    }
    groups["adult"] = ~(groups["child"] | groups["woman_15_49"] | groups["elderly"])
    codes = np.zeros(len(ages), dtype=np.int64)
    for group, members in groups.items():
        weights = DEPARTMENT_WEIGHTS[group]
        names = [name for name in offered if weights.get(name, 0) > 0]
        if not names:
            names = ["Medicine"]
        p = np.array([weights.get(name, 1.0) for name in names], dtype=float)
        index = np.array([DEPARTMENTS.index(name) for name in names])
        codes[members] = index[rng.choice(len(names), size=int(members.sum()), p=p / p.sum())]
    gynaecology, medicine = (
        DEPARTMENTS.index("Obstetrics & Gynaecology"),
        DEPARTMENTS.index("Medicine"),
    )
    codes[(codes == gynaecology) & ~woman] = medicine
    return codes


def synthetic_abha_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` distinct synthetic ABHA numbers as integers below 10**12 (text: ``f"{x:014d}"``).

    As text each is ``00`` followed by 12 digits, and the last digit is chosen to make the
    number fail the Luhn check, so no synthetic number can be a real person's.
    """
    payload = rng.integers(0, 10**11, size=n, dtype=np.int64)
    while True:
        _, first = np.unique(payload, return_index=True)
        repeated = np.setdiff1d(np.arange(n), first)
        if len(repeated) == 0:
            break
        payload[repeated] = rng.integers(0, 10**11, size=len(repeated), dtype=np.int64)
    valid_check = _luhn_check_digit(payload)
    failing_check = (valid_check + rng.integers(1, 10, size=n)) % 10
    return payload * 10 + failing_check


def _luhn_check_digit(payload: np.ndarray) -> np.ndarray:
    """The digit that, appended to each payload, would make it pass the Luhn check."""
    total = np.zeros(len(payload), dtype=np.int64)
    rest = payload.copy()
    position = 0
    while position < 13:
        digit = rest % 10
        rest //= 10
        if position % 2 == 0:  # doubled: every second digit counting from the check digit
            digit = digit * 2
            digit = np.where(digit > 9, digit - 9, digit)
        total += digit
        position += 1
    return (10 - total % 10) % 10


def luhn_is_valid(number: str) -> bool:
    """Whether a string of digits passes the Luhn check."""
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        if position % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def _abha_for_patients(
    rng: np.random.Generator,
    linked: np.ndarray,
    follow_up: np.ndarray,
    day_index: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """ABHA numbers for the linked rows, and for each row the row whose patient it is.

    Rows are in time order. A linked new visit is a new patient with a fresh number; a
    linked follow-up is a patient seen before: it takes the number of one of the recent
    new patients (about three weeks back on average). Follow-ups before the facility's first
    linked new patient count as new patients.
    """
    n = len(linked)
    fresh = linked & ~follow_up
    if fresh.any():
        fresh |= linked & (np.arange(n) < int(np.argmax(fresh)))
    else:
        fresh = linked.copy()
    fresh_rows = np.flatnonzero(fresh)
    numbers = np.zeros(n, dtype=np.int64)
    numbers[fresh_rows] = synthetic_abha_numbers(rng, len(fresh_rows))
    patient_row = np.arange(n)
    returning = np.flatnonzero(linked & ~fresh)
    if len(returning):
        fresh_before = np.cumsum(fresh) - fresh
        days_active = max(int(day_index[-1] - day_index[0]) + 1, 1)
        mean_back = 21 * len(fresh_rows) / days_active
        back = np.floor(rng.exponential(max(mean_back, 1.0), size=len(returning))).astype(int)
        source = np.maximum(fresh_before[returning] - 1 - back, 0)
        patient_row[returning] = fresh_rows[source]
        numbers[returning] = numbers[fresh_rows[source]]
    return numbers, patient_row


def generate_facility(
    model: FacilityModel,
    days: np.ndarray,
    calendar: Calendar,
    rng: np.random.Generator,
    strings: _Strings,
    figure: calibration.PublishedFigure | None = None,
) -> FacilityRegistrations:
    """All clean registrations of one facility over ``days`` (consecutive day numbers).

    When ``figure`` covers days wholly inside ``days``, that period is drawn exactly to the
    published figures (see :mod:`demo.calibration`); elsewhere each day is Poisson around
    the model's expected volume with extra day-to-day noise.
    """
    expected = model.expected_volume(days, calendar)
    noise = rng.gamma(DAILY_NOISE_SHAPE, 1 / DAILY_NOISE_SHAPE, size=len(days))
    outage = rng.random(len(days)) < OUTAGE_RATE
    noise[outage] *= rng.uniform(0.05, 0.4, size=int(outage.sum()))
    counts = rng.poisson(expected * noise)
    if counts.max(initial=0) >= dirty_rows.DIRTY_SEQUENCE_START:
        raise ValueError(
            f"{model.name}: {counts.max():,} registrations in a day; a day's sequence numbers "
            f"stop below {dirty_rows.DIRTY_SEQUENCE_START:,} (lower the volume scale)"
        )

    calibrated_days = np.zeros(len(days), dtype=bool)
    if figure is not None:
        first, last = day_number(figure.period_start), day_number(figure.period_end)
        if days[0] <= first and last <= days[-1]:
            calibrated_days = (days >= first) & (days <= last)
            counts[calibrated_days] = calibration.allocate_registrations(
                rng, figure.registrations, expected[calibrated_days]
            )

    n = int(counts.sum())
    day_index = np.repeat(np.arange(len(days)), counts)
    seconds = _registration_seconds(rng, n)
    seconds = seconds[np.lexsort((seconds, day_index))]
    sequence = np.arange(n) - np.repeat(np.cumsum(counts) - counts, counts) + 1

    share = model.abha_share(days)[day_index]
    linked = rng.random(n) < share
    calibrated_rows = calibrated_days[day_index]
    if calibrated_rows.any():
        assert figure is not None
        linked[calibrated_rows] = calibration.choose_linked(
            rng, figure.abha_linked, share[calibrated_rows]
        )
    follow_up = rng.random(n) < model.follow_up_probability(days)[day_index]

    genders = rng.choice(len(GENDERS), size=n, p=GENDER_SHARES)
    ages = _ages(rng, n)
    departments = _departments(rng, model.facility_type, ages, genders)
    age_missing = rng.random(n) < AGE_NULL_SHARE

    numbers, patient_row = _abha_for_patients(rng, linked, follow_up, day_index)
    returning = patient_row != np.arange(n)
    source = patient_row[returning]
    genders[returning] = genders[source]
    departments[returning] = departments[source]
    age_missing[returning] = age_missing[source]
    years_since = (day_index[returning] - day_index[source]) // 365
    ages[returning] = np.minimum(ages[source] + years_since, 95)

    channels = _channels(rng, model, days, day_index, linked)

    day_text = [day_of(d).isoformat() for d in days]
    id_prefix = [f"{model.facility_id}-{day_of(d):%y%m%d}-" for d in days]
    day_list, sequence_list = day_index.tolist(), sequence.tolist()
    abha = np.full(n, None, dtype=object)
    abha[linked] = [f"{x:014d}" for x in numbers[linked].tolist()]
    age_values = ages.astype(object)
    age_values[age_missing] = None

    new_unlinked = np.bincount(day_index[~linked & ~follow_up], minlength=len(days))
    live = np.maximum(model.days_live(days), 0)
    enrolment_rate = 0.03 + 0.12 * np.exp(-live / 90.0)
    enrolled = rng.binomial(new_unlinked, enrolment_rate)
    enrolments = [
        (model.facility_id, day_text[i], int(enrolled[i])) for i in np.flatnonzero(enrolled)
    ]

    return FacilityRegistrations(
        registration_id=[
            id_prefix[d] + strings.sequence[s] for d, s in zip(day_list, sequence_list, strict=True)
        ],
        registered_at=[
            day_text[d] + strings.clock[s] for d, s in zip(day_list, seconds.tolist(), strict=True)
        ],
        abha_number=abha.tolist(),
        channel=np.array(CHANNELS, dtype=object)[channels].tolist(),
        visit_type=np.array(VISIT_TYPES, dtype=object)[follow_up.astype(np.int64)].tolist(),
        department=np.array(DEPARTMENTS, dtype=object)[departments].tolist(),
        gender=np.array(GENDERS, dtype=object)[genders].tolist(),
        age_years=age_values.tolist(),
        enrolments=enrolments,
        linked=int(linked.sum()),
    )


def _channels(
    rng: np.random.Generator,
    model: FacilityModel,
    days: np.ndarray,
    day_index: np.ndarray,
    linked: np.ndarray,
) -> np.ndarray:
    """Channel codes (indexes into CHANNELS: counter, scan_share, abha_kiosk, online)."""
    n = len(linked)
    u = rng.random(n)
    scan = model.scan_share_probability(days)[day_index]
    kiosk = scan + (1 - scan) * model.kiosk_share
    online = kiosk + (1 - scan) * ONLINE_SHARE_OF_LINKED
    linked_code = np.where(u < scan, 1, np.where(u < kiosk, 2, np.where(u < online, 3, 0)))
    years = (days - day_number(TREND_REFERENCE_DAY)) / 365.25
    online_unlinked = np.clip(0.02 + 0.015 * years, 0.02, 0.07)[day_index]
    unlinked_code = np.where(u < online_unlinked, 3, 0)
    return np.where(linked, linked_code, unlinked_code)


# --- staff ------------------------------------------------------------------------------------


def facility_staff_rows(facility_id: str, facility_type: str, rng: np.random.Generator):
    """HPR coverage per cadre: staff in post, and of them registered on HPR."""
    kind = facility_type if facility_type in STAFF_IN_POST else "CHC"
    coverage = rng.uniform(*HPR_COVERAGE_BY_TYPE[kind])
    rows = []
    for cadre in STAFF_CADRES:
        low, high = STAFF_IN_POST[kind][cadre]
        working = int(rng.integers(low, high + 1))
        rate = min(1.0, coverage * HPR_COVERAGE_BY_CADRE[cadre] * rng.uniform(0.9, 1.1))
        rows.append((facility_id, cadre, working, int(rng.binomial(working, rate))))
    return rows


# --- the database -----------------------------------------------------------------------------


def _create_tables(connection: sqlite3.Connection) -> list[str]:
    """The contract's tables without keys; returns the index DDL to run after the load."""
    dialect = sqlite_dialect.dialect()
    indexes = []
    for table in source_metadata(with_keys=False).sorted_tables:
        connection.execute(str(CreateTable(table).compile(dialect=dialect)))
        indexes += [str(CreateIndex(index).compile(dialect=dialect)) for index in table.indexes]
    return indexes


def _none_if_missing(value: object) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _insert_reference_tables(
    connection: sqlite3.Connection, tables: dict[str, pd.DataFrame]
) -> None:
    """The reference tables (districts, facilities, divisions, states), contract columns only."""
    for table, frame in tables.items():
        columns = [c.name for c in source_metadata().tables[table].columns]
        connection.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            [
                tuple(_none_if_missing(value) for value in row)
                for row in frame[columns].itertuples(index=False, name=None)
            ],
        )


def _select_facilities(
    facilities: pd.DataFrame, facility_ids: Collection[str] | None
) -> pd.DataFrame:
    if facility_ids is None:
        return facilities
    wanted = set(facility_ids)
    unknown = wanted - set(facilities["facility_id"])
    if unknown:
        raise ValueError(f"unknown facility_id(s): {', '.join(sorted(unknown))}")
    return facilities.loc[facilities["facility_id"].isin(wanted)]


def generate_demo(
    out: Path,
    *,
    seed: int = 2025,
    force: bool = False,
    start: date = date(2024, 4, 1),
    end: date = date(2026, 10, 31),
    facility_ids: Collection[str] | None = None,
    progress: ProgressCallback | None = None,
    volume_scale: float = 1.0,
    region: str = "bastar",
) -> DemoSummary:
    """Write the demo registration database to ``out`` and say what it holds.

    Refuses to overwrite ``out`` unless ``force``. The database is written to a temporary
    file beside ``out`` and renamed at the end, so an interrupted run leaves no half-written
    database under ``out``. ``facility_ids`` limits the run (and the facilities table) to
    some facilities, for small, fast runs. ``progress(done, total, label)`` is called after
    each facility and at the end.

    ``volume_scale`` multiplies every facility's expected daily volume, after calibration:
    the same facilities with more (or fewer) registrations a day, for benchmarks at other
    sizes (``bench/``). At 1.0 the run is exactly the calibrated demo. **At any other scale
    the published figures are not reproduced**: the two calibrated facility-periods are
    drawn to the published totals times the scale (rounded), and everything else scales in
    expectation. The dirty rows keep their documented counts.

    ``region`` is ``"bastar"`` (Bastar division, the default) or ``"state"`` (all of
    Chhattisgarh); see the module's documentation.
    """
    began = time.perf_counter()
    out = Path(out)
    if out.exists() and not force:
        raise FileExistsError(f"{out} already exists; pass --force to overwrite it")
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    if not volume_scale > 0:
        raise ValueError(f"volume_scale must be above 0, not {volume_scale}")
    if region not in REGIONS:
        raise ValueError(f"unknown region {region!r}; choose one of {', '.join(REGIONS)}")
    out.parent.mkdir(parents=True, exist_ok=True)

    reference = load_region(region)
    districts = reference.districts
    facilities = _select_facilities(reference.facilities, facility_ids)
    division_of = dict(zip(districts["lgd_code"], districts["division"], strict=True))
    figures = {figure.facility_name: figure for figure in calibration.PUBLISHED_FIGURES}
    first_year = min(start.year, *(f.period_start.year for f in figures.values()))
    last_year = max(end.year, *(f.period_end.year for f in figures.values()))
    calendar = Calendar(first_year, last_year)
    days = np.arange(day_number(start), day_number(end) + 1, dtype=np.int64)
    strings = _Strings()
    total_steps = len(facilities) + 1

    handle, temp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(handle)
    temp_path = Path(temp_name)
    try:
        connection = sqlite3.connect(temp_path, isolation_level=None)
        try:
            connection.execute("PRAGMA journal_mode=OFF")
            connection.execute("PRAGMA synchronous=OFF")
            connection.execute("BEGIN")
            index_ddl = _create_tables(connection)
            _insert_reference_tables(
                connection,
                {
                    "districts": districts,
                    "facilities": facilities,
                    "divisions": reference.divisions,
                    "states": reference.states,
                },
            )

            registrations = linked = enrolment_rows = staff_rows = not_live = 0
            placed: list[dirty_rows.FacilityRows] = []
            calibrated: list[dirty_rows.ExcludedPeriod] = []
            for done, facility in enumerate((row for _, row in facilities.iterrows()), start=1):
                facility_id = facility["facility_id"]
                go_live = facility["ehospital_go_live"]
                go_live = None if go_live is None or pd.isna(go_live) else go_live
                staff = facility_staff_rows(
                    facility_id, facility["facility_type"], _facility_rng(seed, facility_id, 2)
                )
                if go_live is None or go_live > end:  # planned, or live after the data ends
                    connection.executemany("INSERT INTO facility_staff VALUES (?, ?, ?, ?)", staff)
                    staff_rows += len(staff)
                    not_live += 1
                    if progress is not None:
                        progress(done, total_steps, facility["name_en"])
                    continue
                model = draw_facility_model(facility, _facility_rng(seed, facility_id, 0))
                model = with_division_adoption(model, division_of[facility["district_lgd"]])
                figure = figures.get(facility["name_en"])
                if figure is not None:
                    model = calibrate_facility_model(model, figure, calendar)
                    calibrated.append(
                        dirty_rows.ExcludedPeriod(
                            facility_id, figure.period_start, figure.period_end
                        )
                    )
                if volume_scale != 1.0:
                    model, figure = with_volume_scale(model, figure, volume_scale)
                generated = generate_facility(
                    model, days, calendar, _facility_rng(seed, facility_id, 1), strings, figure
                )
                first_rowid = registrations + 1
                connection.executemany(_INSERT_REGISTRATION, generated.rows(facility_id))
                connection.executemany(
                    "INSERT INTO abha_enrolments VALUES (?, ?, ?)", generated.enrolments
                )
                connection.executemany("INSERT INTO facility_staff VALUES (?, ?, ?, ?)", staff)
                registrations += len(generated)
                linked += generated.linked
                enrolment_rows += len(generated.enrolments)
                staff_rows += len(staff)
                placed.append(
                    dirty_rows.FacilityRows(facility_id, go_live, first_rowid, registrations)
                )
                if progress is not None:
                    progress(done, total_steps, facility["name_en"])

            dirty = dirty_rows.add_dirty_rows(
                connection, np.random.default_rng([seed, 0xD1287]), placed, calibrated
            )
            connection.execute("COMMIT")
            for ddl in index_ddl:
                connection.execute(ddl)
        finally:
            connection.close()
        temp_path.chmod(0o644)  # mkstemp makes it private; the database is not
        os.replace(temp_path, out)
    except BaseException:
        temp_path.unlink(missing_ok=True)
        raise
    if progress is not None:
        progress(total_steps, total_steps, "indexes")

    return DemoSummary(
        path=out,
        seed=seed,
        start=start,
        end=end,
        facilities=len(facilities),
        days=len(days),
        registration_rows=registrations + sum(dirty.values()),
        registrations=registrations,
        abha_linked=linked,
        abha_enrolment_rows=enrolment_rows,
        facility_staff_rows=staff_rows,
        dirty_rows=dirty,
        seconds=time.perf_counter() - began,
        region=region,
        not_live=not_live,
    )
