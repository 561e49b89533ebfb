"""Learn GeoNames' own points for countries and admin1 areas from the TRAINING part of the geoparsing corpora.

The compiled gazetteer's country points come from the CIA World Factbook (countryinfo) and its admin1 points from
the spread of each area's towns; GeoNames (whose points the TR-News and GeoWebNews gold uses, and most
geoparsers report) puts them elsewhere (the US at 39.76,-98.5). No PyPI package ships GeoNames' country or ADM1
points, so this script reads them off the gold of the training part (documents with an even index) wherever
the geocoder resolved a toponym to that country or area, and writes `src/sitrep/data/gazetteer/points.csv`.
Only the most common gold point of an area is kept, and only when it is within `--radius` km of our point (a
farther gold point means a different place, not a different point of the same area).

Usage:
    .venv/bin/python benchmarks/geo_learn_points.py [--dry-run]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_geocode import load_gwn, load_trnews
from sitrep.distance import haversine_km
from sitrep.geo.gazetteer import DATA_DIR, Gazetteer, default_gazetteer_path
from sitrep.geo.geocoder import Geocoder
from sitrep.nlp import load_language
from sitrep.settings import Settings, load_settings

HEADER = """# Representative points of countries and admin1 areas as GeoNames gives them, overriding the Factbook point
# (countries.csv) or the middle of the area's towns (admin1). Learned by benchmarks/geo_learn_points.py from
# the gold points of the training part (even-numbered documents) of TR-News and GeoWebNews, which are GeoNames'
# own points (CC BY 4.0, geonames.org). kind: country | admin1; code: the admin1 code (empty for a country);
# seen: how many training toponyms gave this point. Edit freely; editing rebuilds the gazetteer.
kind,country,code,name,latitude,longitude,seen
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="print, do not write")
    parser.add_argument("--radius", type=float, default=1500.0,
                        help="largest km between our point and gold's (two thirds of it for admin1)")  # fmt: skip
    args = parser.parse_args()
    gaz = Gazetteer.open(default_gazetteer_path(load_settings()))
    geocoder = Geocoder(nlp=load_language(), gazetteer=gaz, settings=Settings(geocode_region_point="centroid"))
    seen: dict[tuple[str, str, str], Counter[tuple[float, float]]] = defaultdict(Counter)
    names: dict[tuple[str, str, str], str] = {}
    for docs in (load_trnews(), load_gwn()):
        for i, (text, gold) in enumerate(docs):
            if i % 2 or not gold:
                continue  # odd documents are the test part
            places = geocoder.geocode(text, [{"start": s, "end": e} for s, e, *_ in gold])
            for (_s, _e, _phrase, lat, lon), place in zip(gold, places, strict=True):
                if place.kind not in ("country", "admin1") or place.latitude is None or place.longitude is None:
                    continue
                radius = args.radius / (1.5 if place.kind == "admin1" else 1)
                if haversine_km(lat, lon, place.latitude, place.longitude) > radius:
                    continue
                key = (place.kind, place.country_code or "", place.admin1_code or "" if place.kind == "admin1" else "")
                seen[key][(round(lat, 5), round(lon, 5))] += 1
                names[key] = place.country or "" if place.kind == "country" else place.admin1 or ""
    lines = []
    for key in sorted(seen):
        (lat, lon), n = seen[key].most_common(1)[0]
        lines.append(f'{key[0]},{key[1]},{key[2]},"{names[key]}",{lat},{lon},{n}')
    text = HEADER + "\n".join(lines) + "\n"
    if args.dry_run:
        print(text)
    else:
        (DATA_DIR / "points.csv").write_text(text, encoding="utf-8")
        print(f"wrote {len(lines)} points to {DATA_DIR / 'points.csv'}")


if __name__ == "__main__":
    main()
