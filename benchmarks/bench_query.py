"""Event queries at scale: `GET /api/events?date_from=…&date_to=…&bbox=…` over 1,000,000 events.

Generates N synthetic events (seeded, so every run and both backends get the same rows): dates over ten years
(2015-2024, more of them in later years and in bursts), points in six countries' boxes (three quarters of them on
a few dozen towns per country, as geocoded events are) and a fifth anywhere in the world, ACLED's types.
Bulk-loads them, not through the pipeline (executemany into a SQLite file, COPY into PostgreSQL), with the
events table's indexes dropped during the load and built after it, then ANALYZE. Then sends R requests with
random date ranges (a week to ten years) and boxes (0.1 to 60 degrees wide, centred on a town or anywhere)
through the real FastAPI app in-process (starlette's TestClient, no network), and prints the median, p90 and
p99 per backend. Exits 1 if a median is over the target. Run:

    .venv/bin/python benchmarks/bench_query.py [--events 1000000] [--requests 200] [--seed 1]
        [--sqlite /tmp/sitrep-bench-query.db] [--pg postgresql://postgres@127.0.0.1:55432/sitrep_test]
        [--backend sqlite --backend postgresql] [--reuse] [--explain]

The PostgreSQL server comes from --pg or SITREP_TEST_PG; the benchmark always uses its own database on that
server (--pg-db, default `sitrep_bench`, created when missing), never the one the URL names.
`--reuse` skips the load when the database already holds the same number of events.

Measured on a shared 2-core machine (1,000,000 events, 200 requests, seed 1; ms, median / p90 / p99):

| indexes on events | SQLite | PostgreSQL 15 |
|---|---|---|
| before: (event_date), (latitude, longitude) | 38.4 / 472.5 / 1757.7 | 10.5 / 33.4 / 69.0 |
| (event_date, latitude, longitude) beside both | 12.1 / 35.7 / 123.9 | 7.1 / 24.8 / 53.1 |
| (event_date, latitude, longitude) alone (kept) | 14.4 / 35.6 / 106.4 | 8.9 / 18.1 / 46.4 |
| the same, and the page serialised once | 8.3 / 25.1 / 102.0 | 7.8 / 16.5 / 33.7 |

Before, SQLite walked the date index and read every row of the range to test the box (2.6 s for a small box
over ten years); with the box's columns in the date index it tests them on the index entries and reads only the
rows it returns (0.1 s for the same request, the slowest kind left). A (latitude, longitude) index helps
PostgreSQL on small boxes but leads SQLite, which has no histograms, to sort whole boxes when no dates are given
(1.6 s for 25 x 40 degrees), so it was dropped. A grid-cell column (1 degree cells, an index on (cell, date),
the cells of the box listed, falling back to the date walk past 5,000 candidates) cut SQLite's SQL time further
(median 0.6 ms against 3.1, p99 48 against 99) but needs a column, a backfill and two queries; it was not kept,
since one index already meets the target on both backends.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import os
import random
import statistics
import sys
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from sitrep.models import Event
from sitrep.store import Store, database_url, open_store
from sitrep.store.filters import EventFilter, parse_bbox
from sitrep.store.queries import explain_events
from sitrep.store.schema import event_sources, events
from sitrep.views.api import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's deprecation note about httpx, irrelevant here
    from fastapi.testclient import TestClient

console = Console()

CHUNK = 20_000
# Requests whose plans --explain prints: a small box over ten years, a large one over ten years, a large one for a week.
EXAMPLES = [
    {"date_from": "2015-01-01", "date_to": "2024-12-31", "bbox": "36.6,35.0,36.9,35.3"},
    {"date_from": "2015-01-01", "date_to": "2024-12-31", "bbox": "20,0,45,40"},
    {"date_from": "2024-03-01", "date_to": "2024-03-07", "bbox": "20,0,45,40"},
]
WARM_UP = 20
FIRST_DAY = dt.date(2015, 1, 1)
DAYS = 3653  # 2015-01-01 .. 2024-12-31
WORLD = (-180.0, -60.0, 180.0, 75.0)
# Countries' boxes (min_lon, min_lat, max_lon, max_lat) and their share of the events; the rest is anywhere.
COUNTRIES = [
    ("Syria", "SYR", 760, (35.7, 32.3, 42.4, 37.3), 0.22),
    ("Ukraine", "UKR", 804, (22.1, 44.4, 40.2, 52.4), 0.20),
    ("Sudan", "SDN", 729, (21.8, 8.7, 38.6, 22.2), 0.12),
    ("Myanmar", "MMR", 104, (92.2, 9.8, 101.2, 28.5), 0.10),
    ("Kenya", "KEN", 404, (33.9, -4.7, 41.9, 5.0), 0.08),
    ("Mexico", "MEX", 484, (-117.1, 14.5, -86.7, 32.7), 0.08),
]
TOWNS_PER_COUNTRY = 40
ON_A_TOWN = 0.75
TYPES = [
    ("Battles", "Armed clash", "Political violence", 0.30),
    ("Battles", "Non-state actor overtakes territory", "Political violence", 0.02),
    ("Explosions/Remote violence", "Air/drone strike", "Political violence", 0.15),
    ("Explosions/Remote violence", "Shelling/artillery/missile attack", "Political violence", 0.15),
    ("Violence against civilians", "Attack", "Political violence", 0.10),
    ("Protests", "Peaceful protest", "Demonstrations", 0.15),
    ("Riots", "Violent demonstration", "Demonstrations", 0.05),
    ("Strategic developments", "Looting/property destruction", "Strategic developments", 0.08),
]
OUTLETS = ["Wire A", "Wire B", "Daily C", "Radio D", "Monitor E", "Agency F"]
DELETED_SHARE = 0.01
STAMP = dt.datetime(2025, 1, 1, 12, 0, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Town:
    name: str
    country: str
    iso: str
    latitude: float
    longitude: float


def towns(seed: int) -> list[Town]:
    """The same towns for a seed: TOWNS_PER_COUNTRY random points in each country's box."""
    rng = random.Random(seed * 7919 + 1)
    out = []
    for country, iso, _num, (min_lon, min_lat, max_lon, max_lat), _share in COUNTRIES:
        for i in range(TOWNS_PER_COUNTRY):
            out.append(
                Town(
                    f"{country} town {i}",
                    country,
                    iso,
                    round(rng.uniform(min_lat, max_lat), 4),
                    round(rng.uniform(min_lon, max_lon), 4),
                )
            )
    return out


def _template() -> dict[str, Any]:
    """An event's stored JSON with every field of the model, as `write.sync_events` stores it."""
    event = Event(event_id="x", event_type="Battles", sub_event_type="Armed clash")
    return event.model_dump(mode="json", exclude={"first_seen", "updated_at", "deleted"})


def generate(n: int, *, seed: int, chunk: int) -> list[dict[str, Any]]:
    """Rows chunk..chunk+CHUNK of the n events for a seed (each chunk has its own generator, so chunks can be
    made in any order and both backends get the same rows)."""
    rng = random.Random(f"{seed}:{chunk}")
    all_towns = towns(seed)
    by_country: dict[str, list[Town]] = {}
    for town in all_towns:
        by_country.setdefault(town.country, []).append(town)
    template = _template()
    country_weights = [c[4] for c in COUNTRIES] + [1 - sum(c[4] for c in COUNTRIES)]
    type_weights = [t[3] for t in TYPES]
    # Bursts: 30 periods of 60 days that get extra events, as offensives do.
    bursts = random.Random(seed).sample(range(DAYS - 60), 30)
    rows = []
    for i in range(chunk, min(chunk + CHUNK, n)):
        which = rng.choices(range(len(COUNTRIES) + 1), country_weights)[0]
        if which == len(COUNTRIES):
            country, iso = "Elsewhere", None
            lat = round(rng.uniform(WORLD[1], WORLD[3]), 4)
            lon = round(rng.uniform(WORLD[0], WORLD[2]), 4)
            location = f"Place {i % 5000}"
        else:
            country, iso, _num, (min_lon, min_lat, max_lon, max_lat), _share = COUNTRIES[which]
            if rng.random() < ON_A_TOWN:
                town = rng.choice(by_country[country])
                lat, lon, location = town.latitude, town.longitude, town.name
            else:
                lat = round(rng.uniform(min_lat, max_lat), 4)
                lon = round(rng.uniform(min_lon, max_lon), 4)
                location = f"{country} village {rng.randrange(2000)}"
        # 30 % in bursts, the rest more often in later years
        day = rng.choice(bursts) + rng.randrange(60) if rng.random() < 0.3 else int(DAYS * math.sqrt(rng.random()))
        event_date = FIRST_DAY + dt.timedelta(days=min(day, DAYS - 1))
        event_type, sub_event_type, disorder, _w = rng.choices(TYPES, type_weights)[0]
        event_id = hashlib.sha1(f"{seed}:{i}".encode()).hexdigest()[:16]
        n_sources = rng.choice((1, 1, 1, 2, 2, 3))
        documents = [hashlib.sha1(f"{seed}:{i}:{k}".encode()).hexdigest()[:16] for k in range(n_sources)]
        actor1 = f"Military Forces of {country}" if rng.random() < 0.5 else f"Rebels ({country})"
        actor2 = f"Civilians ({country})" if event_type == "Violence against civilians" else f"Militia ({country})"
        fatalities = rng.choice((0, 0, 0, 1, 2, 3, 5, 10, 12))
        content = {
            **template,
            "event_id": event_id,
            "event_date": event_date.isoformat(),
            "time_precision": 1,
            "disorder_type": disorder,
            "event_type": event_type,
            "sub_event_type": sub_event_type,
            "actor1": actor1,
            "inter1": 1,
            "actor2": actor2,
            "inter2": 7 if event_type == "Violence against civilians" else 3,
            "interaction": 17 if event_type == "Violence against civilians" else 13,
            "iso": iso,
            "country": country,
            "admin1": f"{country} province {rng.randrange(12)}",
            "location": location,
            "latitude": lat,
            "longitude": lon,
            "geo_precision": 1,
            "notes": f"On {event_date.isoformat()}, {actor1} and {actor2} were involved in an event of type "
            f"{sub_event_type} in {location}. {fatalities} reported fatalities.",
            "fatalities": fatalities,
            "fatalities_low": fatalities,
            "fatalities_high": fatalities,
            "confidence": 0.7,
            "report_ids": [f"{doc}:0:{event_id[:6]}" for doc in documents],
            "sources": [
                {"document_id": doc, "outlet": rng.choice(OUTLETS), "url": None, "attributed_to": []}
                for doc in documents
            ],
            "n_sources": n_sources,
        }
        rows.append(
            {
                "event_id": event_id,
                "event_date": event_date,
                "event_type": event_type,
                "sub_event_type": sub_event_type,
                "actor1": actor1,
                "actor2": actor2,
                "country": country,
                "admin1": content["admin1"],
                "location": location,
                "latitude": lat,
                "longitude": lon,
                "fatalities": fatalities,
                "n_sources": n_sources,
                "deleted": rng.random() < DELETED_SHARE,
                "first_seen": STAMP,
                "updated_at": STAMP,
                "data": json.dumps({"content": content}, ensure_ascii=False, separators=(",", ":")),
            }
        )
    return rows


# ---- loading ----------------------------------------------------------------------------------------------------


def load(store: Store, n: int, *, seed: int, progress: Progress, label: str) -> None:
    """Empty the events table and fill it with the n synthetic events, indexes built after the rows."""
    columns = [c.name for c in events.columns]
    task = progress.add_task(f"{label}: load", total=n)
    with store.engine.begin() as conn:
        conn.execute(event_sources.delete())
        conn.execute(events.delete())
        for index in events.indexes:
            index.drop(conn)
    raw = store.engine.raw_connection()
    try:
        cursor = raw.cursor()
        if store.is_sqlite:
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("BEGIN")
            sql = f"INSERT INTO events ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
            for chunk in range(0, n, CHUNK):
                rows = generate(n, seed=seed, chunk=chunk)
                cursor.executemany(sql, [tuple(_sqlite_value(row, c) for c in columns) for row in rows])
                progress.advance(task, len(rows))
            cursor.execute("COMMIT")
        else:
            with cursor.copy(f"COPY events ({', '.join(columns)}) FROM STDIN") as copy:
                for chunk in range(0, n, CHUNK):
                    rows = generate(n, seed=seed, chunk=chunk)
                    for row in rows:
                        copy.write_row([row[c] for c in columns])
                    progress.advance(task, len(rows))
            raw.commit()
    finally:
        raw.close()
    indexes = list(events.indexes)
    task = progress.add_task(f"{label}: build {len(indexes)} indexes, ANALYZE", total=len(indexes) + 1)
    with store.engine.begin() as conn:
        for index in indexes:
            index.create(conn)
            progress.advance(task)
    analyze(store)
    progress.advance(task)


def _sqlite_value(row: dict[str, Any], column: str) -> Any:
    """A value as SQLAlchemy stores it in SQLite (ISO dates, 'YYYY-MM-DD HH:MM:SS.ffffff' times, 0/1)."""
    value = row[column]
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def analyze(store: Store) -> None:
    """Fresh planner statistics (on PostgreSQL VACUUM ANALYZE, the state autovacuum leaves a loaded table in)."""
    if store.is_sqlite:
        with store.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
        return
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE events")


def count(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(events)).scalar_one())


def pg_bench_url(server: str, name: str) -> str:
    """The benchmark's own database on the server that `server` names; created when missing."""
    url = sa.engine.make_url(database_url(server))
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


# ---- requests ---------------------------------------------------------------------------------------------------


def requests(count: int, *, seed: int) -> list[dict[str, str]]:
    """Random `GET /api/events` parameters: a date range of a week to ten years and a box of 0.1 to 60 degrees,
    centred on a town (60 %) or anywhere (40 %)."""
    rng = random.Random(seed + 1_000_003)
    all_towns = towns(seed)
    out = []
    for _ in range(count):
        span = int(math.exp(rng.uniform(math.log(7), math.log(DAYS))))
        start = FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS - span + 1))
        end = start + dt.timedelta(days=span - 1)
        if rng.random() < 0.6:
            town = rng.choice(all_towns)
            lat, lon = town.latitude, town.longitude
        else:
            lat, lon = rng.uniform(WORLD[1], WORLD[3]), rng.uniform(WORLD[0], WORLD[2])
        width = math.exp(rng.uniform(math.log(0.1), math.log(60)))
        height = width * rng.uniform(0.5, 1.0)
        box = (
            max(-180.0, lon - width / 2),
            max(-90.0, lat - height / 2),
            min(180.0, lon + width / 2),
            min(90.0, lat + height / 2),
        )
        out.append(
            {
                "date_from": start.isoformat(),
                "date_to": end.isoformat(),
                "bbox": ",".join(f"{v:.4f}" for v in box),
            }
        )
    return out


@dataclass
class Timing:
    backend: str
    params: list[dict[str, str]]
    millis: list[float]
    found: list[int]

    def percentile(self, p: float) -> float:
        ordered = sorted(self.millis)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def time_requests(
    store: Store,
    params: Sequence[dict[str, str]],
    *,
    warm: Sequence[dict[str, str]],
    backend: str,
    progress: Progress,
) -> Timing:
    """Each request through the real app (in-process TestClient), timed from send to parsed body, after the `warm`
    ones (other requests than those timed: the first reads after a load are not what is measured)."""
    client = TestClient(create_app(store, token=""))
    for p in warm:
        client.get("/api/events", params=p)
    task = progress.add_task(f"{backend}: {len(params)} requests", total=len(params))
    millis, found = [], []
    for p in params:
        start = time.perf_counter()
        response = client.get("/api/events", params=p)
        body = response.json()
        millis.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{backend}: {response.status_code} for {p}: {body}")
        found.append(len(body["events"]))
        progress.advance(task)
    return Timing(backend, list(params), millis, found)


def explain(store: Store, params: Sequence[dict[str, str]]) -> None:
    """The plans of the queries behind a few requests (a small box over ten years, a large one, a week)."""
    for p in params:
        where = EventFilter(
            date_from=dt.date.fromisoformat(p["date_from"]),
            date_to=dt.date.fromisoformat(p["date_to"]),
            bbox=parse_bbox(p["bbox"]),
        )
        console.rule(f"{store.engine.dialect.name}: {p}")
        with store.connect() as conn:
            for line in explain_events(conn, where, limit=101):
                console.print(line, markup=False, highlight=False)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sqlite", default="/tmp/sitrep-bench-query.db")
    parser.add_argument("--pg", default=os.environ.get("SITREP_TEST_PG"), help="a PostgreSQL server URL")
    parser.add_argument("--pg-db", default="sitrep_bench", help="the benchmark's own database on that server")
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument("--reuse", action="store_true", help="skip the load when the row count matches")
    parser.add_argument("--explain", action="store_true", help="print the query plans of three requests")
    parser.add_argument("--target-ms", type=float, default=100.0, help="the largest acceptable median")
    args = parser.parse_args(argv)
    backends = args.backend or ["sqlite", "postgresql"]
    made = requests(args.requests + WARM_UP, seed=args.seed)
    params, warm = made[: args.requests], made[args.requests :]
    timings: list[Timing] = []
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    for backend in backends:
        if backend == "postgresql":
            if not args.pg:
                console.print("postgresql: skipped (give --pg URL or set SITREP_TEST_PG)")
                continue
            url = pg_bench_url(args.pg, args.pg_db)
        else:
            url = str(Path(args.sqlite))
        store = open_store(url)
        try:
            with Progress(*columns, TimeRemainingColumn(), console=console) as progress:
                if args.reuse and count(store) == args.events:
                    console.print(f"{backend}: reusing {args.events:,} events in {store.safe_url}")
                else:
                    load(store, args.events, seed=args.seed, progress=progress, label=backend)
                timings.append(time_requests(store, params, warm=warm, backend=backend, progress=progress))
            if args.explain:
                explain(store, EXAMPLES)
        finally:
            store.close()
    table = Table(title=f"GET /api/events, {args.events:,} events, {args.requests} requests (ms)")
    for name in ("backend", "median", "p90", "p99", "max", "mean events/page"):
        table.add_column(name, justify="right")
    failed = False
    for timing in timings:
        median = statistics.median(timing.millis)
        failed |= median > args.target_ms
        table.add_row(
            timing.backend,
            f"{median:.1f}",
            f"{timing.percentile(90):.1f}",
            f"{timing.percentile(99):.1f}",
            f"{max(timing.millis):.1f}",
            f"{statistics.mean(timing.found):.1f}",
        )
    console.print(table)
    if timings:
        console.print(by_kind(timings))
    for timing in timings:
        slowest = sorted(zip(timing.millis, timing.params, timing.found, strict=True), key=lambda t: -t[0])[:3]
        for millis, p, found in slowest:
            console.print(f"{timing.backend} slowest: {millis:.1f} ms, {found} events, {p}", highlight=False)
    if failed:
        console.print(f"[red]a median is over {args.target_ms:g} ms[/red]")
    return 1 if failed else 0


def kind(p: dict[str, str]) -> str:
    """A request's class: its box width and date span."""
    min_lon, _min_lat, max_lon, _max_lat = (float(v) for v in p["bbox"].split(","))
    width = max_lon - min_lon
    box = "box < 1°" if width < 1 else "box 1-10°" if width <= 10 else "box > 10°"
    days = (dt.date.fromisoformat(p["date_to"]) - dt.date.fromisoformat(p["date_from"])).days + 1
    return f"{box}, {'≤ 90 days' if days <= 90 else '> 90 days'}"


def by_kind(timings: Sequence[Timing]) -> Table:
    """Median and p90 per class of request, per backend."""
    table = Table(title="by class of request: median / p90 (ms), mean events per page")
    table.add_column("class")
    table.add_column("n", justify="right")
    for timing in timings:
        table.add_column(timing.backend, justify="right")
    table.add_column("events/page", justify="right")
    kinds = sorted({kind(p) for p in timings[0].params})
    for name in kinds:
        cells = []
        for timing in timings:
            millis = sorted(m for m, p in zip(timing.millis, timing.params, strict=True) if kind(p) == name)
            cells.append(f"{statistics.median(millis):.1f} / {millis[round(0.9 * (len(millis) - 1))]:.1f}")
        found = [f for f, p in zip(timings[0].found, timings[0].params, strict=True) if kind(p) == name]
        table.add_row(name, str(len(found)), *cells, f"{statistics.mean(found):.0f}")
    return table


if __name__ == "__main__":
    sys.exit(main())
