"""The command line: a thin typer shell over `Pipeline` and `store`. Output formats live in `export.py`."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Annotated, Any

import typer
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

from ..control.alerts import load_rules
from ..errors import Errors, InputError, Warnings
from ..ingest.documents import Skip
from ..ingest.sources import missing_inputs, read_content, read_sources, record_to_raw, with_defaults
from ..models import Document, Event, RawDocument
from ..run.engine import EngineSpec
from ..run.names import NameResolver
from ..run.pipeline import IngestStats, Pipeline, parse_published
from ..run.watch import CycleStats
from ..settings import Settings
from ..store import queries as q
from ..store.filter_terms import FilterTerms, build_filter
from ..store.filters import EventFilter
from . import export
from .cli_alerts import alert_watch_for
from .cli_base import (
    ConfigOption,
    CreateOption,
    DbOption,
    app,
    command,
    console,
    err_console,
    fail,
    open_db,
    settings_from,
)

_settings = settings_from
PublishedOption = Annotated[
    str | None, typer.Option("--published", help="Publication date (YYYY-MM-DD) of documents that state none.")
]
OutletOption = Annotated[str | None, typer.Option("--outlet", help="Outlet of documents that name none.")]


@command()
def ingest(
    inputs: Annotated[list[str], typer.Argument(help="Files, folders, feed files or URLs.", metavar="INPUT...")],
    db: DbOption = None,
    config: ConfigOption = None,
    published: PublishedOption = None,
    outlet: OutletOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or table.")] = False,
    fmt: Annotated[str, typer.Option("--format", help="table (events, then counts) or json (the counts).")] = "table",
    engine: Annotated[str, typer.Option(help="Where extraction runs: local or dask.")] = "local",
    workers: Annotated[int, typer.Option(help="Worker processes (local: 1 means this process).")] = 1,
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: a local cluster).")
    ] = None,
) -> None:
    """Read documents, extract their events and store them; makes the database if needed.

    Re-ingesting the same input changes nothing; an interrupted ingest is finished by the next one. An input that
    does not exist stops the command before anything is read; a document that cannot be read is listed, the others
    are stored, and the exit status is 1.

    Example: sitrep ingest examples/ --db sitrep.db --engine dask --workers 2
    """
    export.check_format(fmt, ("table", "json"))
    missing = missing_inputs(inputs)
    if missing:
        raise InputError(Errors.E010.format(source=missing[0]))
    date = parse_published(published)
    settings = _settings(config, db=db)
    store = open_db(settings, create=True)
    pipeline = Pipeline(settings)
    started = time.perf_counter()
    raws = with_defaults(read_sources(inputs, settings=settings), published=date, outlet=outlet)
    with _progress("ingest", total=None, quiet=quiet or fmt == "json") as (progress, task):
        if engine == "local" and workers == 1:
            progress.update(task, current="loading models")
            pipeline.extractor  # noqa: B018 - load models before the bar starts counting documents
        stats = pipeline.ingest_raw(
            raws,
            store,
            on_document=lambda source: progress.update(task, advance=1, current=_short(source)),
            engine=EngineSpec(engine, workers, scheduler),
        )
    for message in stats.errors:
        err_console.print(f"failed {message}", highlight=False, markup=False, soft_wrap=True)
    _warn_undated(stats.undated)
    seconds = time.perf_counter() - started
    if fmt == "json":
        sys.stdout.write(json.dumps(_stats_record(stats, seconds)) + "\n")
    else:
        if not quiet:
            with store.connect() as conn:
                found = list(q.iter_events(conn))
            console.print(events_table(found, title=f"Events in {store.safe_url}"))
        console.print(f"[bold]{stats.summary()}[/] ({seconds:.1f} s)", highlight=False, soft_wrap=True)
    store.close()
    if stats.failed:
        fail(_failed_line(stats.failed, stats.read, "stored"))


def _failed_line(failed: int, read: int, done: str) -> str:
    return Errors.E030.format(count=failed, total=read, rest=f"; the others were {done}" if read > failed else "")


def _stats_record(stats: IngestStats, seconds: float | None) -> dict[str, object]:
    fields = ("read", "new", "duplicate", "failed", "skipped", "reports", "events_new", "events_updated")
    record: dict[str, object] = {name: getattr(stats, name) for name in (*fields, "events_deleted")}
    record.update(errors=list(stats.errors), undated=list(stats.undated))
    if seconds is not None:
        record["seconds"] = round(seconds, 1)
    return record


def _warn_undated(sources: list[str]) -> None:
    if sources:
        examples = ", ".join(sources[:3]) + (f" and {len(sources) - 3} more" if len(sources) > 3 else "")
        err_console.print(
            "Warning: " + Warnings.W006.format(count=len(sources), examples=examples),
            highlight=False,
            markup=False,
            soft_wrap=True,
        )


@command()
def events(
    db: DbOption = None,
    config: ConfigOption = None,
    date_from: Annotated[str | None, typer.Option("--from", help="First date, YYYY-MM-DD.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last date, YYYY-MM-DD.")] = None,
    event_type: Annotated[str | None, typer.Option("--type", help="ACLED event type, any case: battles.")] = None,
    sub_event_type: Annotated[str | None, typer.Option("--sub-type", help="ACLED sub-event type, any case.")] = None,
    actor: Annotated[
        str | None, typer.Option(help="An actor's name, alias or acronym (HTS), in actor1 or actor2.")
    ] = None,
    admin1: Annotated[str | None, typer.Option(help="First-level area, any known spelling: Idlib, Idleb.")] = None,
    place: Annotated[
        str | None, typer.Option(help="Location name, any known spelling (with --radius: the centre).")
    ] = None,
    near: Annotated[
        str | None, typer.Option("--near", help="Centre for --radius as LON,LAT (the order of --bbox and GeoJSON).")
    ] = None,
    radius: Annotated[float | None, typer.Option("--radius", help="Kilometres around --place or --near.")] = None,
    bbox: Annotated[str | None, typer.Option(help="MIN_LON,MIN_LAT,MAX_LON,MAX_LAT (GeoJSON's order).")] = None,
    updated_since: Annotated[str | None, typer.Option(help="Only events changed since (ISO time).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, json, jsonl, csv, acled-csv or geojson.")] = "table",
    limit: Annotated[int | None, typer.Option(help="At most this many events.")] = None,
) -> None:
    """List stored events, filtered (the filters of GET /api/events, with the same answers).

    A place or area that neither the events nor the gazetteer know is an error, not an empty list.

    Example: sitrep events --type battles --actor HTS --place Hama --radius 30 --format geojson
    """
    if fmt != "table":
        export.check_format(fmt, export.FILE_FORMATS)
    terms = FilterTerms(
        date_from=parse_published(date_from),
        date_to=parse_published(date_to),
        event_type=event_type,
        sub_event_type=sub_event_type,
        actor=actor,
        admin1=admin1,
        place=place,
        near=near,
        radius_km=radius,
        bbox=bbox,
        updated_since=_parse_time(updated_since) if updated_since else None,
    )
    settings = _settings(config, db=db)
    store = open_db(settings)
    try:
        with store.connect() as conn:
            where = build_filter(conn, terms, names=NameResolver(settings))
            found = list(q.iter_events(conn, where, limit=limit))
    finally:
        store.close()
    _print_events(found, fmt, title=where.describe())


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
    where = EventFilter(date_from=parse_published(date_from), date_to=parse_published(date_to))
    store = open_db(settings)
    try:
        with store.connect() as conn:
            found = list(q.iter_events(conn, where))
    finally:
        store.close()
    text = export.render(found, fmt)
    if out:
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as e:
            raise InputError(Errors.E031.format(path=out, reason=e.strerror or e)) from e
        err_console.print(f"wrote {len(found)} events to {out}", highlight=False)
    else:
        sys.stdout.write(text)


@command()
def extract(
    file: Annotated[
        str,
        typer.Argument(
            help="A text, HTML, feed, CSV or JSON Lines file, a folder; - for standard input.", metavar="[FILE]"
        ),
    ] = "-",
    published: PublishedOption = None,
    outlet: OutletOption = None,
    fmt: Annotated[str, typer.Option("--format", help="json, jsonl or acled-csv.")] = "json",
    config: ConfigOption = None,
) -> None:
    """Extract events from text, touching no database. Reads what `sitrep ingest` reads, the same way; JSON Lines
    input is processed as a stream, one output line per document. A document that cannot be read still gets its
    (empty) line, is listed on standard error, and makes the exit status 1.

    Example: sitrep extract story.txt --published 2024-12-03 --format jsonl
    """
    export.check_format(fmt, ("json", "jsonl", "acled-csv"))
    date = parse_published(published)
    settings = _settings(config)
    if file != "-" and not Path(file).exists():
        raise InputError(Errors.E010.format(source=file))
    pipeline = Pipeline(settings)
    raws = with_defaults(_extract_inputs(file, settings=settings), published=date, outlet=outlet)
    failed: list[str] = []
    undated: list[str] = []
    read: list[str] = []

    def seen(raw: RawDocument, result: Document | Skip) -> None:
        read.append(raw.source)
        if isinstance(result, Skip) and result.reason == "failed":
            failed.append(result.message)
            err_console.print(f"failed {result.message}", highlight=False, markup=False, soft_wrap=True)
        elif isinstance(result, Document) and result.published is None:
            undated.append(raw.source)

    results = pipeline.extract_many(raws, on_read=seen)
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
    _warn_undated(undated)
    if failed:
        fail(_failed_line(len(failed), len(read), "extracted"))


def _extract_inputs(file: str, *, settings: Settings) -> Iterator[RawDocument]:
    """The documents of `extract`'s input: a path through the readers of `ingest`, standard input by its content
    (JSON Lines streamed a line at a time)."""
    if file != "-":
        for raw in read_sources([file], settings=settings):
            # A file keeps its name as the id of its output line; records (JSON Lines, CSV, feeds) keep their own.
            yield raw.model_copy(update={"input_id": Path(raw.source).name}) if _whole_file(raw) else raw
        return
    if _stdin_is_jsonl():
        for number, line in enumerate(sys.stdin.buffer, start=1):
            if line.strip():
                yield record_to_raw(line, source=f"-:{number}", line=number)
        return
    content = sys.stdin.buffer.read()
    if len(content) > settings.max_document_bytes:
        raise InputError(Errors.E004.format(source="-", size=len(content), limit=settings.max_document_bytes))
    yield from read_content(content, source="-")


def _whole_file(raw: RawDocument) -> bool:
    return raw.input_id is None and Path(raw.source).is_file()


def _stdin_is_jsonl() -> bool:
    """Standard input holds JSON Lines when it starts with "{" (a news text does not)."""
    first = sys.stdin.buffer.peek(1)[:1] if hasattr(sys.stdin.buffer, "peek") else b""
    return first == b"{"


@command("eval")
def eval_command(
    gold: Annotated[
        Path,
        typer.Argument(
            help="ACLED CSV (with notes), CASE 2021 task 2 TSV, FA-KES CSV, IndiaPoliceEvents TSV, event_location "
            "JSON Lines or cameo_ner CoNLL (told apart by their first line); or `control`.",
            metavar="GOLD",
        ),
    ],
    control_gold: Annotated[
        Path | None, typer.Argument(help="After `control`: a control gold CSV (place,date,holder,status).")
    ] = None,
    split: Annotated[str, typer.Option(help="all, held-out (never trained or tuned on) or train.")] = "all",
    limit: Annotated[int | None, typer.Option(help="Only the first N rows.")] = None,
    misses: Annotated[int, typer.Option(help="List up to N rows got wrong (the real-prose sets).")] = 20,
    fmt: Annotated[str, typer.Option("--format", help="table or json (the same figures).")] = "table",
    as_json: Annotated[bool, typer.Option("--json", hidden=True, help="The same as --format json.")] = False,
    config: ConfigOption = None,
    db: DbOption = None,
    date_from: Annotated[str | None, typer.Option("--from", help="control: first day scored, YYYY-MM-DD.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="control: last day scored, YYYY-MM-DD.")] = None,
) -> None:
    """Score extraction against gold data: per-field accuracy, a sub-type confusion table and the misses; or, as
    `sitrep eval control GOLD.csv --db DB`, a stored control timeline: the share of place-days right, per place.

    Example: sitrep eval ../shared/data/acled/acled-dev.csv --split held-out --format json
    """
    from ..train import articles, evaluate, prose

    export.check_format(fmt, ("table", "json"))
    as_json = as_json or fmt == "json"
    if str(gold) == "control" and control_gold is not None:
        from .control_cli import eval_control

        settings = _settings(config, db=db)
        eval_control(control_gold, settings=settings, date_from=date_from, date_to=date_to, as_json=as_json)
        return
    if not gold.is_file():
        raise InputError(Errors.E010.format(source=gold))
    kind = evaluate.gold_kind(gold)
    # Each set's reader (path, split, limit -> rows) and scorer (rows, extract_many -> Scores).
    readers: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
        "case": (evaluate.read_case, evaluate.evaluate_case),
        "acled": (evaluate.read_acled, evaluate.evaluate_acled),
        "fakes": (articles.read_fakes, articles.evaluate_fakes),
        "police": (articles.read_police, articles.evaluate_police),
        "event_location": (prose.read_event_location, prose.evaluate_event_location),
        "conll": (prose.read_conll, prose.evaluate_conll),
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
    file: Annotated[
        str, typer.Argument(help="JSON Lines {id, text, mentions?}; - for standard input.", metavar="[FILE]")
    ] = "-",
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
    file: Annotated[
        Path,
        typer.Argument(
            help="A GeoNames dump (SY.txt, allCountries.txt, cities500.txt, or the .zip GeoNames serves) or a CSV of "
            "places (an OCHA/HDX populated-places CSV too).",
            metavar="FILE",
        ),
    ],
    classes: Annotated[
        str,
        typer.Option(help="GeoNames dumps: the feature classes to add, e.g. P,S (default every class but A)."),
    ] = "",
    config: ConfigOption = None,
) -> None:
    """Add places to the gazetteer; a malformed file is refused whole, with its line number.

    Example: sitrep gazetteer add allCountries.zip --classes P,S
    """
    from ..geo.gazetteer import Gazetteer, add_places

    if not file.is_file():
        raise InputError(Errors.E010.format(source=file))
    gazetteer = Gazetteer.open(settings=_settings(config))
    wanted = {c.strip().upper() for c in classes.split(",") if c.strip()} or None
    added = add_places(file, gazetteer=gazetteer, feature_classes=wanted)
    console.print(f"added {added} places from {file} to {gazetteer.path}", highlight=False)


train_app = typer.Typer(help="Train Sitrep's learned components.", no_args_is_help=True)
app.add_typer(train_app, name="train")


@command("classifier", group=train_app)
def train_classifier(
    gold: Annotated[Path, typer.Argument(help="ACLED CSV with notes and sub_event_type.", metavar="GOLD")],
    out: Annotated[Path, typer.Option(help="Folder for the model files.")] = Path("sitrep-model"),
    case: Annotated[
        Path | None, typer.Option(help="CASE 2021 task 2 TSV to train on (its held-out half is kept).")
    ] = None,
    negatives: Annotated[Path | None, typer.Option(help="More non-event sentences, one a line.")] = None,
) -> None:
    """Train the event-type classifier on ACLED rows (the held-out fifth is only scored), and save it.

    Example: sitrep train classifier ../shared/data/acled/acled-dev.csv --case case2021-task2.tsv
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


@command("reader", group=train_app)
def train_reader_command(
    gold: Annotated[Path, typer.Argument(help="ACLED CSV with notes and sub_event_type.")],
    out: Annotated[Path, typer.Option(help="Folder for model.onnx, tokenizer.json and card.json.")] = Path(
        "sitrep-reader"
    ),
    case: Annotated[
        Path | None, typer.Option(help="CASE 2021 task 2 TSV to train on (its held-out half is kept).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seeds initialisation, shuffling and dropout.")] = 0,
    epochs: Annotated[int, typer.Option(help="Passes over the training texts.")] = 4,
    threads: Annotated[int, typer.Option(help="torch threads.")] = 2,
    train_layers: Annotated[
        int, typer.Option(help="How many of the encoder's top layers are fine-tuned (of 6); the rest stay frozen.")
    ] = 6,
) -> None:
    """Fine-tune the learned reader (MiniLM-L6) on ACLED rows and CASE (held-out parts only scored), export int8 ONNX.

    Needs the `train` extra: pip install 'sitrep[train]'.

    Example: sitrep train reader ../shared/data/acled/acled-dev.csv --case ../shared/data/case2021/case2021-task2.tsv
    """
    from ..train.reader import train_reader

    for path in (gold, case):
        if path is not None and not path.is_file():
            raise InputError(Errors.E010.format(source=path))
    report = train_reader(
        gold, out_dir=out, case_tsv=case, seed=seed, epochs=epochs, threads=threads, train_layers=train_layers
    )
    title = f"Reader saved to {report.out_dir} ({report.model_bytes / 1e6:.1f} MB, {report.seconds:.0f} s)"
    table = Table("held-out part", "n", "event_type", "sub_event_type", "no event when none", title=title)
    for part, scores in (("ACLED", report.held_out), ("CASE 2021", report.case_held_out)):
        if scores is not None:
            cells = (scores.event_type, scores.sub_event_type, scores.no_event_rate)
            table.add_row(part, str(scores.n), *("-" if v is None else f"{v:.3f}" for v in cells))
    console.print(table)
    console.print(f"Use it with SITREP_READER_MODEL={report.out_dir} (the setting reader_model).")


@command("settings")
def settings_command(
    config: ConfigOption = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json ({setting: value}).")] = "table",
) -> None:
    """Show every setting with its value and help.

    Example: SITREP_FUSION_RADIUS_KM=10 sitrep settings
    """
    export.check_format(fmt, ("table", "json"))
    settings = _settings(config)
    if fmt == "json":
        sys.stdout.write(settings.model_dump_json(indent=2) + "\n")
        return
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
    create: CreateOption = False,
    alerts: Annotated[
        Path | None,
        typer.Option("--alerts", help="Alert rules (YAML, as for sitrep alerts test): GET /api/alerts and the map."),
    ] = None,
) -> None:
    """Serve the API (and the map) over the database; POST /api/ingest needs SITREP_TOKEN set.

    With --alerts, GET /api/alerts gives the alerts of the rules, and the map shows them as a
    layer that can be switched off, with their evidence.

    Example: SITREP_TOKEN=secret sitrep serve --db sitrep.db --port 8000 --alerts rules.yaml
    """
    import uvicorn

    from .api import create_app

    rules = load_rules(alerts) if alerts is not None else []  # a bad file stops here, before the database opens
    settings = _settings(config, db=db)
    store = open_db(settings, create=create)
    api = create_app(store, pipeline_factory=lambda: Pipeline(settings), alert_rules=rules)
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
    alerts: Annotated[
        Path | None,
        typer.Option("--alerts", help="Alert rules (YAML, as for sitrep alerts test): list and map what fired."),
    ] = None,
) -> None:
    """Write a situation report: key messages, a control map, changes of control, key events, figures, sources.

    With --alerts, the alerts the rules give in the period (those of sitrep alerts test) get a
    section, and red rings on the control map.

    Example: sitrep report --date 2024-12-08 --days 12 --out report.pdf --alerts rules.yaml
    """
    from .report import write_report

    rules = load_rules(alerts) if alerts is not None else None  # a bad file stops here, before the database opens
    settings = _settings(config, db=db)
    store = open_db(settings)
    try:
        written = write_report(store, date=parse_published(date), days=days, out=out, settings=settings, rules=rules)
    finally:
        store.close()
    console.print(f"wrote {written}", highlight=False)


@command()
def watch(
    feeds: Annotated[
        Path, typer.Argument(help="A file listing sources: one feed/page URL or file path a line.", metavar="FEEDS")
    ],
    db: DbOption = None,
    config: ConfigOption = None,
    every: Annotated[
        str | None, typer.Option("--every", help="Time between cycles: 30s, 15m, 2h, 1d (setting watch_interval).")
    ] = None,
    cycles: Annotated[int | None, typer.Option("--cycles", min=1, help="Stop after this many cycles.")] = None,
    once: Annotated[bool, typer.Option("--once", help="Run one cycle and stop (--cycles 1).")] = False,
    alerts: Annotated[
        Path | None, typer.Option("--alerts", help="Alert rules (YAML): each change is sent once, after its cycle.")
    ] = None,
    alerts_out: Annotated[
        Path | None, typer.Option("--alerts-out", help="Append alerts to this file (default: standard output).")
    ] = None,
    webhook: Annotated[str | None, typer.Option("--webhook", help="POST each alert (JSON) to this URL.")] = None,
    create: CreateOption = False,
    fmt: Annotated[
        str, typer.Option("--format", help="text (a line per cycle) or json (an object per cycle).")
    ] = "text",
) -> None:
    """Poll feeds, pages and files, and ingest what is new; one line per cycle.

    In FEEDS, # starts a comment; relative paths are read from the folder of FEEDS, which is
    read again before a cycle when it has changed.
    An unchanged URL costs a conditional GET (ETag, Last-Modified), an unchanged file a stat;
    only feed items not seen before are ingested. A failing source waits longer after each
    failure (settings watch_backoff_base, watch_backoff_max) while the others go on. What was
    seen is kept in the database, so a restarted watch resumes where it stopped.
    Ctrl-C or SIGTERM stops it after the cycle under way.
    With --alerts, the rules are checked after each cycle that stored something (and after
    the first), and each alert is sent once, as one JSON line (see sitrep alerts test);
    the alerts sent are kept in the database too.

    Example: sitrep watch feeds.txt --db sitrep.db --every 15m --alerts rules.yaml --webhook http://127.0.0.1:9000/hook
    """
    import signal
    import threading

    from ..run.watch import Watcher, parse_interval, read_feeds_file

    export.check_format(fmt, ("text", "json"))
    if every is not None:
        parse_interval(every, origin="--every")  # a clearer message than the settings' own check
    settings = _settings(config, db=db, watch_interval=every)
    interval = parse_interval(settings.watch_interval, origin="the settings")
    sources = read_feeds_file(feeds)  # a bad file stops here, before the database is opened
    alert_watch = alert_watch_for(alerts, settings, out=alerts_out, webhook=webhook) if alerts else None
    store = open_db(settings, create=create)
    stop = threading.Event()

    def request_stop(signum: int, _frame: object) -> None:
        if stop.is_set():  # asked twice: do not wait for the cycle to end
            raise KeyboardInterrupt
        stop.set()
        err_console.print(f"{signal.Signals(signum).name}: stopping after this cycle", highlight=False)

    handlers = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    err_console.print(f"watching {len(sources)} sources into {store.safe_url} every {interval:g} s", highlight=False)
    try:
        with Watcher.from_feeds_file(feeds, store, Pipeline(settings), alerts=alert_watch) as watcher:
            watcher.run(
                every=interval,
                cycles=1 if once else cycles,
                stop=stop,
                on_cycle=lambda stats: _print_cycle(stats, fmt),
            )
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        store.close()


def _print_cycle(stats: CycleStats, fmt: str) -> None:
    if fmt == "text":
        console.print(stats.summary(), highlight=False, markup=False, soft_wrap=True)
        return
    record = {k: v for k, v in vars(stats).items() if k != "ingest"}
    record["seconds"] = round(stats.seconds, 2)
    record["ingest"] = _stats_record(stats.ingest, None) if stats.ingest is not None else None
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()


# `sitrep control` and `sitrep control load` live in their own module, which needs the helpers above.
from .control_cli import control_app  # noqa: E402

app.add_typer(control_app, name="control")
