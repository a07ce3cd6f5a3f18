"""The access file: roles, districts, and every mistake named."""

from __future__ import annotations

from pathlib import Path

import pytest

from access.roles import PAGES_OF_ROLE, load_access, parse_access
from data_access.errors import ConfigurationError

ACCESS = """
[[user]]
email = "Collector.Dantewada@cg.gov.in"
role = "collector"
districts = [416]

[[user]]
subject = "sub-ministry-1"
role = "ministry"

[[user]]
email = "press@cg.gov.in"
role = "press"

[[user]]
email = "admin@cg.gov.in"
subject = "sub-admin"
role = "admin"
"""


def test_grants_by_verified_email_case_insensitively_or_by_subject() -> None:
    access = parse_access(ACCESS)
    collector = access.grant_for("collector.dantewada@CG.gov.in", None)
    assert collector is not None
    assert (collector.role, collector.districts) == ("collector", frozenset({416}))
    ministry = access.grant_for(None, "sub-ministry-1")
    assert ministry is not None and ministry.districts is None
    assert access.grant_for("someone@else.in", "sub-unknown") is None
    assert access.grant_for(None, None) is None
    assert access.grant_for(None, "sub-admin").role == "admin"


def test_a_commissioner_sees_nothing_until_the_divisions_districts_are_found() -> None:
    access = parse_access(
        "[[user]]\nemail = 'c@cg.gov.in'\nrole = 'commissioner'\ndivisions = [' bastar ', 'Durg']"
    )
    grant = access.grant_for("c@cg.gov.in", None)
    assert grant is not None and grant.role == "commissioner"
    assert grant.districts == frozenset()  # never "every district" before the registry says
    registry = {"Bastar": [414, 416], "Raipur": [410], "DURG ": [409]}
    assert grant.within(registry).districts == {414, 416, 409}
    assert grant.within({"Raipur": [410]}).districts == frozenset()
    collector = parse_access(ACCESS).grant_for("collector.dantewada@cg.gov.in", None)
    assert collector is not None and collector.within(registry) == collector


def test_pages_of_each_role() -> None:
    assert "data_quality" not in PAGES_OF_ROLE["press"]
    assert "data_quality" not in PAGES_OF_ROLE["ministry"]
    assert "system" not in PAGES_OF_ROLE["collector"]
    assert {"data_quality", "system"} <= PAGES_OF_ROLE["admin"]
    assert "press_kit" in PAGES_OF_ROLE["press"]
    for role, pages in PAGES_OF_ROLE.items():
        for page in pages:
            assert (Path("views") / f"{page}.py").exists(), (role, page)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[user]]\nrole = 'ministry'", "give an email or a subject"),
        ("[[user]]\nemail = 'a@b'\nrole = 'king'", "role 'king' is not one of"),
        ("[[user]]\nemail = 'a@b'\nrole = 'collector'", "a collector needs districts"),
        ("[[user]]\nemail = 'a@b'\nrole = 'collector'\ndistricts = []", "a collector needs"),
        ("[[user]]\nemail = 'a@b'\nrole = 'collector'\ndistricts = ['416']", "needs districts"),
        ("[[user]]\nemail = 'a@b'\nrole = 'press'\ndistricts = [416]", "only a collector"),
        ("[[user]]\nemail = 'a@b'\nrole = 'commissioner'", "a commissioner needs divisions"),
        ("[[user]]\nemail = 'a@b'\nrole = 'commissioner'\ndivisions = []", "needs divisions"),
        ("[[user]]\nemail = 'a@b'\nrole = 'commissioner'\ndivisions = [' ']", "needs divisions"),
        ("[[user]]\nemail = 'a@b'\nrole = 'commissioner'\ndivisions = [7]", "needs divisions"),
        (
            "[[user]]\nemail = 'a@b'\nrole = 'commissioner'\ndivisions = ['Bastar']\n"
            "districts = [416]",
            "limited by divisions, not districts",
        ),
        ("[[user]]\nemail = 'a@b'\nrole = 'ministry'\ndivisions = ['Bastar']", "only a commiss"),
        (
            "[[user]]\nemail = 'a@b'\nrole = 'collector'\ndistricts = [416]\n"
            "divisions = ['Bastar']",
            "only a commissioner",
        ),
        ("[[user]]\nemail = 'a@b'\nrole = 'commissioner'\ndivision = ['X']", "divisions?"),
        (
            "[[user]]\nemail = 'a@b'\nrole = 'press'\n[[user]]\nemail = 'A@B'\nrole = 'admin'",
            "listed twice",
        ),
        ("user = 1", "[[user]]"),
        ("[[user]\n", "not valid TOML"),
    ],
)
def test_mistakes_are_named(text: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message.replace("[", r"\[")):
        parse_access(text)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="does not exist"):
        load_access(tmp_path / "access.toml")


def test_the_example_access_file_is_valid() -> None:
    from data_access.config import PROJECT_ROOT

    access = load_access(PROJECT_ROOT / "access.toml.example")
    assert access.grant_for("collector.dantewada@example.gov.in", None).districts == {416}
    commissioner = access.grant_for("commissioner.bastar@example.gov.in", None)
    assert commissioner is not None and commissioner.divisions == {"Bastar"}
