"""Benchmark the gazetteer and geocoder on the shared development data (../shared/data/).

Measures:
- TR-News and GeoWebNews: accuracy within 161 km (100 miles) given the gold toponym spans, through the `sitrep
  geocode` contract (`Geocoder`: each toponym at its own point): by name only (the default), and `_inferred` with
  unknown names put where their document is (`geocode_infer_unknown`). Test part: odd-numbered documents (the
  even ones are the training part that `geo_tune.py` and the learned data files may use).
- ACLED dev rows: for the place `event_place` picks from each note, admin1 accuracy and the share within
  10 km of ACLED's point where ACLED's geo_precision is 1 or 2.
- The gazetteer: build time and file size (when it builds), load time, lookup time, resident memory.

Usage:
    .venv/bin/python benchmarks/bench_geocode.py [--json] [--acled-every N] [--only trnews,gwn,acled,gazetteer]
        [--no-urls]
"""

from __future__ import annotations

import argparse
import csv
import glob
import hashlib
import json
import os
import re
import resource
import statistics
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, NamedTuple

from sitrep.distance import haversine_km
from sitrep.geo.event_place import event_place
from sitrep.geo.gazetteer import Gazetteer, build_gazetteer, default_gazetteer_path, gazetteer_version
from sitrep.geo.geocoder import Geocoder
from sitrep.geo.resolve import resolve_places
from sitrep.nlp import load_language
from sitrep.settings import Settings, load_settings

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
GEO = SHARED / "geoparsing"
ACLED = SHARED / "acled" / "acled-dev.csv"


def rss_mb() -> float:
    """Current resident memory of this process in MB (from /proc, falling back to the peak)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


Gold = list[tuple[int, int, str, float, float]]


class GoldDoc(NamedTuple):
    """A corpus document: its text, its gold toponyms (start, end, phrase, lat, lon) and its outlet's address."""

    text: str
    gold: Gold
    url: str


def load_trnews() -> list[GoldDoc]:
    """Each TR-News article with its gold toponyms and address."""
    docs = []
    root = ET.parse(GEO / "TR-News.xml").getroot()
    for article in root.iter("article"):
        text = article.findtext("text") or ""
        url = (article.findtext("url") or article.findtext("domain") or "").strip()
        gold = []
        for top in article.iter("toponym"):
            tag = top.find("gaztag")
            lat = tag.findtext("lat") if tag is not None else None
            lon = tag.findtext("lon") if tag is not None else None
            start, end = int(top.findtext("start") or -1), int(top.findtext("end") or -1)
            phrase = top.findtext("phrase") or ""
            if lat is None or lon is None or text[start:end] != phrase:
                continue
            gold.append((start, end, phrase, float(lat), float(lon)))
        docs.append(GoldDoc(text, gold, url))
    return docs


def load_gwn() -> list[GoldDoc]:
    """Each GeoWebNews article with its gold toponyms and address; gwn_full.txt offsets count from the line after
    the title line, which gives the address ("TITLE: ... LINK: http://...")."""
    names = sorted(Path(p).stem for p in glob.glob(str(GEO / "GeoWebNews" / "*.txt")))
    heads, bodies = {}, {}
    for n in names:
        heads[n], bodies[n] = (GEO / "GeoWebNews" / f"{n}.txt").read_text(encoding="utf-8").split("\n", 1)
    lines = [line for line in (GEO / "gwn_full.txt").read_text(encoding="utf-8").split("\n") if line.strip()]
    docs = []
    for i, line in enumerate(lines):
        records = [r.split(",,") for r in line.split("||") if r.strip()]

        def fits(name: str, records: list[list[str]] = records) -> int:
            return sum(bodies[name][int(r[4]) : int(r[5])] == r[1] for r in records if int(r[4]) >= 0)

        # Lines follow the files' name order, but a few files are missing: take the file whose text the
        # gold spans fit, nearest to the expected position.
        best = max(names, key=lambda n: (fits(n), -abs(names.index(n) - i)))
        text = bodies[best]
        gold = [(int(r[4]), int(r[5]), r[1], float(r[2]), float(r[3])) for r in records
                if int(r[4]) >= 0 and text[int(r[4]) : int(r[5])] == r[1]]  # fmt: skip
        link = re.search(r"LINK:\s*(\S+)", heads[best])
        docs.append(GoldDoc(text, gold, link.group(1) if link else ""))
    return docs


def bench_corpus(geocoder: Geocoder, docs: list[GoldDoc], *, urls: bool = True) -> dict[str, Any]:
    """Accuracy within 161 km given the gold spans, plus the share resolved and the median error.

    Run with `infer_unknown`: the plain figures count only places resolved by name (the default behaviour, where
    unknown names keep null coordinates); the `_inferred` figures also count the unknown names put at the town
    their document is about (`geocode_infer_unknown`, opt-in). With `urls`, each document's address is given as
    its outlet (the contract's optional `url`), which tells the story's home country.
    """
    n = hits = resolved = inferred = inferred_hits = 0
    errors = []
    part_n, part_hits, part_inferred = [0, 0], [0, 0], [0, 0]  # even (training) and odd (test) documents
    started = time.perf_counter()
    for index, (text, gold, url) in enumerate(docs):
        if not gold:
            continue
        mentions = [{"start": s, "end": e} for s, e, *_ in gold]
        places = geocoder.geocode(text, mentions, infer_unknown=True, url=url if urls else "")
        for (_s, _e, _phrase, lat, lon), place in zip(gold, places, strict=True):
            n += 1
            part_n[index % 2] += 1
            if place.latitude is None or place.longitude is None:
                continue
            km = haversine_km(lat, lon, place.latitude, place.longitude)
            if place.inferred:
                inferred += 1
                inferred_hits += km <= 161
                part_inferred[index % 2] += km <= 161
                continue
            resolved += 1
            errors.append(km)
            hits += km <= 161
            part_hits[index % 2] += km <= 161
    return {
        "toponyms": n,
        "acc@161km": _share(hits, n),
        "acc@161km_train_even_docs": _share(part_hits[0], part_n[0]),
        "acc@161km_test_odd_docs": _share(part_hits[1], part_n[1]),
        "resolved": _share(resolved, n),
        "median_km": round(statistics.median(errors), 1) if errors else None,
        "acc@161km_inferred": _share(hits + inferred_hits, n),
        "acc@161km_inferred_train_even_docs": _share(part_hits[0] + part_inferred[0], part_n[0]),
        "acc@161km_inferred_test_odd_docs": _share(part_hits[1] + part_inferred[1], part_n[1]),
        "inferred": _share(inferred, n),
        "inferred_within161km": _share(inferred_hits, inferred),
        "seconds": round(time.perf_counter() - started, 1),
    }


def bench_acled(geocoder: Geocoder, *, every: int) -> dict[str, Any]:
    """admin1 accuracy and share within 10 km (gold precision 1-2) for the place `event_place` picks."""
    gaz = geocoder.gazetteer
    with ACLED.open(encoding="utf-8", newline="") as f:
        rows = [row for i, row in enumerate(csv.DictReader(f)) if i % every == 0]
    started = time.perf_counter()
    n = admin_ok = picked = name_ok = 0
    n_near = near_ok = 0
    precision_ok = 0
    # Many notes (most Kenyan ones) never name the place: these counts keep to notes that name the gold
    # location or admin1, the most a geocoder can reach.
    named = named_admin_ok = named_near = named_near_ok = 0
    # Held-out rows (sha1 of the event id % 5 == 0) are never used for tuning: reported apart.
    held = {"n": 0, "admin_ok": 0, "near": 0, "near_ok": 0, "named": 0, "named_admin_ok": 0, "named_near": 0,
            "named_near_ok": 0}  # fmt: skip
    texts = [row["notes"] for row in rows]
    for row, doc in zip(rows, geocoder.nlp.pipe(texts, batch_size=64), strict=True):
        places = resolve_places(doc, gazetteer=gaz, settings=geocoder.settings)
        choice = None
        for sent in doc.sents:
            choice = event_place(sent, places)
            if choice is not None:
                break
        n += 1
        is_held = int(hashlib.sha1(row["event_id_cnty"].encode()).hexdigest(), 16) % 5 == 0
        held["n"] += is_held
        gold_precision = row["geo_precision"].strip()
        is_named = _names_place(row)
        named += is_named
        held["named"] += is_named and is_held
        if gold_precision in ("1", "2"):
            n_near += 1
            named_near += is_named
            held["near"] += is_held
            held["named_near"] += is_named and is_held
        if choice is None:
            continue
        picked += 1
        same = _same_admin1(gaz, choice, row)
        admin_ok += same
        # `sitrep eval` compares admin1 names as written (casefolded): ACLED's spelling must come out.
        name_ok += (choice.admin1 or "").casefold() == row["admin1"].strip().casefold()
        held["admin_ok"] += same and is_held
        named_admin_ok += same and is_named
        held["named_admin_ok"] += same and is_named and is_held
        precision_ok += str(choice.geo_precision) == gold_precision
        if gold_precision in ("1", "2") and choice.latitude is not None and row["latitude"]:
            km = haversine_km(float(row["latitude"]), float(row["longitude"]), choice.latitude, choice.longitude or 0)
            near_ok += km <= 10
            held["near_ok"] += km <= 10 and is_held
            named_near_ok += km <= 10 and is_named
            held["named_near_ok"] += km <= 10 and is_named and is_held
    return {
        "rows": n,
        "subset": f"every {every}th row" if every > 1 else "all rows",
        "admin1_acc": round(admin_ok / n, 4) if n else None,
        "within10km_prec12": round(near_ok / n_near, 4) if n_near else None,
        "admin1_name_acc": round(name_ok / n, 4) if n else None,
        "admin1_acc_heldout": round(held["admin_ok"] / held["n"], 4) if held["n"] else None,
        "within10km_prec12_heldout": round(held["near_ok"] / held["near"], 4) if held["near"] else None,
        "admin1_acc_train": _share(admin_ok - held["admin_ok"], n - held["n"]),
        "within10km_prec12_train": _share(near_ok - held["near_ok"], n_near - held["near"]),
        "picked": round(picked / n, 4) if n else None,
        "named_rows": round(named / n, 4) if n else None,
        "admin1_acc_named": round(named_admin_ok / named, 4) if named else None,
        "within10km_prec12_named": round(named_near_ok / named_near, 4) if named_near else None,
        "admin1_acc_named_heldout": _share(held["named_admin_ok"], held["named"]),
        "within10km_prec12_named_heldout": _share(held["named_near_ok"], held["named_near"]),
        "admin1_acc_named_train": _share(named_admin_ok - held["named_admin_ok"], named - held["named"]),
        "within10km_prec12_named_train": _share(named_near_ok - held["named_near_ok"], named_near - held["named_near"]),
        "precision_agree": round(precision_ok / n, 4) if n else None,
        "seconds": round(time.perf_counter() - started, 1),
    }


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _names_place(row: dict[str, str]) -> bool:
    notes = row["notes"].lower()
    words = [w for w in (row["location"].split(" ")[0], row["admin1"].split(" ")[0]) if len(w) > 2]
    return any(w.lower().strip(",()") in notes for w in words)


def _same_admin1(gaz: Gazetteer, place: Any, row: dict[str, str]) -> bool:
    """Compare admin1 areas by code when the gold name is known to the gazetteer, else by spelling key."""
    gold_name = row["admin1"].strip()
    if not gold_name or not place.admin1:
        return False
    country = gaz.country(row["country"])
    gold = gaz.admin1_area(gold_name, country.country if country else None)
    if gold is not None and place.admin1_code and place.country_code:
        return (gold.country, gold.admin1_code) == (place.country_code, place.admin1_code)
    return gaz.key(gold_name) == gaz.key(place.admin1)


def bench_gazetteer(path: Path) -> dict[str, Any]:
    """Build (if needed), load, lookup time and memory of the gazetteer."""
    result: dict[str, Any] = {"path": str(path)}
    before = rss_mb()
    if not path.exists() or _version(path) != gazetteer_version():
        stats = build_gazetteer(path)
        result["build_seconds"] = round(stats.seconds, 1)
    started = time.perf_counter()
    gaz = Gazetteer.open(path)
    result["load_seconds"] = round(time.perf_counter() - started, 4)
    result["size_mb"] = round(path.stat().st_size / 1e6, 1)
    names = [g[2] for _, gold, _ in load_trnews() for g in gold] if GEO.exists() else ["Aleppo", "Hama", "Paris"]
    names = names * max(1, 5000 // max(1, len(names)))
    timings = []
    for name in names:
        t = time.perf_counter()
        gaz.lookup(name, fuzzy=False)
        timings.append((time.perf_counter() - t) * 1000)
    timings.sort()
    result["lookup_ms_mean"] = round(statistics.fmean(timings), 3)
    result["lookup_ms_p95"] = round(timings[int(len(timings) * 0.95)], 3)
    fuzzy = []
    for name in ("Latamneh", "Kafranbel", "Khan Shaykoun", "Jisr al-Shugur", "Maarat Numan"):
        t = time.perf_counter()
        gaz.lookup(name, country="SY")
        fuzzy.append((time.perf_counter() - t) * 1000)
    result["fuzzy_ms_in_country_mean"] = round(statistics.fmean(fuzzy[1:]), 3)
    result["rss_mb_gazetteer"] = round(rss_mb() - before, 1)
    result["stats"] = gaz.stats()
    return result


def _version(path: Path) -> str | None:
    import sqlite3

    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            row = conn.execute("SELECT value FROM meta WHERE key='version'").fetchone()
            return str(row[0]) if row else None
    except sqlite3.Error:
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--acled-every", type=int, default=3, help="use every Nth ACLED row (1 = all)")
    parser.add_argument("--only", default="gazetteer,trnews,gwn,acled", help="comma-separated parts to run")
    parser.add_argument("--gazetteer", default="", help="compiled gazetteer file (default: the user cache)")
    parser.add_argument("--no-urls", action="store_true", help="give the geocoder no outlet addresses")
    args = parser.parse_args()
    parts = set(args.only.split(","))
    path = Path(args.gazetteer) if args.gazetteer else default_gazetteer_path(load_settings())
    results: dict[str, Any] = {}
    if "gazetteer" in parts:
        results["gazetteer"] = bench_gazetteer(path)
    if parts & {"trnews", "gwn", "acled"}:
        if not SHARED.exists():
            sys.exit(f"no shared data at {SHARED}")
        before = rss_mb()
        gaz = Gazetteer.open(path)
        nlp = load_language()
        results["rss_mb_nlp_and_gazetteer"] = round(rss_mb() - before, 1)
        # TR-News and GeoWebNews through the `sitrep geocode` contract (each toponym at its own point); ACLED
        # through event coding (an area-only event at its capital, ACLED's rule).
        for name in ("trnews", "gwn"):
            if name in parts:
                geocoder = Geocoder(nlp=nlp, gazetteer=gaz, settings=Settings())
                docs = load_trnews() if name == "trnews" else load_gwn()
                results[name] = bench_corpus(geocoder, docs, urls=not args.no_urls)
        if "acled" in parts:
            geocoder = Geocoder(nlp=nlp, gazetteer=gaz, settings=Settings())
            results["acled"] = bench_acled(geocoder, every=max(1, args.acled_every))
        results["rss_mb_process"] = round(rss_mb(), 1)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{'measure':42} {'value':>12}  target")
    targets = {
        "trnews.acc@161km": ">= 0.90", "gwn.acc@161km": ">= 0.95", "acled.admin1_acc": ">= 0.90",
        "trnews.acc@161km_inferred": ">= 0.90", "gwn.acc@161km_inferred": ">= 0.95",
        "acled.within10km_prec12": ">= 0.75", "gazetteer.lookup_ms_mean": "<= 1 ms",
        "gazetteer.load_seconds": "<= 1 s", "gazetteer.rss_mb_gazetteer": "<= 200 MB",
    }  # fmt: skip
    for section, values in results.items():
        if isinstance(values, dict):
            for key, value in values.items():
                if key != "stats":
                    name = f"{section}.{key}"
                    print(f"{name:42} {value!s:>12}  {targets.get(name, '')}")
        else:
            print(f"{section:42} {values!s:>12}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
