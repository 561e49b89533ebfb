"""The one `Pipeline`: holds the loaded resources (spaCy, gazetteer, actors, classifier) and runs the stages.

The same object serves the CLI, the API and batch runs. Resources load on first use, once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, deque
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ..errors import Errors, InputError, Warnings
from ..fuse.clusters import report_block, violent_block
from ..fuse.fusion import distinct_claims, fuse_reports
from ..ingest.documents import (
    NearDuplicateIndex,
    Skip,
    document_id,
    normalise_text,
    serialize,
    to_document,
    without_repeats,
)
from ..ingest.sources import clean_metadata, read_sources
from ..memory import collector_paused, keep_freed_memory
from ..models import ControlPeriod, Document, ExtractResult, Figure, RawDocument, Report
from ..settings import Settings, load_settings
from ..store import Store, counters, fusion_queue
from ..store import queries as q
from ..store import write as w
from .engine import EngineSpec, ExtractionFailure, Outcome, extract_in_worker, extract_safely, open_executor
from .fusion_steps import fuse_queued

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
    # Whether the control timeline is to be rebuilt (`refresh_control`): left to the caller by `control=False`.
    control_due: bool = False
    errors: list[str] = field(default_factory=list)
    undated: list[str] = field(default_factory=list)

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
        self.near_indexes: dict[str, _StoredIndex] = {}  # by store URL, kept between ingests

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

    def extract_many(
        self, raws: Iterable[RawDocument], *, on_read: Callable[[RawDocument, Document | Skip], None] | None = None
    ) -> Iterator[ExtractResult]:
        """Extract each raw document in order, batching the spaCy work; junk input gives an empty result.

        Args:
            raws: The documents as read.
            on_read: Called with each raw document and what cleaning made of it (a `Document`, or a `Skip` saying
                why not), as `ingest` counts them.
        """
        for raw, document, reports, figures in self._process(raws, on_read=on_read):
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
        self,
        raws: Iterable[RawDocument],
        *,
        on_read: Callable[[RawDocument, Document | Skip], None] | None = None,
    ) -> Iterator[tuple[RawDocument, Document | None, list[Report], list[Figure]]]:
        pending: list[tuple[RawDocument, Document | None]] = []
        for raw in raws:
            result = to_document(raw, settings=self.settings)
            if on_read is not None:
                on_read(raw, result)
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
        fuse_all: bool = True,
        control: bool = True,
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
            fuse_all: Fuse every date waiting for fusion (those an interrupted run left too), or only the dates and
                blocks of this run's reports (the API: another run's reports are that run's to fuse).
            control: Rebuild the control timeline after fusing; without, `stats.control_due` says whether to call
                `refresh_control` (the API does, after answering).

        Returns:
            The counts.
        """
        return self.ingest_raw(
            read_sources(inputs, settings=self.settings),
            store,
            on_document=on_document,
            engine=engine,
            fuse_all=fuse_all,
            control=control,
        )

    def ingest_raw(
        self,
        raws: Iterable[RawDocument],
        store: Store,
        *,
        on_document: Callable[[str], None] | None = None,
        engine: EngineSpec = LOCAL,
        fuse_all: bool = True,
        control: bool = True,
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
        if fuse_all:
            self.fuse_pending(store, stats, control=control)
        elif run.replaced_any:  # a removed document's events: its blocks, whole
            self.fuse_pending(store, stats, marks=run.marks, control=control)
        else:
            self.fuse_pending(store, stats, marks=run.marks, seeds=run.report_ids, owned=run.owned, control=control)
        for reason, count in stats.reasons.items():
            # Failures are listed one by one by the caller; copies are expected on re-ingest, not a problem.
            level = logging.INFO if reason in ("failed", "duplicate") else logging.WARNING
            logger.log(level, Warnings.W002.format(count=count, reason=reason))
        return stats

    def fuse_pending(
        self,
        store: Store,
        stats: IngestStats | None = None,
        *,
        dates: Iterable[dt.date] | None = None,
        marks: Collection[fusion_queue.Mark] | None = None,
        seeds: Collection[str] | None = None,
        owned: Mapping[fusion_queue.Mark, int | None] | None = None,
        control: bool = True,
    ) -> IngestStats:
        """Fuse the reports waiting for fusion (every queued date, those of `dates`, or only the (date, block) pairs
        of `marks`, and of those only the part that may fuse with the reports of `seeds`: see `fuse_queued`), bring
        the stored events in line, then rebuild the control timeline from the live events.

        The waiting dates include those an interrupted run left, whoever stored them. The work goes in bounded
        steps (`fusion_steps`), each read and fused outside any write transaction and written block by block in
        short transactions, so that other writers wait seconds, not for the whole fusion. Each step fuses every
        report stored for its days (and blocks) and those they may chain with, so the events do not depend on the
        order or batching of the documents.

        Fusing only `marks` (an API ingest of one document) leaves the control timeline to whoever fuses what
        else is queued (a big ingest running meanwhile rebuilds it when it ends); with nothing else queued it
        rebuilds it itself, unless none of its blocks is of the violent family (a protest, an arrest), whose events
        never bear on control.
        """
        stats = stats or IngestStats()
        new, updated, deleted = fuse_queued(store, self.settings, dates=dates, marks=marks, seeds=seeds, owned=owned)
        stats.events_new += new
        stats.events_updated += updated
        stats.events_deleted += deleted
        if marks is not None and not any(violent_block(block) for _, block in marks):
            return stats
        if control:
            self.refresh_control(store, only_if_idle=marks is not None)
        else:
            stats.control_due = True
        return stats

    def refresh_control(self, store: Store, *, only_if_idle: bool = False) -> tuple[int, int, int] | None:
        """Rebuild the control timeline outside the write lock (`control_periods`, `write_control`); with
        `only_if_idle`, only when nothing waits for fusion (the fusion of what is queued ends with a rebuild from
        newer events).

        Returns:
            Counts of (new, updated, deleted) periods, or `None` when nothing was written.
        """
        with store.connect() as conn:
            if only_if_idle and fusion_queue.pending_dates(conn):
                return None
            inputs, periods = self.control_periods(conn)
        return self.write_control(store, inputs, periods)

    def control_periods(self, conn: Connection) -> tuple[int, list[ControlPeriod]]:
        """The control timeline computed from the stored baseline and the live events that bear on control, with
        the value of `counters.CONTROL_INPUTS` read before them (outside any write transaction: on a big store
        this is seconds of evidence matching that other writers need not wait for)."""
        from ..control.timeline import control_filters, control_timeline
        from ..store.control_baseline import iter_baseline

        inputs = counters.current(conn, counters.CONTROL_INPUTS)
        candidates = {e.event_id: e for where in control_filters() for e in q.iter_events(conn, where)}
        baseline = list(iter_baseline(conn))
        return inputs, control_timeline(candidates.values(), settings=self.settings, baseline=baseline)

    def write_control(self, store: Store, inputs: int, periods: Sequence[ControlPeriod]) -> tuple[int, int, int] | None:
        """Store a timeline computed by `control_periods` at `inputs`, unless the stored one was computed from newer
        inputs (another writer changed the events meanwhile and rebuilt after). A timeline from inputs that changed
        after it was read is written all the same: whoever changed them rebuilds after (every fusion that changes
        events bearing on control ends with a rebuild, or leaves it to the fusion of what is still queued).

        Returns:
            Counts of (new, updated, deleted) periods, or `None` when a newer timeline was stored.
        """
        with store.begin() as conn:
            if counters.current(conn, counters.CONTROL_BUILT) > inputs:
                return None
            counters.set_value(conn, counters.CONTROL_BUILT, inputs)
            return w.sync_control_periods(conn, periods)

    def rebuild_control(self, conn: Connection) -> tuple[int, int, int]:
        """Rebuild the control timeline inside a write transaction (after `sitrep control load`).

        Returns:
            Counts of (new, updated, deleted) periods.
        """
        inputs, periods = self.control_periods(conn)
        counters.set_value(conn, counters.CONTROL_BUILT, inputs)
        return w.sync_control_periods(conn, periods)


@dataclass
class _StoredIndex:
    """The near-duplicate index of one store's documents, the ids in it, and when the store was last read."""

    index: NearDuplicateIndex
    known: set[str] = field(default_factory=set)
    seen: int | None = None  # the largest document write number read (`counters.DOCUMENTS`)
    # Each indexed signature's set of near copies, as a tree whose root is the set's kept document: a stored or
    # queued document points to itself, a copy (keyed `copy|original|source`) or a replaced document to another.
    parent: dict[str, str] = field(default_factory=dict)


@dataclass
class _Copy:
    """A document seen again, exactly or nearly, to record once its original is stored."""

    document_id: str
    source: str
    url: str | None
    outlet: str | None
    kind: str
    similarity: float
    minhash: bytes | None = None
    # Kept documents of other sets of near copies that this copy joins to its original's: copies of it now.
    demote: list[str] = field(default_factory=list)


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
        # Documents other processes store while this run goes on, checked again when each document is written.
        self.others = NearDuplicateIndex(settings=self.settings)
        # The index of the stored documents is kept by the pipeline between runs over one store (the API's and the
        # watcher's ingests of a few documents each), and brought up to date with what was stored since.
        cached = pipeline.near_indexes.get(store.url)
        if cached is None:
            cached = pipeline.near_indexes[store.url] = _StoredIndex(NearDuplicateIndex(settings=self.settings))
        self.index, self.known, self.parent = cached.index, cached.known, cached.parent
        with store.connect() as conn:
            if cached.seen is None:  # the copies' signatures, once: this process's own are added as recorded
                for original, source, signature in q.iter_copy_signatures(conn):
                    key = _copy_key(original, source)
                    self.index.add_serialized(key, signature)
                    self.parent[key] = original
            for doc_id, signature, seq in q.iter_signatures(conn, after=cached.seen):
                cached.seen = max(cached.seen or 0, seq)
                if doc_id not in self.known:
                    self.index.add_serialized(doc_id, signature)
                    self.known.add(doc_id)
        cached.seen = cached.seen or 0
        self.cached = cached
        self.batch: list[Document] = []
        self.signatures: dict[int, MinHash] = {}  # by the queued document object: two may share an id
        self.ranks: dict[str, tuple[Any, ...]] = {}  # the canonical rank of each queued document
        # Queued documents that rank before stored or queued near or exact copies, which they replace when written.
        self.replacing: dict[int, list[tuple[str, float]]] = {}
        self.replaced_by: dict[str, str] = {}  # the id of each document replaced in this run, by its replacement
        self.copies: list[_Copy] = []
        self.queued: set[str] = set()
        self.marks: set[fusion_queue.Mark] = set()  # the (date, block) of the reports this run stored
        self.report_ids: set[str] = set()  # the reports this run stored
        # The marks this run queued when they were not queued, with the write number that queued them last (`None`
        # once another writer queued them too): where only this run's reports wait (`fusion_steps._own_dates`).
        self.owned: dict[fusion_queue.Mark, int | None] = {}
        self.replaced_any = False  # whether this run removed a stored document (a better-ranked copy replaced it)
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
        if result.published is None:
            self.stats.undated.append(raw.source)
        # Stored once, a sentence repeated back to back or all over a page is one claim (and one sentence to read).
        text = without_repeats(result.text)
        if text is not result.text:
            result = result.model_copy(update={"text": text})
        copy = self._copy_of(result, raw)
        if copy is not None:
            self.copies.append(copy)
            self._count_duplicate()
            return
        self.batch.append(result)
        if len(self.batch) >= self.settings.spacy_batch_size:
            self.flush()

    def _count_duplicate(self) -> None:
        self.stats.duplicate += 1
        self.stats.reasons["duplicate"] += 1

    def _copy_of(self, document: Document, raw: RawDocument) -> _Copy | None:
        """The copy record when an earlier-ranked document (`canonical_rank`) says the same, or keeps a set of near
        copies this one joins; `None` when this one is to be stored, noting in `replacing` the stored or queued
        documents it replaces (the kept one of each set it joins).

        Near copies are sets, not pairs: with A like B and B like C but A unlike C, the three are one set and keep
        one document, the best-ranked, whatever order they come in (copies keep their signatures for this)."""
        rank = canonical_rank(document)
        replacing: list[tuple[str, float]] = []
        kept = self.ranks.get(document.id)
        if kept is None:
            with self.store.connect() as conn:
                stored = q.get_document(conn, document.id)
            kept = canonical_rank(stored) if stored is not None else None
        if kept is not None:
            if kept <= rank:
                return _Copy(document.id, raw.source, document.url, document.outlet, "exact", 1.0)
            replacing.append((document.id, 1.0))
        signature = self.index.signature(document.text)
        sets: dict[str, float] = {}
        for key, similarity in self.index.find_all(signature):
            root = self._root(key)
            if root != document.id:
                sets[root] = max(similarity, sets.get(root, 0.0))
        best = min(sets, key=self._rank_of, default=None)
        if best is not None and self._rank_of(best) <= rank:
            key = _copy_key(best, raw.source)
            self.index.add(key, signature)
            self.parent[key] = best
            demote = sorted(set(sets) - {best})
            for other in demote:
                self.parent[other] = best
            return _Copy(best, raw.source, document.url, document.outlet, "near", sets[best],
                         minhash=serialize(signature), demote=demote)  # fmt: skip
        for other, similarity in sets.items():
            replacing.append((other, similarity))
            self.parent[other] = document.id
        if replacing:
            self.replacing[id(document)] = replacing
        self.parent[document.id] = document.id
        self.index.add(document.id, signature)
        self.signatures[id(document)] = signature
        self.ranks[document.id] = rank
        self.queued.add(document.id)
        return None

    def _root(self, key: str) -> str:
        """The kept document of the set of near copies an indexed signature is in."""
        while self.parent.get(key, key) != key:
            key = self.parent[key]
        return key

    def _rank_of(self, document_id: str) -> tuple[Any, ...]:
        """The canonical rank of a queued or stored document (a vanished one ranks last)."""
        if document_id in self.ranks:
            return self.ranks[document_id]
        with self.store.connect() as conn:
            stored = q.get_document(conn, document_id)
        return canonical_rank(stored) if stored is not None else _LAST

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
            signature = self.signatures.pop(id(document))
            replacing = self.replacing.pop(id(document), [])
            if isinstance(outcome, ExtractionFailure):
                if document.id not in self.known:
                    self.index.remove(document.id)  # not stored: later copies of it are not copies
                for other, _ in replacing:
                    self.parent[other] = other  # nor does it replace anything
                self.stats.failed += 1
                self.stats.reasons["failed"] += 1
                self.stats.errors.append(Errors.E022.format(source=document.source, reason=outcome.reason))
                continue
            reports, figures = self._claims(document, outcome[0]), outcome[1]
            with self.store.begin() as conn:
                near = self._stored_meanwhile(conn, signature)
                if near is not None and near[0] != document.id:
                    if self._rank_of(near[0]) <= canonical_rank(document):
                        w.record_copy(conn, near[0], source=document.source, url=document.url,
                                      outlet=document.outlet, kind="near", similarity=near[1],
                                      minhash=serialize(signature))  # fmt: skip
                        self._count_duplicate()
                        continue
                    replacing = [*replacing, near]
                stored = q.get_document(conn, document.id)
                if stored is not None and canonical_rank(stored) <= canonical_rank(document):
                    self._count_duplicate()  # another process stored it (or a copy ranked before it) meanwhile
                    continue
                marks = {(r.event_date, report_block(r)) for r in reports if r.event_date}
                moved: list[dict[str, Any]] = []
                similarities = dict(replacing)
                for old_id in sorted(set(similarities) | ({stored.id} if stored else set())):
                    old = q.get_document(conn, old_id)
                    if old is None or canonical_rank(old) <= canonical_rank(document):
                        continue
                    similarity, kind = (1.0, "exact") if old.id == document.id else (similarities[old.id], "near")
                    moved += self._remove(conn, old.id, document.id, marks, kind=kind, similarity=similarity)
                seq = w.write_document(conn, document, minhash=serialize(signature))
                for row in moved:
                    w.record_copy(conn, **row)
                self.stats.reports += w.write_reports(conn, reports, block_of=report_block)
                w.write_document_figures(conn, document, figures)
                before = fusion_queue.mark_pending(conn, marks, seq=seq)
            for mark, previous in before.items():
                if previous is None:
                    self.owned[mark] = seq
                elif mark in self.owned and previous != self.owned[mark]:
                    self.owned[mark] = None  # another writer queued it since this run did
                elif mark in self.owned:
                    self.owned[mark] = seq
            self.report_ids |= {r.report_id for r in reports}
            self.marks |= marks
            self.known.add(document.id)
            self.stats.new += 1
        with self.store.begin() as conn:
            marks = set()
            for copy in copies:
                original = self._replacement(copy.document_id)
                for other in copy.demote:
                    other = self._replacement(other)
                    if other != original and q.get_document(conn, other) is not None:
                        # A copy that joins two sets of near copies: the worse-ranked one's document is a copy now.
                        for row in self._remove(conn, other, original, marks, kind="near", similarity=0.0):
                            w.record_copy(conn, **row)
                w.record_copy(conn, original, source=copy.source, url=copy.url, outlet=copy.outlet,
                              kind=copy.kind, similarity=copy.similarity, minhash=copy.minhash)  # fmt: skip
            if marks:
                fusion_queue.mark_pending(conn, marks)
                self.marks |= marks

    def _replacement(self, document_id: str) -> str:
        """The document that replaced one in this run (through any number of replacements), or itself."""
        while document_id in self.replaced_by and self.replaced_by[document_id] != document_id:
            document_id = self.replaced_by[document_id]
        return document_id

    def _remove(
        self, conn: Connection, old_id: str, new_id: str, marks: set[fusion_queue.Mark], *, kind: str, similarity: float
    ) -> list[dict[str, Any]]:
        """Remove a stored document that `new_id` replaces, adding the (date, block) of its reports to `marks`;
        returns the copy records to write for `new_id` once it is stored: the old document's own, then its copies'."""
        old_copies, old_marks = w.remove_document(conn, old_id)
        self.replaced_by[old_id] = new_id
        self.known.discard(old_id)
        self.replaced_any = True
        marks |= old_marks
        rows = [{**row, "document_id": new_id} for row in old_copies]
        if rows:
            rows[0].update(kind=kind, similarity=similarity)
        return rows

    def _claims(self, document: Document, reports: list[Report]) -> list[Report]:
        """A document's distinct claims, at most `max_reports_per_document` of them (saying so when it drops some)."""
        claims = distinct_claims(reports)
        limit = self.settings.max_reports_per_document
        if len(claims) > limit:
            logger.warning(Warnings.W005.format(source=document.source, count=len(claims), limit=limit))
            claims = claims[:limit]
        return claims

    def _stored_meanwhile(self, conn: Connection, signature: MinHash) -> tuple[str, float] | None:
        """A document another process stored since this run last looked that this one nearly repeats.

        Runs inside the write transaction, which writers take one at a time, so two concurrent ingests of
        near-copies store one of them, as a single ingest would.
        """
        for doc_id, data, seq in q.iter_signatures(conn, after=self.cached.seen):
            self.cached.seen = max(self.cached.seen or 0, seq)
            if doc_id not in self.known:
                self.known.add(doc_id)
                self.others.add_serialized(doc_id, data)
                self.index.add_serialized(doc_id, data)
        return self.others.find(signature)


def _copy_key(original: str, source: str) -> str:
    """The key of a copy's signature in the near-duplicate index."""
    return f"copy|{original}|{source}"


def canonical_rank(document: Document) -> tuple[Any, ...]:
    """Which of two copies of a text is kept, whatever order they come in: the earliest published, then the smallest
    id, then the smallest text (exact copies differ in case and spacing), URL and outlet. Where it was read from is
    no part of it: the same text read again from another file is a copy, not a better original."""
    published = document.published or dt.date.max
    return published, document.id, document.text, document.url or "", document.outlet or ""


_LAST = (dt.date.max, "\uffff")


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
