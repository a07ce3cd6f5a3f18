"""Division by division (issue 18): where the registry has several divisions the sidebar
offers them, the link carries them (``?division=``), and every page narrows to the chosen
division's districts and names it; a registry of one division offers no such choice.

On the two-division store (tests/conftest.py): Bastar division = Bastar (414, District
Hospital Test, F1) and Sukma (649); Raipur division = Dantewada (416, CHC Test, F2)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from conftest import F1, F2, WORKED_JANUARY
from test_languages import visible_text
from views_helpers import JANUARY, open_page

from i18n import Words
from ui.pages import PAGES

EN, HI = Words("en"), Words("hi")
RAIPUR_ONLY = {**JANUARY, "division": "Raipur"}
JANUARY_DAYS = (date(2025, 1, 1), date(2025, 1, 31))


def _division_box(at):  # type: ignore[no-untyped-def]
    return next(
        (box for box in at.sidebar.multiselect if box.label == EN("filters.division")), None
    )


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_a_division_in_the_link_narrows_every_figure_and_is_named(two_division_store: str) -> None:
    at = open_page("views/overview.py", RAIPUR_ONLY)
    assert not at.exception, at.exception
    filters = at.session_state["filters"]
    assert (filters.divisions, filters.districts, filters.in_districts) == (("Raipur",), (), (416,))
    assert at.metric[0].value == str(WORKED_JANUARY["F2"]["opd_registrations"])
    shown = visible_text(at)
    assert "Raipur division · " in shown  # the scope caption
    assert "District Hospital Test" not in shown
    assert at.query_params["division"] in ("Raipur", ["Raipur"])  # kept in the link
    districts = next(b for b in at.sidebar.multiselect if b.label == EN("filters.district"))
    assert districts.options == ["Dakshin Bastar Dantewada"]  # the division's districts only
    facilities = at.sidebar.multiselect[-1]
    assert any(F2 in o for o in facilities.options) and not any(F1 in o for o in facilities.options)


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("page", [p.file for p in PAGES if p.name not in ("system", "about")])
def test_every_page_opens_for_one_division(two_division_store: str, page: str) -> None:
    at = open_page(page, RAIPUR_ONLY)
    assert not at.exception, (page, at.exception)
    shown = visible_text(at) + "".join(f.value.to_csv() for f in at.dataframe)
    assert "District Hospital Test" not in shown, page


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_division_box_lists_the_divisions_in_the_language(two_division_store: str) -> None:
    at = open_page("views/overview.py", JANUARY)
    box = _division_box(at)
    assert box is not None and box.options == ["Bastar division", "Raipur division"]
    assert "Chhattisgarh · " in visible_text(at)  # all of it: the state
    at = open_page("views/overview.py", {**JANUARY, "lang": "hi"})
    box = next(b for b in at.sidebar.multiselect if b.label == HI("filters.division"))
    assert box.options == ["बस्तर संभाग", "रायपुर संभाग"]
    assert "छत्तीसगढ़ · " in visible_text(at)


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_picking_a_division_in_the_sidebar_narrows_the_districts(two_division_store: str) -> None:
    at = open_page("views/overview.py", {**JANUARY, "district": "416"})
    _division_box(at).set_value(["Bastar"]).run()
    assert not at.exception, at.exception
    filters = at.session_state["filters"]
    # Dantewada is not of Bastar division: dropped with the choice of the division
    assert (filters.divisions, filters.districts, filters.in_districts) == (
        ("Bastar",),
        (),
        (414, 649),
    )
    assert at.metric[0].value == str(WORKED_JANUARY["F1"]["opd_registrations"])


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"division": "Nowhere"}, "no division named 'Nowhere'"),
        ({"division": "Raipur", "district": "414"}, "no district with LGD code '414'"),
    ],
)
def test_a_division_or_district_the_link_cannot_have_is_named(
    two_division_store: str, params: dict, named: str
) -> None:
    at = open_page("views/overview.py", {**JANUARY, **params})
    assert not at.exception, at.exception
    assert any(named in toast.value.replace("\u2060", "") for toast in at.toast), [
        t.value for t in at.toast
    ]


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_a_registry_of_one_division_offers_no_division(worked_store: str) -> None:
    at = open_page("views/overview.py", {**JANUARY, "division": "bastar"})
    assert not at.exception, at.exception
    assert _division_box(at) is None
    filters = at.session_state["filters"]
    assert filters.divisions == () and filters.in_districts == ()  # all of it: no choice
    assert not at.toast  # a division the registry has, only all of it: nothing to say
    assert "Bastar division · " in visible_text(at)


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_comparison_of_the_state_ranks_its_divisions_first(two_division_store: str) -> None:
    at = open_page("views/comparison.py", JANUARY)
    assert not at.exception, at.exception
    divisions = at.dataframe[0].value
    assert list(divisions.columns)[0] == EN("filters.division")
    opd = EN("figure.opd_registrations")
    assert dict(zip(divisions[EN("filters.division")], divisions[opd], strict=True)) == {
        "Bastar division": WORKED_JANUARY["F1"]["opd_registrations"],
        "Raipur division": WORKED_JANUARY["F2"]["opd_registrations"],
    }
    # one division in view: no division table, the districts come first
    at = open_page("views/comparison.py", RAIPUR_ONLY)
    assert list(at.dataframe[0].value.columns)[0] == EN("common.district")


def _colour_titles(spec: object) -> list[str]:
    """The titles of a Vega-Lite spec's colour encodings, layers included."""
    if isinstance(spec, list):
        return [t for item in spec for t in _colour_titles(item)]
    if not isinstance(spec, dict):
        return []
    own = [spec["encoding"]["color"]["title"]] if "color" in spec.get("encoding", {}) else []
    return own + [t for key, v in spec.items() if key != "encoding" for t in _colour_titles(v)]


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("lang", ["en", "hi"])
def test_the_state_projects_its_divisions_to_the_target(two_division_store: str, lang: str) -> None:
    """The projection follows the league: the state's divisions (their districts'
    registrations together), not its districts; January's adoption is F1's 2 of 5 for
    Bastar division, F2's 0 of 2 for Raipur's. One division in view: its districts."""
    w = Words(lang)
    at = open_page("views/comparison.py", {**JANUARY, "lang": lang})
    assert not at.exception, at.exception
    reaches = w("comparison.reaches", target=60)
    (table,) = [d.value for d in at.dataframe if reaches in d.value.columns]
    latest = w("comparison.latest_adoption")
    league = at.dataframe[0].value  # the divisions' league: their names as the page gives them
    opd = dict(
        zip(league[w("filters.division")], league[w("figure.opd_registrations")], strict=True)
    )
    (bastar,) = [name for name, n in opd.items() if n == WORKED_JANUARY["F1"]["opd_registrations"]]
    (raipur,) = [name for name, n in opd.items() if n == WORKED_JANUARY["F2"]["opd_registrations"]]
    assert list(table.columns)[0] == w("filters.division")
    assert dict(zip(table[w("filters.division")], table[latest], strict=True)) == {
        bastar: 2 / 5,
        raipur: 0 / 2,
    }
    assert w("comparison.projection_title.division") in [h.value for h in at.subheader]
    trend_title = w("comparison.trend_title", target=60)
    specs = [json.loads(e.proto.spec) for e in at.get("vega_lite_chart")]
    (trend,) = [s for s in specs if trend_title in json.dumps(s, ensure_ascii=False)]
    assert _colour_titles(trend) == [w("filters.division")]
    at = open_page("views/comparison.py", {**RAIPUR_ONLY, "lang": lang})
    (table,) = [d.value for d in at.dataframe if reaches in d.value.columns]
    assert list(table.columns)[0] == w("common.district")


def _division_borders(at) -> list[dict]:  # type: ignore[no-untyped-def]
    """The layers of the page's map that draw the divisions' borders."""
    import json

    from geo import layers

    border = layers.rgb_to_hex(layers.DIVISION_OUTLINE)
    found = []
    for element in at.get("vega_lite_chart"):
        for layer in json.loads(element.proto.spec).get("layer", []):
            mark = layer.get("mark", {})
            if (
                isinstance(mark, dict)
                and mark.get("type") == "geoshape"
                and mark.get("stroke") == border
            ):
                found.append(layer)
    return found


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_map_of_the_state_draws_the_division_borders(two_division_store: str) -> None:
    at = open_page("views/map.py", JANUARY)
    assert not at.exception, at.exception
    borders = _division_borders(at)
    assert len(borders) == 1
    drawn = {feature["division"] for feature in borders[0]["data"]["values"]}
    assert drawn == {"Bastar", "Raipur"}
    assert EN("map.legend.division") in visible_text(at)


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_map_of_one_division_draws_no_division_border(worked_store: str) -> None:
    at = open_page("views/map.py", JANUARY)
    assert not at.exception, at.exception
    assert _division_borders(at) == []
    assert EN("map.legend.division") not in visible_text(at)


def test_a_click_on_the_states_map_opens_the_division_then_the_district() -> None:
    import pandas as pd

    from ui.filters import Filters, district_clicks

    def district_click(code, filters, districts):
        return district_clicks([code], filters, districts)[code]

    state = pd.DataFrame({"lgd_code": [414, 416, 649], "division": ["Bastar", "Raipur", "Bastar"]})
    everything = Filters("last_90_days", JANUARY_DAYS[0], JANUARY_DAYS[1])
    assert district_click(416, everything, state) == {"divisions": ["Raipur"]}
    raipur = Filters(
        "last_90_days", *JANUARY_DAYS, divisions=("Raipur",), division_districts=(416,)
    )
    assert district_click(416, raipur, state) == {"districts": [416]}
    one_district = Filters("last_90_days", *JANUARY_DAYS, districts=(414,))
    assert district_click(649, one_district, state) == {"districts": [649]}
    one_division = state.assign(division="Bastar")  # a registry of one division: the district
    assert district_click(416, everything, one_division) == {"districts": [416]}


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_states_map_says_a_click_opens_a_division(two_division_store: str) -> None:
    at = open_page("views/map.py", JANUARY)
    assert not at.exception, at.exception
    assert EN("map.drill_hint") in [c.value for c in at.caption]
    at = open_page("views/map.py", RAIPUR_ONLY)
    assert EN("map.drill_hint") not in [c.value for c in at.caption]


def _map_labels(at) -> set[str]:  # type: ignore[no-untyped-def]
    """The names the light map prints (its text layers)."""
    import json

    names = set()
    for element in at.get("vega_lite_chart"):
        for layer in json.loads(element.proto.spec).get("layer", []):
            mark = layer.get("mark", {})
            if isinstance(mark, dict) and mark.get("type") == "text":
                names |= {v["name"] for v in layer.get("data", {}).get("values", [])}
    return names


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_states_map_prints_the_divisions_and_a_divisions_map_its_districts(
    two_division_store: str,
) -> None:
    at = open_page("views/map.py", {**JANUARY, "lang": "hi"})
    assert not at.exception, at.exception
    assert _map_labels(at) == {"बस्तर संभाग", "रायपुर संभाग"}
    at = open_page("views/map.py", {**JANUARY, "division": "Bastar"})
    assert _map_labels(at) == {"Bastar", "Sukma"}


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_states_overview_trend_is_by_division(two_division_store: str) -> None:
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    at = open_page("views/overview.py", JANUARY)
    assert not at.exception, at.exception
    assert EN("overview.trend_title_by_division.week") in [s.value for s in at.subheader]
    division, opd = EN("filters.division"), EN("figure.opd_registrations")
    frames = [
        convert_arrow_bytes_to_pandas_df(d.data.data)
        for e in at.main
        if getattr(e, "type", None) == "vega_lite_chart"
        for d in e.proto.datasets
    ]
    trend = next(f for f in frames if division in f.columns)
    assert trend.groupby(division)[opd].sum().to_dict() == {
        "Bastar division": WORKED_JANUARY["F1"]["opd_registrations"],
        "Raipur division": WORKED_JANUARY["F2"]["opd_registrations"],
    }
