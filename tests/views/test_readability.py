"""Words a reader trips over (issue 16, defect 11): block names in English on a Hindi page,
"0 days before the data's as-of day", "None" for a facility that never registered, and
the Facility profile of a district opening on whichever facility sorted first."""

from __future__ import annotations

import pytest
from conftest import F1, F2, F_SILENT
from views_helpers import JANUARY, open_page

PAGE = "views/facility.py"


def _facts(at) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(m.value for m in at.markdown)


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_a_block_is_named_in_the_language_of_the_page(worked_store: str) -> None:
    hindi = open_page(PAGE, {**JANUARY, "facility": F1, "lang": "hi"})
    assert not hindi.exception
    assert "जगदलपुर" in _facts(hindi) and "Jagdalpur" not in _facts(hindi)
    english = open_page(PAGE, {**JANUARY, "facility": F1, "lang": "en"})
    assert "Jagdalpur" in _facts(english)


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_a_last_registration_on_the_as_of_day_is_not_0_days_before_it(worked_store: str) -> None:
    # F2's last registration (r13, 03-02-2025) is the data's last day.
    at = open_page(PAGE, {**JANUARY, "facility": F2, "lang": "en"})
    assert not at.exception
    facts = _facts(at)
    assert "03-02-2025 (on the data's as-of day)" in facts
    assert "0 days" not in facts


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_a_facility_that_never_registered_says_never(dirty_store: str) -> None:
    at = open_page(PAGE, {**JANUARY, "facility": F_SILENT, "lang": "en"})
    assert not at.exception
    facts = _facts(at)
    assert "**Last registration** never" in facts
    assert "None" not in facts and "**Last registration** –" not in facts


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_profile_of_the_division_opens_on_a_district_hospital(dirty_store: str) -> None:
    # Bastar (414) has its district hospital F1 and a CHC whose name sorts first ("<script>…").
    at = open_page(PAGE, {**JANUARY, "district": "414", "lang": "en"})
    assert not at.exception
    assert at.selectbox(key="profile_facility").value == F1


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_a_table_shows_every_percentage_with_one_decimal(dirty_store: str) -> None:
    """Every table drawn by ui.exports.show_table follows the files' rule on screen: the
    Data quality tables (ratios, days, "never") and any share with one decimal."""
    import re

    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    at = open_page("views/data_quality.py", {**JANUARY, "lang": "en"})
    assert not at.exception
    shown = [
        convert_arrow_bytes_to_pandas_df(table.proto.arrow_data.styler.display_values)
        for table in at.dataframe
        if table.proto.arrow_data.styler.display_values
    ]
    assert shown, "no table is drawn with its display values"
    texts = [str(v) for frame in shown for v in frame.to_numpy().ravel()]
    percents = [t for t in texts if t.endswith("%")]
    assert all(re.fullmatch(r"-?[\d,]+\.\d%", t) for t in percents), percents
    assert "never" in texts and "None" not in texts
