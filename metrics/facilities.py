"""Facilities: the order in which they are listed and picked (largest kind first), and
which are on e-Hospital by a day."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

import pandas as pd

from data_access.contract import FACILITY_TYPES


def profile_order(facilities: pd.DataFrame) -> pd.DataFrame:
    """The registry rows by district, then kind (district hospital, civil hospital, CHC —
    the contract's order, largest first; unknown kinds after), then English name and HFR
    ID. The first row of a district is its district hospital: the Facility profile opens
    on it, not on whichever small CHC sorts first by its code."""
    rank = {kind: position for position, kind in enumerate(FACILITY_TYPES)}
    ordered = facilities.assign(
        _rank=facilities["facility_type"].map(rank).fillna(len(FACILITY_TYPES))
    ).sort_values(["district_lgd", "_rank", "name_en", "facility_id"], kind="stable")
    return ordered.drop(columns="_rank")


def on_ehospital_by(
    facilities: pd.DataFrame, day: date, reported: Collection[str] = ()
) -> pd.DataFrame:
    """The facilities of ``facilities`` on e-Hospital by ``day``: gone live on or before it,
    or among those that ``reported`` (HFR IDs with registrations: a facility without a
    go-live date in the registry, or one that recorded registrations before its date). A
    facility planned (no date, nothing recorded) or scheduled after ``day`` is not one:
    "reporting 40 of 49" counts only facilities that could report, and never more reporting
    than the whole."""
    go_live = pd.to_datetime(facilities["ehospital_go_live"], errors="coerce")
    live = go_live.notna() & (go_live <= pd.Timestamp(day))
    return facilities[live | facilities["facility_id"].isin(list(reported))]
