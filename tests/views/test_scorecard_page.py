"""The Scorecard page (issue 18) on the worked example, target 40 %: January 2025, F1
(Bastar, 414): 5 registrations, 2 ABHA-linked (40 %); F2 (Dantewada, 416): 2, 0 (0 %);
Sukma (649): none. December 2024 (the previous period) has no registrations, so no
change can be said: F1's district is on track (40 % ≥ 40 %), F2's not on track, Sukma
has no data; the division as a whole, 2 of 7 (28.6 %), not on track."""

from __future__ import annotations

import pytest
from conftest import F1
from streamlit.testing.v1 import AppTest
from test_languages import visible_text
from views_helpers import JANUARY, open_page

from i18n import Words

EN, HI = Words("en"), Words("hi")
PAGE = "views/scorecard.py"


def _card(at: AppTest) -> dict[str, tuple]:
    table = at.dataframe[0].value
    return {
        row[0]: (row[1], row[2], None if row[3] != row[3] else round(row[3], 3), row[5])
        for row in table.itertuples(index=False)
    }


def _at_target(params: dict, percent: int = 40) -> AppTest:
    at = open_page(PAGE, params)
    at.number_input(key="scorecard_target").set_value(percent).run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_a_divisions_districts_against_the_target(worked_store: str) -> None:
    at = _at_target(JANUARY)
    on, off, none = (EN(f"scorecard.band.{b}") for b in ("on_track", "not_on_track", "no_data"))
    assert _card(at) == {
        "All of Bastar division": (off, "·", 0.286, 7),
        "Bastar": (on, "·", 0.4, 5),
        "Dakshin Bastar Dantewada": (off, "·", 0.0, 2),
        "Sukma": (none, "·", None, 0),
    }
    assert at.dataframe[0].value.columns[0] == EN("scorecard.level.district")
    summary = " ".join(c.value for c in at.caption)
    assert "1 on track, 0 making progress below target, 1 not on track" in summary


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_level_below_follows_the_scope(two_division_store: str) -> None:
    at = _at_target(JANUARY)  # the state: its divisions
    assert list(_card(at)) == ["All of Chhattisgarh", "Bastar division", "Raipur division"]
    at = _at_target({**JANUARY, "district": "414"})  # a district: its blocks
    assert at.dataframe[0].value.columns[0] == EN("scorecard.level.block")
    assert list(_card(at)) == ["All of Bastar", "Jagdalpur"]
    at = _at_target({**JANUARY, "facility": F1})  # facilities chosen: those facilities
    assert list(_card(at)) == ["All of District Hospital Test", "District Hospital Test"]


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_in_hindi(worked_store: str) -> None:
    at = _at_target({**JANUARY, "lang": "hi"})
    card = _card(at)
    assert card["पूरा बस्तर संभाग"][0] == HI("scorecard.band.not_on_track")
    assert card["बस्तर"][0] == HI("scorecard.band.on_track")
    assert "लक्ष्य" in visible_text(at)


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_target_starts_at_the_setting(worked_store: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """``[dashboard] adoption_target_percent = 40`` (the settings file of worked_store):
    the box starts there and the bands follow it without a touch; the page may try another."""
    (tmp_path / "none.toml").write_text("[dashboard]\nadoption_target_percent = 40\n")
    at = open_page(PAGE, JANUARY)
    assert not at.exception, at.exception
    assert at.number_input(key="scorecard_target").value == 40
    on = EN("scorecard.band.on_track")
    assert _card(at)["Bastar"][0] == on  # 40 % against 40 %
    at.number_input(key="scorecard_target").set_value(45).run()
    assert _card(at)["Bastar"][0] != on
    (tmp_path / "none.toml").write_text("[dashboard]\nadoption_target_percent = 37.5\n")
    at = open_page(PAGE, JANUARY)
    assert not at.exception, at.exception
    assert at.number_input(key="scorecard_target").value == 37.5
