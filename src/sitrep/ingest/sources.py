"""Sources: read files, folders, JSON Lines, CSV, RSS/Atom feeds and URLs into `RawDocument`s.

Nothing here cleans text. A source that cannot be read yields one `RawDocument` whose `error` says which input
and what was wrong, so that the run goes on and the caller counts it as failed.
"""

from __future__ import annotations

import csv
import datetime as dt
import email.utils
import io
import json
import logging
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import feedparser
import httpx

from ..errors import Errors
from ..models import RawDocument
from ..settings import Settings

logger = logging.getLogger(__name__)

HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
TEXT_SUFFIXES = {".txt", ".text", ".md"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
FEED_SUFFIXES = {".rss", ".atom", ".xml"}
CSV_SUFFIXES = {".csv"}
TEXT_HEADER_KEYS = {"title", "outlet", "published", "url", "source", "date"}
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def read_sources(inputs: Iterable[str], *, settings: Settings) -> Iterator[RawDocument]:
    """Yield the raw documents of every input, in order.

    Args:
        inputs: File paths, folder paths (read recursively, sorted), `-` is not accepted here, or http(s) URLs.
        settings: Size cap and fetch timeout.

    Yields:
        One `RawDocument` per document found; a failed input yields one with `error` set.
    """
    for item in inputs:
        if item.startswith(("http://", "https://")):
            yield from read_url(item, settings=settings)
            continue
        path = Path(item)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")):
                if child.suffix.lower() in {".yaml", ".yml"} or child.name.lower() == "readme.md":
                    continue  # expectation files and folder notes are not documents
                yield from read_file(child, settings=settings)
        elif path.is_file():
            yield from read_file(path, settings=settings)
        else:
            shown = clean_str(item)
            yield _failed(shown, Errors.E010.format(source=shown))


def read_file(path: Path, *, settings: Settings, empty_feed_ok: bool = False) -> Iterator[RawDocument]:
    """Yield the documents of one file, chosen by its suffix and, failing that, by its content.

    Args:
        path: The file.
        settings: Size cap.
        empty_feed_ok: A well-formed feed without entries yields nothing instead of a failure (for `sitrep watch`).
    """
    source = clean_str(str(path))
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        yield from read_jsonl(path, settings=settings)
        return
    try:
        size = path.stat().st_size
        if size > settings.max_document_bytes:
            yield _failed(source, Errors.E004.format(source=source, size=size, limit=settings.max_document_bytes))
            return
        content = path.read_bytes()
    except OSError as e:
        yield _failed(source, Errors.E003.format(source=source, reason=e.strerror or e))
        return
    yield from read_content(content, source=source, suffix=suffix, empty_feed_ok=empty_feed_ok)


def read_content(
    content: bytes, *, source: str, suffix: str = "", empty_feed_ok: bool = False
) -> Iterator[RawDocument]:
    """The documents of a file's bytes (or standard input's), chosen by the suffix and, failing that, the content:
    the one reader of `sitrep ingest` and `sitrep extract`.

    Args:
        content: The bytes.
        source: Where they came from, for messages.
        suffix: The file's suffix, lower case ("" for standard input).
        empty_feed_ok: A well-formed feed without entries yields nothing instead of a failure.
    """
    if suffix in JSONL_SUFFIXES or (not suffix and content.lstrip()[:1] == b"{"):
        for number, line in enumerate(content.splitlines(), start=1):
            if line.strip():
                yield record_to_raw(line, source=f"{source}:{number}", line=number)
    elif suffix in CSV_SUFFIXES:
        yield from read_csv(content, source=source)
    elif suffix in FEED_SUFFIXES or (suffix not in HTML_SUFFIXES | TEXT_SUFFIXES and _looks_like_feed(content)):
        yield from read_feed(content, source=source, empty_ok=empty_feed_ok)
    elif suffix in HTML_SUFFIXES or _looks_like_html(content):
        yield RawDocument(source=source, content=content, media_type="html")
    else:
        yield read_text_file(content, source=source)


def missing_inputs(inputs: Iterable[str]) -> list[str]:
    """The inputs that are neither a URL nor an existing file or folder, so that a command can refuse them before
    it starts instead of counting them as read."""
    return [item for item in inputs if not item.startswith(("http://", "https://")) and not Path(item).exists()]


def with_defaults(
    raws: Iterable[RawDocument], *, published: dt.date | None = None, outlet: str | None = None
) -> Iterator[RawDocument]:
    """The documents, with a publication date and an outlet filled in where the document states none
    (`--published`, `--outlet`)."""
    for raw in raws:
        update: dict[str, object] = {}
        if published is not None and raw.published is None and not raw.error:
            update["published"] = published
        if outlet is not None and raw.outlet is None and not raw.error:
            update["outlet"] = outlet
        yield raw.model_copy(update=update) if update else raw


def read_text_file(content: bytes, *, source: str) -> RawDocument:
    """A plain text document; a leading block of `Key: value` lines (Title, Outlet, Published, URL) is metadata."""
    meta: dict[str, str] = {}
    body = content
    head, sep, rest = content.partition(b"\n\n")
    if sep:
        lines = head.decode("utf-8", errors="replace").splitlines()
        pairs = [line.split(":", 1) for line in lines]
        if pairs and all(len(p) == 2 and p[0].strip().lower() in TEXT_HEADER_KEYS for p in pairs):
            meta = {k.strip().lower(): v.strip() for k, v in pairs}
            body = rest
    return RawDocument(
        source=source,
        content=body,
        media_type="text",
        title=clean_metadata(meta.get("title")),
        outlet=clean_metadata(meta.get("outlet") or meta.get("source")),
        url=clean_metadata(meta.get("url")),
        published=parse_date(meta.get("published") or meta.get("date")),
    )


def read_jsonl(path: Path, *, settings: Settings) -> Iterator[RawDocument]:
    """One document per line: `{"id", "text", "published", "url", "outlet", "title"}`; a bad line fails alone."""
    try:
        handle = path.open("rb")
    except OSError as e:
        shown = clean_str(str(path))
        yield _failed(shown, Errors.E003.format(source=shown, reason=e.strerror or e))
        return
    with handle:
        for number, line in enumerate(handle, start=1):
            source = f"{clean_str(str(path))}:{number}"
            if len(line) > settings.max_document_bytes:
                yield _failed(
                    source, Errors.E004.format(source=source, size=len(line), limit=settings.max_document_bytes)
                )
                continue
            if not line.strip():
                continue
            yield record_to_raw(line, source=source, line=number)


def record_to_raw(record_text: bytes | str, *, source: str, line: int = 1) -> RawDocument:
    """Parse one JSON Lines record into a `RawDocument` (or one with `error` set)."""
    try:
        record: Any = json.loads(record_text)
    except ValueError as e:  # also bad UTF-8, and integers longer than Python converts (sys.int_info)
        return _failed(source, Errors.E006.format(source=source, line=line, reason=e))
    except RecursionError:
        return _failed(source, Errors.E006.format(source=source, line=line, reason="nested too deeply"))
    text = clean_str(record["text"]) if isinstance(record, dict) and isinstance(record.get("text"), str) else ""
    if not text.strip():
        input_id = clean_metadata(record.get("id")) if isinstance(record, dict) else None
        return _failed(source, Errors.E007.format(source=source, line=line), input_id=input_id)
    published = parse_date(record.get("published"))
    if record.get("published") and published is None:
        return _failed(
            source, Errors.E018.format(source=source, line=line, reason=f"bad published date {record['published']!r}")
        )
    content = text.encode("utf-8")
    media_type = "html" if _looks_like_html(content[:2000]) else "text"
    return RawDocument(
        source=source,
        input_id=clean_metadata(record.get("id")),
        content=content,
        media_type=media_type,
        url=clean_metadata(record.get("url")),
        outlet=clean_metadata(record.get("outlet")),
        title=clean_metadata(record.get("title")),
        published=published,
    )


def read_csv(content: bytes, *, source: str) -> Iterator[RawDocument]:
    """One document per row of a CSV with a `text` column (and optional id, published, url, outlet, title).

    A malformed CSV (a cell over `csv.field_size_limit()`, a stray quote in strict places) fails from the row
    where it goes wrong; the rows before it are kept.
    """
    text = content.decode("utf-8-sig", errors="replace")
    # newline="": the csv module reads line ends itself, so a bare "\r" or a newline inside quotes is data.
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        if not reader.fieldnames or "text" not in reader.fieldnames:
            yield _failed(source, Errors.E003.format(source=source, reason="a CSV of documents needs a 'text' column"))
            return
        for number, row in enumerate(reader, start=2):
            yield record_to_raw(json.dumps(row), source=f"{source}:{number}", line=number)
    except csv.Error as e:
        line = reader.line_num + 1  # the reader counts the lines before the record it failed on
        yield _failed(f"{source}:{line}", Errors.E018.format(source=source, line=line, reason=f"not valid CSV ({e})"))


def read_feed(content: bytes, *, source: str, empty_ok: bool = False) -> Iterator[RawDocument]:
    """One document per RSS/Atom entry, its text from the entry's content or summary.

    Args:
        content: The feed's bytes.
        source: Where it came from; entries get `source#id`.
        empty_ok: A well-formed feed without entries yields nothing instead of a failure.
    """
    feed = feedparser.parse(content)
    if not feed.entries:
        if empty_ok and not feed.get("bozo"):
            return
        reason = str(feed.get("bozo_exception") or "no entries")
        yield _failed(source, Errors.E009.format(source=source, reason=reason))
        return
    outlet = clean_metadata(feed.feed.get("title"))
    for number, entry in enumerate(feed.entries, start=1):
        body = clean_str(_entry_text(entry))
        entry_source = clean_str(f"{source}#{entry.get('id') or entry.get('link') or number}")
        if not body.strip():
            yield _failed(entry_source, Errors.E003.format(source=entry_source, reason="the entry has no text"))
            continue
        yield RawDocument(
            source=entry_source,
            input_id=clean_metadata(entry.get("id") or entry.get("link")),
            content=body.encode("utf-8"),
            media_type="html" if _looks_like_html(body.encode("utf-8")[:2000]) else "text",
            url=clean_metadata(entry.get("link")),
            outlet=outlet,
            title=clean_metadata(entry.get("title")),
            published=_struct_date(entry.get("published_parsed") or entry.get("updated_parsed")),
        )


def read_url(url: str, *, settings: Settings) -> Iterator[RawDocument]:
    """Fetch a URL (with a timeout and a size cap) and yield its page, or its entries if it is a feed."""
    try:
        content, media_type = fetch(url, settings=settings)
    except FetchError as e:
        yield _failed(url, str(e))
        return
    yield from read_fetched(content, media_type, url=url)


def read_fetched(content: bytes, media_type: str, *, url: str, empty_feed_ok: bool = False) -> Iterator[RawDocument]:
    """The documents of a fetched body: a feed's entries, or the page itself.

    Args:
        content: The body.
        media_type: Its Content-Type, lower case.
        url: Where it came from.
        empty_feed_ok: A well-formed feed without entries yields nothing instead of a failure.
    """
    if "xml" in media_type or "rss" in media_type or "atom" in media_type or _looks_like_feed(content):
        yield from read_feed(content, source=url, empty_ok=empty_feed_ok)
    elif "html" in media_type or _looks_like_html(content):
        yield RawDocument(source=url, url=url, content=content, media_type="html")
    else:
        yield RawDocument(source=url, url=url, content=content, media_type="text")


class FetchError(Exception):
    """A URL could not be fetched; the message is a coded E004/E008 text.

    `retry_after` is the server's `Retry-After` header (429, 503), when it sent one: see `retry_after_seconds`.
    """

    def __init__(self, message: str, *, retry_after: str | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Fetched:
    """A fetched URL: status 200 with its body, or 304 (not modified since the validators given) without one."""

    status: int
    content: bytes
    media_type: str
    etag: str | None = None
    last_modified: str | None = None


USER_AGENT = "sitrep/0.1 (+offline conflict-news coder)"


def fetch(url: str, *, settings: Settings) -> tuple[bytes, str]:
    """GET a URL, streaming so that an oversized body is refused before it is all read.

    Returns:
        The body and its media type.

    Raises:
        FetchError: Unreachable, timed out, an HTTP error status, or over the size cap.
    """
    fetched = fetch_if_changed(url, settings=settings)
    return fetched.content, fetched.media_type


def fetch_if_changed(
    url: str,
    *,
    settings: Settings,
    etag: str | None = None,
    last_modified: str | None = None,
    client: httpx.Client | None = None,
) -> Fetched:
    """A conditional GET: with the validators of the last fetch, an unchanged resource answers 304 and no body.

    Args:
        url: The URL.
        settings: Fetch timeout and size cap.
        etag: The `ETag` last seen, sent as `If-None-Match`.
        last_modified: The `Last-Modified` last seen, sent as `If-Modified-Since`.
        client: A client to reuse (keeps connections open across polls); a new one otherwise.

    Returns:
        The status (200 or 304), body, media type and the new validators.

    Raises:
        FetchError: Unreachable, timed out, an HTTP error status, or over the size cap.
    """
    headers = {"User-Agent": USER_AGENT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    if client is None:
        with httpx.Client(timeout=settings.fetch_timeout, follow_redirects=True) as own:
            return _get(own, url, headers=headers, settings=settings)
    return _get(client, url, headers=headers, settings=settings)


def _get(client: httpx.Client, url: str, *, headers: dict[str, str], settings: Settings) -> Fetched:
    limit = settings.max_document_bytes
    deadline = time.monotonic() + settings.fetch_timeout
    try:
        with client.stream(
            "GET", url, headers=headers, timeout=settings.fetch_timeout, follow_redirects=True
        ) as response:
            if response.status_code >= 400:
                raise FetchError(
                    Errors.E008.format(url=url, reason=f"HTTP {response.status_code}"),
                    retry_after=response.headers.get("retry-after"),
                )
            etag, last_modified = response.headers.get("etag"), response.headers.get("last-modified")
            if response.status_code == 304:
                return Fetched(status=304, content=b"", media_type="", etag=etag, last_modified=last_modified)
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise FetchError(Errors.E004.format(source=url, size=size, limit=limit))
                if time.monotonic() > deadline:
                    raise FetchError(Errors.E008.format(url=url, reason="timed out while reading"))
                chunks.append(chunk)
            media_type = response.headers.get("content-type", "").lower()
            return Fetched(
                status=response.status_code,
                content=b"".join(chunks),
                media_type=media_type,
                etag=etag,
                last_modified=last_modified,
            )
    except httpx.HTTPError as e:
        raise FetchError(Errors.E008.format(url=url, reason=type(e).__name__ + (f": {e}" if str(e) else ""))) from e


def retry_after_seconds(value: str | None, *, now: dt.datetime | None = None) -> float | None:
    """The wait a `Retry-After` header asks for: delay-seconds or an HTTP date (RFC 9110); None if absent or bad."""
    if not value or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())


def parse_date(value: object) -> dt.date | None:
    """A date from `YYYY-MM-DD` or an ISO timestamp; anything else is `None`."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(text).date()  # RFC 822, as feeds and HTTP write dates
    except (TypeError, ValueError):
        return None


def _looks_like_html(content: bytes) -> bool:
    head = content[:2000].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<body" in head or b"<p>" in head or b"<div" in head


def _looks_like_feed(content: bytes) -> bool:
    head = content[:1000].lstrip().lower()
    return head.startswith(b"<?xml") and (b"<rss" in head or b"<feed" in head or b"<rdf" in head)


def _entry_text(entry: Any) -> str:
    """A feed entry's text: its content, else its summary or description.

    Any of these can be missing or None (feedparser gives `summary: None` for a broken `<description>`).
    """
    contents = entry.get("content") or []
    candidates = [c.get("value") for c in contents if isinstance(c, dict)]
    candidates += [entry.get("summary"), entry.get("description")]
    return next((value for value in candidates if isinstance(value, str) and value.strip()), "")


def clean_str(text: str) -> str:
    """Text that every encoder and store accepts: lone surrogates become U+FFFD and NUL characters go.

    JSON escapes ("\\ud800", "\\u0000") and file names that are not UTF-8 carry them; UTF-8 cannot encode a lone
    surrogate and PostgreSQL refuses NUL, so one such field would otherwise fail the write of a whole batch.
    """
    return _LONE_SURROGATE.sub("\ufffd", text).replace("\x00", "")


def clean_metadata(value: object) -> str | None:
    """A metadata field (title, outlet, url, id) as one clean line, or `None` when empty."""
    if value is None:
        return None
    text = _CONTROL.sub(" ", clean_str(str(value))).strip()
    return text or None


def _struct_date(parsed: object) -> dt.date | None:
    """The date of a feedparser time tuple; `None` when absent or out of range (feedparser shifts a year 1 or
    9999 timestamp to UTC, which can give year 0 or 10000)."""
    if not isinstance(parsed, tuple | time.struct_time):
        return None
    try:
        return dt.date(*parsed[:3])
    except (TypeError, ValueError):
        return None


def _failed(source: str, error: str, *, input_id: str | None = None) -> RawDocument:
    logger.info("skip %s: %s", source, error)
    return RawDocument(source=source, input_id=input_id, error=error)
