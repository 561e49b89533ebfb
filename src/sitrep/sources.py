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
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import feedparser
import httpx

from .errors import Errors
from .models import RawDocument
from .settings import Settings

logger = logging.getLogger(__name__)

HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
TEXT_SUFFIXES = {".txt", ".text", ".md"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
FEED_SUFFIXES = {".rss", ".atom", ".xml"}
CSV_SUFFIXES = {".csv"}
TEXT_HEADER_KEYS = {"title", "outlet", "published", "url", "source", "date"}


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
            yield _failed(item, Errors.E010.format(source=item))


def read_file(path: Path, *, settings: Settings) -> Iterator[RawDocument]:
    """Yield the documents of one file, chosen by its suffix and, failing that, by its content."""
    source = str(path)
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
    if suffix in CSV_SUFFIXES:
        yield from read_csv(content, source=source)
    elif suffix in FEED_SUFFIXES or (suffix not in HTML_SUFFIXES | TEXT_SUFFIXES and _looks_like_feed(content)):
        yield from read_feed(content, source=source)
    elif suffix in HTML_SUFFIXES or _looks_like_html(content):
        yield RawDocument(source=source, content=content, media_type="html")
    else:
        yield read_text_file(content, source=source)


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
        title=meta.get("title"),
        outlet=meta.get("outlet") or meta.get("source"),
        url=meta.get("url"),
        published=parse_date(meta.get("published") or meta.get("date")),
    )


def read_jsonl(path: Path, *, settings: Settings) -> Iterator[RawDocument]:
    """One document per line: `{"id", "text", "published", "url", "outlet", "title"}`; a bad line fails alone."""
    try:
        handle = path.open("rb")
    except OSError as e:
        yield _failed(str(path), Errors.E003.format(source=path, reason=e.strerror or e))
        return
    with handle:
        for number, line in enumerate(handle, start=1):
            source = f"{path}:{number}"
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
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        return _failed(source, Errors.E006.format(source=source, line=line, reason=e))
    if not isinstance(record, dict) or not isinstance(record.get("text"), str) or not record["text"].strip():
        input_id = str(record.get("id")) if isinstance(record, dict) and record.get("id") is not None else None
        return _failed(source, Errors.E007.format(source=source, line=line), input_id=input_id)
    published = parse_date(record.get("published"))
    if record.get("published") and published is None:
        return _failed(
            source, Errors.E018.format(source=source, line=line, reason=f"bad published date {record['published']!r}")
        )
    text: str = record["text"]
    media_type = "html" if _looks_like_html(text.encode("utf-8", errors="replace")[:2000]) else "text"
    return RawDocument(
        source=source,
        input_id=str(record["id"]) if record.get("id") is not None else None,
        content=text.encode("utf-8", errors="surrogatepass"),
        media_type=media_type,
        url=_str_or_none(record.get("url")),
        outlet=_str_or_none(record.get("outlet")),
        title=_str_or_none(record.get("title")),
        published=published,
    )


def read_csv(content: bytes, *, source: str) -> Iterator[RawDocument]:
    """One document per row of a CSV with a `text` column (and optional id, published, url, outlet, title)."""
    text = content.decode("utf-8-sig", errors="replace")
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "text" not in reader.fieldnames:
        yield _failed(source, Errors.E003.format(source=source, reason="a CSV of documents needs a 'text' column"))
        return
    for number, row in enumerate(reader, start=2):
        yield record_to_raw(json.dumps(row), source=f"{source}:{number}", line=number)


def read_feed(content: bytes, *, source: str) -> Iterator[RawDocument]:
    """One document per RSS/Atom entry, its text from the entry's content or summary."""
    feed = feedparser.parse(content)
    if not feed.entries:
        reason = str(feed.get("bozo_exception") or "no entries")
        yield _failed(source, Errors.E009.format(source=source, reason=reason))
        return
    outlet = feed.feed.get("title")
    for number, entry in enumerate(feed.entries, start=1):
        body = ""
        if entry.get("content"):
            body = entry.content[0].get("value", "")
        body = body or entry.get("summary", "") or entry.get("description", "")
        entry_source = f"{source}#{entry.get('id') or entry.get('link') or number}"
        if not body.strip():
            yield _failed(entry_source, Errors.E003.format(source=entry_source, reason="the entry has no text"))
            continue
        parsed = entry.get("published_parsed") or entry.get("updated_parsed")
        yield RawDocument(
            source=entry_source,
            input_id=entry.get("id") or entry.get("link"),
            content=body.encode("utf-8"),
            media_type="html" if _looks_like_html(body.encode("utf-8")[:2000]) else "text",
            url=entry.get("link"),
            outlet=outlet,
            title=entry.get("title"),
            published=dt.date(*parsed[:3]) if parsed else None,
        )


def read_url(url: str, *, settings: Settings) -> Iterator[RawDocument]:
    """Fetch a URL (with a timeout and a size cap) and yield its page, or its entries if it is a feed."""
    try:
        content, media_type = fetch(url, settings=settings)
    except _FetchError as e:
        yield _failed(url, str(e))
        return
    if "xml" in media_type or "rss" in media_type or "atom" in media_type or _looks_like_feed(content):
        yield from read_feed(content, source=url)
    elif "html" in media_type or _looks_like_html(content):
        yield RawDocument(source=url, url=url, content=content, media_type="html")
    else:
        yield RawDocument(source=url, url=url, content=content, media_type="text")


class _FetchError(Exception):
    pass


def fetch(url: str, *, settings: Settings) -> tuple[bytes, str]:
    """GET a URL, streaming so that an oversized body is refused before it is all read.

    Returns:
        The body and its media type.

    Raises:
        _FetchError: Unreachable, timed out, an HTTP error status, or over the size cap.
    """
    limit = settings.max_document_bytes
    deadline = time.monotonic() + settings.fetch_timeout
    try:
        with (
            httpx.Client(timeout=settings.fetch_timeout, follow_redirects=True) as client,
            client.stream("GET", url, headers={"User-Agent": "sitrep/0.1 (+offline conflict-news coder)"}) as response,
        ):
            if response.status_code >= 400:
                raise _FetchError(Errors.E008.format(url=url, reason=f"HTTP {response.status_code}"))
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise _FetchError(Errors.E004.format(source=url, size=size, limit=limit))
                if time.monotonic() > deadline:
                    raise _FetchError(Errors.E008.format(url=url, reason="timed out while reading"))
                chunks.append(chunk)
            return b"".join(chunks), response.headers.get("content-type", "").lower()
    except httpx.HTTPError as e:
        raise _FetchError(Errors.E008.format(url=url, reason=type(e).__name__ + (f": {e}" if str(e) else ""))) from e


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


def _str_or_none(value: object) -> str | None:
    return str(value) if value not in (None, "") else None


def _failed(source: str, error: str, *, input_id: str | None = None) -> RawDocument:
    logger.info("skip %s: %s", source, error)
    return RawDocument(source=source, input_id=input_id, error=error)
