"""Alerts: rules over the control timeline and the events, each change sent once, to standard output, a file or a
webhook on a real loopback server; and on examples/ (what `make demo` builds), the fall of Hama on 5 December and
the front reaching Homs before Homs falls."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sitrep.control.alerts import Alert, evaluate, load_rules
from sitrep.errors import InputError, SitrepError
from sitrep.models import ControlPeriod, Event, Evidence
from sitrep.run.alerting import AlertSink, AlertWatch
from sitrep.store import Store
from sitrep.store.write import sync_control_periods
from sitrep.views.cli import app

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

DAY = dt.date(2024, 12, 1)
HTS = "Hayat Tahrir al Sham"
MOC = "Military Operations Command"
HAMA = (35.1318, 36.7578)
HOMS = (34.7268, 36.7234)
RASTAN = (34.9267, 36.7324)  # about 22 km north of Homs


def _period(place: str, point: tuple[float, float], actor: str, day: int, *, to: int | None = None) -> ControlPeriod:
    return ControlPeriod(
        place=place,
        latitude=point[0],
        longitude=point[1],
        actor=actor,
        status="assessed",
        valid_from=DAY + dt.timedelta(days=day),
        valid_to=DAY + dt.timedelta(days=to) if to is not None else None,
        event_ids=[f"{place}-{day}"],
    )


def _event(event_id: str, *, fatalities: int = 0, admin1: str = "Hama", sentence: str = "A sentence.") -> Event:
    return Event(
        event_id=event_id,
        event_date=DAY,
        event_type="Battles",
        sub_event_type="Armed clash",
        actor1=MOC,
        admin1=admin1,
        location="Hama",
        fatalities=fatalities,
        evidence=[
            Evidence(text=sentence, start=0, end=len(sentence)),
            Evidence(text="on Monday", start=0, end=9, field="event_date"),
        ],
    )


def _rules(tmp_path: Path, text: str) -> list:  # type: ignore[type-arg]
    path = tmp_path / "rules.yaml"
    path.write_text(text)
    return load_rules(path)


# ---- the rules file ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "expected a non-empty list of rules"),
        ("name: x\nwhen: control_change\n", "expected a non-empty list of rules"),
        ("- name: x\n  when: [\n", "not valid YAML"),
        ("- name: x\n  when: frontline\n", "rule 1 ('x'): 'when' must be one of control_change, front_within"),
        (
            "- name: x\n  when: front_within\n  city: Homs\n  km: -3\n",
            "rule 1 ('x'), km: Input should be greater than 0",
        ),
        ("- name: x\n  when: front_within\n  km: 30\n", "rule 1 ('x'), city: Field required"),
        ("- name: x\n  when: control_change\n  place: Hama\n  acter: HTS\n", "rule 1 ('x'), acter: unknown field"),
        ("- {name: a, when: fatalities_at_least, min: 0}\n", "rule 1 ('a'), min: Input should be greater than"),
        (
            "- {name: a, when: control_change, place: A}\n- {name: a, when: control_change, place: B}\n",
            "'a' is used twice",
        ),
    ],
)
def test_alerts_bad_rules_file_is_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=r"^\[E140\] Alert rules .*rules.yaml: ") as info:
        _rules(tmp_path, text)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_alerts_bad_rules_file_in_the_cli(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text("- name: x\n  when: front_within\n  city: Homs\n")
    result = runner.invoke(app, ["alerts", "test", str(tmp_path / "rules.yaml"), "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1
    assert (
        result.output.strip()
        == f"Error: [E140] Alert rules {tmp_path / 'rules.yaml'}: rule 1 ('x'), km: Field required."
    )


# ---- evaluation ------------------------------------------------------------------------------------------------


def test_alerts_control_change_fires_once_per_change_of_hands(tmp_path: Path) -> None:
    rules = _rules(tmp_path, "- {name: hama, when: control_change, place: hama}\n")
    periods = [
        _period("Hama", HAMA, MOC, 0, to=0),
        _period("Hama", HAMA, HTS, 1, to=3),  # a member of the coalition: the same side, surer now
        _period("Hama", HAMA, "Military Forces of Syria (2000-)", 4),
    ]
    alerts = evaluate(rules, periods, [_event("Hama-0", sentence="Rebels took Hama.")])
    assert [(a.date.day, a.actor) for a in alerts] == [(1, MOC), (5, "Military Forces of Syria (2000-)")]
    assert alerts[0].evidence == ["Rebels took Hama."] and alerts[0].event_ids == ["Hama-0"]
    assert len({a.key for a in alerts}) == 2


def test_alerts_control_change_baseline_holding_is_no_change(tmp_path: Path) -> None:
    rules = _rules(tmp_path, "- {name: hama, when: control_change, place: Hama}\n")
    baseline = _period("Hama", HAMA, "Military Forces of Syria (2000-)", 0, to=3).model_copy(update={"event_ids": []})
    alerts = evaluate(rules, [baseline, _period("Hama", HAMA, MOC, 4)], [])
    assert [(a.date.day, a.actor) for a in alerts] == [(5, MOC)]  # the loaded holder is no news; its loss is


@pytest.mark.parametrize(("actor", "fired"), [("Hayat Tahrir al Sham", 1), ("Syrian Democratic Forces", 0)])
def test_alerts_control_change_actor_counts_coalitions(tmp_path: Path, actor: str, fired: int) -> None:
    rules = _rules(tmp_path, f"- {{name: hama, when: control_change, place: Hama, actor: {actor}}}\n")
    assert len(evaluate(rules, [_period("Hama", HAMA, MOC, 0)], [])) == fired


def test_alerts_front_within_fires_when_a_side_comes_near_and_again_after_it_left(tmp_path: Path) -> None:
    rules = _rules(tmp_path, "- {name: homs, when: front_within, city: Homs, km: 30}\n")
    periods = [
        _period("Homs", HOMS, "Military Forces of Syria (2000-)", 0),  # locates the city; its holder is no front
        _period("Hama", HAMA, MOC, 1),  # 45 km: not yet
        _period("Rastan", RASTAN, MOC, 3, to=4),  # 22 km: within
        _period("Rastan", RASTAN, "Military Forces of Syria (2000-)", 5, to=6),
        _period("Rastan", RASTAN, MOC, 7),  # back again: a new change
    ]
    alerts = [a for a in evaluate(rules, periods, []) if a.actor == MOC]
    assert [a.date.day for a in alerts] == [4, 8]
    assert "Rastan" in alerts[0].detail and "22." in alerts[0].detail


def test_alerts_fatalities_at_least_by_admin1(tmp_path: Path) -> None:
    rules = _rules(tmp_path, "- {name: deadly, when: fatalities_at_least, min: 10, admin1: hama}\n")
    events = [_event("a", fatalities=12), _event("b", fatalities=3), _event("c", fatalities=40, admin1="Idleb")]
    assert [a.event_ids for a in evaluate(rules, [], events)] == [["a"]]


# ---- delivery: file and a webhook on loopback -------------------------------------------------------------------


class _Hook:
    def __init__(self, status: int) -> None:
        self.status = status
        self.bodies: list[dict[str, object]] = []


@pytest.fixture
def hook() -> Iterator[tuple[str, _Hook]]:
    received = _Hook(200)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            assert self.headers["Content-Type"] == "application/json"
            received.bodies.append(json.loads(self.rfile.read(length)))
            self.send_response(received.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/hook", received
    httpd.shutdown()
    httpd.server_close()


def _alert() -> Alert:
    return Alert(
        rule="r",
        when="control_change",
        place="Hama",
        date=DAY,
        actor=MOC,
        event_ids=["e"],
        evidence=["s"],
        detail="d",
        key="k",
    )


def test_alerts_sink_posts_to_a_webhook_and_appends_to_a_file(tmp_path: Path, hook: tuple[str, _Hook]) -> None:
    url, received = hook
    out = tmp_path / "alerts.jsonl"
    sink = AlertSink(file=out, webhook=url)
    sink.send(_alert())
    sink.send(_alert())
    expected = {"rule": "r", "when": "control_change", "place": "Hama", "date": "2024-12-01", "actor": MOC,
                "event_ids": ["e"], "evidence": ["s"], "detail": "d", "latitude": None, "longitude": None}  # fmt: skip
    assert received.bodies == [expected, expected]
    assert [json.loads(line) for line in out.read_text().splitlines()] == [expected, expected]


def test_alerts_webhook_failure_is_one_clear_error(hook: tuple[str, _Hook]) -> None:
    url, received = hook
    received.status = 500
    with pytest.raises(
        SitrepError, match=r"^\[E141\] Cannot deliver an alert to http://127\.0\.0\.1:\d+/hook: HTTP 500"
    ):
        AlertSink(webhook=url).send(_alert())


# ---- on examples/ ------------------------------------------------------------------------------------------------

EXAMPLE_RULES = """\
- name: Hama changes hands
  when: control_change
  place: Hama
- name: HTS near Homs
  when: front_within
  city: Homs
  km: 50
  actor: HTS
- name: Homs changes hands
  when: control_change
  place: Homs
"""


@pytest.mark.model
def test_alerts_on_the_examples_hama_falls_and_the_front_nears_homs_first(
    runner: CliRunner, examples_db: Path, tmp_path: Path, hook: tuple[str, _Hook]
) -> None:
    (tmp_path / "rules.yaml").write_text(EXAMPLE_RULES)
    url, received = hook
    args = ["alerts", "test", str(tmp_path / "rules.yaml"), "--db", str(examples_db), "--format", "jsonl"]
    result = runner.invoke(app, [*args, "--webhook", url])
    assert result.exit_code == 0, result.output
    alerts = [json.loads(line) for line in result.stdout.splitlines()]
    assert received.bodies == alerts  # the webhook got the same lines
    by_rule: dict[str, list[dict[str, object]]] = {}
    for alert in alerts:
        keys = {"rule", "when", "place", "date", "actor", "event_ids", "evidence", "detail", "latitude", "longitude"}
        assert set(alert) == keys
        by_rule.setdefault(str(alert["rule"]), []).append(alert)
    [hama] = by_rule["Hama changes hands"]
    assert hama["date"] == "2024-12-05" and hama["place"] == "Hama" and hama["event_ids"]
    assert abs(float(hama["latitude"]) - 35.13) < 0.1 and abs(float(hama["longitude"]) - 36.75) < 0.1  # type: ignore[arg-type]
    assert any("Hama" in sentence and "Hayat Tahrir al-Sham" in sentence for sentence in hama["evidence"])  # type: ignore[attr-defined]
    [homs_falls] = by_rule["Homs changes hands"]
    front = by_rule["HTS near Homs"]
    assert front and str(front[0]["date"]) < str(homs_falls["date"])  # warned before Homs fell
    assert front[0]["evidence"]


@pytest.mark.model
def test_alerts_watch_sends_each_change_once_across_runs(runner: CliRunner, tmp_path: Path) -> None:
    feeds = tmp_path / "feeds.txt"
    files = sorted(p for p in EXAMPLES.rglob("*") if p.is_file() and p.suffix in (".txt", ".html", ".rss", ".jsonl"))
    for path in files:
        shutil.copy(path, tmp_path / path.name)
    feeds.write_text("\n".join(path.name for path in files) + "\n")
    (tmp_path / "rules.yaml").write_text(EXAMPLE_RULES)
    out = tmp_path / "alerts.jsonl"
    args = ["watch", str(feeds), "--db", str(tmp_path / "w.db"), "--once", "--alerts", str(tmp_path / "rules.yaml")]
    first = runner.invoke(app, [*args, "--create", "--alerts-out", str(out)])
    assert first.exit_code == 0, first.output
    sent = [json.loads(line) for line in out.read_text().splitlines()]
    assert ("Hama changes hands", "2024-12-05") in {(a["rule"], a["date"]) for a in sent}
    assert "alerts sent" in first.stdout
    # A second watch over the same database, with a source that changed: nothing already sent is sent again.
    (tmp_path / files[0].name).write_text(files[0].read_text() + "\nA resident said the streets were quiet.\n")
    again = runner.invoke(app, [*args, "--alerts-out", str(out)])
    assert again.exit_code == 0, again.output
    assert [json.loads(line) for line in out.read_text().splitlines()] == sent


def test_alerts_watch_state_sends_once_and_retries_a_failed_delivery(
    store: Store, tmp_path: Path, hook: tuple[str, _Hook]
) -> None:
    rules_path = tmp_path / "rules.yaml"
    rules_path.write_text("- {name: hama, when: control_change, place: Hama}\n")
    rules = load_rules(rules_path)
    with store.begin() as conn:
        sync_control_periods(conn, [_period("Hama", HAMA, MOC, 0)])
    url, received = hook
    received.status = 503
    watch = AlertWatch(rules_path, rules, AlertSink(webhook=url))
    assert watch.check(store) == []  # not delivered: not remembered
    received.status = 200
    assert [a.place for a in watch.check(store)] == ["Hama"]
    assert AlertWatch(rules_path, rules, AlertSink(webhook=url)).check(store) == []  # a restarted watch
    with store.begin() as conn:
        sync_control_periods(
            conn, [_period("Hama", HAMA, MOC, 0, to=2), _period("Hama", HAMA, "Military Forces of Syria (2000-)", 3)]
        )
    assert [a.date.day for a in watch.check(store)] == [4]  # only the new change
    assert [body["date"] for body in received.bodies] == ["2024-12-01", "2024-12-01", "2024-12-04"]
