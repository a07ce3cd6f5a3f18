"""Division outlines (issue 18): each division's districts joined into one shape from the
bundled boundary file, without the slivers between districts, covering its districts."""

from __future__ import annotations

import pytest

from geo.boundaries import district_boundaries, division_outlines

DIVISIONS = {
    "Bastar": (414, 413, 648, 415, 416, 417, 649),
    "Surguja": (400, 401, 402, 641, 642, 758),
    "Bilaspur": (406, 404, 405, 403, 643, 669, 759, 757),
    "Durg": (409, 408, 407, 644, 645, 755, 756),
    "Raipur": (410, 411, 412, 646, 647),
}
DIVISION_OF = {code: name for name, codes in DIVISIONS.items() for code in codes}


@pytest.fixture(scope="module")
def chhattisgarh():
    return district_boundaries(DIVISION_OF)


def test_each_division_is_one_shape_without_inner_lines(chhattisgarh) -> None:
    outlines = division_outlines(chhattisgarh, DIVISION_OF)
    assert sorted(outlines["division"]) == sorted(DIVISIONS)
    for division, shape in zip(outlines["division"], outlines.geometry, strict=True):
        assert shape.geom_type == "Polygon", division  # one piece
        assert len(shape.interiors) == 0, division  # no sliver left between its districts
        districts = chhattisgarh[chhattisgarh["lgd_code"].isin(DIVISIONS[division])]
        joined_area = sum(d.area for d in districts.geometry)  # in square degrees: compared only
        assert abs(shape.area - joined_area) < 0.005 * shape.area, division
        for point in districts.geometry.representative_point():
            assert shape.contains(point), division


def test_districts_of_no_division_are_left_out(chhattisgarh) -> None:
    only_bastar = {code: "Bastar" for code in DIVISIONS["Bastar"]}
    outlines = division_outlines(chhattisgarh, only_bastar)
    assert list(outlines["division"]) == ["Bastar"]
    assert division_outlines(chhattisgarh, {}).empty
