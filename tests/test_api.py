"""The API through its real app: a real SQLite file filled by the real ingest of examples/ and hostile pages."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy import insert, select

from sitrep.control.alerts import alert_line, load_rules
from sitrep.models import ACLED_COLUMNS
from sitrep.run.alerting import alerts_in_store
from sitrep.run.names import NameResolver
from sitrep.run.pipeline import Pipeline
from sitrep.settings import Settings
from sitrep.store import Store, open_store
from sitrep.store import queries as q
from sitrep.store.schema import control_periods, documents, events
from sitrep.views.api import create_app

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
INJECTION_PAGE = Path(__file__).parent / "fixtures" / "pages" / "script-injection.html"
TOKEN = "s3cret-token"

# A document whose metadata is hostile too: the views must show it as text and never link a javascript: URL.
HOSTILE_RECORD = {
    "id": "hostile-1",
    "text": "Rebel fighters seized the town of Khan Shaykhun in southern Idlib on Monday, the Syrian Observatory "
    "for Human Rights said. A poster in the square read <script>alert(1)</script> and "
    '<a href="javascript:alert(3)">click</a>, residents said.',
    "url": "javascript:alert(1)",
    "outlet": "<img src=x onerror=alert(1)>",
    "title": "<script>alert(1)</script> Khan Shaykhun",
    "published": "2024-12-02",
}


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    return Pipeline(Settings(db=str(tmp_path_factory.mktemp("unused") / "unused.db")))


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory, pipeline: Pipeline) -> Iterator[Store]:
    """examples/, the script-injection page and a hostile JSON Lines record, ingested into a SQLite file."""
    folder = tmp_path_factory.mktemp("api")
    hostile = folder / "hostile.jsonl"
    hostile.write_text(json.dumps(HOSTILE_RECORD) + "\n", encoding="utf-8")
    store = open_store(str(folder / "api.db"))
    pipeline.ingest([str(EXAMPLES), str(INJECTION_PAGE), str(hostile)], store)
    yield store
    store.close()


@pytest.fixture(scope="module")
def client(ingested: Store, pipeline: Pipeline) -> TestClient:
    return TestClient(create_app(ingested, pipeline_factory=lambda: pipeline, token=""))


@pytest.fixture
def all_ids(ingested: Store) -> list[str]:
    with ingested.connect() as conn:
        return [row[0] for row in conn.execute(select(events.c.event_id).where(events.c.deleted.is_(False)))]


def _event_of_document(client: TestClient, store: Store, title: str) -> dict[str, Any]:
    """The first event drawn from the document with this title."""
    with store.connect() as conn:
        document_id = conn.execute(select(documents.c.id).where(documents.c.title == title)).scalar_one()
    page = client.get("/api/events", params={"limit": 1000}).json()
    for event in page["events"]:
        if any(source["document_id"] == document_id for source in event["sources"]):
            return event
    raise AssertionError(f"no event comes from {title!r}")


# ---- reading events -------------------------------------------------------------------------------------------


@pytest.mark.model
def test_api_events_json_page(client: TestClient, all_ids: list[str]) -> None:
    response = client.get("/api/events", params={"limit": 5})
    assert response.status_code == 200
    body = response.json()
    assert [len(body["events"]), body["limit"], body["offset"], body["next_offset"]] == [5, 5, 0, 5]
    assert all(event["event_id"] in all_ids for event in body["events"])


@pytest.mark.model
def test_api_events_pagination_visits_every_event_once(client: TestClient, all_ids: list[str]) -> None:
    seen: list[str] = []
    offset: int | None = 0
    while offset is not None:
        body = client.get("/api/events", params={"limit": 7, "offset": offset}).json()
        seen += [event["event_id"] for event in body["events"]]
        offset = body["next_offset"]
    assert len(seen) == len(set(seen)) == len(all_ids)
    assert set(seen) == set(all_ids)


@pytest.mark.model
def test_api_events_geojson(client: TestClient) -> None:
    response = client.get("/api/events", params={"format": "geojson", "limit": 1000})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    collection = response.json()
    as_json = {e["event_id"]: e for e in client.get("/api/events", params={"limit": 1000}).json()["events"]}
    assert collection["type"] == "FeatureCollection"
    located = [e for e in as_json.values() if e["latitude"] is not None]
    assert len(collection["features"]) == len(located) > 0
    for feature in collection["features"]:
        event = as_json[feature["id"]]
        assert feature["geometry"] == {"type": "Point", "coordinates": [event["longitude"], event["latitude"]]}
        assert feature["properties"]["sub_event_type"] == event["sub_event_type"]


@pytest.mark.model
def test_api_events_csv(client: TestClient) -> None:
    response = client.get("/api/events", params={"format": "csv", "limit": 4})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert tuple(rows[0][: len(ACLED_COLUMNS)]) == ACLED_COLUMNS
    assert len(rows) == 1 + 4


@pytest.mark.model
@pytest.mark.parametrize(
    ("params", "field", "expected"),
    [
        ({"event_type": "Battles"}, "event_type", {"Battles"}),
        ({"admin1": "hama"}, "admin1", {"Hama"}),
        ({"date_from": "2024-12-05", "date_to": "2024-12-06"}, "event_date", {"2024-12-05", "2024-12-06"}),
    ],
)
def test_api_events_filters(client: TestClient, params: dict[str, str], field: str, expected: set[str]) -> None:
    body = client.get("/api/events", params={**params, "limit": 1000}).json()
    assert body["events"]
    assert {event[field] for event in body["events"]} <= expected


@pytest.mark.model
def test_api_events_place_radius(client: TestClient) -> None:
    near = client.get("/api/events", params={"place": "Hama", "radius_km": 30, "limit": 1000}).json()["events"]
    everywhere = client.get("/api/events", params={"limit": 1000}).json()["events"]
    assert near and len(near) < len(everywhere)
    # Hama is at about 35.13 N, 36.75 E; 30 km is about 0.27 degrees of latitude.
    assert all(abs(event["latitude"] - 35.13) < 0.3 for event in near)


@pytest.mark.model
@pytest.mark.parametrize("name", ["event_type", "sub_event_type", "actor", "admin1", "place", "bbox", "near"])
@pytest.mark.parametrize(
    "payload", ["' OR '1'='1", "%", "_", "\\", '"; DROP TABLE events; --', "1) UNION SELECT * FROM documents --"]
)
def test_api_events_sql_metacharacters_are_harmless(
    client: TestClient, all_ids: list[str], name: str, payload: str
) -> None:
    response = client.get("/api/events", params={name: payload})
    # Taken literally, none of these names anything: no event matches, or the value is refused as malformed.
    assert response.status_code in (200, 400, 422)
    assert response.headers["content-type"].startswith("application/json")
    if response.status_code == 200:
        assert response.json()["events"] == []
    else:
        assert response.json()["detail"]
    assert len(client.get("/api/events", params={"limit": 1000}).json()["events"]) == len(all_ids)


# ---- one event, documents, figures, control --------------------------------------------------------------------


@pytest.mark.model
def test_api_event_detail_has_reports_documents_and_sources(client: TestClient) -> None:
    first = client.get("/api/events", params={"limit": 1}).json()["events"][0]
    detail = client.get(f"/api/events/{first['event_id']}").json()
    assert detail["event"]["event_id"] == first["event_id"]
    assert {r["report_id"] for r in detail["reports"]} == set(first["report_ids"])
    assert {d["id"] for d in detail["documents"]} == {s["document_id"] for s in first["sources"]}
    for report in detail["reports"]:
        document = client.get(f"/api/documents/{report['document_id']}").json()
        assert document["text"][report["sentence_start"] : report["sentence_end"]].strip() == report["sentence"].strip()


@pytest.mark.model
def test_api_figures_by_kind(client: TestClient, all_ids: list[str]) -> None:
    figures = client.get("/api/figures", params={"kind": "killed"}).json()
    assert figures
    assert {f["kind"] for f in figures} == {"killed"}
    assert {f["event_id"] for f in figures} <= set(all_ids)


def test_api_control_on_a_date(store: Store) -> None:
    rows = [
        ("p1", "Hama", "Government of Syria (2000-)", "assessed", "2024-11-01", "2024-12-04"),
        ("p2", "Hama", "Hayat Tahrir al Sham", "claimed", "2024-12-05", None),
    ]
    with store.begin() as conn:
        for period_id, place, actor, status, valid_from, valid_to in rows:
            data: dict[str, object] = {"place": place, "actor": actor, "status": status, "valid_from": valid_from,
                    "valid_to": valid_to, "latitude": 35.13, "longitude": 36.75, "event_ids": []}  # fmt: skip
            conn.execute(
                insert(control_periods).values(
                    period_id=period_id,
                    place=place,
                    actor=actor,
                    status=status,
                    valid_from=dt.date.fromisoformat(valid_from),
                    valid_to=dt.date.fromisoformat(valid_to) if valid_to else None,
                    data=data,
                )
            )
    client = TestClient(create_app(store, token=""))
    assert [p["actor"] for p in client.get("/api/control", params={"date": "2024-12-01"}).json()] == [rows[0][2]]
    assert [p["status"] for p in client.get("/api/control", params={"date": "2024-12-08"}).json()] == ["claimed"]
    geojson = client.get("/api/control", params={"date": "2024-12-08", "format": "geojson"}).json()
    assert geojson["features"][0]["geometry"]["coordinates"] == [36.75, 35.13]


def test_api_control_empty_table(store: Store) -> None:
    response = TestClient(create_app(store, token="")).get("/api/control", params={"date": "2024-12-01"})
    assert (response.status_code, response.json()) == (200, [])


# ---- errors ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/events/no-such-event", 404),
        ("/api/events/no-such-event.html", 404),
        ("/api/documents/no-such-document", 404),
        ("/api/no-such-route", 404),
        ("/api/events?limit=many", 422),
        ("/api/events?date_from=yesterday", 422),
        ("/api/events?format=xml", 422),
        ("/api/events?bbox=1,2,3", 422),
        ("/api/events?bbox=3,2,1,0", 422),
        ("/api/events?near=1", 422),
        ("/api/events?near=1,95&radius_km=3", 422),  # longitude first: latitude 95 is off the globe
        ("/api/events?place=Nowhere&radius_km=5", 400),
    ],
)
def test_api_errors_are_json(store: Store, path: str, status: int) -> None:
    response = TestClient(create_app(store, token="")).get(path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert "Traceback" not in response.text


# ---- writes and tokens ----------------------------------------------------------------------------------------


def _app(store: Store, token: str | None, pipeline: Pipeline | None = None) -> FastAPI:
    return create_app(store, pipeline_factory=(lambda: pipeline) if pipeline else None, token=token)


@pytest.mark.parametrize("token", ["", None])
def test_api_ingest_without_token_configured_is_403(
    store: Store, monkeypatch: pytest.MonkeyPatch, token: str | None
) -> None:
    monkeypatch.delenv("SITREP_TOKEN", raising=False)
    response = TestClient(_app(store, token)).post(
        "/api/ingest", json={"text": "Some text."}, headers={"Authorization": "Bearer anything"}
    )
    assert response.status_code == 403
    assert "writes are disabled" in response.json()["detail"].lower()


@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer"])
def test_api_ingest_wrong_token_is_401(store: Store, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    response = TestClient(_app(store, TOKEN)).post("/api/ingest", json={"text": "Some text."}, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    with store.connect() as conn:
        assert q.count_rows(conn)["documents"] == 0


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"text": "a", "url": "https://example.org/"}', "application/json"),
        (b'{"url": "javascript:alert(1)"}', "application/json"),
        (b'{"text": ""}', "application/json"),
        (b"{not json", "application/json"),
        (b"", "text/plain"),
        (b"\x00\x01", "image/png"),
    ],
)
def test_api_ingest_bad_request_is_400(
    store: Store, monkeypatch: pytest.MonkeyPatch, body: bytes, content_type: str
) -> None:
    monkeypatch.setenv("SITREP_TOKEN", TOKEN)  # the token comes from the environment when none is given
    response = TestClient(_app(store, None)).post(
        "/api/ingest", content=body, headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": content_type}
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("[E133]")


@pytest.mark.model
def test_api_ingest_with_token(store: Store, pipeline: Pipeline) -> None:
    client = TestClient(_app(store, TOKEN, pipeline))
    headers = {"Authorization": f"Bearer {TOKEN}"}
    text = "Rebel fighters seized the town of Morek in northern Hama on Tuesday, a war monitor said."
    first = client.post("/api/ingest", json={"text": text, "published": "2024-12-03"}, headers=headers)
    assert first.status_code == 201
    assert first.json()["new"] == 1 and first.json()["events_new"] >= 1
    again = client.post("/api/ingest", json={"text": text, "published": "2024-12-03"}, headers=headers)
    assert again.status_code == 200
    assert again.json()["new"] == 0
    page = client.get("/api/events").json()["events"]
    assert any(event["location"] == "Morek" for event in page)


@pytest.mark.model
def test_api_ingest_raw_html_file(store: Store, pipeline: Pipeline) -> None:
    client = TestClient(_app(store, TOKEN, pipeline))
    response = client.post(
        "/api/ingest",
        params={"filename": "../../etc/script-injection.html"},
        content=INJECTION_PAGE.read_bytes(),
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/html"},
    )
    assert response.status_code == 201
    with store.connect() as conn:
        assert q.count_rows(conn)["documents"] == 1


# ---- untrusted article text -----------------------------------------------------------------------------------


@pytest.mark.model
@pytest.mark.parametrize("title", ["Daraa handed over after army withdrawal deal", HOSTILE_RECORD["title"]])
def test_api_event_html_escapes_article_text(client: TestClient, ingested: Store, title: str) -> None:
    event = _event_of_document(client, ingested, title)
    response = client.get(f"/api/events/{event['event_id']}.html")
    assert response.status_code == 200
    page = response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the words are there, as text
    assert "<script" not in page.lower()
    assert "<img src=x" not in page
    assert 'href="javascript:' not in page.lower()
    assert "default-src 'none'" in response.headers["content-security-policy"]


@pytest.mark.model
def test_api_json_keeps_article_text_verbatim(client: TestClient, ingested: Store) -> None:
    event = _event_of_document(client, ingested, HOSTILE_RECORD["title"])
    document = client.get(f"/api/documents/{event['sources'][0]['document_id']}").json()
    # JSON is data, not markup: the text is returned as written, for clients to escape where they show it.
    assert "<script>alert(1)</script>" in document["text"]
    assert document["url"] == HOSTILE_RECORD["url"]


# ---- the OpenAPI contract, fuzzed -----------------------------------------------------------------------------


@pytest.mark.model
def test_api_openapi_conformance(client: TestClient) -> None:
    # schemathesis' own pytest loader (`from_fixture`) does not run under pytest 9, so each operation's cases
    # are drawn with hypothesis here; a bounded number of examples keeps the run to a few seconds.
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    results = list(schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results)  # every operation's schema is valid
    assert {op.path for op in operations} >= {"/api/events", "/api/events/{event_id}", "/api/ingest"}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case) -> None:
            # A request can match the schema and still be refused for what JSON Schema cannot say (a bbox whose
            # minimum exceeds its maximum, a place no event is at): those answers are 400/422 by design.
            case.call_and_validate(excluded_checks=[positive_data_acceptance])

        check()


@pytest.mark.parametrize("query", ["place=Ha%00ma", "actor=%00", "admin1=x&place=%00"])
def test_api_nul_in_a_query_parameter_is_refused(client: TestClient, query: str) -> None:
    response = client.get(f"/api/events?{query}")
    assert response.status_code == 422
    assert response.json()["detail"].startswith("[E135]")


def test_api_alerts_without_rules_is_empty(client: TestClient) -> None:
    assert client.get("/api/alerts").json() == {"rules": [], "alerts": []}


@pytest.mark.model
def test_api_alerts_of_the_servers_rules(ingested: Store, tmp_path: Path) -> None:
    # Written for this test: the rule `sitrep alerts test` would run; the API gives what it prints.
    (tmp_path / "rules.yaml").write_text("- {name: Hama changes hands, when: control_change, place: hama}\n")
    rules = load_rules(tmp_path / "rules.yaml")
    api = TestClient(create_app(ingested, token="", alert_rules=rules))
    body = api.get("/api/alerts").json()
    expected = [json.loads(alert_line(a)) for a in alerts_in_store(ingested, rules, names=NameResolver())]
    assert body["rules"] == ["Hama changes hands"] and body["alerts"] == expected
    [hama] = [a for a in body["alerts"] if a["date"] == "2024-12-05"]
    assert hama["place"] == "Hama" and hama["evidence"] and hama["latitude"] is not None
    assert api.get("/api/alerts", params={"date_to": "2024-12-04"}).json()["alerts"] == [
        a for a in expected if a["date"] <= "2024-12-04"
    ]
    assert api.get("/api/alerts", params={"date_from": "not a day"}).status_code == 422
