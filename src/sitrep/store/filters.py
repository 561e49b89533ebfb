"""One filter grammar for events, shared by `sitrep events` and `GET /api/events`.

Each filter gives a SQLAlchemy clause with bound parameters (never string-built SQL) and a phrase for humans.
"""

from __future__ import annotations

import datetime as dt
import math

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import ColumnElement, and_, func, or_

from ..distance import EARTH_RADIUS_KM, haversine_km
from ..errors import Errors, InputError
from .schema import events


class EventFilter(BaseModel):
    """Which events to return. Every field is optional; all given fields must hold."""

    model_config = ConfigDict(extra="forbid")

    date_from: dt.date | None = Field(None, description="Events on or after this date.")
    date_to: dt.date | None = Field(None, description="Events on or before this date.")
    event_type: str | None = Field(None, description="ACLED event type (e.g. Battles).")
    sub_event_type: str | None = Field(None, description="ACLED sub-event type (e.g. Armed clash).")
    actor: str | None = Field(None, description="An actor's name, alias or acronym (HTS), in actor1 or actor2.")
    admin1: str | None = Field(None, description="First-level admin area, in any spelling the gazetteer knows.")
    place: str | None = Field(None, description="Location name, in any known spelling (or the centre for radius_km).")
    actor_names: tuple[str, ...] = Field(
        (), description="Texts any of which actor1 or actor2 contains (case-insensitive); default: actor."
    )
    admin1_names: tuple[str, ...] = Field((), description="Spellings of admin1 (case-insensitive); default: admin1.")
    place_names: tuple[str, ...] = Field((), description="Spellings of place (case-insensitive); default: place.")
    near: tuple[float, float] | None = Field(None, description="Centre (latitude, longitude) for radius_km.")
    radius_km: float | None = Field(None, description="With a place or near: events within this distance.")
    bbox: tuple[float, float, float, float] | None = Field(None, description="min_lon, min_lat, max_lon, max_lat.")
    updated_since: dt.datetime | None = Field(None, description="Events created, changed or deleted since then.")
    include_deleted: bool = Field(False, description="Also return events fusion has dissolved.")

    @model_validator(mode="after")
    def _check(self) -> EventFilter:
        if self.radius_km is not None and self.radius_km < 0:
            raise ValueError("radius_km must be zero or more")
        if self.near is not None and not (-90 <= self.near[0] <= 90 and -180 <= self.near[1] <= 180):
            raise ValueError("near must be a latitude in [-90, 90] and a longitude in [-180, 180]")
        if self.bbox is not None:
            min_lon, min_lat, max_lon, max_lat = self.bbox
            if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
                raise ValueError("bbox must be min_lon,min_lat,max_lon,max_lat within world bounds")
        return self

    def clauses(self) -> list[ColumnElement[bool]]:
        """The SQL conditions, with bound parameters."""
        c = events.c
        out: list[ColumnElement[bool]] = []
        if not self.include_deleted and self.updated_since is None:
            out.append(c.deleted.is_(False))
        if self.date_from:
            out.append(c.event_date >= self.date_from)
        if self.date_to:
            out.append(c.event_date <= self.date_to)
        if self.event_type:
            out.append(c.event_type == self.event_type)
        if self.sub_event_type:
            out.append(c.sub_event_type == self.sub_event_type)
        actors = self.actor_names or ((self.actor,) if self.actor else ())
        if actors:
            patterns = [f"%{_escape_like(name.lower())}%" for name in actors]
            out.append(
                or_(
                    *(func.lower(c.actor1).like(p, escape="\\") for p in patterns),
                    *(func.lower(c.actor2).like(p, escape="\\") for p in patterns),
                )
            )
        admin1s = self.admin1_names or ((self.admin1,) if self.admin1 else ())
        if admin1s:
            out.append(func.lower(c.admin1).in_(sorted({name.lower() for name in admin1s})))
        places = self.place_names or ((self.place,) if self.place else ())
        if places and self.near is None:
            out.append(func.lower(c.location).in_(sorted({name.lower() for name in places})))
        if self.bbox:
            min_lon, min_lat, max_lon, max_lat = self.bbox
            out.append(and_(c.longitude.between(min_lon, max_lon), c.latitude.between(min_lat, max_lat)))
        if self.near is not None and self.radius_km is not None:
            # A bounding box in SQL narrows the candidates; `within_radius` keeps the exact circle.
            lat, lon = self.near
            dlat = math.degrees(self.radius_km / EARTH_RADIUS_KM)
            dlon = dlat / max(math.cos(math.radians(lat)), 1e-6)
            out.append(and_(c.latitude.between(lat - dlat, lat + dlat), c.longitude.between(lon - dlon, lon + dlon)))
        if self.updated_since:
            out.append(c.updated_at >= self.updated_since)
        return out

    def within_radius(self, latitude: float | None, longitude: float | None) -> bool:
        """The exact distance test that the SQL bounding box approximates."""
        if self.near is None or self.radius_km is None:
            return True
        if latitude is None or longitude is None:
            return False
        return haversine_km(self.near[0], self.near[1], latitude, longitude) <= self.radius_km

    def describe(self) -> str:
        """The filter in words, e.g. 'events of type Battles from 2024-12-01 mentioning actor HTS'."""
        parts = []
        if self.event_type:
            parts.append(f"of type {self.event_type}")
        if self.sub_event_type:
            parts.append(f"of sub-type {self.sub_event_type}")
        if self.date_from:
            parts.append(f"from {self.date_from}")
        if self.date_to:
            parts.append(f"until {self.date_to}")
        if self.actor:
            parts.append(f"with an actor containing {self.actor!r}")
        if self.admin1:
            parts.append(f"in admin1 {self.admin1}")
        if self.place:
            parts.append(
                f"within {self.radius_km:g} km of {self.place}" if self.radius_km is not None else f"at {self.place}"
            )
        if self.bbox:
            parts.append(f"inside bbox {','.join(f'{v:g}' for v in self.bbox)}")
        if self.updated_since:
            parts.append(f"updated since {self.updated_since.isoformat()}")
        return "events " + " ".join(parts) if parts else "all events"


def parse_point(value: str, *, name: str = "near") -> tuple[float, float]:
    """`longitude,latitude` (GeoJSON's order, as in bbox) into (latitude, longitude); `EventFilter` checks the
    range.

    Raises:
        InputError: Not two numbers.
    """
    try:
        lon, lat = (float(v) for v in value.split(","))
    except ValueError as e:
        raise InputError(Errors.E017.format(name=name, reason="'longitude,latitude' expected")) from e
    return lat, lon


def parse_bbox(value: str) -> tuple[float, float, float, float]:
    """`min_lon,min_lat,max_lon,max_lat` into four floats."""
    try:
        numbers = tuple(float(v) for v in value.split(","))
    except ValueError as e:
        raise InputError(Errors.E017.format(name="bbox", reason="four comma-separated numbers expected")) from e
    if len(numbers) != 4:
        raise InputError(Errors.E017.format(name="bbox", reason="four comma-separated numbers expected"))
    return numbers[0], numbers[1], numbers[2], numbers[3]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
