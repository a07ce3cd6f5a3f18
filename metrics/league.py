"""League tables: every district or facility with its figures now and before, ranked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from metrics.change import CHANGE_MIN_REGISTRATIONS, now_and_before
from metrics.intervals import wilson_bounds


def league(
    units: pd.DataFrame,
    key: str,
    now: pd.DataFrame,
    before: pd.DataFrame,
    *,
    minimum: int = CHANGE_MIN_REGISTRATIONS,
) -> pd.DataFrame:
    """Every unit of ``units`` ranked by adoption, with its 95% interval and its changes.

    The columns of ``metrics.change.now_and_before`` (the change in points only where both
    periods have ``minimum`` registrations), and ``low``/``high``, the Wilson interval of
    the adoption rate (NaN without registrations). Ranked by adoption, then volume, then
    ``key``, so equal rows keep one order; units without registrations come last.
    """
    table = now_and_before(now, before, key, units=units, minimum=minimum)
    bounds = wilson_bounds(table["abha_linked"], table["opd_registrations"])
    table["low"], table["high"] = bounds["low"].to_numpy(), bounds["high"].to_numpy()
    return table.sort_values(
        ["abha_share", "opd_registrations", key],
        ascending=[False, False, True],
        na_position="last",
        kind="stable",
    ).reset_index(drop=True)


def rolled_up(
    counts: pd.DataFrame,
    key: str,
    parents: Mapping[object, object],
    parent: str,
    also: Sequence[str] = (),
) -> pd.DataFrame:
    """``counts`` of units (one row per ``key``, or per ``key`` and the columns ``also``,
    e.g. ``period_start``) summed to their parents: districts to divisions, facilities to
    blocks. Every count column is summed; a unit ``parents`` does not name is left out (it
    belongs to no parent in view)."""
    counted = [
        c
        for c in counts.columns
        if c != key and c not in also and pd.api.types.is_numeric_dtype(counts[c])
    ]
    owner = counts[key].map(parents)
    kept = counts.assign(**{parent: owner})[owner.notna()]
    return kept.groupby([parent, *also], as_index=False, sort=True)[counted].sum()
