"""What a page calls all it shows, named from the registry (issue 18): one division's
districts are that division, several divisions' are their state; the Hindi names from the
source's divisions/states tables first, then the catalogue, else the name as written."""

from __future__ import annotations

import pandas as pd
import pytest

from i18n import Words

EN, HI = Words("en"), Words("hi")


def _districts(*rows: tuple) -> pd.DataFrame:
    """(lgd_code, name_en, name_hi, division, state, division_hi, state_hi) rows."""
    columns = ["lgd_code", "name_en", "name_hi", "division", "state", "division_hi", "state_hi"]
    return pd.DataFrame(list(rows), columns=columns)


BASTAR = (414, "Bastar", "बस्तर", "Bastar", "Chhattisgarh", None, None)
DANTEWADA = (
    416,
    "Dakshin Bastar Dantewada",
    "दक्षिण बस्तर दंतेवाड़ा",
    "Bastar",
    "Chhattisgarh",
    None,
    None,
)
RAIPUR = (410, "Raipur", "रायपुर", "Raipur", "Chhattisgarh", None, None)


def test_one_divisions_districts_are_the_division() -> None:
    districts = _districts(BASTAR, DANTEWADA)
    assert EN.region(districts) == "Bastar division" == EN.division()
    assert HI.region(districts) == "बस्तर संभाग" == HI.division()


def test_districts_of_several_divisions_are_their_state() -> None:
    districts = _districts(BASTAR, RAIPUR)
    assert EN.region(districts) == "Chhattisgarh"
    assert HI.region(districts) == "छत्तीसगढ़"


def test_the_sources_hindi_names_come_first() -> None:
    own = (412, "Dhamtari", "धमतरी", "Raipur", "Chhattisgarh", "रायपुर (स्रोत)", "छत्तीसगढ़ राज्य")
    assert HI.region(_districts(own)) == "रायपुर (स्रोत) संभाग"
    other = (101, "Angul", "अनुगुल", "Central", "Odisha", None, "ओडिशा")
    assert HI.region(_districts(own, other)) == "छत्तीसगढ़ राज्य, ओडिशा"
    assert EN.region(_districts(own, other)) == "Chhattisgarh, Odisha"


def test_a_name_nobody_translated_is_shown_as_written() -> None:
    unknown = (900, "Nowhere", "कहीं नहीं", "Northern", "Chhattisgarh", None, " ")
    assert EN.region(_districts(unknown)) == "Northern division"
    assert HI.region(_districts(unknown)) == "Northern संभाग"


def test_a_registry_without_districts_falls_back_to_the_catalogue() -> None:
    assert EN.region(_districts()) == EN.division()


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        ((), "Bastar division"),
        ((416,), "Dakshin Bastar Dantewada"),
        ((416, 414), "Dakshin Bastar Dantewada, Bastar"),
    ],
)
def test_area_name_names_the_chosen_districts_or_the_region(chosen: tuple, expected: str) -> None:
    assert EN.area_name(chosen, _districts(BASTAR, DANTEWADA)) == expected


def test_districts_that_make_whole_divisions_are_named_as_the_divisions() -> None:
    mahasamund = (411, "Mahasamund", "महासमुंद", "Raipur", "Chhattisgarh", None, None)
    state = _districts(BASTAR, DANTEWADA, RAIPUR, mahasamund)
    assert EN.districts_or_divisions([410, 411], state) == "Raipur division"
    assert HI.districts_or_divisions([411, 410], state) == "रायपुर संभाग"
    assert EN.districts_or_divisions([414, 416, 410, 411], state) == (
        "Bastar division, Raipur division"
    )
    # part of a division (a collector's district) is never named as the division
    assert EN.districts_or_divisions([416], state) is None
    assert EN.districts_or_divisions([414, 416, 410], state) is None
    assert EN.districts_or_divisions([], state) is None
    # a division of one district: the district's own name says more
    assert EN.districts_or_divisions([410], _districts(BASTAR, DANTEWADA, RAIPUR)) is None
