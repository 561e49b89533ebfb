"""Error analysis for the geocoder: the biggest misses on TR-News / GeoWebNews / ACLED, with our choice.

Usage:
    .venv/bin/python benchmarks/geo_misses.py [--corpus trnews|gwn|acled] [--n 30] [--part train|test|all]

Training part: even document index (TR-News, GeoWebNews); ACLED rows not held out (held out = sha1(event_id) % 5 == 0).
"""

from __future__ import annotations

import argparse
import collections
import csv
import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_geocode import ACLED, load_gwn, load_trnews
from sitrep.distance import haversine_km
from sitrep.gazetteer import Gazetteer, default_gazetteer_path
from sitrep.geocode import Geocoder, event_place, resolve_places
from sitrep.nlp import load_language
from sitrep.settings import Settings


def held_out(event_id: str) -> bool:
    """ACLED's held-out rows: one in five by a hash of the event id."""
    return int(hashlib.sha1(event_id.encode()).hexdigest(), 16) % 5 == 0


def in_part(index: int, part: str) -> bool:
    return part == "all" or (index % 2 == 0) == (part == "train")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", default="gwn")
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument("--part", default="train")
    args = parser.parse_args()
    gaz = Gazetteer.open(default_gazetteer_path(Settings()))
    point = "capital" if args.corpus == "acled" else "centroid"
    geocoder = Geocoder(nlp=load_language(), gazetteer=gaz, settings=Settings(geocode_region_point=point))
    misses = []
    names: collections.Counter[str] = collections.Counter()
    if args.corpus in ("trnews", "gwn"):
        docs = load_trnews() if args.corpus == "trnews" else load_gwn()
        for i, (text, gold) in enumerate(docs):
            if not gold or not in_part(i, args.part):
                continue
            places = geocoder.geocode(text, [{"start": s, "end": e} for s, e, *_ in gold])
            for (_s, _e, phrase, lat, lon), p in zip(gold, places, strict=True):
                km = haversine_km(lat, lon, p.latitude, p.longitude) if p.latitude is not None else 99999.0
                if km > 161:
                    names[phrase] += 1
                    misses.append(
                        (
                            km,
                            i,
                            phrase,
                            (lat, lon),
                            p.name,
                            p.kind,
                            p.feature_code,
                            p.country_code,
                            p.latitude,
                            p.longitude,
                        )
                    )
    else:
        with ACLED.open(encoding="utf-8", newline="") as f:
            rows = [r for r in csv.DictReader(f) if held_out(r["event_id_cnty"]) == (args.part == "test")]
        rows = rows[:: max(1, len(rows) // 1500)]
        for row, doc in zip(rows, geocoder.nlp.pipe([r["notes"] for r in rows]), strict=True):
            places = resolve_places(doc, gazetteer=gaz, settings=geocoder.settings)
            choice = None
            for sent in doc.sents:
                choice = event_place(sent, places)
                if choice is not None:
                    break
            if choice is None:
                names["<none>:" + row["country"]] += 1
                continue
            if (choice.admin1 or "") != row["admin1"]:
                names[f"{row['country']}|{row['admin1']} <- {choice.admin1}"] += 1
    misses.sort(key=lambda m: -m[0])
    for m in misses[: args.n] if args.n > 0 else misses:
        print(
            f"{m[0]:8.0f} doc{m[1]:<4} {m[2]!r:28} gold={m[3][0]:.2f},{m[3][1]:.2f} -> {m[4]!r} {m[5]} {m[6]} "
            f"{m[7]} {m[8]},{m[9]}"
        )
    print("most missed:", names.most_common(args.n))


if __name__ == "__main__":
    main()
