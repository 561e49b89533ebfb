"""Scoring extraction against gold data: ACLED rows (notes in, coding out) and CASE 2021 event snippets.

`sitrep eval GOLD` calls `evaluate_acled` or `evaluate_case` and prints what they return.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..datafiles import data_path
from ..distance import haversine_km
from ..errors import Errors, InputError
from ..models import Event, RawDocument
from ..read.actor_data import actor_key
from .gold import case_codes, is_case_held_out, is_held_out, read_case_rows

DATA = data_path("")


@dataclass
class FieldScore:
    """Right answers out of the rows where the field could be scored."""

    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.right += int(ok)
        self.total += 1

    @property
    def value(self) -> float | None:
        return self.right / self.total if self.total else None


@dataclass
class Scores:
    """Per-field scores, the sub-type confusions, the rows got wrong (where the scorer lists them), and counts."""

    fields: dict[str, FieldScore] = field(default_factory=dict)
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    misses: list[dict[str, Any]] = field(default_factory=list)
    rows: int = 0
    seconds: float = 0.0

    def score(self, name: str, ok: bool) -> None:
        self.fields.setdefault(name, FieldScore()).add(ok)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: each field's value, right and total, the top confusions, rows and speed."""
        return {
            "rows": self.rows,
            "seconds": round(self.seconds, 2),
            "rows_per_s": round(self.rows / self.seconds, 1) if self.seconds else None,
            "fields": {
                name: {"value": None if s.value is None else round(s.value, 4), "right": s.right, "total": s.total}
                for name, s in self.fields.items()
            },
            "confusion": [
                {"gold": gold, "predicted": predicted, "count": count}
                for (gold, predicted), count in self.confusion.most_common()
            ],
            "misses": self.misses,
        }


ExtractMany = Callable[[Iterable[RawDocument]], Iterator[Any]]


GoldKind = Literal["acled", "case", "fakes", "police", "event_location", "conll"]


def gold_kind(path: Path) -> GoldKind:
    """Which gold file this is, from its first line: event_location (a JSON record with text, verb and
    locations), cameo_ner (a CoNLL "token TAG" line), CASE 2021 task 2 (a TSV with id, EventSnippet, SubType),
    IndiaPoliceEvents (a TSV without a header), FA-KES (a CSV with article_content) or ACLED (any other CSV)."""
    from .prose import is_conll, is_event_location

    try:
        with path.open(encoding="utf-8", newline="") as handle:
            first = handle.readline()
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(Errors.E003.format(source=path, reason=e)) from e
    if first.startswith("{"):
        if is_event_location(first):
            return "event_location"
        raise InputError(Errors.E003.format(source=path, reason="a JSON line without text, verb and locations"))
    if is_conll(first):
        return "conll"
    if "\t" in first:
        return "case" if first.split("\t")[:2] == ["id", "EventSnippet"] else "police"
    return "fakes" if "article_content" in first.split(",") else "acled"


def read_acled(path: Path, *, split: str = "all", limit: int | None = None) -> list[dict[str, str]]:
    """Gold ACLED rows: all of them, only the held-out fifth, or only the rest.

    Each row gains `events_in_note`: how many rows of the whole file share its notes (ACLED codes a note that
    tells of several events once per event), the number of events its extraction should give.
    """
    if split not in ("all", "held-out", "train"):
        raise InputError(Errors.E017.format(name="split", reason="use all, held-out or train"))
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            every = list(csv.DictReader(handle))
        rows = [r for r in every if split == "all" or is_held_out(r["event_id_cnty"]) == (split == "held-out")]
        per_note = Counter(r["notes"] for r in every)
    except (OSError, KeyError) as e:
        raise InputError(Errors.E003.format(source=path, reason=e)) from e
    rows = rows[:limit] if limit else rows
    for row in rows:
        row["events_in_note"] = str(per_note[row["notes"]])
    return rows


def evaluate_acled(
    rows: list[dict[str, str]], extract_many: ExtractMany, *, on_row: Callable[[], None] | None = None
) -> Scores:
    """Run extraction on each row's notes, published on its event_date, and score the main event.

    Args:
        rows: Gold ACLED rows.
        extract_many: `Pipeline.extract_many`.
        on_row: Called after each row (progress bars).

    Returns:
        Scores for event_type, sub_event_type, actor1, actor2, actors (both gold actors found among the
        predicted, names compared without their parenthesised suffix), actor1_exact and actor2_exact (the
        whole name, suffix and all), location, admin1, distance within 10 and 50 km, geo_precision,
        fatalities, event_date, time_precision, "any event", and `event_count` (as many events as the gold
        rows that share the note, when `read_acled` counted them).
    """
    import time

    scores = Scores()
    raws = (acled_raw(row) for row in rows)
    started = time.perf_counter()
    for row, result in zip(rows, extract_many(raws), strict=True):
        _score_row(scores, row, result.events)
        scores.rows += 1
        if on_row:
            on_row()
    scores.seconds = time.perf_counter() - started
    return scores


def acled_raw(row: dict[str, str]) -> RawDocument:
    """A gold ACLED row's notes as a document published on its event date, as `sitrep eval` extracts them."""
    return RawDocument(
        source=row["event_id_cnty"],
        input_id=row["event_id_cnty"],
        content=row["notes"].encode("utf-8"),
        media_type="text",
        published=dt.date.fromisoformat(row["event_date"]),
    )


def _score_row(scores: Scores, row: dict[str, str], events: list[Event]) -> None:
    scores.score("any_event", bool(events))
    if row.get("events_in_note"):
        scores.score("event_count", len(events) == int(row["events_in_note"]))
    main = events[0] if events else None
    gold_sub = row["sub_event_type"]
    scores.score("event_type", main is not None and main.event_type == row["event_type"])
    scores.score("sub_event_type", main is not None and main.sub_event_type == gold_sub)
    scores.confusion[(gold_sub, main.sub_event_type if main else "(none)")] += 1
    names = [name for e in events for name in (e.actor1, e.actor2, e.assoc_actor_1, e.assoc_actor_2) if name]
    predicted = {actor_key(name) for name in names}
    predicted.discard("")
    gold_actors = [actor_key(row.get(k)) for k in ("actor1", "actor2")]
    for name, gold in zip(("actor1", "actor2"), gold_actors, strict=True):
        if gold:
            scores.score(name, gold in predicted)
    wanted = [g for g in gold_actors if g]
    scores.score("actors", bool(wanted) and all(g in predicted for g in wanted))
    # The same with the suffix: a country-less "Protesters" counts above, not here; nor a wrong period.
    exact = {name.casefold() for name in names}
    for name in ("actor1", "actor2"):
        if row.get(name):
            scores.score(f"{name}_exact", row[name].casefold() in exact)
    scores.score("fatalities", main is not None and main.fatalities == int(row["fatalities"] or 0))
    scores.score("event_date", main is not None and str(main.event_date) == row["event_date"])
    scores.score("time_precision", main is not None and str(main.time_precision) == row["time_precision"])
    scores.score("location", main is not None and (main.location or "").casefold() == row["location"].casefold())
    scores.score("admin1", main is not None and (main.admin1 or "").casefold() == row["admin1"].casefold())
    scores.score("geo_precision", main is not None and str(main.geo_precision) == row["geo_precision"])
    if row["geo_precision"] in ("1", "2"):
        distance = _distance(main, row)
        scores.score("within_10km", distance is not None and distance <= 10)
        scores.score("within_50km", distance is not None and distance <= 50)


def _distance(event: Event | None, row: dict[str, str]) -> float | None:
    if event is None or event.latitude is None or event.longitude is None:
        return None
    try:
        return haversine_km(event.latitude, event.longitude, float(row["latitude"]), float(row["longitude"]))
    except ValueError:
        return None


def read_case(path: Path, *, split: str = "all", limit: int | None = None) -> list[dict[str, str]]:
    """CASE 2021 task 2 rows (id, EventSnippet, SubType): all, the evaluation half the shipped model never
    trained on ("held-out"), or the other half ("train")."""
    if split not in ("all", "held-out", "train"):
        raise InputError(Errors.E017.format(name="split", reason="use all, held-out or train"))
    rows = read_case_rows(path)
    rows = [row for row in rows if split == "all" or is_case_held_out(row["id"]) == (split == "held-out")]
    return rows[:limit] if limit else rows


def evaluate_case(
    rows: list[dict[str, str]], extract_many: ExtractMany, *, on_row: Callable[[], None] | None = None
) -> Scores:
    """Sub-type accuracy on the ACLED types, and the share of non-conflict snippets that give no event."""
    import time

    codes = case_codes()
    scores = Scores()
    raws = (
        RawDocument(
            source=row["id"], input_id=row["id"], content=row["EventSnippet"].encode("utf-8"), media_type="text"
        )
        for row in rows
    )
    started = time.perf_counter()
    for row, result in zip(rows, extract_many(raws), strict=True):
        gold = codes.get(row["SubType"])
        predicted = result.events[0].sub_event_type if result.events else "(none)"
        if gold is None:
            scores.score("no_event_for_non_conflict", not result.events)
        else:
            scores.score("sub_event_type", predicted == gold)
            scores.confusion[(gold, predicted)] += 1
        scores.rows += 1
        if on_row:
            on_row()
    scores.seconds = time.perf_counter() - started
    return scores
