"""Fusion of what waits in the queue, in bounded steps that other writers can slip between.

A step covers a span of at most `STEP_DAYS` queued days. Fusion is local in time: which event a report joins depends
only on the reports of a few days around it (`MARGIN_WINDOWS` fusion windows: a chain longer than the window is cut
into days, and whether it is longer shows within two windows). So a step rewrites the events dated within that
margin of its queued days, and reads the reports of one margin more on each side, whatever lies beyond. Where a
stored event holds a report that the step puts elsewhere (written by an older step that read otherwise), the span
written grows to take it in (up to `FARTHEST_DAYS`), so no report is left in two live events.

A step fuses outside any write transaction, then writes the events block by block (`fuse.clusters.fusion_block`: admin1
and family of types, which never fuse with another), each block in a short transaction of its own that first checks that
no report of the block was stored or removed since it was read. A block that changed meanwhile is read and fused again
alone; after `OPTIMISTIC_TRIES` it is read and fused inside the write transaction, so a step always ends, holding the
lock for one block at most.

An API ingest fuses only the blocks of its own document (`blocks`), and of those only the neighbourhood of its own
reports (`seeds`, `fuse.clusters.neighbourhood`) among the reports already fused into events: what a big ingest
stored meanwhile and has not fused yet is left to that ingest, whose marks stay queued, so a post's work does not
grow with the big ingest's. It checks before writing that no event changed since it read (`counters`), and after
`BLOCK_STEP_TRIES` fuses under the lock, which costs a neighbourhood, not a block. It clears a mark only when the
mark holds its reports alone (queued by it when nothing was, and by nobody since: `_own_dates`); when a mark it
queued so was queued by another writer too, it fuses that block whole under the lock, as the mark is its to clear.

The one exception to blocks being apart is an event id two blocks would share (the same day, family and place name
in two provinces: the second gets the next number by report order across blocks); a block-only fusion that meets
one falls back to fusing the whole span.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from ..fuse.clusters import fusion_block, neighbourhood
from ..fuse.fusion import fuse_reports
from ..fuse.sides import default_sides
from ..models import Event, Report
from ..settings import Settings
from ..store import Store, counters, fusion_queue
from ..store import queries as q
from ..store import write as w

# The most days one fusion step covers; how many fusion windows around them a report's event depends on (two, and
# one to spare); the furthest the span written grows on each side to take in a stored event.
STEP_DAYS = 7
MARGIN_WINDOWS = 3
FARTHEST_DAYS = 62
# How often a block whose reports changed while it was fused is fused again before it is fused under the lock. A
# block-only step (an API ingest) tries once: a block that changed while it was fused is being written by a big
# ingest, which will change it again while it is fused again.
OPTIMISTIC_TRIES = 2
BLOCK_STEP_TRIES = 1

Counts = tuple[int, int, int]
_NONE: tuple[int, str | None] = (0, None)


def fuse_queued(
    store: Store,
    settings: Settings,
    *,
    dates: Iterable[dt.date] | None = None,
    marks: Collection[fusion_queue.Mark] | None = None,
    seeds: Collection[str] | None = None,
    owned: Mapping[fusion_queue.Mark, int | None] | None = None,
) -> Counts:
    """Fuse what waits in the queue: every queued date (or those of `dates`), whole; or, given `marks`, only those
    (date, block) pairs, block by block; and given `seeds` too (the reports an API ingest stored), only the part of
    each block that may fuse with them (`neighbourhood`).

    Args:
        store: The store.
        settings: Fusion settings.
        dates: Only these queued dates.
        marks: Only these (date, block) pairs.
        seeds: With `marks`, the ids of the reports whose neighbourhood is fused.
        owned: The marks the ingest of `seeds` queued when they were not queued, with the write number that
            queued them last (`None` once another writer queued them too): those of them still queued with that
            number hold the ingest's reports alone, and are cleared.

    Returns:
        Counts of (new, updated, deleted) events.
    """
    window = dt.timedelta(days=max(1, settings.fusion_window_days))
    if marks is not None:
        steps = _mark_steps(marks, window)
    else:
        with store.connect() as conn:
            queued = fusion_queue.pending_dates(conn)
        if dates is not None:
            wanted = set(dates)
            queued = [date for date in queued if date in wanted]
        steps = [
            ([date for date in queued if first <= date <= last], None)
            for first, last in spans(queued, gap=3 * window, longest=dt.timedelta(days=STEP_DAYS))
        ]
    total = [0, 0, 0]
    for step_dates, blocks in steps:
        step = FusionStep(store, settings, step_dates, window, blocks=blocks, seeds=seeds, owned=owned)
        counts = step.run()
        total = [a + b for a, b in zip(total, counts, strict=True)]
    return total[0], total[1], total[2]


def _mark_steps(
    marks: Collection[fusion_queue.Mark], window: dt.timedelta
) -> list[tuple[list[dt.date], frozenset[str] | None]]:
    dates = sorted({date for date, _ in marks})
    out: list[tuple[list[dt.date], frozenset[str] | None]] = []
    for first, last in spans(dates, gap=3 * window, longest=dt.timedelta(days=STEP_DAYS)):
        blocks = frozenset(block for date, block in marks if first <= date <= last)
        # A whole-date mark (left by an older version) is fused whole.
        out.append(([d for d in dates if first <= d <= last], None if fusion_queue.WHOLE_DATE in blocks else blocks))
    return out


@dataclass
class _Fused:
    """The events dated in [low, high] (of some blocks), fused from the reports of `reads`, and the state of each
    block there when read."""

    events: list[Event]
    states: dict[str, tuple[int, str | None]]
    low: dt.date
    high: dt.date
    reads: tuple[dt.date, dt.date]
    scope: set[str] | None = None  # the ids of the reports fused, when only the seeds' neighbourhood was
    inputs: int = 0  # then, `counters.CONTROL_INPUTS` (which every change of events advances) before they were read


class _Collision(Exception):
    """A block fused alone gave an event id that another block's stored event has."""


class FusionStep:
    """Fuse the events of some queued days (of every block, or of `blocks` only) and write them block by block."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        dates: Sequence[dt.date],
        window: dt.timedelta,
        *,
        blocks: frozenset[str] | None = None,
        seeds: Collection[str] | None = None,
        owned: Mapping[fusion_queue.Mark, int | None] | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.dates = sorted(dates)
        self.window = window
        self.blocks = blocks
        self.seeds = frozenset(seeds) if seeds is not None and blocks is not None else None
        self.owned = dict(owned or {})
        first, last = self.dates[0], self.dates[-1]
        self.margin = MARGIN_WINDOWS * window
        self.low, self.high = shift(first, -self.margin), shift(last, self.margin)
        self.reads = (self.low, self.high)
        self.farthest = (shift(first, -dt.timedelta(days=FARTHEST_DAYS)), shift(last, dt.timedelta(FARTHEST_DAYS)))

    def run(self) -> Counts:
        with self.store.connect() as conn:
            fused = self._fuse(conn, self.blocks, self.low, self.high, seeds=self.seeds)
            stored = _event_blocks(conn, date_from=fused.low, date_to=fused.high)
        self.low, self.high, self.reads = fused.low, fused.high, fused.reads
        by_block: dict[str, list[Event]] = defaultdict(list)
        for event in fused.events:
            by_block[_block(event)].append(event)
        todo = set(self.blocks) if self.blocks is not None else set(fused.states) | set(stored.values())
        total = [0, 0, 0]
        try:
            for block in sorted(todo):
                counts = self._write_block(block, by_block.get(block, []), fused)
                total = [a + b for a, b in zip(total, counts, strict=True)]
        except _Collision:
            counts = self._write_all_locked()
            total = [a + b for a, b in zip(total, counts, strict=True)]
        if self.blocks is None:
            self._clear_rest()
        return total[0], total[1], total[2]

    def _write_block(self, block: str, events: list[Event], fused: _Fused) -> Counts:
        """Write one block's events in a short transaction, if its reports are as they were read; else fuse it
        again, alone, and under the lock once the optimistic tries are spent."""
        tries = OPTIMISTIC_TRIES if self.blocks is None else BLOCK_STEP_TRIES
        for attempt in range(tries + 1):
            if 0 < attempt < tries:
                with self.store.connect() as conn:
                    fused = self._fuse(conn, {block}, fused.low, fused.high, seeds=self.seeds)
                events = [e for e in fused.events if _block(e) == block]
            with self.store.begin() as conn:
                if attempt == tries:
                    fused = self._fuse(conn, {block}, fused.low, fused.high, seeds=self.seeds)
                    events = [e for e in fused.events if _block(e) == block]
                if fused.scope is None:
                    now = q.report_block_states(conn, date_from=fused.reads[0], date_to=fused.reads[1], blocks={block})
                    if now.get(block, _NONE) != fused.states.get(block, _NONE):
                        continue  # another writer stored or removed reports of this block meanwhile
                elif counters.current(conn, counters.CONTROL_INPUTS) != fused.inputs:
                    continue  # another writer changed events meanwhile: the reports fused into them may differ
                clear: list[dt.date] | None = self.dates
                if fused.scope is not None:
                    clear = self._own_dates(conn, block)
                    if clear is None:
                        # This ingest queued the block when nothing else was queued, then another writer queued it
                        # too: the whole block waits, and it is this ingest's to fuse.
                        fused = self._fuse(conn, {block}, fused.low, fused.high, seeds=None)
                        events = [e for e in fused.events if _block(e) == block]
                        clear = self.dates
                stored = [
                    event_id
                    for event_id, other in _event_blocks(conn, date_from=fused.low, date_to=fused.high).items()
                    if other == block
                ]
                if fused.scope is not None:
                    # Only the events of the part fused: those holding its reports (the others hold none).
                    stored = sorted(set(stored) & q.events_of_reports(conn, fused.scope))
                if self.blocks is not None or attempt:
                    # Ids were numbered within this block only: one another block's event has is a collision.
                    fresh = {e.event_id for e in events} - set(stored)
                    if q.live_event_ids(conn, fresh):
                        raise _Collision(block)
                counts = w.sync_events(conn, events, replaces=stored)
                if clear:
                    fusion_queue.clear_pending(conn, clear, blocks=[block])
                return counts
        raise AssertionError("unreachable: the last try runs under the lock")  # pragma: no cover

    def _own_dates(self, conn: Connection, block: str) -> list[dt.date] | None:
        """The step's dates whose queued mark of `block` holds this ingest's reports alone (queued by it when
        nothing was, and by nobody since), to clear after fusing only its neighbourhood; `None` when a mark it
        queued so was queued by another writer since (the block must be fused whole)."""
        queued = fusion_queue.mark_seqs(conn, [(date, block) for date in self.dates])
        own: list[dt.date] = []
        for (date, _), seq in queued.items():
            if (date, block) not in self.owned:
                continue  # queued before this ingest: another writer's reports wait there, for its own fusion
            if self.owned[(date, block)] is None or seq != self.owned[(date, block)]:
                return None
            own.append(date)
        return sorted(own)

    def _write_all_locked(self) -> Counts:
        """The fallback: fuse every block of the span inside one write transaction and write it all."""
        with self.store.begin() as conn:
            fused = self._fuse(conn, None, self.low, self.high)
            stored = list(_event_blocks(conn, date_from=fused.low, date_to=fused.high))
            counts = w.sync_events(conn, fused.events, replaces=stored)
            fusion_queue.clear_pending(conn, self.dates)
            return counts

    def _clear_rest(self) -> None:
        """After a whole-date step, take off the queue what no block left: whole-date marks, and marks of blocks
        that hold no report and no live event in the span (their document was replaced)."""
        with self.store.begin() as conn:
            marks = {block for date, block in fusion_queue.pending_marks(conn) if date in set(self.dates)}
            if not marks:
                return
            reported = q.report_block_states(conn, date_from=self.reads[0], date_to=self.reads[1])
            live = set(_event_blocks(conn, date_from=self.low, date_to=self.high).values())
            done = {b for b in marks if b == fusion_queue.WHOLE_DATE or (b not in reported and b not in live)}
            if done:
                fusion_queue.clear_pending(conn, self.dates, blocks=done)

    def _fuse(
        self,
        conn: Connection,
        blocks: Collection[str] | None,
        low: dt.date,
        high: dt.date,
        *,
        seeds: frozenset[str] | None = None,
    ) -> _Fused:
        """The events dated in [low, high] (of `blocks`), fused from the reports of one margin more on each side;
        the range grows while a stored event outside it holds a report of its events, or one inside holds a report
        that fusion now puts outside.

        Given `seeds` (an API ingest's reports), only from the seeds and the reports already fused into events, and
        of those only the seeds' neighbourhood, read in [low, high] and widened while it reaches an edge: what a big
        ingest stored meanwhile and has not fused yet is left to its own fusion (its marks stay queued), so an API
        ingest's work does not grow with a big ingest's."""
        while True:
            reads = (low, high) if seeds is not None else (shift(low, -self.margin), shift(high, self.margin))
            inputs = counters.current(conn, counters.CONTROL_INPUTS)
            states = q.report_block_states(conn, date_from=reads[0], date_to=reads[1], blocks=blocks)
            reports = list(q.iter_reports(conn, date_from=reads[0], date_to=reads[1], blocks=blocks, fused_or=seeds))
            scope = None
            if seeds is not None:
                reports = neighbourhood(reports, seeds, settings=self.settings, sides=default_sides())
                scope = {r.report_id for r in reports}
            outlets, urls = q.outlets_and_urls(conn, {r.document_id for r in reports})
            fused = fuse_reports(reports, settings=self.settings, outlets=outlets, urls=urls)
            events = [e for e in fused if e.event_date is None or low <= e.event_date <= high]
            if seeds is not None:
                wider = self._widen(reports, fused, low, high)
            else:
                wider = self._take_in(conn, blocks, fused, events, low, high)
            if wider is None:
                return _Fused(events, states, low, high, reads, scope, inputs)
            low, high = wider

    def _take_in(
        self,
        conn: Connection,
        blocks: Collection[str] | None,
        fused: list[Event],
        events: list[Event],
        low: dt.date,
        high: dt.date,
    ) -> tuple[dt.date, dt.date] | None:
        """The range grown to the dates of the stored events that hold a report of `events`, and of the events
        that fusion now gives the reports of stored events dated in it; `None` when it need not grow (or is as wide
        as it goes)."""
        held = {report_id for event in events for report_id in event.report_ids}
        fused_on = {report_id: event.event_date for event in fused for report_id in event.report_ids}
        dates = set(q.dates_of_events_holding(conn, held).values())
        for report_id, reported in q.reports_of_events_dated(conn, date_from=low, date_to=high, blocks=blocks).items():
            if report_id not in held:
                dates.add(fused_on.get(report_id, reported))
        known = [date for date in dates if date is not None]
        new_low = max(self.farthest[0], min([low, *known]))
        new_high = min(self.farthest[1], max([high, *known]))
        return None if (new_low, new_high) == (low, high) else (new_low, new_high)

    def _widen(
        self, reports: Sequence[Report], fused: list[Event], low: dt.date, high: dt.date
    ) -> tuple[dt.date, dt.date] | None:
        """The range widened on each side where a cluster has a report within `window` of the edge (it may go on
        beyond it), or `None` when none does (or the range is as wide as it goes)."""
        dates = {r.report_id: r.event_date for r in reports}
        low_edge, high_edge = shift(low, self.window - dt.timedelta(days=1)), shift(high, -self.window)
        reaches_low = reaches_high = False
        for event in fused:
            days = [d for d in (dates.get(rid) for rid in event.report_ids) if d is not None]
            reaches_low = reaches_low or any(d <= low_edge for d in days)
            reaches_high = reaches_high or any(d > high_edge for d in days)
        span = high - low
        new_low, new_high = low, high
        if reaches_low and low > self.farthest[0]:
            new_low = max(self.farthest[0], shift(low, -span))
        if reaches_high and high < self.farthest[1]:
            new_high = min(self.farthest[1], shift(high, span))
        return None if (new_low, new_high) == (low, high) else (new_low, new_high)


def _event_blocks(conn: Connection, *, date_from: dt.date, date_to: dt.date) -> dict[str, str]:
    """The fusion block of each live event of a date range, by event id."""
    kinds = q.live_event_kinds(conn, date_from=date_from, date_to=date_to)
    return {
        event_id: fusion_block(admin1=admin1, country=country, event_type=kind, sub_event_type=sub)
        for event_id, (admin1, country, kind, sub) in kinds.items()
    }


def _block(event: Event) -> str:
    return fusion_block(
        admin1=event.admin1, country=event.country, event_type=event.event_type, sub_event_type=event.sub_event_type
    )


def shift(date: dt.date, delta: dt.timedelta) -> dt.date:
    """`date + delta`, held within the calendar (a document may claim the year 9999)."""
    try:
        return date + delta
    except OverflowError:
        return dt.date.max if delta > dt.timedelta(0) else dt.date.min


def spans(
    dates: Sequence[dt.date], *, gap: dt.timedelta, longest: dt.timedelta = dt.timedelta.max
) -> list[tuple[dt.date, dt.date]]:
    """Sorted dates grouped into (first, last) spans wherever two neighbours are more than `gap` apart, so that a
    back-fill touching 2015 and 2024 fuses two short spans rather than nine years; a span is at most `longest`."""
    out: list[tuple[dt.date, dt.date]] = []
    for date in sorted(dates):
        if out and date - out[-1][1] <= gap and date - out[-1][0] < longest:
            out[-1] = (out[-1][0], date)
        else:
            out.append((date, date))
    return out
