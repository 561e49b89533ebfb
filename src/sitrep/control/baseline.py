"""A starting picture: who held which settlement on a day, from a user's CSV (`place,actor,date`, and optionally
`country`, `latitude`, `longitude`), with each place found in the gazetteer so that the events at it meet it."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from ..errors import Errors, InputError
from ..fuse.sides import Sides, default_sides
from ..geo.gazetteer import Gazetteer
from ..models import BaselineHolding

REQUIRED = ("place", "actor", "date")


def line_error(path: Path, line: int, reason: str) -> InputError:
    """A user's control CSV (a baseline or a gold) is wrong at a line."""
    return InputError(Errors.E018.format(source=path, line=line, reason=reason))


def read_control_csv(path: Path, required: Sequence[str], *, what: str) -> csv.DictReader[str]:
    """A user's control CSV (a baseline or a gold), its header checked; `what` names it in the error.

    Raises:
        InputError: The file cannot be read, or a required column is missing.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(Errors.E003.format(source=path, reason=e)) from e
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise line_error(path, 1, f"missing column(s) {', '.join(missing)}; {what} needs {', '.join(required)}")
    return reader


def _actor_name(text: str, country: str | None, date: dt.date, sides: Sides) -> str:
    """The registry's name for an actor as the user wrote it ("Syrian army", "HTS"), else the text itself."""
    canonical = sides.registry.canonical_name(text)
    if canonical:
        return canonical
    actor = sides.registry.resolve(text, country=country, on=date)
    return actor.name if actor is not None else text


def read_baseline(path: Path, *, gazetteer: Gazetteer, sides: Sides | None = None) -> list[BaselineHolding]:
    """Read a baseline CSV: one known holder a line.

    Args:
        path: The CSV file (a header with at least place, actor, date).
        gazetteer: Finds each place (the most likely settlement of that name, in `country` when given).
        sides: Actor names; an actor the registry knows is written by its canonical name.

    Returns:
        The holdings, in file order.

    Raises:
        InputError: A missing column, a bad date or coordinate, an unknown place; the message names the line.
    """
    sides = sides or default_sides()
    reader = read_control_csv(path, REQUIRED, what="a baseline")
    holdings: list[BaselineHolding] = []
    for line, row in enumerate(reader, start=2):
        place, actor = (row.get("place") or "").strip(), (row.get("actor") or "").strip()
        if not place or not actor:
            raise line_error(path, line, "place and actor must not be empty")
        try:
            date = dt.date.fromisoformat((row.get("date") or "").strip())
        except ValueError as e:
            raise line_error(path, line, f"bad date {row.get('date')!r}; write it as YYYY-MM-DD") from e
        country = (row.get("country") or "").strip() or None
        try:
            given = [float(row[c]) for c in ("latitude", "longitude") if (row.get(c) or "").strip()]
        except ValueError as e:
            raise line_error(path, line, f"bad coordinates ({e})") from e
        found = gazetteer.lookup(place, country=country, kinds=("place",), fuzzy=False, limit=1)
        if not found and len(given) != 2:
            reason = f"{place!r} is not a place the gazetteer knows: give its latitude and longitude"
            raise line_error(path, line, reason)
        entry = found[0] if found else None
        # A place the gazetteer lacks is kept by name, as events at it are.
        latitude, longitude = given if len(given) == 2 else (entry.latitude, entry.longitude) if entry else (None, None)
        holdings.append(
            BaselineHolding(
                place=place,  # as the user writes it, as the reports do; the gazetteer id joins them
                actor=_actor_name(actor, country, date, sides),
                date=date,
                geonameid=entry.geonameid if entry else None,
                admin1=entry.admin1 if entry else None,
                country=entry.country_name if entry else country,
                latitude=latitude,
                longitude=longitude,
                source=f"baseline {path.name}",
            )
        )
    return holdings


__all__ = ["read_baseline"]
