"""The situation report, over a real store: hand-written events through the real writes, and a real ingest."""

from __future__ import annotations

import base64
import datetime as dt
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from markupsafe import escape
from sqlalchemy import insert
from typer.testing import CliRunner

from sitrep.control.alerts import load_rules
from sitrep.errors import InputError
from sitrep.fuse.clusters import report_block
from sitrep.models import Document, Event, Evidence, Figure, Report, Source
from sitrep.read.attribution import find_claimant_mentions
from sitrep.run.alerting import alerts_in_store
from sitrep.run.names import NameResolver
from sitrep.run.pipeline import Pipeline
from sitrep.settings import Settings
from sitrep.store import Store, open_store
from sitrep.store import queries as q
from sitrep.store import write as w
from sitrep.store.schema import control_periods
from sitrep.views.cli import app
from sitrep.views.report import draw, gather, md_escape, safe_url, write_report

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "artifacts"
INJECTION_PAGE = Path(__file__).parent / "fixtures" / "pages" / "script-injection.html"
HOSTILE = "<script>alert(1)</script>"
HOSTILE_OUTLET = "<img src=x onerror=alert(1)>"
SOHR = "Syrian Observatory for Human Rights"


def _document(doc_id: str, *, outlet: str, url: str, text: str) -> Document:
    return Document(id=doc_id, source=f"{doc_id}.txt", outlet=outlet, url=url, text=text,
                    published=dt.date(2024, 12, 6))  # fmt: skip


def _event(event_id: str, document: Document, **fields: object) -> tuple[Report, Event]:
    report_id = f"{document.id}:0:{event_id}"
    text = str(fields.get("notes", ""))
    base: dict[str, object] = {"country": "Syria", "evidence": [Evidence(text=text, start=0, end=len(text))]}
    report = Report(report_id=report_id, document_id=document.id, sentence_start=0, sentence_end=len(text),
                    sentence=text, **{**base, **fields})  # fmt: skip
    event = Event(event_id=event_id, report_ids=[report_id], n_sources=1,
                  sources=[Source(document_id=document.id, outlet=document.outlet, url=document.url,
                                  attributed_to=[SOHR])], **{**base, **fields})  # fmt: skip
    return report, event


@pytest.fixture
def filled(store: Store) -> Store:
    """Three events: a takeover quoted from a hostile page, a strike, and an older clash outside the week."""
    hostile = _document("d1", outlet=HOSTILE_OUTLET, url="javascript:alert(1)", text=f"Rebels took Hama. {HOSTILE}")
    plain = _document("d2", outlet="Orontes Daily", url="https://orontes.example/strike", text="A strike hit Idlib.")
    items = [
        _event("e1", hostile, event_date=dt.date(2024, 12, 5), event_type="Battles",
               sub_event_type="Non-state actor overtakes territory", actor1="Hayat Tahrir al Sham",
               actor2="Military Forces of Syria (2000-)", location="Hama", admin1="Hama", latitude=35.13,
               longitude=36.75, fatalities=12, notes=f"Rebels took Hama. {HOSTILE}",
               figures=[Figure(kind="killed", value=12, low=12, high=12, claimant=SOHR)]),
        _event("e2", plain, event_date=dt.date(2024, 12, 4), event_type="Explosions/Remote violence",
               sub_event_type="Air/drone strike", actor1="Military Forces of Russia (2000-)", location="Idlib",
               admin1="Idleb", latitude=35.93, longitude=36.63, fatalities=5,
               notes='A strike hit Idlib; <a href="javascript:alert(2)">more</a> $5 $x$ [link](javascript:x)'),
        _event("e3", plain, event_date=dt.date(2024, 11, 20), event_type="Battles", sub_event_type="Armed clash",
               actor1="Hayat Tahrir al Sham", location="Aleppo", admin1="Aleppo", latitude=36.2, longitude=37.16,
               notes="Clashes near Aleppo."),
    ]  # fmt: skip
    with store.begin() as conn:
        for document in (hostile, plain):
            w.write_document(conn, document, minhash=None)
        w.write_reports(conn, [report for report, _ in items], block_of=report_block)
        w.sync_events(conn, [event for _, event in items])
    return store


@pytest.mark.parametrize("suffix", [".html", ".md"])
def test_report_escapes_untrusted_text(filled: Store, tmp_path: Path, suffix: str) -> None:
    out = write_report(filled, date=dt.date(2024, 12, 6), days=7, out=tmp_path / f"report{suffix}")
    text = out.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text.replace("\\", "")  # Markdown backslashes the parentheses
    assert "<script" not in text.lower()
    assert "<img src=x" not in text
    assert "<a " not in text.replace('<a href="https://orontes.example/strike"', "")
    # Every real link (an HTML attribute; a Markdown link not backslash-escaped) goes to http(s) or is an image.
    link = r'(?:href|src)="([^"]*)"' if suffix == ".html" else r"(?<!\\)\]\(<?([^)>]*)"
    targets = re.findall(link, text)
    assert targets
    assert all(t.startswith(("https://orontes.example/", "data:image/svg+xml;base64,")) for t in targets)


def test_report_html_is_one_self_contained_file(filled: Store, tmp_path: Path) -> None:
    text = write_report(filled, date=dt.date(2024, 12, 6), days=7, out=tmp_path / "r.html").read_text()
    images = re.findall(r'<img alt="[^"]+" src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)">', text)
    assert len(images) == 1  # the chart; no control period is stored, so no map
    assert all(base64.b64decode(image).lstrip().startswith(b"<?xml") for image in images)
    assert not re.search(r'(src|href)="(?!data:|https://orontes\.example/)', text)  # nothing loads from elsewhere
    assert "<link" not in text and "@import" not in text


def test_report_statements_link_their_sources(filled: Store, tmp_path: Path) -> None:
    text = write_report(filled, date=dt.date(2024, 12, 6), days=7, out=tmp_path / "r.html").read_text()
    assert '<a href="https://orontes.example/strike" rel="noopener noreferrer nofollow">Orontes Daily</a>' in text
    assert "&lt;img src=x onerror=alert(1)&gt; (per Syrian Observatory for Human Rights)" in text  # shown, not linked


def test_report_gathers_the_period(filled: Store) -> None:
    data = gather(filled, date=dt.date(2024, 12, 6), days=7)
    assert (data.date_from, data.date_to) == (dt.date(2024, 11, 30), dt.date(2024, 12, 6))
    assert [e.event_id for e in data.events] == ["e2", "e1"]
    assert [(c.date, c.actor, c.place) for c in data.changes] == [
        (dt.date(2024, 12, 5), "Hayat Tahrir al Sham", "Hama")
    ]
    assert data.changes_from_events
    assert [(r.kind, [(c.value, c.claimant) for c in r.claims]) for r in data.figures] == [("killed", [(12, SOHR)])]
    assert data.fatalities == 17


def test_report_default_date_is_the_latest_event(filled: Store) -> None:
    assert gather(filled, date=None, days=1).date_to == dt.date(2024, 12, 5)


def test_report_changes_from_control_periods(filled: Store) -> None:
    data = {"place": "Homs", "actor": "Hayat Tahrir al Sham", "status": "assessed", "valid_from": "2024-12-06",
            "valid_to": None, "event_ids": ["e1"], "latitude": 34.73, "longitude": 36.71}  # fmt: skip
    with filled.begin() as conn:
        conn.execute(
            insert(control_periods).values(period_id="p1", place="Homs", actor="Hayat Tahrir al Sham",
                                           status="assessed", valid_from=dt.date(2024, 12, 6), data=data)
        )  # fmt: skip
    report = gather(filled, date=dt.date(2024, 12, 6), days=7)
    assert [(h.place, h.actor) for h in report.maps["end"].holdings] == [("Homs", "Hayat Tahrir al Sham")]
    assert not report.changes_from_events
    assert [(c.place, c.status, [s.outlet for s in c.sources]) for c in report.changes] == [
        ("Homs", "assessed", [HOSTILE_OUTLET])
    ]


@pytest.mark.parametrize(("name", "days"), [("r.docx", 7), ("report", 7), ("r.html", 0)])
def test_report_refuses_bad_arguments(filled: Store, tmp_path: Path, name: str, days: int) -> None:
    with pytest.raises(InputError):
        write_report(filled, date=None, days=days, out=tmp_path / name)
    assert not (tmp_path / name).exists()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://a.example/x?y=1", "https://a.example/x?y=1"),
        ("http://a.example/", "http://a.example/"),
        ("javascript:alert(1)", None),
        (" JavaScript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("//a.example/x", None),
        ("", None),
        (None, None),
    ],
)
def test_report_safe_url(url: str | None, expected: str | None) -> None:
    assert safe_url(url) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("<b>x</b>", "&lt;b&gt;x&lt;/b&gt;"), ("[a](javascript:x)", r"\[a\]\(javascript:x\)"), ("it's", "it's")],
)
def test_report_md_escape(text: str, expected: str) -> None:
    assert md_escape(text) == expected


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--date", "2024-12-06", "--out", "{tmp}/r.html"], 0, "wrote"),
        (["--date", "6 Dec", "--out", "{tmp}/r.html"], 1, "Error: [E002]"),
        (["--out", "{tmp}/r.txt"], 1, "Error: [E134]"),
        (["--out", "{tmp}/r.html", "--alerts", "{tmp}/no-rules.yaml"], 1, "Error: [E140]"),
    ],
)
def test_report_cli(filled: Store, runner: CliRunner, tmp_path: Path, args: list[str], code: int, message: str) -> None:
    if not filled.is_sqlite:
        pytest.skip("the CLI test reads the SQLite file by path")
    db = filled.url.removeprefix("sqlite:///")
    result = runner.invoke(app, ["report", "--db", db, *[a.format(tmp=tmp_path) for a in args]])
    assert result.exit_code == code, result.output
    assert message in result.output
    assert (tmp_path / "r.html").exists() == (code == 0)


@pytest.fixture(scope="module")
def examples_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """`examples/` and the script-injection page, ingested by the real pipeline into a real SQLite file."""
    folder = tmp_path_factory.mktemp("examples")
    store = open_store(str(folder / "examples.db"))
    Pipeline(Settings(db=str(folder / "examples.db"))).ingest([str(REPO / "examples"), str(INJECTION_PAGE)], store)
    yield store
    store.close()


@pytest.mark.model
def test_report_of_the_examples(examples_store: Store, tmp_path: Path) -> None:
    text = write_report(examples_store, date=dt.date(2024, 12, 8), days=12, out=tmp_path / "r.html").read_text()
    timeline = text.split("<h2>Timeline of changes of control</h2>", 1)[1].split("<h2>", 1)[0]
    for city in ("Aleppo", "Hama", "Homs", "Damascus"):
        assert f"took {city}" in timeline
    assert "Crisis Ledger" in text  # the hostile page's event is in the report, and nothing of it runs
    assert "<script" not in text.lower()
    assert "javascript:" not in text.lower()
    assert "…" not in text and "more</" not in text


@pytest.mark.model
def test_report_messages_and_figures_of_the_examples(examples_store: Store) -> None:
    data = gather(examples_store, date=dt.date(2024, 12, 9), days=13)
    assert 3 <= len(data.messages) <= 5
    took = next(m for m in data.messages if m.startswith("Military Operations Command took"))
    for city in ("Aleppo", "Hama", "Homs", "Damascus"):
        assert city in took  # every city named, none hidden behind "and N more"
    assert any(m.startswith("Deadliest reported events") for m in data.messages)
    displaced = {c.value for r in data.figures if r.kind == "displaced" for c in r.claims}
    assert {48_500, 280_000, 370_000, 1_100_000} <= displaced
    # The two agencies' figures for one statistic, side by side, each with its claimant.
    [split] = [r for r in data.figures if {c.value for c in r.claims} >= {280_000, 370_000}]
    assert [(c.claimant, c.value) for c in split.claims] == [("OCHA", 280_000), ("WFP", 370_000)] and split.disagree
    # A claimant the registry knows goes by its one name, however the articles wrote it ("defence ministry").
    for claimant in {c.claimant for r in data.figures for c in r.claims} | _quoted(data.messages):
        mentions = find_claimant_mentions(claimant)
        if mentions and mentions[0][0] == 0 and mentions[0][1] == len(claimant):
            assert claimant == mentions[0][2].name
    assert all(r.place != "Britain" for r in data.figures)  # the claimant's seat is not where people were killed
    claims = [(r.kind, r.date, r.place, c.claimant, c.value) for r in data.figures for c in r.claims]
    assert len(claims) == len(set(claims))  # one claim once, however many outlets carried it
    assert not any(r.kind == "captured_places" for r in data.figures)


def _quoted(messages: list[str]) -> set[str]:
    """The claimants the key messages credit ("per X")."""
    return {name.strip() for m in messages for name in re.findall(r"per ([^;,.)]+?)(?: and |[;,.)])", m)}


@pytest.mark.model
def test_report_map_labels_inside_the_frame_and_apart(examples_store: Store) -> None:
    data = gather(examples_store, date=dt.date(2024, 12, 9), days=13)
    draw(data)
    assert set(data.map_labels) == {"start", "end"}
    for drawing in data.map_labels.values():
        x0, y0, x1, y1 = drawing.frame
        places = [label for label in drawing.labels if label.kind == "place"]
        assert len(places) >= 8  # every held settlement is named
        for label in drawing.labels:
            a0, b0, a1, b1 = label.bbox
            assert x0 <= a0 and a1 <= x1 and y0 <= b0 and b1 <= y1, label
        for i, one in enumerate(drawing.labels):
            for other in drawing.labels[i + 1 :]:
                apart = (one.bbox[2] <= other.bbox[0] or other.bbox[2] <= one.bbox[0]
                         or one.bbox[3] <= other.bbox[1] or other.bbox[3] <= one.bbox[1])  # fmt: skip
                assert apart, (one.text, other.text)
    end = data.maps["end"]
    assert end.front is not None and end.front.length > 0
    # The areas carry the timeline's statuses that day (on the examples, no place is contested on 9 December
    # once a contest ends; Halfaya was contested only because "fighting for Suran" was read as about it).
    with examples_store.connect() as conn:
        in_force = {p.status for p in q.iter_control_periods(conn, on=dt.date(2024, 12, 9)) if p.latitude is not None}
    assert "assessed" in in_force and {a.status for a in end.areas} == in_force


# Written for these tests: rules over the examples' offensive, one of each kind.
ALERT_RULES = """
- name: Hama falls
  when: control_change
  place: Hama
- name: Rebels near Homs
  when: front_within
  city: Homs
  km: 50
- name: Deadly days in Idleb
  when: fatalities_at_least
  min: 5
  admin1: Idleb
"""


def _alert_rules(folder: Path) -> Path:
    path = folder / "rules.yaml"
    path.write_text(ALERT_RULES, encoding="utf-8")
    return path


@pytest.mark.model
def test_report_lists_and_maps_the_alerts_of_the_examples(examples_store: Store, tmp_path: Path) -> None:
    rules = load_rules(_alert_rules(tmp_path))
    expected = alerts_in_store(examples_store, rules, names=NameResolver())  # what `sitrep alerts test` prints
    [hama] = [a for a in expected if a.rule == "Hama falls"]
    assert hama.date == dt.date(2024, 12, 5) and hama.evidence
    out = write_report(examples_store, date=dt.date(2024, 12, 9), days=13, out=tmp_path / "r.html", rules=rules)
    section = out.read_text().split("<h2>Alerts</h2>", 1)[1].split("<h2>", 1)[0]
    rows = [row for row in section.split("<tr>")[2:]]
    in_period = [a for a in expected if dt.date(2024, 11, 27) <= a.date <= dt.date(2024, 12, 9)]
    assert len(rows) == len(in_period) >= 3  # one row per alert, each kind of rule among them
    [row] = [row for row in rows if "Hama falls" in row]
    assert "5 Dec" in row and "<td>Hama</td>" in row and "Military Operations Command" in row
    for sentence in hama.evidence:
        assert str(escape(sentence)) in row  # escaped as Jinja2 escapes
    with examples_store.connect() as conn:
        outlets = {s.outlet for i in hama.event_ids if (e := q.get_event(conn, i)) for s in e.sources if s.outlet}
    assert outlets and all(str(escape(outlet)) in row.split("Sources:", 1)[1] for outlet in outlets)
    # The map rings each alert's place and writes its mark beside it, inside the frame, apart from other labels.
    data = gather(examples_store, date=dt.date(2024, 12, 9), days=13, rules=rules)
    draw(data)
    mark = next(m for m, a, _sources in data.numbered_alerts if a.rule == "Hama falls")
    end = data.map_labels["end"]
    [label] = [label for label in end.labels if label.kind == "alert" and mark in label.text.split(", ")]
    x0, y0, x1, y1 = end.frame
    assert x0 <= label.bbox[0] and label.bbox[2] <= x1 and y0 <= label.bbox[1] and label.bbox[3] <= y1


def test_report_alerts_section_says_when_nothing_fired(filled: Store, tmp_path: Path) -> None:
    (tmp_path / "quiet.yaml").write_text("- {name: Nothing here, when: fatalities_at_least, min: 100000}\n")
    rules = load_rules(tmp_path / "quiet.yaml")
    text = write_report(filled, date=dt.date(2024, 12, 6), out=tmp_path / "r.md", rules=rules).read_text()
    assert "## Alerts" in text and "No alert rule fired in this period." in text
    plain = write_report(filled, date=dt.date(2024, 12, 6), out=tmp_path / "plain.md").read_text()
    assert "## Alerts" not in plain


def _page_words(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Each page's words with their boxes in points, read by poppler's pdftotext."""
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = []
    for page in re.findall(r"<page .*?</page>", xml, flags=re.S):
        words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', page)
        pages.append([(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in words])
    return pages


@pytest.mark.model
def test_report_pdf_rendered(examples_store: Store, tmp_path: Path) -> None:
    if shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None:
        pytest.skip("the rendered-PDF test needs poppler-utils (apt-get install -y poppler-utils)")
    rules = load_rules(_alert_rules(tmp_path))
    pdf = write_report(examples_store, date=dt.date(2024, 12, 9), days=13, out=tmp_path / "r.pdf", rules=rules)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(tmp_path / "page")], check=True)
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert 4 <= len(pngs) <= 20
    ARTIFACTS.mkdir(exist_ok=True)
    for png in pngs[:3]:
        shutil.copy(png, ARTIFACTS / f"report-{png.name}")
    from PIL import Image

    margin = round(12 / 25.4 * 60)  # 12 mm at 60 dpi: the page margins are 14 mm
    for png in pngs:
        with Image.open(png) as image:
            grey = image.convert("L")
            width, height = grey.size
            for box in ((0, 0, margin, height), (width - margin, 0, width, height)):
                assert grey.crop(box).getextrema()[0] > 200, f"ink in the side margin of {png.name}"
    pages = _page_words(pdf)
    assert len(pages) == len(pngs)
    a4_width = 595.3
    for number, words in enumerate(pages, 1):
        for x0, _y0, x1, _y1, word in words:
            assert x0 >= 14 and x1 <= a4_width - 14, (number, word)
    text = " ".join(w for words in pages for *_, w in words)
    assert "…" not in text
    for city in ("Aleppo", "Hama", "Homs", "Damascus", "Talbiseh", "Halfaya"):
        assert city in " ".join(w for *_, w in pages[0] + pages[1])  # named on the map of the first pages
    # The alerts: a section in the text, with the Hama rule's row (its mark, day, place, actor, evidence).
    layout = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    alerts = layout.split("\nAlerts\n", 1)[1].split("Timeline of changes of control", 1)[0]
    hama = re.search(r"^\s*(A\d+)\s+5 Dec\s+Hama falls\s+Hama\s+Military", alerts, flags=re.M)
    assert hama is not None, alerts
    assert hama.group(1) in " ".join(w for *_, w in pages[0])  # its mark on the first page's map
    [expected] = [a for a in alerts_in_store(examples_store, rules, names=NameResolver()) if a.rule == "Hama falls"]
    plain = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flowing = " ".join(plain.split())
    for sentence in expected.evidence:
        assert " ".join(sentence.split()[:8]) in flowing  # its evidence, in the cell's reading order


def test_report_document_figures_stored_once(store: Store) -> None:
    document = _document("d9", outlet="Relief Wire", url="https://relief.example/a", text="Some 9,000 people fled.")
    figures = [Figure(kind="displaced", value=9000, claimant="United Nations"), Figure(kind="killed", value=3)]
    with store.begin() as conn:
        w.write_document(conn, document, minhash=None)
        assert w.write_document_figures(conn, document, figures) == 2
        assert w.write_document_figures(conn, document, figures) == 0  # a document's figures are written once
    with store.connect() as conn:
        found = list(q.iter_document_figures(conn, date_from=dt.date(2024, 12, 6), kinds=("displaced",)))
        later = list(q.iter_document_figures(conn, date_from=dt.date(2024, 12, 7)))
    # An undated figure is filed under its document's publication date (6 December).
    assert [(f.value, f.claimant, f.outlet, f.date) for f in found] == [(9000, "United Nations", "Relief Wire", None)]
    assert later == []


def test_a_lone_settlement_across_a_border_does_not_widen_the_control_map() -> None:
    """Nine Syrian towns and one point in Turkey: the map frames Syria, not Turkey as well."""
    from sitrep.views.report_map import _extent

    syria = [(36.2 + 0.1 * i, 35.0 + 0.1 * i) for i in range(9)]
    ankara = (32.85, 39.93)
    west, south, east, north = _extent([*syria, ankara])
    assert west > 35.0 and north < 38.0  # Syria's outline with its margin; Turkey's reaches 26 E and 42 N
    assert _extent(syria) == (west, south, east, north)
