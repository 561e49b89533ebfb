"""Tests of `scripts/vendor_area_points.py`'s country point: the midpoint of the polygon's point and the Factbook's
when it lies inside the country, else the polygon's point. Shapes and points are made up for these tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from shapely.geometry import MultiPolygon, Polygon, box

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

import vendor_area_points  # from scripts/, not a package

SQUARE = box(0.0, 0.0, 10.0, 10.0)  # lon 0-10, lat 0-10: its centroid is (5, 5)
# A U open to the north: the centroid of its arms' bottom lies inside, but a midpoint with a reference in the gap
# between the arms falls outside it.
U_SHAPE = Polygon([(0, 0), (10, 0), (10, 10), (8, 10), (8, 2), (2, 2), (2, 10), (0, 10)])


def test_vendor_country_point_is_the_midpoint_of_polygon_and_reference() -> None:
    assert vendor_area_points.country_point(SQUARE, (7.0, 9.0)) == (6.0, 7.0)


@pytest.mark.parametrize(
    ("geometry", "reference"),
    [
        (SQUARE, None),  # no Factbook point
        (U_SHAPE, (9.0, 5.0)),  # the midpoint lies in the U's gap
        (box(170.0, -20.0, 179.0, -10.0), (-15.0, -175.0)),  # the reference lies across the antimeridian
    ],
)
def test_vendor_country_point_falls_back_to_the_polygon_point(
    geometry: Polygon, reference: tuple[float, float] | None
) -> None:
    assert vendor_area_points.country_point(geometry, reference) == vendor_area_points.area_point(geometry)


def test_vendor_country_point_of_islands_uses_the_whole_country() -> None:
    # Two islands: the polygon point is the larger one's centroid; the midpoint with a reference on the smaller one
    # lies in the sea between them, so the larger island's point stays.
    islands = MultiPolygon([box(0.0, 0.0, 4.0, 4.0), box(10.0, 0.0, 11.0, 1.0)])
    assert vendor_area_points.country_point(islands, (0.5, 10.5)) == (2.0, 2.0)
    assert vendor_area_points.country_point(islands, (3.0, 3.0)) == (2.5, 2.5)
