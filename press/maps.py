"""A static district choropleth for a press figure, drawn by Vega-Lite (no WebGL, no tiles).

The districts are inline GeoJSON in the spec, so ``press.render`` draws the map to SVG and
PNG like any other chart. The colours are the dashboard map's (``geo.layers``): viridis
for the value, the same grey for a district without data, which the legend names.
"""

from __future__ import annotations

import math
from typing import Any

import altair as alt
import geopandas as gpd
import pandas as pd

from geo import layers

MAP_WIDTH = 560
MAX_HEIGHT = 760
LABEL_SIZE = 12
SHARE_STEP = 0.1
NAME_FIELD, VALUE_FIELD, KEY_FIELD = "name", "value", "lgd_code"


def choropleth(
    boundaries: gpd.GeoDataFrame,
    values: pd.DataFrame,
    *,
    value_column: str,
    value_title: str,
    name_column: str,
    missing_label: str,
    key: str = "lgd_code",
    value_format: str | None = None,
    width: int = MAP_WIDTH,
    label_values: bool = True,
) -> alt.LayerChart:
    """The districts of ``boundaries`` coloured by ``values[value_column]``.

    ``boundaries`` as ``geo.boundaries.district_boundaries`` returns them; ``values`` has
    one row per district: ``key`` (the LGD code), ``name_column`` (the name in the
    language) and ``value_column`` (NaN when there is no data). A district with a
    boundary but no row, or no value, is grey and labelled ``missing_label``.
    ``value_format`` is a d3 format; by default a percentage when every value is a share
    (0 to 1) and a whole number otherwise. ``value_title`` heads the legend.
    Each district is labelled at a point inside it with its name (and its value).
    """
    districts = _districts(boundaries, values, key, value_column, name_column)
    known = districts[VALUE_FIELD].dropna()
    is_share = bool(len(known)) and bool(known.between(0, 1).all())
    fmt = value_format or (".0%" if is_share else ",d")
    domain = (
        layers.sequential_domain(known, step=SHARE_STEP, lower=None, upper=1.0)
        if is_share
        else layers.sequential_domain(known)
    )
    ticks = _share_ticks(domain) if is_share and value_format is None else None
    shapes = alt.Chart(
        alt.Data(values=_features(districts), format=alt.DataFormat(property="features"))
    )
    drawn: list[alt.Chart] = []
    if len(known):
        drawn.append(_with_data(shapes, value_title, domain, fmt, ticks))
    if districts[VALUE_FIELD].isna().any():
        drawn.append(_without_data(shapes, missing_label))
    points = alt.Chart(alt.Data(values=_labels(districts)))
    if label_values:
        points = points.transform_calculate(
            value_label=f"isValid(datum.value) ? format(datum.value, {_literal(fmt)})"
            f" : {_literal(missing_label)}"
        )
    return (
        alt.layer(*drawn, *label_layers(points, label_values))
        .project(type="mercator")
        .properties(
            width=width, height=_height(boundaries, width), view=alt.ViewBackground(stroke=None)
        )
    )


def _with_data(
    shapes: alt.Chart,
    title: str,
    domain: tuple[float, float],
    fmt: str,
    ticks: list[float] | None,
) -> alt.Chart:
    legend = alt.Legend(
        format=fmt, orient="right", gradientLength=180, **({"values": ticks} if ticks else {})
    )
    return (
        shapes.transform_filter(f"isValid(datum.properties.{VALUE_FIELD})")
        .mark_geoshape(stroke="white", strokeWidth=1.2)
        .encode(
            color=alt.Color(
                f"properties.{VALUE_FIELD}:Q",
                title=title,
                scale=alt.Scale(domain=list(domain), range=layers.gradient_stops("viridis")),
                legend=legend,
            )
        )
    )


def _without_data(shapes: alt.Chart, missing_label: str) -> alt.Chart:
    grey = layers.rgb_to_hex(layers.NO_DATA_FILL)
    return (
        shapes.transform_filter(f"!isValid(datum.properties.{VALUE_FIELD})")
        .transform_calculate(missing=_literal(missing_label))
        .mark_geoshape(stroke="white", strokeWidth=1.2)
        .encode(
            fill=alt.Fill(
                "missing:N",
                title=None,
                scale=alt.Scale(domain=[missing_label], range=[grey]),
                legend=alt.Legend(orient="right", symbolType="square", symbolSize=180),
            )
        )
    )


def label_layers(
    points: alt.Chart, label_values: bool = False, clip: bool = False
) -> list[alt.Chart]:
    """Names (and values) at a point inside each district, over a white halo. ``points``
    has ``name``, ``longitude``, ``latitude`` (and ``value_label``); ``clip`` cuts the
    labels at the view's edges (a map fitted to part of the shapes)."""
    place = {"longitude": "longitude:Q", "latitude": "latitude:Q"}
    halo = {"stroke": "white", "strokeWidth": 3, "strokeJoin": "round"}
    cut = {"clip": True} if clip else {}
    name = {"fontSize": LABEL_SIZE, "fontWeight": "bold", "dy": -7 if label_values else 0, **cut}
    value = {"fontSize": LABEL_SIZE - 1, "dy": 8, **cut}
    drawn = []
    for style in ({**name, **halo}, name):
        drawn.append(points.mark_text(**style).encode(**place, text="name:N"))
    if label_values:
        for style in ({**value, **halo}, value):
            drawn.append(points.mark_text(**style).encode(**place, text="value_label:N"))
    return drawn


def _share_ticks(domain: tuple[float, float]) -> list[float]:
    """Every whole ten per cent within the domain: the legend then reads 20%, 30%, 40%…"""
    low, high = domain
    count = round((high - low) / SHARE_STEP)
    return [round(low + step * SHARE_STEP, 4) for step in range(count + 1)]


def _districts(
    boundaries: gpd.GeoDataFrame,
    values: pd.DataFrame,
    key: str,
    value_column: str,
    name_column: str,
) -> gpd.GeoDataFrame:
    """One row per boundary: lgd_code, name, value (NaN when none), geometry.

    The name is the one in ``values``; a district without a row gets the file's name.
    """
    rows = values[[key, name_column, value_column]].rename(
        columns={key: KEY_FIELD, name_column: NAME_FIELD, value_column: VALUE_FIELD}
    )
    rows[KEY_FIELD] = rows[KEY_FIELD].astype(int)
    merged = boundaries.merge(rows.drop_duplicates(KEY_FIELD), on=KEY_FIELD, how="left")
    if "boundary_name" in merged:
        merged[NAME_FIELD] = merged[NAME_FIELD].fillna(merged["boundary_name"].str.title())
    merged[VALUE_FIELD] = pd.to_numeric(merged[VALUE_FIELD], errors="coerce")
    merged["geometry"] = layers.clockwise(merged.geometry.to_numpy())
    return merged


def _features(districts: gpd.GeoDataFrame) -> dict[str, Any]:
    properties = districts[[KEY_FIELD, NAME_FIELD, VALUE_FIELD]]
    return layers.district_features(districts, properties, key=KEY_FIELD)


def _labels(districts: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    positions = layers.label_positions(districts)
    return [
        {
            "name": str(row[NAME_FIELD]),
            "value": None if pd.isna(row[VALUE_FIELD]) else float(row[VALUE_FIELD]),
            "longitude": positions[int(row[KEY_FIELD])][0],
            "latitude": positions[int(row[KEY_FIELD])][1],
        }
        for _, row in districts.iterrows()
    ]


def _height(boundaries: gpd.GeoDataFrame, width: int) -> int:
    """The height at which the districts fill ``width`` in Web Mercator, within bounds."""
    bounds = layers.bounds_of(boundaries)
    if bounds is None:
        return width
    minx, miny, maxx, maxy = bounds

    def mercator(latitude: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(latitude) / 2))

    span_x = math.radians(maxx - minx)
    span_y = mercator(maxy) - mercator(miny)
    if span_x <= 0 or span_y <= 0:
        return width
    return int(min(MAX_HEIGHT, max(240, width * span_y / span_x)))


def _literal(text: str) -> str:
    """``text`` as a Vega expression string literal."""
    escaped = text.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"
