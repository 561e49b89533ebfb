"""Learn the places of ACLED's TRAINING rows: location names with their admin1 area, admin2 and point.

ACLED codes many villages, neighbourhoods and camps that GeoNames' cities500 lacks ("Kibera", "Liboi") or
holds only abroad ("Kutu" in Congo for the Kenyan one), and it puts a few towns in other admin1 areas than
GeoNames does (Thika: Kiambu, not Nairobi). For each training row (held out = sha1(event_id_cnty) % 5 == 0 is
skipped) of geo_precision 1 or 2, the row's location name, country, admin1 area (ACLED's name, matched to a
GeoNames admin1 code), admin2 and point become a place; points of one name within `--km` of each other are one
place, at its most common point. A gazetteer place of the same name (matching key) within `--km` gives the
place its geonameid, so that the resolver merges the two instead of adding a namesake. A "City-Part" location
("Mogadishu-Hodan") also gives "Hodan" when "City" is a known town. Only names, areas and points are kept (no
note text), in `src/sitrep/data/gazetteer/acled_places.csv`, which the resolver reads at run time.

`--half 0|1` learns from one half of the training rows only (by another hash of the event id), so that the
other half measures what the file does for places it never saw (`--out` then names another file).

Usage:
    .venv/bin/python benchmarks/geo_learn_acled_places.py [--dry-run] [--km 10] [--half 0|1 --out FILE]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_geocode import ACLED
from sitrep.distance import haversine_km
from sitrep.errors import InputError
from sitrep.geo.gazetteer import DATA_DIR, Gazetteer, default_gazetteer_path, plain_name
from sitrep.settings import load_settings

HEADER = """# Places of ACLED's training rows (learned by benchmarks/geo_learn_acled_places.py; names, areas and points
# only): the resolver reads them at run time as extra candidates for names GeoNames' cities500 lacks or holds
# only abroad. admin1: GeoNames admin1 code; geonameid: the gazetteer place of the same name at that point, when
# there is one (the resolver then merges the two); seen: training rows coded there. Edit freely.
country,name,admin1,admin2,latitude,longitude,geonameid,seen
"""


def held_out(event_id: str) -> bool:
    """ACLED's held-out rows: one in five by a hash of the event id."""
    return int(hashlib.sha1(event_id.encode()).hexdigest(), 16) % 5 == 0


def half_of(event_id: str) -> int:
    """An independent split of the training rows in two halves, for cross-checking the learned file."""
    return int(hashlib.sha1(f"half:{event_id}".encode()).hexdigest(), 16) % 2


def names_of(location: str, country: str, gaz: Gazetteer) -> list[str]:
    """The names a location goes by in notes: itself without a bracketed area ("Nameless Hills (Tartar
    Region)"), and the part after the town of "Town-Part" ("Mogadishu-Hodan", "Rio de Janeiro-North Zone": the
    document's other places tell one town's "North Zone" from another's)."""
    name = re.sub(r"\s*\(.*\)\s*$", "", location).strip()
    names = [name] if name else []
    town, sep, part = (s.strip() for s in name.partition("-"))
    if sep and len(part) >= 4 and part[:1].isupper():
        known = [c for c in gaz.lookup(town, country=country, fuzzy=False, limit=3) if c.kind == "place"]
        if known and known[0].population >= 50_000:
            names.append(part)
    return names


def _csv_line(values: tuple[object, ...]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(values)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--km", type=float, default=10.0, help="points of one name this close are one place")
    parser.add_argument("--half", type=int, choices=(0, 1), default=None, help="learn from this half only")
    parser.add_argument("--out", default="", help="file to write (default: the packaged acled_places.csv)")
    args = parser.parse_args()
    gaz = Gazetteer.open(default_gazetteer_path(load_settings()))
    with ACLED.open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if not held_out(r["event_id_cnty"])
                and (args.half is None or half_of(r["event_id_cnty"]) == args.half)]  # fmt: skip
    # (country, key) -> [(name, admin1 code, admin2, lat, lon)]
    seen: dict[tuple[str, str], list[tuple[str, str, str, float, float]]] = defaultdict(list)
    for row in rows:
        if row["geo_precision"].strip() not in ("1", "2") or not row["latitude"] or not row["location"].strip():
            continue
        try:
            cc = gaz.country_code(row["country"])
        except InputError:
            continue
        area = gaz.admin1_area(row["admin1"].strip(), cc) if row["admin1"].strip() else None
        if area is None or not area.admin1_code:
            continue
        lat, lon = float(row["latitude"]), float(row["longitude"])
        for name in names_of(row["location"].strip(), cc, gaz):
            key = gaz.key(name)
            if key and len(plain_name(name)) >= 3:
                seen[(cc, key)].append((name, area.admin1_code, row["admin2"].strip(), lat, lon))
    lines = []
    for (cc, _key), items in sorted(seen.items()):
        # Greedy clusters: each point joins the first cluster whose first point is within --km.
        clusters: list[list[tuple[str, str, str, float, float]]] = []
        for item in items:
            for cluster in clusters:
                if haversine_km(cluster[0][3], cluster[0][4], item[3], item[4]) <= args.km:
                    cluster.append(item)
                    break
            else:
                clusters.append([item])
        for cluster in clusters:
            name = Counter(i[0] for i in cluster).most_common(1)[0][0]
            admin1 = Counter(i[1] for i in cluster).most_common(1)[0][0]
            admin2 = Counter(i[2] for i in cluster).most_common(1)[0][0]
            lat, lon = Counter((i[3], i[4]) for i in cluster).most_common(1)[0][0]
            places = [c for c in gaz.lookup(name, country=cc, fuzzy=False, limit=50, kinds=("place",))
                      if c.latitude is not None and c.longitude is not None]  # fmt: skip
            near = min(places, key=lambda c: haversine_km(lat, lon, c.latitude, c.longitude), default=None)  # type: ignore[arg-type]
            geonameid = ""
            if near is not None and haversine_km(lat, lon, near.latitude, near.longitude) <= args.km:  # type: ignore[arg-type]
                geonameid = str(near.geonameid)
            lines.append(_csv_line((cc, name, admin1, admin2, lat, lon, geonameid, len(cluster))))
    text = HEADER + "\n".join(lines) + "\n"
    out = Path(args.out) if args.out else DATA_DIR / "acled_places.csv"
    if args.dry_run:
        print(text)
    else:
        out.write_text(text, encoding="utf-8")
        print(f"wrote {len(lines)} places to {out}")


if __name__ == "__main__":
    main()
