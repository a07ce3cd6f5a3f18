"""A block as a scope (issue 18: state → division → district → block → facility): the
link carries it (``?block=<LGD code>:<name>``, or a bare name of one block in view), the
sidebar offers the blocks of the districts in view, every page narrows to the block's
facilities and names it "<block> block"; a district's scorecard and comparison rank its
blocks.

On the worked store (tests/conftest.py): Bastar (414) has District Hospital Test (F1) in
block Jagdalpur; Dantewada (416) has CHC Test (F2), whose block is not recorded."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import F1, F2, WORKED_JANUARY
from test_languages import visible_text
from views_helpers import JANUARY, open_page

from i18n import Words
from ui.filters import block_key, block_name, block_names, blocks_of, filters_from_params
from ui.pages import PAGES

EN, HI = Words("en"), Words("hi")
JAGDALPUR = {**JANUARY, "block": "414:Jagdalpur"}


def _block_box(at):  # type: ignore[no-untyped-def]
    return next((box for box in at.sidebar.multiselect if box.label == EN("filters.block")), None)


# --- the keys and names of blocks (pure) ----------------------------------------------------
REGISTRY = pd.DataFrame(
    {
        "facility_id": ["A", "B", "C", "D", "E"],
        "district_lgd": [414, 414, 415, 416, 416],
        "block": ["Jagdalpur", " Bastar ", "Bastar", None, "  "],
        "facility_type": ["DH", "CHC", "CHC", "CHC", "CHC"],
    }
)
DISTRICTS = pd.DataFrame(
    {
        "lgd_code": [414, 415, 416],
        "name_en": ["Bastar", "Kondagaon", "Dakshin Bastar Dantewada"],
        "name_hi": ["बस्तर", "कोंडागांव", "दक्षिण बस्तर दंतेवाड़ा"],
        "division": ["Bastar"] * 3,
        "state": ["Chhattisgarh"] * 3,
    }
)


def test_a_block_is_keyed_by_its_district_since_two_districts_may_share_a_name() -> None:
    assert blocks_of(REGISTRY).to_dict() == {
        "A": "414:Jagdalpur",
        "B": "414:Bastar",  # spaces around the name are not part of it
        "C": "415:Bastar",
        "D": None,
        "E": None,  # blank is not recorded
    }
    assert block_key(414, "Jagdalpur") == "414:Jagdalpur" and block_key(414, None) is None
    assert block_name("414:Jagdalpur") == "Jagdalpur" and block_name("Jagdalpur") == "Jagdalpur"


def test_a_name_two_districts_share_carries_the_district() -> None:
    assert block_names(REGISTRY, DISTRICTS, EN) == {
        "414:Bastar": "Bastar (Bastar)",
        "414:Jagdalpur": "Jagdalpur",
        "415:Bastar": "Bastar (Kondagaon)",
    }
    assert block_names(REGISTRY, DISTRICTS, HI)["415:Bastar"] == "बस्तर (कोंडागांव)"


def _parsed(params: dict):  # type: ignore[no-untyped-def]
    from datetime import date

    return filters_from_params(
        params,
        as_of=date(2025, 3, 31),
        first_day=date(2024, 4, 1),
        districts=DISTRICTS,
        facilities=REGISTRY,
    )


def test_the_link_reads_a_key_or_a_bare_name_of_one_block_and_names_the_rest() -> None:
    one = _parsed({"block": ["414:Jagdalpur"]})
    assert (one.blocks, one.block_facilities, one.in_facilities) == (
        ("414:Jagdalpur",),
        ("A",),
        ("A",),
    )
    assert one.scope.facilities == frozenset({"A"}) and one.problems == ()
    assert _parsed({"block": ["jagdalpur"]}).blocks == ("414:Jagdalpur",)  # one block of the name
    both = _parsed({"block": ["Bastar"]})  # two districts have a Bastar block: which one?
    assert both.blocks == () and both.in_facilities == ()
    assert both.problems == ("no block 'Bastar' in the districts in view",)
    within = _parsed({"district": ["415"], "block": ["Bastar"]})  # in view: one of them
    assert (within.blocks, within.block_facilities) == (("415:Bastar",), ("C",))
    outside = _parsed({"district": ["416"], "block": ["414:Jagdalpur"]})
    assert outside.blocks == () and len(outside.problems) == 1
    # a facility the block does not hold is refused, not added to the block's scope
    mixed = _parsed({"block": ["414:Jagdalpur"], "facility": ["A", "C"]})
    assert mixed.facilities == ("A",) and mixed.in_facilities == ("A",)
    assert mixed.problems == (EN("filters.problem.facility", value="C"),)
    assert mixed.query_params()["block"] == ["414:Jagdalpur"]


# --- pages ------------------------------------------------------------------------------------
@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_a_block_in_the_link_narrows_the_figures_and_is_named(worked_store: str) -> None:
    at = open_page("views/overview.py", JAGDALPUR)
    assert not at.exception, at.exception
    filters = at.session_state["filters"]
    assert (filters.blocks, filters.in_facilities) == (("414:Jagdalpur",), (F1,))
    assert at.metric[0].value == str(WORKED_JANUARY["F1"]["opd_registrations"])
    shown = visible_text(at)
    assert "Jagdalpur block · " in shown  # the scope caption
    assert "Bastar division · " not in shown
    assert at.query_params["block"] in ("414:Jagdalpur", ["414:Jagdalpur"])
    box = _block_box(at)
    assert box is not None and box.options == ["Jagdalpur · Bastar"]
    facilities = at.sidebar.multiselect[-1]
    assert any(F1 in o for o in facilities.options) and not any(F2 in o for o in facilities.options)
    hindi = open_page("views/overview.py", {**JAGDALPUR, "lang": "hi"})
    assert not hindi.exception, hindi.exception
    assert "जगदलपुर विकासखंड · " in visible_text(hindi)


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("page", [p.file for p in PAGES if p.name not in ("system", "about")])
def test_every_page_opens_for_one_block(worked_store: str, page: str) -> None:
    at = open_page(page, JAGDALPUR)
    assert not at.exception, (page, at.exception)
    shown = visible_text(at) + "".join(f.value.to_csv() for f in at.dataframe)
    assert "CHC Test" not in shown, page  # Dantewada's facility: not of the block


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_a_block_the_link_cannot_have_is_named(worked_store: str) -> None:
    at = open_page("views/overview.py", {**JANUARY, "district": "416", "block": "414:Jagdalpur"})
    assert not at.exception, at.exception
    assert any(
        "no block '414:Jagdalpur' in the districts in view" in t.value.replace("\u2060", "")
        for t in at.toast
    ), [t.value for t in at.toast]
    assert at.session_state["filters"].in_facilities == ()  # Dantewada as a whole, not empty
    assert at.metric[0].value == str(WORKED_JANUARY["F2"]["opd_registrations"])


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_picking_a_block_in_the_sidebar_narrows_and_a_new_district_drops_it(
    worked_store: str,
) -> None:
    at = open_page("views/overview.py", JANUARY)
    _block_box(at).set_value(["414:Jagdalpur"]).run()
    assert not at.exception, at.exception
    assert at.session_state["filters"].in_facilities == (F1,)
    assert at.metric[0].value == str(WORKED_JANUARY["F1"]["opd_registrations"])
    districts = next(b for b in at.sidebar.multiselect if b.label == EN("filters.district"))
    districts.set_value([416]).run()  # Jagdalpur is not of Dantewada: dropped with the choice
    filters = at.session_state["filters"]
    assert (filters.districts, filters.blocks, filters.in_facilities) == ((416,), (), ())
    assert at.metric[0].value == str(WORKED_JANUARY["F2"]["opd_registrations"])


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_a_districts_scorecard_and_comparison_rank_its_blocks(worked_store: str) -> None:
    opd = EN("figure.opd_registrations")
    card = open_page("views/scorecard.py", {**JANUARY, "district": "414"})
    assert not card.exception, card.exception
    rows = card.dataframe[0].value
    units = rows[EN("scorecard.level.block")].tolist()
    assert units[1:] == ["Jagdalpur"]
    assert rows[opd].tolist()[1:] == [WORKED_JANUARY["F1"]["opd_registrations"]]
    comparison = open_page("views/comparison.py", {**JANUARY, "district": "414"})
    assert not comparison.exception, comparison.exception
    blocks = next(
        f.value for f in comparison.dataframe if list(f.value.columns)[0] == EN("common.block")
    )
    assert dict(zip(blocks[EN("common.block")], blocks[opd], strict=True)) == {
        "Jagdalpur": WORKED_JANUARY["F1"]["opd_registrations"]
    }
    # a block's scorecard: its facilities
    card = open_page("views/scorecard.py", JAGDALPUR)
    rows = card.dataframe[0].value
    assert rows[EN("scorecard.level.facility")].tolist()[1:] == ["District Hospital Test"]
    assert rows[EN("scorecard.level.facility")].tolist()[0] == EN(
        "scorecard.all_of", area="Jagdalpur block"
    )


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("w", [EN, HI], ids=["en", "hi"])
def test_a_blocks_files_are_named_for_the_block(
    worked_store: str, monkeypatch: pytest.MonkeyPatch, w: Words
) -> None:
    import io

    import openpyxl

    import ui.exports

    made: list = []
    monkeypatch.setattr(
        ui.exports, "recorded_export", lambda make, name: made.append((name, make)) or make
    )
    at = open_page("views/scorecard.py", {**JAGDALPUR, "lang": w.lang})
    assert not at.exception, at.exception
    names = [name for name, _ in made]
    assert names and all("_jagdalpur-block_" in name for name in names), names  # English slug
    xlsx = next(make for name, make in made if name.endswith(".xlsx"))()
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    scope = w("common.block_of", name=w.label("block", "Jagdalpur"))
    assert cells[1].startswith(f"{scope} · "), cells[:3]  # the subtitle, in the language
    assert not any("Bastar division" in c or "बस्तर संभाग" in c for c in cells), cells


def _funnel_points(at, w: Words = EN) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    verdict = w("comparison.verdict_title")
    frames = [
        convert_arrow_bytes_to_pandas_df(d.data.data)
        for e in at.main
        if getattr(e, "type", None) == "vega_lite_chart"
        for d in e.proto.datasets
    ]
    return next(frame for frame in frames if verdict in frame.columns)


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_funnel_of_a_district_is_of_its_blocks_and_goes_down_to_facilities(
    worked_store: str,
) -> None:
    at = open_page("views/comparison.py", {**JANUARY, "district": "414"})
    assert not at.exception, at.exception
    units = at.segmented_control(key="comparison_funnel_unit")
    assert units.options == [
        EN("comparison.funnel_unit.block"),
        EN("comparison.funnel_unit.facility"),
    ]
    points = _funnel_points(at)
    assert points[EN("common.block")].tolist() == ["Jagdalpur"]
    assert points[EN("common.district")].tolist() == ["Bastar"]
    assert points[EN("figure.opd_registrations")].tolist() == [
        WORKED_JANUARY["F1"]["opd_registrations"]
    ]
    assert EN("comparison.funnel_title.block") in [s.value for s in at.subheader]
    units.set_value("facility").run()
    assert not at.exception, at.exception
    assert _funnel_points(at)[EN("common.facility")].tolist() == ["District Hospital Test"]
    assert EN("comparison.funnel_title.facility") in [s.value for s in at.subheader]


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_the_funnel_of_the_state_is_of_its_divisions(two_division_store: str) -> None:
    at = open_page("views/comparison.py", {**JANUARY, "lang": "hi"})
    assert not at.exception, at.exception
    points = _funnel_points(at, HI)
    drawn = dict(
        zip(points[HI("filters.division")], points[HI("figure.opd_registrations")], strict=True)
    )
    assert drawn == {
        "बस्तर संभाग": WORKED_JANUARY["F1"]["opd_registrations"],
        "रायपुर संभाग": WORKED_JANUARY["F2"]["opd_registrations"],
    }
    assert len(at.segmented_control(key="comparison_funnel_unit").options) == 4
