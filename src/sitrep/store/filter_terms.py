"""What a user types as filters, turned into one `EventFilter`: the one builder behind `sitrep events` and
`GET /api/events`, so that both accept the same words and answer the same events.

Names are matched as people write them, not only as they are stored:
- an event type or sub-type in any case (`battles` is Battles); an unknown one is an error listing the known ones;
- an actor by its name, alias or acronym in the actor registry (`HTS`, `Hayat Tahrir al-Sham` and the stored
  `Hayat Tahrir al Sham` are one actor), besides the text itself;
- an admin1 area in any spelling the gazetteer knows (`Idlib` is the stored `Idleb`, `Daraa` is `Dar'a`);
- a place by the gazetteer's spelling keys (`Tall Rifaat` is the stored `Tal Rifat`).
A place or area that neither the stored events nor the gazetteer know is an error (E017), never an empty answer.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import Connection, func, select

from ..errors import Errors, InputError
from ..taxonomy import load_taxonomy
from .filters import EventFilter, parse_bbox, parse_point
from .schema import events


class FilterValueError(InputError):
    """A filter value out of range (a radius below 0, a box upside down, a point off the globe); the API answers
    422 to it, as to any parameter of the wrong type."""


class FilterTerms(BaseModel):
    """Filters as written on the command line or in a query string; `build_filter` makes them an `EventFilter`."""

    model_config = ConfigDict(extra="forbid")

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    event_type: str | None = None
    sub_event_type: str | None = None
    actor: str | None = None
    admin1: str | None = None
    place: str | None = None
    near: str | None = Field(None, description="'longitude,latitude', the centre for radius_km.")
    radius_km: float | None = None
    bbox: str | None = Field(None, description="'min_lon,min_lat,max_lon,max_lat'.")
    updated_since: dt.datetime | None = None
    include_deleted: bool = False


@dataclass(frozen=True)
class KnownName:
    """A place or area that a name may mean, as the gazetteer knows it."""

    name: str
    country: str
    kind: str
    latitude: float | None = None
    longitude: float | None = None


class NameLookup(Protocol):
    """What the filters need to know of names: the actor registry and the gazetteer, behind one object
    (`sitrep.run.names.NameResolver`), so that the store itself depends on neither."""

    lock: threading.Lock

    def actor_names(self, text: str) -> tuple[str, ...]:
        """The text and the registry name of the actor it names."""
        ...

    def areas(self, text: str) -> list[KnownName]:
        """The admin1 areas a name means (no fuzzy guesses)."""
        ...

    def places(self, text: str) -> list[KnownName]:
        """The places (and areas) a name means, best first (no fuzzy guesses)."""
        ...

    def key(self, text: str) -> str:
        """The spelling key of a name: spelling variants share it."""
        ...

    def suggestion(self, text: str, kinds: tuple[str, ...]) -> str | None:
        """The nearest known name, for a "did you mean"."""
        ...


def build_filter(conn: Connection, terms: FilterTerms, *, names: NameLookup) -> EventFilter:
    """The `EventFilter` for what a user typed, names resolved against the registry, the gazetteer and the stored
    events.

    Args:
        conn: An open connection to the events.
        terms: The filters as written.
        names: The resolver (kept by the caller so that its resources load once).

    Returns:
        The filter.

    Raises:
        InputError: An unknown event type, sub-type, place or admin1 area, a malformed point or box, or values
            out of range (each E017).
    """
    with names.lock:
        fields: dict[str, object] = {
            "date_from": terms.date_from,
            "date_to": terms.date_to,
            "radius_km": terms.radius_km,
            "updated_since": _aware(terms.updated_since),
            "include_deleted": terms.include_deleted or terms.updated_since is not None,
        }
        if terms.event_type:
            fields["event_type"] = event_type(terms.event_type)
        if terms.sub_event_type:
            fields["sub_event_type"] = sub_event_type(terms.sub_event_type)
        if terms.actor and terms.actor.strip():
            fields["actor"] = terms.actor.strip()
            fields["actor_names"] = names.actor_names(terms.actor)
        if terms.admin1 and terms.admin1.strip():
            fields["admin1"] = terms.admin1.strip()
            fields["admin1_names"] = _admin1_names(conn, terms.admin1.strip(), names)
        if terms.bbox:
            fields["bbox"] = parse_bbox(terms.bbox)
        if terms.near:
            fields["near"] = parse_point(terms.near)
        if terms.place and terms.place.strip():
            place = terms.place.strip()
            fields["place"] = place
            spellings, entries = _place_names(conn, place, names)
            fields["place_names"] = spellings
            if terms.radius_km is not None and terms.near is None:
                fields["near"] = _centre(conn, spellings, entries, place)
    try:
        return EventFilter.model_validate(fields)
    except ValidationError as e:
        reason = "; ".join(str(error.get("msg", "invalid")).removeprefix("Value error, ") for error in e.errors())
        raise FilterValueError(Errors.E017.format(name="filters", reason=reason)) from e


def event_type(text: str) -> str:
    """The ACLED event type a text names, in any case.

    Raises:
        InputError: No such type (E017, listing the types).
    """
    known = list(dict.fromkeys(load_taxonomy().event_type.values()))
    return _one_of(text, known, name="event_type", what="an ACLED event type")


def sub_event_type(text: str) -> str:
    """The ACLED sub-event type a text names, in any case.

    Raises:
        InputError: No such sub-type (E017, listing the sub-types).
    """
    return _one_of(text, load_taxonomy().sub_event_types, name="sub_event_type", what="an ACLED sub-event type")


def _one_of(text: str, known: list[str], *, name: str, what: str) -> str:
    wanted = " ".join(text.split()).casefold()
    for value in known:
        if value.casefold() == wanted:
            return value
    raise InputError(Errors.E017.format(name=name, reason=f"{text!r} is not {what}; use one of: {', '.join(known)}"))


def _stored_values(conn: Connection, column: str) -> list[str]:
    """The distinct values of a column of the live events (few: places and areas repeat)."""
    col = events.c[column]
    query = select(col).where(col.is_not(None), events.c.deleted.is_(False)).distinct()
    return [row[0] for row in conn.execute(query) if row[0]]


def _matching(conn: Connection, column: str, spellings: set[str], names: NameLookup) -> list[str]:
    """The stored values of a column that are one of the spellings, in any case or spelling variant."""
    folded = {s.casefold() for s in spellings}
    keys = {names.key(s) for s in spellings} - {""}
    return sorted(v for v in _stored_values(conn, column) if v.casefold() in folded or names.key(v) in keys)


def _admin1_names(conn: Connection, text: str, names: NameLookup) -> tuple[str, ...]:
    areas = names.areas(text)
    spellings = {text} | {a.name for a in areas}
    stored = _matching(conn, "admin1", spellings, names)
    if stored:
        return tuple(stored)
    if areas:
        return (text,)  # a known area with no events: an empty answer, not an error
    raise InputError(Errors.E017.format(name="admin1", reason=_unknown("admin1 area", text, names, ("admin1",))))


def _place_names(conn: Connection, text: str, names: NameLookup) -> tuple[tuple[str, ...], list[KnownName]]:
    entries = names.places(text)
    # The namesakes of the best entry's country only: "Homs" is also an alternate name of Libya's Al Khums.
    entries = [e for e in entries if e.country == entries[0].country] if entries else []
    spellings = {text} | {e.name for e in entries}
    stored = _matching(conn, "location", spellings, names)
    if stored:
        return tuple(stored), entries
    if entries:
        return (text,), entries
    raise InputError(Errors.E017.format(name="place", reason=_unknown("place", text, names, ("place", "admin1"))))


def _unknown(what: str, text: str, names: NameLookup, kinds: tuple[str, ...]) -> str:
    near = names.suggestion(text, kinds)
    hint = f"; did you mean {near!r}?" if near and near.casefold() != text.casefold() else ""
    return f"no {what} called {text!r} is stored or in the gazetteer{hint}"


def _centre(conn: Connection, spellings: tuple[str, ...], entries: list[KnownName], text: str) -> tuple[float, float]:
    """A place's point: where the stored events at it are, else the gazetteer's best entry."""
    query = (
        select(events.c.latitude, events.c.longitude)
        .where(func.lower(events.c.location).in_([s.lower() for s in spellings]), events.c.latitude.is_not(None))
        .limit(1)
    )
    row = conn.execute(query).first()
    if row is not None and row.longitude is not None:
        return float(row.latitude), float(row.longitude)
    for entry in entries:
        if entry.latitude is not None and entry.longitude is not None:
            return entry.latitude, entry.longitude
    raise InputError(Errors.E017.format(name="place", reason=f"{text!r} has no known coordinates"))


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment


__all__ = [
    "FilterTerms",
    "FilterValueError",
    "KnownName",
    "NameLookup",
    "build_filter",
    "event_type",
    "sub_event_type",
]
