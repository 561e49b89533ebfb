"""The report's drawings: the control map (areas, front line, admin-1 borders, labels that never collide) and the
events-per-day chart, as SVG with real text (so the PDF keeps it searchable and a test can read where it is).

Labels are placed greedily in the order of their weight (settlements first, then admin-1 names, then countries):
each tries eight positions around its point, then the same farther out with a leader line; a label that fits
nowhere inside the frame without touching another label or a settlement's marker is left out, except a
settlement's, which is always drawn (the last resort is a smaller font). The legend sits under the map, never on it.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from matplotlib import rcParams
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure as MplFigure
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath
from matplotlib.text import Annotation, Text
from matplotlib.transforms import Bbox
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from ..models import Event
from .areas import ControlMap, borders, country_counts

# One colour per holder, in order of first appearance; distinct on a pale map and in greyscale print.
HOLDER_COLOURS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#1f78b4")
TYPE_COLOURS = {
    "Battles": "#d62728",
    "Explosions/Remote violence": "#ff7f0e",
    "Violence against civilians": "#9467bd",
    "Protests": "#2ca02c",
    "Riots": "#8c564b",
    "Strategic developments": "#1f77b4",
}
# (dx, dy) in points and the text's anchor: right, left, above, below, then the diagonals.
_SPOTS = [
    (5, 0, "left", "center"),
    (-5, 0, "right", "center"),
    (0, 5, "center", "bottom"),
    (0, -5, "center", "top"),
    (4, 4, "left", "bottom"),
    (-4, 4, "right", "bottom"),
    (4, -4, "left", "top"),
    (-4, -4, "right", "top"),
]
LABEL_PAD_PX = 2.0
# How much farther than the first ring a crowded settlement's name may go, with a leader line to its point.
FAR_SCALES = (2.0, 3.0, 4.5, 6.5, 9.0)
LABEL_GAP_PX = 3.0  # clear space around a label: its pale box reaches past the text
ALERT_COLOUR = "#c0002a"  # alert rings and their marks: no holder's colour is this red


@dataclass
class Label:
    """A name to write on the map at a point."""

    text: str
    lon: float
    lat: float
    kind: str  # "place" and "alert" (always drawn), "admin1" or "country" (dropped when they do not fit)
    size: float = 8.0


@dataclass
class AlertMark:
    """An alert to ring on the map, with the mark ("A1") that its row in the report's alerts table carries."""

    mark: str
    lon: float
    lat: float


@dataclass
class PlacedLabel:
    """Where a label went, in display pixels of the figure (for tests and the HTML's alt text)."""

    text: str
    kind: str
    bbox: tuple[float, float, float, float]


@dataclass
class MapDrawing:
    """The map as SVG, and what was drawn where."""

    svg: bytes
    labels: list[PlacedLabel]
    frame: tuple[float, float, float, float]
    dropped: list[str]


def holder_colours(actors: Sequence[str]) -> dict[str, str]:
    """A colour for each holder, stable for the given order."""
    return {actor: HOLDER_COLOURS[i % len(HOLDER_COLOURS)] for i, actor in enumerate(dict.fromkeys(actors))}


def draw_control_map(
    cmap: ControlMap,
    *,
    colours: Mapping[str, str],
    title: str,
    size: tuple[float, float] = (7.0, 6.4),
    dates: Mapping[str, dt.date] | None = None,
    alerts: Sequence[AlertMark] = (),
) -> MapDrawing:
    """The control map of one day as SVG.

    Args:
        cmap: Areas, front line and settlements of the day.
        colours: A colour per holder (`holder_colours`).
        title: The map's title.
        size: Width and height in inches.
        dates: Per place, the day it changed hands, written under its name.
        alerts: Alerts to ring in red, their marks written beside the ring (one ring and one label per point).

    Returns:
        The SVG bytes and where each label was placed.
    """
    points = [(h.longitude, h.latitude) for h in cmap.holdings]
    counts = country_counts(points)
    west, south, east, north = _extent(points, counts)
    # The figure's height follows the view's shape, so the frame is filled; the legend gets its own band below.
    width = size[0]
    rings = _alert_rings(alerts)
    legend_in = 0.25 + 0.17 * (_legend_rows(cmap) + (1 if rings else 0))
    map_in = min(
        size[1], (width - 0.1) * (north - south) / ((east - west) * math.cos(math.radians((south + north) / 2)))
    )
    height = map_in + legend_in + 0.35
    figure = MplFigure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(figure)  # a renderer to measure text with, before the SVG is written
    ax = figure.add_axes((0.05 / width, legend_in / height, (width - 0.1) / width, map_in / height))
    ax.set_title(title, loc="left", fontsize=10, fontweight="bold")
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect(1 / math.cos(math.radians((south + north) / 2)), adjustable="box")
    ax.set_facecolor("#dfeaf2")  # the sea, where the land polygons leave it
    ax.set_xticks([])
    ax.set_yticks([])
    view = box(west - 1, south - 1, east + 1, north + 1)
    shown = set(counts)
    for name, _country, _label, geometry in borders("countries"):
        if geometry.intersects(view):
            fill = "#fbfaf6" if name in shown else "#ecebe6"
            _add_geometry(ax, geometry.intersection(view), facecolor=fill, edgecolor="#8a8a8a", linewidth=0.8, zorder=1)
    admin_lines = []
    for _name, country, _label, geometry in borders("admin1"):
        if country in shown and geometry.intersects(view):
            for ring in _rings(geometry):
                admin_lines.append(ring)
    ax.add_collection(LineCollection(admin_lines, colors="#9c9282", linewidths=0.5, linestyles=(0, (3, 2)), zorder=2))
    for area in cmap.areas:
        colour = colours.get(area.actor, "#888888")
        contested = area.status == "contested"
        alpha = 0.22 if area.inferred else 0.45
        _add_geometry(
            ax,
            area.geometry,
            facecolor=colour if not contested else "none",
            alpha=None,
            zorder=3,
            edgecolor=colour,
            linewidth=0.9,
            fill_alpha=alpha,
            hatch="////" if contested else None,
        )
    if cmap.front is not None and not cmap.front.is_empty:
        ax.add_collection(LineCollection(_lines(cmap.front), colors="#111111", linewidths=2.2, zorder=5))
    for h in cmap.holdings:
        ax.plot(
            h.longitude, h.latitude, "o", ms=4, mfc=colours.get(h.actor, "#888888"), mec="#222222", mew=0.7, zorder=6
        )
    labels = [
        Label(
            h.place + (f" ({dates[h.place].day} {dates[h.place]:%b})" if dates and h.place in dates else ""),
            h.longitude,
            h.latitude,
            "place",
            8.0,
        )
        for h in cmap.holdings
    ]
    for name, country, point, _geometry in borders("admin1"):
        if country in shown and point is not None:
            labels.append(Label(name, point[0], point[1], "admin1", 7.0))
    for name, _country, point, _geometry in borders("countries"):
        if name not in shown and point is not None and west < point[0] < east and south < point[1] < north:
            labels.append(Label(name.upper(), point[0], point[1], "country", 7.0))
    for (lon, lat), marks in rings.items():
        ax.plot(lon, lat, "o", ms=11, mfc="none", mec=ALERT_COLOUR, mew=1.6, zorder=7)
        labels.append(Label(", ".join(marks), lon, lat, "alert", 7.5))
    _legend(figure, cmap, colours, alerts=bool(rings))
    figure.canvas.draw()  # fixes the layout, so text extents are final
    markers = [(h.longitude, h.latitude, 3.0) for h in cmap.holdings] + [(lon, lat, 6.5) for lon, lat in rings]
    placed, dropped = place_labels(ax, labels, markers=markers)
    frame = tuple(ax.get_window_extent().extents)
    buffer = io.BytesIO()
    with _svg_text():
        figure.savefig(buffer, format="svg")
    return MapDrawing(svg=buffer.getvalue(), labels=placed, frame=frame, dropped=dropped)  # type: ignore[arg-type]


def _extent(
    points: Sequence[tuple[float, float]], counts: Mapping[str, int] | None = None
) -> tuple[float, float, float, float]:
    """The map's view: the countries the settlements lie in, with a margin; else the settlements themselves.

    A country with less than a fifth of the settlements does not frame the view: a town on a border that the
    small-scale outline puts across it ("Kobani" in Turkey) must not add a whole neighbour to the map.
    """
    counts = country_counts(points) if counts is None else counts
    names = {name for name, n in counts.items() if n >= 0.2 * len(points)}
    shapes = [g for name, _c, _l, g in borders("countries") if name in names]
    if shapes:
        west, south, east, north = shapes[0].bounds
        for geometry in shapes[1:]:
            w, s, e, n = geometry.bounds
            west, south, east, north = min(west, w), min(south, s), max(east, e), max(north, n)
    elif points:
        west, south = min(p[0] for p in points), min(p[1] for p in points)
        east, north = max(p[0] for p in points), max(p[1] for p in points)
    else:
        west, south, east, north = -10.0, -10.0, 10.0, 10.0
    pad = 0.25
    return west - pad, south - pad, east + pad, north + pad


def _alert_rings(alerts: Sequence[AlertMark]) -> dict[tuple[float, float], list[str]]:
    """One ring per point, with the marks of every alert there ("A1, A3")."""
    rings: dict[tuple[float, float], list[str]] = {}
    for alert in alerts:
        rings.setdefault((round(alert.lon, 4), round(alert.lat, 4)), []).append(alert.mark)
    return rings


def place_labels(
    ax: Axes, labels: Sequence[Label], *, markers: Sequence[tuple[float, float, float]]
) -> tuple[list[PlacedLabel], list[str]]:
    """Write the labels where they collide with nothing, in order of kind, inside the axes' frame.

    Args:
        ax: The map's axes.
        labels: The names to write.
        markers: (longitude, latitude, half-size in pixels) of each marker no label may cover.

    Returns:
        The placed labels with their boxes in display pixels, and the texts of the labels left out.
    """
    renderer = ax.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    frame = ax.get_window_extent()
    taken: list[Bbox] = []
    for lon, lat, half in markers:
        x, y = ax.transData.transform((lon, lat))
        taken.append(Bbox.from_extents(x - half, y - half, x + half, y + half))
    placed: list[PlacedLabel] = []
    dropped: list[str] = []
    order = {"place": 0, "alert": 1, "admin1": 2, "country": 3}
    for label in sorted(labels, key=lambda item: order.get(item.kind, 4)):
        style = _style(label)
        text = _fit(ax, renderer, label, style, frame, taken)
        if text is None and label.kind in ("place", "alert"):
            text = _fit(ax, renderer, label, {**style, "fontsize": label.size - 1.5}, frame, taken, far=True)
            if text is None:  # a settlement or an alert is never left out: drawn where it touches least
                text = _annotate(ax, label, _SPOTS[0], style)
        if text is None:
            dropped.append(label.text)
            continue
        extent = _text_box(text, renderer)
        taken.append(extent)
        placed.append(PlacedLabel(text=label.text, kind=label.kind, bbox=tuple(extent.extents)))  # type: ignore[arg-type]
    return placed, dropped


def _text_box(text: Annotation, renderer: RendererBase) -> Bbox:
    """The box of a label's text alone: an annotation's own extent takes in its leader line, which always reaches
    its point's marker."""
    text.update_positions(renderer)
    return Text.get_window_extent(text, renderer)


def _style(label: Label) -> dict[str, object]:
    if label.kind == "place":
        return {"fontsize": label.size, "fontweight": "bold", "color": "#111111"}
    if label.kind == "alert":
        return {"fontsize": label.size, "fontweight": "bold", "color": ALERT_COLOUR}
    if label.kind == "admin1":
        return {"fontsize": label.size, "fontstyle": "italic", "color": "#6b6250"}
    return {"fontsize": label.size, "color": "#8a8a8a"}


def _annotate(
    ax: Axes, label: Label, spot: tuple[float, float, str, str], style: Mapping[str, object], *, arrow: bool = False
) -> Annotation:
    dx, dy, ha, va = spot
    props: dict[str, Any] = dict(style)
    if arrow:
        props["arrowprops"] = {"arrowstyle": "-", "color": "#555555", "lw": 0.5}
    if label.kind in ("place", "alert"):  # a pale box, so a name stays legible over an area's edge
        props["bbox"] = {"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.6}
    return ax.annotate(
        label.text,
        (label.lon, label.lat),
        xytext=(dx, dy),
        textcoords="offset points",
        ha=ha,
        va=va,
        parse_math=False,
        zorder=8,
        annotation_clip=False,
        **props,
    )


def _fit(
    ax: Axes,
    renderer: RendererBase,
    label: Label,
    style: Mapping[str, object],
    frame: Bbox,
    taken: Sequence[Bbox],
    *,
    far: bool = False,
) -> Annotation | None:
    scales = FAR_SCALES if far else (1.0,)
    inner = Bbox.from_extents(
        frame.x0 + LABEL_PAD_PX, frame.y0 + LABEL_PAD_PX, frame.x1 - LABEL_PAD_PX, frame.y1 - LABEL_PAD_PX
    )
    for scale in scales:
        for dx, dy, ha, va in _SPOTS:
            text = _annotate(ax, label, (dx * scale, dy * scale, ha, va), style, arrow=far)
            extent = _text_box(text, renderer)
            fits = inner.containsx(extent.x0) and inner.containsx(extent.x1)
            fits = fits and inner.containsy(extent.y0) and inner.containsy(extent.y1)
            if fits and not any(extent.padded(LABEL_GAP_PX).overlaps(other) for other in taken):
                return text
            text.remove()
    return None


def _legend(figure: MplFigure, cmap: ControlMap, colours: Mapping[str, str], *, alerts: bool = False) -> None:
    handles: list[object] = []
    seen: set[tuple[str, bool, bool]] = set()
    for area in sorted(cmap.areas, key=lambda a: (a.actor, a.status)):
        key = (area.actor, area.inferred, area.status == "contested")
        if key in seen:
            continue
        seen.add(key)
        colour = colours.get(area.actor, "#888888")
        note = (
            " (contested)"
            if area.status == "contested"
            else " (held before it fell, inferred)"
            if area.inferred
            else ""
        )
        if area.status == "contested":
            handles.append(Patch(facecolor="none", edgecolor=colour, hatch="////", label=area.actor + note))
        else:
            handles.append(
                Patch(
                    facecolor=colour, alpha=0.22 if area.inferred else 0.45, edgecolor=colour, label=area.actor + note
                )
            )
    if cmap.front is not None and not cmap.front.is_empty:
        from matplotlib.lines import Line2D

        handles.append(
            Line2D([], [], color="#111111", lw=2.2, label="front line (where areas of different holders meet)")
        )
    if alerts:
        from matplotlib.lines import Line2D

        ring = {"marker": "o", "ms": 8, "mfc": "none", "mec": ALERT_COLOUR, "mew": 1.4, "lw": 0}
        handles.append(Line2D([], [], label="alert that fired (A1, A2: rows of the Alerts table)", **ring))  # type: ignore[arg-type]
    if handles:
        figure.legend(
            handles=handles, loc="lower left", bbox_to_anchor=(0.0, 0.0), fontsize=7.5, frameon=False, handlelength=2.2
        )


def _legend_rows(cmap: ControlMap) -> int:
    kinds = {(a.actor, a.inferred, a.status == "contested") for a in cmap.areas}
    return len(kinds) + (1 if cmap.front is not None and not cmap.front.is_empty else 0)


def _rings(geometry: BaseGeometry) -> list[list[tuple[float, float]]]:
    out = []
    for polygon in getattr(geometry, "geoms", [geometry]):
        if polygon.geom_type != "Polygon":
            continue
        out.append(list(polygon.exterior.coords))
        out.extend(list(ring.coords) for ring in polygon.interiors)
    return out


def _lines(geometry: BaseGeometry) -> list[list[tuple[float, float]]]:
    return [list(g.coords) for g in getattr(geometry, "geoms", [geometry]) if g.geom_type == "LineString"]


def _add_geometry(
    ax: Axes,
    geometry: BaseGeometry,
    *,
    facecolor: str,
    edgecolor: str,
    linewidth: float,
    zorder: int,
    alpha: float | None = None,
    fill_alpha: float | None = None,
    hatch: str | None = None,
) -> None:
    """Polygons (with holes) as one path patch; the fill's alpha apart from the edge's, so edges stay crisp."""
    vertices: list[tuple[float, float]] = []
    codes: list[int] = []
    for ring in _rings(geometry):
        if len(ring) < 3:
            continue
        vertices.extend(ring)
        codes.extend([int(MplPath.MOVETO)] + [int(MplPath.LINETO)] * (len(ring) - 2) + [int(MplPath.CLOSEPOLY)])
    if not vertices:
        return
    path = MplPath(vertices, codes)
    face = facecolor
    if fill_alpha is not None and facecolor != "none":
        from matplotlib.colors import to_rgba

        face = to_rgba(facecolor, fill_alpha)  # type: ignore[assignment]
    patch = PathPatch(
        path, facecolor=face, edgecolor=edgecolor, linewidth=linewidth, zorder=zorder, alpha=alpha, hatch=hatch
    )
    ax.add_patch(patch)


class _svg_text:
    """Within it, matplotlib writes SVG text as text (searchable, and measurable in the PDF), not as paths."""

    def __enter__(self) -> None:
        self.saved = rcParams["svg.fonttype"], rcParams["svg.hashsalt"]
        rcParams["svg.fonttype"] = "none"
        rcParams["svg.hashsalt"] = "sitrep"  # stable ids: the same data gives the same file

    def __exit__(self, *exc: object) -> None:
        rcParams["svg.fonttype"], rcParams["svg.hashsalt"] = self.saved


def draw_events_chart(events: Sequence[Event], days: Sequence[dt.date]) -> bytes:
    """Events by type per day, stacked, with fatalities per day as a line on a second axis, as SVG."""
    figure = MplFigure(figsize=(7.0, 2.8), dpi=100, layout="constrained")
    ax = figure.add_subplot()
    counts: dict[str, Counter[dt.date]] = defaultdict(Counter)
    deaths: Counter[dt.date] = Counter()
    for event in events:
        if event.event_date is not None:
            counts[event.event_type][event.event_date] += 1
            deaths[event.event_date] += event.fatalities
    labels = [d.strftime("%d %b") for d in days]
    bottom = [0] * len(days)
    for event_type in sorted(counts, key=lambda t: list(TYPE_COLOURS).index(t) if t in TYPE_COLOURS else 99):
        heights = [counts[event_type][d] for d in days]
        ax.bar(labels, heights, bottom=bottom, label=event_type, color=TYPE_COLOURS.get(event_type, "#7f7f7f"))
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    ax.set_ylabel("events", fontsize=8)
    ax.tick_params(axis="x", labelrotation=45, labelsize=7)
    ax.tick_params(axis="y", labelsize=7)
    twin = ax.twinx()
    twin.plot(labels, [deaths[d] for d in days], color="#222222", marker="o", ms=3, lw=1.2, label="fatalities")
    twin.set_ylabel("reported fatalities", fontsize=8)
    twin.tick_params(axis="y", labelsize=7)
    twin.set_ylim(bottom=0)
    handles, names = ax.get_legend_handles_labels()
    more, more_names = twin.get_legend_handles_labels()
    if handles:
        figure.legend(handles + more, names + more_names, loc="outside right upper", fontsize=7, frameon=False)
    buffer = io.BytesIO()
    with _svg_text():
        figure.savefig(buffer, format="svg")
    return buffer.getvalue()
