"""Change from the previous period: the arrows on KPI tiles, the biggest movers, and the
figures now beside before that the Overview, the Map and the Comparison all show."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from metrics.adoption import with_adoption_rate

CHANGE_MIN_REGISTRATIONS = 50
"""Registrations a unit needs in BOTH periods before its change in adoption is shown: a
handful of registrations swings the rate by tens of points. One rule for every page."""


@dataclass(frozen=True)
class Change:
    """How a figure moved: `absolute` = current − previous; `relative` as a fraction of previous.

    Either is None when it cannot be said: no figure for a period, or (relative only) a
    previous figure of 0, since growth from nothing has no percentage.
    """

    absolute: float | None
    relative: float | None


def _missing(value: float | int | None) -> bool:
    return value is None or bool(pd.isna(value))


def period_change(current: float | int | None, previous: float | int | None) -> Change:
    """The change of a count or figure from the previous period to the current one."""
    if _missing(current) or _missing(previous):
        return Change(absolute=None, relative=None)
    assert current is not None and previous is not None
    absolute = current - previous
    # Divided by the size of the previous figure so a fall always reads as negative.
    relative = None if previous == 0 else absolute / abs(previous)
    return Change(absolute=absolute, relative=relative)


def points_change(current_rate: float | None, previous_rate: float | None) -> float | None:
    """The change of a rate in percentage points (rates as fractions: 0.539 − 0.405 → 13.4).

    For adoption rates a relative change ("+33%") misleads; officials read points.
    None when either rate is missing (a period without registrations has no rate).
    """
    if _missing(current_rate) or _missing(previous_rate):
        return None
    assert current_rate is not None and previous_rate is not None
    return (current_rate - previous_rate) * 100


def top_movers(
    frame: pd.DataFrame, key: str, value: str, n: int = 3
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The `n` largest rises and the `n` largest falls of the change column `value`.

    Rises are rows with a positive change, largest first; falls rows with a negative
    change, most negative first. Ties go to the smaller `key`, so the lists do not
    reorder between runs. NaN changes and changes of exactly 0 appear in neither list.
    """
    if n < 0:
        raise ValueError(f"n must not be negative, not {n}")
    known = frame[frame[value].notna()]
    rises = known[known[value] > 0].sort_values([value, key], ascending=[False, True])
    falls = known[known[value] < 0].sort_values([value, key], ascending=[True, True])
    return rises.head(n).reset_index(drop=True), falls.head(n).reset_index(drop=True)


FIGURES = ("opd_registrations", "abha_linked")


def now_and_before(
    now: pd.DataFrame,
    before: pd.DataFrame,
    key: str,
    *,
    units: pd.DataFrame | None = None,
    minimum: int = CHANGE_MIN_REGISTRATIONS,
) -> pd.DataFrame:
    """Each unit's counts now and in the previous period, with adoption and its changes.

    ``now`` and ``before`` are counts by ``key`` (``opd_registrations``, ``abha_linked``).
    ``units`` lists the units to show (at least the column ``key``, with any other columns
    kept); without it the units are those counted now. A unit missing from a period counts
    0 there. Columns added: ``abha_share`` and ``abha_share_before`` (NaN without
    registrations); ``points``, the change of adoption in percentage points, NaN unless
    the unit has at least ``minimum`` registrations in both periods; ``opd_change`` and
    ``opd_change_relative``, the change of registrations (relative NaN from 0).
    """
    if minimum < 0:
        raise ValueError(f"minimum must not be negative, not {minimum}")
    rows = units if units is not None else now[[key]].drop_duplicates()
    table = rows.merge(now[[key, *FIGURES]], on=key, how="left").merge(
        before[[key, *FIGURES]], on=key, how="left", suffixes=("", "_before")
    )
    counts = [*FIGURES, *(f"{figure}_before" for figure in FIGURES)]
    table[counts] = table[counts].fillna(0).astype("int64")
    table = with_adoption_rate(table)
    table = with_adoption_rate(
        table, "abha_linked_before", "opd_registrations_before", "abha_share_before"
    )
    comparable = (table["opd_registrations"] >= minimum) & (
        table["opd_registrations_before"] >= minimum
    )
    table["points"] = ((table["abha_share"] - table["abha_share_before"]) * 100).where(comparable)
    table["opd_change"] = table["opd_registrations"] - table["opd_registrations_before"]
    previous = table["opd_registrations_before"].astype("float64")
    table["opd_change_relative"] = table["opd_change"] / previous.where(previous > 0)
    return table
