"""Fusion: reports of one event, from many sentences and outlets, become one event with all their sources.

Two reports describe the same event when they are close in time (the same day; or, for reports of the same kind at the
same place, within `fusion_window_days` when the later report names no day), close in space (the same gazetteer place;
or, on the same day, a vaguer place within `fusion_radius_km` or in the same admin1 when one report names only a
region), of compatible types (a clash and the takeover it ends; a strike inside an ongoing battle; a strike on
civilians and an attack on civilians) and with compatible actors (the same side, in either order; a vague "rebels"
fits any armed group; within one document, the same sub-type at the same place on the same day is one event
whatever sides its sentences name).

Clusters are the connected components of that relation, so they do not depend on input order. Only reports that
share a block (admin1 and a family of event types) and a short window of days are ever compared, and within a
block a grid of cells about `fusion_radius_km` wide, so the cost stays near n log n. A region-only report joins a
cluster only when exactly one cluster fits it, so that "raids across Idlib province" does not chain the separate
strikes of that day into one event.

The event id hashes the event's date, place and type family, so it survives new reports joining the event,
re-ingest and another input order.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from ..distance import haversine_km
from ..memory import collector_paused
from ..models import PLACE_FIELDS, Event, Figure, Report, Source
from ..read.actor_data import actor_key, interaction
from ..registry import FatalityRule, fatality_rules, resolve
from ..settings import Settings
from ..taxonomy import EXPLOSIONS
from .clusters import _kind, cluster_reports, family
from .sides import (
    SUB_TYPE_PRIORITY,
    TERRITORIAL_SUB_TYPES,
    Side,
    Sides,
    default_sides,
    load_fusion_vocabulary,
)

logger = logging.getLogger(__name__)

# ---- fusion ------------------------------------------------------------------------------------------------------


def fuse_reports(
    reports: Sequence[Report],
    *,
    settings: Settings,
    outlets: dict[str, str | None] | None = None,
    urls: dict[str, str | None] | None = None,
    sides: Sides | None = None,
) -> list[Event]:
    """Cluster reports into events and merge their fields, keeping every source and figure.

    Args:
        reports: Reports from any number of documents (a report id seen twice counts once).
        settings: Fusion radius and window.
        outlets: Outlet of each document id, for the event's sources.
        urls: URL of each document id.
        sides: The actor sides; defaults to the packaged actor registry.

    Returns:
        Events in the order of their first report, so that a document's main event stays first.
    """
    best: FatalityRule = resolve(fatality_rules, settings.fatality_rule, setting="fatality_rule")
    unique = list({r.report_id: r for r in reports}.values())
    if not unique:
        return []
    sides = sides or default_sides()
    with collector_paused():
        clusters = cluster_reports(unique, settings=settings, sides=sides)
        merged = [
            (min(members), _merge([unique[i] for i in members], outlets or {}, urls or {}, sides, best=best))
            for members in clusters
        ]
        _assign_ids(merged)
    return [event for _, event in sorted(merged, key=lambda pair: pair[0])]


def distinct_claims(reports: Sequence[Report]) -> list[Report]:
    """The first report of each claim: reports of one document that say the same thing (every field but where in
    the text they were read) are one claim."""
    kept: dict[str, Report] = {}
    for report in reports:
        data = report.model_dump(mode="json", exclude={"report_id", "sentence_start", "sentence_end", "evidence"})
        for figure in data["figures"]:
            figure.pop("evidence", None)
        kept.setdefault(json.dumps([report.document_id, data], sort_keys=True), report)
    return list(kept.values())


def _assign_ids(merged: list[tuple[int, Event]]) -> None:
    """Ids from (date, place, family); clusters that share one are told apart by their smallest report id."""
    by_key: dict[str, list[Event]] = defaultdict(list)
    for _, event in merged:
        by_key[event.event_id].append(event)
    for key, events in by_key.items():
        events.sort(key=lambda e: min(e.report_ids))
        for number, event in enumerate(events):
            event.event_id = event_id_for((key,) if number == 0 else (key, str(number)))


def fusion_key(report: Report | Event) -> tuple[str, str, str]:
    """(date, place, type family): the part of an event that names it."""
    if report.geonameid is not None:
        place = f"g{report.geonameid}"
    else:
        place = (report.location or report.admin1 or report.country or "").casefold()
    date = report.event_date.isoformat() if report.event_date else ""
    kind = _kind(report) if isinstance(report, Report) else ""
    fam = "violence" if kind != "other" else f"{report.event_type}/{report.sub_event_type}"
    return date, place, fam


def event_id_for(key: tuple[str, ...]) -> str:
    """A stable id from a fusion key."""
    return hashlib.sha1("|".join(key).encode("utf-8")).hexdigest()[:16]


def _merge(
    members: list[Report],
    outlets: dict[str, str | None],
    urls: dict[str, str | None],
    sides: Sides,
    *,
    best: FatalityRule,
) -> Event:
    members = sorted(members, key=lambda r: r.report_id)
    sub_type = _sub_type(members)
    lead = max(
        (r for r in members if r.sub_event_type == sub_type),
        key=lambda r: (sides.specific(r.actor1) + sides.specific(r.actor2), _place_rank(r), r.confidence),
    )
    # A takeover's place is where the takeover was, not where the fighting around it was reported.
    candidates = [r for r in members if r.sub_event_type == sub_type] if sub_type in TERRITORIAL_SUB_TYPES else members
    places = Counter(m.geonameid for m in members)
    placed = max(candidates, key=lambda r: (_place_rank(r), places[r.geonameid], r.report_id))
    dated = [r for r in members if r.event_date is not None]
    when = min(dated, key=lambda r: (r.time_precision or 3, r.event_date)) if dated else lead
    base = lead.model_dump(include=set(Event.model_fields) & set(Report.model_fields))
    base.update({name: getattr(placed, name) for name in PLACE_FIELDS})
    base.update(event_date=when.event_date, time_precision=when.time_precision)
    base.update(_actors(lead, members, sides))
    stated = [r for r in members if r.fatalities_high > 0 or r.fatalities > 0]
    counted = [r for r in stated if r.fatalities > 0]
    numbered = [r for r in counted if not r.fatalities_unknown] or counted
    sources: dict[str, Source] = {}
    claimants: dict[str, None] = {}  # in order of first mention
    for report in members:
        source = sources.setdefault(
            report.document_id,
            Source(
                document_id=report.document_id, outlet=outlets.get(report.document_id), url=urls.get(report.document_id)
            ),
        )
        for name in report.attributed_to:
            if name not in source.attributed_to:
                source.attributed_to.append(name)
            claimants.setdefault(name)
    figures: dict[tuple[Any, ...], Figure] = {}
    for report in members:
        for figure in report.figures:
            figures.setdefault(_figure_key(figure), figure)
    n_sources = len({outlets.get(d) or d for d in sources})
    fused = {
        "report_ids": [r.report_id for r in members],
        "sources": sorted(sources.values(), key=lambda s: s.document_id),
        "n_sources": n_sources,
        # The others stay as figures with their claimants, and in low/high.
        "fatalities": best(list(_told_by_document(numbered).values())),
        "fatalities_low": min((r.fatalities_low for r in stated), default=0),
        "fatalities_high": max((r.fatalities_high for r in stated), default=0),
        "attributed_to": list(claimants),
        "figures": list(figures.values()),
        "evidence": [span for report in members for span in report.evidence],
        "confidence": round(min(1.0, max(r.confidence for r in members) + 0.1 * (n_sources - 1)), 4),
        "modality": "reported" if any(r.modality == "reported" for r in members) else lead.modality,
        "civilian_targeting": next((r.civilian_targeting for r in members if r.civilian_targeting), None),
    }
    base.update(fused)
    event = Event.model_validate({**base, "event_id": ""})
    event.event_id = "|".join((*fusion_key(event)[:2], family(lead)))
    return event


def _told_by_document(reports: list[Report]) -> dict[str, int]:
    """Each document's count of the event's dead: its first report's in text order. One teller's headline or lede
    ("100 killed in a day") counts the event; the parts it tells below ("4 near the airport") do not replace it.
    (The largest count of each document did worse: FA-KES train half deaths 0.541 against 0.579.)"""
    told: dict[str, int] = {}
    for report in sorted(reports, key=lambda r: r.sentence_start):
        told.setdefault(report.document_id, report.fatalities)
    return told


def _sub_type(members: list[Report]) -> str:
    """The outcome names the event: a takeover beats a clash, a battle beats the strikes inside it; and the weapon
    names it among the rest (ACLED: a bomb or a strike that kills civilians is an explosion, not an attack)."""
    documents: dict[str, set[str]] = defaultdict(set)
    for report in members:
        documents[report.sub_event_type].add(report.document_id)
    explosive = {report.sub_event_type for report in members if report.event_type == EXPLOSIONS}

    def rank(name: str) -> tuple[int, bool, int, int]:
        order = TERRITORIAL_SUB_TYPES.index(name) if name in TERRITORIAL_SUB_TYPES else 0
        return SUB_TYPE_PRIORITY.get(name, 1), name in explosive, len(documents[name]), -order

    return max(sorted(documents), key=rank)


_Slot = tuple[str | None, str | None, int | None]
# Kinds of reports whose actors may fill a slot the lead's kind leaves empty: a takeover's sides are the battle's;
# a strike's perpetrator is the one the attack it made on civilians names ("government forces carried out a
# massacre ... in a barrel bomb strike"), and the other way round. A strike's actors are not the takeover's.
_SHARING_ACTORS: dict[str, set[str]] = {"territory": {"battle"}, "strike": {"attack"}, "attack": {"strike"}}


def _actors(lead: Report, members: list[Report], sides: Sides) -> dict[str, Any]:
    """The lead report's actors, with a vague or missing slot filled by a named actor another report gives."""
    slots: list[_Slot] = [
        (lead.actor1, lead.assoc_actor_1, lead.inter1),
        (lead.actor2, lead.assoc_actor_2, lead.inter2),
    ]
    kinds = {_kind(lead)} | _SHARING_ACTORS.get(_kind(lead), set())
    for report in members:
        if _kind(report) not in kinds:
            continue
        pair: list[_Slot] = [
            (report.actor1, report.assoc_actor_1, report.inter1),
            (report.actor2, report.assoc_actor_2, report.inter2),
        ]
        if _swapped(lead, report, sides):
            pair.reverse()
        for number in (0, 1):
            mine, other, facing = slots[number][0], pair[number][0], slots[1 - number][0]
            if sides.specific(mine) or not sides.specific(other) or not sides.fits(mine, other):
                continue
            if not (sides.specific(facing) and sides.side(facing) == sides.side(other)):
                slots[number] = pair[number]
    (a1, s1, i1), (a2, s2, i2) = slots
    return {
        "actor1": a1,
        "assoc_actor_1": s1,
        "inter1": i1,
        "actor2": a2,
        "assoc_actor_2": s2,
        "inter2": i2,
        "interaction": interaction(i1, i2),
    }


def _swapped(lead: Report, report: Report, sides: Sides) -> bool:
    """Whether a report names the lead's actors in the other order. A loose name fits either slot, so slots are
    scored: the same name beats an empty slot, which beats a loose fit."""

    def score(a: str | None, b: str | None) -> float:
        if a and b and actor_key(a) == actor_key(b):
            return 3.0
        if not a or not b:
            return 1.0
        return 0.5 if sides.fits(a, b) else -10.0

    straight = score(lead.actor1, report.actor1) + score(lead.actor2, report.actor2)
    swapped = score(lead.actor1, report.actor2) + score(lead.actor2, report.actor1)
    return swapped > straight


def _place_rank(report: Report) -> int:
    """Higher for more precise places: a town beats a region, a region beats nothing."""
    if report.latitude is None:
        return 0
    return 4 - (report.geo_precision or 3)


def _figure_key(figure: Figure) -> tuple[Any, ...]:
    """What makes two figures one: the same figure from the same claimant, wherever it was read."""
    return figure.kind, figure.value, figure.low, figure.high, figure.unit, figure.place, figure.claimant


__all__ = [
    "Side",
    "Sides",
    "default_sides",
    "distinct_claims",
    "event_id_for",
    "family",
    "fuse_reports",
    "fusion_key",
    "haversine_km",
    "load_fusion_vocabulary",
]
