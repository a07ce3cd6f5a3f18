"""What the map draws: colour scales, their domains, district features, points, the view."""

from __future__ import annotations

import json
import math

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.boundaries import default_boundary_path, district_boundaries
from geo.layers import (
    NO_DATA_FILL,
    PRGN,
    VIRIDIS,
    bounds_of,
    colour_for,
    colours_for,
    district_features,
    diverging_domain,
    escaped_for_tooltip,
    gradient_stops,
    hex_to_rgb,
    label_positions,
    point_radii,
    points_bounds,
    rgb_to_hex,
    scale_position,
    sequential_domain,
    view_state_for,
)

BASTAR_LGD_CODES = [414, 413, 648, 415, 416, 417, 649]


@pytest.fixture(scope="module")
def bastar() -> gpd.GeoDataFrame:
    return district_boundaries(BASTAR_LGD_CODES)


def _distance(a: list[int] | tuple[int, ...], b: list[int] | tuple[int, ...]) -> float:
    return math.dist(a[:3], b[:3])


# --- colour scales ------------------------------------------------------------------------------
def test_viridis_endpoints_are_the_schemes_ends() -> None:
    assert colour_for(0.4, 0.4, 0.9)[:3] == list(hex_to_rgb(VIRIDIS[0]))
    assert colour_for(0.9, 0.4, 0.9)[:3] == list(hex_to_rgb(VIRIDIS[-1]))
    assert colour_for(0.65, 0.4, 0.9)[:3] == list(hex_to_rgb(VIRIDIS[5]))


def test_prgn_is_centred_at_zero_purple_below_green_above() -> None:
    assert colour_for(0.0, -5.0, 5.0, "prgn")[:3] == list(hex_to_rgb("#f7f7f7"))
    assert colour_for(-5.0, -5.0, 5.0, "prgn")[:3] == list(hex_to_rgb(PRGN[0]))
    assert colour_for(5.0, -5.0, 5.0, "prgn")[:3] == list(hex_to_rgb(PRGN[-1]))
    fall, rise = colour_for(-2.0, -5.0, 5.0, "prgn"), colour_for(2.0, -5.0, 5.0, "prgn")
    assert fall[0] > fall[1], "a fall is purple (more red than green)"
    assert rise[1] > rise[0], "a rise is green"


def test_values_beyond_the_domain_take_the_end_colour() -> None:
    assert colour_for(-1.0, 0.0, 1.0) == colour_for(0.0, 0.0, 1.0)
    assert colour_for(30.0, -5.0, 5.0, "prgn") == colour_for(5.0, -5.0, 5.0, "prgn")
    assert scale_position(5.0, 3.0, 3.0) == 0.5, "an empty domain does not divide by zero"


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA])
def test_no_data_is_grey(missing) -> None:
    assert colour_for(missing, 0.0, 1.0) == NO_DATA_FILL
    assert colour_for(missing, -5.0, 5.0, "prgn") == NO_DATA_FILL


@pytest.mark.parametrize(("scheme", "domain"), [("viridis", (0.0, 1.0)), ("prgn", (-5.0, 5.0))])
def test_no_data_looks_unlike_zero_and_unlike_every_colour_of_the_scale(scheme, domain) -> None:
    zero = colour_for(0.0, *domain, scheme)
    assert zero != NO_DATA_FILL
    assert _distance(zero, NO_DATA_FILL) > 60
    assert len(set(NO_DATA_FILL[:3])) == 1, "no data is a neutral grey"
    for code in gradient_stops(scheme):
        rgb = hex_to_rgb(code)
        hued = max(rgb) - min(rgb) > 25
        assert hued or _distance(rgb, NO_DATA_FILL) > 60, f"{code} looks like no data"


def test_colours_are_json_ready_rgba_lists() -> None:
    colours = colours_for([0.1, None, 0.9], 0.0, 1.0)
    assert json.loads(json.dumps(colours)) == colours
    assert all(len(c) == 4 and all(isinstance(v, int) for v in c) for c in colours)
    assert rgb_to_hex(hex_to_rgb("#21918c")) == "#21918c"


# --- domains ------------------------------------------------------------------------------------
def test_sequential_domain_of_shares_is_widened_to_tenths_and_capped_at_one() -> None:
    assert sequential_domain([0.546, 0.7, None], step=0.1, lower=None, upper=1.0) == pytest.approx(
        (0.5, 0.7)
    )
    assert sequential_domain([0.97, 1.0], step=0.1, lower=None, upper=1.0) == pytest.approx(
        (0.9, 1.0)
    )
    low, high = sequential_domain([1.0], step=0.1, lower=None, upper=1.0)
    assert low < high == 1.0


def test_sequential_domain_of_counts_starts_at_zero() -> None:
    assert sequential_domain([18_021, 102_735]) == (0.0, 110_000.0)
    assert sequential_domain([7]) == (0.0, 7.0)
    assert sequential_domain([]) == (0.0, 1.0)


def test_diverging_domain_is_symmetric_about_zero() -> None:
    assert diverging_domain([-0.1, 2.8, None], step=5.0) == (-5.0, 5.0)
    assert diverging_domain([-12.0, 3.0], step=5.0) == (-15.0, 15.0)
    assert diverging_domain([], step=5.0) == (-5.0, 5.0)


# --- districts, points and the view ---------------------------------------------------------------
def test_district_features_carry_their_properties(bastar: gpd.GeoDataFrame) -> None:
    properties = pd.DataFrame(
        {
            "lgd_code": pd.Series([416, 414, 999], dtype="int64"),
            "name": ["Dakshin Bastar Dantewada", "Bastar", "Nowhere"],
            "share": [0.5, float("nan"), 0.1],
            "fill": [colour_for(0.5, 0, 1), colour_for(None, 0, 1), colour_for(0.1, 0, 1)],
        }
    )
    collection = district_features(bastar, properties)
    assert collection["type"] == "FeatureCollection"
    features = collection["features"]
    assert [f["properties"]["lgd_code"] for f in features] == [416, 414], "999 has no boundary"
    assert features[1]["properties"]["share"] is None
    assert features[0]["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    text = json.dumps(collection)  # plain JSON for pydeck: no numpy scalars, no NaN
    assert "NaN" not in text
    assert json.loads(text)["features"][0]["properties"] == features[0]["properties"]


def test_labels_sit_inside_their_district(bastar: gpd.GeoDataFrame) -> None:
    positions = label_positions(bastar)
    shapes = dict(zip(bastar["lgd_code"], bastar.geometry, strict=True))
    assert set(positions) == set(BASTAR_LGD_CODES)
    for code, (x, y) in positions.items():
        assert shapes[code].buffer(1e-4).contains(shapely.Point(x, y)), code


def test_point_radii_follow_a_square_root_scale() -> None:
    radii = point_radii([100, 25, 0, None], max_radius=20, min_radius=2)
    assert radii[0] == 20
    assert radii[1] == pytest.approx(10), "a quarter of the volume: half the radius"
    assert radii[2] == radii[3] == 2
    assert point_radii([0, 0], min_radius=3) == [3, 3]


def _projected_span(view: dict[str, float], bounds, width: int, height: int) -> tuple[float, float]:
    """Share of the map's width and height that the bounds take at the view's zoom."""
    world = 512 * 2 ** view["zoom"]
    minx, miny, maxx, maxy = bounds

    def y(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    return (maxx - minx) / 360 * world / width, (y(maxy) - y(miny)) / (2 * math.pi) * world / height


def test_the_view_is_centred_on_the_bounds_and_fits_them(bastar: gpd.GeoDataFrame) -> None:
    bounds = bounds_of(bastar)
    assert bounds is not None
    view = view_state_for(bounds, width_px=800, height_px=600, padding=0.1)
    minx, miny, maxx, maxy = bounds
    assert view["longitude"] == pytest.approx((minx + maxx) / 2, abs=1e-4)
    assert miny < view["latitude"] < maxy
    assert view["latitude"] == pytest.approx((miny + maxy) / 2, abs=0.05)
    wide, tall = _projected_span(view, bounds, 800, 600)
    assert max(wide, tall) == pytest.approx(0.8, abs=0.01), "fills the map but for the margin"
    assert wide <= 0.81 and tall <= 0.81


def test_one_district_zooms_closer_than_the_division_and_the_state(
    bastar: gpd.GeoDataFrame,
) -> None:
    division = view_state_for(bounds_of(bastar))
    one = view_state_for(bounds_of(bastar[bastar["lgd_code"] == 649]))
    every_district = gpd.read_file(default_boundary_path(), ignore_geometry=True)
    in_state = every_district["STATE_UT"].str.upper() == "CHHATTISGARH"
    codes = [int(code) for code in every_district.loc[in_state, "DIST_LGD"]]
    state = view_state_for(bounds_of(district_boundaries(codes)))
    assert one["zoom"] > division["zoom"] > state["zoom"]
    assert 17.5 < state["latitude"] < 24.5 and 80 < state["longitude"] < 84.5


def test_a_single_point_gets_the_closest_zoom() -> None:
    bounds = points_bounds([82.03], [19.08])
    assert bounds == (82.03, 19.08, 82.03, 19.08)
    assert view_state_for(bounds, max_zoom=11) == {
        "latitude": pytest.approx(19.08),
        "longitude": 82.03,
        "zoom": 11,
    }
    assert points_bounds([], []) is None
    assert bounds_of(gpd.GeoDataFrame(geometry=[], crs="EPSG:4326")) is None


def test_tooltip_values_arrive_as_text_not_html() -> None:
    frame = pd.DataFrame(
        {"name": ['<img src=x onerror="alert(1)"> CHC & Co', None], "fill": [[1, 2, 3], [4, 5, 6]]}
    )
    escaped = escaped_for_tooltip(frame, ["name"])
    assert escaped["name"][0] == "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; CHC &amp; Co"
    assert pd.isna(escaped["name"][1])
    assert escaped["fill"][0] == [1, 2, 3], "other columns untouched"
    assert frame["name"][0].startswith("<img"), "the caller's frame is not changed"
