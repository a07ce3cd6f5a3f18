"""A label names exactly what was counted (issue 16, defect 2): with a facility chosen,
the Overview drew its line under its district's name and printed its headline twice,
and the Map's "figures behind the map" gave its figures as the district's."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
from conftest import F2
from views_helpers import JANUARY, open_page

from i18n import Words

EN = Words("en")
ONE_FACILITY = {**JANUARY, "facility": F2}  # CHC Test, in district 416


def _elements(at):  # type: ignore[no-untyped-def]
    return [e for e in at.main if getattr(e, "type", None) == "vega_lite_chart"]


def _charts(at) -> list[dict]:  # type: ignore[no-untyped-def]
    return [json.loads(e.proto.spec) for e in _elements(at)]


def _drawn(at, spec: dict) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """The rows a chart draws (sent beside its spec, in Arrow)."""
    element = next(e for e in _elements(at) if json.loads(e.proto.spec) == spec)
    name = spec["data"]["name"]
    data = next(d for d in element.proto.datasets if d.name == name).data.data
    return pa.ipc.open_stream(data).read_all().to_pandas()


def test_overview_names_the_facilitys_line_for_the_facility(worked_store: str) -> None:
    at = open_page("views/overview.py", ONE_FACILITY)
    assert not at.exception
    trend = next(s for s in _charts(at) if EN("common.facility") in json.dumps(s["encoding"]))
    drawn = set(_drawn(at, trend)[EN("common.facility")])
    assert drawn == {"CHC Test"}
    assert EN("overview.trend_title_by_facility.week") in [h.value for h in at.subheader]
    assert EN("overview.trend_title.week") not in [h.value for h in at.subheader]


def test_overview_prints_each_headline_once(worked_store: str) -> None:
    at = open_page("views/overview.py", ONE_FACILITY)
    lines = [line for m in at.markdown for line in m.value.splitlines() if line.startswith("- ")]
    assert lines and len(lines) == len(set(lines)), lines


def test_map_says_the_districts_figures_are_the_chosen_facilities(worked_store: str) -> None:
    at = open_page("views/map.py", ONE_FACILITY)
    assert not at.exception
    district_table = at.dataframe[0].value
    header = district_table.columns[0]
    assert header == f"{EN('common.district')} ({EN('map.only_chosen_facilities')})"


def test_map_of_the_whole_division_says_district(worked_store: str) -> None:
    at = open_page("views/map.py", JANUARY)
    assert at.dataframe[0].value.columns[0] == EN("common.district")
