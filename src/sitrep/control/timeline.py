"""Territorial control: who holds which settlement from which day, how sure we are, and the events that say so.

A control change is an event at a settlement (geo_precision 1) whose sub-type is territorial (a takeover, a
regain, a non-violent transfer) or whose evidence says a side took the place ("entered", "seized", "took full
control"; word lists in `data/control.yaml`). Only the event's own place changes hands: a city's takeover says
nothing about the villages around it.

The winner is actor1 of a takeover; in a transfer, when actor1 is state forces that the text says withdrew or
redeployed, the winner is actor2. Members of a coalition ("HTS-led Military Operations Command") hold as the
coalition. Status: `claimed` when only the winner's side says so; `contested` when the text says the takeover is
partial or fighting goes on, or when an armed clash at the settlement follows it; otherwise `assessed` (an
independent source or the losing side reports it). A period runs until the next change at the settlement.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..distance import haversine_km
from ..errors import DataFileError, Errors
from ..fuse.sides import (
    ARMED_CLASH,
    GOVERNMENT_REGAINS,
    NON_STATE_TAKEOVER,
    TERRITORIAL_SUB_TYPES,
    VOCABULARY_FILE,
    Sides,
    default_sides,
    read_vocabulary,
    string_list,
)
from ..models import ControlPeriod, ControlStatus, Event, Figure
from ..read.actor_data import STATE_KINDS
from ..settings import Settings
from ..store.filters import EventFilter

logger = logging.getLogger(__name__)

STATE_PREFIX = "state:"


@dataclass(frozen=True)
class ControlVocabulary:
    """Sub-types and word patterns that mark control changes (from `data/control.yaml`)."""

    gain_sub_types: frozenset[str]
    transfer_sub_types: frozenset[str]
    gain: re.Pattern[str]
    loss: re.Pattern[str]
    contest: re.Pattern[str]


def _words(words: Sequence[str]) -> re.Pattern[str]:
    alternatives = sorted((re.escape(w).replace(r"\ ", r"\s+") for w in words), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE)


def load_control_vocabulary(path: str | Path | None = None) -> ControlVocabulary:
    """Load the `control` section of `data/control.yaml`.

    Args:
        path: Another vocabulary file.

    Returns:
        The compiled vocabulary.

    Raises:
        DataFileError: A missing section or a malformed list.
    """
    file = Path(path) if path else VOCABULARY_FILE
    section = read_vocabulary(file).get("control")
    if not isinstance(section, dict):
        raise DataFileError(
            Errors.E011.format(path=file, entry="control", field="control", reason="a mapping expected")
        )

    def words(field: str) -> list[str]:
        return string_list(file, section, field, entry="control")

    return ControlVocabulary(
        gain_sub_types=frozenset(words("gain_sub_types")),
        transfer_sub_types=frozenset(words("transfer_sub_types")),
        gain=_words(words("gain_words")),
        loss=_words(words("loss_words")),
        contest=_words(words("contest_words")),
    )


@lru_cache(maxsize=1)
def default_vocabulary() -> ControlVocabulary:
    """The packaged control vocabulary, loaded once."""
    return load_control_vocabulary()


@dataclass
class _Change:
    """One event at one settlement: a side gained it (or fighting contested it) on a date."""

    place_key: str
    event: Event
    side: str
    actor: str
    status: ControlStatus
    fighting_only: bool = False
    reported_actor: str | None = None


def _text(event: Event) -> str:
    parts = [span.text for span in event.evidence]
    if event.notes:
        parts.append(event.notes)
    return " ".join(parts)


def place_key(event: Event) -> str | None:
    """The settlement an event is at: its gazetteer id, else its location name; `None` when not a settlement."""
    if event.geo_precision != 1 or event.event_date is None:
        return None
    if event.geonameid is not None:
        return f"g{event.geonameid}"
    return f"n:{event.location.casefold()}" if event.location else None


def _holder(name: str, sides: Sides) -> tuple[str, str]:
    """(side key, the name shown): a coalition member holds as its coalition."""
    side = sides.side(name)
    if side is None or side.key == "*" or side.key.startswith(STATE_PREFIX):
        return (side.key if side and side.key != "*" else name), name
    coalition = sides.coalition_of(name)
    return side.key, coalition or sides.registry.canonical_name(name) or name


def _change(event: Event, key: str, *, sides: Sides, vocabulary: ControlVocabulary) -> _Change | None:
    text = _text(event)
    territorial = event.sub_event_type in vocabulary.gain_sub_types | vocabulary.transfer_sub_types
    if not territorial and not (event.event_type == "Battles" and vocabulary.gain.search(text)):
        if event.sub_event_type == ARMED_CLASH:
            return _Change(key, event, side="", actor="", status="contested", fighting_only=True)
        return None
    winner = event.actor1
    first, second = sides.side(event.actor1), sides.side(event.actor2)
    first_state = first is not None and first.kind in STATE_KINDS
    second_state = second is not None and second.kind in STATE_KINDS
    if event.sub_event_type == NON_STATE_TAKEOVER and first_state and not second_state:
        winner = event.actor2  # the sub-type says a non-state actor took it: the state forces are the losers
    elif event.sub_event_type != GOVERNMENT_REGAINS and first_state and vocabulary.loss.search(text):
        winner = event.actor2  # the state forces withdrew: the other side gained it
    winner_side = sides.side(winner)
    if winner is None or winner_side is None or winner_side.civilian:
        logger.debug("no control change from %s: no winner named", event.event_id)
        return None
    side, actor = _holder(winner, sides)
    status: ControlStatus = "assessed"
    claimants = [c for c in event.attributed_to if c]
    if (claimants and all(_holder(c, sides)[0] == side for c in claimants)) or (
        not claimants and event.modality == "claimed"
    ):
        status = "claimed"
    if vocabulary.contest.search(text):
        status = "contested"
    return _Change(key, event, side=side, actor=actor, status=status)


def control_timeline(
    events: Iterable[Event],
    *,
    settings: Settings,
    sides: Sides | None = None,
    vocabulary: ControlVocabulary | None = None,
) -> list[ControlPeriod]:
    """Per settlement, who holds it from when to when, with status and evidence.

    Args:
        events: Fused events (deleted ones are ignored).
        settings: Sitrep settings (`offensive_days`, `offensive_km`).
        sides: Actor sides; defaults to the packaged registry.
        vocabulary: Control words; defaults to `data/control.yaml`.

    Returns:
        Periods sorted by place, then valid_from.
    """
    sides = sides or default_sides()
    vocabulary = vocabulary or default_vocabulary()
    live = [event for event in events if not event.deleted]
    fighting = _named_fighting(live, sides) if settings.offensive_days else []
    by_place: dict[str, list[_Change]] = defaultdict(list)
    for event in live:
        key = place_key(event)
        if key is None:
            continue
        change = _change(event, key, sides=sides, vocabulary=vocabulary)
        if change is None:
            continue
        if change.side == change.actor and not change.fighting_only and _loose_armed(change.actor, sides):
            _credit_offensive(change, fighting, sides=sides, settings=settings)
        by_place[key].append(change)
    periods: list[ControlPeriod] = []
    for changes in by_place.values():
        periods.extend(_periods(sorted(changes, key=lambda c: (c.event.event_date, c.event.event_id))))
    return sorted(periods, key=lambda p: (p.place, p.valid_from, p.actor))


def _loose_armed(actor: str, sides: Sides) -> bool:
    """An armed non-state holder with no name of its own ("Unidentified Armed Group (Syria)", "Opposition Rebels")."""
    side = sides.side(actor)
    return side is not None and side.key == "*" and side.kind not in STATE_KINDS and not side.civilian


def _named_fighting(events: Sequence[Event], sides: Sides) -> list[tuple[Event, str]]:
    """Located, dated battles and changes of hands with a named non-state side in them: (event, that side's key).

    A town handed over without a fight ("the army withdrew and HTS entered") shows where the offensive is as well
    as a battle does.
    """
    out = []
    for event in events:
        if event.event_type != "Battles" and event.sub_event_type not in TERRITORIAL_SUB_TYPES:
            continue
        if event.event_date is None or event.latitude is None:
            continue
        for name in (event.actor1, event.actor2):
            side = sides.side(name)
            if side and side.key != "*" and side.kind not in STATE_KINDS and not side.civilian:
                out.append((event, side.key))
    return out


def _credit_offensive(
    change: _Change, fighting: Sequence[tuple[Event, str]], *, sides: Sides, settings: Settings
) -> None:
    """Credit a town that "rebels" took to the named side of the offensive around it.

    Reports of a fast offensive often say only "rebel fighters entered the city"; an analyst reads them as the
    offensive's named side when one named side, and only one, fought in the same country within `offensive_km`
    on that day or in the `offensive_days` before (the offensive that reached the town; a side that arrives later
    is not it). The reported name is kept beside it; with two named sides, or none, the holder stays as reported.
    """
    event = change.event
    if event.event_date is None or event.latitude is None or event.longitude is None:
        return
    window = dt.timedelta(days=settings.offensive_days)
    near = {
        key
        for other, key in fighting
        if other.country == event.country
        and other.event_date is not None
        and dt.timedelta(0) <= event.event_date - other.event_date <= window
        and haversine_km(event.latitude, event.longitude, other.latitude or 0.0, other.longitude or 0.0)
        <= settings.offensive_km
    }
    if len(near) != 1:
        return
    (key,) = near
    change.reported_actor = change.actor
    change.side, change.actor = key, sides.registry.canonical_name(key) or key


def control_filters(vocabulary: ControlVocabulary | None = None) -> list[EventFilter]:
    """The stored events that can change or contest control: battles, and the non-violent transfers (which ACLED
    files under strategic developments). Reading only these keeps a timeline rebuild far below a full scan."""
    vocabulary = vocabulary or default_vocabulary()
    filters = [EventFilter(event_type="Battles")]
    filters += [EventFilter(sub_event_type=sub) for sub in sorted(vocabulary.transfer_sub_types)]
    return filters


def _periods(changes: list[_Change]) -> list[ControlPeriod]:
    out: list[ControlPeriod] = []
    for change in changes:
        date = change.event.event_date
        if date is None:
            continue
        current = out[-1] if out else None
        if change.fighting_only:
            if current is None or current.valid_from >= date:
                continue  # fighting before anyone is known to hold the place: a clash, not a change
            change.side, change.actor = current.actor, current.actor
        if current is not None and current.actor == change.actor and current.status == change.status:
            current.event_ids.append(change.event.event_id)
            continue
        if current is not None and current.valid_from == date and current.actor == change.actor:
            # Two reports of one day: the surer status wins (assessed over contested over claimed).
            rank = {"assessed": 2, "contested": 1, "claimed": 0}
            if rank[change.status] > rank[current.status]:
                current.status = change.status
            current.event_ids.append(change.event.event_id)
            continue
        if current is not None:
            # valid_to is the last day of the period (inclusive), so that one day has one holder.
            current.valid_to = max(current.valid_from, date - dt.timedelta(days=1))
        event = change.event
        out.append(
            ControlPeriod(
                place=event.location or "",
                geonameid=event.geonameid,
                admin1=event.admin1,
                latitude=event.latitude,
                longitude=event.longitude,
                actor=change.actor,
                status=change.status,
                valid_from=date,
                event_ids=[event.event_id],
                reported_actor=change.reported_actor,
            )
        )
    return out


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
    inferred from the offensive around the place."""
    return {
        "place": period.place,
        "admin1": period.admin1,
        "latitude": period.latitude,
        "longitude": period.longitude,
        "actor": period.actor,
        "status": period.status,
        "valid_from": period.valid_from.isoformat(),
        "valid_to": period.valid_to.isoformat() if period.valid_to else None,
        "event_ids": list(period.event_ids),
    } | ({"reported_actor": period.reported_actor} if period.reported_actor else {})


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


__all__ = [
    "ControlVocabulary",
    "control_filters",
    "control_timeline",
    "default_vocabulary",
    "front_distance",
    "holds",
    "load_control_vocabulary",
    "period_record",
    "periods_geojson",
    "place_key",
    "reported_distances",
    "valid_on",
]
