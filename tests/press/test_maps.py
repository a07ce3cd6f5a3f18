"""The press map: a static choropleth of the real district boundaries, drawn to PNG and SVG."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from PIL import Image

from geo.boundaries import district_boundaries
from geo.layers import NO_DATA_FILL
from press import render
from press.files import Caption
from press.maps import choropleth

SVG_NS = "{http://www.w3.org/2000/svg}"
# Bastar division's districts: LGD code, Hindi name, ABHA adoption (Narayanpur has no data,
# Sukma has no row at all).
DISTRICTS = [
    (414, "बस्तर", 0.47),
    (413, "उत्तर बस्तर कांकेर", 0.31),
    (648, "कोंडागांव", 0.62),
    (415, "नारायणपुर", None),
    (416, "दक्षिण बस्तर दंतेवाड़ा", 0.54),
    (417, "बीजापुर", 0.22),
]
SUKMA = 649
CAPTION = Caption(
    title="जिलेवार आभा लिंकिंग दर",
    subtitle="बस्तर संभाग · 01-05-2025 से 31-07-2025 तक",
    source="स्रोत: नेक्स्टजेन ई-हॉस्पिटल ओपीडी पंजीयन, बस्तर संभाग",
    notes=("आभा लिंकिंग दर: उन ओपीडी पंजीयनों का हिस्सा जिनमें आभा नंबर लिंक था।",),
)


@pytest.fixture(scope="module")
def boundaries() -> gpd.GeoDataFrame:
    return district_boundaries([code for code, _, _ in DISTRICTS] + [SUKMA])


@pytest.fixture(scope="module")
def values() -> pd.DataFrame:
    return pd.DataFrame(DISTRICTS, columns=["lgd_code", "name", "abha_share"])


@pytest.fixture(scope="module")
def chart(boundaries: gpd.GeoDataFrame, values: pd.DataFrame):
    return choropleth(
        boundaries,
        values,
        value_column="abha_share",
        value_title="आभा लिंकिंग दर",
        name_column="name",
        missing_label="आँकड़े नहीं",
    )


@pytest.fixture(scope="module")
def svg(chart) -> str:
    return render.figure_svg(chart, CAPTION, "hi")


def svg_texts(svg: str) -> list[str]:
    return ["".join(node.itertext()) for node in ET.fromstring(svg).iter(f"{SVG_NS}text")]


def layers_of(spec: dict) -> list[dict]:
    return spec["layer"]


def test_the_map_is_geoshapes_with_inline_data_and_a_mercator_projection(chart) -> None:
    spec = chart.to_dict()
    assert spec["projection"]["type"] == "mercator"
    shapes = [layer for layer in layers_of(spec) if layer["mark"]["type"] == "geoshape"]
    assert len(shapes) == 2  # districts with a value, districts without
    features = spec["layer"][0]["data"]["values"]["features"]
    assert len(features) == 7
    assert "url" not in json.dumps(spec)


def test_exterior_rings_run_clockwise_as_d3_needs(chart) -> None:
    """Counter-clockwise rings would paint the rest of the world instead of the district."""
    features = chart.to_dict()["layer"][0]["data"]["values"]["features"]
    for feature in features:
        geometry = shapely.geometry.shape(feature["geometry"])
        polygons = getattr(geometry, "geoms", [geometry])
        assert all(not polygon.exterior.is_ccw for polygon in polygons)


def test_a_share_is_shown_as_a_percentage(chart, boundaries, values) -> None:
    shown = chart.to_dict()["layer"][0]["encoding"]["color"]
    assert shown["legend"]["format"] == ".0%"
    counts = values.assign(abha_share=[1200, 3400, 560, None, 7800, 90])
    legend = choropleth(
        boundaries,
        counts,
        value_column="abha_share",
        value_title="OPD registrations",
        name_column="name",
        missing_label="no data",
    ).to_dict()["layer"][0]["encoding"]["color"]["legend"]
    assert legend["format"] == ",d"


def test_the_svg_has_the_legend_names_values_and_the_missing_label(svg: str) -> None:
    texts = svg_texts(svg)
    assert "आभा लिंकिंग दर" in texts  # the legend's title
    assert "आँकड़े नहीं" in texts  # the grey districts' legend entry and labels
    assert texts.count("आँकड़े नहीं") >= 3  # legend, Narayanpur (no value), Sukma (no row)
    for _, name, _ in DISTRICTS:
        assert name in texts
    assert "सुकमा" not in texts  # a district without a row is named from the file
    assert "Sukma" in texts
    assert "62%" in texts and "22%" in texts


def test_the_map_renders_to_png_with_the_grey_of_missing_districts(chart, svg: str) -> None:
    image = Image.open(io.BytesIO(render.figure_png(chart, CAPTION, "hi"))).convert("RGB")
    root = ET.fromstring(svg)
    width, height = float(root.attrib["width"]), float(root.attrib["height"])
    assert image.size == (round(width * 2), round(height * 2))
    pixels = np.asarray(image).astype(int)
    grey = np.array(NO_DATA_FILL[:3])
    grey_share = (np.abs(pixels - grey).sum(axis=2) <= 6).mean()
    white_share = (pixels.min(axis=2) >= 250).mean()
    assert grey_share > 0.02  # Narayanpur and Sukma are grey
    assert 0.2 < white_share < 0.9  # districts drawn, not the whole world painted


def test_the_legend_of_a_share_reads_in_whole_tens(chart) -> None:
    legend = chart.to_dict()["layer"][0]["encoding"]["color"]["legend"]
    assert legend["values"] == [0.2, 0.3, 0.4, 0.5, 0.6, 0.7]


def test_the_same_map_gives_the_same_svg(chart, svg: str) -> None:
    """Vega numbers the legend's gradient across a process; the file must not depend on it."""
    assert render.figure_svg(chart, CAPTION, "hi") == svg


def test_a_map_without_any_value_is_all_grey_and_still_renders(boundaries, values) -> None:
    nothing = values.assign(abha_share=None)
    chart = choropleth(
        boundaries,
        nothing,
        value_column="abha_share",
        value_title="ABHA adoption",
        name_column="name",
        missing_label="no data",
    )
    texts = svg_texts(render.figure_svg(chart, CAPTION, "en"))
    # The legend, and every district's label (drawn twice: its white halo, then the text).
    assert texts.count("no data") == 1 + 2 * len(boundaries)
    assert "ABHA adoption" not in texts  # no gradient legend without values
