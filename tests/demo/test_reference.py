"""The demo's reference data: seven districts and 49 illustrative e-Hospital facilities."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from demo.reference import FACILITIES_CSV, load_districts, load_facilities
from geo.boundaries import district_boundaries, points_outside_districts

# Districts and development blocks of Bastar division, as listed in
# shared/spec/bastar-facts.md ("Districts", "Development blocks (32)").
SPEC_DISTRICTS = {
    414: "Bastar",
    413: "Uttar Bastar Kanker",
    648: "Kondagaon",
    415: "Narayanpur",
    416: "Dakshin Bastar Dantewada",
    417: "Bijapur",
    649: "Sukma",
}
SPEC_BLOCKS = {
    414: ["Jagdalpur", "Bastar", "Bakawand", "Tokapal", "Lohandiguda", "Darbha", "Bastanar"],
    413: [
        "Kanker",
        "Charama",
        "Narharpur",
        "Bhanupratappur",
        "Durgukondal",
        "Antagarh",
        "Koyalibeda",
    ],
    648: ["Kondagaon", "Keshkal", "Pharasgaon", "Makdi", "Baderajpur"],
    415: ["Narayanpur", "Orchha"],
    416: ["Dantewada", "Geedam", "Katekalyan", "Kuakonda"],
    417: ["Bijapur", "Bhairamgarh", "Bhopalpatnam", "Usur"],
    649: ["Sukma", "Chhindgarh", "Konta"],
}
# The date of the state's published figures for DH Bastar and DH Dantewada (from 1 May 2025).
PUBLISHED_PERIOD_START = dt.date(2025, 5, 1)


@pytest.fixture(scope="module")
def districts() -> pd.DataFrame:
    return load_districts()


@pytest.fixture(scope="module")
def facilities() -> pd.DataFrame:
    return load_facilities()


def test_the_seven_districts_of_the_spec(districts: pd.DataFrame) -> None:
    assert dict(zip(districts["lgd_code"], districts["name_en"], strict=True)) == SPEC_DISTRICTS
    assert set(districts["division"]) == {"Bastar"}
    assert set(districts["state"]) == {"Chhattisgarh"}
    assert pd.api.types.is_integer_dtype(districts["lgd_code"])
    hindi = dict(zip(districts["lgd_code"], districts["name_hi"], strict=True))
    assert hindi[416] == "दक्षिण बस्तर दंतेवाड़ा"
    assert hindi[414] == "बस्तर"


def test_district_headquarters_lie_inside_their_district(districts: pd.DataFrame) -> None:
    headquarters = districts.rename(
        columns={
            "headquarters": "facility_id",
            "lgd_code": "district_lgd",
            "hq_latitude": "latitude",
            "hq_longitude": "longitude",
        }
    )
    exact = district_boundaries(list(SPEC_DISTRICTS), simplify_tolerance=0)
    outside = points_outside_districts(headquarters, exact)
    assert outside.empty, outside.to_string()


def test_49_facilities_6_dh_2_ch_41_chc(facilities: pd.DataFrame) -> None:
    assert len(facilities) == 49
    assert facilities["facility_type"].value_counts().to_dict() == {"CHC": 41, "DH": 6, "CH": 2}


def test_six_district_hospitals_in_six_different_districts(facilities: pd.DataFrame) -> None:
    district_hospitals = facilities.loc[facilities["facility_type"] == "DH"]
    assert district_hospitals["district_lgd"].nunique() == 6


def test_facility_ids_are_unique_hfr_style(facilities: pd.DataFrame) -> None:
    assert facilities["facility_id"].str.fullmatch(r"IN22\d{8}").all()
    assert facilities["facility_id"].is_unique


def test_every_block_belongs_to_its_district(facilities: pd.DataFrame) -> None:
    wrong = facilities.loc[
        [
            block not in SPEC_BLOCKS[district]
            for district, block in zip(facilities["district_lgd"], facilities["block"], strict=True)
        ]
    ]
    assert wrong.empty, wrong[["facility_id", "name_en", "district_lgd", "block"]].to_string()


def test_every_facility_lies_inside_its_district(facilities: pd.DataFrame) -> None:
    exact = district_boundaries(list(SPEC_DISTRICTS), simplify_tolerance=0)
    assert facilities[["latitude", "longitude"]].notna().all().all()
    outside = points_outside_districts(facilities, exact)
    columns = ["facility_id", "name_en", "district_lgd", "latitude", "longitude"]
    assert outside.empty, f"facilities outside their district:\n{outside[columns].to_string()}"


def test_the_facilities_of_the_published_figures(facilities: pd.DataFrame) -> None:
    by_name = facilities.set_index("name_en")
    bastar = by_name.loc["District Hospital Bastar"]
    assert (bastar["facility_type"], bastar["district_lgd"], bastar["block"]) == (
        "DH",
        414,
        "Jagdalpur",
    )
    assert bastar["name_hi"] == "जिला चिकित्सालय बस्तर"
    dantewada = by_name.loc["District Hospital Dantewada"]
    assert (dantewada["facility_type"], dantewada["district_lgd"], dantewada["block"]) == (
        "DH",
        416,
        "Dantewada",
    )
    assert dantewada["name_hi"] == "जिला चिकित्सालय दंतेवाड़ा"
    for hospital in (bastar, dantewada):
        assert hospital["ehospital_go_live"] <= dt.date(2024, 7, 31)
        assert hospital["ehospital_go_live"] < PUBLISHED_PERIOD_START


def test_go_live_dates_are_staggered_within_their_ranges(facilities: pd.DataFrame) -> None:
    assert all(isinstance(day, dt.date) for day in facilities["ehospital_go_live"])
    hospitals = facilities.loc[facilities["facility_type"].isin(["DH", "CH"])]
    assert all(
        dt.date(2024, 1, 1) <= day <= dt.date(2024, 12, 31)
        for day in hospitals["ehospital_go_live"]
    )
    chc_days = facilities.loc[facilities["facility_type"] == "CHC", "ehospital_go_live"]
    # The state's November 2025 report counts all 41 CHCs as running.
    assert all(dt.date(2024, 6, 1) <= day <= dt.date(2025, 10, 31) for day in chc_days)
    assert len(set(chc_days)) == len(chc_days), "CHC go-lives are staggered, one at a time"
    assert chc_days.nunique() > 20


def test_every_row_says_it_is_illustrative(facilities: pd.DataFrame) -> None:
    assert set(facilities["note"]) == {"illustrative demo entry, not the state's HFR export"}


def _write_facilities(tmp_path: Path, table: pd.DataFrame) -> Path:
    path = tmp_path / "facilities.csv"
    table.to_csv(path, index=False, encoding="utf-8")
    return path


def _raw_facilities() -> pd.DataFrame:
    return pd.read_csv(FACILITIES_CSV, dtype=str, keep_default_na=False)


def test_a_missing_column_is_named(tmp_path: Path) -> None:
    path = _write_facilities(tmp_path, _raw_facilities().drop(columns=["district_lgd"]))
    with pytest.raises(ValueError, match=r"facilities\.csv.*missing column.*district_lgd"):
        load_facilities(path)


def test_a_duplicate_facility_id_is_named(tmp_path: Path) -> None:
    raw = _raw_facilities()
    raw.loc[3, "facility_id"] = raw.loc[0, "facility_id"]
    path = _write_facilities(tmp_path, raw)
    with pytest.raises(ValueError, match=r"duplicate facility_id 'IN2210000101'"):
        load_facilities(path)


def test_an_unknown_district_is_named(tmp_path: Path) -> None:
    raw = _raw_facilities()
    raw.loc[5, "district_lgd"] = "99999"
    path = _write_facilities(tmp_path, raw)
    with pytest.raises(ValueError, match=r"unknown district_lgd '?99999"):
        load_facilities(path)


def test_a_bad_date_is_named(tmp_path: Path) -> None:
    raw = _raw_facilities()
    raw.loc[7, "ehospital_go_live"] = "31-12-2024"
    path = _write_facilities(tmp_path, raw)
    with pytest.raises(ValueError, match=r"bad date in ehospital_go_live.*31-12-2024"):
        load_facilities(path)


def test_empty_coordinates_and_go_live_load_as_missing(tmp_path: Path) -> None:
    raw = _raw_facilities()
    raw.loc[0, ["latitude", "longitude", "ehospital_go_live"]] = ""
    loaded = load_facilities(_write_facilities(tmp_path, raw))
    assert pd.isna(loaded.loc[0, "latitude"]) and pd.isna(loaded.loc[0, "longitude"])
    assert loaded.loc[0, "ehospital_go_live"] is None


def test_a_missing_district_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "districts.csv"
    path.write_text("lgd_code,name_en\n414,Bastar\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"districts\.csv.*missing column.*name_hi"):
        load_districts(path)
