"""Each district has one colour on every page, in both languages (issue 16, defect 7):
Sukma was green, orange, vermilion or black depending on the page and the language."""

from __future__ import annotations

import json

import pytest
from views_helpers import chart_views, open_page

from data_access import queries
from data_access.engines import store_engine
from i18n import Words
from ui.charts import DISTRICT_PALETTE, district_colour

PERIOD = {"period": "custom", "from": "2025-01-01", "to": "2025-02-28"}
PAGES = ("views/overview.py", "views/trends.py", "views/comparison.py")


def _colours_on(at, code_of: dict[str, int]) -> dict[int, str]:  # type: ignore[no-untyped-def]
    """The colour of each district in the page's charts that colour marks by district."""
    found: dict[int, str] = {}
    for element in at.main:
        if getattr(element, "type", None) != "vega_lite_chart":
            continue
        for layer in chart_views(json.loads(element.proto.spec)):
            scale = layer.get("encoding", {}).get("color", {}).get("scale", {})
            for name, colour in zip(scale.get("domain", []), scale.get("range", []), strict=False):
                if name in code_of:
                    assert found.setdefault(code_of[name], colour) == colour, (name, colour)
    return found


def test_a_district_colour_depends_on_its_code_alone() -> None:
    bastar = [414, 413, 648, 415, 416, 417, 649]
    assert len({district_colour(code) for code in bastar}) == len(bastar)
    assert all(district_colour(code) in DISTRICT_PALETTE for code in bastar)


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_each_district_keeps_its_colour_on_every_page_and_language(worked_store: str) -> None:
    registry = queries.districts(store_engine(worked_store))
    for lang in ("en", "hi"):
        names = Words(lang).district_names(registry)
        code_of = {str(name): int(code) for code, name in names.items()}
        for page in PAGES:
            at = open_page(page, {**PERIOD, "lang": lang})
            assert not at.exception, (page, lang)
            colours = _colours_on(at, code_of)
            assert colours, f"{page} in {lang}: no chart coloured by district"
            for code, colour in colours.items():
                assert colour == district_colour(code), (page, lang, code, colour)
