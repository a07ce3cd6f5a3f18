"""The Trends page (AppTest on the worked example): every filter state, grain and breakdown
renders, and the registrations drawn are data_access's figures."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pyarrow as pa
import pytest
from conftest import F1, F2
from streamlit.testing.v1 import AppTest
from views_helpers import FILTER_STATES, JANUARY, JANUARY_PERIOD, open_page

from data_access.engines import store_engine
from data_access.queries import Scope, registration_counts

PAGE = "views/trends.py"
GRAINS = ("day", "week", "month", "quarter", "fy")
DISTRICT_NAMES = {414: "Bastar", 416: "Dakshin Bastar Dantewada"}


def _layers(spec: dict, data: dict | None = None) -> list[dict]:
    """Every single view of a (possibly nested) layered spec, each with the data it draws."""
    data = spec.get("data", data)
    if "layer" in spec:
        return [view for layer in spec["layer"] for view in _layers(layer, data)]
    return [{**spec, "data": data}]


def _charts(at: AppTest) -> list[tuple[list[dict], dict[str, pd.DataFrame]]]:
    """Each chart on the page: its views and its datasets by name, as drawn."""
    charts = []
    for element in at.get("vega_lite_chart"):
        spec = json.loads(element.proto.spec)
        datasets = {
            d.name: pa.ipc.open_stream(d.data.data).read_all().to_pandas()
            for d in element.proto.datasets
        }
        charts.append((_layers(spec), datasets))
    return charts


def _drawn(at: AppTest, y_field: str) -> pd.DataFrame:
    """The data of the first view whose y axis shows `y_field`."""
    for views, datasets in _charts(at):
        for view in views:
            if view.get("encoding", {}).get("y", {}).get("field") == y_field:
                return datasets[view["data"]["name"]]
    raise AssertionError(f"no chart draws {y_field}")


def _with_grain(params: dict[str, str], grain: str, by: str = "district") -> AppTest:
    at = open_page(PAGE, params)
    at.selectbox(key="trends_grain").set_value(grain)
    at.selectbox(key="trends_by").set_value(by).run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("state", list(FILTER_STATES))
def test_trends_renders(worked_store: str, state: str) -> None:
    at = open_page(PAGE, FILTER_STATES[state])
    assert not at.exception, at.exception
    assert at.header[0].value == "Trends"
    assert at.caption, "the page says what it shows"


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_an_empty_period_says_so(worked_store: str) -> None:
    at = open_page(PAGE, FILTER_STATES["an empty period"])
    assert any("No registrations in" in i.value for i in at.info)
    assert not at.get("vega_lite_chart"), "no blank charts"


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("grain", GRAINS)
def test_registrations_drawn_are_data_access_figures(worked_store: str, grain: str) -> None:
    at = _with_grain(JANUARY, grain)
    drawn = _drawn(at, "opd_registrations")
    drawn = drawn[drawn["opd_registrations"] > 0]  # the daily series shows days without any as 0
    expected = registration_counts(
        store_engine(worked_store), JANUARY_PERIOD, by=["district"], grain=grain
    )
    assert sorted(
        zip(
            pd.to_datetime(drawn["period_start"]).dt.date,
            drawn["group"],
            drawn["opd_registrations"],
            strict=True,
        )
    ) == sorted(
        zip(
            expected["period_start"],
            expected["district_lgd"].map(DISTRICT_NAMES),
            expected["opd_registrations"],
            strict=True,
        )
    )


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("by", ["total", "district", "facility_type", "facility"])
def test_every_breakdown_shows_names(worked_store: str, by: str) -> None:
    at = _with_grain(JANUARY, "week", by)
    groups = set(_drawn(at, "opd_registrations")["group"])
    assert (
        groups
        == {
            "total": {"Bastar division"},
            "district": set(DISTRICT_NAMES.values()),
            "facility_type": {"DH", "CHC"},
            "facility": {"District Hospital Test", "CHC Test"},
        }[by]
    )


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_daily_grain_draws_the_7_day_moving_average(worked_store: str) -> None:
    at = _with_grain(JANUARY, "day", "total")
    drawn = _drawn(at, "registrations_7d")
    drawn.index = pd.to_datetime(drawn["period_start"]).dt.date
    assert len(drawn) == 31, "every day of the period, days without registrations as 0"
    # the division: 1 on the 5th, 3 on the 15th, 3 on the 16th (F1 1, F2 2), nothing else
    assert drawn.loc[date(2025, 1, 5), "opd_registrations"] == 1
    assert drawn.loc[date(2025, 1, 10), "opd_registrations"] == 0
    assert drawn.loc[date(2025, 1, 12), "registrations_7d"] == pytest.approx(0.0)
    assert drawn.loc[date(2025, 1, 5), "registrations_7d"] == pytest.approx(1 / 7)
    assert drawn.loc[date(2025, 1, 16), "registrations_7d"] == pytest.approx(6 / 7)
    assert drawn.loc[date(2025, 1, 22), "registrations_7d"] == pytest.approx(3 / 7)
    # adoption over the last 7 days: r1 and r2 linked of 6 registrations on the 15th–16th
    assert drawn.loc[date(2025, 1, 16), "abha_share_7d"] == pytest.approx(2 / 6)
    assert drawn.loc[date(2025, 1, 22), "abha_share_7d"] == pytest.approx(0 / 3)
    assert pd.isna(drawn.loc[date(2025, 1, 13), "abha_share_7d"]), "no registrations, no rate"


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_adoption_drawn_is_data_access_share(worked_store: str) -> None:
    at = _with_grain({**JANUARY, "district": "414"}, "month", "facility")
    drawn = _drawn(at, "abha_share").iloc[0]
    expected = registration_counts(store_engine(worked_store), JANUARY_PERIOD, Scope.of([414]))
    assert drawn["group"] == "District Hospital Test"
    assert drawn["abha_share"] == pytest.approx(
        expected["abha_linked"].iloc[0] / expected["opd_registrations"].iloc[0]
    )


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_go_live_and_target_lines(worked_store: str) -> None:
    at = open_page(PAGE, JANUARY)
    at.checkbox(key="trends_show_target").check().run()
    assert not at.exception, at.exception
    _, datasets = _charts(at)[1]
    frames = list(datasets.values())
    go_lives = next(f for f in frames if "go_live" in f.columns)
    assert list(go_lives["name_en"]) == ["District Hospital Test"]  # F1 went live on 10-01-2025
    assert pd.to_datetime(go_lives["go_live"]).dt.date.tolist() == [date(2025, 1, 10)]
    target = next(f for f in frames if "target" in f.columns)
    assert target["target"].tolist() == [0.6]
    assert target["label"].tolist() == ["Target 60%"]


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_no_go_live_marker_outside_scope(worked_store: str) -> None:
    at = open_page(PAGE, {**JANUARY, "facility": F2})
    for _, datasets in _charts(at):
        assert not any("go_live" in f.columns for f in datasets.values())


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_year_over_year_needs_a_year_of_history(worked_store: str) -> None:
    at = open_page(PAGE, {**JANUARY, "facility": F1})
    assert any(
        i.value == "Year-over-year needs a year of history before the period." for i in at.info
    )
