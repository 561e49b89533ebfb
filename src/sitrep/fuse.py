"""Fusion: reports of one event, from many sentences and outlets, become one event with all their sources.

Reports describe the same event when they share the day, the place (gazetteer id, else location name, else
admin1), the sub-event type and the lead actor. The event id is a hash of that key, so it does not depend on which
reports arrived first: re-ingesting, or ingesting in another order, gives the same ids.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence

from .models import Event, Figure, Report, Source
from .settings import Settings

# ACLED: when one sentence reports a takeover and another only fighting at the same place and day, the
# takeover is the outcome and names the event.
SUB_TYPE_PRIORITY = {
    "Non-state actor overtakes territory": 3,
    "Government regains territory": 3,
    "Armed clash": 2,
}


def fusion_key(report: Report) -> tuple[str, str, str, str]:
    """(date, place, sub-event type, lead actor): reports that share it describe one event.

    The sub-type, not the type, so that the fighting before a takeover stays an armed clash beside it.
    """
    if report.geonameid is not None:
        place = f"g{report.geonameid}"
    else:
        place = (report.location or report.admin1 or report.country or "").casefold()
    return (
        report.event_date.isoformat() if report.event_date else "",
        place,
        report.sub_event_type,
        (report.actor1 or "").casefold(),
    )


def event_id_for(key: tuple[str, ...]) -> str:
    """A stable id from a fusion key."""
    return hashlib.sha1("|".join(key).encode("utf-8")).hexdigest()[:16]


def fuse_reports(
    reports: Sequence[Report],
    *,
    settings: Settings,
    outlets: dict[str, str | None] | None = None,
    urls: dict[str, str | None] | None = None,
) -> list[Event]:
    """Cluster reports into events and merge their fields, keeping every source and figure.

    Args:
        reports: Reports from any number of documents.
        settings: Fusion thresholds.
        outlets: Outlet of each document id, for the event's sources.
        urls: URL of each document id.

    Returns:
        Events in the order of their first report, so that a document's main event stays first.
    """
    groups: dict[tuple[str, str, str, str], list[Report]] = defaultdict(list)
    for report in reports:
        groups[fusion_key(report)].append(report)
    return [_merge(key, members, outlets or {}, urls or {}) for key, members in groups.items()]


def _merge(
    key: tuple[str, str, str, str], members: list[Report], outlets: dict[str, str | None], urls: dict[str, str | None]
) -> Event:
    members = sorted(members, key=lambda r: r.report_id)
    lead = max(members, key=lambda r: (SUB_TYPE_PRIORITY.get(r.sub_event_type, 1), _place_rank(r), r.confidence))
    stated = [r for r in members if r.fatalities_high > 0]
    low = min((r.fatalities_low for r in stated), default=0)
    best = min((r.fatalities for r in stated), default=0)
    high = max((r.fatalities_high for r in stated), default=0)
    sources: dict[str, Source] = {}
    claimants: list[str] = []
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
            if name not in claimants:
                claimants.append(name)
    figures: list[Figure] = []
    for report in members:
        for figure in report.figures:
            if not any(_same_figure(figure, kept) for kept in figures):
                figures.append(figure)
    evidence = [span for report in members for span in report.evidence]
    base = lead.model_dump(include=set(Event.model_fields) & set(Report.model_fields))
    base.update(
        event_id=event_id_for(key),
        report_ids=[r.report_id for r in members],
        sources=list(sources.values()),
        n_sources=len(sources),
        fatalities=best,
        fatalities_low=low,
        fatalities_high=high,
        attributed_to=claimants,
        figures=figures,
        evidence=evidence,
        confidence=max(r.confidence for r in members),
        modality=lead.modality,
    )
    return Event.model_validate(base)


def _place_rank(report: Report) -> int:
    """Higher for more precise places: a town beats a region, a region beats nothing."""
    if report.latitude is None:
        return 0
    return 4 - (report.geo_precision or 3)


def _same_figure(a: Figure, b: Figure) -> bool:
    return (a.kind, a.value, a.low, a.high, a.unit, a.place, a.claimant) == (
        b.kind,
        b.value,
        b.low,
        b.high,
        b.unit,
        b.place,
        b.claimant,
    )
