"""`sitrep watch`: a real HTTP server that honours ETag and Last-Modified, real feed files, real databases."""

from __future__ import annotations

import datetime as dt
import email.utils
import http.server
import logging
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from spacy.language import Language
from typer.testing import CliRunner

from sitrep.errors import InputError
from sitrep.run.pipeline import Pipeline
from sitrep.run.watch import (
    Watcher,
    backoff_seconds,
    parse_interval,
    poll_source,
    read_feeds_file,
    remember_ids,
)
from sitrep.settings import Settings
from sitrep.store import Store, open_store
from sitrep.store import queries as q
from sitrep.store.watch_state import SourceState, load_states
from sitrep.views.cli import app

# Test items written for these tests: (guid, title, text).
ITEMS = [
    ("wire-1", "Clashes near Morek", "Rebel fighters and army units clashed on the edge of Morek, a monitor said."),
    ("wire-2", "March in Idlib", "Hundreds of people marched through central Idlib to demand news of detainees."),
    ("wire-3", "Shelling of Ariha", "Artillery fire struck a market in Ariha on Wednesday, medics said."),
    ("wire-4", "Raid in Sarmada", "Police raided several shops in Sarmada on Thursday, residents said."),
]
BROKEN_FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Half a feed'
NOW = dt.datetime(2024, 12, 3, 12, 0, tzinfo=dt.UTC)


def rss(items: list[tuple[str, str, str]], *, title: str = "Test Wire") -> bytes:
    entries = "".join(
        f"<item><guid>{guid}</guid><title>{escape(head)}</title><link>https://wire.example/{guid}</link>"
        f"<pubDate>Tue, 03 Dec 2024 09:00:00 GMT</pubDate><description>{escape(text)}</description></item>"
        for guid, head, text in items
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{title}</title>{entries}</channel></rss>'.encode()  # noqa: E501


class Site:
    """What the test server serves; tests change it between cycles and read what it was asked."""

    def __init__(self) -> None:
        self.items = ITEMS[:2]
        self.version = 1
        self.error_fixed = False
        self.retry_after = "3600"
        self.log: list[tuple[str, int, str | None, str | None]] = []  # path, status, If-None-Match, If-Modified-Since

    def publish(self, items: list[tuple[str, str, str]]) -> None:
        self.items, self.version = items, self.version + 1

    @property
    def etag(self) -> str:
        return f'"v{self.version}"'

    @property
    def modified(self) -> float:
        return 1_733_220_000 + 60 * self.version

    def statuses(self, path: str) -> list[int]:
        return [status for p, status, _, _ in self.log if p == path]


def _handler(site: Site) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path, inm, ims = self.path, self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")
            status, body = 200, rss(site.items)
            if path == "/error" and not site.error_fixed:
                status, body = 500, b"server error"
            elif path == "/busy":
                status, body = 429, b"slow down"
            elif path == "/broken":
                body = BROKEN_FEED
            elif path in ("/feed", "/error") and inm is not None:
                status = 304 if inm == site.etag else 200  # If-None-Match wins over If-Modified-Since (RFC 9110)
            elif path in ("/feed", "/lm-only", "/error") and ims:
                since = email.utils.parsedate_to_datetime(ims).timestamp()
                status = 304 if since >= site.modified else 200
            site.log.append((path, status, inm, ims))
            self.send_response(status)
            if path in ("/feed", "/error"):
                self.send_header("ETag", site.etag)
            if path in ("/feed", "/lm-only", "/error"):
                self.send_header("Last-Modified", email.utils.formatdate(site.modified, usegmt=True))
            if status == 304:
                self.end_headers()
                return
            if status == 429:
                self.send_header("Retry-After", site.retry_after)
            self.send_header("Content-Type", "application/rss+xml" if status == 200 else "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def site() -> Site:
    return Site()


@pytest.fixture
def server(site: Site) -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def pipeline(nlp: Language) -> Pipeline:
    """One pipeline (models loaded once) for the whole file; it holds no database."""
    return Pipeline(Settings(), nlp=nlp)


@pytest.fixture
def idle_pipeline() -> Pipeline:
    """A pipeline for runs that find nothing to ingest: its models load only on first use, so never here."""
    return Pipeline(Settings())


class Clock:
    def __init__(self, start: dt.datetime = NOW) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


def _documents(store: Store) -> int:
    with store.connect() as conn:
        return q.count_rows(conn)["documents"]


def _state(store: Store, source: str) -> SourceState:
    with store.connect() as conn:
        return load_states(conn, [source])[source]


# ---- intervals, feeds files, back-off, seen ids ----------------------------------------------------------------


@pytest.mark.parametrize(("text", "seconds"), [("30s", 30), ("15m", 900), ("2h", 7200), ("1d", 86400), ("1.5h", 5400)])
def test_watch_parse_interval(text: str, seconds: float) -> None:
    assert parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["15", "m", "15 minutes", "0s", "-5m", "1w", ""])
def test_watch_parse_interval_refuses_others(text: str) -> None:
    with pytest.raises(InputError, match=r"\[E015\].*30s, 15m, 2h or 1d"):
        parse_interval(text)


def test_watch_feeds_file_skips_comments_and_resolves_paths(tmp_path: Path) -> None:
    (tmp_path / "local").mkdir()
    (tmp_path / "local" / "wire.xml").write_bytes(rss(ITEMS[:1]))
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(
        "# my sources\n\nhttps://news.example/rss.xml#top   # a fragment is not a comment\n"
        "  local/wire.xml\nhttp://127.0.0.1:8080/feed\n"
    )
    assert read_feeds_file(feeds) == [
        "https://news.example/rss.xml#top",
        str((tmp_path / "local" / "wire.xml").resolve()),
        "http://127.0.0.1:8080/feed",
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("ftp://files.example/feed.xml", "only http:// and https://"),
        ("http://", "no host name"),
        ("https://a.example/x y", "has a space"),
        ("missing.xml", "not an existing file"),
        ("sub", "is a folder"),
        ("wire.xml", "repeats line 1"),
    ],
)
def test_watch_feeds_file_bad_line_is_a_clear_error(tmp_path: Path, line: str, message: str) -> None:
    (tmp_path / "wire.xml").write_bytes(rss(ITEMS[:1]))
    (tmp_path / "sub").mkdir()
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(f"wire.xml\n# comment\n{line}\n")
    with pytest.raises(InputError, match=r"\[E018\] .*feeds\.txt, line 3: ") as caught:
        read_feeds_file(feeds)
    assert message in str(caught.value)


@pytest.mark.parametrize(("text", "message"), [(None, "[E010]"), ("# nothing yet\n\n", "lists no source")])
def test_watch_feeds_file_missing_or_empty(tmp_path: Path, text: str | None, message: str) -> None:
    feeds = tmp_path / "feeds.txt"
    if text is not None:
        feeds.write_text(text)
    with pytest.raises(InputError) as caught:
        read_feeds_file(feeds)
    assert message in str(caught.value)


@pytest.mark.parametrize(("failures", "seconds"), [(0, 0), (1, 300), (2, 600), (3, 1200), (7, 19200), (8, 21600)])
def test_watch_backoff_doubles_up_to_the_cap(failures: int, seconds: float) -> None:
    assert backoff_seconds(failures, settings=Settings()) == seconds


def test_watch_backoff_never_overflows() -> None:
    assert backoff_seconds(10_000, settings=Settings()) == Settings().watch_backoff_max


@pytest.mark.parametrize(
    ("current", "seen", "limit", "expected"),
    [
        (["c", "b"], ["b", "a"], 10, ["c", "b", "a"]),
        (["e", "d"], ["d", "c", "b", "a"], 3, ["e", "d", "c"]),
        (["e", "d", "c", "b"], ["a"], 2, ["e", "d", "c", "b"]),  # never forget what the source still lists
        (["x", "x"], [], 5, ["x"]),
    ],
)
def test_watch_remember_ids_is_bounded(current: list[str], seen: list[str], limit: int, expected: list[str]) -> None:
    assert remember_ids(current, seen, limit=limit) == expected


def test_watch_seen_ids_stay_bounded_as_a_feed_rolls(tmp_path: Path) -> None:
    path = tmp_path / "wire.xml"
    settings = Settings(watch_seen_ids=3)
    state = SourceState(str(path))
    for start in range(0, 12, 2):  # the feed shows two items, two new ones each time
        items = [(f"id-{n}", f"Item {n}", f"Report number {n} of fighting near Saraqib, written for a test.")
                 for n in (start + 1, start)]  # fmt: skip
        path.write_bytes(rss(items))
        poll = poll_source(state, settings=settings, now=NOW, client=None)
        assert [raw.input_id for raw in poll.items] == [f"id-{start + 1}", f"id-{start}"]
        state = poll.state
        assert len(state.seen_ids) <= 3
    assert state.seen_ids == ["id-11", "id-10", "id-9"]


# ---- polling over HTTP ---------------------------------------------------------------------------------------


@pytest.mark.model
@pytest.mark.parametrize(("path", "second_status"), [("/feed", 304), ("/lm-only", 304), ("/plain", 200)])
def test_watch_unchanged_feed_costs_no_ingest(
    store: Store, pipeline: Pipeline, server: str, site: Site, path: str, second_status: int
) -> None:
    with Watcher([server + path], store, pipeline) as watcher:
        first = watcher.run_cycle()
        second = watcher.run_cycle()
    assert (first.changed, first.new_items, first.ingest and first.ingest.new) == (1, 2, 2)
    assert (second.unchanged, second.changed, second.new_items, second.ingest) == (1, 0, 0, None)
    assert site.statuses(path) == [200, second_status]
    assert _documents(store) == 2


@pytest.mark.model
def test_watch_only_new_items_are_ingested(store: Store, pipeline: Pipeline, server: str, site: Site) -> None:
    with Watcher([f"{server}/feed"], store, pipeline) as watcher:
        watcher.run_cycle()
        site.publish([ITEMS[2], *ITEMS[:2]])
        stats = watcher.run_cycle()
    assert (stats.changed, stats.new_items) == (1, 1)
    assert stats.ingest is not None and (stats.ingest.read, stats.ingest.new) == (1, 1)
    assert site.log[-1][2] == '"v1"'  # the second request was conditional on the first answer's ETag
    assert _documents(store) == 3
    assert _state(store, f"{server}/feed").seen_ids == ["wire-3", "wire-1", "wire-2"]


@pytest.mark.model
def test_watch_restart_resumes_without_reingesting(
    store: Store, pipeline: Pipeline, server: str, site: Site, tmp_path: Path
) -> None:
    local = tmp_path / "local.xml"
    local.write_bytes(rss(ITEMS[2:4], title="Local Wire"))
    sources = [f"{server}/feed", str(local)]
    with Watcher(sources, store, pipeline) as watcher:
        assert watcher.run_cycle().new_items == 4
    again_store = open_store(store.url)
    again_pipeline = Pipeline(Settings())
    try:
        with Watcher(sources, again_store, again_pipeline) as watcher:
            stats = watcher.run_cycle()
    finally:
        again_store.close()
    assert (stats.unchanged, stats.new_items, stats.ingest) == (2, 0, None)
    assert site.log[-1][1:3] == (304, '"v1"')
    assert "extractor" not in vars(again_pipeline)  # nothing was extracted: the models were never loaded
    assert _documents(store) == 4


@pytest.mark.model
def test_watch_failing_sources_back_off_and_others_go_on(
    store: Store, pipeline: Pipeline, server: str, site: Site
) -> None:
    failing = {f"{server}/error": "HTTP 500", f"{server}/broken": "[E009]", "http://127.0.0.1:1/feed": "[E008]"}
    clock = Clock()
    with Watcher([f"{server}/feed", *failing], store, pipeline, clock=clock) as watcher:
        first = watcher.run_cycle()
        clock.advance(299)
        waiting = watcher.run_cycle()
        clock.advance(1)
        second = watcher.run_cycle()
    assert (first.changed, first.new_items, first.failed) == (1, 2, 3)
    assert (waiting.unchanged, waiting.waiting, waiting.failed) == (1, 3, 0)
    assert (second.unchanged, second.failed) == (1, 3)
    for source, message in failing.items():
        state = _state(store, source)
        assert message in (state.last_error or "")
        assert (state.failures, state.next_attempt_at) == (2, clock.now + dt.timedelta(seconds=600))
    assert len(first.errors) == 3 and "failed: " in first.summary()
    assert _documents(store) == 2


@pytest.mark.parametrize(
    ("retry_after", "wait"),
    [
        ("3600", 3600),  # longer than the back-off: believed
        ("10", 300),  # shorter: the back-off still holds
        ("999999", 21600),  # never longer than the longest back-off
        ("Tue, 03 Dec 2024 14:30:00 GMT", 9000),  # an HTTP date, the clock being 12:00 that day
        ("soon", 300),  # unreadable: ignored
    ],
)
def test_watch_honours_retry_after(
    tmp_path: Path, idle_pipeline: Pipeline, server: str, site: Site, retry_after: str, wait: float
) -> None:
    store = open_store(str(tmp_path / "w.db"))
    site.retry_after = retry_after
    clock = Clock()
    with Watcher([f"{server}/busy"], store, idle_pipeline, clock=clock) as watcher:
        assert watcher.run_cycle().failed == 1
    state = _state(store, f"{server}/busy")
    store.close()
    assert "HTTP 429" in (state.last_error or "")
    assert state.next_attempt_at == clock.now + dt.timedelta(seconds=wait)


def test_watch_reads_the_feeds_file_again_when_it_changes(
    tmp_path: Path, idle_pipeline: Pipeline, server: str, site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    store = open_store(str(tmp_path / "w.db"))
    site.items = []  # empty feeds: nothing to ingest, so no model is needed
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(f"{server}/feed\n")
    with Watcher.from_feeds_file(feeds, store, idle_pipeline, clock=Clock()) as watcher:
        first = watcher.run_cycle()
        feeds.write_text(f"{server}/feed\n{server}/lm-only\n")
        second = watcher.run_cycle()
        feeds.write_text(f"{server}/feed\nftp://files.example/feed.xml\n")  # a bad edit
        with caplog.at_level("WARNING", logger="sitrep.run.watch"):
            third = watcher.run_cycle()
    store.close()
    assert (first.sources, second.sources, third.sources) == (1, 2, 2)
    assert site.statuses("/lm-only") == [200, 304]
    assert "[E018]" in caplog.text and "still watching the 2 sources" in caplog.text


def test_watch_recovered_source_resets_its_backoff(
    tmp_path: Path, idle_pipeline: Pipeline, server: str, site: Site
) -> None:
    store = open_store(str(tmp_path / "w.db"))
    site.items = []  # an empty feed: nothing to ingest, so no model is needed
    clock = Clock()
    with Watcher([f"{server}/error"], store, idle_pipeline, clock=clock) as watcher:
        assert watcher.run_cycle().failed == 1
        site.error_fixed = True
        clock.advance(300)
        stats = watcher.run_cycle()
    state = _state(store, f"{server}/error")
    store.close()
    assert (stats.changed, stats.failed) == (1, 0)
    assert (state.failures, state.next_attempt_at, state.last_error) == (0, None, None)
    assert state.etag == '"v1"'


# ---- local files -----------------------------------------------------------------------------------------------


@pytest.mark.model
def test_watch_local_file_unchanged_until_its_content_changes(tmp_path: Path, pipeline: Pipeline) -> None:
    store = open_store(str(tmp_path / "w.db"))
    path = tmp_path / "wire.xml"
    path.write_bytes(rss(ITEMS[:1]))
    with Watcher([str(path)], store, pipeline) as watcher:
        assert watcher.run_cycle().new_items == 1
        os.utime(path, ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))  # touched, same bytes
        touched = watcher.run_cycle()
        path.write_bytes(rss([ITEMS[3], ITEMS[0]]))
        edited = watcher.run_cycle()
    store.close()
    assert (touched.unchanged, touched.new_items) == (1, 0)
    assert (edited.changed, edited.new_items) == (1, 1)


def test_watch_local_file_rewritten_with_same_size_and_time_is_noticed(tmp_path: Path) -> None:
    # Within the file system's time resolution a rewrite may keep size and mtime: a recent file is hashed anyway.
    path = tmp_path / "wire.xml"
    path.write_bytes(rss([ITEMS[0]]))
    first = poll_source(SourceState(str(path)), settings=Settings(), now=dt.datetime.now(dt.UTC))
    stamp = path.stat().st_mtime_ns
    path.write_bytes(rss([("wire-9", *ITEMS[0][1:])]))  # same length, another id
    os.utime(path, ns=(stamp, stamp))
    second = poll_source(first.state, settings=Settings(), now=dt.datetime.now(dt.UTC))
    assert second.state.etag == first.state.etag
    assert second.status == "changed" and [raw.input_id for raw in second.items] == ["wire-9"]


@pytest.mark.parametrize(
    ("content", "status", "error"),
    [(rss([]), "changed", None), (BROKEN_FEED, "failed", "[E009]"), (None, "failed", "[E010]")],
)
def test_watch_local_file_empty_broken_or_gone(
    tmp_path: Path, content: bytes | None, status: str, error: str | None
) -> None:
    path = tmp_path / "wire.xml"
    if content is not None:
        path.write_bytes(content)
    poll = poll_source(SourceState(str(path)), settings=Settings(), now=NOW)
    assert (poll.status, poll.items) == (status, [])
    assert (poll.error or "")[:6] == (error or "")
    assert poll.state.failures == (0 if error is None else 1)


# ---- running: log lines, stopping, the command ------------------------------------------------------------------


def test_watch_logs_one_line_per_cycle(
    tmp_path: Path, idle_pipeline: Pipeline, caplog: pytest.LogCaptureFixture
) -> None:
    store = open_store(str(tmp_path / "w.db"))
    path = tmp_path / "wire.xml"
    path.write_bytes(rss([]))
    caplog.set_level(logging.DEBUG, logger="sitrep")
    with Watcher([str(path), "http://127.0.0.1:1/feed"], store, idle_pipeline) as watcher:
        assert watcher.run(every=0, cycles=3) == 3
    store.close()
    lines = [r.getMessage() for r in caplog.records if r.name == "sitrep.run.watch" and r.levelno >= logging.INFO]
    assert [line.split(":")[0] for line in lines] == ["cycle 1", "cycle 2", "cycle 3"]
    assert "2 sources, 0 unchanged, 1 changed, 0 new items, 1 failed, 0 backing off" in lines[0]
    assert "1 unchanged, 0 changed, 0 new items, 0 failed, 1 backing off" in lines[1]


def test_watch_stop_ends_the_run_between_cycles(tmp_path: Path, idle_pipeline: Pipeline) -> None:
    store = open_store(str(tmp_path / "w.db"))
    path = tmp_path / "wire.xml"
    path.write_bytes(rss([]))
    stop = threading.Event()
    started = time.monotonic()
    with Watcher([str(path)], store, idle_pipeline) as watcher:
        cycles = watcher.run(every=3600, stop=stop, on_cycle=lambda stats: stop.set())
    store.close()
    assert cycles == 1 and time.monotonic() - started < 10


def test_watch_command_once(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "wire.xml").write_bytes(rss([]))
    (tmp_path / "feeds.txt").write_text("# local\nwire.xml\n")
    args = ["watch", str(tmp_path / "feeds.txt"), "--db", str(tmp_path / "w.db"), "--once", "--create"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("cycle 1: 1 sources, 0 unchanged, 1 changed, 0 new items, 0 failed")
    assert len(result.stdout.splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--every", "soon"], "'soon' is not an interval"), (["--cycles", "1"], "line 2: 'nowhere.xml'")],
)
def test_watch_command_bad_input(runner: CliRunner, tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "wire.xml").write_bytes(rss([]))
    (tmp_path / "feeds.txt").write_text("wire.xml\nnowhere.xml\n")
    result = runner.invoke(app, ["watch", str(tmp_path / "feeds.txt"), "--db", str(tmp_path / "w.db"), *args])
    assert result.exit_code == 1
    assert message in " ".join(result.stderr.split())


def test_watch_command_stops_on_sigterm(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "wire.xml").write_bytes(rss([]))
    (tmp_path / "feeds.txt").write_text("wire.xml\n")
    handler_before = signal.getsignal(signal.SIGTERM)
    timer = threading.Timer(1.0, os.kill, args=(os.getpid(), signal.SIGTERM))
    timer.start()
    started = time.monotonic()
    args = ["watch", str(tmp_path / "feeds.txt"), "--db", str(tmp_path / "w.db"), "--every", "1h", "--create"]
    result = runner.invoke(app, args)
    timer.join()
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started < 20
    assert result.stdout.splitlines()[0].startswith("cycle 1:") and len(result.stdout.splitlines()) == 1
    assert "SIGTERM: stopping after this cycle" in result.stderr
    assert signal.getsignal(signal.SIGTERM) == handler_before
