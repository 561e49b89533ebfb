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
import re
import threading
from functools import cached_property
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import Connection, func, select

from ..errors import Errors, InputError
from ..settings import Settings
from .filters import EventFilter, parse_bbox, parse_point
from .schema import events

if TYPE_CHECKING:
    from ..geo.gazetteer import GazEntry, Gazetteer
    from ..read.actors import ActorRegistry

_PARENS = re.compile(r"\s*\([^)]*\)")


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


class NameResolver:
    """The registry, taxonomy and gazetteer behind the filters, each loaded on first use and shared by every
    request of an API (a lock keeps one lookup at a time)."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings
        self.lock = threading.Lock()

    @cached_property
    def registry(self) -> ActorRegistry:
        from ..read.actors import load_actors

        return load_actors()

    @cached_property
    def gazetteer(self) -> Gazetteer:
        from ..geo.gazetteer import Gazetteer

        return Gazetteer.open(settings=self.settings)

    @cached_property
    def sub_types_by_type(self) -> dict[str, list[str]]:
        from ..read.classify import load_taxonomy

        by_type: dict[str, list[str]] = {}
        for sub_type, event_type in load_taxonomy().event_type.items():
            by_type.setdefault(event_type, []).append(sub_type)
        return by_type

    def event_type(self, text: str) -> str:
        """The ACLED event type a text names, in any case."""
        return _one_of(text, list(self.sub_types_by_type), name="event_type", what="an ACLED event type")

    def sub_event_type(self, text: str) -> str:
        """The ACLED sub-event type a text names, in any case."""
        known = [sub for subs in self.sub_types_by_type.values() for sub in subs]
        return _one_of(text, known, name="sub_event_type", what="an ACLED sub-event type")

    def actor_names(self, text: str) -> tuple[str, ...]:
        """The text, and the registry name of the actor it names (without a period suffix such as "(2000-)")."""
        names = [text.strip()]
        words = " ".join(text.split())
        # Acronyms are stored in capitals; "hts" means HTS.
        for candidate in dict.fromkeys((words, words.upper() if " " not in words else words)):
            actor = self.registry.resolve(candidate)
            if actor is not None:
                names.append(_PARENS.sub("", actor.name).strip() or actor.name)
                break
        return tuple(dict.fromkeys(n for n in names if n))

    def area_entries(self, text: str) -> list[GazEntry]:
        """The admin1 areas a name means (exact names, aliases and spelling variants; never a fuzzy guess)."""
        return [h for h in self.gazetteer.lookup(text, kinds=("admin1",), fuzzy=False, limit=10)]

    def place_entries(self, text: str) -> list[GazEntry]:
        """The places a name means (exact names, aliases and spelling variants; never a fuzzy guess)."""
        return self.gazetteer.lookup(text, kinds=("place", "admin2", "admin1"), fuzzy=False, limit=10)

    def suggestion(self, text: str, kinds: tuple[str, ...]) -> str | None:
        """The nearest known name, for a "did you mean" (a fuzzy lookup, used only to help with an error)."""
        hits = self.gazetteer.lookup(text, kinds=kinds, limit=1)  # type: ignore[arg-type]
        return hits[0].name if hits else None


def build_filter(conn: Connection, terms: FilterTerms, *, names: NameResolver) -> EventFilter:
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
            fields["event_type"] = names.event_type(terms.event_type)
        if terms.sub_event_type:
            fields["sub_event_type"] = names.sub_event_type(terms.sub_event_type)
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


def _matching(conn: Connection, column: str, spellings: set[str], names: NameResolver) -> list[str]:
    """The stored values of a column that are one of the spellings, in any case or spelling variant."""
    folded = {s.casefold() for s in spellings}
    keys = {names.gazetteer.key(s) for s in spellings} - {""}
    return sorted(v for v in _stored_values(conn, column) if v.casefold() in folded or names.gazetteer.key(v) in keys)


def _admin1_names(conn: Connection, text: str, names: NameResolver) -> tuple[str, ...]:
    areas = names.area_entries(text)
    spellings = {text} | {a.name for a in areas}
    stored = _matching(conn, "admin1", spellings, names)
    if stored:
        return tuple(stored)
    if areas:
        return (text,)  # a known area with no events: an empty answer, not an error
    raise InputError(Errors.E017.format(name="admin1", reason=_unknown("admin1 area", text, names, ("admin1",))))


def _place_names(conn: Connection, text: str, names: NameResolver) -> tuple[tuple[str, ...], list[GazEntry]]:
    entries = names.place_entries(text)
    # The namesakes of the best entry's country only: "Homs" is also an alternate name of Libya's Al Khums.
    entries = [e for e in entries if e.country == entries[0].country] if entries else []
    spellings = {text} | {e.name for e in entries}
    stored = _matching(conn, "location", spellings, names)
    if stored:
        return tuple(stored), entries
    if entries:
        return (text,), entries
    raise InputError(Errors.E017.format(name="place", reason=_unknown("place", text, names, ("place", "admin1"))))


def _unknown(what: str, text: str, names: NameResolver, kinds: tuple[str, ...]) -> str:
    near = names.suggestion(text, kinds)
    hint = f"; did you mean {near!r}?" if near and near.casefold() != text.casefold() else ""
    return f"no {what} called {text!r} is stored or in the gazetteer{hint}"


def _centre(conn: Connection, spellings: tuple[str, ...], entries: list[GazEntry], text: str) -> tuple[float, float]:
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


__all__ = ["FilterTerms", "FilterValueError", "NameResolver", "build_filter"]
