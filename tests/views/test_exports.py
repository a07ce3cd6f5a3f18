"""The download buttons of every page (AppTest on the worked example): one file name for one
table, the notes of a chart in its files, the figures by press.files' rule, the Facility
profile's files named for the facility, and the Press kit's "data drawn" as the files
round it."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable

import openpyxl
import pandas as pd
import pytest
from conftest import F1, F2
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest
from views_helpers import JANUARY, open_page

from i18n import Words
from ui.pages import PAGE_FILES

EN, HI = Words("en"), Words("hi")
Made = list[tuple[str, Callable[[], bytes]]]


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> Made:
    """(file name, the function that makes the file) of every chart and table button, in
    the order the pages draw them."""
    import ui.exports

    made: Made = []

    def capture(make: Callable[[], bytes], name: str) -> Callable[[], bytes]:
        made.append((name, make))
        return make

    monkeypatch.setattr(ui.exports, "recorded_export", capture)
    return made


@pytest.fixture
def chart_notes(monkeypatch: pytest.MonkeyPatch) -> dict[str, tuple[str, ...]]:
    """The notes each chart hands to its downloads, by the chart's key."""
    import ui.exports

    notes: dict[str, tuple[str, ...]] = {}
    real = ui.exports.chart_downloads
    handed = notes

    def record(chart, frame, *, key: str, notes: tuple[str, ...] = (), **options) -> None:
        handed[key] = tuple(notes)
        real(chart, frame, key=key, notes=notes, **options)

    monkeypatch.setattr(ui.exports, "chart_downloads", record)
    return notes


def _file(made: Made, pattern: str) -> bytes:
    found = [make for name, make in made if re.search(pattern, name)]
    assert found, f"no download named like {pattern!r} in {[n for n, _ in made]}"
    return found[-1]()


def _sheet_text(content: bytes) -> list[str]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]


# --- one name, one table --------------------------------------------------------------------


def _this_run(made: Made, since: int) -> list[str]:
    return [name for name, _ in made[since:]]


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("lang", ["en", "hi"])
@pytest.mark.parametrize(
    "params",
    [JANUARY, {**JANUARY, "district": "414"}, {**JANUARY, "facility": F2}],
    ids=["division", "one district", "one facility"],
)
def test_every_download_of_a_page_has_a_name_of_its_own(
    worked_store: str, downloads: Made, params: dict, lang: str
) -> None:
    at = open_page(PAGE_FILES[0], {**params, "lang": lang})
    for page in PAGE_FILES:
        since = len(downloads)
        at.switch_page(page).run()
        assert not at.exception, f"{page}: {at.exception}"
        names = _this_run(downloads, since)
        repeated = sorted({n for n in names if names.count(n) > 1})
        assert not repeated, f"{page}: two buttons hand out {repeated}"
    _assert_no_clash(at)


def _assert_no_clash(at: AppTest) -> None:
    clashes = at.session_state.get("_export_name_clashes", [])
    assert not clashes, f"two different tables under one file name: {clashes}"


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_a_name_stays_one_table_as_the_widgets_change(
    worked_store: str, downloads: Made, caplog: pytest.LogCaptureFixture
) -> None:
    """One session through every page and the widgets that change a table (the Trends
    grain and lines, the comparison's target, the silent days, the profiled facility):
    no file name is handed out for two different tables."""
    caplog.set_level(logging.WARNING, logger="ui.exports")
    at = open_page(PAGE_FILES[0], JANUARY)
    at.switch_page("views/trends.py").run()
    for grain in ("day", "week", "month"):
        for by in ("total", "district", "facility_type", "facility"):
            at.selectbox(key="trends_grain").set_value(grain)
            at.selectbox(key="trends_by").set_value(by).run()
            assert not at.exception, at.exception
    at.switch_page("views/comparison.py").run()
    for target in (60, 70):
        at.number_input(key="comparison_target").set_value(target).run()
        assert not at.exception, at.exception
    at.switch_page("views/data_quality.py").run()
    for days in (3, 10):
        at.slider(key="dq_silent_days").set_value(days).run()
        assert not at.exception, at.exception
    at.switch_page("views/facility.py").run()
    for facility in (F1, F2):
        at.selectbox(key="profile_facility").set_value(facility).run()
        assert not at.exception, at.exception
    for page in PAGE_FILES:
        at.switch_page(page).run()
        assert not at.exception, f"{page}: {at.exception}"
    _assert_no_clash(at)
    assert "share the file name" not in caplog.text


def test_a_second_table_under_a_name_is_caught() -> None:
    """The registry itself: the same table may claim its name again, another may not."""
    script = """
import pandas as pd
import streamlit as st
from ui import exports

one = pd.DataFrame({"District": ["a"], "OPD registrations": [1]})
other = pd.DataFrame({"Facility": ["b"], "OPD registrations": [2]})
exports._claim("opd_x_2025-01-01_2025-01-31_en.", "By district", one, "k1")
exports._claim("opd_x_2025-01-01_2025-01-31_en.", "By district", one, "k1")
st.markdown(str(len(exports.name_clashes())))
exports._claim("opd_x_2025-01-01_2025-01-31_en.", "By facility", other, "k2")
st.markdown(str(len(exports.name_clashes())))
"""
    at = AppTest.from_string(script).run()
    assert not at.exception, at.exception
    assert [m.value for m in at.markdown] == ["0", "1"]


# --- the notes a chart needs travel with it ------------------------------------------------


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("w", [EN, HI], ids=["en", "hi"])
def test_the_weekly_trends_carry_the_partial_weeks_and_go_live_in_their_files(
    worked_store: str, downloads: Made, chart_notes: dict, w: Words
) -> None:
    """January 2025 by week: its first and last weeks are cut by the period, and F1 went
    live on 10-01-2025 (a dashed line). The page says so under the chart; the PNG, SVG
    and XLSX of both charts say it too."""
    at = open_page("views/trends.py", {**JANUARY, "lang": w.lang})
    assert not at.exception, at.exception
    assert at.selectbox(key="trends_grain").value == "week"
    partial, go_live = w("trends.note.edges.week"), w("trends.note.go_live_one")
    under_the_chart = " ".join(c.value for c in at.caption)
    assert partial in under_the_chart and go_live in under_the_chart
    for key in ("trends_registrations", "trends_adoption"):
        assert partial in chart_notes[key] and go_live in chart_notes[key], key
    svg = _file(downloads, r"^opd-registrations-by-week-per-district_.*\.svg$").decode()
    text = re.sub(r"<[^>]+>", " ", svg)
    text = re.sub(r"\s+", " ", text)
    for note in (partial, go_live):
        assert note in text, note
    sheet = _sheet_text(_file(downloads, r"^abha-adoption-by-week-per-district_.*\.xlsx$"))
    assert partial in sheet and go_live in sheet
    csv = _file(downloads, r"^abha-adoption-by-week-per-district_.*\.csv$").decode("utf-8-sig")
    assert partial not in csv, "the CSV is data only"


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_files_of_a_page_follow_the_rule_for_figures(
    worked_store: str, downloads: Made
) -> None:
    """The Trends adoption chart's CSV: counts whole, adoption a percentage with one
    decimal under a '(%)' header, weeks as ISO dates; its XLSX typed and formatted."""
    at = open_page("views/trends.py", JANUARY)
    assert not at.exception, at.exception
    table = pd.read_csv(
        io.BytesIO(_file(downloads, r"^abha-adoption-by-week-per-district_.*\.csv$")),
        encoding="utf-8-sig",
        dtype=str,
    )
    share = EN("export.percent_column", name=EN("figure.abha_share"))
    assert share in table.columns
    assert EN("figure.abha_share") not in table.columns
    assert table[share].dropna().str.fullmatch(r"\d{1,3}\.\d").all(), table[share]
    assert table[EN("figure.opd_registrations")].str.fullmatch(r"\d+").all()
    assert table["Week starting"].str.fullmatch(r"\d{4}-\d\d-\d\d").all()
    bastar = table[table["District"] == "Bastar"]
    assert "50.0" in set(bastar[share]), "F1: 2 of 4 linked in the week of 13 January"


# --- the Facility profile's files are of the facility --------------------------------------


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_facility_profile_files_name_the_facility(worked_store: str, downloads: Made) -> None:
    at = open_page("views/facility.py", JANUARY)  # the division in the filters
    at.selectbox(key="profile_facility").set_value(F1).run()
    assert not at.exception, at.exception
    since = len(downloads)
    at.selectbox(key="profile_facility").set_value(F2).run()
    names = _this_run(downloads, since)
    assert names and all("_chc-test_" in name for name in names), names
    sheet = _sheet_text(_file(downloads[since:], r"^channel-mix_chc-test_.*\.xlsx$"))
    assert sheet[1].startswith("CHC Test · "), sheet[:3]
    assert "CHC Test" in sheet[2]


# --- the Press kit's data drawn, as the files and headlines round it ------------------------


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("w", [EN, HI], ids=["en", "hi"])
def test_the_press_kit_data_drawn_rounds_as_the_files(worked_store: str, w: Words) -> None:
    at = open_page("views/press_kit.py", {**JANUARY, "lang": w.lang})
    assert not at.exception, at.exception
    table = at.dataframe[-1]
    shown = dataframe_util.convert_arrow_bytes_to_pandas_df(
        table.proto.arrow_data.styler.display_values
    )
    values = table.value
    share = w("figure.abha_share")
    assert list(shown[share]) == [w.percent(v) for v in values[share]]
    assert all(re.fullmatch(r"\d{1,3}\.\d%", s) for s in shown[share])
    registrations = w("figure.opd_registrations")
    assert list(shown[registrations]) == [w.count(v) for v in values[registrations]]


def test_styled_groups_counts_and_rounds_shares_the_same_way() -> None:
    from ui.exports import styled

    frame = pd.DataFrame(
        {
            EN("common.district"): ["Bastar", "Dantewada"],
            EN("figure.opd_registrations"): [81023, 3428620],
            EN("figure.abha_share"): [0.4888858719129136, 0.455],
        }
    )
    shown = styled(frame, EN).to_string()
    assert "81,023" in shown and "34,28,620" in shown
    assert "48.9%" in shown and "45.5%" in shown and "48.89" not in shown
