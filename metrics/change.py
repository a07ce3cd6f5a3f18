"""Change from the previous period: the arrows on KPI tiles and the biggest movers."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


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
