"""Trends by division (issue 18): where the districts in view are of several divisions,
a line per division, its districts' figures summed; elsewhere no such choice.

Two-division store (tests/conftest.py): Bastar division holds F1, Raipur division F2."""

from __future__ import annotations

import pytest
from conftest import WORKED_JANUARY
from test_trends import OPD, _drawn, _with_grain
from views_helpers import JANUARY, open_page

from i18n import Words

EN = Words("en")


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("grain", ["day", "month"])
def test_a_line_per_division_sums_its_districts(two_division_store: str, grain: str) -> None:
    at = _with_grain(JANUARY, grain, "division")
    drawn = _drawn(at, EN("trends.average_7d", days=7) if grain == "day" else OPD)
    division = EN("filters.division")
    assert set(drawn[division]) == {"Bastar division", "Raipur division"}
    if grain == "month":
        totals = drawn.groupby(division)[OPD].sum().to_dict()
        assert totals == {
            "Bastar division": WORKED_JANUARY["F1"]["opd_registrations"],
            "Raipur division": WORKED_JANUARY["F2"]["opd_registrations"],
        }


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_one_division_offers_no_lines_by_division(two_division_store: str) -> None:
    at = open_page("views/trends.py", {**JANUARY, "division": "Raipur"})
    assert "division" not in at.selectbox(key="trends_by").options
    at = open_page("views/trends.py", JANUARY)
    assert EN("filters.division") in at.selectbox(key="trends_by").options
