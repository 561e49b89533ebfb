"""The one `Pipeline`: holds the loaded resources (spaCy, gazetteer, actors, classifier) and runs the stages.

The same object serves the CLI, the API and batch runs. Resources load on first use, once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from ..errors import Errors, InputError, Warnings
from ..fuse.fusion import fuse_reports
from ..ingest.documents import NearDuplicateIndex, Skip, document_id, normalise_text, serialize, to_document
from ..ingest.sources import clean_metadata, read_sources
from ..memory import collector_paused, keep_freed_memory
from ..models import Document, ExtractResult, Figure, RawDocument, Report
from ..settings import Settings, load_settings
from ..store import Store, fusion_queue
from ..store import queries as q
from ..store import write as w
from ..store.filters import EventFilter
from .engine import EngineSpec, ExtractionFailure, Outcome, extract_in_worker, extract_safely, open_executor

if TYPE_CHECKING:
    from datasketch import MinHash
    from spacy.language import Language
    from sqlalchemy import Connection

    from ..read.reports import Extractor

logger = logging.getLogger(__name__)

LOCAL = EngineSpec()


@dataclass
class IngestStats:
    """What an ingest did: documents read, new, duplicate, failed or skipped, and what they gave."""

    read: int = 0
    new: int = 0
    duplicate: int = 0
    failed: int = 0
    skipped: int = 0
    reports: int = 0
    events_new: int = 0
    events_updated: int = 0
    events_deleted: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for people."""
        return (
            f"read {self.read}, new {self.new}, duplicate {self.duplicate}, failed {self.failed}, "
            f"skipped {self.skipped}; reports {self.reports}; events new {self.events_new}, "
            f"updated {self.events_updated}, deleted {self.events_deleted}"
        )


class Pipeline:
    """Sitrep's stages over shared, lazily loaded resources.

    Example:
        >>> Pipeline().extract("Rebels seized Morek on Tuesday.", published="2024-12-03")
    """

    def __init__(self, settings: Settings | None = None, *, nlp: Language | None = None) -> None:
        self.settings = settings or load_settings()
        self._nlp = nlp

    @cached_property
    def extractor(self) -> Extractor:
        """The extraction stage with its resources (spaCy pipeline, actors, gazetteer, classifier)."""
        from ..read.reports import Extractor

        if self.settings.tune_allocator:
            keep_freed_memory()
        return Extractor.load(settings=self.settings, nlp=self._nlp)

    @property
    def nlp(self) -> Language:
        return self.extractor.nlp

    # ---- stateless extraction -------------------------------------------------------------------------------

    def extract(
        self,
        text: str,
        *,
        published: str | dt.date | None = None,
        input_id: str | None = None,
        outlet: str | None = None,
        url: str | None = None,
        title: str | None = None,
    ) -> ExtractResult:
        """Extract the events and figures of one text, touching no database.

        Args:
            text: Plain text or HTML of one document.
            published: Publication date (YYYY-MM-DD or a date); relative dates are resolved against it.
            input_id: Echoed back as `input_id`.
            outlet: The publishing outlet, recorded among the sources.
            url: The document's URL.
            title: The document's title.

        Returns:
            The same result as one line of `sitrep extract --format jsonl`.

        Raises:
            InputError: A published date that is not YYYY-MM-DD, or a text over `max_document_bytes` or
                `max_text_chars`.
        """
        date = parse_published(published)
        is_html = text.lstrip()[:1] == "<"
        input_id = clean_metadata(input_id)
        content = text.encode("utf-8", errors="replace")
        source = input_id or "text"
        if len(content) > self.settings.max_document_bytes:
            limit = self.settings.max_document_bytes
            raise InputError(Errors.E004.format(source=source, size=len(content), limit=limit))
        if len(text) > self.settings.max_text_chars:
            raise InputError(Errors.E027.format(source=source, size=len(text), limit=self.settings.max_text_chars))
        raw = RawDocument(
            source=source,
            input_id=input_id,
            content=content,
            media_type="html" if is_html else "text",
            published=date,
            outlet=outlet,
            url=url,
            title=title,
        )
        return next(self.extract_many([raw]))

    def extract_many(self, raws: Iterable[RawDocument]) -> Iterator[ExtractResult]:
        """Extract each raw document in order, batching the spaCy work; junk input gives an empty result."""
        for raw, document, reports, figures in self._process(raws):
            if document is None:
                yield ExtractResult(input_id=raw.input_id)
                continue
            events = fuse_reports(
                reports,
                settings=self.settings,
                outlets={document.id: document.outlet},
                urls={document.id: document.url},
            )
            yield ExtractResult(input_id=raw.input_id, events=events, figures=figures)

    def _process(
        self, raws: Iterable[RawDocument]
    ) -> Iterator[tuple[RawDocument, Document | None, list[Report], list[Figure]]]:
        pending: list[tuple[RawDocument, Document | None]] = []
        for raw in raws:
            result = to_document(raw, settings=self.settings)
            pending.append((raw, result if isinstance(result, Document) else None))
            if isinstance(result, Skip):
                logger.info("skip %s: %s", raw.source, result.reason)
            if len(pending) >= self.settings.spacy_batch_size:
                yield from self._extract_batch(pending)
                pending = []
        if pending:
            yield from self._extract_batch(pending)

    def _extract_batch(
        self, batch: Sequence[tuple[RawDocument, Document | None]]
    ) -> Iterator[tuple[RawDocument, Document | None, list[Report], list[Figure]]]:
        documents = [document for _, document in batch if document is not None]
        with collector_paused():
            extracted = iter(self.extractor.extract_documents(documents))
        for raw, document in batch:
            if document is None:
                yield raw, None, [], []
            else:
                reports, figures = next(extracted)
                yield raw, document, reports, figures

    # ---- ingest into a store --------------------------------------------------------------------------------

    def ingest(
        self,
        inputs: Sequence[str],
        store: Store,
        *,
        on_document: Callable[[str], None] | None = None,
        engine: EngineSpec = LOCAL,
    ) -> IngestStats:
        """Read, clean, de-duplicate, extract and store documents, then fuse the events they touch.

        Each document is stored with its reports in one transaction, so an interrupted run leaves whole
        documents only, and the next run fuses what it left; running the same input again changes nothing. Every
        engine stores the same documents and events.

        Args:
            inputs: Files, folders, feeds or URLs.
            store: The open database.
            on_document: Called with each input's source after it is handled (for progress bars).
            engine: Where extraction runs: in this process (the default), local worker processes or Dask.

        Returns:
            The counts.
        """
        return self.ingest_raw(
            read_sources(inputs, settings=self.settings),
            store,
            on_document=on_document,
            engine=engine,
        )

    def ingest_raw(
        self,
        raws: Iterable[RawDocument],
        store: Store,
        *,
        on_document: Callable[[str], None] | None = None,
        engine: EngineSpec = LOCAL,
    ) -> IngestStats:
        """`ingest` over documents already read (by `sitrep watch`, the API, or a caller's own reader)."""
        with open_executor(engine) as executor:
            run = _IngestRun(self, store, executor, workers=engine.workers)
            for raw in raws:
                run.add(raw)
                if on_document:
                    on_document(raw.source)
            run.flush(final=True)
        stats = run.stats
        self.fuse_pending(store, stats)
        for reason, count in stats.reasons.items():
            # Failures are listed one by one by the caller; copies are expected on re-ingest, not a problem.
            level = logging.INFO if reason in ("failed", "duplicate") else logging.WARNING
            logger.log(level, Warnings.W002.format(count=count, reason=reason))
        return stats

    def fuse_pending(self, store: Store, stats: IngestStats | None = None) -> IngestStats:
        """Fuse the reports of every date still waiting for fusion, bring the stored events in line, then rebuild
        the control timeline from the live events.

        The waiting dates include those an interrupted run left, whoever stored them. Reports are read a window
        wider than the events replaced, so that an event at the edge of a span is fused with all its reports.
        """
        stats = stats or IngestStats()
        window = dt.timedelta(days=self.settings.fusion_window_days)
        with store.begin() as conn:
            dates = fusion_queue.pending_dates(conn)
            if not dates:
                return stats
            for first, last in _spans(dates, gap=3 * window):
                date_from, date_to = _shift(first, -window), _shift(last, window)
                reports = list(
                    q.iter_reports(conn, date_from=_shift(date_from, -window), date_to=_shift(date_to, window))
                )
                outlets: dict[str, str | None] = {}
                urls: dict[str, str | None] = {}
                for doc_id in {r.document_id for r in reports}:
                    document = q.get_document(conn, doc_id)
                    if document is not None:
                        outlets[doc_id], urls[doc_id] = document.outlet, document.url
                fused = fuse_reports(reports, settings=self.settings, outlets=outlets, urls=urls)
                events = [e for e in fused if e.event_date is None or date_from <= e.event_date <= date_to]
                stored = q.iter_events(conn, EventFilter(date_from=date_from, date_to=date_to))
                new, updated, deleted = w.sync_events(conn, events, replaces=[e.event_id for e in stored])
                stats.events_new += new
                stats.events_updated += updated
                stats.events_deleted += deleted
            fusion_queue.clear_pending(conn, dates)
            self.rebuild_control(conn)
        return stats

    def rebuild_control(self, conn: Connection) -> tuple[int, int, int]:
        """Rebuild the control timeline from the stored baseline and the live events that bear on control.

        Returns:
            Counts of (new, updated, deleted) periods.
        """
        from ..control.timeline import control_filters, control_timeline
        from ..store.control_baseline import iter_baseline

        candidates = {e.event_id: e for where in control_filters() for e in q.iter_events(conn, where)}
        baseline = list(iter_baseline(conn))
        periods = control_timeline(candidates.values(), settings=self.settings, baseline=baseline)
        return w.sync_control_periods(conn, periods)


def _shift(date: dt.date, delta: dt.timedelta) -> dt.date:
    """`date + delta`, held within the calendar (a document may claim the year 9999)."""
    try:
        return date + delta
    except OverflowError:
        return dt.date.max if delta > dt.timedelta(0) else dt.date.min


def _spans(dates: Sequence[dt.date], *, gap: dt.timedelta) -> list[tuple[dt.date, dt.date]]:
    """Sorted dates grouped into (first, last) spans wherever two neighbours are more than `gap` apart, so that a
    back-fill touching 2015 and 2024 fuses two short spans rather than nine years."""
    spans: list[tuple[dt.date, dt.date]] = []
    for date in sorted(dates):
        if spans and date - spans[-1][1] <= gap:
            spans[-1] = (spans[-1][0], date)
        else:
            spans.append((date, date))
    return spans


@dataclass
class _Copy:
    """A document seen again, exactly or nearly, to record once its original is stored."""

    document_id: str
    source: str
    url: str | None
    outlet: str | None
    kind: str
    similarity: float


class _IngestRun:
    """The state of one ingest: the near-duplicate index, the batch waiting for extraction, batches being
    extracted by workers, copies to record."""

    def __init__(self, pipeline: Pipeline, store: Store, executor: Executor | None, *, workers: int = 1) -> None:
        self.pipeline = pipeline
        self.settings = pipeline.settings
        self.store = store
        self.executor = executor
        # A few batches per worker keep the workers busy without holding the whole corpus in memory.
        self.max_in_flight = 2 * workers
        self.stats = IngestStats()
        self.index = NearDuplicateIndex(settings=self.settings)
        # Documents other processes store while this run goes on, checked again when each document is written.
        self.others = NearDuplicateIndex(settings=self.settings)
        self.known: set[str] = set()
        self.looked_at = w.now()
        with store.connect() as conn:
            for doc_id, signature in q.iter_signatures(conn):
                self.index.add_serialized(doc_id, signature)
                self.known.add(doc_id)
        self.batch: list[Document] = []
        self.signatures: dict[str, MinHash] = {}
        self.copies: list[_Copy] = []
        self.queued: set[str] = set()
        self.in_flight: deque[tuple[list[Document], list[_Copy], Future[list[Outcome]]]] = deque()

    def add(self, raw: RawDocument) -> None:
        """Clean one raw document, then queue it, record it as a copy, or count why it was skipped."""
        self.stats.read += 1
        result = to_document(raw, settings=self.settings)
        if isinstance(result, Skip):
            if result.reason == "failed":
                self.stats.failed += 1
                self.stats.errors.append(result.message)
            else:
                self.stats.skipped += 1
            self.stats.reasons[result.reason] += 1
            logger.info("skip %s: %s", raw.source, result.reason)
            return
        copy = self._copy_of(result, raw)
        if copy is not None:
            self.copies.append(copy)
            self._count_duplicate()
            return
        self.batch.append(result)
        self.queued.add(result.id)
        if len(self.batch) >= self.settings.spacy_batch_size:
            self.flush()

    def _count_duplicate(self) -> None:
        self.stats.duplicate += 1
        self.stats.reasons["duplicate"] += 1

    def _copy_of(self, document: Document, raw: RawDocument) -> _Copy | None:
        if document.id in self.queued:
            return _Copy(document.id, raw.source, document.url, document.outlet, "exact", 1.0)
        with self.store.connect() as conn:
            if w.has_document(conn, document.id):
                return _Copy(document.id, raw.source, document.url, document.outlet, "exact", 1.0)
        signature = self.index.signature(document.text)
        near = self.index.find(signature)
        if near is not None:
            return _Copy(near[0], raw.source, document.url, document.outlet, "near", near[1])
        self.index.add(document.id, signature)
        self.signatures[document.id] = signature
        return None

    def flush(self, *, final: bool = False) -> None:
        """Send the queued documents to extraction, and write every extracted batch that is due (all of them when
        `final`), each document with its reports, in input order, then the copies seen with that batch."""
        batch, copies = self.batch, self.copies
        self.batch, self.copies = [], []
        if self.executor is None:
            with collector_paused():
                outcomes = extract_safely(self.pipeline.extractor, batch) if batch else []
            self._write(batch, copies, outcomes)
            return
        if batch or copies:
            future = self.executor.submit(extract_in_worker, self.settings, batch)
            self.in_flight.append((batch, copies, future))
        limit = 0 if final else self.max_in_flight
        while len(self.in_flight) > limit:
            done_batch, done_copies, done = self.in_flight.popleft()
            self._write(done_batch, done_copies, done.result())

    def _write(self, batch: list[Document], copies: list[_Copy], outcomes: list[Outcome]) -> None:
        for document, outcome in zip(batch, outcomes, strict=True):
            signature = self.signatures.pop(document.id)
            if isinstance(outcome, ExtractionFailure):
                self.stats.failed += 1
                self.stats.reasons["failed"] += 1
                self.stats.errors.append(Errors.E022.format(source=document.source, reason=outcome.reason))
                continue
            reports, figures = outcome
            with self.store.begin() as conn:
                near = self._stored_meanwhile(conn, signature)
                if near is not None:
                    w.record_copy(conn, near[0], source=document.source, url=document.url, outlet=document.outlet,
                                  kind="near", similarity=near[1])  # fmt: skip
                    self._count_duplicate()
                    continue
                if not w.write_document(conn, document, minhash=serialize(signature)):
                    self._count_duplicate()  # another process stored it meanwhile
                    continue
                self.stats.reports += w.write_reports(conn, reports)
                w.write_document_figures(conn, document, figures)
                fusion_queue.mark_pending(conn, (r.event_date for r in reports if r.event_date))
            self.known.add(document.id)
            self.stats.new += 1
        with self.store.begin() as conn:
            for copy in copies:
                w.record_copy(conn, copy.document_id, source=copy.source, url=copy.url, outlet=copy.outlet,
                              kind=copy.kind, similarity=copy.similarity)  # fmt: skip

    def _stored_meanwhile(self, conn: Connection, signature: MinHash) -> tuple[str, float] | None:
        """A document another process stored since this run last looked that this one nearly repeats.

        Runs inside the write transaction, which writers take one at a time, so two concurrent ingests of
        near-copies store one of them, as a single ingest would.
        """
        since = self.looked_at - _CLOCK_MARGIN
        self.looked_at = w.now()
        for doc_id, data in q.iter_signatures(conn, since=since):
            if doc_id not in self.known:
                self.known.add(doc_id)
                self.others.add_serialized(doc_id, data)
                self.index.add_serialized(doc_id, data)
        return self.others.find(signature)


# Stored timestamps have whole seconds; looking back a little more never misses a document.
_CLOCK_MARGIN = dt.timedelta(seconds=2)


def parse_published(value: str | dt.date | None) -> dt.date | None:
    """A publication date from `YYYY-MM-DD`, or `None`.

    Raises:
        InputError: Anything else.
    """
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError as e:
        raise InputError(Errors.E002.format(value=value)) from e


__all__ = ["IngestStats", "Pipeline", "document_id", "normalise_text", "parse_published"]
