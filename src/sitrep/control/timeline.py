"""Territorial control: who holds which settlement from which day, how sure we are, and the events that say so.

A settlement's timeline starts from what was known (a baseline: `sitrep control load`) and changes only with a
territorial event at it (geo_precision 1; the sub-types in `data/control.yaml`): a takeover, a non-violent transfer,
a base established. Protests, strikes, arrests and clashes never hand a place over. What the other events do:

- Fighting at a held place (an armed clash in which the holder, or an unnamed side, fights; or a takeover the text
  calls partial) makes it contested. The holder stays; the contest ends with an assessed takeover, or when
  `control_quiet_days` pass with no fighting reported there (within the days the reports cover).
- A strike shows that the striker does not hold the place: a takeover by a side that struck the place that day or
  within `control_strike_days` after is refused.
- A takeover reported only by the winner's own voices is claimed; the first independent report after it makes the
  holding assessed from its day (`evidence.read_mark`).

Only places in a country at war open periods (`control_conflict_events` battles or strikes reported there), and a
non-state group holds only in its own country: a passing mention of Qatar or Erbil is no front line. A town taken by
"rebels" is credited to the one named non-state side of the stories that report it, else to the one named side
fighting within `offensive_km` in the `offensive_days` before; the reported name is kept as `reported_actor`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..distance import haversine_km
from ..fuse.sides import Sides, default_sides
from ..models import BaselineHolding, ControlPeriod, ControlStatus, Event
from ..read.actor_data import STATE_KINDS
from ..settings import Settings
from ..store.filters import EventFilter
from .evidence import LOOSE, Mark, holder, home_countries, names_the_town, read_mark
from .front import (
    front_distance,
    holds,
    period_record,
    periods_geojson,
    reported_distances,
    valid_on,
)
from .vocabulary import ControlVocabulary, default_vocabulary, load_control_vocabulary

logger = logging.getLogger(__name__)

DAY = dt.timedelta(days=1)
# The same day, a baseline comes first, then fighting and strikes, then the takeovers they may lead to.
_ORDER = {"baseline": 0, "fight": 1, "strike": 2, "gain": 3}


def place_key(event: Event) -> str | None:
    """The settlement an event is at: its gazetteer id, else its location name; `None` when not a settlement."""
    if event.geo_precision != 1 or event.event_date is None:
        return None
    if event.geonameid is not None:
        return f"g{event.geonameid}"
    return f"n:{event.location.casefold()}" if event.location else None


def control_filters(vocabulary: ControlVocabulary | None = None) -> list[EventFilter]:
    """The stored events that bear on control: battles, strikes, and the territorial sub-types filed under
    strategic developments. Reading only these keeps a timeline rebuild far below a full scan."""
    vocabulary = vocabulary or default_vocabulary()
    filters = [EventFilter(event_type="Battles"), EventFilter(event_type="Explosions/Remote violence")]
    filters += [EventFilter(sub_event_type=sub) for sub in sorted(vocabulary.territorial_sub_types)]
    return filters


@dataclass
class _Item:
    date: dt.date
    kind: str
    mark: Mark | None = None
    holding: BaselineHolding | None = None
    side: str = ""
    actor: str = ""

    def sort_key(self) -> tuple[dt.date, int, str]:
        return self.date, _ORDER[self.kind], self.mark.event.event_id if self.mark else ""


def control_timeline(
    events: Iterable[Event],
    *,
    settings: Settings,
    baseline: Sequence[BaselineHolding] = (),
    sides: Sides | None = None,
    vocabulary: ControlVocabulary | None = None,
) -> list[ControlPeriod]:
    """Per settlement, who holds it from when to when, with status, evidence and sources.

    Args:
        events: Fused events (deleted ones are ignored); those `control_filters` selects are enough.
        settings: Sitrep settings (`control_*`, `offensive_days`, `offensive_km`).
        baseline: Known holders from a day on.
        sides: Actor sides; defaults to the packaged registry.
        vocabulary: Control vocabulary; defaults to `data/control.yaml`.

    Returns:
        Periods sorted by place, then valid_from.
    """
    sides = sides or default_sides()
    vocabulary = vocabulary or default_vocabulary()
    live = [event for event in events if not event.deleted and event.event_date is not None]
    at_war = _countries_at_war(live, vocabulary, settings)
    stories = _story_sides(live, sides, vocabulary)
    fighting = _named_fighting(live, sides, vocabulary) if settings.offensive_days else []
    items: dict[str, list[_Item]] = defaultdict(list)
    for holding in baseline:
        side, actor = holder(holding.actor, sides)
        items[holding.place_key].append(_Item(holding.date, "baseline", holding=holding, side=side, actor=actor))
    # Places the gazetteer lacks, known only from the baseline (by name and point): the reports' events are coded
    # at a town near them, so a takeover that names one plainly is found by its name.
    unlisted = {h.place_key: h for h in baseline if h.geonameid is None and h.latitude is not None}
    for event in live:
        key = place_key(event)
        territorial = event.sub_event_type in vocabulary.territorial_sub_types
        if key is None and event.geo_precision == 2 and territorial:
            # A town taken "in the X countryside" may be coded near the town: it is the town when named plainly.
            key = (
                place_key(event.model_copy(update={"geo_precision": 1})) if names_the_town(event, vocabulary) else None
            )
        keys = [key] if key else []
        if territorial:
            keys += [k for k, h in unlisted.items() if k != key and _names_unlisted(event, h, vocabulary, settings)]
        mark = read_mark(event, sides, vocabulary) if keys else None
        if mark is None or event.event_date is None:
            continue
        if mark.kind == "gain":
            if _loose(mark.actor, sides):
                _credit(mark, stories, fighting, sides=sides, settings=settings)
            if not _may_hold(mark, at_war, sides):
                logger.debug("no control period from %s: %s is not at war there", event.event_id, mark.actor)
                continue
        for place in keys:
            items[place].append(_Item(event.event_date, mark.kind, mark=mark))
    horizon = max((e.event_date for e in live if e.event_date is not None), default=None)
    periods: list[ControlPeriod] = []
    for place_items in items.values():
        periods.extend(_Place(settings, horizon).run(sorted(place_items, key=_Item.sort_key)))
    return sorted(periods, key=lambda p: (p.place, p.valid_from, p.actor))


# ---- where and by whom a place can be held ---------------------------------------------------------------------


def _names_unlisted(event: Event, holding: BaselineHolding, vocabulary: ControlVocabulary, settings: Settings) -> bool:
    """Whether a territorial event is (also) of a baseline place the gazetteer lacks: its text names the place
    plainly, and the event is coded within `fusion_radius_km` of the place's point (not at a namesake far away)."""
    if event.latitude is None or event.longitude is None or holding.latitude is None or holding.longitude is None:
        return False
    km = haversine_km(event.latitude, event.longitude, holding.latitude, holding.longitude)
    return km <= settings.fusion_radius_km and names_the_town(event, vocabulary, holding.place)


def _countries_at_war(events: Sequence[Event], vocabulary: ControlVocabulary, settings: Settings) -> set[str]:
    """Countries with at least `control_conflict_events` battles, strikes or takeovers reported."""
    violent = vocabulary.fighting_sub_types | vocabulary.strike_sub_types | vocabulary.territorial_sub_types
    counts: dict[str, int] = defaultdict(int)
    for event in events:
        if event.country and (event.event_type == "Battles" or event.sub_event_type in violent):
            counts[event.country] += 1
    return {country for country, n in counts.items() if n >= settings.control_conflict_events}


def _may_hold(mark: Mark, at_war: set[str], sides: Sides) -> bool:
    """A holder only in a country at war, and a non-state group only in its own country."""
    country = mark.event.country
    if not country or country not in at_war:
        return False
    side = sides.side(mark.actor)
    homes = home_countries(mark.actor, sides)
    code = sides.registry.country_code(country)
    foreign = bool(homes) and code not in homes
    return not (foreign and side is not None and side.kind not in STATE_KINDS | {"external"})


def _loose(actor: str, sides: Sides) -> bool:
    """An armed non-state holder with no name of its own ("Unidentified Armed Group (Syria)", "Opposition Rebels")."""
    side = sides.side(actor)
    return side is not None and side.key == LOOSE and side.kind not in STATE_KINDS and not side.civilian


def _named_side(name: str | None, sides: Sides, vocabulary: ControlVocabulary) -> str | None:
    side = sides.side(name)
    if side is None or side.key == LOOSE or side.kind in STATE_KINDS or side.kind not in vocabulary.holder_kinds:
        return None
    return side.key


def _documents(event: Event) -> set[str]:
    return {s.document_id for s in event.sources} or {r.split(":", 1)[0] for r in event.report_ids}


def _story_sides(events: Sequence[Event], sides: Sides, vocabulary: ControlVocabulary) -> dict[str, set[str]]:
    """Per document, the named non-state sides its events name: in a story about the HTS-led offensive,
    "rebels" are that offensive's forces."""
    found: dict[str, set[str]] = defaultdict(set)
    for event in events:
        named = {k for k in (_named_side(n, sides, vocabulary) for n in (event.actor1, event.actor2)) if k}
        for document in _documents(event) if named else ():
            found[document] |= named
    return found


def _named_fighting(events: Sequence[Event], sides: Sides, vocabulary: ControlVocabulary) -> list[tuple[Event, str]]:
    """Located, dated battles and changes of hands with a named non-state side in them: (event, that side's key)."""
    out = []
    for event in events:
        if event.event_type != "Battles" and event.sub_event_type not in vocabulary.territorial_sub_types:
            continue
        if event.latitude is None:
            continue
        for name in (event.actor1, event.actor2):
            key = _named_side(name, sides, vocabulary)
            if key:
                out.append((event, key))
    return out


def _credit(
    mark: Mark,
    stories: dict[str, set[str]],
    fighting: Sequence[tuple[Event, str]],
    *,
    sides: Sides,
    settings: Settings,
) -> None:
    """Credit a town that "rebels" took to the one named side of the stories that report it, else to the one
    named side fighting within `offensive_km` on that day or in the `offensive_days` before; with two, or none,
    the holder stays as reported."""
    event = mark.event
    named: set[str] = set()
    for document in _documents(event):
        named |= stories.get(document, set())
    named.discard(mark.loser)
    if len(named) != 1 and event.event_date is not None and event.latitude is not None:
        window = dt.timedelta(days=settings.offensive_days)
        near = [
            (haversine_km(event.latitude, event.longitude or 0.0, other.latitude or 0.0, other.longitude or 0.0), key)
            for other, key in fighting
            if other.country == event.country
            and other.event_date is not None
            and dt.timedelta(0) <= event.event_date - other.event_date <= window
            and key != mark.loser
        ]
        near = [(km, key) for km, key in near if km <= settings.offensive_km]
        # The offensive that reached the town is the one fighting nearest it (another may be far to the north).
        closest = min((km for km, _ in near), default=None)
        named = {key for km, key in near if km == closest}
    if len(named) != 1:
        return
    (key,) = named
    mark.reported_actor = mark.actor
    mark.side, mark.actor = holder(sides.registry.canonical_name(key) or key, sides)


# ---- one settlement's periods ----------------------------------------------------------------------------------


class _Place:
    """Walks one settlement's baseline lines and marks in date order and writes its periods."""

    def __init__(self, settings: Settings, horizon: dt.date | None) -> None:
        self.settings = settings
        self.horizon = horizon
        self.out: list[ControlPeriod] = []
        self.side = ""
        self.settled: ControlStatus | None = None  # the holder's status before a contest
        self.last_fight: dt.date | None = None
        self.strikes: list[tuple[dt.date, str]] = []

    def run(self, items: list[_Item]) -> list[ControlPeriod]:
        self.strikes = [(i.date, i.mark.side) for i in items if i.kind == "strike" and i.mark]
        for item in items:
            self._quiet_until(item.date)
            if item.holding is not None:
                self._baseline(item.holding, item.side, item.actor)
            elif item.mark is not None and item.kind == "fight":
                self._fight(item.mark)
            elif item.mark is not None and item.kind == "gain":
                self._gain(item.mark)
        if self.horizon is not None:
            self._quiet_until(self.horizon + DAY)
        return self.out

    @property
    def current(self) -> ControlPeriod | None:
        return self.out[-1] if self.out else None

    def _open(
        self, date: dt.date, actor: str, status: ControlStatus, like: Event | BaselineHolding | ControlPeriod
    ) -> ControlPeriod:
        current = self.current
        if current is not None and current.valid_from >= date:
            self.out.pop()  # two changes on one day: the later one stands
            current = self.current
            if current is not None:
                current.valid_to = date - DAY
        elif current is not None:
            current.valid_to = date - DAY
        if current is not None:  # one settlement, one name and point, whatever later reports call it
            like = current
        place = (like.location or "") if isinstance(like, Event) else like.place
        period = ControlPeriod(
            place=place, geonameid=like.geonameid, admin1=like.admin1, latitude=like.latitude,
            longitude=like.longitude, actor=actor, status=status, valid_from=date,
        )  # fmt: skip
        self.out.append(period)
        return period

    def _baseline(self, holding: BaselineHolding, side: str, actor: str) -> None:
        period = self._open(holding.date, actor, "assessed", holding)
        period.assessed_by = [holding.source]
        period.reported_actor = holding.actor if holding.actor != actor else None
        self.side, self.settled, self.last_fight = side, "assessed", None

    def _fight(self, mark: Mark) -> None:
        current = self.current
        if current is None or (mark.parties and self.side not in mark.parties and LOOSE not in mark.parties):
            return  # fighting where nobody is known to hold, or between others than the holder
        self.last_fight = mark.event.event_date
        self._contest(mark)

    def _contest(self, mark: Mark) -> None:
        current = self.current
        date = mark.event.event_date
        if current is None or date is None:
            return
        if current.status == "contested":
            _add(current, mark)
            return
        self.settled = current.status
        period = self._open(date, current.actor, "contested", mark.event)
        period.reported_actor = current.reported_actor
        period.assessed_by = list(current.assessed_by)
        _add(period, mark)

    def _gain(self, mark: Mark) -> None:
        date = mark.event.event_date
        if date is None:
            return
        if any(side == mark.side and date <= day <= date + dt.timedelta(days=self.settings.control_strike_days)
               for day, side in self.strikes):  # fmt: skip
            logger.debug("takeover %s refused: %s struck the place", mark.event.event_id, mark.actor)
            return
        current = self.current
        if mark.status == "contested":
            self.last_fight = date
            if current is None:
                self.side, self.settled = mark.side, None
                _add(self._open(date, mark.actor, "contested", mark.event), mark)
            else:
                self._contest(mark)
            return
        same = current is not None and self.side == mark.side and current.status != "contested"
        if current is not None and same and mark.status in (current.status, "claimed"):
            _add(current, mark)  # more evidence of what is known
            return
        period = self._open(date, mark.actor, mark.status, mark.event)
        period.reported_actor = mark.reported_actor
        _add(period, mark)
        self.side, self.settled, self.last_fight = mark.side, mark.status, None

    def _quiet_until(self, date: dt.date) -> None:
        """End a contest when `control_quiet_days` without fighting have passed before `date`."""
        current = self.current
        if current is None or current.status != "contested" or self.last_fight is None or self.settled is None:
            return
        back = self.last_fight + dt.timedelta(days=self.settings.control_quiet_days)
        if back > date or (self.horizon is not None and back > self.horizon):
            return
        before = [p for p in self.out[:-1] if p.actor == current.actor]
        period = self._open(back, current.actor, self.settled, current)
        if before:
            period.assessed_by, period.claimed_by = list(before[-1].assessed_by), list(before[-1].claimed_by)
            period.reported_actor = before[-1].reported_actor
        self.last_fight = None


def _add(period: ControlPeriod, mark: Mark) -> None:
    if mark.event.event_id not in period.event_ids:
        period.event_ids.append(mark.event.event_id)
    if period.status != "claimed":
        period.assessed_by += [v for v in mark.assessed_by if v not in period.assessed_by]
    period.claimed_by += [v for v in mark.claimed_by if v not in period.claimed_by]


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
