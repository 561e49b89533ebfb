"""Fusion at scale: fuse 10k, 30k and 100k synthetic reports and fit the growth exponent.

The reports are plausible, not real: events over 14 provinces and a few hundred towns (random points),
each event told by 1-4 reports (from different outlets, some at a vaguer place, some a day off), with the
type mix of a conflict (clashes, takeovers, strikes, attacks, protests). Run:

    .venv/bin/python benchmarks/bench_fuse.py [--sizes 10000 30000 100000] [--seed 1]

Prints the seconds per size, events found, and the log-log slope between sizes (1.0 is linear; n log n shows
as slightly above 1).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import itertools
import math
import random
import time
from typing import Any

from sitrep.fuse.fusion import default_sides, fuse_reports
from sitrep.models import Report
from sitrep.settings import Settings

TYPES = [
    ("Battles", "Armed clash", 0.35),
    ("Battles", "Non-state actor overtakes territory", 0.05),
    ("Explosions/Remote violence", "Air/drone strike", 0.2),
    ("Explosions/Remote violence", "Shelling/artillery/missile attack", 0.2),
    ("Violence against civilians", "Attack", 0.1),
    ("Protests", "Peaceful protest", 0.1),
]
ACTORS = [
    "Hayat Tahrir al Sham",
    "Military Forces of Syria (2000-)",
    "Military Forces of Russia (2000-)",
    "Syrian National Army",
    "QSD: Syrian Democratic Forces",
    "Unidentified Armed Group (Syria)",
    "Opposition Rebels (Syria)",
]


def synthetic_reports(n: int, *, seed: int, days: int) -> list[Report]:
    """About n reports of about n/1.8 events over `days` days."""
    rng = random.Random(seed)
    provinces = [f"Province {i}" for i in range(14)]
    towns = []
    for i in range(400):
        province = provinces[i % 14]
        towns.append((f"Town {i}", 100000 + i, 32.5 + rng.random() * 4.5, 35.7 + rng.random() * 6.0, province))
    start = dt.date(2024, 1, 1)
    weights = [w for _, _, w in TYPES]
    reports: list[Report] = []
    event = 0
    while len(reports) < n:
        event += 1
        name, gid, lat, lon, province = rng.choice(towns)
        event_type, sub, _ = rng.choices(TYPES, weights)[0]
        a1, a2 = rng.sample(ACTORS, 2)
        if event_type == "Violence against civilians" or (rng.random() < 0.3 and event_type.startswith("Explosions")):
            a2 = "Civilians (Syria)"
        day = start + dt.timedelta(days=rng.randrange(days))
        deaths = rng.choice([0, 0, 1, 2, 3, 5, 8, 12, 30])
        for k in range(rng.choice([1, 1, 2, 2, 3, 4])):
            vague = rng.random() < 0.15
            values: dict[str, Any] = {
                "report_id": f"d{event}-{k}:{rng.randrange(10**9)}",
                "document_id": f"d{event}-{k}",
                "sentence_start": 0,
                "sentence_end": 1,
                "sentence": "synthetic",
                "event_date": day + dt.timedelta(days=1 if rng.random() < 0.05 else 0),
                "time_precision": 1,
                "event_type": event_type,
                "sub_event_type": sub,
                "actor1": a2 if rng.random() < 0.2 and a2 != "Civilians (Syria)" else a1,
                "actor2": a1 if rng.random() < 0.2 and a2 != "Civilians (Syria)" else a2,
                "country": "Syria",
                "admin1": province,
                "location": province if vague else name,
                "geonameid": None if vague else gid,
                "latitude": None if vague else lat,
                "longitude": None if vague else lon,
                "geo_precision": 3 if vague else rng.choice([1, 1, 2]),
                "fatalities": max(0, deaths + rng.choice([-1, 0, 0, 2])),
            }
            reports.append(Report.model_validate(values))
    rng.shuffle(reports)
    return reports[:n]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--days",
        type=int,
        default=0,
        help="Days the reports span; 0 (default) grows the span with n (n/100 days, as an archive grows), "
        "a fixed number makes the data denser as n grows.",
    )
    args = parser.parse_args()
    settings = Settings()
    default_sides()  # load the actor registry outside the timing
    results: list[tuple[int, float]] = []
    for n in args.sizes:
        reports = synthetic_reports(n, seed=args.seed, days=args.days or max(30, n // 100))
        gc.collect()
        started = time.perf_counter()
        events = fuse_reports(reports, settings=settings)
        seconds = time.perf_counter() - started
        results.append((n, seconds))
        per = seconds / n * 1e6
        print(f"n={n:>7}  events={len(events):>7}  {seconds:7.2f} s  {per:6.1f} us/report", flush=True)
    for (n1, t1), (n2, t2) in itertools.pairwise(results):
        slope = math.log(t2 / t1) / math.log(n2 / n1)
        print(f"growth {n1}->{n2}: exponent {slope:.2f}")


if __name__ == "__main__":
    main()
