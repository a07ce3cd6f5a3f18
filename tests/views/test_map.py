"""The Map page (AppTest): every filter state in both languages, figures against data_access,
narrowing the app to a district, and districts without a boundary listed rather than dropped."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa
from conftest import F1, F2
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest
from views_helpers import FILTER_STATES, JANUARY, chart_views, open_page

from data_access import store as store_tables
from data_access.engines import store_engine
from data_access.queries import Period, Scope, registration_counts
from metrics.adoption import with_adoption_rate

PAGE = "views/map.py"
HEADER = {"en": "Map", "hi": "मानचित्र"}


def _shown(at: AppTest, index: int = 0) -> pd.DataFrame:
    """A table's cells as displayed (formatted text), not its values."""
    styler = at.dataframe[index].proto.arrow_data.styler
    return convert_arrow_bytes_to_pandas_df(styler.display_values)


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("lang", ["en", "hi"])
@pytest.mark.parametrize("state", list(FILTER_STATES))
def test_the_map_renders(worked_store: str, state: str, lang: str) -> None:
    at = open_page(PAGE, {**FILTER_STATES[state], "lang": lang})
    assert not at.exception, at.exception
    assert at.header[0].value == HEADER[lang]
    assert at.caption, "the page says what it shows"


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("metric", ["adoption", "volume", "change"])
def test_every_metric_renders_with_its_legend(worked_store: str, metric: str) -> None:
    at = open_page(PAGE, JANUARY)
    at.radio(key="map_metric").set_value(metric).run()
    assert not at.exception, at.exception
    legend = _legend(at)
    assert "No data" in legend, "the legend names the no-data colour"
    assert "Outside the filters" in legend


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_an_empty_selection_says_so(worked_store: str) -> None:
    at = open_page(PAGE, FILTER_STATES["an empty period"])
    assert any("No registrations in" in info.value for info in at.info)


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_district_figures_match_data_access(worked_store: str) -> None:
    at = open_page(PAGE, JANUARY)
    table = at.dataframe[0].value.set_index("District")
    expected = with_adoption_rate(
        registration_counts(
            store_engine(worked_store),
            Period(date(2025, 1, 1), date(2025, 1, 31)),
            Scope.of(),
            by=["district"],
        )
    ).set_index("district_lgd")
    for lgd, name in [(414, "Bastar"), (416, "Dakshin Bastar Dantewada")]:
        assert table.loc[name, "OPD registrations"] == expected.loc[lgd, "opd_registrations"]
        assert table.loc[name, "ABHA-linked"] == expected.loc[lgd, "abha_linked"]
        assert table.loc[name, "ABHA adoption"] == pytest.approx(expected.loc[lgd, "abha_share"])
    assert table.loc["Sukma", "OPD registrations"] == 0, "a district with no data is listed"


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_missing_figures_show_a_dash_not_none(worked_store: str) -> None:
    at = open_page(PAGE, JANUARY)
    districts = _shown(at, 0).set_index("District")
    assert districts.loc["Sukma", "ABHA adoption"] == "–", "no registrations: no rate"
    assert districts.loc["Sukma", "OPD registrations"] == "0"
    assert districts.loc["Bastar", "ABHA adoption"] == "40.0%"
    assert districts.loc["Bastar", "Change (pp)"] == "–", "too few registrations to compare"
    facilities = _shown(at, 1)
    for shown in (districts.reset_index(), facilities):
        cells = shown.astype(str).to_numpy().ravel().tolist()
        assert not {"None", "nan", "NaN", "<NA>"} & set(cells), cells


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_map_and_both_tables_have_their_downloads(worked_store: str) -> None:
    at = open_page(PAGE, {**JANUARY, "lang": "hi"})
    labels = [button.label for button in at.get("download_button")]
    # the static map (PNG, SVG, CSV, XLSX), then each table (CSV, XLSX)
    assert labels == ["PNG चित्र", "SVG चित्र"] + ["आँकड़े (CSV)", "तालिका (Excel)"] * 3


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_one_district_shows_only_that_district(worked_store: str) -> None:
    at = open_page(PAGE, {**JANUARY, "district": "414"})
    assert at.dataframe[0].value["District"].tolist() == ["Bastar"]
    assert any("Bastar" in md.value for md in at.markdown if "The app shows" in md.value)


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_selectbox_narrows_the_app_to_a_district(worked_store: str) -> None:
    at = open_page(PAGE, JANUARY)
    assert at.session_state["filters"].districts == ()
    at.selectbox(key="map_narrow").select(416).run()
    assert not at.exception, at.exception
    assert at.session_state["filters"].districts == (416,)
    assert at.selectbox(key="map_narrow").value is None, "the list is ready for the next choice"
    assert any("Dakshin Bastar Dantewada" in md.value for md in at.markdown)
    at.button(key="map_show_all").click().run()
    assert at.session_state["filters"].districts == ()


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_narrowing_to_a_district_clears_a_facility(worked_store: str) -> None:
    at = open_page(PAGE, {**JANUARY, "facility": F1})
    at.selectbox(key="map_narrow").select(416).run()
    assert at.session_state["filters"].districts == (416,)
    assert at.session_state["filters"].facilities == ()


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_facilities_without_coordinates_are_named(worked_store: str) -> None:
    at = open_page(PAGE, JANUARY)
    notes = " ".join(c.value for c in at.caption)
    assert "CHC Test" in notes and F2 in notes


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_a_district_without_a_boundary_is_listed(worked_store: str) -> None:
    engine = store_engine(worked_store)
    with engine.begin() as conn:
        conn.execute(
            sa.insert(store_tables.dim_districts).values(
                lgd_code=999,
                name_en="Nowhere",
                name_hi="कहीं नहीं",
                division="Bastar",
                state="Chhattisgarh",
            )
        )
    at = open_page(PAGE, JANUARY)
    assert not at.exception, at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "Nowhere (LGD 999)" in warnings
    assert "Nowhere" in at.dataframe[0].value["District"].tolist()


def _legend(at: AppTest) -> str:
    """The legend's text (st.html, as the page draws it)."""
    return " ".join(element.proto.body for element in at.get("html"))


def _deck(at) -> dict:
    return json.loads(at.get("deck_gl_json_chart")[0].proto.json)


def _interactive(params: dict[str, str]) -> AppTest:
    """The Map with its interactive (deck.gl) map chosen, as a user does by the toggle."""
    at = open_page(PAGE, params)
    assert not at.get("deck_gl_json_chart"), "the light map is the default"
    at.toggle(key="map_interactive_toggle").set_value(True).run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_map_draws_offline_with_districts_facilities_and_no_data(worked_store: str) -> None:
    deck = _deck(_interactive(JANUARY))
    assert "mapProvider" not in deck, "no basemap provider: nothing is fetched"
    assert deck["mapStyle"] == "__MAP_STYLE__", "pydeck's placeholder, dropped by Streamlit"
    layers = {layer["id"]: layer for layer in deck["layers"]}
    assert {"lgd", "no-data-outline", "hfr"} <= set(layers)
    districts = {
        f["properties"]["lgd_code"]: f["properties"] for f in layers["lgd"]["data"]["features"]
    }
    assert set(districts) == {414, 416, 649}
    no_data = [f["properties"]["lgd_code"] for f in layers["no-data-outline"]["data"]["features"]]
    assert no_data == [649], "Sukma has no facility, so no data"
    assert districts[649]["fill"] != districts[414]["fill"]
    (point,) = layers["hfr"]["data"]  # F2 has no coordinates
    assert point["facility_id"] == F1
    assert "OPD registrations: 5" in point["figures"]
    assert "ABHA adoption: 40.0%" in point["figures"]
    assert "OPD registrations: 5" in districts[414]["figures"]
    assert point["kind"] == "District hospital · Bastar district"
    assert districts[414]["kind"] == "District · LGD 414"
    assert districts[649]["kind"] == "District · LGD 649 · no data"
    names = [label["name"] for label in layers["district-names"]["data"]]
    assert sorted(names) == ["Bastar", "Dakshin Bastar Dantewada", "Sukma"]


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_map_in_hindi_names_and_describes_in_hindi(worked_store: str) -> None:
    at = _interactive({**JANUARY, "lang": "hi"})
    layers = {layer["id"]: layer for layer in _deck(at)["layers"]}
    districts = {
        f["properties"]["lgd_code"]: f["properties"] for f in layers["lgd"]["data"]["features"]
    }
    assert districts[416]["name"] == "दक्षिण बस्तर दंतेवाड़ा"
    assert districts[414]["kind"] == "जिला · LGD 414"
    assert districts[414]["figures"].splitlines() == [
        "ओपीडी पंजीयन: 5",
        "आभा से लिंक: 2",
        "आभा लिंकिंग दर: 40.0%",
        "पिछली अवधि की तुलना में बदलाव: –",
    ]
    (point,) = layers["hfr"]["data"]
    assert point["name"] == "जिला चिकित्सालय"
    assert point["kind"] == "जिला चिकित्सालय · बस्तर जिला"
    assert "district-names" not in layers, "the TextLayer cannot shape Devanagari"
    assert at.dataframe[0].value.columns.tolist() == [
        "जिला",
        "ओपीडी पंजीयन",
        "आभा से लिंक",
        "आभा लिंकिंग दर",
        "बदलाव (प्रतिशत अंक)",
    ]
    assert _shown(at, 0).set_index("जिला").loc["सुकमा", "आभा लिंकिंग दर"] == "–"
    legend = _legend(at)
    assert "आँकड़े नहीं" in legend and "फ़िल्टर के बाहर" in legend
    notes = " ".join(c.value for c in at.caption)
    assert "CHC Test" in notes, "a facility without a Hindi name keeps its English one"


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_change_legend_in_hindi(worked_store: str) -> None:
    at = open_page(PAGE, {**JANUARY, "lang": "hi"})
    at.radio(key="map_metric").set_value("change").run()
    assert not at.exception, at.exception
    legend = _legend(at)
    assert "0 प्रतिशत अंक" in legend and "तुलना के लिए पंजीयन नहीं" in legend


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_view_follows_the_districts_in_scope(worked_store: str) -> None:
    division = _deck(_interactive(JANUARY))["initialViewState"]
    bastar = _deck(_interactive({**JANUARY, "district": "414"}))["initialViewState"]
    assert bastar["zoom"] > division["zoom"]
    assert bastar["latitude"] == pytest.approx(19.2, abs=0.6)
    assert bastar["longitude"] == pytest.approx(81.9, abs=0.6)


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("district", [None, "414", "416"])
def test_the_map_fits_a_phone(worked_store: str, district: str | None) -> None:
    """The districts in scope fit a 390 px screen at the map's zoom (issue 16, defect 4):
    fitted to 820 px, a phone lost the east of the division."""
    from geo import boundaries, layers

    at = _interactive({**JANUARY, **({"district": district} if district else {})})
    view = _deck(at)["initialViewState"]
    codes = [int(district)] if district else [414, 416, 649]
    bounds = layers.bounds_of(boundaries.district_boundaries(tuple(codes), None))
    assert bounds is not None
    minx, _, maxx, _ = bounds
    width_px = (maxx - minx) / 360 * 512 * 2 ** view["zoom"]
    assert width_px <= 390 - 2 * 16, f"{width_px:.0f} px of districts on a 390 px screen"


# --- the light map (the default): Vega-Lite, the same figures and colours ---------------------
def _light(at: AppTest) -> dict:
    (chart,) = [e for e in at.get("vega_lite_chart") if "district_click" in e.proto.spec]
    return json.loads(chart.proto.spec)


def _light_layers(spec: dict) -> dict[str, list[dict]]:
    """The light map's data by what it draws: shapes, dashed outlines, circles, names."""
    drawn: dict[str, list[dict]] = {}
    for view in chart_views(spec)[1:]:
        mark = view["mark"]["type"]
        kind = {"geoshape": "dashed" if view["mark"].get("filled") is False else "shapes"}.get(
            mark, {"circle": "circles", "text": "names"}.get(mark, mark)
        )
        drawn.setdefault(kind, view["data"]["values"])
    return drawn


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_light_map_is_the_default_with_the_interactive_maps_figures(
    worked_store: str,
) -> None:
    """The default map loads no deck.gl (0.75 MB on a first visit) and draws what the
    interactive one draws: the same districts and colours, the no-data outline, the
    located facility with its figures, the district names."""
    at = open_page(PAGE, JANUARY)
    assert not at.exception, at.exception
    assert not at.get("deck_gl_json_chart")
    drawn = _light_layers(_light(at))
    shapes = {shape["lgd_code"]: shape for shape in drawn["shapes"]}
    assert set(shapes) == {414, 416, 649}
    assert [shape["lgd_code"] for shape in drawn["dashed"]] == [649]
    (point,) = drawn["circles"]  # F2 has no coordinates
    assert point["facility_id"] == F1
    assert (point["opd"], point["linked"], point["share"]) == ("5", "2", "40.0%")
    assert point["kind"] == "District hospital · Bastar district"
    assert shapes[414]["kind"] == "District · LGD 414" and shapes[414]["opd"] == "5"
    assert shapes[649]["opd"] == "0" and shapes[649]["share"] == "–"
    assert sorted(n["name"] for n in drawn["names"]) == [
        "Bastar",
        "Dakshin Bastar Dantewada",
        "Sukma",
    ]

    deck = _deck(_interactive(JANUARY))
    deck_districts = {
        f["properties"]["lgd_code"]: f["properties"]
        for layer in deck["layers"]
        if layer["id"] == "lgd"
        for f in layer["data"]["features"]
    }
    from geo.layers import rgb_to_hex

    for code, shape in shapes.items():
        assert shape["fill"] == rgb_to_hex(deck_districts[code]["fill"]), code
        assert shape["line"] == rgb_to_hex(deck_districts[code]["line"]), code


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_light_map_names_districts_in_hindi(worked_store: str) -> None:
    """deck.gl's TextLayer cannot shape Devanagari, so the interactive map leaves Hindi
    names to its tooltip; the light map's names are drawn by the browser, in Hindi."""
    at = open_page(PAGE, {**JANUARY, "lang": "hi"})
    spec = _light(at)
    drawn = _light_layers(spec)
    assert "दक्षिण बस्तर दंतेवाड़ा" in [n["name"] for n in drawn["names"]]
    titles = [
        field.get("title")
        for view in chart_views(spec)
        for field in view.get("encoding", {}).get("tooltip", [])
    ]
    assert "ओपीडी पंजीयन" in titles and "आभा लिंकिंग दर" in titles
    assert not [t for t in titles if t and t.isascii() and t != "title"], titles


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_interactive_map_stays_chosen_for_the_session(worked_store: str) -> None:
    """Chosen once, it is the map on every later visit of the page in the session (the
    toggle's own state is dropped when the page is left)."""
    at = _interactive(JANUARY)
    at.switch_page("views/trends.py").run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert at.get("deck_gl_json_chart"), "the interactive map was forgotten"
    assert at.toggle(key="map_interactive_toggle").value is True
    at.toggle(key="map_interactive_toggle").set_value(False).run()
    assert not at.get("deck_gl_json_chart")


def test_a_click_on_the_light_map_asks_for_its_district_or_facility() -> None:
    from ui.light_map import clicked

    state = {"selection": {"district_click": [{"lgd_code": 416}], "facility_click": []}}
    assert clicked(state) == {"districts": [416]}
    state = {"selection": {"district_click": [], "facility_click": [{"facility_id": "IN1"}]}}
    assert clicked(state) == {"facilities": ["IN1"]}
    assert clicked({"selection": {"district_click": [], "facility_click": []}}) is None
    assert clicked({}) is None
