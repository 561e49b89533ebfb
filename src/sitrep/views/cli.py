"""The command line: a thin typer shell over `Pipeline` and `store`. Output formats live in `export.py`."""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from sqlalchemy import Connection

from ..errors import Errors, InputError, SitrepError
from ..ingest.sources import read_text_file, record_to_raw
from ..models import Event, RawDocument
from ..run.engine import EngineSpec
from ..run.pipeline import Pipeline, parse_published
from ..settings import Settings, load_settings
from ..store import open_store
from ..store import queries as q
from ..store.filters import EventFilter, parse_bbox
from . import export

app = typer.Typer(
    help="Sitrep: conflict news to a sourced, geolocated event record (ACLED data model).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

DbOption = Annotated[
    str | None, typer.Option("--db", help="SQLite file or postgresql:// URL (default sitrep.db, or SITREP_DB).")
]
ConfigOption = Annotated[Path | None, typer.Option("--config", help="A TOML settings file.")]


def command(
    *args: Any, group: typer.Typer | None = None, **kwargs: Any
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """`app.command` (or `group.command`), with a `SitrepError` shown as `Error: <message>` on stderr and exit
    status 1."""

    def decorator(func: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(func)
        def wrapper(*a: Any, **k: Any) -> None:
            try:
                func(*a, **k)
            except SitrepError as e:
                err_console.print(f"Error: {e}", highlight=False, markup=False)
                raise typer.Exit(1) from e

        (group or app).command(*args, **kwargs)(wrapper)
        return wrapper

    return decorator


def _settings(config: Path | None = None, **overrides: object) -> Settings:
    return load_settings(config, **overrides)


@command()
def ingest(
    inputs: Annotated[list[str], typer.Argument(help="Files, folders, feed files or URLs.")],
    db: DbOption = None,
    config: ConfigOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or table.")] = False,
    engine: Annotated[str, typer.Option(help="Where extraction runs: local or dask.")] = "local",
    workers: Annotated[int, typer.Option(help="Worker processes (local: 1 means this process).")] = 1,
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: a local cluster).")
    ] = None,
) -> None:
    """Read documents, extract their events and store them. Re-ingesting the same input changes nothing; an
    interrupted ingest is finished by the next one.

    Example: sitrep ingest examples/ --db sitrep.db --engine dask --workers 2
    """
    settings = _settings(config, db=db)
    store = open_store(settings.db)
    pipeline = Pipeline(settings)
    started = time.perf_counter()
    with _progress("ingest", total=None, quiet=quiet) as (progress, task):
        if engine == "local" and workers == 1:
            progress.update(task, current="loading models")
            pipeline.extractor  # noqa: B018 - load models before the bar starts counting documents
        stats = pipeline.ingest(
            inputs,
            store,
            on_document=lambda source: progress.update(task, advance=1, current=_short(source)),
            engine=EngineSpec(engine, workers, scheduler),
        )
    for message in stats.errors:
        err_console.print(f"[red]failed[/] {message}", highlight=False, markup=True)
    if not quiet:
        with store.connect() as conn:
            events = list(q.iter_events(conn))
        console.print(events_table(events, title=f"Events in {store.safe_url}"))
    seconds = time.perf_counter() - started
    console.print(f"[bold]{stats.summary()}[/] ({seconds:.1f} s)", highlight=False, soft_wrap=True)
    store.close()


@command()
def events(
    db: DbOption = None,
    config: ConfigOption = None,
    date_from: Annotated[str | None, typer.Option("--from", help="First date, YYYY-MM-DD.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last date, YYYY-MM-DD.")] = None,
    event_type: Annotated[str | None, typer.Option("--type", help="ACLED event type, e.g. Battles.")] = None,
    sub_event_type: Annotated[str | None, typer.Option("--sub-type", help="ACLED sub-event type.")] = None,
    actor: Annotated[str | None, typer.Option(help="Text in actor1 or actor2.")] = None,
    admin1: Annotated[str | None, typer.Option(help="First-level admin area.")] = None,
    place: Annotated[str | None, typer.Option(help="Location name (with --radius: the centre).")] = None,
    radius: Annotated[float | None, typer.Option("--radius", help="Kilometres around --place.")] = None,
    bbox: Annotated[str | None, typer.Option(help="min_lon,min_lat,max_lon,max_lat.")] = None,
    updated_since: Annotated[str | None, typer.Option(help="Only events changed since (ISO time).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, json, jsonl, csv, acled-csv or geojson.")] = "table",
    limit: Annotated[int | None, typer.Option(help="At most this many events.")] = None,
) -> None:
    """List stored events, filtered.

    Example: sitrep events --type Battles --from 2024-12-01 --place Hama --radius 30 --format geojson
    """
    settings = _settings(config, db=db)
    store = open_store(settings.db)
    with store.connect() as conn:
        where = EventFilter(
            date_from=parse_published(date_from),
            date_to=parse_published(date_to),
            event_type=event_type,
            sub_event_type=sub_event_type,
            actor=actor,
            admin1=admin1,
            place=place,
            radius_km=radius,
            bbox=parse_bbox(bbox) if bbox else None,
            updated_since=_parse_time(updated_since) if updated_since else None,
            include_deleted=updated_since is not None,
        )
        if place and radius is not None:
            centre = _place_centre(conn, place)
            where = where.model_copy(update={"near": centre})
        found = list(q.iter_events(conn, where, limit=limit))
    _print_events(found, fmt, title=where.describe())
    store.close()


@command("export")
def export_command(
    db: DbOption = None,
    config: ConfigOption = None,
    fmt: Annotated[str, typer.Option("--format", help="acled-csv, csv, geojson, json or jsonl.")] = "acled-csv",
    out: Annotated[Path | None, typer.Option("--out", help="Write here instead of standard output.")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="First date, YYYY-MM-DD.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last date, YYYY-MM-DD.")] = None,
) -> None:
    """Export stored events for other tools.

    Example: sitrep export --format acled-csv --out events.csv
    """
    settings = _settings(config, db=db)
    export.check_format(fmt, export.FILE_FORMATS)
    store = open_store(settings.db)
    with store.connect() as conn:
        found = list(
            q.iter_events(conn, EventFilter(date_from=parse_published(date_from), date_to=parse_published(date_to)))
        )
    text = export.render(found, fmt)
    if out:
        out.write_text(text, encoding="utf-8")
        err_console.print(f"wrote {len(found)} events to {out}")
    else:
        sys.stdout.write(text)
    store.close()


@command()
def extract(
    file: Annotated[str, typer.Argument(help="A text, HTML or JSON Lines file; - for standard input.")] = "-",
    published: Annotated[str | None, typer.Option(help="Publication date, YYYY-MM-DD.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="json, jsonl or acled-csv.")] = "json",
    config: ConfigOption = None,
) -> None:
    """Extract events from text, touching no database. JSON Lines input is processed as a stream.

    Example: sitrep extract story.txt --published 2024-12-03 --format jsonl
    """
    export.check_format(fmt, ("json", "jsonl", "acled-csv"))
    date = parse_published(published)
    settings = _settings(config)
    pipeline = Pipeline(settings)
    if file != "-" and not Path(file).is_file():
        raise InputError(Errors.E010.format(source=file))
    is_jsonl = file.endswith((".jsonl", ".ndjson")) or (file == "-" and _stdin_is_jsonl())
    if is_jsonl:
        raws: Iterator[RawDocument] = _jsonl_raws(file, published=date)
    else:
        content = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
        if len(content) > settings.max_document_bytes:
            raise InputError(Errors.E004.format(source=file, size=len(content), limit=settings.max_document_bytes))
        input_id = None if file == "-" else Path(file).name
        if content.lstrip()[:1] == b"<":
            raw = RawDocument(source=file, content=content, media_type="html")
        else:  # a Title/Outlet/Published/URL header is metadata, as `sitrep ingest` reads it
            raw = read_text_file(content, source=file)
        raws = iter([raw.model_copy(update={"input_id": input_id, "published": date or raw.published})])
    results = pipeline.extract_many(raws)
    if fmt == "jsonl":
        for result in results:
            sys.stdout.write(result.model_dump_json() + "\n")
            sys.stdout.flush()
    elif fmt == "json":
        payload = [json.loads(r.model_dump_json()) for r in results]
        sys.stdout.write(json.dumps(payload[0] if len(payload) == 1 else payload, indent=2, ensure_ascii=False))
        sys.stdout.write("\n")
    else:
        sys.stdout.write(export.render([e for r in results for e in r.events], "acled-csv"))


def _stdin_is_jsonl() -> bool:
    """Standard input holds JSON Lines when it starts with "{" (a news text does not)."""
    first = sys.stdin.buffer.peek(1)[:1] if hasattr(sys.stdin.buffer, "peek") else b""
    return first == b"{"


def _jsonl_raws(file: str, *, published: dt.date | None) -> Iterator[RawDocument]:
    handle = sys.stdin.buffer if file == "-" else open(file, "rb")  # noqa: SIM115 - closed below
    try:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            raw = record_to_raw(line, source=f"{file}:{number}", line=number)
            if raw.error:
                err_console.print(f"[red]failed[/] {raw.error}", highlight=False)
            if raw.published is None and published is not None:
                raw = raw.model_copy(update={"published": published})
            yield raw
    finally:
        if handle is not sys.stdin.buffer:
            handle.close()


@command("eval")
def eval_command(
    gold: Annotated[
        Path,
        typer.Argument(
            help="ACLED CSV (with notes), CASE 2021 task 2 TSV, FA-KES CSV or IndiaPoliceEvents TSV (told apart by "
            "their columns); or `control`."
        ),
    ],
    control_gold: Annotated[
        Path | None, typer.Argument(help="After `control`: a control gold CSV (place,date,holder,status).")
    ] = None,
    split: Annotated[str, typer.Option(help="all, held-out (never trained or tuned on) or train.")] = "all",
    limit: Annotated[int | None, typer.Option(help="Only the first N rows.")] = None,
    misses: Annotated[int, typer.Option(help="List up to N rows got wrong (FA-KES, IndiaPoliceEvents).")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    config: ConfigOption = None,
    db: DbOption = None,
    date_from: Annotated[str | None, typer.Option("--from", help="control: first day scored, YYYY-MM-DD.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="control: last day scored, YYYY-MM-DD.")] = None,
) -> None:
    """Score extraction against gold data: per-field accuracy, a sub-type confusion table and the misses; or, as
    `sitrep eval control GOLD.csv --db DB`, a stored control timeline: the share of place-days right, per place.

    Example: sitrep eval ../shared/data/acled/acled-dev.csv --split held-out
    """
    from ..train import articles, evaluate

    if str(gold) == "control" and control_gold is not None:
        from .control_cli import eval_control

        settings = _settings(config, db=db)
        eval_control(control_gold, settings=settings, date_from=date_from, date_to=date_to, as_json=as_json)
        return
    if not gold.is_file():
        raise InputError(Errors.E010.format(source=gold))
    kind = evaluate.gold_kind(gold)
    readers = {
        "case": (evaluate.read_case, evaluate.evaluate_case),
        "acled": (evaluate.read_acled, evaluate.evaluate_acled),
        "fakes": (articles.read_fakes, articles.evaluate_fakes),
        "police": (articles.read_police, articles.evaluate_police),
    }
    read, score = readers[kind]
    rows = read(gold, split=split, limit=limit)
    pipeline = Pipeline(_settings(config))
    with _progress("eval", total=len(rows), quiet=as_json) as (progress, task):
        pipeline.extractor  # noqa: B018 - load models before the bar starts
        scores = score(rows, pipeline.extract_many, on_row=lambda: progress.advance(task))
    result = scores.as_dict()
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
        return
    table = Table("field", "accuracy", "right", "total", title=f"{gold.name} ({split}): {scores.rows} rows")
    for name, value in result["fields"].items():
        table.add_row(
            name, "-" if value["value"] is None else f"{value['value']:.3f}", str(value["right"]), str(value["total"])
        )
    console.print(table)
    if result["confusion"]:
        confusion = Table("gold sub-type", "predicted", "count", title="Most common sub-type errors")
        for item in [c for c in result["confusion"] if c["gold"] != c["predicted"]][:15]:
            confusion.add_row(item["gold"], item["predicted"], str(item["count"]))
        console.print(confusion)
    if result["misses"] and misses > 0:
        wrong = Table("id", "text", "field", "got", "wanted", title=f"Misses (first {misses})")
        for miss in result["misses"][:misses]:
            for field_name, detail in miss["wrong"].items():
                wrong.add_row(miss["id"], miss["title"][:80], field_name, str(detail["got"]), str(detail["want"]))
        console.print(wrong)
    console.print(f"{result['rows_per_s']} rows/s")


@command()
def geocode(
    file: Annotated[str, typer.Argument(help="JSON Lines {id, text, mentions?}; - for standard input.")] = "-",
    fmt: Annotated[str, typer.Option("--format", help="jsonl (one line out per line in).")] = "jsonl",
    config: ConfigOption = None,
) -> None:
    """Resolve place mentions to gazetteer entries with coordinates and geo_precision.

    Example: echo '{"id": 1, "text": "Shelling hit Morek in northern Hama."}' | sitrep geocode -
    """
    from ..geo.geocoder import Geocoder

    export.check_format(fmt, ("jsonl",))
    if file != "-" and not Path(file).is_file():
        raise InputError(Errors.E010.format(source=file))
    geocoder = Geocoder(settings=_settings(config))
    with nullcontext(sys.stdin.buffer) if file == "-" else Path(file).open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as e:
                raise InputError(Errors.E006.format(source=file, line=number, reason=e)) from e
            if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                raise InputError(Errors.E007.format(source=file, line=number))
            sys.stdout.write(json.dumps(geocoder.geocode_record(record), ensure_ascii=False) + "\n")
            sys.stdout.flush()


gazetteer_app = typer.Typer(help="Manage the compiled gazetteer.", no_args_is_help=True)
app.add_typer(gazetteer_app, name="gazetteer")


@command("add", group=gazetteer_app)
def gazetteer_add(
    file: Annotated[Path, typer.Argument(help="A GeoNames country dump (e.g. SY.txt) or a CSV of places.")],
    config: ConfigOption = None,
) -> None:
    """Add places to the gazetteer; a malformed file is refused whole, with its line number.

    Example: sitrep gazetteer add SY.txt
    """
    from ..geo.gazetteer import Gazetteer, add_places

    if not file.is_file():
        raise InputError(Errors.E010.format(source=file))
    gazetteer = Gazetteer.open(settings=_settings(config))
    added = add_places(file, gazetteer=gazetteer)
    console.print(f"added {added} places from {file} to {gazetteer.path}", highlight=False)


@command()
def train(
    gold: Annotated[Path, typer.Argument(help="ACLED CSV with notes and sub_event_type.")],
    out: Annotated[Path, typer.Option(help="Folder for the model files.")] = Path("sitrep-model"),
    case: Annotated[
        Path | None, typer.Option(help="CASE 2021 task 2 TSV to train on (its held-out half is kept).")
    ] = None,
    negatives: Annotated[Path | None, typer.Option(help="More non-event sentences, one a line.")] = None,
) -> None:
    """Train the event-type classifier on ACLED rows (the held-out fifth is only scored), and save it.

    Example: sitrep train ../shared/data/acled/acled-dev.csv --case ../shared/data/case2021/case2021-task2.tsv
    """
    from ..train.classifier import train_event_classifier

    if not gold.is_file():
        raise InputError(Errors.E010.format(source=gold))
    report = train_event_classifier(gold, out_dir=out, case_tsv=case, extra_negatives=negatives, progress=True)
    table = Table("held-out part", "predictor", "n", "event_type", "sub_event_type", "no event when none",
                  title=f"Model saved to {report.model_path}")  # fmt: skip
    for part, by_predictor in (("ACLED", report.held_out), ("CASE 2021", report.case_held_out)):
        for predictor, scores in by_predictor.items():
            cells = (scores.event_type, scores.sub_event_type, scores.no_event_rate)
            table.add_row(part, predictor, str(scores.n), *("-" if v is None else f"{v:.3f}" for v in cells))
    console.print(table)
    console.print(f"Use it with SITREP_EVENT_MODEL={report.model_path} (the setting event_model).")


@command("settings")
def settings_command(config: ConfigOption = None) -> None:
    """Show every setting with its value and help.

    Example: SITREP_FUSION_RADIUS_KM=10 sitrep settings
    """
    settings = _settings(config)
    table = Table("setting", "value", "help", title="Settings (TOML file < SITREP_* environment < flags)")
    for name, info in Settings.model_fields.items():
        table.add_row(name, repr(getattr(settings, name)), info.description or "")
    console.print(table)


@contextmanager
def _progress(name: str, *, total: int | None, quiet: bool) -> Iterator[tuple[Progress, TaskID]]:
    """A rich progress bar on stderr (hidden with quiet)."""
    with Progress(
        SpinnerColumn(),
        TextColumn(f"[bold]{name}[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[current]}", style="dim"),
        TimeElapsedColumn(),
        console=err_console,
        disable=quiet,
        transient=True,
    ) as progress:
        yield progress, progress.add_task(name, total=total, current="")


def events_table(found: list[Event], *, title: str = "Events") -> Table:
    """A rich table of events: date, type, actors, place, fatalities, sources."""
    table = Table(title=title, show_lines=False, expand=False)
    for column in ("date", "type", "actors", "place", "deaths", "sources"):
        table.add_column(column, overflow="fold")
    for event in found:
        actors = " vs ".join(a for a in (event.actor1, event.actor2) if a)
        place = ", ".join(p for p in (event.location, event.admin1) if p) or "?"
        claimants = sorted({c for s in event.sources for c in s.attributed_to})
        outlets = sorted({s.outlet or "?" for s in event.sources})
        sources = "; ".join(outlets) + (f" (per {', '.join(claimants)})" if claimants else "")
        table.add_row(
            str(event.event_date or "?"),
            event.sub_event_type,
            actors or "?",
            place,
            str(event.fatalities),
            sources,
            style="dim" if event.deleted else None,
        )
    return table


def _print_events(found: list[Event], fmt: str, *, title: str) -> None:
    if fmt == "table":
        console.print(events_table(found, title=f"{len(found)} {title}"))
    else:
        export.check_format(fmt, export.FILE_FORMATS)
        sys.stdout.write(export.render(found, fmt))


def _place_centre(conn: Connection, place: str) -> tuple[float, float]:
    """Coordinates of a named place: from stored events at that location, else from the gazetteer."""
    for event in q.iter_events(conn, EventFilter(place=place), limit=1):
        if event.latitude is not None and event.longitude is not None:
            return event.latitude, event.longitude
    from ..geo.gazetteer import Gazetteer

    for entry in Gazetteer.open(settings=_settings()).lookup(place, limit=1):
        if entry.latitude is not None and entry.longitude is not None:
            return entry.latitude, entry.longitude
    raise InputError(Errors.E017.format(name="place", reason=f"no place called {place!r} is known"))


def _parse_time(value: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as e:
        raise InputError(Errors.E017.format(name="updated_since", reason="an ISO date or time expected")) from e
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _short(source: str, width: int = 48) -> str:
    return source if len(source) <= width else "…" + source[-(width - 1) :]


def main() -> None:
    """Entry point of the `sitrep` command."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()


@command()
def serve(
    db: DbOption = None,
    config: ConfigOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the API (and the map) over the database; POST /api/ingest needs SITREP_TOKEN set.

    Example: SITREP_TOKEN=secret sitrep serve --db sitrep.db --port 8000
    """
    import uvicorn

    from .api import create_app

    settings = _settings(config, db=db)
    store = open_store(settings.db)
    api = create_app(store, pipeline_factory=lambda: Pipeline(settings))
    err_console.print(f"serving {store.safe_url} on http://{host}:{port}/ (API docs at /docs)", highlight=False)
    try:
        uvicorn.run(api, host=host, port=port, log_level="info")
    finally:
        store.close()


@command("report")
def report_command(
    db: DbOption = None,
    config: ConfigOption = None,
    date: Annotated[str | None, typer.Option("--date", help="Last day of the period (default: latest event).")] = None,
    days: Annotated[int, typer.Option(help="Days in the period, ending on --date.")] = 7,
    out: Annotated[Path, typer.Option("--out", help="report.html, report.md or report.pdf.")] = Path("report.html"),
) -> None:
    """Write a situation report: key messages, a control map, changes of control, key events, figures, sources.

    Example: sitrep report --date 2024-12-08 --days 12 --out report.html
    """
    from .report import write_report

    settings = _settings(config, db=db)
    store = open_store(settings.db)
    try:
        written = write_report(store, date=parse_published(date), days=days, out=out, settings=settings)
    finally:
        store.close()
    console.print(f"wrote {written}", highlight=False)


@command()
def watch(
    feeds: Annotated[Path, typer.Argument(help="A file listing sources: one feed/page URL or file path a line.")],
    db: DbOption = None,
    config: ConfigOption = None,
    every: Annotated[
        str | None, typer.Option("--every", help="Time between cycles: 30s, 15m, 2h, 1d (setting watch_interval).")
    ] = None,
    cycles: Annotated[int | None, typer.Option("--cycles", min=1, help="Stop after this many cycles.")] = None,
    once: Annotated[bool, typer.Option("--once", help="Run one cycle and stop (--cycles 1).")] = False,
) -> None:
    """Poll feeds, pages and files, and ingest what is new; one line per cycle.

    In FEEDS, # starts a comment; relative paths are read from the folder of FEEDS, which is
    read again before a cycle when it has changed.
    An unchanged URL costs a conditional GET (ETag, Last-Modified), an unchanged file a stat;
    only feed items not seen before are ingested. A failing source waits longer after each
    failure (settings watch_backoff_base, watch_backoff_max) while the others go on. What was
    seen is kept in the database, so a restarted watch resumes where it stopped.
    Ctrl-C or SIGTERM stops it after the cycle under way.

    Example: sitrep watch feeds.txt --db sitrep.db --every 15m
    """
    import signal
    import threading

    from ..run.watch import Watcher, parse_interval, read_feeds_file

    if every is not None:
        parse_interval(every, origin="--every")  # a clearer message than the settings' own check
    settings = _settings(config, db=db, watch_interval=every)
    interval = parse_interval(settings.watch_interval, origin="the settings")
    sources = read_feeds_file(feeds)  # a bad file stops here, before the database is opened
    store = open_store(settings.db)
    stop = threading.Event()

    def request_stop(signum: int, _frame: object) -> None:
        if stop.is_set():  # asked twice: do not wait for the cycle to end
            raise KeyboardInterrupt
        stop.set()
        err_console.print(f"{signal.Signals(signum).name}: stopping after this cycle", highlight=False)

    handlers = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    err_console.print(f"watching {len(sources)} sources into {store.safe_url} every {interval:g} s", highlight=False)
    try:
        with Watcher.from_feeds_file(feeds, store, Pipeline(settings)) as watcher:
            watcher.run(
                every=interval,
                cycles=1 if once else cycles,
                stop=stop,
                on_cycle=lambda stats: console.print(stats.summary(), highlight=False, markup=False, soft_wrap=True),
            )
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        store.close()


# `sitrep control` and `sitrep control load` live in their own module, which needs the helpers above.
from .control_cli import control_app  # noqa: E402

app.add_typer(control_app, name="control")
