"""`sitrep control` (who holds what), `sitrep control load` (a starting picture) and the control part of
`sitrep eval`: thin shells over `control/` and `store/`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.engine import Connection

from ..errors import Errors, InputError, SitrepError
from ..models import ControlPeriod
from ..run.names import NameResolver
from ..run.pipeline import Pipeline, parse_published
from ..settings import Settings
from ..store import queries as q
from ..store.filter_terms import FilterTerms, build_filter
from ..store.filters import EventFilter
from . import export
from .cli import ConfigOption, DbOption, _settings, command, console, fail, open_db

# The callback's docstring is the group's help: `sitrep control` lists, `sitrep control load` loads.
control_app = typer.Typer(invoke_without_command=True)


@control_app.callback()
def control_command(
    ctx: typer.Context,
    db: DbOption = None,
    config: ConfigOption = None,
    date: Annotated[str | None, typer.Option("--date", help="Only periods in force on this day, YYYY-MM-DD.")] = None,
    place: Annotated[str | None, typer.Option("--place", help="Only this settlement.")] = None,
    actor: Annotated[str | None, typer.Option("--actor", help="Only holders whose name contains this.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, json or geojson.")] = "table",
) -> None:
    """Who holds which settlement from when to when: holder, status (assessed, claimed, contested), the sources
    that make it so. `sitrep control load BASELINE.csv` sets the starting picture.

    With --place, --actor and --date, the table also gives the distance from the place to the nearest settlement
    the actor holds that day, beside the distances the sources report.

    Example: sitrep control --date 2024-12-06 --format json
    """
    if ctx.invoked_subcommand is not None:
        return
    try:
        _show(db=db, config=config, date=date, place=place, actor=actor, fmt=fmt)
    except SitrepError as e:  # a group's callback is not wrapped by `command`: the same one-line error
        fail(str(e))


def _show(
    *, db: str | None, config: Path | None, date: str | None, place: str | None, actor: str | None, fmt: str
) -> None:
    from ..control import front

    export.check_format(fmt, ("table", "json", "geojson"))
    day = parse_published(date)
    settings = _settings(config, db=db)
    store = open_db(settings)
    with store.connect() as conn:
        found = list(q.iter_control_periods(conn, on=day, place=place, actor=actor))
        distances: tuple[float | None, list[str]] | None = None
        if fmt == "table" and place and actor and day:
            everything = list(q.iter_control_periods(conn, on=day))
            distance = front.front_distance(everything, place, actor, day, _place_centre(conn, place, settings))
            reported = front.reported_distances(q.iter_events(conn, EventFilter(date_to=day)), place)
            distances = (distance, [f"{f.value:g} km ({f.claimant or '?'}, {f.date or '?'})" for f in reported])
    store.close()
    if fmt == "json":
        sys.stdout.write(json.dumps([front.period_record(p) for p in found], indent=2, ensure_ascii=False) + "\n")
        return
    if fmt == "geojson":
        sys.stdout.write(json.dumps(front.periods_geojson(found), ensure_ascii=False) + "\n")
        return
    _print_periods(found)
    if distances is not None:
        distance, claims = distances
        held = "no located settlement held" if distance is None else f"{distance:g} km"
        console.print(f"Front distance from {place} to {actor} on {day}: {held}", highlight=False)
        console.print(f"Reported: {'; '.join(claims) or 'none'}", highlight=False)


def _print_periods(found: list[ControlPeriod]) -> None:
    table = Table("place", "holder", "status", "from", "to", "sources", title=f"{len(found)} control periods")
    for period in found:
        holder = period.actor + (f" ({period.reported_actor})" if period.reported_actor else "")
        sources = period.assessed_by or [f"{c} (claim)" for c in period.claimed_by]
        table.add_row(
            period.place,
            holder,
            period.status,
            period.valid_from.isoformat(),
            period.valid_to.isoformat() if period.valid_to else "",
            "; ".join(sources) or f"{len(period.event_ids)} events",
        )
    console.print(table)


@command("load", group=control_app)
def load_command(
    baseline: Annotated[Path, typer.Argument(help="CSV of place,actor,date (optional country, latitude, longitude).")],
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Set the starting picture: who held which settlement from which day (replaces the stored baseline).

    The timeline is rebuilt from it and the stored events.

    Example: sitrep control load examples-control/baseline-2024-11-26.csv --db sitrep.db
    """
    from ..control.baseline import read_baseline
    from ..geo.gazetteer import Gazetteer
    from ..store.control_baseline import replace_baseline

    if not baseline.is_file():
        raise InputError(Errors.E010.format(source=baseline))
    settings = _settings(config, db=db)
    holdings = read_baseline(baseline, gazetteer=Gazetteer.open(settings=settings))
    store = open_db(settings)
    with store.begin() as conn:
        stored = replace_baseline(conn, holdings)
        new, updated, deleted = Pipeline(settings).rebuild_control(conn)
    store.close()
    console.print(
        f"baseline: {stored} holdings from {baseline.name}; control periods new {new}, updated {updated}, "
        f"deleted {deleted}",
        highlight=False,
    )


def eval_control(gold: Path, *, settings: Settings, date_from: str | None, date_to: str | None, as_json: bool) -> None:
    """`sitrep eval control GOLD.csv`: the share of place-days whose holder and status are right, per place."""
    from ..control.evidence import holder
    from ..control.score import GoldLine, read_control_gold, score_control
    from ..fuse.sides import default_sides
    from ..geo.gazetteer import Gazetteer

    if not gold.is_file():
        raise InputError(Errors.E010.format(source=gold))
    lines = read_control_gold(gold)
    gazetteer = Gazetteer.open(settings=settings)
    sides = default_sides()

    def gold_key(line: GoldLine) -> str:
        found = gazetteer.lookup(line.place, country=line.country, kinds=("place",), fuzzy=False, limit=1)
        return f"g{found[0].geonameid}" if found and found[0].geonameid is not None else f"n:{line.place.casefold()}"

    def period_key(period: ControlPeriod) -> str:
        return f"g{period.geonameid}" if period.geonameid is not None else f"n:{period.place.casefold()}"

    def same_holder(predicted: str, truth: str) -> bool:
        return predicted == holder(sides.registry.canonical_name(truth) or truth, sides)[1]

    store = open_db(settings)
    with store.connect() as conn:
        periods = list(q.iter_control_periods(conn))
    store.close()
    score = score_control(
        periods,
        lines,
        place_key=gold_key,
        period_key=period_key,
        same_holder=same_holder,
        date_from=parse_published(date_from),
        date_to=parse_published(date_to),
    )
    result = score.as_dict()
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        return
    title = f"{gold.name}: {result['place_days']} place-days, {result['from']} to {result['to']}"
    table = Table("place", "days", "right", "holder right", title=title)
    for place, values in result["places"].items():
        table.add_row(place, str(values["days"]), f"{values['share_right']:.3f}", str(values["holder_right"]))
    table.add_row("all", str(result["place_days"]), f"{result['share_right']:.3f}", str(result["holder_right"]))
    console.print(table)
    names = ", ".join(f"{name} ({n})" for name, n in result["holder_names"].items())
    console.print(f"Holders named on those days: {names}", highlight=False)


def _place_centre(conn: Connection, place: str, settings: Settings) -> tuple[float, float]:
    """Where a named place is, by the same lookup as the events' --place filter (an unknown place is E017)."""
    centre = build_filter(conn, FilterTerms(place=place, radius_km=0), names=NameResolver(settings)).near
    if centre is None:
        raise InputError(Errors.E017.format(name="place", reason=f"no place named {place!r}"))
    return centre
