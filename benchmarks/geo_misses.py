"""Error analysis for the geocoder: the biggest misses on TR-News / GeoWebNews / ACLED, with our choice.

Usage:
    .venv/bin/python benchmarks/geo_misses.py [--corpus trnews|gwn|acled] [--n 30] [--part train|test|all] [--infer]
    .venv/bin/python benchmarks/geo_misses.py --ceiling [--part test] [--every 3]

`--infer`: unknown given names take the point of their document's town (`geocode_infer_unknown`), so the misses
are those left with that inference.

`--ceiling`: how many ACLED notes name their gold location, admin2 or admin1 in any spelling (as written, by the
gazetteer's matching key, fuzzily at 85, or by a GeoNames alternative name of the admin1 area): the most a
geocoder that reads only the note can reach. `--every 3` keeps the rows bench_geocode.py uses by default.

Training part: even document index (TR-News, GeoWebNews); ACLED rows not held out (held out = sha1(event_id) % 5 == 0).
"""

from __future__ import annotations

import argparse
import collections
import csv
import hashlib
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from rapidfuzz import fuzz

from bench_geocode import ACLED, load_gwn, load_trnews
from sitrep.distance import haversine_km
from sitrep.geo.event_place import event_place
from sitrep.geo.gazetteer import Gazetteer, default_gazetteer_path, plain_name
from sitrep.geo.geocoder import Geocoder
from sitrep.geo.resolve import resolve_places
from sitrep.nlp import load_language
from sitrep.settings import Settings, load_settings


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
    parser.add_argument("--ceiling", action="store_true", help="count ACLED notes that name their place")
    parser.add_argument("--every", type=int, default=1, help="with --ceiling: every Nth ACLED row")
    parser.add_argument("--infer", action="store_true", help="infer unknown given names from their document")
    args = parser.parse_args()
    if args.ceiling:
        print(json.dumps(ceiling(args.part, every=args.every), indent=2))
        return
    gaz = Gazetteer.open(default_gazetteer_path(load_settings()))
    point = "capital" if args.corpus == "acled" else "centroid"
    geocoder = Geocoder(nlp=load_language(), gazetteer=gaz, settings=Settings(geocode_region_point=point))
    misses = []
    names: collections.Counter[str] = collections.Counter()
    if args.corpus in ("trnews", "gwn"):
        docs = load_trnews() if args.corpus == "trnews" else load_gwn()
        for i, (text, gold, url) in enumerate(docs):
            if not gold or not in_part(i, args.part):
                continue
            mentions = [{"start": s, "end": e} for s, e, *_ in gold]
            places = geocoder.geocode(text, mentions, infer_unknown=args.infer, url=url)
            for (_s, _e, phrase, lat, lon), p in zip(gold, places, strict=True):
                known = p.latitude is not None and p.longitude is not None
                km = haversine_km(lat, lon, p.latitude or 0.0, p.longitude or 0.0) if known else 99999.0
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


def ceiling(part: str, *, every: int = 1) -> dict[str, object]:
    """Count the ACLED rows of a part whose note names the gold location, admin2 or admin1 in any spelling."""
    gaz = Gazetteer.open(default_gazetteer_path(load_settings()))
    with ACLED.open(encoding="utf-8", newline="") as f:
        rows = [r for i, r in enumerate(csv.DictReader(f))
                if i % every == 0 and (part == "all" or held_out(r["event_id_cnty"]) == (part == "test"))]  # fmt: skip
    stats: collections.Counter[str] = collections.Counter()
    unnamed: collections.Counter[str] = collections.Counter()
    for row in rows:
        found = {level: _named_how(gaz, row, level) for level in ("location", "admin2", "admin1")}
        stats["rows"] += 1
        stats["named_any"] += any(found.values())
        stats["named_location_or_admin2"] += bool(found["location"] or found["admin2"])
        stats["named_admin1_only"] += bool(found["admin1"] and not (found["location"] or found["admin2"]))
        for level, how in found.items():
            if how:
                stats[f"{level}:{how}"] += 1
        if not any(found.values()):
            unnamed[row["country"]] += 1
    return {**dict(stats), "ceiling": round(stats["named_any"] / max(1, stats["rows"]), 4),
            "unnamed_by_country": dict(unnamed.most_common(8))}  # fmt: skip


def _named_how(gaz: Gazetteer, row: dict[str, str], level: str) -> str | None:
    """How a note names the row's location, admin2 or admin1: "exact", "key", "fuzzy" or None."""
    name = row[level].strip()
    if not name:
        return None
    # ACLED joins names ("Mogadishu-Dharkenley", "Tunapuna/Piarco"): each part counts.
    variants = {name} | {p for p in re.split(r"[-/]", name) if len(p.strip()) > 3}
    if level == "admin1":
        country = gaz.country(row["country"])
        area = gaz.admin1_area(name, country.country if country else None)
        if area is not None:
            variants.add(area.name)
            query = "SELECT name FROM admin1 WHERE country = ? AND code = ?"
            variants |= {str(r[0]) for r in gaz.conn.execute(query, (area.country, area.admin1_code))}
    notes = plain_name(row["notes"])
    words = notes.split()
    grams = {n: [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)] for n in range(1, 6)}
    keys = {n: {gaz.key(g) for g in grams[n]} for n in grams}
    how = None
    for variant in variants:
        plain = plain_name(variant)
        n = len(plain.split())
        if len(plain) < 3:
            continue
        if re.search(r"\b" + re.escape(plain) + r"\b", notes):
            return "exact"
        if n <= 5 and gaz.key(variant) in keys[n]:
            how = how or "key"
        if n <= 5 and any(fuzz.ratio(plain, g) >= 85 for g in grams[n] if abs(len(g) - len(plain)) <= 3):
            how = how or "fuzzy"
    return how


if __name__ == "__main__":
    main()
