"""Reading a control timeline: who holds what on a day, how far a side's nearest held settlement is from a city,
the distances the sources report, and the timeline as JSON records and GeoJSON."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..distance import haversine_km
from ..fuse.sides import Sides, default_sides
from ..models import ControlPeriod, Event, Figure


def holds(period: ControlPeriod, side: str, sides: Sides | None = None) -> bool:
    """Whether a period's holder is (or its name contains) `side`, or is on the same side (a coalition and its
    members)."""
    if side.casefold() in period.actor.casefold():
        return True
    sides = sides or default_sides()
    a, b = sides.side(period.actor), sides.side(side)
    return a is not None and b is not None and a.key == b.key and a.key != "*"


def valid_on(period: ControlPeriod, date: dt.date) -> bool:
    """Whether a period covers a date."""
    return period.valid_from <= date and (period.valid_to is None or date <= period.valid_to)


def front_distance(
    periods: Sequence[ControlPeriod],
    city: str,
    side: str,
    date: dt.date,
    coords: tuple[float, float] | Mapping[str, tuple[float, float]],
    *,
    sides: Sides | None = None,
) -> float | None:
    """Kilometres from a city to the nearest settlement `side` holds on `date` (0 if it holds the city).

    Args:
        periods: A control timeline.
        city: The city's name.
        side: An actor or coalition name.
        date: The day.
        coords: The city's (latitude, longitude), or a mapping of place names to coordinates.
        sides: Actor sides; defaults to the packaged registry.

    Returns:
        The distance, or `None` when the side holds no located settlement that day or the city has no coordinates.
    """
    if isinstance(coords, tuple):
        centre: tuple[float, float] | None = coords
    else:
        centre = coords.get(city)
    if centre is None:
        return None
    held = [
        p
        for p in periods
        if valid_on(p, date) and p.latitude is not None and p.longitude is not None and holds(p, side, sides)
    ]
    if not held:
        return None
    return round(min(haversine_km(centre[0], centre[1], p.latitude or 0.0, p.longitude or 0.0) for p in held), 1)


def period_record(period: ControlPeriod) -> dict[str, Any]:
    """A period as the `sitrep control --format json` contract has it, plus `reported_actor` when the holder was
    resolved from a loose name, and the sources that make it assessed or claim it."""
    return (
        {
            "place": period.place,
            "admin1": period.admin1,
            "latitude": period.latitude,
            "longitude": period.longitude,
            "actor": period.actor,
            "status": period.status,
            "valid_from": period.valid_from.isoformat(),
            "valid_to": period.valid_to.isoformat() if period.valid_to else None,
            "event_ids": list(period.event_ids),
        }
        | ({"reported_actor": period.reported_actor} if period.reported_actor else {})
        | ({"assessed_by": list(period.assessed_by)} if period.assessed_by else {})
        | ({"claimed_by": list(period.claimed_by)} if period.claimed_by else {})
    )


def periods_geojson(periods: Iterable[ControlPeriod]) -> dict[str, Any]:
    """Located periods as a GeoJSON FeatureCollection of points (properties as in `period_record`)."""
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [p.longitude, p.latitude]},
            "properties": period_record(p),
        }
        for p in periods
        if p.latitude is not None and p.longitude is not None
    ]
    return {"type": "FeatureCollection", "features": features}


def reported_distances(events: Iterable[Event], city: str) -> list[Figure]:
    """The distances the sources report to a city ("within 10 km of Hama"), with their claimants."""
    found: list[Figure] = []
    for event in events:
        for figure in event.figures:
            if figure.kind != "distance_km":
                continue
            if (figure.place or event.location or "").casefold() == city.casefold() and figure not in found:
                found.append(figure)
    return found


__all__ = ["front_distance", "holds", "period_record", "periods_geojson", "reported_distances", "valid_on"]
