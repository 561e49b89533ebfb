from __future__ import annotations

import datetime as dt
import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sitrep.ingest.sources import parse_date, read_sources
from sitrep.settings import Settings

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Test Wire</title><link>https://wire.example/</link>
<item><title>Strikes hit Sarmada</title><link>https://wire.example/1</link><guid>w-1</guid>
<pubDate>Mon, 02 Dec 2024 09:00:00 GMT</pubDate>
<description>&lt;p&gt;Warplanes struck Sarmada on Monday, residents said.&lt;/p&gt;</description></item>
<item><title>Empty</title><link>https://wire.example/2</link><guid>w-2</guid><description></description></item>
</channel></rss>
"""


def test_sources_jsonl_one_document_a_line_and_bad_lines_fail_alone(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "docs.jsonl"
    path.write_text(
        '{"id": "a", "text": "Rebels entered Hama.", "published": "2024-12-05", "outlet": "Wire"}\n'
        "not json\n"
        '{"id": "c", "text": ""}\n'
        '{"id": "d", "text": "Clashes near Homs.", "published": "5 Dec"}\n'
        '{"id": "e", "text": "Clashes near Homs.", "url": "https://x.example/e"}\n'
    )
    raws = list(read_sources([str(path)], settings=settings))
    assert [r.input_id for r in raws] == ["a", None, "c", None, "e"]
    assert raws[0].published == dt.date(2024, 12, 5) and raws[0].outlet == "Wire" and raws[0].error is None
    assert "line 2: not valid JSON" in (raws[1].error or "")
    assert 'needs a non-empty "text"' in (raws[2].error or "")
    assert "bad published date" in (raws[3].error or "")
    assert raws[4].url == "https://x.example/e" and raws[4].error is None


def test_sources_feed_entries_become_documents(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "wire.rss"
    path.write_text(FEED)
    raws = list(read_sources([str(path)], settings=settings))
    assert raws[0].title == "Strikes hit Sarmada" and raws[0].outlet == "Test Wire"
    assert raws[0].published == dt.date(2024, 12, 2) and raws[0].url == "https://wire.example/1"
    assert raws[0].media_type == "html" and b"Sarmada" in raws[0].content
    assert raws[1].error and "has no text" in raws[1].error


def test_sources_broken_feed_is_one_clear_failure(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "broken.rss"
    path.write_text('<?xml version="1.0"?><rss><channel><title>x</title>')
    [raw] = list(read_sources([str(path)], settings=settings))
    assert raw.error and raw.error.startswith("[E009]") and "broken.rss" in raw.error


def test_sources_text_header_is_metadata(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "story.txt"
    path.write_text("Title: Hama falls\nOutlet: Orontes Daily\nPublished: 2024-12-05\n\nRebels entered Hama.\n")
    [raw] = list(read_sources([str(path)], settings=settings))
    assert (raw.title, raw.outlet, raw.published) == ("Hama falls", "Orontes Daily", dt.date(2024, 12, 5))
    assert raw.content.strip() == b"Rebels entered Hama."


def test_sources_csv_rows(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "docs.csv"
    path.write_text('id,text,published\n1,"Protesters gathered in Nairobi.",2020-05-09\n2,,\n')
    raws = list(read_sources([str(path)], settings=settings))
    assert raws[0].input_id == "1" and raws[0].published == dt.date(2020, 5, 9)
    assert raws[1].error is not None


def test_sources_folder_is_read_recursively_in_order(tmp_path: Path, settings: Settings) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "two.txt").write_text("Second report of clashes.")
    (tmp_path / "a.txt").write_text("First report of clashes.")
    (tmp_path / "a.expect.yaml").write_text("text_with: []\n")
    raws = list(read_sources([str(tmp_path)], settings=settings))
    assert [Path(r.source).name for r in raws] == ["a.txt", "two.txt"]


def test_sources_missing_path_and_oversized_file(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 2000)
    settings = Settings(max_document_bytes=1000)
    missing, oversized = read_sources([str(tmp_path / "nope.txt"), str(big)], settings=settings)
    assert missing.error and missing.error.startswith("[E010]")
    assert oversized.error and "2,000 bytes, over the 1,000-byte cap" in oversized.error


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-12-05", dt.date(2024, 12, 5)),
        ("2024-12-05T10:00:00+02:00", dt.date(2024, 12, 5)),
        ("Thu, 05 Dec 2024 10:00:00 GMT", dt.date(2024, 12, 5)),
        ("yesterday", None),
        ("", None),
    ],
)
def test_sources_parse_date(value: str, expected: dt.date | None) -> None:
    assert parse_date(value) == expected


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/slow":
            time.sleep(3)
        if self.path == "/missing":
            self.send_error(404)
            return
        body = FEED.encode() if self.path == "/feed" else b"<html><body><p>Clashes in Homs.</p></body></html>"
        if self.path == "/huge":
            body = b"<html><body>" + b"<p>x</p>" * 5000 + b"</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml" if self.path == "/feed" else "text/html")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_sources_url_page_and_feed(server: str) -> None:
    settings = Settings(fetch_timeout=2)
    page, entry, _empty = read_sources([f"{server}/page", f"{server}/feed"], settings=settings)
    assert page.media_type == "html" and page.url == f"{server}/page" and page.error is None
    assert entry.title == "Strikes hit Sarmada"


@pytest.mark.parametrize(
    ("path", "message"),
    [("/missing", "HTTP 404"), ("/slow", "Timeout"), ("/huge", "over the 10,000-byte cap")],
)
def test_sources_url_failures_are_clear(server: str, path: str, message: str) -> None:
    settings = Settings(fetch_timeout=0.5, max_document_bytes=10_000)
    [raw] = list(read_sources([f"{server}{path}"], settings=settings))
    assert raw.error and message in raw.error and path in raw.error


def test_sources_unreachable_url(settings: Settings) -> None:
    [raw] = list(read_sources(["http://127.0.0.1:9/x"], settings=settings))
    assert raw.error and raw.error.startswith("[E008] Cannot fetch http://127.0.0.1:9/x")


# ---- bad input found by fuzzing (tests/test_fuzz.py) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b'{"id": ' + b"9" * 5000 + b', "text": "Clashes in Homs."}', "Exceeds the limit"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"text": ' + b'{"a": ' * 50_000 + b"1" + b"}" * 50_001, "nested too deeply"),
    ],
    ids=["integer-over-python-limit", "deep-array", "deep-object"],
)
def test_sources_jsonl_unparseable_line_is_coded_error(
    tmp_path: Path, settings: Settings, line: bytes, reason: str
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(line + b'\n{"id": "ok", "text": "Clashes in Homs."}\n')
    bad, good = read_sources([str(path)], settings=settings)
    assert bad.error and bad.error.startswith("[E006]") and reason in bad.error
    assert good.input_id == "ok" and good.error is None


def test_sources_jsonl_surrogates_and_nul_are_cleaned(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "odd.jsonl"
    path.write_text(
        '{"id": "a\\u0000", "text": "Caf\\u00e9 owners in Homs fled \\ud800 the shelling.\\u0000", '
        '"title": "T\\udfff\\u0000", "outlet": "\\u0000", "url": "https://x.example/\\ud800"}\n',
        encoding="ascii",
    )
    [raw] = list(read_sources([str(path)], settings=settings))
    # The whole text stays UTF-8: a lone surrogate no longer turns every accent into cp1252 mojibake.
    assert raw.content.decode("utf-8") == "Café owners in Homs fled \ufffd the shelling."
    assert (raw.input_id, raw.title, raw.outlet, raw.url) == ("a", "T\ufffd", None, "https://x.example/\ufffd")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            b"text\n" + b"Rebels entered Hama.\n" + b"x" * 200_000 + b"\n",
            ["Rebels entered Hama.", "docs.csv, line 3: not valid CSV"],
        ),
        (b"\r,", ["[E003]"]),  # raised csv.Error from the header before
        (b'text,id\r\n"Clashes\rin Homs.",1\r\n', ["Clashes\rin Homs."]),
    ],
    ids=["cell-over-csv-field-limit", "bare-carriage-return", "carriage-return-in-quotes"],
)
def test_sources_csv_malformed_is_coded_error(
    tmp_path: Path, settings: Settings, content: bytes, expected: list[str]
) -> None:
    path = tmp_path / "docs.csv"
    path.write_bytes(content)
    results = [r.error or r.content.decode() for r in read_sources([str(path)], settings=settings)]
    assert len(results) == len(expected)
    assert all(part in result for result, part in zip(results, expected, strict=True)), results


@pytest.mark.parametrize(
    ("pub_date", "expected"),
    [
        ("0000-00-00", None),
        ("0000-01-01T00:00:00Z", None),
        ("Fri, 31 Dec 9999 23:59:59 -1400", None),
        ("Mon, 01 Jan 0001 00:00:00 -1400", dt.date(1, 1, 1)),
        ("Mon, 02 Dec 2024 09:00:00 GMT", dt.date(2024, 12, 2)),
    ],
    ids=["year-0-month-0", "year-0", "past-year-9999-in-utc", "year-1", "ordinary"],
)
def test_sources_feed_date_out_of_range_is_undated(
    tmp_path: Path, settings: Settings, pub_date: str, expected: dt.date | None
) -> None:
    path = tmp_path / "far.rss"
    path.write_text(FEED.replace("Mon, 02 Dec 2024 09:00:00 GMT", pub_date))
    first = next(iter(read_sources([str(path)], settings=settings)))
    assert first.error is None and first.published == expected


def test_sources_file_name_not_utf8_is_storable(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / b"story-\xff.txt".decode("utf-8", "surrogateescape")
    path.write_text("Rebels entered Hama.")
    [raw] = list(read_sources([str(path)], settings=settings))
    assert raw.error is None and raw.source.endswith("story-\ufffd.txt")
    raw.source.encode("utf-8")


def test_sources_feed_entry_with_broken_description_is_one_failure(tmp_path: Path, settings: Settings) -> None:
    # feedparser gives `summary: None` for this description, which raised TypeError before.
    path = tmp_path / "odd.rss"
    path.write_text(FEED.replace("<description></description>", "<description></BODY<></description>"))
    first, second = read_sources([str(path)], settings=settings)
    assert first.error is None and second.error and second.error.endswith("the entry has no text.")
