"""The order in which facilities are listed and picked: largest kind first."""

from __future__ import annotations

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
