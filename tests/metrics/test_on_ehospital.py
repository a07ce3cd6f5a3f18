"""metrics.facilities.on_ehospital_by: the whole of "facilities reporting N of M"."""

from __future__ import annotations

from datetime import date

import pandas as pd

from metrics.facilities import on_ehospital_by


def test_planned_and_scheduled_facilities_are_not_on_ehospital() -> None:
    registry = pd.DataFrame(
        {
            "facility_id": ["live", "on_the_day", "scheduled", "planned", "undated_reporting"],
            "ehospital_go_live": [
                date(2025, 1, 10),
                date(2025, 1, 31),
                date(2025, 2, 1),
                None,
                None,
            ],
        }
    )
    on = on_ehospital_by(registry, date(2025, 1, 31), reported=["undated_reporting"])
    assert list(on["facility_id"]) == ["live", "on_the_day", "undated_reporting"]
    # a facility that reported before its go-live day is in the whole: never "3 of 2"
    early = on_ehospital_by(registry, date(2025, 1, 31), reported=["scheduled"])
    assert "scheduled" in set(early["facility_id"])
    assert on_ehospital_by(registry, date(2024, 12, 31)).empty
