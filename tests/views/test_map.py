"""The Map page (AppTest): every filter state, figures against data_access, narrowing the
app to a district, and districts without a boundary listed rather than dropped."""

from __future__ import annotations

import json
from datetime import date

import pytest
import sqlalchemy as sa
from conftest import F1, F2
from views_helpers import FILTER_STATES, JANUARY, open_page

from data_access import store as store_tables
from data_access.engines import store_engine
from data_access.queries import Period, Scope, registration_counts
from metrics.adoption import with_adoption_rate
from ui import format as fmt

PAGE = "views/map.py"


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("state", list(FILTER_STATES))
def test_the_map_renders(worked_store: str, state: str) -> None:
    at = open_page(PAGE, FILTER_STATES[state])
    assert not at.exception, at.exception
    assert at.header[0].value == "Map"
    assert at.caption, "the page says what it shows"


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("metric", ["adoption", "volume", "change"])
def test_every_metric_renders_with_its_legend(worked_store: str, metric: str) -> None:
    at = open_page(PAGE, JANUARY)
    at.radio(key="map_metric").set_value(metric).run()
    assert not at.exception, at.exception
    legend = " ".join(md.value for md in at.markdown)
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
        assert table.loc[name, "ABHA adoption (%)"] == pytest.approx(
            100 * expected.loc[lgd, "abha_share"]
        )
    assert table.loc["Sukma", "OPD registrations"] == 0, "a district with no data is listed"


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


def _deck(at) -> dict:
    return json.loads(at.get("deck_gl_json_chart")[0].proto.json)


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_map_draws_offline_with_districts_facilities_and_no_data(worked_store: str) -> None:
    deck = _deck(open_page(PAGE, JANUARY))
    assert "mapProvider" not in deck, "no basemap provider: nothing is fetched"
    assert deck["mapStyle"] == "__MAP_STYLE__", "pydeck's placeholder, dropped by Streamlit"
    layers = {layer["id"]: layer for layer in deck["layers"]}
    assert {"districts", "no-data-outline", "facilities"} <= set(layers)
    districts = {
        f["properties"]["lgd_code"]: f["properties"]
        for f in layers["districts"]["data"]["features"]
    }
    assert set(districts) == {414, 416, 649}
    no_data = [f["properties"]["lgd_code"] for f in layers["no-data-outline"]["data"]["features"]]
    assert no_data == [649], "Sukma has no facility, so no data"
    assert districts[649]["fill"] != districts[414]["fill"]
    (point,) = layers["facilities"]["data"]  # F2 has no coordinates
    assert point["facility_id"] == F1
    assert f"OPD registrations: {fmt.count(5)}" in point["figures"]
    assert f"ABHA adoption: {fmt.percent(2 / 5)}" in point["figures"]
    assert "OPD registrations: 5" in districts[414]["figures"]


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_view_follows_the_districts_in_scope(worked_store: str) -> None:
    division = _deck(open_page(PAGE, JANUARY))["initialViewState"]
    bastar = _deck(open_page(PAGE, {**JANUARY, "district": "414"}))["initialViewState"]
    assert bastar["zoom"] > division["zoom"]
    assert bastar["latitude"] == pytest.approx(19.2, abs=0.6)
    assert bastar["longitude"] == pytest.approx(81.9, abs=0.6)
