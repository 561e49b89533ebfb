"""Scoring extraction on real prose: whole FA-KES articles and IndiaPoliceEvents sentences.

- FA-KES (`fakes/fakes-dev.csv`): each article is crowd-coded for its main incident. Scored on the main event
  (the first event extracted): its admin1 against the governorate, its actor1 against the perpetrator class, its
  sub-type against the cause of death, and its fatalities against the civilian and non-civilian deaths. The gold
  codes map to ACLED values through `data/training/fakes_codes.yaml`.
- IndiaPoliceEvents (`conflibert/IndiaPoliceEvents_sents/*.tsv`): sentences labelled with what the police did.
  Scored on arrests and killings: a sentence where the police arrested someone should give an Arrests event, and
  no arrest is ever counted as a death.

Each file has a fixed held-out part (`gold.is_article_held_out`): tune on the rest, report on it.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..datafiles import data_path, read_yaml_mapping
from ..errors import DataFileError, Errors, InputError
from ..models import Event, RawDocument
from ..read.actor_data import actor_key
from .evaluate import ExtractMany, Scores
from .gold import is_article_held_out

FAKES_CODES_FILE = data_path("training") / "fakes_codes.yaml"
FAKES_COLUMNS = frozenset({"unit_id", "article_title", "article_content", "date", "location", "actor"})
POLICE_LABELS = ("KILL", "ARREST", "ANY_ACTION", "FAIL", "FORCE")  # the files' column order (see their README)
_MAX_MISSES = 200


@functools.lru_cache(maxsize=1)
def fakes_codes() -> dict[str, dict[str, frozenset[str]]]:
    """`data/training/fakes_codes.yaml`: for each of admin1, perpetrator and cause, gold code -> ACLED values
    (actor names as `actor_key`s, the rest case-folded)."""
    data = read_yaml_mapping(FAKES_CODES_FILE)
    out: dict[str, dict[str, frozenset[str]]] = {}
    for section in ("admin1", "perpetrator", "cause"):
        entries = data.get(section)
        if not isinstance(entries, dict):
            raise DataFileError(
                Errors.E011.format(path=FAKES_CODES_FILE, entry=section, field=section, reason="not a mapping")
            )
        key = actor_key if section == "perpetrator" else str.casefold
        out[section] = {str(code): frozenset(key(str(v)) for v in values or ()) for code, values in entries.items()}
    return out


def _split_rows(rows: list[dict[str, str]], id_field: str, split: str, limit: int | None) -> list[dict[str, str]]:
    if split not in ("all", "held-out", "train"):
        raise InputError(Errors.E017.format(name="split", reason="use all, held-out or train"))
    rows = [r for r in rows if split == "all" or is_article_held_out(r[id_field]) == (split == "held-out")]
    return rows[:limit] if limit else rows


def read_fakes(path: Path, *, split: str = "all", limit: int | None = None) -> list[dict[str, str]]:
    """FA-KES articles: all, the held-out part or the rest ("train", the part to tune on)."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            if not set(reader.fieldnames or ()) >= FAKES_COLUMNS:
                raise InputError(Errors.E003.format(source=path, reason=f"expected columns {sorted(FAKES_COLUMNS)}"))
            rows = list(reader)
    except OSError as e:
        raise InputError(Errors.E003.format(source=path, reason=e)) from e
    return _split_rows(rows, "unit_id", split, limit)


def fakes_date(row: dict[str, str]) -> dt.date | None:
    """An FA-KES article's date (m/d/yy), or none where it is not a date."""
    try:
        return dt.datetime.strptime(row["date"], "%m/%d/%y").date()
    except ValueError:
        return None


def fakes_record(row: dict[str, str]) -> dict[str, str | None]:
    """An FA-KES article as a JSON Lines document for `sitrep extract` or `ingest` (the benchmarks feed these)."""
    published = fakes_date(row)
    return {"id": f"fakes-{row['unit_id']}", "title": row["article_title"], "text": row["article_content"],
            "published": published.isoformat() if published else None}  # fmt: skip


def fakes_raw(row: dict[str, str]) -> RawDocument:
    """An FA-KES article as a user would feed it: its text, title and publication date."""
    published = fakes_date(row)
    return RawDocument(
        source=f"fakes-{row['unit_id']}",
        input_id=row["unit_id"],
        content=row["article_content"].encode("utf-8"),
        media_type="text",
        title=row["article_title"] or None,
        published=published,
    )


def perpetrator_class(event: Event | None) -> str:
    """The FA-KES perpetrator class of a main event's actor1: "unknown" without one, "(other)" for an actor
    of no class."""
    if event is None or not event.actor1:
        return "unknown"
    key = actor_key(event.actor1)
    for code, names in fakes_codes()["perpetrator"].items():
        if key in names:
            return code
    return "(other)"


def evaluate_fakes(
    rows: list[dict[str, str]], extract_many: ExtractMany, *, on_row: Callable[[], None] | None = None
) -> Scores:
    """Score the main event of each article.

    Returns:
        Scores for any_event, admin1, perpetrator, type_fits_cause (articles whose cause is known), deaths (the
        main event's fatalities equal the gold civilian and non-civilian deaths) and deaths_found (the gold toll is
        the fatalities of an event or a "killed" figure of the article), with a miss for each article wrong on a
        field.
    """
    codes = fakes_codes()
    scores = Scores()
    started = time.perf_counter()
    for row, result in zip(rows, extract_many(fakes_raw(r) for r in rows), strict=True):
        main = result.events[0] if result.events else None
        wrong: dict[str, Any] = {}
        score = functools.partial(_check, scores, wrong)
        scores.score("any_event", main is not None)
        admin1 = main.admin1 if main else None
        score("admin1", (admin1 or "").casefold() in codes["admin1"].get(row["location"], ()), admin1, row["location"])
        got_class = perpetrator_class(main)
        score("perpetrator", got_class == row["actor"], main.actor1 if main else None, row["actor"])
        if row["cause_of_death"] in codes["cause"]:
            sub = main.sub_event_type if main else None
            fits = (sub or "").casefold() in codes["cause"][row["cause_of_death"]]
            score("type_fits_cause", fits, sub, row["cause_of_death"])
        deaths = int(row["nb_civilians"] or 0) + int(row["nb_noncivilians"] or 0)
        got_deaths = main.fatalities if main else None
        score("deaths", got_deaths == deaths, got_deaths, deaths)
        stated = {e.fatalities for e in result.events} | {
            f.value for f in [*result.figures, *(f for e in result.events for f in e.figures)] if f.kind == "killed"
        }
        scores.score("deaths_found", deaths in stated)
        if wrong and len(scores.misses) < _MAX_MISSES:
            scores.misses.append({"id": row["unit_id"], "title": row["article_title"], "wrong": wrong})
        scores.rows += 1
        if on_row:
            on_row()
    scores.seconds = time.perf_counter() - started
    return scores


def _check(scores: Scores, wrong: dict[str, Any], name: str, ok: bool, got: Any, want: Any) -> None:
    """Score a field, and note what was got and wanted when it is wrong."""
    scores.score(name, ok)
    if not ok:
        wrong[name] = {"got": got, "want": want}


def read_police(path: Path, *, split: str = "all", limit: int | None = None) -> list[dict[str, str]]:
    """IndiaPoliceEvents sentences (tab-separated, no header: the sentence, then KILL, ARREST, ANY_ACTION, FAIL,
    FORCE as 0/1), each with an `id` (its line number): all, the held-out part or the rest."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            lines = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    except OSError as e:
        raise InputError(Errors.E003.format(source=path, reason=e)) from e
    rows = []
    for number, line in enumerate(lines, start=1):
        if len(line) != 1 + len(POLICE_LABELS) or any(v.strip() not in ("0", "1") for v in line[1:]):
            raise InputError(Errors.E136.format(source=path, line=number))
        row = {"id": f"{path.stem}:{number}", "text": line[0].strip()}
        row.update({label: value.strip() for label, value in zip(POLICE_LABELS, line[1:], strict=True)})
        rows.append(row)
    return _split_rows(rows, "id", split, limit)


def evaluate_police(
    rows: list[dict[str, str]], extract_many: ExtractMany, *, on_row: Callable[[], None] | None = None
) -> Scores:
    """Arrests and killings by the police, sentence by sentence.

    Returns:
        Scores for arrests (of the sentences where police arrested someone, an Arrests event), no_arrest_claimed
        (of those where they did not, no Arrests event), killings (of the sentences where police killed someone,
        an event with deaths) and no_arrest_deaths (of the arrest sentences where no one was killed, no deaths
        counted), with a miss for each sentence wrong on a field.
    """
    scores = Scores()
    raws = (
        RawDocument(source=r["id"], input_id=r["id"], content=r["text"].encode("utf-8"), media_type="text")
        for r in rows
    )
    started = time.perf_counter()
    for row, result in zip(rows, extract_many(raws), strict=True):
        subs = [e.sub_event_type for e in result.events]
        deaths = sum(e.fatalities or 0 for e in result.events)
        wrong: dict[str, Any] = {}
        score = functools.partial(_check, scores, wrong, got={"events": subs, "deaths": deaths}, want=None)
        arrested, killed = row["ARREST"] == "1", row["KILL"] == "1"
        if arrested:
            score("arrests", ok="Arrests" in subs)
            if not killed:
                score("no_arrest_deaths", ok=deaths == 0)
        else:
            score("no_arrest_claimed", ok="Arrests" not in subs)
        if killed:
            score("killings", ok=deaths > 0)
        if wrong and len(scores.misses) < _MAX_MISSES:
            scores.misses.append({"id": row["id"], "title": row["text"][:200], "wrong": wrong})
        scores.rows += 1
        if on_row:
            on_row()
    scores.seconds = time.perf_counter() - started
    return scores
