"""The Map page's map drawn by Vega-Lite, the page's default: light and quick.

deck.gl (``st.pydeck_chart``) costs a first visit 0.75 MB of JavaScript on the wire and,
in a browser without a usable GPU, seconds of software WebGL for every visit
(docs/performance.md). This map is drawn by the Vega-Lite bundle the other chart pages
load anyway, from the same figures, colours, radii and text as the interactive map
(``views/map.py`` computes them once for both): districts filled by the metric,
districts in scope without data outlined dashed, facilities as circles by volume, names
on the map in the page's language (the browser shapes Devanagari, which deck.gl's
character atlas cannot), the same figures in the tooltips, and a click on a district or
a facility narrowing the page. No zoom or pan: that is what the interactive map is for.
"""

from __future__ import annotations

import copy
import functools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import geopandas as gpd
import pandas as pd
import shapely

from geo import layers
from i18n.formats import vega_locale
from press.maps import label_layers
from ui.charts import for_screen as charts_for_screen

DISTRICT_SELECTION, FACILITY_SELECTION = "district_click", "facility_click"
"""The names of the two click selections: ``on_select``'s state is keyed by them."""
COORDINATE_GRID = 1e-4


def light_map(
    boundaries: gpd.GeoDataFrame,
    districts: pd.DataFrame,
    facilities: pd.DataFrame,
    *,
    labels: Sequence[Mapping[str, Any]],
    tooltip: Sequence[tuple[str, str]],
    height: int,
    lang: str,
    fit_to: Sequence[int] = (),
    outlines: gpd.GeoDataFrame | None = None,
) -> dict[str, Any]:
    """The districts and facilities as the interactive map draws them, without WebGL: a
    Vega-Lite spec for ``st.vega_lite_chart``.

    ``districts``: one row per district to draw, ``lgd_code``, ``fill`` and ``line``
    (RGB or RGBA lists, as for deck.gl), ``dashed`` (in scope without data) and the
    tooltip's fields. ``facilities``: ``facility_id``, ``longitude``, ``latitude``,
    ``radius`` (pixels), ``fill`` and the tooltip's fields. ``labels``: ``name``,
    ``longitude``, ``latitude`` for each district to name. ``tooltip``: (field, title)
    pairs, the same fields in both frames. ``lang``: the language of the numbers and
    dates (the chart's d3 locale). ``fit_to``: the LGD codes of the districts in scope,
    which fill the view (the others are context, cut at its edges); all when empty.
    ``outlines``: the divisions' borders (``geo.boundaries.division_outlines``), drawn over
    the districts where several divisions are in view. Text is data: Vega draws it as text
    and its tooltip escapes it.

    Altair builds the layers once per shape of map (``_layers``: which layers, tooltip,
    height, extent, language), with named data; the rows go in afterwards. Altair walks
    and validates every value of inline data, which for the state's 33 district shapes
    cost seconds at each run (docs/performance.md, "Statewide shape").
    """
    values: dict[str, list[dict[str, Any]]] = {"districts": _shapes(boundaries, districts)}
    dashed = [shape for shape in values["districts"] if shape["dashed"]]
    if dashed:
        values["dashed"] = dashed
    if outlines is not None and not outlines.empty:
        values["divisions"] = _division_borders(outlines)
    # Drawn even without a facility: the click selection exists on every map.
    points = facilities.assign(
        fill=[layers.rgb_to_hex(colour) for colour in facilities["fill"]],
        # Vega's size is an area in square pixels; deck.gl's radius a length.
        area=[math.pi * float(radius) ** 2 for radius in facilities["radius"]],
    )
    columns = ["facility_id", "longitude", "latitude", "fill", "area"]
    records = points[columns + [field for field, _ in tooltip if field not in columns]]
    values["facilities"] = [_plain(row) for row in records.to_dict(orient="records")]
    if labels:
        values["names"] = [dict(label) for label in labels]
    scope = boundaries[boundaries["lgd_code"].isin(list(fit_to))]
    bounds = layers.bounds_of(scope if len(scope) else boundaries)
    spec = copy.deepcopy(
        _layers(
            tuple(values),
            tuple(tooltip),
            height,
            None if bounds is None else tuple(float(b) for b in bounds),
            lang,
        )
    )
    for view in spec["layer"]:
        view["data"] = {"values": values[view["data"]["name"]]}
    return spec


@functools.lru_cache(maxsize=64)
def _layers(
    drawn: tuple[str, ...],
    tooltip: tuple[tuple[str, str], ...],
    height: int,
    bounds: tuple[float, float, float, float] | None,
    lang: str,
) -> dict[str, Any]:
    """The map's Vega-Lite spec with named data (``{"name": "districts"}``…), for the
    layers in ``drawn``: built by Altair, validated, once per distinct argument."""
    fields = [alt.Tooltip(f"{field}:N", title=title) for field, title in tooltip]
    district_click = alt.selection_point(
        name=DISTRICT_SELECTION, fields=["lgd_code"], on="click", clear=False, empty=False
    )
    facility_click = alt.selection_point(
        name=FACILITY_SELECTION, fields=["facility_id"], on="click", clear=False, empty=False
    )
    charts: list[alt.Chart] = [
        alt.Chart(alt.Data(name="districts"))
        .mark_geoshape(strokeWidth=1.5, clip=True)
        .encode(
            fill=alt.Fill("fill:N", scale=None),
            fillOpacity=alt.FillOpacity("fill_opacity:Q", scale=None),
            stroke=alt.Stroke("line:N", scale=None),
            tooltip=fields,
        )
        .add_params(district_click)
    ]
    if "dashed" in drawn:
        charts.append(
            alt.Chart(alt.Data(name="dashed")).mark_geoshape(
                filled=False,
                stroke=layers.rgb_to_hex(layers.NO_DATA_OUTLINE),
                strokeWidth=2,
                strokeDash=[4, 3],
                clip=True,
            )
        )
    if "divisions" in drawn:
        charts.append(
            alt.Chart(alt.Data(name="divisions")).mark_geoshape(
                filled=False,
                stroke=layers.rgb_to_hex(layers.DIVISION_OUTLINE),
                strokeWidth=3,
                clip=True,
            )
        )
    charts.append(
        alt.Chart(alt.Data(name="facilities"))
        .mark_circle(opacity=1, stroke="#262730", strokeWidth=1, clip=True)
        .encode(
            longitude="longitude:Q",
            latitude="latitude:Q",
            size=alt.Size("area:Q", scale=None),
            fill=alt.Fill("fill:N", scale=None),
            tooltip=fields,
        )
        .add_params(facility_click)
    )
    if "names" in drawn:
        charts += label_layers(alt.Chart(alt.Data(name="names")), clip=True)
    # Fitted to the corners of the scope's bounds: the same extent as its shapes, without
    # sending them a second time.
    fit = (
        {}
        if bounds is None
        else {
            "fit": {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "MultiPoint", "coordinates": [[*bounds[:2]], [*bounds[2:]]]},
            }
        }
    )
    chart = (
        alt.layer(*charts)
        .project(type="mercator", **fit)
        .properties(height=height, view=alt.ViewBackground(stroke=None))
    )
    spec = charts_for_screen(chart.configure(locale=vega_locale(lang))).to_dict()
    # Streamlit converts its Altair charts under the theme "none": the default theme's view
    # size (300 × 300) is not part of the map.
    view = spec.get("config", {}).get("view", {})
    for size in ("continuousWidth", "continuousHeight"):
        view.pop(size, None)
    if not view:
        spec.get("config", {}).pop("view", None)
    return spec


def _division_borders(outlines: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    borders = layers.clockwise(shapely.set_precision(outlines.geometry.to_numpy(), COORDINATE_GRID))
    return [
        {"type": "Feature", "geometry": shape.__geo_interface__, "division": name}
        for name, shape in zip(outlines["division"], borders, strict=True)
    ]


def _shapes(boundaries: gpd.GeoDataFrame, districts: pd.DataFrame) -> list[dict[str, Any]]:
    """One GeoJSON feature per district with a boundary, its fields at the top level (so
    that a click's selection reads ``lgd_code`` as it is) and its colours as hex."""
    oriented = boundaries.assign(
        # Coordinates to 4 decimals (about 11 m; a pixel of the map is hundreds of
        # metres): half the bytes of the shapes on the wire.
        geometry=layers.clockwise(
            shapely.set_precision(boundaries.geometry.to_numpy(), COORDINATE_GRID)
        )
    )
    collection = layers.district_features(oriented, districts)
    shapes = []
    for feature in collection["features"]:
        fields = feature["properties"]
        fill, line = fields.pop("fill"), fields.pop("line")
        shapes.append(
            {
                "type": "Feature",
                "geometry": feature["geometry"],
                **fields,
                "fill": layers.rgb_to_hex(fill),
                "fill_opacity": round((fill[3] if len(fill) > 3 else 255) / 255, 3),
                "line": layers.rgb_to_hex(line),
            }
        )
    return shapes


def _plain(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row as JSON values: inline in the spec, as the districts are (no Arrow dataset)."""
    return {name: layers.plain(value) for name, value in row.items()}


def clicked(selection: Mapping[str, Any]) -> dict[str, list[Any]] | None:
    """What a click on the map asks for, from ``on_select``'s state: a district's or a
    facility's scope for ``ui.filters.narrow_to``, or None (a click on nothing)."""
    chosen = selection.get("selection", {})
    for point in chosen.get(FACILITY_SELECTION, []) or []:
        if point.get("facility_id"):
            return {"facilities": [str(point["facility_id"])]}
    for point in chosen.get(DISTRICT_SELECTION, []) or []:
        code = point.get("lgd_code")
        if code is not None:
            return {"districts": [int(code)]}
    return None
