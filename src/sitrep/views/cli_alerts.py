"""`sitrep alerts test`: a dry run of alert rules over a database; and the alert options of `sitrep watch`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..control.alerts import Alert, alert_line, load_rules
from ..run.alerting import AlertSink, AlertWatch, alerts_in_store
from ..run.names import NameResolver
from ..settings import Settings
from . import export
from .cli_base import ConfigOption, DbOption, app, command, console, err_console, open_db, settings_from

alerts_app = typer.Typer(
    help="Alert rules: changes of control, fronts nearing a city, deadly events.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(alerts_app, name="alerts")

RULES_HELP = "A YAML list of rules: name, when (control_change, front_within, fatalities_at_least) and its fields."


@command("test", group=alerts_app)
def alerts_test(
    rules_file: Annotated[Path, typer.Argument(help=RULES_HELP, metavar="RULES.yaml")],
    db: DbOption = None,
    config: ConfigOption = None,
    fmt: Annotated[str, typer.Option("--format", help="table, jsonl (one alert a line) or json.")] = "table",
    out: Annotated[Path | None, typer.Option("--out", help="Also append the alerts (JSON Lines) to this file.")] = None,
    webhook: Annotated[str | None, typer.Option("--webhook", help="Also POST each alert (JSON) to this URL.")] = None,
) -> None:
    """Run alert rules over a database, as if every change had just happened: each alert once, oldest first.

    Rules (a YAML list):

    \b
      - name: Hama changes hands
        when: control_change       # place; optional actor (aliases and coalitions count)
        place: Hama
      - name: Front near Homs
        when: front_within         # city, km: a side's nearest held settlement comes within km
        city: Homs
        km: 50
      - name: Deadly events in Idlib
        when: fatalities_at_least  # min; optional admin1 or place
        min: 10
        admin1: Idlib

    An alert is one JSON line: {"rule", "when", "place", "date", "actor", "event_ids",
    "evidence", "detail"}; "evidence" holds the sentences of the events that say so.

    Example: sitrep alerts test rules.yaml --db sitrep.db --format jsonl
    """
    export.check_format(fmt, ("table", "jsonl", "json"))
    rules = load_rules(rules_file)  # a bad file stops here, before the database is opened
    settings = settings_from(config, db=db)
    store = open_db(settings)
    try:
        alerts = alerts_in_store(store, rules, names=NameResolver(settings))
    finally:
        store.close()
    if out is not None or webhook is not None:
        sink = AlertSink(file=out, webhook=webhook, timeout=settings.fetch_timeout)
        for alert in alerts:
            sink.send(alert)
    if fmt == "jsonl":
        for alert in alerts:
            sys.stdout.write(alert_line(alert) + "\n")
    elif fmt == "json":
        records = [json.loads(alert_line(alert)) for alert in alerts]
        sys.stdout.write(json.dumps(records, indent=2, ensure_ascii=False) + "\n")
    else:
        console.print(_alerts_table(alerts, title=f"{len(alerts)} alerts from {len(rules)} rules"))


def _alerts_table(alerts: list[Alert], *, title: str) -> Table:
    table = Table("date", "rule", "place", "what", "events", title=title)
    for alert in alerts:
        table.add_row(alert.date.isoformat(), alert.rule, alert.place, alert.detail, str(len(alert.event_ids)))
    return table


def alert_watch_for(rules_file: Path, settings: Settings, *, out: Path | None, webhook: str | None) -> AlertWatch:
    """What `sitrep watch --alerts` checks after its cycles: the rules, and where their alerts go (standard output
    when neither a file nor a webhook is given).

    Raises:
        InputError: A bad rules file (E140).
    """
    rules = load_rules(rules_file)
    stdout = sys.stdout if out is None and webhook is None else None
    sink = AlertSink(stdout=stdout, file=out, webhook=webhook, timeout=settings.fetch_timeout)
    err_console.print(f"alerts: {len(rules)} rules from {rules_file}", highlight=False)
    return AlertWatch(rules_file, rules, sink, names=NameResolver(settings))


__all__ = ["alert_watch_for", "alerts_app"]
