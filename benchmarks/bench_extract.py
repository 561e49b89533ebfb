"""Extraction speed: ACLED notes per second through the whole pipeline, against the bare spaCy parse.

Targets (issue 3): at least 100 notes/s on one core, and extracting 2,000 notes in at most 1.5 x the time the
bare spaCy pipeline takes to parse them. Texts are ../shared's ACLED notes, read at run time.

    .venv/bin/python benchmarks/bench_extract.py [--n 2000] [--json] [--profile extract.pstats]

`--profile` writes a cProfile of the extraction (read it with `python -m pstats`); the profiler slows Sitrep's
Python far more than spaCy's compiled parse, so the times of a profiled run say nothing about the targets.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import datetime as dt
import json
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

from sitrep.models import RawDocument
from sitrep.nlp import load_language
from sitrep.run.pipeline import Pipeline

ACLED = Path(__file__).resolve().parents[2] / "shared" / "data" / "acled" / "acled-dev.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the extraction to FILE")
    args = parser.parse_args()
    with ACLED.open(encoding="utf-8") as handle:
        rows = [row for _, row in zip(range(args.n), csv.DictReader(handle), strict=False)]
    texts = [row["notes"] for row in rows]

    bare = load_language()
    list(bare.pipe(texts[:50]))
    start = time.perf_counter()
    for _ in bare.pipe(texts, batch_size=64):
        pass
    parse_s = time.perf_counter() - start

    # Loading (spaCy, gazetteer, actors, classifier, reader) is timed apart from the extraction it serves.
    start = time.perf_counter()
    pipeline = Pipeline()
    pipeline.extract("Warm-up: clashes in Hama.", published="2024-12-01")
    load_s = time.perf_counter() - start
    raws = [
        RawDocument(source=str(i), content=text.encode(), media_type="text",
                    published=dt.date.fromisoformat(row["event_date"]))
        for i, (text, row) in enumerate(zip(texts, rows, strict=True))
    ]  # fmt: skip
    profiler = cProfile.Profile() if args.profile else None
    start = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    events = sum(len(result.events) for result in pipeline.extract_many(raws))
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile)
    extract_s = time.perf_counter() - start
    result = {
        "notes": len(texts), "events": events, "spacy_parse_s": round(parse_s, 2), "load_s": round(load_s, 2),
        "extract_s": round(extract_s, 2),
        "notes_per_s": round(len(texts) / extract_s, 1), "ratio_to_parse": round(extract_s / parse_s, 2),
    }  # fmt: skip
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>15}: {value}")


if __name__ == "__main__":
    main()
