"""Bad input, fuzzed: every input ends in a result or a coded error, never a hang, an uncaught exception or a 500.

Hypothesis drives the readers (files of random bytes, JSON Lines, CSV, RSS/Atom), the cleaning of HTML and text
(`documents.to_document`), `Pipeline.extract`, `sitrep extract` and the API's query parameters with the inputs
that break parsers: invalid UTF-8, lone surrogates, NUL, markup nested 100,000 deep, inputs over the size cap,
huge integers, NaN and infinities, dates in the year 1 or 9999 or out of range, coordinates off the globe.

Profiles (`hypothesis.settings`, applied per test so that other test files keep their own settings):

- `sitrep-fuzz-ci`, the default: a few examples per test, so that the whole file runs in well under a minute.
- `sitrep-fuzz-deep`: `SITREP_TEST_FUZZ_EXAMPLES=N` runs N examples per test with longer limits, e.g.
  `SITREP_TEST_FUZZ_EXAMPLES=2000 .venv/bin/pytest tests/test_fuzz.py -m "not model"` (settings ignore
  `SITREP_TEST_*` variables).

For coverage-guided campaigns beyond these, atheris can drive the same properties; it is not a dependency, since
it runs until stopped, ends the process on a failure, and a bounded pytest run gains nothing from it.

Failing examples are printed with a `@reproduce_failure` blob; no example database is written into the repo.

Hangs: each example has a hypothesis deadline, and each test runs under a hard time limit (`time_limit`, a
SIGALRM timer) that interrupts a runaway loop with a failure instead of stalling the run.

The last section keeps, as regression tests, the inputs that crashed other stages when fuzzing first ran
(publication dates at the ends of the calendar, absurd counts, surrogates in ids, texts over the caps).
"""

from __future__ import annotations

import csv
import datetime as dt
import encodings.aliases
import io
import json
import os
import re
import signal
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from xml.sax.saxutils import escape

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from spacy.language import Language
from typer.testing import CliRunner

from sitrep.errors import InputError, SitrepError
from sitrep.ingest.documents import Skip, to_document
from sitrep.ingest.sources import parse_date, read_csv, read_feed, read_sources, record_to_raw
from sitrep.models import ControlPeriod, Document, Event, ExtractResult, Figure, RawDocument
from sitrep.run.pipeline import Pipeline
from sitrep.settings import Settings
from sitrep.store import Store
from sitrep.store import write as w
from sitrep.views.api import create_app
from sitrep.views.cli import app

# ---- profiles and limits ----------------------------------------------------------------------------------------

FUZZ_EXAMPLES = int(os.environ.get("SITREP_TEST_FUZZ_EXAMPLES") or 0)
_BASE = hypothesis_settings(
    database=None,
    print_blob=True,
    # Fixtures here are read-only across examples (a store filled once, a folder rewritten per example).
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
hypothesis_settings.register_profile("sitrep-fuzz-ci", parent=_BASE, max_examples=12, deadline=dt.timedelta(seconds=5))
hypothesis_settings.register_profile(
    "sitrep-fuzz-deep", parent=_BASE, max_examples=max(FUZZ_EXAMPLES, 1), deadline=dt.timedelta(seconds=20)
)
FUZZ = hypothesis_settings.get_profile("sitrep-fuzz-deep" if FUZZ_EXAMPLES else "sitrep-fuzz-ci")
# The hard limit per test: generous for the CI profile on a loaded machine, and grown with the examples.
TIME_LIMIT_S = 45.0 + (0.5 * FUZZ_EXAMPLES if FUZZ_EXAMPLES else 0.0)

CODED = re.compile(r"^\[E\d{3}\] ")
SKIP_REASONS = {"failed", "empty_text", "not_english", "duplicate"}


class Hang(BaseException):
    """A test ran past its time limit. A BaseException, so that no `except Exception` in the code swallows it."""


@pytest.fixture(autouse=True)
def time_limit() -> Iterator[None]:
    """Fail a test that runs past `TIME_LIMIT_S` instead of letting a hang stall the run (SIGALRM, main thread)."""

    def expired(_signum: int, _frame: FrameType | None) -> None:
        raise Hang(f"over the {TIME_LIMIT_S:.0f} s limit of a fuzz test: a hang or a slowdown")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, TIME_LIMIT_S)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module")
def fuzz_settings(workdir: Path) -> Settings:
    return Settings(db=str(workdir / "unused.db"), max_document_bytes=200_000)


# ---- strategies -------------------------------------------------------------------------------------------------

# Sentences written for these tests: enough for a real event to be found among the junk.
SENTENCES = [
    "Rebel fighters seized the town of Morek in northern Hama on Tuesday, a war monitor said.",
    "Government warplanes struck a market in Idlib on Monday, killing 12 civilians, residents said.",
    "Hundreds of traders marched to parliament in Nairobi on Friday against a new tax.",
    "The army said it had shelled positions near Aleppo overnight and killed 5 fighters.",
]
EDGE_STRINGS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\ud800",
    "\udfff\ud800",
    "\ufeff",
    "\u202e\u200b",
    "\x1b[31m",
    "9" * 5000,
    "-" + "9" * 40,
    "NaN",
    "-Infinity",
    "1e400",
    "-0",
    "9999-12-31",
    "0001-01-01",
    "0000-00-00",
    "10000-01-01",
    "2024-02-30",
    "2024-12-03T25:61:61+99:99",
    "Fri, 31 Dec 9999 23:59:59 -1400",
    "Mon, 01 Jan 0001 00:00:00 +1400",
    "91,181",
    "-90.0000001,180.0000001",
    "%_\\'\";--",
    "<script>alert(1)</script>",
]
any_char = st.characters(exclude_categories=())  # lone surrogates and controls included
nasty_text = st.one_of(st.text(any_char, max_size=120), st.sampled_from(EDGE_STRINGS))
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
years = st.sampled_from([0, 1, 2, 1969, 1970, 2024, 9998, 9999, 10000, 99999])
zones = st.sampled_from(["GMT", "+0000", "+1400", "-1400", "+9999", "XYZ", ""])
date_strings = st.one_of(
    st.dates().map(dt.date.isoformat),
    st.builds(
        lambda y, m, d, z: f"Mon, {d:02d} {MONTHS[m - 1]} {y:04d} 23:59:59 {z}",
        years,
        st.integers(1, 12),
        st.integers(0, 32),
        zones,
    ),
    st.builds(
        lambda y, m, d, z: f"{y:04d}-{m:02d}-{d:02d}T23:59:59{z}",
        years,
        st.integers(0, 13),
        st.integers(0, 32),
        st.sampled_from(["Z", "+14:00", "-14:00", ""]),
    ),
    nasty_text,
)
json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), nasty_text
)
json_values = st.recursive(
    json_scalars, lambda kids: st.lists(kids, max_size=3) | st.dictionaries(nasty_text, kids, max_size=3), max_leaves=8
)
document_text = st.one_of(
    nasty_text,
    st.lists(st.one_of(st.sampled_from(SENTENCES), nasty_text), min_size=1, max_size=4).map(" ".join),
)
records = st.fixed_dictionaries(
    {},
    optional={
        "id": json_values,
        "text": st.one_of(document_text, json_values),
        "published": st.one_of(date_strings, json_values),
        "url": st.one_of(nasty_text, json_values),
        "outlet": nasty_text,
        "title": nasty_text,
    },
)
ADVERSARIAL_LINES = [
    b"[" * 100_000 + b"]" * 100_000,
    b'{"text": ' + b'{"a": ' * 50_000 + b"1" + b"}" * 50_000 + b"}",
    b'{"id": ' + b"9" * 5000 + b', "text": "Clashes in Homs."}',
    b'{"text": "Clashes in Homs.", "published": ' + b"1" * 5000 + b"}",
    b'{"text": NaN, "id": Infinity}',
    b'{"text": "\\ud800\\u0000 Clashes in Homs.", "title": "\\udfff\\u0000", "url": "\\u0000"}',
    b'{"text": "caf\xc3\xa9 \xff\xfe"}',
    b"\xef\xbb\xbf{}",
    b"\x00" * 100,
]
jsonl_lines = st.one_of(
    records.map(lambda r: json.dumps(r).encode("ascii")),
    st.sampled_from(ADVERSARIAL_LINES),
    st.binary(max_size=200),
)


def _html(tag: str, attrs: str, children: list[str], closed: bool) -> str:
    return f"<{tag}{attrs}>{''.join(children)}" + (f"</{tag}>" if closed else "")


TAGS = ["div", "p", "b", "table", "tr", "td", "svg", "s", "g", "script", "style", "a", "html", "body", "article"]
html_trees = st.recursive(
    st.one_of(st.sampled_from(SENTENCES), nasty_text.map(escape)),
    lambda kids: st.builds(
        _html,
        st.sampled_from(TAGS),
        st.sampled_from(["", ' class="x"', " id='a\"b'", ' href="javascript:alert(1)"', " <", ' a="\x00"']),
        st.lists(kids, max_size=4),
        st.booleans(),
    ),
    max_leaves=20,
)
CHARSETS = sorted(set(encodings.aliases.aliases.values()) | {"punycode", "undefined", "idna", "rot13", "x-junk"})
html_pages = st.builds(
    lambda charset, body, tail: (
        f'<html><head><meta charset="{charset}"></head><body>{body}</body></html>'.encode("utf-8", "surrogatepass")
        + tail
    ),
    st.sampled_from(CHARSETS),
    html_trees,
    st.binary(max_size=20),
)
FILE_PREFIXES = [b"", b'<?xml version="1.0"?><rss><channel>', b"<html><body>", b"\xef\xbb\xbf", b"\xff\xfe", b"Title: "]
SUFFIXES = [".txt", ".html", ".jsonl", ".csv", ".rss", ".atom", ".xml", ".bin", ""]


# ---- checks -----------------------------------------------------------------------------------------------------


def _assert_storable(value: str | None) -> None:
    """A string every store and JSON encoder accepts: no NUL (PostgreSQL), no lone surrogate (UTF-8)."""
    if value is not None:
        assert "\x00" not in value, value
        value.encode("utf-8")


def check_raw(raw: RawDocument) -> None:
    """A reader's output: a document, or a failure with a coded message, and metadata that can be stored."""
    assert raw.error is None or CODED.match(raw.error), raw.error
    for value in (raw.source, raw.input_id, raw.url, raw.outlet, raw.title):
        _assert_storable(value)
    raw.model_dump_json(exclude={"content"})  # the bytes are not text; everything else must encode


def check_document(result: Document | Skip) -> None:
    """`to_document`'s output: a clean document, or a skip with one of the fixed reasons."""
    assert isinstance(result, Document | Skip)
    if isinstance(result, Skip):
        assert result.reason in SKIP_REASONS, result
        assert result.reason != "failed" or CODED.match(result.message), result.message
        return
    for value in (result.text, result.source, result.input_id, result.url, result.outlet, result.title):
        _assert_storable(value)
    assert result.text.strip()
    result.model_dump_json()


def _read(path: Path, content: bytes, settings: Settings) -> list[RawDocument]:
    path.write_bytes(content)
    raws = list(read_sources([str(path)], settings=settings))
    for raw in raws:
        check_raw(raw)
        check_document(to_document(raw, settings=settings))
    return raws


# ---- readers ----------------------------------------------------------------------------------------------------


def test_fuzz_read_sources_random_bytes_any_suffix(workdir: Path, fuzz_settings: Settings) -> None:
    @FUZZ
    @given(prefix=st.sampled_from(FILE_PREFIXES), content=st.binary(max_size=3000), suffix=st.sampled_from(SUFFIXES))
    def check(prefix: bytes, content: bytes, suffix: str) -> None:
        raws = _read(workdir / f"random{suffix}", prefix + content, fuzz_settings)
        assert raws or suffix in (".jsonl", ".csv", ".rss", ".atom", ".xml", "")  # only these may hold no document

    check()


def test_fuzz_read_sources_jsonl_one_result_a_line(workdir: Path, fuzz_settings: Settings) -> None:
    @FUZZ
    @given(lines=st.lists(jsonl_lines, min_size=1, max_size=6))
    def check(lines: list[bytes]) -> None:
        content = b"\n".join(lines) + b"\n"
        raws = _read(workdir / "records.jsonl", content, fuzz_settings)
        assert len(raws) == sum(1 for line in content.split(b"\n") if line.strip())

    check()


def test_fuzz_read_csv_rows(fuzz_settings: Settings) -> None:
    @FUZZ
    @given(
        header=st.lists(st.sampled_from(["text", "id", "published", "url", "outlet", "title", "", "text"]), max_size=5),
        rows=st.lists(st.lists(st.one_of(document_text, date_strings), max_size=6), max_size=5),
        junk=st.sampled_from([b"", b"\r", b'"', b"\x00", b"x" * 140_000, b'\n"unclosed', b"\r\n,,,\r"]),
    )
    def check(header: list[str], rows: list[list[str]], junk: bytes) -> None:
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows(rows)
        content = buffer.getvalue().encode("utf-8", "surrogatepass") + junk
        for raw in read_csv(content, source="fuzz.csv"):
            check_raw(raw)
            check_document(to_document(raw, settings=fuzz_settings))

    check()


RSS = (
    '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{outlet}</title>'
    "<item><title>{title}</title><link>{link}</link><guid>{guid}</guid><pubDate>{date}</pubDate>"
    "<description>{body}</description></item></channel></rss>"
)
ATOM = (
    '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>{outlet}</title>'
    '<entry><title>{title}</title><link href="{link}"/><id>{guid}</id><updated>{date}</updated>'
    "<published>{date}</published><content>{body}</content></entry></feed>"
)


@pytest.mark.filterwarnings("ignore:To avoid breaking existing software:DeprecationWarning")  # feedparser's own
def test_fuzz_read_feed_entries(fuzz_settings: Settings) -> None:
    @FUZZ
    @given(
        template=st.sampled_from([RSS, ATOM]),
        fields=st.fixed_dictionaries(
            {
                "outlet": nasty_text,
                "title": nasty_text,
                "link": nasty_text,
                "guid": nasty_text,
                "date": date_strings,
                "body": st.one_of(document_text, html_trees),
            }
        ),
        escaped=st.booleans(),
    )
    def check(template: str, fields: dict[str, str], escaped: bool) -> None:
        values = {k: escape(v, {'"': "&quot;"}) if escaped else v for k, v in fields.items()}
        content = template.format(**values).encode("utf-8", "surrogatepass")
        for raw in read_feed(content, source="fuzz.rss"):
            check_raw(raw)
            assert raw.published is None or isinstance(raw.published, dt.date)
            check_document(to_document(raw, settings=fuzz_settings))

    check()


def test_fuzz_parse_date_returns_a_date_or_none() -> None:
    @FUZZ
    @given(value=st.one_of(date_strings, json_values, st.datetimes(), st.dates()))
    def check(value: object) -> None:
        assert parse_date(value) is None or isinstance(parse_date(value), dt.date)

    check()


def test_fuzz_record_to_raw_any_bytes() -> None:
    @FUZZ
    @given(line=jsonl_lines)
    def check(line: bytes) -> None:
        check_raw(record_to_raw(line, source="fuzz.jsonl:1"))

    check()


# ---- documents --------------------------------------------------------------------------------------------------


def test_fuzz_to_document_random_bytes(fuzz_settings: Settings) -> None:
    @FUZZ
    @given(
        content=st.one_of(st.binary(max_size=3000), html_pages),
        media_type=st.sampled_from(["html", "text", "unknown"]),
        meta=st.lists(nasty_text, min_size=4, max_size=4),
    )
    def check(content: bytes, media_type: str, meta: list[str]) -> None:
        raw = RawDocument(
            source=meta[0], input_id=meta[1], content=content, media_type=media_type, title=meta[2], outlet=meta[3]
        )
        check_document(to_document(raw, settings=fuzz_settings))

    check()


@pytest.mark.parametrize("tag", ["div", "b", "table", "svg", "span"])
@pytest.mark.parametrize("closed", [True, False], ids=["closed", "unclosed"])
def test_fuzz_to_document_deeply_nested_html(tag: str, closed: bool, fuzz_settings: Settings) -> None:
    depth = 100_000
    html = (
        f"<html><body>{f'<{tag}>' * depth}<p>{SENTENCES[0]} {SENTENCES[1]}</p>"
        + (f"</{tag}>" * depth if closed else "")
        + "</body></html>"
    ).encode()
    settings = fuzz_settings.model_copy(update={"max_document_bytes": 10_000_000})
    started = time.monotonic()
    result = to_document(RawDocument(source="deep.html", content=html, media_type="html"), settings=settings)
    check_document(result)
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("media_type", ["html", "text"])
def test_fuzz_to_document_over_the_size_cap_is_refused_at_once(media_type: str) -> None:
    settings = Settings(max_document_bytes=100_000)
    content = ("<p>" + " ".join(SENTENCES) + "</p>").encode() * 20_000  # about 7 MB
    started = time.monotonic()
    result = to_document(RawDocument(source="big", content=content, media_type=media_type), settings=settings)
    assert isinstance(result, Skip) and result.reason == "failed" and result.message.startswith("[E004]")
    assert time.monotonic() - started < 1


@pytest.mark.parametrize("suffix", [".html", ".txt", ".rss", ".csv", ".jsonl", ""])
def test_fuzz_read_sources_over_the_size_cap_is_one_clear_error(suffix: str, workdir: Path) -> None:
    settings = Settings(max_document_bytes=10_000)
    path = workdir / f"big{suffix}"
    path.write_bytes(b'{"text": "' + b"Clashes in Homs. " * 2000 + b'"}\n')
    [raw] = list(read_sources([str(path)], settings=settings))
    assert raw.error and raw.error.startswith("[E004]") and "over the 10,000-byte cap" in raw.error


# ---- the API ----------------------------------------------------------------------------------------------------

SEED_EVENTS = [
    Event(
        event_id="fuzz-first-day",
        event_date=dt.date(1, 1, 1),
        event_type="Battles",
        sub_event_type="Armed clash",
        actor1='Rebels "of the <b>north</b>"',
        actor2="Military Forces of Syria (2000-2024)",
        location="Ḩamāh \u202e",
        admin1="Hama",
        latitude=-90.0,
        longitude=-180.0,
        fatalities=1_000_000,
        figures=[Figure(kind="killed", value=1e308), Figure(kind="displaced", value=None, low=0, high=1e300)],
    ),
    Event(
        event_id="fuzz-last-day",
        event_date=dt.date(9999, 12, 31),
        event_type="Explosions/Remote violence",
        sub_event_type="Air/drone strike",
        location="Idlib",
        latitude=90.0,
        longitude=180.0,
    ),
    Event(event_id="fuzz-nowhere", event_type="Protests", sub_event_type="Peaceful protest"),
]
SEED_PERIODS = [
    ControlPeriod(
        place="Hama",
        actor="Rebels",
        status="contested",
        valid_from=dt.date(1, 1, 1),
        valid_to=dt.date(9999, 12, 31),
        latitude=35.1,
        longitude=36.7,
    )
]
query_values = st.one_of(
    nasty_text.map(lambda v: v.encode("utf-8", "surrogatepass")),
    st.binary(max_size=30),
    date_strings.map(lambda v: v.encode("utf-8", "surrogatepass")),
    st.integers(min_value=-(10**40), max_value=10**40).map(lambda v: str(v).encode()),
    st.floats().map(lambda v: repr(v).encode()),
    st.lists(st.floats(), min_size=2, max_size=4).map(lambda v: ",".join(map(repr, v)).encode()),
    st.sampled_from([b"9" * 5000, b"0,0", b"90,180", b"-180,-90,180,90", b"1,1,0,0", b"csv", b"geojson", b"true"]),
)
EVENT_PARAMS = [
    *["date_from", "date_to", "event_type", "sub_event_type", "actor", "admin1", "place", "near", "radius_km"],
    *["bbox", "updated_since", "include_deleted", "limit", "offset", "format", "unknown_param"],
]
ENDPOINTS = {
    "/api/events": EVENT_PARAMS,
    "/api/control": ["date", "place", "format"],
    "/api/figures": ["date_from", "date_to", "kind", "limit", "offset"],
}


def _query(params: dict[str, bytes]) -> str:
    return "&".join(f"{name}={urllib.parse.quote_from_bytes(value)}" for name, value in params.items())


def _assert_answer(status: int, content_type: str, body: bytes) -> None:
    """A 2xx in one of the documented formats, or a 4xx JSON error with a message; never a 5xx."""
    assert status < 500, body[:500]
    if status >= 400:
        assert content_type.startswith("application/json")
        assert isinstance(json.loads(body)["detail"], str)
    else:
        assert content_type.split(";")[0] in {"application/json", "application/geo+json", "text/csv", "text/html"}


@pytest.fixture
def seeded(store: Store) -> Store:
    with store.begin() as conn:
        w.sync_events(conn, SEED_EVENTS)
        w.sync_control_periods(conn, SEED_PERIODS)
    return store


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_fuzz_api_query_parameters(seeded: Store, endpoint: str) -> None:
    client = TestClient(create_app(seeded, token=""), raise_server_exceptions=False)

    @FUZZ
    @given(params=st.dictionaries(st.sampled_from(ENDPOINTS[endpoint]), query_values, max_size=5))
    def check(params: dict[str, bytes]) -> None:
        response = client.get(f"{endpoint}?{_query(params)}")
        _assert_answer(response.status_code, response.headers.get("content-type", ""), response.content)

    check()


def test_fuzz_api_event_ids(seeded: Store) -> None:
    client = TestClient(create_app(seeded, token=""), raise_server_exceptions=False)

    @FUZZ
    @given(
        event_id=st.one_of(
            st.binary(min_size=1, max_size=300), st.sampled_from([b"fuzz-first-day", b"\x00", b"9" * 5000])
        ),
        page=st.booleans(),
    )
    def check(event_id: bytes, page: bool) -> None:
        path = f"/api/events/{urllib.parse.quote_from_bytes(event_id, safe='')}" + (".html" if page else "")
        response = client.get(path)
        _assert_answer(response.status_code, response.headers.get("content-type", ""), response.content)

    check()


# ---- extraction (the real model) --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pipeline(nlp: Language, workdir: Path) -> Pipeline:
    pipeline = Pipeline(Settings(db=str(workdir / "unused.db"), max_document_bytes=200_000), nlp=nlp)
    pipeline.extract(SENTENCES[0], published="2024-12-03")  # load the resources outside the timed examples
    return pipeline


def _check_result(result: ExtractResult) -> None:
    assert isinstance(result, ExtractResult)
    json.loads(result.model_dump_json())
    for event in result.events:
        assert event.latitude is None or -90 <= event.latitude <= 90
        assert event.longitude is None or -180 <= event.longitude <= 180
        assert 0 <= event.fatalities_low <= event.fatalities <= event.fatalities_high


@pytest.mark.model
def test_fuzz_pipeline_extract_any_text(pipeline: Pipeline) -> None:
    @FUZZ
    @given(
        text=st.one_of(document_text, html_trees),
        published=st.one_of(st.none(), st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31))),
        meta=st.lists(nasty_text, min_size=3, max_size=3),
    )
    def check(text: str, published: dt.date | None, meta: list[str]) -> None:
        try:
            result = pipeline.extract(text, published=published, outlet=meta[0], title=meta[1], url=meta[2])
        except SitrepError as e:
            assert CODED.match(str(e)), e
            return
        _check_result(result)

    check()


@pytest.mark.model
@pytest.mark.parametrize("published", ["9999-12-31", "2024-02-30", "10000-01-01", "0000-01-01", "2024-12-03T10:00"])
def test_fuzz_pipeline_extract_bad_or_far_publication_dates(pipeline: Pipeline, published: str) -> None:
    try:
        result = pipeline.extract(" ".join(SENTENCES), published=published)
    except InputError as e:
        assert str(e).startswith("[E002]")
        return
    _check_result(result)


@pytest.mark.model
def test_fuzz_pipeline_extract_over_the_size_cap_is_quick(pipeline: Pipeline) -> None:
    text = " ".join(SENTENCES) * 2_000  # about 600 KB, three times the cap of this pipeline
    started = time.monotonic()
    with pytest.raises(InputError, match=r"^\[E004\]"):
        pipeline.extract(text, published="2024-12-03")
    assert time.monotonic() - started < 2


@pytest.mark.model
@pytest.mark.parametrize(
    "case",
    [
        ("random.txt", bytes(range(256)) * 40),
        ("deep.html", b"<html><body>" + b"<div>" * 100_000 + b"<p>Rebels seized Morek on Tuesday.</p></body></html>"),
        (
            "lines.jsonl",
            b"\n".join(
                [*ADVERSARIAL_LINES, b'{"id": "ok", "text": "Rebels seized Morek on Tuesday.", "outlet": "\\ud800"}']
            ),
        ),
    ],
    ids=["random-bytes", "deep-html", "bad-jsonl"],
)
def test_fuzz_cli_extract_bad_files(case: tuple[str, bytes], workdir: Path, runner: CliRunner) -> None:
    name, content = case
    path = workdir / name
    path.write_bytes(content)
    result = runner.invoke(app, ["extract", str(path), "--published", "2024-12-03", "--format", "jsonl"])
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert lines and all(set(line) >= {"input_id", "events", "figures"} for line in lines)
    # An input that could not be read still has its line, is named on stderr, and fails the command (as in ingest).
    assert (result.exit_code == 1) == ("failed [E0" in result.stderr), result.output
    assert result.exit_code == (0 if name == "deep.html" else 1)


def test_fuzz_cli_extract_over_the_size_cap(workdir: Path, runner: CliRunner) -> None:
    path = workdir / "big.txt"
    path.write_bytes(b"Clashes in Homs. " * 1000)
    result = runner.invoke(app, ["extract", str(path)], env={"SITREP_MAX_DOCUMENT_BYTES": "1000"})
    assert result.exit_code == 1 and "[E004]" in result.output and "1,000-byte cap" in result.output


# ---- inputs that once crashed a stage, kept as regression tests ----------------------------------------------


@pytest.mark.model
@pytest.mark.parametrize("published", [dt.date(1, 1, 1), dt.date(1, 1, 20)])
def test_fuzz_pipeline_extract_publication_in_year_one(pipeline: Pipeline, published: dt.date) -> None:
    _check_result(pipeline.extract(" ".join(SENTENCES), published=published))


@pytest.mark.model
@pytest.mark.parametrize("number", ["1" + "0" * 400, "9" * 400])
def test_fuzz_pipeline_extract_huge_number(pipeline: Pipeline, number: str) -> None:
    _check_result(pipeline.extract(f"Rebels killed {number} people in Hama on Monday.", published="2024-12-03"))


@pytest.mark.model
def test_fuzz_pipeline_extract_input_id_with_surrogate(pipeline: Pipeline) -> None:
    _check_result(pipeline.extract(SENTENCES[0], published="2024-12-03", input_id="doc-\ud800"))


@pytest.mark.model
def test_fuzz_pipeline_extract_over_the_size_cap_raises(pipeline: Pipeline) -> None:
    with pytest.raises(InputError, match=r"^\[E004\]"):
        pipeline.extract(" ".join(SENTENCES) * 2_000, published="2024-12-03")


@pytest.mark.model
def test_fuzz_pipeline_extract_text_over_spacy_max_length(pipeline: Pipeline) -> None:
    settings = pipeline.settings.model_copy(update={"max_document_bytes": 20_000_000})
    try:
        text = " ".join(SENTENCES) * 3_000  # about 1,020,000 characters of English
        result = Pipeline(settings, nlp=pipeline.nlp).extract(text, published="2024-12-03")
    except SitrepError:
        return
    _check_result(result)


@pytest.mark.model
def test_fuzz_ingest_publication_in_year_9999(pipeline: Pipeline, store: Store, workdir: Path) -> None:
    path = workdir / "far.jsonl"
    record = {"id": "far", "text": SENTENCES[3], "published": "9999-12-31"}
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    stats = pipeline.ingest([str(path)], store)
    assert stats.failed == 0


@pytest.mark.model
def test_fuzz_ingest_huge_fatality_count(pipeline: Pipeline, store: Store, workdir: Path) -> None:
    path = workdir / "huge.jsonl"
    record = {"id": "huge", "text": "Rebels killed 99999999999999999999999 people in Hama on Monday."}
    path.write_text(json.dumps({**record, "published": "2024-12-03"}) + "\n", encoding="utf-8")
    stats = pipeline.ingest([str(path)], store)
    assert stats.failed == 0
