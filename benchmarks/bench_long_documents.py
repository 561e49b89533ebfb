"""Extraction time against document length: is it still linear for long articles?

Extraction of one document should cost a steady multiple of spaCy's parse of it, whatever its length. Texts of
50 to 800 sentences are built from sentences written here (places, actors and numbers vary), and each is timed
through `Pipeline.extract` and through the bare spaCy parse.

    .venv/bin/python benchmarks/bench_long_documents.py [--sizes 50 200 800]
"""

from __future__ import annotations

import argparse
import os
import random
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

from sitrep.run.pipeline import Pipeline

TOWNS = ["Hama", "Idlib", "Homs", "Aleppo", "Saraqib", "Morek", "Rastan", "Talbiseh", "Daraa", "Raqqa"]
TEMPLATES = [
    "Rebels attacked government positions near {town} on Monday.",
    "Government forces shelled {town}, killing {n} civilians, a monitor said.",
    "Hundreds of people protested in {town} against rising prices.",
    "Jets struck the outskirts of {town} overnight, residents said.",
    "The army said it had repelled an attack on {town} and killed {n} fighters.",
]


def text_of(sentences: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    return " ".join(
        rng.choice(TEMPLATES).format(town=rng.choice(TOWNS), n=rng.randint(2, 30)) for _ in range(sentences)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200, 800])
    args = parser.parse_args()
    pipeline = Pipeline()
    pipeline.extract(text_of(20, seed=0), published="2024-12-03")  # load everything outside the timing
    for size in args.sizes:
        text = text_of(size)
        started = time.perf_counter()
        pipeline.nlp(text)
        parse = time.perf_counter() - started
        started = time.perf_counter()
        result = pipeline.extract(text, published="2024-12-03")
        extract = time.perf_counter() - started
        print(f"{size:>5} sentences  parse {parse:6.2f} s  extract {extract:6.2f} s  ratio {extract / parse:5.2f}  "
              f"events {len(result.events)}")  # fmt: skip


if __name__ == "__main__":
    main()
