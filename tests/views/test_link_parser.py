"""``ui.filters.filters_from_params``, the one reader of a link's values, and its limits."""

from __future__ import annotations

from datetime import date

import pandas as pd

from i18n import Words
from ui.filters import MAX_PROBLEMS_NAMED, MAX_VALUE_LENGTH, filters_from_params

DISTRICTS = pd.DataFrame({"lgd_code": [414, 416], "name_en": ["Bastar", "Dantewada"]})
FACILITIES = pd.DataFrame({"facility_id": ["IN2200000001"], "facility_type": ["DH"]})
EN = Words("en")


def parse(**params: list[str]):  # type: ignore[no-untyped-def]
    return filters_from_params(
        params,
        as_of=date(2025, 2, 3),
        first_day=date(2025, 1, 5),
        districts=DISTRICTS,
        facilities=FACILITIES,
        words=EN,
    )


def test_digits_that_int_refuses_are_unknown_codes() -> None:
    for text in ("²", "①", "٤١٤", "４１４", "+414", " 414", "414\n"):
        filters = parse(district=[text])
        assert filters.districts == () and len(filters.problems) == 1, text
    assert parse(fy=["²⁰²⁵"], period=["fy"]).fy == 2024  # refused: the latest FY instead


def test_a_long_value_is_named_cut_short() -> None:
    (problem,) = parse(facility=["9" * 5000]).problems
    assert "9" * MAX_VALUE_LENGTH + "…" in problem and "9" * (MAX_VALUE_LENGTH + 1) not in problem


def test_many_values_are_counted_not_named() -> None:
    filters = parse(district=["²"] * 3000)
    assert len(filters.problems) == MAX_PROBLEMS_NAMED + 1
    assert filters.problems[-1] == EN("filters.problem.more", count=EN.count(3000 - 5))


def test_repeated_codes_count_once() -> None:
    assert parse(district=["414", "414", "416"]).districts == (414, 416)


def test_custom_ranges_at_the_calendars_ends() -> None:
    cut = parse(period=["custom"], **{"from": ["0001-01-01"], "to": ["9999-12-31"]})
    assert (cut.preset, cut.start, cut.end) == ("custom", date(2024, 4, 1), date(2025, 2, 3))
    assert cut.problems and "9999" in cut.problems[0]
    outside = parse(period=["custom"], **{"from": ["0001-01-01"], "to": ["0001-12-31"]})
    assert outside.preset == "last_90_days" and outside.problems
    for text in ("20250101", "2025-W01-1", "٢٠٢٥-٠١-٠١"):
        assert parse(period=["custom"], **{"from": [text], "to": ["2025-01-31"]}).problems


def test_an_unknown_language_is_named_with_the_others() -> None:
    (problem,) = parse(lang=["![x](http://evil.example/x.png)"]).problems
    assert problem == EN("filters.problem.lang", value="![x](http://evil.example/x.png)")
