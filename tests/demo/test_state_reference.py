"""The statewide demo's reference data: 33 districts in five divisions, 175 facilities."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from demo.build_state_reference import (
    DISTRICTS_FILE,
    FACILITIES_FILE,
    METRIC_CRS,
    MIN_INSIDE_METRES,
    build,
)
from demo.reference import (
    REFERENCE_DIR,
    load_districts,
    load_facilities,
    load_region,
)
from geo.boundaries import default_boundary_path, district_boundaries, points_outside_districts
from i18n import Words

# The divisions as the lead's brief for issue 18 lists them, by LGD code.
DIVISIONS = {
    "Bastar": {414, 413, 648, 415, 416, 417, 649},
    "Surguja": {400, 401, 402, 641, 642, 758},
    "Bilaspur": {406, 404, 405, 403, 643, 669, 759, 757},
    "Durg": {409, 408, 407, 644, 645, 755, 756},
    "Raipur": {410, 411, 412, 646, 647},
}
DEMO_END = dt.date(2026, 10, 31)
DEVANAGARI_TEXT = re.compile(r"[\u0900-\u097F]+(?:[ \-][\u0900-\u097F]+)*")


@pytest.fixture(scope="module")
def state():
    return load_region("state")


@pytest.fixture(scope="module")
def boundary_codes() -> set[int]:
    raw = gpd.read_file(default_boundary_path(), columns=["STATE_UT", "DIST_LGD"])
    chhattisgarh = raw.loc[raw["STATE_UT"].str.strip().str.upper() == "CHHATTISGARH"]
    return {int(code) for code in chhattisgarh["DIST_LGD"]}


@pytest.fixture(scope="module")
def exact_boundaries() -> gpd.GeoDataFrame:
    codes = [code for members in DIVISIONS.values() for code in members]
    return district_boundaries(codes, simplify_tolerance=0)


def test_33_districts_with_the_boundary_files_codes(state, boundary_codes) -> None:
    assert len(state.districts) == 33
    assert state.districts["lgd_code"].is_unique
    assert set(state.districts["lgd_code"]) == boundary_codes
    assert set(state.districts["state"]) == {"Chhattisgarh"}


def test_five_divisions_with_their_districts(state) -> None:
    members = state.districts.groupby("division")["lgd_code"].agg(set).to_dict()
    assert members == DIVISIONS
    assert state.divisions["name"].tolist() == ["Bastar", "Raipur", "Durg", "Bilaspur", "Surguja"]
    assert dict(zip(state.divisions["name"], state.divisions["name_hi"], strict=True)) == {
        "Bastar": "बस्तर",
        "Raipur": "रायपुर",
        "Durg": "दुर्ग",
        "Bilaspur": "बिलासपुर",
        "Surguja": "सरगुजा",
    }
    assert state.states.to_dict("records") == [{"name": "Chhattisgarh", "name_hi": "छत्तीसगढ़"}]


def test_the_bastar_region_keeps_its_rows_and_names_one_division(state) -> None:
    bastar = load_region("bastar")
    pd.testing.assert_frame_equal(bastar.districts, load_districts())
    pd.testing.assert_frame_equal(bastar.facilities, load_facilities())
    pd.testing.assert_frame_equal(state.districts.iloc[:7], load_districts())
    pd.testing.assert_frame_equal(state.facilities.iloc[:49], load_facilities())
    assert bastar.divisions.to_dict("records") == [{"name": "Bastar", "name_hi": "बस्तर"}]
    assert len(bastar.states) == 1


def test_an_unknown_region_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown region 'india'"):
        load_region("india")


def test_hindi_names_are_devanagari(state) -> None:
    names = [
        *state.districts["name_hi"],
        *state.facilities["name_hi"],
        *state.divisions["name_hi"],
        *state.states["name_hi"],
    ]
    wrong = [name for name in names if not DEVANAGARI_TEXT.fullmatch(name)]
    assert not wrong, wrong
    hindi = dict(zip(state.districts["lgd_code"], state.districts["name_hi"], strict=True))
    assert hindi[410] == "रायपुर"
    assert hindi[755] == "खैरागढ़-छुईखदान-गंडई"
    assert hindi[756] == "मोहला-मानपुर-अंबागढ़ चौकी"


def test_every_block_has_its_hindi_name_in_the_catalogue(state) -> None:
    """A Hindi page names the state's blocks in Hindi (i18n blocks.po), and a block named
    after a town of the reference lists has that town's Hindi name (Arang: आरंग)."""
    from demo.build_state_reference import DIVISIONS as TOWNS

    hi, en = Words("hi"), Words("en")
    towns = {}
    for _division, _first_day, districts in TOWNS:
        for district in districts:
            towns[district.headquarters] = district.headquarters_hi
            towns.update({place.name_en: place.name_hi for place in district.places})
    blocks = sorted(set(state.facilities["block"].dropna()))
    assert len(blocks) > 100
    untranslated = [b for b in blocks if not DEVANAGARI_TEXT.fullmatch(hi.label("block", b))]
    assert not untranslated, untranslated
    assert [b for b in blocks if en.label("block", b) != b] == []
    differing = {
        b: (hi.label("block", b), towns[b])
        for b in blocks
        if b in towns and hi.label("block", b) != towns[b]
    }
    assert not differing, differing


def test_facility_ids_are_unique_hfr_style(state) -> None:
    ids = state.facilities["facility_id"]
    assert ids.is_unique
    assert ids.str.fullmatch(r"IN22\d{8}").all()
    assert len(state.facilities) == 175


def test_every_facility_is_in_a_known_district(state) -> None:
    assert set(state.facilities["district_lgd"]) == set(state.districts["lgd_code"])
    assert state.facilities["block"].str.len().gt(0).all()


def test_a_district_hospital_in_each_district_outside_bastar_and_chcs_at_blocks(state) -> None:
    outside = state.facilities.loc[~state.facilities["district_lgd"].isin(DIVISIONS["Bastar"])]
    counts = outside.groupby(["district_lgd", "facility_type"]).size().unstack(fill_value=0)
    assert len(counts) == 26
    assert (counts["DH"] == 1).all()
    assert counts["CHC"].between(2, 6).all(), counts["CHC"].to_dict()
    assert 4 <= counts["CH"].sum() <= 10
    chcs = (state.facilities["facility_type"] == "CHC").sum()
    assert 120 <= chcs <= 180  # Chhattisgarh has about 170 CHCs


def test_every_facility_lies_at_least_2_km_inside_its_district(state, exact_boundaries) -> None:
    facilities = state.facilities
    assert facilities[["latitude", "longitude"]].notna().all().all()
    outside = points_outside_districts(facilities, exact_boundaries)
    assert outside.empty, outside[["facility_id", "name_en", "district_lgd"]].to_string()

    metric = exact_boundaries.to_crs(METRIC_CRS)
    polygons = dict(zip(metric["lgd_code"], metric.geometry, strict=True))
    points = gpd.GeoSeries(
        shapely.points(facilities["longitude"], facilities["latitude"]), crs="EPSG:4326"
    ).to_crs(METRIC_CRS)
    # Bastar's rows were placed 2 km inside by another measure: two of them (CHC Bakawand
    # and Konta) are 1.98-2.0 km inside in this projection; they stay as they are.
    near_border = [
        (name, round(polygons[lgd].boundary.distance(point)))
        for name, lgd, point in zip(
            facilities["name_en"], facilities["district_lgd"], points, strict=True
        )
        if polygons[lgd].boundary.distance(point)
        < (MIN_INSIDE_METRES - 50 if lgd in DIVISIONS["Bastar"] else MIN_INSIDE_METRES)
    ]
    assert not near_border, near_border


def test_district_headquarters_lie_inside_their_district(state, exact_boundaries) -> None:
    headquarters = state.districts.rename(
        columns={"lgd_code": "district_lgd", "hq_latitude": "latitude", "hq_longitude": "longitude"}
    ).assign(facility_id=lambda t: t["headquarters"])
    outside = points_outside_districts(headquarters, exact_boundaries)
    assert outside.empty, outside.to_string()


def test_go_live_bastar_first_then_the_divisions_through_2026(state) -> None:
    table = state.facilities.merge(
        state.districts[["lgd_code", "division"]], left_on="district_lgd", right_on="lgd_code"
    )
    dated = table.loc[table["ehospital_go_live"].notna()]
    first = dated.groupby("division")["ehospital_go_live"].min()
    assert first.sort_values().index.tolist() == ["Bastar", "Raipur", "Durg", "Bilaspur", "Surguja"]
    assert first["Raipur"] == dt.date(2026, 1, 5)
    later = dated.loc[dated["division"] != "Bastar", "ehospital_go_live"]
    assert all(dt.date(2026, 1, 1) <= day for day in later)
    # outside Bastar, every district hospital is live before its district's CHCs
    for _, district in dated.loc[dated["division"] != "Bastar"].groupby("district_lgd"):
        hospitals = district.loc[district["facility_type"] == "DH", "ehospital_go_live"]
        chcs = district.loc[district["facility_type"] == "CHC", "ehospital_go_live"]
        if len(hospitals) and len(chcs):
            assert hospitals.min() < chcs.min()


def test_planned_and_scheduled_facilities(state) -> None:
    table = state.facilities
    planned = table.loc[table["ehospital_go_live"].isna()]
    scheduled = table.loc[table["ehospital_go_live"].map(lambda d: d is not None and d > DEMO_END)]
    assert 3 <= len(planned) <= 10
    assert 3 <= len(scheduled) <= 10
    for rows in (planned, scheduled):
        assert not rows["district_lgd"].isin(DIVISIONS["Bastar"]).any()


def test_every_row_says_it_is_illustrative() -> None:
    raw = pd.read_csv(REFERENCE_DIR / FACILITIES_FILE, dtype=str, keep_default_na=False)
    assert set(raw["note"]) == {"illustrative demo entry, not the state's HFR export"}


def test_the_files_are_what_the_build_script_writes(tmp_path: Path) -> None:
    said = build(tmp_path)
    assert said[-1].startswith("wrote")
    for name in (DISTRICTS_FILE, FACILITIES_FILE):
        assert (tmp_path / name).read_bytes() == (REFERENCE_DIR / name).read_bytes(), name
