"""Fusion: reports of one event become one event; separate events stay apart; ids do not depend on order."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest

from sitrep.fuse.clusters import neighbourhood
from sitrep.fuse.fusion import fuse_reports
from sitrep.fuse.sides import default_sides
from sitrep.models import Event, Evidence, Figure, Report
from sitrep.settings import Settings

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
DAY = dt.date(2024, 12, 2)
# Gazetteer facts (GeoNames ids and coordinates), not text.
IDLIB = {"location": "Idlib", "geonameid": 169389, "latitude": 35.93, "longitude": 36.63, "admin1": "Idleb"}
SARMADA = {"location": "Sarmada", "geonameid": None, "latitude": 36.18, "longitude": 36.72, "admin1": "Idleb"}
ATARIB = {"location": "Atarib", "geonameid": 174030, "latitude": 36.14, "longitude": 36.83, "admin1": "Aleppo"}
HAMA = {"location": "Hama", "geonameid": 170017, "latitude": 35.13, "longitude": 36.76, "admin1": "Hama"}
OUTLETS: dict[str, str | None] = {"doc-a": "Outlet A", "doc-b": "Outlet B", "doc-c": "Outlet C"}


def _report(report_id: str, document_id: str, place: dict[str, Any], **fields: Any) -> Report:
    values: dict[str, Any] = {
        "report_id": f"{document_id}:{report_id}",
        "document_id": document_id,
        "sentence_start": 100 * int(report_id),  # each report its own sentence
        "sentence_end": 100 * int(report_id) + 10,
        "sentence": "A sentence written for this test.",
        "event_date": DAY,
        "time_precision": 1,
        "event_type": "Explosions/Remote violence",
        "sub_event_type": "Air/drone strike",
        "actor1": "Military Forces of Syria (2000-)",
        "actor2": "Civilians (Syria)",
        "geo_precision": 1,
        "country": "Syria",
        **place,
    }
    values.update(fields)
    return Report.model_validate(values)


def _fuse(reports: list[Report], settings: Settings | None = None) -> list[Event]:
    return fuse_reports(reports, settings=settings or Settings(), outlets=OUTLETS)


def test_fuse_one_strike_from_two_outlets_is_one_event() -> None:
    events = _fuse([_report("1", "doc-a", IDLIB), _report("1", "doc-b", IDLIB, geo_precision=2)])
    assert len(events) == 1
    assert events[0].n_sources == 2
    assert sorted(s.outlet or "" for s in events[0].sources) == ["Outlet A", "Outlet B"]
    assert events[0].geo_precision == 1


def test_fuse_a_strike_that_names_no_perpetrator_takes_the_attacks() -> None:
    """Two outlets tell one strike on civilians, one as an air strike without its perpetrator, the other as the
    army's attack: the event is the air strike, by the army."""
    strike = _report("1", "doc-a", IDLIB, actor1=None)
    attack = _report("1", "doc-b", IDLIB, event_type="Violence against civilians", sub_event_type="Attack")
    (event,) = _fuse([strike, attack])
    assert (event.sub_event_type, event.actor1) == ("Air/drone strike", "Military Forces of Syria (2000-)")


def test_fuse_two_strikes_in_two_towns_stay_two() -> None:
    events = _fuse([_report("1", "doc-a", IDLIB), _report("2", "doc-a", ATARIB), _report("1", "doc-b", SARMADA)])
    assert sorted(e.location or "" for e in events) == ["Atarib", "Idlib", "Sarmada"]


@pytest.mark.parametrize(("other", "events"), [(SARMADA, 1), ({**SARMADA, "latitude": 36.3}, 2)])
def test_fuse_a_place_without_geonames_id_is_one_place_at_one_point(other: dict[str, Any], events: int) -> None:
    """A learned or added place has no GeoNames id: its name and point make it one place."""
    assert len(_fuse([_report("1", "doc-a", SARMADA), _report("1", "doc-b", other, actor1=None)])) == events


@pytest.mark.parametrize("days_apart", [2, 5])
def test_fuse_strikes_days_apart_stay_apart(days_apart: int) -> None:
    later = DAY + dt.timedelta(days=days_apart)
    assert len(_fuse([_report("1", "doc-a", IDLIB), _report("1", "doc-b", IDLIB, event_date=later)])) == 2


def test_fuse_disagreeing_figures_kept_side_by_side() -> None:
    eleven = Figure(kind="killed", value=11, low=11, high=11, claimant="White Helmets")
    eight = Figure(kind="killed", value=8, low=8, high=8, claimant="Syrian Observatory for Human Rights")
    events = _fuse(
        [
            _report("1", "doc-a", IDLIB, fatalities=11, fatalities_low=11, fatalities_high=11, figures=[eleven]),
            _report("1", "doc-b", IDLIB, fatalities=8, fatalities_low=8, fatalities_high=8, figures=[eight]),
        ]
    )
    assert len(events) == 1
    event = events[0]
    assert sorted((f.value, f.claimant) for f in event.figures) == [
        (8, "Syrian Observatory for Human Rights"),
        (11, "White Helmets"),
    ]
    assert (event.fatalities_low, event.fatalities, event.fatalities_high) == (8, 8, 11)


def test_fuse_deaths_without_a_number_yield_to_a_count() -> None:
    """ "killing women and children" is ACLED's 3 for an unknown count, not a lower figure than another's 30."""
    counted = _report("1", "doc-a", IDLIB, fatalities=30, fatalities_low=30, fatalities_high=30)
    unknown = {"fatalities": 3, "fatalities_low": 1, "fatalities_high": 3, "fatalities_unknown": True}
    [event] = _fuse([counted, _report("2", "doc-a", IDLIB, **unknown), _report("1", "doc-b", IDLIB, **unknown)])
    assert event.fatalities == 30
    [alone] = _fuse([_report("2", "doc-a", IDLIB, **unknown)])
    assert alone.fatalities == 3


def test_fuse_a_document_counts_its_dead_as_it_first_tells_them() -> None:
    """One outlet's lede counts the day's dead, a later sentence a part of them; another outlet counts fewer."""

    def told(report_id: str, document_id: str, dead: int) -> Report:
        return _report(report_id, document_id, IDLIB, fatalities=dead, fatalities_low=dead, fatalities_high=dead)

    [event] = _fuse([told("1", "doc-a", 100), told("2", "doc-a", 4), told("1", "doc-b", 60)])
    assert event.fatalities == 60
    [event] = _fuse([told("1", "doc-a", 100), told("2", "doc-a", 4)])
    assert event.fatalities == 100


@pytest.mark.parametrize(
    ("rule", "best"), [("sitrep.fatalities.lowest_stated.v1", 8), ("sitrep.fatalities.median_stated.v1", 11)]
)
def test_fuse_fatality_rule_is_the_setting(rule: str, best: int) -> None:
    figures = (8, 11, 30)
    reports = [_report("1", f"doc-{n}", IDLIB, fatalities=n, fatalities_low=n, fatalities_high=n) for n in figures]
    [event] = _fuse(reports, Settings(fatality_rule=rule))
    assert (event.fatalities_low, event.fatalities, event.fatalities_high) == (8, best, 30)


@pytest.mark.parametrize(("strike_precision", "events"), [(2, 1), (3, 2)])
def test_fuse_strike_joins_a_battle_only_where_it_is_placed(strike_precision: int, events: int) -> None:
    sides = {"actor1": "Military Forces of Syria (2000-)", "actor2": "Hayat Tahrir al Sham"}
    clash = _report("1", "doc-a", HAMA, event_type="Battles", sub_event_type="Armed clash", geo_precision=2, **sides)
    strike = _report("1", "doc-b", HAMA, geo_precision=strike_precision, **sides)  # "on Hama province" is 3
    assert len(_fuse([clash, strike])) == events


@pytest.mark.parametrize(
    ("targets", "days_apart", "events"),
    [
        (("Civilians (Syria)", "Hayat Tahrir al Sham"), 0, 2),  # a residential area and fighters' positions
        (("Civilians (Syria)", None), 0, 1),  # one report does not say whom it hit: the same strike
        (("Civilians (Syria)", None), 1, 2),  # but a day apart it is not known to be
        (("Civilians (Syria)", "Civilians (Syria)"), 1, 1),
    ],
)
def test_fuse_strikes_on_civilians_and_on_fighters_stay_apart(
    targets: tuple[str | None, str | None], days_apart: int, events: int
) -> None:
    first = _report("1", "doc-a", IDLIB, actor2=targets[0])
    second = _report("1", "doc-b", IDLIB, actor2=targets[1], event_date=DAY + dt.timedelta(days=days_apart))
    assert len(_fuse([first, second])) == events


def test_fuse_swapped_actors_are_one_battle() -> None:
    clash = {"event_type": "Battles", "sub_event_type": "Armed clash"}
    events = _fuse(
        [
            _report(
                "1", "doc-a", HAMA, **clash, actor1="Hayat Tahrir al Sham", actor2="Military Forces of Syria (2000-)"
            ),
            _report(
                "1", "doc-b", HAMA, **clash, actor1="Military Forces of Syria (2000-)", actor2="Hayat Tahrir al Sham"
            ),
        ]
    )
    assert len(events) == 1


def test_fuse_strike_in_battle_merges_and_takeover_names_event() -> None:
    battle = {"event_type": "Battles", "actor1": "Hayat Tahrir al Sham", "actor2": "Military Forces of Syria (2000-)"}
    events = _fuse(
        [
            _report("1", "doc-a", HAMA, **battle, sub_event_type="Armed clash"),
            _report("2", "doc-a", HAMA, actor2="Hayat Tahrir al Sham"),
            _report("1", "doc-b", HAMA, **battle, sub_event_type="Non-state actor overtakes territory"),
        ]
    )
    assert [(e.sub_event_type, len(e.report_ids)) for e in events] == [("Non-state actor overtakes territory", 3)]


def test_fuse_fighting_before_takeover_stays_armed_clash() -> None:
    battle = {"event_type": "Battles", "actor1": "Hayat Tahrir al Sham", "actor2": "Military Forces of Syria (2000-)"}
    events = _fuse(
        [
            _report("1", "doc-a", HAMA, **battle, sub_event_type="Armed clash", event_date=DAY - dt.timedelta(days=1)),
            _report("1", "doc-b", HAMA, **battle, sub_event_type="Non-state actor overtakes territory"),
        ]
    )
    assert sorted(e.sub_event_type for e in events) == ["Armed clash", "Non-state actor overtakes territory"]


@pytest.mark.parametrize(
    ("first_stated", "second_stated", "events"),
    [(True, True, 2), (False, True, 2), (True, False, 1), (False, False, 1)],
)
def test_fuse_takeover_on_a_later_named_day_is_another(first_stated: bool, second_stated: bool, events: int) -> None:
    takeover = {
        "event_type": "Battles",
        "sub_event_type": "Non-state actor overtakes territory",
        "actor1": "Hayat Tahrir al Sham",
        "actor2": "Military Forces of Syria (2000-)",
    }

    def day_words(stated: bool) -> list[Evidence]:
        return [Evidence(text="on Friday", start=40, end=49, field="event_date")] if stated else []

    reports = [
        _report(
            "1", "doc-a", HAMA, **takeover, evidence=day_words(first_stated), event_date=DAY - dt.timedelta(days=1)
        ),
        _report("1", "doc-b", HAMA, **takeover, evidence=day_words(second_stated)),
    ]
    assert len(_fuse(reports)) == events


def test_fuse_strike_on_civilians_stays_out_of_battle() -> None:
    battle = {"event_type": "Battles", "actor1": "Hayat Tahrir al Sham", "actor2": "Military Forces of Syria (2000-)"}
    events = _fuse([_report("1", "doc-a", HAMA, **battle, sub_event_type="Armed clash"), _report("2", "doc-b", HAMA)])
    assert len(events) == 2


def test_fuse_region_report_joins_only_a_single_fit() -> None:
    province = {"location": "Idleb", "geonameid": None, "latitude": None, "longitude": None, "admin1": "Idleb"}
    vague = _report("9", "doc-c", province, geo_precision=3)
    alone = _fuse([_report("1", "doc-a", IDLIB), vague])
    assert len(alone) == 1 and alone[0].n_sources == 2 and alone[0].location == "Idlib"
    two = _fuse([_report("1", "doc-a", IDLIB), _report("2", "doc-b", SARMADA), vague])
    assert len(two) == 3


def test_fuse_reordered_input_gives_identical_events() -> None:
    reports = [
        _report("1", "doc-a", IDLIB),
        _report("1", "doc-b", IDLIB, geo_precision=2),
        _report("2", "doc-a", SARMADA),
        _report("3", "doc-a", ATARIB, event_date=DAY - dt.timedelta(days=1)),
        _report("2", "doc-b", HAMA, event_type="Battles", sub_event_type="Armed clash", actor2="Hayat Tahrir al Sham"),
    ]
    expected = sorted(e.model_dump_json() for e in _fuse(reports))
    for seed in range(5):
        shuffled = reports[:]
        random.Random(seed).shuffle(shuffled)
        assert sorted(e.model_dump_json() for e in _fuse(shuffled)) == expected


def test_fuse_event_id_survives_a_new_report() -> None:
    first = _fuse([_report("5", "doc-b", IDLIB)])
    second = _fuse([_report("5", "doc-b", IDLIB), _report("1", "doc-a", IDLIB)])
    assert [e.event_id for e in first] == [e.event_id for e in second]


@pytest.mark.model
def test_fuse_examples_idlib_pair_is_one_event_with_both_figures(tmp_path: Path) -> None:
    from sitrep.run.pipeline import Pipeline
    from sitrep.store import open_store
    from sitrep.store import queries as q

    store = open_store(str(tmp_path / "f.db"))
    Pipeline(Settings()).ingest([str(EXAMPLES)], store)
    with store.connect() as conn:
        strikes = [
            e
            for e in q.iter_events(conn)
            if e.location == "Idlib" and e.event_date == DAY and e.sub_event_type == "Air/drone strike"
        ]
    killed = {(f.value, f.claimant) for e in strikes for f in e.figures if f.kind == "killed"}
    assert len(strikes) == 1
    assert strikes[0].n_sources == 2
    assert {value for value, _ in killed} == {8, 11}
    assert strikes[0].fatalities == 8


def test_fuse_keeps_apart_two_events_split_from_one_sentence() -> None:
    battle = {"event_type": "Battles", "actor1": "Hayat Tahrir al Sham", "actor2": "Military Forces of Syria (2000-)"}
    clash = _report("1", "doc-a", HAMA, **battle, sub_event_type="Armed clash")
    takeover = clash.model_copy(
        update={"report_id": "doc-a:1b", "sub_event_type": "Non-state actor overtakes territory"}
    )
    headline = _report("2", "doc-a", HAMA, **battle, sub_event_type="Non-state actor overtakes territory")
    events = _fuse([clash, takeover, headline])
    assert sorted((e.sub_event_type, len(e.report_ids)) for e in events) == [
        ("Armed clash", 1),
        ("Non-state actor overtakes territory", 2),
    ]


def test_fuse_a_bomb_that_killed_civilians_is_an_explosion_not_an_attack() -> None:
    bomb = {"event_type": "Explosions/Remote violence", "sub_event_type": "Remote explosive/landmine/IED"}
    attack = {"event_type": "Violence against civilians", "sub_event_type": "Attack"}
    for first, second in ((bomb, attack), (attack, bomb)):
        reports = [
            _report("1", "doc-a", IDLIB, actor1=None, **first),
            _report("2", "doc-a", IDLIB, actor1=None, **second),
        ]
        assert [e.sub_event_type for e in _fuse(reports)] == ["Remote explosive/landmine/IED"]


@pytest.mark.parametrize(("document", "events"), [("doc-a", 1), ("doc-b", 2)])
def test_fuse_one_document_telling_an_event_twice_with_other_sides_is_one_event(document: str, events: int) -> None:
    """Within one document the same sub-type, place and day is the same event, whoever each sentence names;
    across documents the sides must still fit."""
    riot = {"event_type": "Riots", "sub_event_type": "Violent demonstration", "actor1": "Rioters (Syria)"}
    first = _report("1", "doc-a", IDLIB, **riot, actor2="Police Forces of Syria (2000-)")
    second = _report("2", document, IDLIB, **riot, actor2="Protesters (Syria)")
    assert len(_fuse([first, second])) == events


def test_fuse_one_documents_protest_told_twice_is_one_whoever_its_target() -> None:
    """Whom a protest targeted does not tell two protests apart, as it tells strikes apart."""
    protest = {"event_type": "Protests", "sub_event_type": "Protest with intervention", "actor1": "Protesters (Syria)"}
    first = _report("1", "doc-a", IDLIB, **protest, actor2="Police Forces of Syria (2000-)")
    second = _report("2", "doc-a", IDLIB, **protest, actor2="Civilians (Syria)")
    assert len(_fuse([first, second])) == 1


# ---- scale: many reports of one place and day ------------------------------------------------------------------


def test_fuse_many_alike_reports_are_one_event_with_all_sources() -> None:
    # 3,000 strikes on civilians in Idlib told alike by 600 outlets, and 600 clashes at Hama: two events, at once.
    reports = [_report(str(n % 5), f"doc-{n // 5}", IDLIB) for n in range(3000)]
    reports += [_report(str(n % 5), f"hama-{n // 5}", HAMA, event_type="Battles", sub_event_type="Armed clash",
                        actor2="Hayat Tahrir al Sham") for n in range(600)]  # fmt: skip
    events = _fuse(reports)
    assert sorted(len(e.report_ids) for e in events) == [600, 3000]
    assert sorted(e.n_sources for e in events) == [120, 600]


def test_fuse_over_the_cap_warns_and_still_ends(caplog: pytest.LogCaptureFixture) -> None:
    # Distinct unknown sides at one town and day: more classes than the cap allows comparing.
    reports = [_report("1", f"doc-{n}", IDLIB, actor1=f"Brigade {n}", actor2=f"Battalion {n}") for n in range(60)]
    events = _fuse(reports, Settings(fusion_max_candidates=5))
    assert "[W004]" in caplog.text
    assert 1 <= len(events) <= 60
    assert sorted(r for e in events for r in e.report_ids) == sorted(r.report_id for r in reports)


def test_fuse_the_same_reports_in_any_order_give_the_same_events() -> None:
    reports = [
        _report(str(n % 5), f"doc-{n // 5}", IDLIB if n % 3 else HAMA, actor2=None if n % 7 else "Civilians (Syria)")
        for n in range(200)
    ]
    first = [e.model_dump() for e in _fuse(reports)]
    shuffled = list(reports)
    random.Random(3).shuffle(shuffled)
    assert sorted(first, key=lambda e: e["event_id"]) == sorted(
        (e.model_dump() for e in _fuse(shuffled)), key=lambda e: e["event_id"]
    )


# ---- a neighbourhood fused alone (an API ingest fuses only the part of its block its reports may join) ----------

# More places of Idleb for the neighbourhood tests (points of this test's own; one far from the others).
BINNISH = {"location": "Binnish", "geonameid": None, "latitude": 35.96, "longitude": 36.71, "admin1": "Idleb"}
ARIHA = {"location": "Ariha", "geonameid": None, "latitude": 35.81, "longitude": 36.61, "admin1": "Idleb"}
FAR = {"location": "Far Village", "geonameid": None, "latitude": 36.60, "longitude": 35.90, "admin1": "Idleb"}
REGION = {"location": None, "geonameid": None, "latitude": None, "longitude": None, "admin1": "Idleb"}
KINDS = [
    {"event_type": "Explosions/Remote violence", "sub_event_type": "Air/drone strike", "actor2": "Civilians (Syria)"},
    {"event_type": "Explosions/Remote violence", "sub_event_type": "Shelling/artillery/missile attack",
     "actor2": None},
    {"event_type": "Battles", "sub_event_type": "Armed clash", "actor2": "Hayat Tahrir al Sham"},
    {"event_type": "Battles", "sub_event_type": "Non-state actor overtakes territory",
     "actor1": "Hayat Tahrir al Sham", "actor2": "Military Forces of Syria (2000-)"},
]  # fmt: skip


def _block_reports(seed: int, *, places: list[dict[str, Any]]) -> list[Report]:
    """Reports of one block: random places, kinds, precisions, days and documents (several a document)."""
    rng = random.Random(seed)
    return [
        _report(str(n % 4), f"doc-{n // 4}", rng.choice(places), **rng.choice(KINDS),
                geo_precision=rng.choice([1, 1, 2]), event_date=DAY + dt.timedelta(days=rng.choice([0, 0, 1])))
        for n in range(80)
    ]  # fmt: skip


def _by_id(events: list[Event]) -> dict[str, dict[str, Any]]:
    return {e.event_id: e.model_dump() for e in events}


@pytest.mark.parametrize("seed", range(6))
def test_fuse_a_neighbourhood_alone_gives_its_events_of_the_whole_block(seed: int) -> None:
    reports = _block_reports(seed, places=[IDLIB, SARMADA, BINNISH, ARIHA, FAR, REGION])
    for report in reports:  # a region-only report has no precision of a place
        if report.latitude is None:
            report.geo_precision = 3
    whole = _fuse(reports)
    seeds = {reports[random.Random(seed).randrange(len(reports))].report_id}
    part = neighbourhood(reports, seeds, settings=Settings(), sides=default_sides())
    kept = {r.report_id for r in part}
    expected = [e for e in whole if kept & set(e.report_ids)]
    assert all(set(e.report_ids) <= kept for e in expected)  # every event of the part is whole in it
    assert _by_id(_fuse(part)) == _by_id(expected)


def test_fuse_a_neighbourhood_leaves_out_a_far_town_of_the_block() -> None:
    reports = _block_reports(1, places=[IDLIB, BINNISH, FAR])
    far = {r.report_id for r in reports if r.location == "Far Village"}
    seed = next(r.report_id for r in reports if r.location == "Idlib")
    kept = {r.report_id for r in neighbourhood(reports, {seed}, settings=Settings(), sides=default_sides())}
    assert far and not kept & far
    assert seed in kept and len(kept) < len(reports) - len(far) + 1
