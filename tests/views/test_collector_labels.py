"""A label names exactly what was counted, for a collector too (issue 17, item 7): District
comparison drew a "Bastar division" row (screen, CSV, SVG) holding Dantewada's figures, and
the Press kit's empty-period message said "Bastar division" to Dantewada's collector."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from test_access import USERS, open_as
from test_access import access_config as access_config  # the fixture
from views_helpers import JANUARY

from i18n import Words

EN = Words("en")
DANTEWADA = "Dakshin Bastar Dantewada"


def _drawn(at) -> str:  # type: ignore[no-untyped-def]
    """Every chart's spec and the rows it draws (sent beside the spec, in Arrow), as text."""
    parts = []
    for element in at.main:
        if getattr(element, "type", None) != "vega_lite_chart":
            continue
        parts.append(element.proto.spec)
        for dataset in element.proto.datasets:
            rows = pa.ipc.open_stream(dataset.data.data).read_all().to_pandas()
            parts.append(rows.to_csv())
    return "\n".join(parts)


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_comparisons_row_of_all_is_the_collectors_district(access_config: Path) -> None:
    at = open_as(USERS["collector"], "views/comparison.py", JANUARY)
    assert not at.exception, at.exception
    drawn = _drawn(at)
    assert EN.division() not in drawn, "no row or line says 'Bastar division'"
    shown = [str(frame.value.to_csv()) for frame in at.dataframe]
    assert not any(EN.division() in text for text in shown)
    assert DANTEWADA in drawn


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_press_kits_empty_period_names_the_collectors_district(access_config: Path) -> None:
    empty = {"period": "custom", "from": "2025-01-02", "to": "2025-01-03"}
    at = open_as(USERS["collector"], "views/press_kit.py", empty)
    assert not at.exception, at.exception
    messages = [i.value for i in at.main.info]
    assert messages and all(EN.division() not in m for m in messages), messages
    assert any(DANTEWADA in m for m in messages), messages


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_ministry_still_sees_the_division(access_config: Path) -> None:
    at = open_as(USERS["ministry"], "views/comparison.py", JANUARY)
    assert not at.exception, at.exception
    drawn = _drawn(at)
    assert EN.division() in drawn


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_a_collectors_reference_rate_and_total_name_the_district(access_config: Path) -> None:
    """The Comparison's dashed line and funnel centre are the rate of all a user may see, and
    the Trends' total line is its total: for Dantewada's collector, named Dantewada."""
    at = open_as(USERS["collector"], "views/comparison.py", JANUARY)
    assert not at.exception, at.exception
    captions = [c.value for c in at.caption]
    rate_captions = [c for c in captions if "overall rate of" in c]
    assert len(rate_captions) == 2, captions  # the ranked bars and the funnel plot
    assert all(DANTEWADA in c for c in rate_captions), rate_captions
    assert not any("division" in c.lower() for c in captions), captions

    at = open_as(USERS["collector"], "views/trends.py", JANUARY)
    assert not at.exception, at.exception
    lines_by = next(box for box in at.selectbox if box.label == EN("trends.lines_by"))
    assert EN("trends.by.area", area=DANTEWADA) in lines_by.options
    assert not any("division" in option.lower() for option in lines_by.options)

    at = open_as(USERS["ministry"], "views/trends.py", JANUARY)
    lines_by = next(box for box in at.selectbox if box.label == EN("trends.lines_by"))
    assert EN("trends.by.area", area=EN.division()) in lines_by.options


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_title_names_all_the_user_may_see(access_config: Path) -> None:
    """The title names the area from the registry (issue 18): the division for the
    ministry, in both languages; the district for its collector."""
    at = open_as(USERS["ministry"], "views/overview.py", JANUARY)
    assert at.title[0].value == EN("app.title", area="Bastar division")
    at = open_as(USERS["ministry"], "views/overview.py", {**JANUARY, "lang": "hi"})
    assert at.title[0].value == Words("hi")("app.title", area="बस्तर संभाग")
    at = open_as(USERS["collector"], "views/overview.py", JANUARY)
    assert at.title[0].value == EN("app.title", area=DANTEWADA)
