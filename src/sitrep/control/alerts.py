"""Alerts: rules over the control timeline and the events, each firing once per change.

A rules file (YAML) is a list of rules, each with a `name` and a `when`:

```yaml
- name: Hama changes hands
  when: control_change      # a new holder at a place (optionally: a change that the actor wins or loses)
  place: Hama
  actor: HTS                # optional; aliases, acronyms and coalitions count (HTS leads a coalition)
- name: Front near Homs
  when: front_within        # a side's nearest held settlement comes within km of the city
  city: Homs
  km: 50
  actor: HTS                # optional: only this side
- name: Deadly events in Idlib
  when: fatalities_at_least # an event with at least min fatalities (optionally in an admin1 area or at a place)
  min: 10
  admin1: Idlib
```

`evaluate` turns the rules, the control periods and the events into `Alert`s, oldest first. Each alert has a
`key` that names the change it reports (a rule, a place, a holder, a day), so whoever delivers alerts can send
each once however often the rules are evaluated (`sitrep watch` remembers the keys it has sent).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from ..distance import haversine_km
from ..errors import Errors, InputError
from ..fuse.sides import Sides, default_sides
from ..models import ControlPeriod, Event
from .timeline import holds, valid_on

NameKey = Callable[[str], str]
"""Folds a place name for comparison (the gazetteer's spelling key, or plain case folding)."""


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, description="The rule's name, repeated in each of its alerts.")


class ControlChangeRule(_Rule):
    """A place changes hands (optionally: to or from an actor's side)."""

    when: Literal["control_change"]
    place: str = Field(min_length=1)
    actor: str | None = None


class FrontWithinRule(_Rule):
    """A side's nearest held settlement comes within `km` of a city."""

    when: Literal["front_within"]
    city: str = Field(min_length=1)
    km: float = Field(gt=0, le=20_000)
    actor: str | None = None


class FatalitiesRule(_Rule):
    """An event with at least `min` fatalities (optionally in an admin1 area, or at a place)."""

    when: Literal["fatalities_at_least"]
    min: int = Field(ge=1)
    admin1: str | None = None
    place: str | None = None


Rule = Annotated[ControlChangeRule | FrontWithinRule | FatalitiesRule, Field(discriminator="when")]
_RULES = TypeAdapter(list[Rule])


class Alert(BaseModel):
    """One alert, as one JSON line: `{"rule","when","place","date","actor","event_ids","evidence","detail",
    "latitude","longitude"}`."""

    rule: str
    when: str
    place: str
    date: dt.date
    actor: str | None
    event_ids: list[str]
    evidence: list[str] = Field(description="The sentences of the evidence events that say so.")
    detail: str = Field(description="The change in words.")
    # Where to mark it on a map (the place that changed hands, the city the front nears, the deadly event's
    # place); null when nothing locates it.
    latitude: float | None = None
    longitude: float | None = None
    key: str = Field(exclude=True, description="What makes this change one change: sent once per key.")


def load_rules(path: Path) -> list[ControlChangeRule | FrontWithinRule | FatalitiesRule]:
    """Read and validate a rules file.

    Args:
        path: A YAML file holding a list of rules.

    Returns:
        The rules, in file order.

    Raises:
        InputError: The file cannot be read, is not YAML, is not a list of rules, or a rule is wrong (E140, naming
            the rule and the field).
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise InputError(Errors.E140.format(path=path, reason=e.strerror or e)) from e
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        raise InputError(Errors.E140.format(path=path, reason=f"not valid YAML ({_first_line(e)})")) from e
    if not isinstance(data, list) or not data:
        reason = "expected a non-empty list of rules (- name: ... when: ...)"
        raise InputError(Errors.E140.format(path=path, reason=reason))
    try:
        rules = _RULES.validate_python(data)
    except ValidationError as e:
        raise InputError(Errors.E140.format(path=path, reason=_rule_error(data, e))) from e
    names = [rule.name for rule in rules]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InputError(Errors.E140.format(path=path, reason=f"rule names must differ; {twice[0]!r} is used twice"))
    return rules


def _first_line(e: Exception) -> str:
    return " ".join(str(e).split())[:200]


def _rule_error(data: list[Any], error: ValidationError) -> str:
    """The first problem, as a person would say it: which rule (number and name), which field, what is wrong."""
    first = error.errors()[0]
    loc = list(first.get("loc", ()))
    index = loc[0] if loc and isinstance(loc[0], int) else None
    fields = [str(part) for part in loc[1:] if part not in ("control_change", "front_within", "fatalities_at_least")]
    where = "a rule"
    if index is not None:
        item = data[index]
        name = item.get("name") if isinstance(item, dict) else None
        where = f"rule {index + 1}" + (f" ({name!r})" if isinstance(name, str) else "")
    message = str(first.get("msg", "invalid"))
    if first.get("type") == "union_tag_invalid" or first.get("type") == "union_tag_not_found":
        message = "'when' must be one of control_change, front_within, fatalities_at_least"
        fields = []
    elif first.get("type") == "extra_forbidden":
        message = "unknown field"
    return f"{where}{', ' + '.'.join(fields) if fields else ''}: {message}"


@dataclass
class _Context:
    periods: list[ControlPeriod]
    events: dict[str, Event]
    sides: Sides
    key: NameKey
    resolve_actor: Callable[[str], str]
    locate: Callable[[str], tuple[float, float] | None]
    spellings: Callable[[str, str], set[str]]

    def same(self, kind: str, value: str | None, wanted: str) -> bool:
        """Whether a stored name is one of the spellings of a rule's place or area."""
        if not value:
            return False
        return self.key(value) in {self.key(s) for s in self.spellings(kind, wanted) | {wanted}}


def evaluate(
    rules: Sequence[ControlChangeRule | FrontWithinRule | FatalitiesRule],
    periods: Iterable[ControlPeriod],
    events: Iterable[Event],
    *,
    key: NameKey = str.casefold,
    resolve_actor: Callable[[str], str] | None = None,
    locate: Callable[[str], tuple[float, float] | None] | None = None,
    spellings: Callable[[str, str], set[str]] | None = None,
    sides: Sides | None = None,
) -> list[Alert]:
    """Every alert the rules give over a control timeline and its events, oldest first.

    Args:
        rules: The rules (`load_rules`).
        periods: The control timeline.
        events: The live events (for evidence sentences and fatalities).
        key: Folds place names for comparison; the gazetteer's key makes "Idlib" and "Idleb" one name.
        resolve_actor: The registry name of what a rule calls an actor ("HTS" -> "Hayat Tahrir al Sham").
        locate: The (latitude, longitude) of a city no stored period or event locates.
        spellings: Other names of a rule's place ("place", name) or admin1 area ("admin1", name): "Idleb" for
            "Idlib".
        sides: Actor sides (coalitions and their members are one side); the packaged registry by default.

    Returns:
        The alerts, by date, then rule order.
    """
    event_list = list(events)
    context = _Context(
        periods=sorted(periods, key=lambda p: (p.valid_from, p.place)),
        events={e.event_id: e for e in event_list},
        sides=sides or default_sides(),
        key=key,
        resolve_actor=resolve_actor or (lambda name: name),
        locate=locate or (lambda _name: None),
        spellings=spellings or (lambda _kind, name: {name}),
    )
    found: list[tuple[dt.date, int, Alert]] = []
    for order, rule in enumerate(rules):
        if isinstance(rule, ControlChangeRule):
            alerts = _control_changes(rule, context)
        elif isinstance(rule, FrontWithinRule):
            alerts = _front_within(rule, context)
        else:
            alerts = _fatalities(rule, event_list, context)
        found += [(alert.date, order, alert) for alert in alerts]
    return [alert for _date, _order, alert in sorted(found, key=lambda item: (item[0], item[1]))]


def _evidence(event_ids: Iterable[str], context: _Context) -> list[str]:
    sentences: list[str] = []
    for event_id in event_ids:
        event = context.events.get(event_id)
        if event is None:
            continue
        for span in event.evidence:
            text = " ".join(span.text.split())
            if span.field is None and text and text not in sentences:
                sentences.append(text)
    return sentences


def _side_key(actor: str, sides: Sides) -> str:
    side = sides.side(actor)
    # Loose names ("Unidentified Armed Group (Syria)") share the side "*"; each stays a side of its own here.
    return actor.casefold() if side is None or side.key == "*" else side.key


def _involves(actor: str | None, holder: str | None, context: _Context) -> bool:
    if actor is None:
        return True
    if holder is None:
        return False
    probe = ControlPeriod(place="", actor=holder, status="assessed", valid_from=dt.date.min)
    return holds(probe, context.resolve_actor(actor), context.sides)


def _control_changes(rule: ControlChangeRule, context: _Context) -> list[Alert]:
    alerts: list[Alert] = []
    previous: ControlPeriod | None = None
    for period in context.periods:
        if not context.same("place", period.place, rule.place):
            continue
        before = previous.actor if previous is not None else None
        previous = period
        if before is None and not period.event_ids:
            continue  # the first holder known, and no report of its taking the place: a baseline, not a change
        if before is not None and _side_key(before, context.sides) == _side_key(period.actor, context.sides):
            continue  # the same side, now surer or less sure: not a change of hands
        if not (_involves(rule.actor, period.actor, context) or _involves(rule.actor, before, context)):
            continue
        was = f" from {before}" if before else ""
        detail = f"{period.actor} took {period.place}{was} ({period.status}) on {period.valid_from.isoformat()}"
        alerts.append(
            Alert(
                rule=rule.name,
                when=rule.when,
                place=period.place,
                date=period.valid_from,
                actor=period.actor,
                event_ids=list(period.event_ids),
                evidence=_evidence(period.event_ids, context),
                detail=detail,
                latitude=period.latitude,
                longitude=period.longitude,
                key=f"{rule.name}|{context.key(period.place)}|{period.actor}|{period.valid_from.isoformat()}",
            )
        )
    return alerts


def _city_point(city: str, context: _Context) -> tuple[float, float] | None:
    for period in context.periods:
        if context.same("place", period.place, city) and period.latitude is not None and period.longitude is not None:
            return period.latitude, period.longitude
    for event in context.events.values():
        located = event.latitude is not None and event.longitude is not None
        if located and context.same("place", event.location, city) and event.geo_precision == 1:
            return event.latitude, event.longitude  # type: ignore[return-value]
    return context.locate(city)


def _front_within(rule: FrontWithinRule, context: _Context) -> list[Alert]:
    centre = _city_point(rule.city, context)
    if centre is None:
        return []
    located = [p for p in context.periods if p.latitude is not None and p.longitude is not None]
    days = sorted({p.valid_from for p in located} | {p.valid_to + dt.timedelta(days=1) for p in located if p.valid_to})
    within: dict[str, bool] = {}
    alerts: list[Alert] = []
    for day in days:
        nearest: dict[str, tuple[float, ControlPeriod]] = {}
        for period in located:
            if not valid_on(period, day) or not _involves(rule.actor, period.actor, context):
                continue
            km = haversine_km(centre[0], centre[1], period.latitude or 0.0, period.longitude or 0.0)
            side = _side_key(period.actor, context.sides)
            if side not in nearest or km < nearest[side][0]:
                nearest[side] = (km, period)
        for side in sorted(set(within) | set(nearest)):
            now = side in nearest and nearest[side][0] <= rule.km
            if now and not within.get(side, False):
                km, period = nearest[side]
                detail = (
                    f"{period.actor} holds {period.place} ({period.status}), {km:.1f} km from {rule.city}, "
                    f"within {rule.km:g} km, on {day.isoformat()}"
                )
                alerts.append(
                    Alert(
                        rule=rule.name,
                        when=rule.when,
                        place=rule.city,
                        date=day,
                        actor=period.actor,
                        event_ids=list(period.event_ids),
                        evidence=_evidence(period.event_ids, context),
                        detail=detail,
                        latitude=centre[0],
                        longitude=centre[1],
                        key=f"{rule.name}|{context.key(rule.city)}|{side}|{day.isoformat()}",
                    )
                )
            within[side] = now
    return alerts


def _fatalities(rule: FatalitiesRule, events: list[Event], context: _Context) -> list[Alert]:
    alerts: list[Alert] = []
    for event in events:
        if event.deleted or event.event_date is None or event.fatalities < rule.min:
            continue
        if rule.admin1 and not context.same("admin1", event.admin1, rule.admin1):
            continue
        if rule.place and not context.same("place", event.location, rule.place):
            continue
        place = event.location or event.admin1 or event.country or ""
        detail = f"{event.fatalities} killed: {event.sub_event_type} at {place} on {event.event_date.isoformat()}"
        alerts.append(
            Alert(
                rule=rule.name,
                when=rule.when,
                place=place,
                date=event.event_date,
                actor=event.actor1,
                event_ids=[event.event_id],
                evidence=_evidence([event.event_id], context),
                detail=detail,
                latitude=event.latitude,
                longitude=event.longitude,
                key=f"{rule.name}|{event.event_id}",
            )
        )
    return alerts


def alert_line(alert: Alert) -> str:
    """An alert as one JSON line (no newline)."""
    return alert.model_dump_json()


__all__ = [
    "Alert",
    "ControlChangeRule",
    "FatalitiesRule",
    "FrontWithinRule",
    "Rule",
    "alert_line",
    "evaluate",
    "load_rules",
]
