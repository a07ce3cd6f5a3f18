"""The published figures the demo reproduces, and the arithmetic that makes it reproduce them.

The state government's report (November 2025) gives, for two district hospitals, the OPD
registrations of 1 May – 31 July 2025 and how many of them were ABHA-linked. The demo
generator hits those numbers *exactly*, and it does so inside its model rather than by
patching totals afterwards, in two steps:

1. **Fit the model to the figure.** The facility's base daily volume is scaled so that its
   *expected* registrations over the period (the sum of the model's expected daily volume,
   with weekdays, holidays, monsoon, trend and go-live ramp-up all applied) equal the
   published total (:func:`fit_base_volume`). The midpoint of the facility's logistic ABHA
   adoption curve is then solved (by bisection) so that the curve's mean over the period,
   weighted by the expected daily volume, equals the published ABHA-linked share
   (:func:`fit_adoption_midpoint`). Everything else about the facility (its weekly rhythm,
   its monsoon, the way adoption rises before and after) stays the model's.
2. **Draw the period exactly.** Inside the calibrated facility-period the generator does not
   draw each day's count independently (Poisson); it allocates exactly the published total
   across the days with a multinomial weighted by the expected daily volume
   (:func:`allocate_registrations`), and picks exactly the published number of ABHA-linked
   registrations among them by weighted sampling without replacement, each registration
   weighted by the adoption curve on its day (:func:`choose_linked`). Day-to-day variation
   and the rise of adoption through the period therefore look like every other period.

The calibrated facility-periods hold no dirty rows, so the plain count of registrations and
of non-null ``abha_number`` there equals the published figures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np

SOURCE = "Govt. of Chhattisgarh report, November 2025"


@dataclass(frozen=True)
class PublishedFigure:
    """One facility-period figure from the state's report: both days of the period included."""

    facility_name: str
    period_start: date
    period_end: date
    registrations: int
    abha_linked: int
    source: str = SOURCE

    @property
    def abha_share(self) -> float:
        return self.abha_linked / self.registrations

    def covers(self, day: date) -> bool:
        return self.period_start <= day <= self.period_end


PUBLISHED_FIGURES: tuple[PublishedFigure, ...] = (
    PublishedFigure(
        facility_name="District Hospital Bastar",
        period_start=date(2025, 5, 1),
        period_end=date(2025, 7, 31),
        registrations=60_045,
        abha_linked=32_379,
    ),
    PublishedFigure(
        facility_name="District Hospital Dantewada",
        period_start=date(2025, 5, 1),
        period_end=date(2025, 7, 31),
        registrations=33_895,
        abha_linked=13_729,
    ),
)


def published_figure_for(facility_name: str) -> PublishedFigure | None:
    """The published figure of a facility, by its English name; None when there is none."""
    for figure in PUBLISHED_FIGURES:
        if figure.facility_name == facility_name:
            return figure
    return None


def fit_base_volume(expected_shape: np.ndarray, target_total: int) -> float:
    """The base daily volume that makes the expected total over the period equal the target.

    ``expected_shape`` is the model's expected daily volume over the period's days for a
    base volume of 1 (all the day factors multiplied together). Expected volume is linear
    in the base volume, so the fit is a single division.
    """
    total = float(np.sum(expected_shape))
    if total <= 0:
        raise ValueError("the facility has no expected registrations in the calibrated period")
    return target_total / total


def fit_adoption_midpoint(
    share_for_midpoint: Callable[[float], float],
    target_share: float,
    *,
    low: float = 0.0,
    high: float = 2_000.0,
    tolerance: float = 1e-9,
) -> float:
    """The adoption-curve midpoint (days after go-live) whose expected period share is the target.

    ``share_for_midpoint(m)`` is the volume-weighted mean of the adoption curve over the
    period when the curve's midpoint is ``m``; it falls as ``m`` grows (a later midpoint
    means lower adoption in a given period), so bisection finds the unique solution.
    Raises ValueError when the target lies outside what the curve can reach.
    """
    share_low, share_high = share_for_midpoint(low), share_for_midpoint(high)
    if not share_high <= target_share <= share_low:
        raise ValueError(
            f"adoption share {target_share:.4f} is out of the curve's reach "
            f"({share_high:.4f}–{share_low:.4f}); raise its ceiling or steepness"
        )
    while high - low > tolerance:
        middle = (low + high) / 2
        if share_for_midpoint(middle) > target_share:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def allocate_registrations(
    rng: np.random.Generator, target_total: int, expected_daily: np.ndarray
) -> np.ndarray:
    """Exactly ``target_total`` registrations over the days: multinomial by expected volume."""
    weights = np.asarray(expected_daily, dtype=float)
    return rng.multinomial(target_total, weights / weights.sum())


def choose_linked(rng: np.random.Generator, target_linked: int, weights: np.ndarray) -> np.ndarray:
    """A mask with exactly ``target_linked`` True, drawn by weighted sampling without replacement.

    Efraimidis–Spirakis: each item gets the key ``Exp(1) / weight`` and the smallest keys win,
    which is the same as drawing items one by one with probability proportional to weight.
    """
    weights = np.asarray(weights, dtype=float)
    if not 0 <= target_linked <= len(weights):
        raise ValueError(f"cannot choose {target_linked} of {len(weights)} registrations")
    keys = rng.exponential(size=len(weights)) / np.maximum(weights, 1e-12)
    mask = np.zeros(len(weights), dtype=bool)
    mask[np.argpartition(keys, target_linked - 1)[:target_linked] if target_linked else []] = True
    return mask
