"""A divisional commissioner (issue 18): the districts of their divisions, found in the
registry at sign-in, and nothing else, tested as the collector is (tests/views/
test_access.py): every page, the link tampered with, the widgets, the labels.

On the two-division store (tests/conftest.py): the Raipur commissioner's ceiling is
Dantewada alone (416, CHC Test, F2); Bastar (414, District Hospital Test, F1) is another
division's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import F1, F2, WORKED_JANUARY
from test_access import (
    BASTAR_TRACES,
    TAMPERING,
    _events,
    assert_nothing_of_bastar,
    open_as,
)
from test_languages import visible_text
from views_helpers import JANUARY, use_access_file

from access.roles import PAGES_OF_ROLE
from i18n import Words

EN, HI = Words("en"), Words("hi")
RAIPUR = "commissioner.raipur@cg.gov.in"
BASTAR = "commissioner.bastar@cg.gov.in"
NOWHERE = "commissioner.nowhere@cg.gov.in"
ACCESS = f"""
[[user]]
email = "{RAIPUR}"
role = "commissioner"
divisions = [" raipur "]   # compared trimmed, whatever the case

[[user]]
email = "{BASTAR}"
role = "commissioner"
divisions = ["Bastar"]

[[user]]
email = "{NOWHERE}"
role = "commissioner"
divisions = ["Nowhere"]    # a division the registry does not name: no district
"""


@pytest.fixture
def two_divisions(two_division_store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_access_file(ACCESS, tmp_path, monkeypatch)


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("tampering", list(TAMPERING))
@pytest.mark.parametrize("page", sorted(PAGES_OF_ROLE["commissioner"]))
def test_a_commissioner_gets_nothing_of_another_division(
    two_divisions: Path, page: str, tampering: str
) -> None:
    at = open_as(RAIPUR, f"views/{page}.py", {**JANUARY, **TAMPERING[tampering]})
    assert not at.exception, at.exception
    ignored = [t.value for t in at.toast if t.value.startswith("Ignored in the link")]
    if page == "overview" and tampering != "none":
        assert ignored, "the link's other-division values are named as ignored"
    assert_nothing_of_bastar(at, ignored)
    filters = at.session_state["filters"]
    assert set(filters.districts) <= {416} and F1 not in filters.in_facilities
    if page == "overview" and tampering == "none":
        assert at.metric[0].value == str(WORKED_JANUARY["F2"]["opd_registrations"])


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_a_commissioner_sees_every_district_of_the_division_named_as_the_division(
    two_divisions: Path,
) -> None:
    at = open_as(BASTAR, "views/overview.py", JANUARY)
    assert not at.exception, at.exception
    districts = at.sidebar.multiselect[0]
    assert districts.options == ["Bastar", "Sukma"]  # the division's two, not Dantewada
    facilities = at.sidebar.multiselect[-1]
    assert any(F1 in o for o in facilities.options) and not any(F2 in o for o in facilities.options)
    assert at.title[0].value == EN("app.title", area="Bastar division")
    assert "Bastar division · " in visible_text(at)  # the scope caption
    assert at.metric[0].value == str(WORKED_JANUARY["F1"]["opd_registrations"])
    events = _events(two_divisions)
    assert events[0]["event"] == "sign_in" and events[0]["role"] == "commissioner"
    assert events[0]["scope"] == "414,649"  # the districts found, as for a collector

    at = open_as(RAIPUR, "views/overview.py", {**JANUARY, "lang": "hi"})
    assert at.title[0].value == HI("app.title", area="रायपुर संभाग")
    sidebar = "\n".join(t.value for t in at.sidebar.text)
    assert HI("auth.role.commissioner") in sidebar


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_a_division_the_registry_does_not_name_shows_nothing(two_divisions: Path) -> None:
    at = open_as(NOWHERE, "views/overview.py", JANUARY)
    assert not at.exception, at.exception
    assert not at.metric and not at.dataframe
    shown = visible_text(at)
    for trace in (*BASTAR_TRACES, "CHC Test", F2):
        assert re.search(trace, shown) is None, trace
