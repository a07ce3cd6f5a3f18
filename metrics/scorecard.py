"""The scorecard: each unit below the scope (division, district, block, facility) against
the adoption target, in three bands, with its trend from the previous period.

Bands, for a target rate ``t`` (a fraction):

- **on track**: adoption in the period ≥ ``t``;
- **progress, below target**: below ``t``, and up by at least ``RISING_POINTS``
  percentage points from the previous period of the same length;
- **not on track**: below ``t`` and not rising so (steady, falling, or without
  ``minimum`` registrations in both periods, when no change can be said);
- **no data**: no registrations in the period (no rate, so no band).

The trend arrow: up or down when adoption moved by more than ``STEADY_POINTS``, steady
within it, unknown when the change cannot be said (``metrics.change.now_and_before``).
"""

from __future__ import annotations

import pandas as pd

from metrics.change import CHANGE_MIN_REGISTRATIONS, now_and_before

BANDS = ("on_track", "progress", "not_on_track", "no_data")
"""The bands in the order a scorecard lists them."""
TRENDS = ("up", "steady", "down", "unknown")
RISING_POINTS = 1.0
"""Percentage points a unit below target must gain from the previous period to count as
making progress: less is within the month-to-month noise of a facility's rate."""
STEADY_POINTS = 0.5
"""A change of adoption within ± this many points is shown as steady."""


def band_of(share: float, points: float, target: float) -> str:
    """The band of one unit: its adoption ``share`` (fraction, NaN: none), its change in
    ``points`` (NaN: cannot be said) and the ``target`` (fraction)."""
    if pd.isna(share):
        return "no_data"
    if share >= target:
        return "on_track"
    if not pd.isna(points) and points >= RISING_POINTS:
        return "progress"
    return "not_on_track"


def trend_of(points: float) -> str:
    if pd.isna(points):
        return "unknown"
    if points > STEADY_POINTS:
        return "up"
    if points < -STEADY_POINTS:
        return "down"
    return "steady"


def scorecard(
    units: pd.DataFrame,
    key: str,
    now: pd.DataFrame,
    before: pd.DataFrame,
    target: float,
    *,
    minimum: int = CHANGE_MIN_REGISTRATIONS,
) -> pd.DataFrame:
    """Every unit of ``units`` with its counts now and before, adoption, change in points,
    ``band`` and ``trend``; listed by band, then by adoption (highest first), then ``key``.

    ``now`` and ``before``: counts by ``key`` (``opd_registrations``, ``abha_linked``) in
    the period and in the previous one of the same length.
    """
    if not 0 <= target <= 1:
        raise ValueError(f"target must be a rate between 0 and 1, not {target}")
    table = now_and_before(now, before, key, units=units, minimum=minimum)
    table["band"] = [
        band_of(share, points, target)
        for share, points in zip(table["abha_share"], table["points"], strict=True)
    ]
    table["trend"] = [trend_of(points) for points in table["points"]]
    order = table["band"].map({band: n for n, band in enumerate(BANDS)})
    return (
        table.assign(_order=order)
        .sort_values(["_order", "abha_share", key], ascending=[True, False, True], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def overall_row(
    now: pd.DataFrame,
    before: pd.DataFrame,
    target: float,
    *,
    name: str,
    minimum: int = CHANGE_MIN_REGISTRATIONS,
) -> pd.DataFrame:
    """The scope's own row ("the state's average"): all of ``now`` and ``before`` summed as
    one unit named ``name``, banded by the same rule."""
    figures = ["opd_registrations", "abha_linked"]
    whole_now = pd.DataFrame({"unit": [name], **{f: [int(now[f].sum())] for f in figures}})
    whole_before = pd.DataFrame({"unit": [name], **{f: [int(before[f].sum())] for f in figures}})
    return scorecard(
        pd.DataFrame({"unit": [name]}), "unit", whole_now, whole_before, target, minimum=minimum
    )
