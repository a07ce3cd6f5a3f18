"""The Trends page (AppTest on the worked example): every filter state, grain and breakdown
renders in both languages, and the registrations drawn are data_access's figures."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
import sqlalchemy as sa
from conftest import DEMO_NOW, F1, F2, _row
from streamlit.testing.v1 import AppTest
from views_helpers import FILTER_STATES, JANUARY, JANUARY_PERIOD, chart_views, open_page

from data_access.engines import source_engine, store_engine
from data_access.queries import Scope, registration_counts
from data_access.refresh import refresh

PAGE = "views/trends.py"
GRAINS = ("day", "week", "month", "quarter", "fy")
DISTRICT_NAMES = {414: "Bastar", 416: "Dakshin Bastar Dantewada"}
# The columns of the series drawn (and exported), in English: the start of each period…
STARTS = {
    "day": "Day",
    "week": "Week starting",
    "month": "Month starting",
    "quarter": "Quarter starting",
    "fy": "Financial year starting",
}
# …and the lines: one per district, facility type or facility, or the scope in total.
GROUPS = {
    "total": "Scope",
    "district": "District",
    "block": "Block",
    "facility_type": "Facility type",
    "facility": "Facility",
}
OPD, LINKED, ADOPTION = "OPD registrations", "ABHA-linked", "ABHA adoption"
DEVANAGARI = re.compile(r"[\u0900-\u097F]")


def _charts(at: AppTest) -> list[tuple[list[dict], dict[str, pd.DataFrame]]]:
    """Each chart on the page: its views and its datasets by name, as drawn."""
    charts = []
    for element in at.get("vega_lite_chart"):
        spec = json.loads(element.proto.spec)
        datasets = {
            d.name: pa.ipc.open_stream(d.data.data).read_all().to_pandas()
            for d in element.proto.datasets
        }
        charts.append((chart_views(spec), datasets))
    return charts


def _drawn(at: AppTest, y_field: str) -> pd.DataFrame:
    """The data of the first view whose y axis shows `y_field`."""
    for views, datasets in _charts(at):
        for view in views:
            if view.get("encoding", {}).get("y", {}).get("field") == y_field:
                return datasets[view["data"]["name"]]
    raise AssertionError(f"no chart draws {y_field}")


def _drawn_by(at: AppTest, channel: str, field: str) -> pd.DataFrame:
    """The data of the first view that encodes `field` on `channel` (x, color…)."""
    for views, datasets in _charts(at):
        for view in views:
            if view.get("encoding", {}).get(channel, {}).get("field") == field:
                return datasets[view["data"]["name"]]
    raise AssertionError(f"no chart draws {field} on {channel}")


def _with_grain(params: dict[str, str], grain: str, by: str = "district") -> AppTest:
    at = open_page(PAGE, params)
    at.selectbox(key="trends_grain").set_value(grain)
    at.selectbox(key="trends_by").set_value(by).run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def exported(monkeypatch: pytest.MonkeyPatch) -> dict[str, pd.DataFrame]:
    """The frame each chart on the page would export as CSV, by the chart's key."""
    import ui.exports

    frames: dict[str, pd.DataFrame] = {}
    monkeypatch.setattr(
        ui.exports,
        "chart_downloads",
        lambda chart, frame, *, key, **_: frames.__setitem__(key, frame),
    )
    return frames


def _of_this_page(exported: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """open_page opens the overview first: keep the frames of this page's charts."""
    return {key: frame for key, frame in exported.items() if key.startswith("trends_")}


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("state", list(FILTER_STATES))
def test_trends_renders(worked_store: str, state: str) -> None:
    at = open_page(PAGE, FILTER_STATES[state])
    assert not at.exception, at.exception
    assert at.header[0].value == "Trends"
    assert at.caption, "the page says what it shows"


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("state", list(FILTER_STATES))
def test_trends_renders_in_hindi(worked_store: str, state: str) -> None:
    at = open_page(PAGE, {**FILTER_STATES[state], "lang": "hi"})
    assert not at.exception, at.exception
    assert at.header[0].value == "रुझान"
    if state != "an empty period":
        assert at.selectbox(key="trends_grain").label == "समय अंतराल"
        assert at.selectbox(key="trends_grain").options == [
            "दिन",
            "सप्ताह",
            "माह",
            "तिमाही",
            "वित्तीय वर्ष",
        ]


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_an_empty_period_says_so(worked_store: str) -> None:
    at = open_page(PAGE, FILTER_STATES["an empty period"])
    assert any("No registrations in" in i.value for i in at.info)
    assert not at.get("vega_lite_chart"), "no blank charts"


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("grain", GRAINS)
def test_registrations_drawn_are_data_access_figures(worked_store: str, grain: str) -> None:
    at = _with_grain(JANUARY, grain)
    drawn = _drawn(at, OPD)
    drawn = drawn[drawn[OPD] > 0]  # the daily series shows days without any as 0
    expected = registration_counts(
        store_engine(worked_store), JANUARY_PERIOD, by=["district"], grain=grain
    )
    assert sorted(
        zip(
            pd.to_datetime(drawn[STARTS[grain]]).dt.date,
            drawn["District"],
            drawn[OPD],
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
@pytest.mark.parametrize("by", list(GROUPS))
def test_every_breakdown_shows_names(worked_store: str, by: str) -> None:
    at = _with_grain(JANUARY, "week", by)
    groups = set(_drawn(at, OPD)[GROUPS[by]])
    assert (
        groups
        == {
            "total": {"Bastar division"},
            "district": set(DISTRICT_NAMES.values()),
            # CHC Test has no block in the registry
            "block": {"Jagdalpur", "Block not recorded"},
            "facility_type": {"District hospital", "Community health centre"},
            "facility": {"District Hospital Test", "CHC Test"},
        }[by]
    )


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("by", list(GROUPS))
def test_every_breakdown_shows_names_in_hindi(worked_store: str, by: str) -> None:
    at = _with_grain({**JANUARY, "lang": "hi"}, "week", by)
    legend = {"total": "दायरा", "district": "जिला", "facility_type": "संस्था का प्रकार"}
    legend["block"] = "विकासखंड"
    legend["facility"] = "संस्था"
    groups = set(_drawn(at, "ओपीडी पंजीयन")[legend[by]])
    assert (
        groups
        == {
            "total": {"बस्तर संभाग"},
            "district": {"बस्तर", "दक्षिण बस्तर दंतेवाड़ा"},
            "block": {"जगदलपुर", "विकासखंड दर्ज नहीं"},
            "facility_type": {"जिला चिकित्सालय", "सामुदायिक स्वास्थ्य केंद्र"},
            # CHC Test has no Hindi name in the registry: its English one stands in
            "facility": {"जिला चिकित्सालय", "CHC Test"},
        }[by]
    )


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize(
    ("lang", "grain", "label"),
    [
        ("en", "month", "January 2025"),
        ("hi", "month", "जनवरी 2025"),
        ("en", "quarter", "Q4 FY 2024-25"),
        ("hi", "quarter", "तिमाही 4, वित्तीय वर्ष 2024-25"),
        ("en", "fy", "FY 2024-25"),
        ("hi", "fy", "वित्तीय वर्ष 2024-25"),
    ],
)
def test_periods_are_named_in_the_language(
    worked_store: str, lang: str, grain: str, label: str
) -> None:
    at = _with_grain({**JANUARY, "lang": lang}, grain, "total")
    column = {"month": ("Month", "माह"), "quarter": ("Quarter", "तिमाही")}
    column["fy"] = ("Financial year", "वित्तीय वर्ष")
    shown = column[grain][0 if lang == "en" else 1]
    opd = OPD if lang == "en" else "ओपीडी पंजीयन"
    assert set(_drawn(at, opd)[shown]) == {label}


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_daily_grain_draws_the_7_day_moving_average(worked_store: str) -> None:
    at = _with_grain(JANUARY, "day", "total")
    drawn = _drawn(at, "7-day average")
    drawn.index = pd.to_datetime(drawn["Day"]).dt.date
    assert len(drawn) == 31, "every day of the period, days without registrations as 0"
    average, rate = drawn["7-day average"], drawn["ABHA adoption, last 7 days"]
    # the division: 1 on the 5th, 3 on the 15th, 3 on the 16th (F1 1, F2 2), nothing else
    assert drawn.loc[date(2025, 1, 5), OPD] == 1
    assert drawn.loc[date(2025, 1, 10), OPD] == 0
    assert average[date(2025, 1, 12)] == pytest.approx(0.0)
    assert average[date(2025, 1, 5)] == pytest.approx(1 / 7)
    assert average[date(2025, 1, 16)] == pytest.approx(6 / 7)
    assert average[date(2025, 1, 22)] == pytest.approx(3 / 7)
    # adoption over the last 7 days: r1 and r2 linked of 6 registrations on the 15th–16th
    assert rate[date(2025, 1, 16)] == pytest.approx(2 / 6)
    assert rate[date(2025, 1, 22)] == pytest.approx(0 / 3)
    assert pd.isna(rate[date(2025, 1, 13)]), "no registrations, no rate"


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_adoption_drawn_is_data_access_share(worked_store: str) -> None:
    at = _with_grain({**JANUARY, "district": "414"}, "month", "facility")
    drawn = _drawn(at, ADOPTION).iloc[0]
    expected = registration_counts(store_engine(worked_store), JANUARY_PERIOD, Scope.of([414]))
    assert drawn["Facility"] == "District Hospital Test"
    assert drawn[ADOPTION] == pytest.approx(
        expected["abha_linked"].iloc[0] / expected["opd_registrations"].iloc[0]
    )


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_channels_are_named_and_their_shares_add_up(worked_store: str) -> None:
    at = _with_grain(JANUARY, "month", "total")
    channels = _drawn_by(at, "color", "Channel")
    # January at F1 and F2: r1 r3 r5 counter, r2 scan_share, r4 walk-in (other), r10 r12
    assert set(channels["Channel"]) >= {"Registration desk", "Scan & Share QR token", "Other"}
    assert channels.groupby("Month starting")["Share"].sum().tolist() == pytest.approx([1.0])


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_go_live_and_target_lines(worked_store: str) -> None:
    at = open_page(PAGE, JANUARY)
    at.checkbox(key="trends_show_target").check().run()
    assert not at.exception, at.exception
    _, datasets = _charts(at)[1]
    frames = list(datasets.values())
    go_lives = next(f for f in frames if "Go-live date" in f.columns)
    # F1 went live on 10-01-2025
    assert list(go_lives["e-Hospital go-live at"]) == ["District Hospital Test"]
    assert pd.to_datetime(go_lives["Go-live date"]).dt.date.tolist() == [date(2025, 1, 10)]
    target = next(f for f in frames if "target" in f.columns)
    assert target["target"].tolist() == [0.6]
    assert target["label"].tolist() == ["Target 60%"]


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_go_live_and_target_lines_in_hindi(worked_store: str) -> None:
    at = open_page(PAGE, {**JANUARY, "lang": "hi"})
    at.checkbox(key="trends_show_target").check().run()
    _, datasets = _charts(at)[1]
    frames = list(datasets.values())
    go_lives = next(f for f in frames if "ई-हॉस्पिटल शुरू होने की तिथि" in f.columns)
    assert list(go_lives["ई-हॉस्पिटल शुरू होने वाली संस्था"]) == ["जिला चिकित्सालय"]
    assert next(f for f in frames if "target" in f.columns)["label"].tolist() == ["लक्ष्य 60%"]
    assert any("धूसर टूटी रेखा" in c.value for c in at.caption)


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_no_go_live_marker_outside_scope(worked_store: str) -> None:
    at = open_page(PAGE, {**JANUARY, "facility": F2})
    for _, datasets in _charts(at):
        assert not any("Go-live date" in f.columns for f in datasets.values())


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_year_over_year_needs_a_year_of_history(worked_store: str) -> None:
    at = open_page(PAGE, {**JANUARY, "facility": F1})
    assert any(
        i.value == "Year-over-year needs a year of history before the period." for i in at.info
    )


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("lang", ["en", "hi"])
def test_every_chart_exports_what_it_draws_in_the_language(
    worked_store: str, exported: dict[str, pd.DataFrame], lang: str
) -> None:
    at = open_page(PAGE, {**JANUARY, "lang": lang})
    assert not at.exception, at.exception
    exported = _of_this_page(exported)
    assert set(exported) == {
        "trends_registrations",
        "trends_adoption",
        "trends_channels",
        "trends_visits",
    }
    for key, frame in exported.items():
        assert not frame.empty, key
        for column in frame.columns:
            assert not column.startswith("_"), f"{key}: helper column {column} exported"
            if lang == "hi":
                assert DEVANAGARI.search(column), f"{key}: column {column!r} not in Hindi"
            else:
                assert not DEVANAGARI.search(column), f"{key}: column {column!r} not in English"
    series = exported["trends_registrations"]
    opd = OPD if lang == "en" else "ओपीडी पंजीयन"
    assert series[opd].sum() == 7, "F1's five and F2's two registrations of January"


# --- year over year, on the worked example with a January a year earlier -----------------------
def _a_year_earlier(source_url: str) -> None:
    rows = [
        _row("y1", F1, datetime(2024, 1, 10, 9), "00123456789020"),
        _row("y2", F1, datetime(2024, 1, 11, 9)),
        _row("y3", F2, datetime(2024, 1, 12, 9)),
    ]
    engine = sa.create_engine(source_url)
    with engine.begin() as conn:
        table = sa.Table("opd_registrations", sa.MetaData(), autoload_with=conn)
        conn.execute(table.insert(), rows)
    engine.dispose()


@pytest.fixture
def store_with_history(
    worked_source_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    _a_year_earlier(worked_source_url)
    store_url = f"sqlite:///{tmp_path / 'history.sqlite'}"
    refresh(source_engine(worked_source_url), store_engine(store_url), now=DEMO_NOW)
    monkeypatch.setenv("ANALYTICS_DB_URL", store_url)
    monkeypatch.setenv("EHOSPITAL_SECRETS_FILE", str(tmp_path / "none.toml"))
    return store_url


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize(
    ("lang", "this_period", "a_year_earlier", "month", "axis_month"),
    [
        ("en", "This period", "A year earlier", "Month", "Jan"),
        ("hi", "यह अवधि", "एक वर्ष पहले", "माह", "जन॰"),
    ],
)
def test_year_over_year_compares_the_same_days(
    store_with_history: str,
    exported: dict[str, pd.DataFrame],
    lang: str,
    this_period: str,
    a_year_earlier: str,
    month: str,
    axis_month: str,
) -> None:
    at = open_page(PAGE, {**JANUARY, "lang": lang})
    assert not at.exception, at.exception
    compared = exported["trends_yoy_registrations"]
    period = "Period" if lang == "en" else "अवधि"
    opd = OPD if lang == "en" else "ओपीडी पंजीयन"
    by_year = compared.set_index(period)[opd]
    assert by_year[this_period] == 7
    assert by_year[a_year_earlier] == 3
    assert set(compared[month]) == {
        "January 2025" if lang == "en" else "जनवरी 2025",
        "January 2024" if lang == "en" else "जनवरी 2024",
    }
    assert set(_drawn_by(at, "x", "_month")["_month"]) == {axis_month}


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("by", list(GROUPS))
@pytest.mark.parametrize("grain", GRAINS)
def test_every_grain_and_breakdown_in_hindi_shows_no_english(
    store_with_history: str, grain: str, by: str
) -> None:
    from test_languages import ENGLISH_PHRASES, visible_text

    at = _with_grain({**JANUARY, "lang": "hi"}, grain, by)
    at.checkbox(key="trends_show_target").check().run()
    assert not at.exception, at.exception
    shown = visible_text(at)
    leaked = [p for p in ENGLISH_PHRASES if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", shown)]
    assert leaked == []
