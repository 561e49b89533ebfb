"""The situation report: key messages, a control map, the timeline of control, key events, humanitarian figures
with every claimant, and methods, each statement with its sources.

`write_report` reads the store and writes one self-contained file: HTML (drawings embedded as SVG data URIs),
Markdown (the same) or a paged A4 PDF (the same HTML, laid out for print by WeasyPrint, fetching nothing). Article
text is untrusted: HTML goes through Jinja2's autoescape, Markdown through `md_escape`, links only keep http(s)
URLs, matplotlib never parses it as math, and the PDF renderer may load nothing but the embedded drawings.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape

from ..control.alerts import Alert
from ..errors import Errors, InputError
from ..fuse.sides import TERRITORIAL_SUB_TYPES
from ..models import ControlPeriod, Event, Figure, Source
from ..run.alerting import AnyRule, alerts_in_store
from ..run.names import NameResolver
from ..settings import Settings
from ..store import Store
from ..store import queries as q
from ..store.filters import EventFilter
from .areas import ControlMap, control_map, holdings_on
from .report_map import AlertMark, MapDrawing, draw_control_map, draw_events_chart, holder_colours

logger = logging.getLogger(__name__)

FORMATS = (".html", ".htm", ".md", ".pdf")
# The figures a humanitarian reader looks for, in the order the report lists them.
HUMANITARIAN_KINDS = ("displaced", "killed", "injured")
KEY_EVENTS = 12
MAP_SIZE = (4.5, 6.0)  # inches: the largest map that fits under the key messages on an A4 page
DEADLIEST_IN_MESSAGES = 3


@dataclass
class ControlChange:
    """One change of control: who took which place on which day, and who says so."""

    date: dt.date | None
    place: str
    admin1: str | None
    actor: str
    status: str
    text: str | None
    sources: list[Source] = field(default_factory=list)
    event_ids: list[str] = field(default_factory=list)
    latitude: float | None = None
    longitude: float | None = None
    previous: str | None = None
    holder: str = ""  # the holder without "(reported as …)", to group changes by side
    confirmed: bool = False  # the same holder as before, surer now (contested, then assessed)


@dataclass
class Claim:
    """One claimant's figure, with the outlets that carried it."""

    value: float | None
    low: float | None
    high: float | None
    claimant: str
    outlets: list[Source] = field(default_factory=list)
    evidence: str | None = None


@dataclass
class FigureRow:
    """One statistic (a kind, a day, a place) and every claim of it, side by side."""

    kind: str
    date: dt.date | None
    place: str | None
    claims: list[Claim] = field(default_factory=list)

    @property
    def disagree(self) -> bool:
        return len({c.value for c in self.claims}) > 1

    @property
    def top(self) -> float:
        return max((c.value or c.high or 0.0) for c in self.claims) if self.claims else 0.0


@dataclass
class ReportData:
    """Everything a report shows, gathered from the store once and rendered to any format."""

    date_from: dt.date
    date_to: dt.date
    events: list[Event]
    changes: list[ControlChange]
    changes_from_events: bool
    figures: list[FigureRow]
    messages: list[str] = field(default_factory=list)
    key_events: list[Event] = field(default_factory=list)
    maps: dict[str, ControlMap] = field(default_factory=dict)
    drawings: dict[str, bytes] = field(default_factory=dict)
    map_labels: dict[str, MapDrawing] = field(default_factory=dict)
    area_km: float = 25.0
    alerts: list[Alert] | None = None  # the alerts of the user's rules that fired in the period; None: no rules
    alert_sources: list[list[Source]] = field(default_factory=list)  # per alert, the sources of its events

    @property
    def numbered_alerts(self) -> list[tuple[str, Alert, list[Source]]]:
        """The alerts with the marks the map writes beside them ("A1", "A2" ...) and their sources, oldest first."""
        alerts = self.alerts or []
        sources = self.alert_sources or [[] for _ in alerts]
        return [(f"A{i}", alert, found) for i, (alert, found) in enumerate(zip(alerts, sources, strict=True), 1)]

    @property
    def fatalities(self) -> int:
        return sum(event.fatalities for event in self.events)


def write_report(
    store: Store,
    *,
    date: dt.date | None,
    days: int = 7,
    out: Path,
    settings: Settings | None = None,
    rules: Sequence[AnyRule] | None = None,
) -> Path:
    """Write the situation report of the `days` up to `date` to `out` (.html, .md or .pdf).

    Args:
        store: The open database.
        date: The last day of the period; `None` takes the latest event's date (today if there is none).
        days: How many days the period covers, ending on `date`.
        out: The file to write; its suffix picks the format.
        settings: Sitrep settings (`control_area_km`); the defaults when `None`.
        rules: Alert rules (`control.alerts.load_rules`): the alerts they give in the period get a section and
            marks on the control map. `None`: no alerts section.

    Returns:
        The path written.

    Raises:
        InputError: An unknown file suffix or a period of fewer than one day.
    """
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(Errors.E134.format(suffix=out.suffix or out.name, allowed=", ".join(FORMATS)))
    if days < 1:
        raise InputError(Errors.E017.format(name="days", reason="a period of at least one day is needed"))
    data = gather(store, date=date, days=days, settings=settings, rules=rules)
    draw(data)
    if suffix == ".pdf":
        out.write_bytes(render_pdf(data))
    else:
        text = render_markdown(data) if suffix == ".md" else render_html(data)
        out.write_text(text, encoding="utf-8")
    logger.info("report of %s to %s: %d events, written to %s", data.date_from, data.date_to, len(data.events), out)
    return out


def gather(
    store: Store,
    *,
    date: dt.date | None,
    days: int,
    settings: Settings | None = None,
    rules: Sequence[AnyRule] | None = None,
) -> ReportData:
    """Read the period's events, changes of control, control areas, figures and (given rules) alerts."""
    area_km = (settings or Settings()).control_area_km
    with store.connect() as conn:
        date_to = date or q.latest_event_date(conn) or dt.date.today()
        date_from = date_to - dt.timedelta(days=days - 1)
        found = list(q.iter_events(conn, EventFilter(date_from=date_from, date_to=date_to)))
        all_periods = list(q.iter_control_periods(conn, date_to=date_to))
        by_id = {event.event_id: event for event in found}
        for period in all_periods:
            for event_id in period.event_ids:
                if event_id not in by_id and (event := q.get_event(conn, event_id)) is not None:
                    by_id[event_id] = event
        stated = list(q.iter_document_figures(conn, date_from=date_from, date_to=date_to, kinds=HUMANITARIAN_KINDS))
    changes = _changes_from_periods(all_periods, by_id, date_from, date_to)
    from_events = not changes
    if from_events:
        changes = _changes_from_events(found)
    changes.sort(key=lambda c: (c.date or dt.date.min, c.place))
    maps: dict[str, ControlMap] = {}
    for name, day in (("start", date_from - dt.timedelta(days=1)), ("end", date_to)):
        holdings = holdings_on(all_periods, by_id, day)
        if holdings:
            maps[name] = control_map(holdings, date=day, radius_km=area_km)
    sourced = [(f, [Source(document_id=f.document_id, outlet=f.outlet, url=f.url)]) for f in stated]
    rows = figure_rows(found, sourced)
    data = ReportData(
        date_from=date_from,
        date_to=date_to,
        events=found,
        changes=changes,
        changes_from_events=from_events,
        figures=rows,
        maps=maps,
        area_km=area_km,
    )
    data.key_events = sorted(found, key=lambda e: (-e.fatalities, -e.n_sources, e.event_date or dt.date.min))
    data.key_events = [e for e in data.key_events if e.fatalities > 0 or e.sub_event_type in TERRITORIAL_SUB_TYPES]
    data.key_events = sorted(data.key_events[:KEY_EVENTS], key=lambda e: (e.event_date or dt.date.min, e.event_id))
    data.messages = key_messages(data)
    if rules is not None:
        # The alerts `sitrep alerts test` gives, evaluated over the whole store (an alert depends only on what came
        # before it), kept for the period.
        fired = alerts_in_store(store, rules, names=NameResolver(settings))
        data.alerts = [alert for alert in fired if date_from <= alert.date <= date_to]
        with store.connect() as conn:
            for alert in data.alerts:
                behind = [by_id.get(i) or q.get_event(conn, i) for i in alert.event_ids]
                data.alert_sources.append(_unique_sources(s for e in behind if e is not None for s in e.sources))
    return data


def _changes_from_periods(
    periods: Sequence[ControlPeriod], by_id: dict[str, Event], date_from: dt.date, date_to: dt.date
) -> list[ControlChange]:
    out = []
    previous: dict[str, str] = {}
    for period in sorted(periods, key=lambda p: (p.place, p.valid_from)):
        before = previous.get(period.place)
        previous[period.place] = period.actor
        if not date_from <= period.valid_from <= date_to or not period.event_ids:
            continue  # a period with no events is no change: a baseline's holding, or a contest ended quietly
        evidence = [by_id[i] for i in period.event_ids if i in by_id]
        if before is None and evidence:
            losers = [
                a
                for a in (evidence[0].actor1, evidence[0].actor2)
                if a and a not in (period.actor, period.reported_actor)
            ]
            before = losers[0] if len(losers) == 1 else None
        out.append(
            ControlChange(
                date=period.valid_from,
                place=period.place,
                admin1=period.admin1,
                actor=period.actor + (f" (reported as {period.reported_actor})" if period.reported_actor else ""),
                status=period.status,
                text=next((e.notes for e in evidence if e.notes), None),
                sources=_unique_sources(s for e in evidence for s in e.sources),
                event_ids=list(period.event_ids),
                latitude=period.latitude,
                longitude=period.longitude,
                previous=None if before == period.actor else before,
                holder=period.actor,
                confirmed=before == period.actor,
            )
        )
    return out


def _changes_from_events(found: Sequence[Event]) -> list[ControlChange]:
    """No control timeline yet: the territorial battle outcomes are the changes of control, as claimed."""
    return [
        ControlChange(
            date=event.event_date,
            place=event.location or "?",
            admin1=event.admin1,
            actor=event.actor1 or "unknown actor",
            status="claimed" if event.modality == "claimed" else "reported",
            text=event.notes,
            sources=_unique_sources(event.sources),
            event_ids=[event.event_id],
            latitude=event.latitude,
            longitude=event.longitude,
            previous=event.actor2,
            holder=event.actor1 or "unknown actor",
        )
        for event in found
        if event.sub_event_type in TERRITORIAL_SUB_TYPES and event.modality not in ("planned", "denied")
    ]


def figure_rows(found: Sequence[Event], stated: Sequence[tuple[Figure, list[Source]]]) -> list[FigureRow]:
    """Humanitarian figures grouped by kind, day and place, each claimant's value side by side.

    The documents' own figures (`stated`, which include those outside any event) and the events' figures are
    merged; one claimant saying one number for one statistic is one claim, however many outlets carried it. A
    place the period's events never name (a claimant's seat, read as the figure's place) is not shown.
    """
    known = {p.casefold() for e in found for p in (e.location, e.admin1, e.admin2, e.country) if p}
    rows: dict[tuple[str, dt.date | None, str | None], FigureRow] = {}
    items = list(stated) + [(f, _unique_sources(e.sources)) for e in found for f in e.figures]
    for figure, sources in items:
        if figure.kind not in HUMANITARIAN_KINDS:
            continue
        place = figure.place if figure.place and figure.place.casefold() in known else None
        row = rows.setdefault((figure.kind, figure.date, place), FigureRow(figure.kind, figure.date, place))
        claimant = figure.claimant or "unattributed"
        claim = next((c for c in row.claims if c.claimant == claimant and c.value == figure.value), None)
        if claim is None:
            evidence = figure.evidence[0].text if figure.evidence else None
            claim = Claim(figure.value, figure.low, figure.high, claimant, evidence=evidence)
            row.claims.append(claim)
        claim.outlets = _unique_sources([*claim.outlets, *sources])
    order = {kind: i for i, kind in enumerate(HUMANITARIAN_KINDS)}
    out = sorted(rows.values(), key=lambda r: (order[r.kind], r.date or dt.date.min, r.place or ""))
    for row in out:
        row.claims.sort(key=lambda c: (c.value or 0.0, c.claimant))
    return out


def key_messages(data: ReportData) -> list[str]:
    """Three to five sentences an analyst would lead with, written from the data (plain text, escaped later)."""
    messages: list[str] = []
    taken: dict[str, list[ControlChange]] = defaultdict(list)
    for change in data.changes:
        side = taken[change.holder or change.actor]
        if change.status != "contested" and all(c.place != change.place for c in side):
            side.append(change)  # a place once per side: its first change that is not merely contested
    for actor, changes in sorted(taken.items(), key=lambda kv: -len(kv[1]))[:2]:
        places = _join([f"{c.place} ({c.date.day} {c.date:%b})" if c.date else c.place for c in changes])
        messages.append(f"{actor} took {places}.")
    contested = [c for c in data.changes if c.status == "contested"]
    if contested and len(messages) < 2:
        messages.append(f"Fighting contested {_join([c.place for c in contested])}.")
    deadliest = sorted((e for e in data.events if e.fatalities > 0), key=lambda e: -e.fatalities)
    if deadliest:
        parts = []
        for event in deadliest[:DEADLIEST_IN_MESSAGES]:
            # Who gave the figure the event counts, when the figures say; else whom its sources quote.
            stating = {f.claimant for f in event.figures if f.kind == "killed" and f.value == event.fatalities}
            quoted = {c for s in event.sources for c in s.attributed_to}
            who = _join(sorted(c for c in (stating or quoted) if c)) or "unattributed"
            parts.append(
                f"{event.sub_event_type.lower()} at {event.location or 'an unknown place'} on "
                f"{_day(event.event_date)} ({event.fatalities} killed, per {who})"
            )
        messages.append("Deadliest reported events: " + "; ".join(parts) + ".")
    displaced = [r for r in data.figures if r.kind == "displaced"]
    if displaced:
        steps = [
            f"{_join([f'{_number(c.value)} per {c.claimant}' for c in r.claims])}"
            + (f" by {_day(r.date)}" if r.date else "")
            for r in displaced
        ]
        messages.append("Displacement: " + "; ".join(steps) + ".")
    split = [r for r in data.figures if r.disagree and r.kind != "displaced"]
    if split:
        # A row with a place is more surely one statistic than a row of tolls with none (a day's and a war's).
        row = max(split, key=lambda r: (r.place is not None, r.top))
        claims = _join([f"{_number(c.value)} per {c.claimant}" for c in row.claims])
        where = f" at {row.place}" if row.place else ""
        when = f" on {_day(row.date)}" if row.date else ""
        messages.append(f"Figures disagree: {row.kind}{where}{when}, {claims}.")
    if len(messages) < 3:
        messages.append(
            f"{len(data.events)} events were recorded, with {data.fatalities} fatalities by the most "
            "conservative count of each event."
        )
    return messages[:5]


def _day(date: dt.date | None) -> str:
    """'5 Dec': the short day the report writes everywhere."""
    return f"{date.day} {date:%b}" if date else "an unknown day"


def _join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# ---- drawings -------------------------------------------------------------------------------------------------


def draw(data: ReportData) -> None:
    """Draw the control maps and the chart as SVG into `data.drawings`."""
    actors = [a.actor for name in ("start", "end") if name in data.maps for a in data.maps[name].areas]
    colours = holder_colours(sorted(set(actors), key=lambda a: (actors.index(a), a)))
    changed = {c.place: c.date for c in data.changes if c.date is not None}
    titles = {
        "end": f"Control on {_day(data.date_to)} {data.date_to.year}",
        "start": f"Before the period: control on {_day(data.date_from - dt.timedelta(days=1))} {data.date_from.year}",
    }
    marks = [
        AlertMark(mark, alert.longitude, alert.latitude)
        for mark, alert, _sources in data.numbered_alerts
        if alert.latitude is not None and alert.longitude is not None
    ]
    for name, cmap in data.maps.items():
        dates = changed if name == "end" else None
        drawing = draw_control_map(
            cmap, colours=colours, title=titles[name], size=MAP_SIZE, dates=dates, alerts=marks if name == "end" else ()
        )
        data.drawings[f"map_{name}"] = drawing.svg
        data.map_labels[name] = drawing
    days = [data.date_from + dt.timedelta(days=i) for i in range((data.date_to - data.date_from).days + 1)]
    data.drawings["chart"] = draw_events_chart(data.events, days)


# ---- formats --------------------------------------------------------------------------------------------------


def safe_url(url: str | None) -> str | None:
    """The URL if it is http(s), else `None`: a `javascript:` or `data:` link from an article never becomes a link."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def template_environment() -> Environment:
    """The Jinja2 environment of Sitrep's HTML views, autoescaping everything."""
    env = Environment(
        loader=PackageLoader("sitrep.views", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default_for_string=True, default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["safe_url"] = safe_url
    env.filters["number"] = _number
    return env


def _data_uri(svg: bytes) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def render_html(data: ReportData, *, paged: bool = False) -> str:
    """The report as one self-contained HTML page; `paged` lays it out for A4 print (the PDF)."""
    images = {name: _data_uri(svg) for name, svg in data.drawings.items()}
    template = template_environment().get_template("report.html.j2")
    return template.render(data=data, images=images, paged=paged, kinds=HUMANITARIAN_KINDS)


def render_pdf(data: ReportData) -> bytes:
    """The report as an A4 PDF of several pages: the HTML report laid out by WeasyPrint, fetching nothing."""
    from weasyprint import HTML, URLFetcher

    # The drawings are data: URIs; nothing else an article smuggled in is ever fetched.
    fetcher = URLFetcher(allowed_protocols=("data",), timeout=1)
    document = HTML(string=render_html(data, paged=True), url_fetcher=fetcher)
    return bytes(document.write_pdf())


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


def md_escape(text: object) -> str:
    """Text for Markdown: HTML-escaped (renderers pass raw HTML through) and markup characters backslashed."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(str(text), quote=False))


def _md_sources(sources: Iterable[Source]) -> str:
    parts = []
    for source in sources:
        outlet = md_escape(source.outlet or "unknown outlet")
        url = safe_url(source.url)
        claim = f" (per {md_escape(', '.join(source.attributed_to))})" if source.attributed_to else ""
        # A URL inside <...> needs only its angle brackets and spaces encoded to stay one link.
        link = f"[{outlet}](<{url.replace('<', '%3C').replace('>', '%3E').replace(' ', '%20')}>)" if url else outlet
        parts.append(link + claim)
    return "; ".join(parts) or "no source recorded"


def render_markdown(data: ReportData) -> str:
    """The report as one Markdown file, drawings embedded as data URIs."""
    lines = [f"# Situation report, {data.date_from:%d %b %Y} to {data.date_to:%d %b %Y}", "", "## Key messages", ""]
    lines += [f"- {md_escape(message)}" for message in data.messages]
    for name, caption in (("map_end", "Control at the end of the period"), ("map_start", "Control before it")):
        if name in data.drawings:
            lines += ["", f"![{caption}]({_data_uri(data.drawings[name])})"]
    if data.alerts is not None:
        lines += ["", "## Alerts", ""]
        for mark, alert, sources in data.numbered_alerts:
            lines.append(
                f"- **{mark}, {alert.date}**: {md_escape(alert.rule)} ({md_escape(alert.when)}) at "
                f"{md_escape(alert.place)}"
                + (f", {md_escape(alert.actor)}" if alert.actor else "")
                + f". {md_escape(alert.detail)}. Sources: {_md_sources(sources)}"
            )
            lines += [f"  > {md_escape(sentence)}" for sentence in alert.evidence]
        if not data.alerts:
            lines.append("No alert rule fired in this period.")
    lines += ["", "## Changes of control", ""]
    if data.changes_from_events and data.changes:
        lines += ["_From the territorial battle outcomes in the events; no control timeline is stored yet._", ""]
    for change in data.changes:
        where = md_escape(change.place) + (f" ({md_escape(change.admin1)})" if change.admin1 else "")
        lines.append(
            f"- **{change.date or '?'}**: {md_escape(change.actor)} took {where}"
            + (f" from {md_escape(change.previous)}" if change.previous else "")
            + f", {md_escape(change.status)}. Sources: {_md_sources(change.sources)}"
        )
        if change.text:
            lines.append(f"  > {md_escape(change.text.strip())}")
    if not data.changes:
        lines.append("No change of control was reported in this period.")
    lines += ["", "## Humanitarian figures", ""]
    for row in data.figures:
        claims = "; ".join(
            f"**{_number(c.value)}** per {md_escape(c.claimant)} ({_md_sources(c.outlets)})" for c in row.claims
        )
        where = f" at {md_escape(row.place)}" if row.place else ""
        lines.append(f"- {md_escape(row.kind)}{where}, {row.date or 'undated'}: {claims}")
    if not data.figures:
        lines.append("No humanitarian figures were stated in this period.")
    if "chart" in data.drawings:
        lines += ["", f"![Events by type and fatalities per day]({_data_uri(data.drawings['chart'])})"]
    lines += ["", "## Events", ""]
    for event in data.events:
        actors = " vs ".join(md_escape(a) for a in (event.actor1, event.actor2) if a) or "unknown actors"
        where = md_escape(", ".join(p for p in (event.location, event.admin1) if p) or "unknown place")
        lines.append(
            f"- **{event.event_date or '?'}** {md_escape(event.sub_event_type)}: {actors}, {where}; "
            f"{event.fatalities} fatalities. Sources: {_md_sources(event.sources)}"
        )
        if event.notes:
            lines.append(f"  > {md_escape(event.notes.strip())}")
    return "\n".join(lines) + "\n"


def _number(value: float | None) -> str:
    if value is None:
        return "?"
    if value >= 1_000_000 and value % 100_000 == 0:
        return f"{value / 1_000_000:g} million"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _unique_sources(sources: Iterable[Source]) -> list[Source]:
    seen: dict[tuple[str | None, str | None], Source] = {}
    for source in sources:
        seen.setdefault((source.outlet, source.url), source)
    return list(seen.values())
