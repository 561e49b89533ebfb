"""Control as areas: each held settlement's Voronoi cell, cut to a radius and to its country, coloured by holder.

A control period says who holds a settlement, a point. Analysts read control as areas with a front line between
them, so both the report and the web map draw each settlement known to be held on the day as the part of the land
nearer to it than to any other such settlement (its Voronoi cell), no farther than `control_area_km`, and inside the
country it lies in. Land no report speaks of stays blank rather than being given to the nearest side. The front line
is where cells of different holders touch.

Who held a place before its first recorded change is read from the event of that change: the side that lost it
(the other of the event's two actors). Those areas are marked `inferred`. The geometry is computed in kilometres on
a local equirectangular plane (good to well under 1% over a country the size of Syria) and returned in degrees.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPoint, Point, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import linemerge, unary_union

from ..control.timeline import holds, valid_on
from ..models import ControlPeriod, ControlStatus, Event

DATA_DIR = Path(__file__).parent / "web" / "static" / "data"
KM_PER_DEGREE = 111.32
FRONT_TOLERANCE_KM = 0.05


@dataclass(frozen=True)
class Holding:
    """A settlement and who holds it on the day."""

    place: str
    admin1: str | None
    latitude: float
    longitude: float
    actor: str
    status: ControlStatus
    inferred: bool = False
    since: dt.date | None = None
    event_ids: tuple[str, ...] = ()


@dataclass
class ControlArea:
    """The land one holder holds with one status (the union of its settlements' cells)."""

    actor: str
    status: ControlStatus
    inferred: bool
    geometry: BaseGeometry
    places: list[str] = field(default_factory=list)


@dataclass
class ControlMap:
    """Everything a control map draws for one day."""

    date: dt.date
    holdings: list[Holding]
    areas: list[ControlArea]
    front: BaseGeometry | None

    def geojson(self) -> dict[str, Any]:
        """Areas (`kind: "area"`), the front line (`kind: "front"`) and settlements (`kind: "place"`) as GeoJSON."""
        features: list[dict[str, Any]] = []
        for area in self.areas:
            properties = {
                "kind": "area",
                "actor": area.actor,
                "status": area.status,
                "inferred": area.inferred,
                "places": area.places,
            }
            features.append({"type": "Feature", "geometry": _rounded(area.geometry), "properties": properties})
        if self.front is not None and not self.front.is_empty:
            features.append({"type": "Feature", "geometry": _rounded(self.front), "properties": {"kind": "front"}})
        for h in self.holdings:
            properties = {
                "kind": "place",
                "place": h.place,
                "admin1": h.admin1,
                "actor": h.actor,
                "status": h.status,
                "inferred": h.inferred,
                "since": h.since.isoformat() if h.since else None,
                "event_ids": list(h.event_ids),
            }
            point = {"type": "Point", "coordinates": [round(h.longitude, 5), round(h.latitude, 5)]}
            features.append({"type": "Feature", "geometry": point, "properties": properties})
        return {"type": "FeatureCollection", "date": self.date.isoformat(), "features": features}


def holdings_on(periods: Sequence[ControlPeriod], events: Mapping[str, Event], date: dt.date) -> list[Holding]:
    """Who holds each located settlement on `date`: the period in force, else the side that later lost it.

    Args:
        periods: The control timeline (any order).
        events: Events by id, to read the loser of a place's first change.
        date: The day.

    Returns:
        One holding per place, by place name.
    """
    by_place: dict[str, list[ControlPeriod]] = {}
    for period in periods:
        if period.latitude is not None and period.longitude is not None and period.place:
            by_place.setdefault(period.place, []).append(period)
    out: list[Holding] = []
    for _place, found in sorted(by_place.items()):
        found.sort(key=lambda p: p.valid_from)
        current = next((p for p in found if valid_on(p, date)), None)
        if current is not None:
            out.append(_holding(current, current.actor, current.status, inferred=False))
            continue
        first = found[0]
        if first.valid_from <= date:
            continue  # a gap in the timeline: nobody is known to hold it that day
        loser = _loser(first, events)
        if loser is not None:
            out.append(_holding(first, loser, "assessed", inferred=True))
    return out


def _holding(period: ControlPeriod, actor: str, status: ControlStatus, *, inferred: bool) -> Holding:
    return Holding(
        place=period.place,
        admin1=period.admin1,
        latitude=float(period.latitude or 0.0),
        longitude=float(period.longitude or 0.0),
        actor=actor,
        status=status,
        inferred=inferred,
        since=None if inferred else period.valid_from,
        event_ids=() if inferred else tuple(period.event_ids),
    )


def _loser(period: ControlPeriod, events: Mapping[str, Event]) -> str | None:
    """The side that lost a place in the change that starts `period`: the event's one actor not on the holder's side."""
    for event_id in period.event_ids:
        event = events.get(event_id)
        if event is None:
            continue
        others = [a for a in (event.actor1, event.actor2) if a and not holds(period, a)]
        others = [a for a in others if period.reported_actor is None or a != period.reported_actor]
        if len(others) == 1:
            return others[0]
    return None


def control_map(holdings: Sequence[Holding], *, date: dt.date, radius_km: float) -> ControlMap:
    """Areas by holder and status, and the front line between holders, from the day's holdings.

    Args:
        holdings: The settlements held that day (`holdings_on`).
        date: The day (kept on the result).
        radius_km: How far a settlement's area reaches at most.

    Returns:
        The map's areas (largest first) and front line (`None` when one side holds everything drawn).
    """
    seeds: list[Holding] = []
    seen: set[tuple[float, float]] = set()
    for holding in holdings:
        key = (round(holding.longitude, 4), round(holding.latitude, 4))
        if key not in seen:  # two names for one point would make an empty Voronoi cell
            seen.add(key)
            seeds.append(holding)
    if not seeds:
        return ControlMap(date=date, holdings=list(holdings), areas=[], front=None)
    lat0 = sum(h.latitude for h in seeds) / len(seeds)
    forward, back = _plane(lat0)
    points = [forward(Point(h.longitude, h.latitude)) for h in seeds]
    land = {id(h): _country_at(h.longitude, h.latitude) for h in seeds}
    if len(points) == 1:
        cells = [points[0].buffer(radius_km)]
    else:
        envelope = MultiPoint(points).envelope.buffer(radius_km * 4)
        regions = shapely.voronoi_polygons(MultiPoint(points), extend_to=envelope)
        cells = []
        for point in points:
            cell = next((g for g in regions.geoms if g.covers(point)), point.buffer(radius_km))
            cells.append(cell.intersection(point.buffer(radius_km, quad_segs=16)))
    clipped: list[BaseGeometry] = []
    for holding, cell in zip(seeds, cells, strict=True):
        country = land[id(holding)]
        clipped.append(cell.intersection(forward(country)) if country is not None else cell)
    groups: dict[tuple[str, str, bool], list[int]] = {}
    for i, holding in enumerate(seeds):
        groups.setdefault((holding.actor, holding.status, holding.inferred), []).append(i)
    areas = [
        ControlArea(
            actor=actor,
            status=status,  # type: ignore[arg-type]
            inferred=inferred,
            geometry=back(unary_union([clipped[i] for i in members])),
            places=sorted(seeds[i].place for i in members),
        )
        for (actor, status, inferred), members in groups.items()
    ]
    areas.sort(key=lambda a: (-a.geometry.area, a.actor))
    return ControlMap(date=date, holdings=list(holdings), areas=areas, front=_front(seeds, clipped, back))


def _front(seeds: Sequence[Holding], cells: Sequence[BaseGeometry], back: Any) -> BaseGeometry | None:
    """The edges shared by cells of different holders, merged into lines."""
    pieces: list[BaseGeometry] = []
    for i in range(len(seeds)):
        for j in range(i + 1, len(seeds)):
            if seeds[i].actor == seeds[j].actor:
                continue
            # The part of one cell's edge within 50 m of the other: their shared edge, robust to rounding.
            shared = cells[i].boundary.intersection(cells[j].buffer(FRONT_TOLERANCE_KM))
            pieces.extend(g for g in getattr(shared, "geoms", [shared]) if g.geom_type == "LineString" and g.length)
    if not pieces:
        return None
    merged = linemerge(unary_union(pieces)) if len(pieces) > 1 else pieces[0]
    return back(merged)


def _plane(lat0: float) -> tuple[Any, Any]:
    """Degrees to kilometres on a plane tangent at latitude `lat0`, and back (functions of a geometry)."""
    scale = np.array([KM_PER_DEGREE * math.cos(math.radians(lat0)), KM_PER_DEGREE])

    def forward(geometry: BaseGeometry) -> BaseGeometry:
        return shapely.transform(geometry, lambda xy: xy * scale)

    def back(geometry: BaseGeometry) -> BaseGeometry:
        return shapely.transform(geometry, lambda xy: xy / scale)

    return forward, back


@lru_cache(maxsize=2)
def borders(name: str) -> tuple[tuple[str, str, tuple[float, float] | None, BaseGeometry], ...]:
    """The shipped Natural Earth borders (`countries` or `admin1`): (name, country, label point, shape) each."""
    collection = json.loads((DATA_DIR / f"{name}.geojson").read_text(encoding="utf-8"))
    out = []
    for feature in collection.get("features", []):
        props = feature.get("properties") or {}
        geometry = shape(feature["geometry"])
        if not geometry.is_valid:
            geometry = geometry.buffer(0)
        label = props.get("label")
        point = (float(label[0]), float(label[1])) if isinstance(label, list) and len(label) == 2 else None
        out.append((str(props.get("name", "")), str(props.get("country", props.get("name", ""))), point, geometry))
    return tuple(out)


def _country_at(lon: float, lat: float) -> BaseGeometry | None:
    """The country a point lies in (or the nearest within 5 km, for a town on a simplified coastline)."""
    point = Point(lon, lat)
    best: tuple[float, BaseGeometry] | None = None
    for _name, _country, _label, geometry in borders("countries"):
        distance = geometry.distance(point)
        if distance == 0:
            return geometry
        if distance < 0.05 and (best is None or distance < best[0]):
            best = (distance, geometry)
    return best[1] if best else None


def country_counts(points: Iterable[tuple[float, float]]) -> dict[str, int]:
    """How many of the (longitude, latitude) points lie in each country, by the country's name."""
    counts: dict[str, int] = {}
    for lon, lat in points:
        point = Point(lon, lat)
        for name, _country, _label, geometry in borders("countries"):
            if geometry.covers(point):
                counts[name] = counts.get(name, 0) + 1
                break
    return counts


def _rounded(geometry: BaseGeometry) -> dict[str, Any]:
    """GeoJSON of a geometry with coordinates to 4 decimals (about 10 m): smaller answers, nothing lost on a map."""
    return dict(mapping(shapely.set_precision(geometry, 1e-4)))
