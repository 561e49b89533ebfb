"""Fusion of many reports of one place and one day: the worst block for fusion, where every report is a neighbour
of every other. Fits the growth exponent over the sizes (1.0 is linear).

The reports are synthetic and plausible: one town (with some reports at its province only), one day, documents of
five reports each from 200 outlets, the type mix of a conflict, seven armed actors and civilians, some reports a day
off or naming the day. Run:

    .venv/bin/python benchmarks/bench_fuse_one_place.py [--sizes 1000 10000 100000] [--seed 1]

Prints seconds, events and peak memory (tracemalloc is off; the peak is the process's max RSS) per size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import itertools
import math
import random
import resource
import time
from typing import Any

from bench_fuse import ACTORS, TYPES  # the same synthetic vocabulary as the spread-out benchmark
from sitrep.fuse.fusion import default_sides, fuse_reports
from sitrep.models import Report
from sitrep.settings import Settings

DAY = dt.date(2024, 12, 3)


def one_place_reports(n: int, *, seed: int) -> list[Report]:
    """n reports of one town (Kafr Nabudah, 4,000 people) and one day, five to a document."""
    rng = random.Random(seed)
    weights = [w for _, _, w in TYPES]
    reports: list[Report] = []
    for number in range(n):
        document = f"doc{number // 5}"
        event_type, sub, _ = rng.choices(TYPES, weights)[0]
        a1, a2 = rng.sample(ACTORS, 2)
        if event_type == "Violence against civilians" or (rng.random() < 0.3 and event_type.startswith("Explosions")):
            a2 = "Civilians (Syria)"
        vague = rng.random() < 0.15
        values: dict[str, Any] = {
            "report_id": f"{document}:{number}",
            "document_id": document,
            "sentence_start": 100 * (number % 5),
            "sentence_end": 100 * (number % 5) + 80,
            "sentence": "synthetic",
            "event_date": DAY - dt.timedelta(days=1 if rng.random() < 0.05 else 0),
            "time_precision": rng.choice([1, 1, 1, 2]),
            "event_type": event_type,
            "sub_event_type": sub,
            "actor1": a1 if rng.random() < 0.9 else None,
            "actor2": a2 if rng.random() < 0.8 else None,
            "country": "Syria",
            "admin1": "Hama",
            "location": "Hama" if vague else "Kafr Nabudah",
            "geonameid": None if vague else 169389,
            "latitude": None if vague else 35.4,
            "longitude": None if vague else 36.5,
            "geo_precision": 3 if vague else rng.choice([1, 1, 2]),
            "fatalities": rng.choice([0, 0, 1, 2, 3, 5, 8]),
        }
        reports.append(Report.model_validate(values))
    return reports


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    settings = Settings()
    default_sides()  # load the actor registry outside the timing
    results: list[tuple[int, float]] = []
    for n in args.sizes:
        reports = one_place_reports(n, seed=args.seed)
        gc.collect()
        started = time.perf_counter()
        events = fuse_reports(reports, settings=settings)
        seconds = time.perf_counter() - started
        results.append((n, seconds))
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"n={n:>7}  events={len(events):>5}  {seconds:7.2f} s  {seconds / n * 1e6:6.1f} us/report  "
              f"max RSS {rss:.0f} MB", flush=True)  # fmt: skip
    for (n1, t1), (n2, t2) in itertools.pairwise(results):
        print(f"growth {n1}->{n2}: exponent {math.log(t2 / t1) / math.log(n2 / n1):.2f}")


if __name__ == "__main__":
    main()
