"""Watching: poll feeds, pages and local files, ingest what is new, and remember what was seen, in the database.

A cycle polls every source whose back-off has expired. A URL costs a conditional GET (`If-None-Match`,
`If-Modified-Since`; 304 is unchanged); a local file costs a `stat` while its size and modification time stay put,
then a hash of its bytes. A changed source is read by `sources.py`, and only the items whose ids (feed entry id,
guid or link; else a hash of the text) were not seen before go to `Pipeline.ingest_raw`. A failing source waits
`watch_backoff_base` seconds, doubled at each further failure up to `watch_backoff_max`, while the others go on.

All of this lives in the `watch_sources` table and is saved only after the cycle's items are stored, so a watcher
killed at any point and started again resumes where it stopped: at worst it reads one cycle's items again, and
ingesting is idempotent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Literal

import httpx

from ..errors import Errors, InputError, SitrepError
from ..ingest.sources import FetchError, fetch_if_changed, read_fetched, read_file, retry_after_seconds
from ..models import RawDocument
from ..settings import Settings
from ..store import Store
from ..store.watch_state import SourceState, load_states, save_state

if TYPE_CHECKING:
    from .alerting import AlertWatch
    from .pipeline import IngestStats, Pipeline

logger = logging.getLogger(__name__)

INTERVAL_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
# A `#` at the start of a line, or after a space, starts a comment; one inside a URL (a fragment) does not.
_COMMENT = re.compile(r"(^|\s)#.*$")
# A file whose modification time is this close to the last look may have changed again within the clock's
# resolution without its size or time changing, so it is hashed rather than trusted (git's "racily clean" rule).
_MTIME_SETTLE = dt.timedelta(seconds=2)

PollStatus = Literal["changed", "unchanged", "failed", "waiting"]


def parse_interval(text: str, *, origin: str = "arguments") -> float:
    """Seconds from a number and a unit: `30s`, `15m`, `2h`, `1d` (decimals allowed: `1.5h`).

    Args:
        text: The interval as written.
        origin: Where it came from, for the error message.

    Returns:
        The interval in seconds, more than 0.

    Raises:
        InputError: Anything else, or zero.
    """
    match = _INTERVAL.match(text)
    seconds = float(match.group(1)) * INTERVAL_UNITS[match.group(2)] if match else 0.0
    if seconds <= 0:
        reason = f"{text!r} is not an interval; write a number above 0 and a unit: 30s, 15m, 2h or 1d"
        raise InputError(Errors.E015.format(key="watch_interval", origin=origin, reason=reason))
    return seconds


def read_feeds_file(path: Path) -> list[str]:
    """The sources listed in a feeds file: one http(s) URL or file path a line; `#` comments and blank lines skipped.

    Relative file paths are read from the feeds file's folder, and returned absolute, so that the watcher's state
    does not depend on the working folder.

    Args:
        path: The feeds file.

    Returns:
        The sources, in order, each once.

    Raises:
        InputError: The file cannot be read, or a line is not a URL or an existing file, or repeats another.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise InputError(Errors.E010.format(source=path)) from e
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(Errors.E003.format(source=path, reason=e)) from e
    first_line: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        entry = _COMMENT.sub("", line).strip()
        if not entry:
            continue
        try:
            source = _parse_source(entry, base=path.parent)
        except ValueError as e:
            raise InputError(Errors.E018.format(source=path, line=number, reason=e)) from e
        if source in first_line:
            reason = f"{entry!r} repeats line {first_line[source]}"
            raise InputError(Errors.E018.format(source=path, line=number, reason=reason))
        first_line[source] = number
    if not first_line:
        raise InputError(Errors.E003.format(source=path, reason="it lists no source (one URL or file path a line)"))
    return list(first_line)


def _parse_source(entry: str, *, base: Path) -> str:
    if "://" in entry:
        if any(c.isspace() for c in entry):
            raise ValueError(f"{entry!r} has a space in it; give one URL or file path a line")
        try:
            url = httpx.URL(entry)
        except httpx.InvalidURL as e:
            raise ValueError(f"{entry!r} is not a valid URL ({e})") from e
        if url.scheme not in ("http", "https"):
            raise ValueError(f"{entry!r}: only http:// and https:// URLs can be watched; give files as paths")
        if not url.host:
            raise ValueError(f"{entry!r} has no host name")
        return entry
    path = (base / Path(entry).expanduser()).resolve()
    if not path.is_file():
        what = "a folder; give the files in it one a line" if path.is_dir() else "not an existing file"
        raise ValueError(f"{entry!r} ({path}) is {what}")
    return str(path)


def backoff_seconds(failures: int, *, settings: Settings) -> float:
    """How long a source that failed `failures` times in a row waits before its next poll.

    `watch_backoff_base` after the first failure, doubling after each further one, never above
    `watch_backoff_max`.
    """
    if failures <= 0:
        return 0.0
    # The exponent is capped so that a source failing for months does not overflow a float.
    return float(min(settings.watch_backoff_max, settings.watch_backoff_base * 2 ** min(failures - 1, 60)))


def item_id(raw: RawDocument) -> str:
    """The id by which an item is known to have been seen: a feed entry's id, guid or link (`input_id`), else a
    hash of its content (a page, a text file), so that a changed page counts as new."""
    if raw.input_id:
        return raw.input_id
    body = raw.content or f"{raw.source}\n{raw.error or ''}".encode()
    return "sha256:" + hashlib.sha256(body).hexdigest()[:32]


def remember_ids(current: Sequence[str], seen: Sequence[str], *, limit: int) -> list[str]:
    """The ids to remember after a poll: those the source lists now, then the most recent earlier ones, at most
    `limit` in all, but never fewer than the source lists now (else those would come back as new).

    Args:
        current: The ids of the items the source gave this time, in its order.
        seen: The ids remembered before, most recent first.
        limit: The `watch_seen_ids` setting.

    Returns:
        Most recent first, each once.
    """
    kept = list(dict.fromkeys([*current, *seen]))
    return kept[: max(limit, len(set(current)))]


@dataclass
class Poll:
    """What one poll of one source found, and the state to save for it."""

    source: str
    status: PollStatus
    state: SourceState
    items: list[RawDocument] = field(default_factory=list)
    error: str | None = None


class _SourceFailed(Exception):
    """A whole source could not be read (as opposed to one bad entry in a feed)."""

    def __init__(self, message: str, *, retry_after: str | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def poll_source(
    state: SourceState, *, settings: Settings, now: dt.datetime, client: httpx.Client | None = None
) -> Poll:
    """Poll one source once, unless it is waiting out a back-off.

    Args:
        state: The source's stored state (a fresh `SourceState(source)` for a new one); not modified.
        settings: Fetch timeout, size cap, back-off and the seen-id cap.
        now: The cycle's time, for the back-off.
        client: An HTTP client to reuse across polls.

    Returns:
        The status, the items not seen before, and the state to save. A failure is a result, not an exception:
        it counts against the source's back-off.
    """
    if state.next_attempt_at is not None and now < state.next_attempt_at:
        return Poll(state.source, "waiting", state)
    new_state = replace(state, seen_ids=list(state.seen_ids), last_polled_at=now)
    try:
        if state.source.startswith(("http://", "https://")):
            raws = _poll_url(new_state, settings=settings, client=client)
        else:
            raws = _poll_file(new_state, settings=settings, previous_poll=state.last_polled_at)
    except _SourceFailed as e:
        failures = state.failures + 1
        # A server that says when to come back (429/503 with Retry-After) is believed, up to the longest back-off.
        asked = min(retry_after_seconds(e.retry_after, now=now) or 0.0, settings.watch_backoff_max)
        wait = dt.timedelta(seconds=max(backoff_seconds(failures, settings=settings), asked))
        failed = replace(new_state, failures=failures, next_attempt_at=now + wait, last_error=str(e))
        # The validators and hash stay those of the last good read: a fixed source is then read in full.
        failed.etag, failed.last_modified, failed.content_hash = state.etag, state.last_modified, state.content_hash
        logger.debug("poll %s: failed (%d in a row), next try after %s: %s", state.source, failures, wait, e)
        return Poll(state.source, "failed", failed, error=str(e))
    new_state.failures, new_state.next_attempt_at, new_state.last_error = 0, None, None
    if raws is None:
        logger.debug("poll %s: unchanged", state.source)
        return Poll(state.source, "unchanged", new_state)
    ids = [item_id(raw) for raw in raws]
    seen = set(state.seen_ids)
    fresh: dict[str, RawDocument] = {}
    for raw, key in zip(raws, ids, strict=True):
        if key not in seen and key not in fresh:
            fresh[key] = raw
    new_state.seen_ids = remember_ids(ids, state.seen_ids, limit=settings.watch_seen_ids)
    logger.debug("poll %s: %d items, %d new", state.source, len(raws), len(fresh))
    return Poll(state.source, "changed", new_state, items=list(fresh.values()))


def _poll_url(state: SourceState, *, settings: Settings, client: httpx.Client | None) -> list[RawDocument] | None:
    """The items of a changed URL, or `None` when unchanged; updates the validators and hash in `state`."""
    try:
        fetched = fetch_if_changed(
            state.source, settings=settings, etag=state.etag, last_modified=state.last_modified, client=client
        )
    except FetchError as e:
        raise _SourceFailed(str(e), retry_after=e.retry_after) from e
    if fetched.status == 304:
        # A 304 may carry fresher validators; without them, the old ones still hold.
        state.etag = fetched.etag or state.etag
        state.last_modified = fetched.last_modified or state.last_modified
        return None
    state.etag, state.last_modified = fetched.etag, fetched.last_modified
    digest = hashlib.sha256(fetched.content).hexdigest()
    if digest == state.content_hash:
        return None  # a server that ignores the validators sent the same bytes again
    raws = _whole_source_ok(
        read_fetched(fetched.content, fetched.media_type, url=state.source, empty_feed_ok=True), state.source
    )
    state.content_hash = digest
    return raws


def _poll_file(
    state: SourceState, *, settings: Settings, previous_poll: dt.datetime | None
) -> list[RawDocument] | None:
    """The items of a changed local file, or `None` when unchanged; updates its stamp and hash in `state`.

    The file's size and modification time are kept in `etag` and its modification time, ISO, in `last_modified`.
    """
    path = Path(state.source)
    try:
        info = path.stat()
        if not path.is_file():
            raise _SourceFailed(Errors.E010.format(source=path))
        stamp = f"{info.st_size}:{info.st_mtime_ns}"
        modified = dt.datetime.fromtimestamp(info.st_mtime, tz=dt.UTC)
        settled = previous_poll is not None and modified < previous_poll - _MTIME_SETTLE
        if stamp == state.etag and state.content_hash and settled:
            return None
        with path.open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
    except FileNotFoundError as e:
        raise _SourceFailed(Errors.E010.format(source=path)) from e
    except OSError as e:
        raise _SourceFailed(Errors.E003.format(source=path, reason=e.strerror or e)) from e
    state.etag, state.last_modified = stamp, modified.isoformat()
    if digest == state.content_hash:
        return None
    raws = _whole_source_ok(read_file(path, settings=settings, empty_feed_ok=True), state.source)
    state.content_hash = digest
    return raws


def _whole_source_ok(raws: Iterable[RawDocument], source: str) -> list[RawDocument]:
    """The items read, unless the source as a whole failed (a broken feed, an unreadable file): then raise.

    `sources.py` reports such a failure as one item whose source is the source itself; a bad entry of a good feed
    has `source#id` and is ingested (and counted failed) like any item.
    """
    items = list(raws)
    for raw in items:
        if raw.error and raw.source == source:
            raise _SourceFailed(raw.error)
    return items


@dataclass
class CycleStats:
    """What one cycle did: sources polled and their outcomes, items found new, and what ingesting them gave."""

    cycle: int
    sources: int = 0
    unchanged: int = 0
    changed: int = 0
    failed: int = 0
    waiting: int = 0
    new_items: int = 0
    ingest: IngestStats | None = None
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    alerts: int | None = None

    def summary(self) -> str:
        """The cycle's one log line."""
        items = f"{self.new_items} new item{'' if self.new_items == 1 else 's'}"
        line = (
            f"cycle {self.cycle}: {self.sources} sources, {self.unchanged} unchanged, {self.changed} changed, "
            f"{items}, {self.failed} failed, {self.waiting} backing off"
        )
        if self.ingest is not None:
            line += f"; {self.ingest.summary()}"
        if self.alerts is not None:
            line += f"; {self.alerts} alert{'' if self.alerts == 1 else 's'} sent"
        line += f" ({self.seconds:.1f} s)"
        if self.errors:
            shown = "; ".join(self.errors[:3])
            more = f"; and {len(self.errors) - 3} more" if len(self.errors) > 3 else ""
            line += f"; failed: {shown}{more}"
        return line


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class Watcher:
    """Polls a list of sources in cycles, ingesting new items into a store.

    Example:
        >>> with Watcher.from_feeds_file(Path("feeds.txt"), store, Pipeline()) as watcher:
        ...     watcher.run(every=900)

    Args:
        sources: URLs and absolute file paths (as `read_feeds_file` gives them).
        store: Where items and the watch state go.
        pipeline: Ingests the new items (its settings are used throughout).
        clock: The current time (tests pass their own).
        alerts: Alert rules checked after the first cycle and after each cycle that stored something.
    """

    def __init__(
        self,
        sources: Sequence[str],
        store: Store,
        pipeline: Pipeline,
        *,
        clock: Callable[[], dt.datetime] = _utcnow,
        alerts: AlertWatch | None = None,
    ) -> None:
        self.sources = list(dict.fromkeys(sources))
        self.alerts = alerts
        self.store = store
        self.pipeline = pipeline
        self.settings = pipeline.settings
        self.clock = clock
        self.cycles_run = 0
        self._client = httpx.Client(timeout=self.settings.fetch_timeout, follow_redirects=True)
        self._feeds: Path | None = None
        self._feeds_stamp: tuple[int, int] | None = None

    @classmethod
    def from_feeds_file(
        cls,
        feeds: Path,
        store: Store,
        pipeline: Pipeline,
        *,
        clock: Callable[[], dt.datetime] = _utcnow,
        alerts: AlertWatch | None = None,
    ) -> Watcher:
        """A watcher of the sources a feeds file lists, read again before a cycle whenever the file has changed.

        Raises:
            InputError: The file cannot be read or a line is wrong (at start; a later bad edit is logged and the
                sources read before are kept).
        """
        watcher = cls(read_feeds_file(feeds), store, pipeline, clock=clock, alerts=alerts)
        watcher._feeds, watcher._feeds_stamp = feeds, _stamp(feeds)
        return watcher

    def _reread_feeds(self) -> None:
        stamp = _stamp(self._feeds) if self._feeds is not None else None
        if self._feeds is None or stamp == self._feeds_stamp:
            return
        self._feeds_stamp = stamp
        try:
            sources = read_feeds_file(self._feeds)
        except InputError as e:
            logger.warning("%s; still watching the %d sources read before", e, len(self.sources))
            return
        added = [s for s in sources if s not in self.sources]
        dropped = [s for s in self.sources if s not in sources]
        self.sources = sources
        logger.info("%s changed: %d sources added, %d dropped", self._feeds, len(added), len(dropped))

    def __enter__(self) -> Watcher:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP connections (the store is the caller's)."""
        self._client.close()

    def run_cycle(self) -> CycleStats:
        """Poll every source due, ingest the new items, then save every source's state, and log one line.

        Returns:
            The cycle's counts.

        Raises:
            StoreError: The database failed; nothing of this cycle's state was saved, so the next cycle redoes it.
        """
        started = time.perf_counter()
        self._reread_feeds()
        self.cycles_run += 1
        stats = CycleStats(cycle=self.cycles_run, sources=len(self.sources))
        now = self.clock()
        with self.store.connect() as conn:
            states = load_states(conn, self.sources)
        polls = [
            poll_source(states.get(source) or SourceState(source), settings=self.settings, now=now, client=self._client)
            for source in self.sources
        ]
        items = [raw for poll in polls for raw in poll.items]
        for poll in polls:
            setattr(stats, poll.status, getattr(stats, poll.status) + 1)
            if poll.error:
                stats.errors.append(poll.error)
        stats.new_items = len(items)
        if items:
            stats.ingest = self.pipeline.ingest_raw(items, self.store)
        with self.store.begin() as conn:
            for poll in polls:
                if poll.status != "waiting":
                    save_state(conn, poll.state)
        if self.alerts is not None:
            stored = stats.ingest is not None and (stats.ingest.new or stats.ingest.events_new)
            # The first cycle also sends what earlier runs stored but never sent (a restart after a failed delivery).
            stats.alerts = len(self.alerts.check(self.store)) if stored or self.cycles_run == 1 else 0
        stats.seconds = time.perf_counter() - started
        logger.info(stats.summary())
        return stats

    def run(
        self,
        *,
        every: float,
        cycles: int | None = None,
        stop: threading.Event | None = None,
        on_cycle: Callable[[CycleStats], None] | None = None,
    ) -> int:
        """Run cycles `every` seconds apart (start to start) until `cycles` have run or `stop` is set.

        `stop` is checked between cycles and interrupts the wait, so a signal handler that sets it ends the run
        after the cycle under way. A database error fails that cycle only (logged); the next one tries again.

        Args:
            every: Seconds from the start of one cycle to the start of the next.
            cycles: Stop after this many; `None` runs until stopped.
            stop: Set it to stop.
            on_cycle: Called with each cycle's counts.

        Returns:
            The number of cycles run.
        """
        stop = stop or threading.Event()
        done = 0
        while not stop.is_set() and (cycles is None or done < cycles):
            started = time.monotonic()
            try:
                stats = self.run_cycle()
            except SitrepError as e:
                stats = CycleStats(cycle=self.cycles_run, sources=len(self.sources), errors=[str(e)])
                logger.warning("cycle %d failed: %s", self.cycles_run, e)
            done += 1
            if on_cycle is not None:
                on_cycle(stats)
            if cycles is not None and done >= cycles:
                break
            _sleep(stop, every - (time.monotonic() - started))
        return done


def _stamp(path: Path) -> tuple[int, int] | None:
    """When and how big a file was last written, or None when it is gone."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def _sleep(stop: threading.Event, seconds: float) -> None:
    """Wait until `stop` is set or `seconds` have passed.

    In short steps: a signal delivered to another thread (the kernel may pick any) does not wake a blocked wait,
    but its Python handler runs as soon as this thread wakes, and can then set `stop`.
    """
    deadline = time.monotonic() + seconds
    while not stop.is_set() and (left := deadline - time.monotonic()) > 0:
        stop.wait(min(left, 0.5))
