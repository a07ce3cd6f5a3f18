"""What the map draws, as plain data: colour scales, district features, points, the view.

Pure functions of boundaries and figures; the page formats the tooltip text and hands
the results to pydeck. Colours are ``[r, g, b, a]`` lists of ints (what deck.gl takes).
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

Colour = list[int]

# Sampled at 0, 0.1, …, 1 from matplotlib's viridis (sequential, colour-blind safe).
VIRIDIS = [
    "#440154",
    "#482475",
    "#414487",
    "#355f8d",
    "#2a788e",
    "#21918c",
    "#22a884",
    "#44bf70",
    "#7ad151",
    "#bddf26",
    "#fde725",
]
# ColorBrewer PRGn, 11 classes: purple for a fall, near-white at 0, green for a rise.
PRGN = [
    "#40004b",
    "#762a83",
    "#9970ab",
    "#c2a5cf",
    "#e7d4e8",
    "#f7f7f7",
    "#d9f0d3",
    "#a6dba0",
    "#5aae61",
    "#1b7837",
    "#00441b",
]
SCHEMES = {"viridis": VIRIDIS, "prgn": PRGN}

FILL_ALPHA = 220
NO_DATA_FILL: Colour = [178, 178, 178, FILL_ALPHA]  # mid grey: unlike viridis and PRGn's white
NO_DATA_OUTLINE: Colour = [64, 64, 64, 255]
OUTSIDE_FILL: Colour = [240, 240, 240, 90]  # a district outside the filters: context only
OUTSIDE_OUTLINE: Colour = [190, 190, 190, 255]
OUTLINE: Colour = [255, 255, 255, 255]
DIVISION_OUTLINE: Colour = [38, 39, 48, 255]  # a division's border, over its districts' white

# deck.gl's Web Mercator world is 512 px wide at zoom 0.
_WORLD_PX = 512


def hex_to_rgb(code: str) -> tuple[int, int, int]:
    code = code.lstrip("#")
    return int(code[0:2], 16), int(code[2:4], 16), int(code[4:6], 16)


def rgb_to_hex(rgb: Sequence[int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb[:3])


def _number(value: float | None) -> float | None:
    """The value as a float; None when there is none (None, NaN, NA)."""
    return None if value is None or pd.isna(value) else float(value)


def scale_position(value: float, vmin: float, vmax: float) -> float:
    """Where ``value`` falls between ``vmin`` and ``vmax``, clipped to [0, 1]."""
    if vmax <= vmin:
        return 0.5
    return min(1.0, max(0.0, (value - vmin) / (vmax - vmin)))


def interpolate(scheme: str, position: float) -> tuple[int, int, int]:
    """The scheme's colour at ``position`` in [0, 1], interpolated linearly between stops."""
    stops = [hex_to_rgb(code) for code in SCHEMES[scheme]]
    position = min(1.0, max(0.0, position))
    scaled = position * (len(stops) - 1)
    low = min(int(scaled), len(stops) - 2)
    fraction = scaled - low
    a, b = stops[low], stops[low + 1]
    red, green, blue = (round(a[i] + (b[i] - a[i]) * fraction) for i in range(3))
    return red, green, blue


def colour_for(
    value: float | None, vmin: float, vmax: float, scheme: str = "viridis", alpha: int = FILL_ALPHA
) -> Colour:
    """The fill colour of ``value`` on the scale [vmin, vmax]; grey when there is no value.

    For a diverging scheme pass a domain symmetric about 0 so that 0 is the middle colour.
    """
    number = _number(value)
    if number is None:
        return list(NO_DATA_FILL)
    return [*interpolate(scheme, scale_position(number, vmin, vmax)), alpha]


def colours_for(
    values: Iterable[float | None], vmin: float, vmax: float, scheme: str = "viridis"
) -> list[Colour]:
    return [colour_for(value, vmin, vmax, scheme) for value in values]


def gradient_stops(scheme: str) -> list[str]:
    """The scheme's stops as hex codes, low to high (for a legend's gradient)."""
    return list(SCHEMES[scheme])


def sequential_domain(
    values: Iterable[float | None],
    step: float | None = None,
    lower: float | None = 0.0,
    upper: float | None = None,
) -> tuple[float, float]:
    """A domain covering the values, widened to whole ``step``s and kept within the bounds.

    With ``lower`` set the domain starts there (counts start at 0); with ``lower=None`` it
    starts at the smallest value rounded down, so that small differences show. Without a
    ``step``, one tenth of the largest value's power of ten (1,02,735 → steps of 10,000).
    """
    known = [n for n in map(_number, values) if n is not None]
    if step is None:
        largest = max((abs(v) for v in known), default=0.0)
        step = 10.0 ** (math.floor(math.log10(largest)) - 1) if largest >= 10 else 1.0
    if not known:
        low, high = (lower or 0.0), (upper if upper is not None else step)
        return low, high
    low = lower if lower is not None else math.floor(min(known) / step) * step
    high = math.ceil(max(known) / step) * step
    if upper is not None:
        high = min(high, upper)
    if high <= low:
        high = low + step
        if upper is not None and high > upper:
            low, high = upper - step, upper
    return low, high


def diverging_domain(values: Iterable[float | None], step: float) -> tuple[float, float]:
    """A domain symmetric about 0, covering the largest change, in whole ``step``s."""
    known = [abs(n) for n in map(_number, values) if n is not None]
    reach = max(step, math.ceil(max(known, default=0.0) / step) * step)
    return -reach, reach


def district_features(
    boundaries: gpd.GeoDataFrame, properties: pd.DataFrame, key: str = "lgd_code"
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the districts, each with its row of ``properties``.

    ``properties`` has the column ``key`` (the LGD code) and any others (tooltip text,
    ``fill``, ``line``…); they are copied as they are, with numpy scalars made plain.
    Features come in the order of ``properties``; districts without a boundary are left
    out (list them with ``geo.boundaries.missing_boundaries``).
    """
    shapes = dict(zip(boundaries["lgd_code"].astype(int), boundaries.geometry, strict=True))
    features = []
    for row in properties.to_dict(orient="records"):
        shape = shapes.get(int(row[key]))
        if shape is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": shape.__geo_interface__,
                "properties": {name: plain(value) for name, value in row.items()},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def clockwise(geometries: Any) -> Any:
    """The shapes with every exterior ring clockwise, for Vega's d3, which draws on the
    sphere: a counter-clockwise ring (as GeoJSON files usually have) would be the rest of
    the world."""
    return shapely.orient_polygons(geometries, exterior_cw=True)


def label_positions(boundaries: gpd.GeoDataFrame, key: str = "lgd_code") -> dict:
    """A point inside each shape (not the centroid, which can fall outside) for its label,
    by ``key``: a district's LGD code (an int), or a division's name (``division_outlines``)."""
    points = boundaries.geometry.representative_point()
    return {
        (int(code) if key == "lgd_code" else str(code)): [round(float(x), 5), round(float(y), 5)]
        for code, x, y in zip(boundaries[key], points.x, points.y, strict=True)
    }


def point_radii(
    volumes: Iterable[float | None], max_radius: float = 22.0, min_radius: float = 3.0
) -> list[float]:
    """Circle radii (pixels) whose areas are proportional to the volumes (a sqrt scale)."""
    values = [max(0.0, n) if n is not None else 0.0 for n in map(_number, volumes)]
    largest = max(values, default=0.0)
    if largest <= 0:
        return [min_radius for _ in values]
    return [max(min_radius, max_radius * math.sqrt(v / largest)) for v in values]


def bounds_of(boundaries: gpd.GeoDataFrame) -> tuple[float, float, float, float] | None:
    """(min longitude, min latitude, max longitude, max latitude), or None when empty."""
    if boundaries.empty:
        return None
    minx, miny, maxx, maxy = (float(v) for v in boundaries.total_bounds)
    return minx, miny, maxx, maxy


def points_bounds(
    longitudes: Iterable[float], latitudes: Iterable[float]
) -> tuple[float, float, float, float] | None:
    """The bounds of some points (facilities), or None when there are none."""
    xs, ys = [float(x) for x in longitudes], [float(y) for y in latitudes]
    if not xs or not ys:
        return None
    return min(xs), min(ys), max(xs), max(ys)


def _mercator_y(latitude: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(latitude) / 2))


def view_state_for(
    bounds: tuple[float, float, float, float],
    width_px: int = 900,
    height_px: int = 560,
    padding: float = 0.08,
    max_zoom: float = 11.0,
) -> dict[str, float]:
    """Centre and zoom at which ``bounds`` fill a map of the given size, with a margin.

    Returns ``latitude``, ``longitude`` (the centre of the bounds in Web Mercator) and
    ``zoom``, the keys of ``pydeck.ViewState``.
    """
    minx, miny, maxx, maxy = bounds
    y_low, y_high = _mercator_y(miny), _mercator_y(maxy)
    centre_lat = math.degrees(2 * math.atan(math.exp((y_low + y_high) / 2)) - math.pi / 2)
    usable_w, usable_h = width_px * (1 - 2 * padding), height_px * (1 - 2 * padding)
    zooms = [max_zoom]
    if maxx > minx:
        zooms.append(math.log2(usable_w * 360 / ((maxx - minx) * _WORLD_PX)))
    if y_high > y_low:
        zooms.append(math.log2(usable_h * 2 * math.pi / ((y_high - y_low) * _WORLD_PX)))
    return {
        "latitude": round(centre_lat, 5),
        "longitude": round((minx + maxx) / 2, 5),
        "zoom": round(min(zooms), 2),
    }


def plain(value: Any) -> Any:
    """numpy scalars and NaN as JSON-friendly Python values."""
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        return value.item()
    return value


def escaped_for_tooltip(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """``frame`` with ``columns`` HTML-escaped: deck.gl puts a tooltip template's values into
    the page as HTML, so a registry name such as ``<img onerror=…>`` must arrive as text."""
    return frame.assign(
        **{
            c: pd.Series(
                [None if pd.isna(v) else html.escape(str(v)) for v in frame[c]], index=frame.index
            )
            for c in columns
        }
    )
