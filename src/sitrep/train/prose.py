"""Scoring extraction on single news sentences marked by hand: where the event happened, and who did it to whom.

- event_location (`event_location/event_location.jsonl`, Halterman 2019): one sentence a record, with one event
  verb marked and the spans that say where that event happened (none when the sentence does not say). Each
  sentence is extracted as an undated document of its own. The event scored is the one whose place mention lies
  nearest the marked verb (a sentence with two marked verbs is two records, each about its own event), else the
  first. Its place mention is the words the report says placed it (the `location` evidence); it is a gold span
  when the two share at least one character: the gold spans sometimes hold a preposition or a descriptor ("in
  Jerusalem", "Ministry of Justice") that no place mention does.
- cameo_ner (`conflibert/cameo_ner_train.txt`, CoNLL BIO tags: S source, T target, R reciprocal): the tokens are
  joined into a sentence (no space before closing punctuation and clitics) and extracted as an undated document.
  The main event's actor1 mention (its `actor1` evidence) is the predicted source and its actor2 mention the
  predicted target, each aligned to the gold tokens its characters overlap. A predicted span matches a gold span
  of its role when they share a token (`source_f1`, `target_f1`: a mention is the actor's name, "troops", while a
  gold span is the whole noun phrase, "Iraqi troops in Mosul"), or when their tokens are the same
  (`source_exact_f1`, seqeval's rule). Sentences with reciprocal spans (meetings, agreements: no source or
  target) are scored apart as `reciprocal_f1`, either actor matching an R span.

F1 rows hold twice the matched spans as `right` and the predicted plus gold spans as `total`, so that right/total
is F1. Each file has a fixed held-out half, keyed on the sentence text so that a sentence repeated in the file
falls on one side (`gold.is_article_held_out`): tune on the rest, report on it.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Errors, InputError
from ..models import Event, RawDocument
from .evaluate import ExtractMany, FieldScore, Scores
from .gold import is_article_held_out

_MAX_MISSES = 200
_SPLITS = ("all", "held-out", "train")
# CoNLL tokens written without a space before them, and after them.
_NO_SPACE_BEFORE = re.compile(r"^(?:[.,;:!?%)\]}]|'s|'|n't|'re|'ve|'ll|'d|'m)$", re.IGNORECASE)
_NO_SPACE_AFTER = frozenset({"(", "[", "{", "$"})
_TAG = re.compile(r"^(?:O|[BI]-[A-Z]+)$")
_ROLES = {"S": "source", "T": "target", "R": "reciprocal"}


def _check_split(split: str) -> None:
    if split not in _SPLITS:
        raise InputError(Errors.E017.format(name="split", reason="use all, held-out or train"))


def _held_out(text: str, split: str) -> bool:
    return split == "all" or is_article_held_out("sentence:" + text) == (split == "held-out")


# -- event_location ------------------------------------------------------------------------------------------


def is_event_location(first_line: str) -> bool:
    """Whether a file's first line is an event_location record (JSON with `text`, `verb` and `locations`)."""
    try:
        record = json.loads(first_line)
    except json.JSONDecodeError:
        return False
    return isinstance(record, dict) and {"text", "verb", "locations"} <= set(record)


def read_event_location(path: Path, *, split: str = "all", limit: int | None = None) -> list[dict[str, Any]]:
    """event_location records (JSON Lines: `id`, `text`, `verb` and `locations` with character offsets): all,
    the held-out half or the rest.

    Raises:
        InputError: An unreadable file, a line that is not such a record, or a span outside its sentence.
    """
    _check_split(split)
    rows: list[dict[str, Any]] = []
    try:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                    text = str(record["text"])
                    spans = [(int(s["start"]), int(s["end"])) for s in [record["verb"], *record["locations"]]]
                except (json.JSONDecodeError, KeyError, TypeError, ValueError) as e:
                    raise InputError(
                        Errors.E150.format(source=path, line=number, kind="event_location", reason=e)
                    ) from e
                if any(not 0 <= a < b <= len(text) for a, b in spans):
                    raise InputError(
                        Errors.E150.format(
                            source=path, line=number, kind="event_location", reason="a span outside the text"
                        )
                    )
                if _held_out(text, split):
                    rows.append({**record, "id": f"{record.get('id', '')}:{number}"})
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(Errors.E003.format(source=path, reason=e)) from e
    return rows[:limit] if limit else rows


def place_mention(event: Event) -> tuple[int, int, str] | None:
    """The words that placed an event: its first `location` evidence, as (start, end, text)."""
    found = next((e for e in event.evidence if e.field == "location"), None)
    return None if found is None else (found.start, found.end, found.text)


def _event_for_verb(events: Sequence[Event], verb: dict[str, Any]) -> Event | None:
    """The event whose place mention is nearest the marked verb; the first when none has one."""
    placed = [(e, m) for e in events if (m := place_mention(e)) is not None]
    if not placed:
        return events[0] if events else None
    middle = (int(verb["start"]) + int(verb["end"])) / 2
    return min(placed, key=lambda em: abs((em[1][0] + em[1][1]) / 2 - middle))[0]


def evaluate_event_location(
    rows: list[dict[str, Any]], extract_many: ExtractMany, *, on_row: Callable[[], None] | None = None
) -> Scores:
    """Score the place of each sentence's marked event.

    Returns:
        Scores for `event` (of the sentences whose gold names the event's place, those that give an event),
        `place_is_gold` (of those that give one, the event's place mention is a gold span), `place_is_gold_all`
        (the same over every sentence whose gold names a place; no event is wrong) and `no_place_when_none` (of
        the sentences whose gold names no place, those whose event, if any, is placed by no words of the
        sentence), with a miss for each sentence wrong on a field.
    """
    scores = Scores()
    raws = (RawDocument(source=r["id"], input_id=r["id"], content=r["text"].encode("utf-8"), media_type="text")
            for r in rows)  # fmt: skip
    started = time.perf_counter()
    for row, result in zip(rows, extract_many(raws), strict=True):
        event = _event_for_verb(result.events, row["verb"])
        mention = place_mention(event) if event is not None else None
        gold = [(int(s["start"]), int(s["end"])) for s in row["locations"]]
        wrong: dict[str, Any] = {}
        if gold:
            scores.score("event", event is not None)
            right = mention is not None and any(mention[0] < end and start < mention[1] for start, end in gold)
            if event is not None:
                scores.score("place_is_gold", right)
            scores.score("place_is_gold_all", right)
            if not right:
                got = mention[2] if mention else (event.location if event else "(no event)")
                wrong["place"] = {"got": got, "want": [s["text"] for s in row["locations"]]}
        else:
            scores.score("no_place_when_none", mention is None)
            if mention is not None:
                wrong["place"] = {"got": mention[2], "want": None}
        if wrong and len(scores.misses) < _MAX_MISSES:
            verb = row["verb"]["text"]
            scores.misses.append({"id": row["id"], "title": f"[{verb}] {row['text']}", "wrong": wrong})
        scores.rows += 1
        if on_row:
            on_row()
    scores.seconds = time.perf_counter() - started
    return scores


# -- cameo_ner -----------------------------------------------------------------------------------------------


def is_conll(first_line: str) -> bool:
    """Whether a file's first line is a CoNLL "token TAG" pair with a BIO tag."""
    parts = first_line.split()
    return len(parts) == 2 and _TAG.match(parts[1]) is not None


@dataclass(frozen=True)
class TaggedSentence:
    """A CoNLL sentence joined into text: each token's character offsets, and the gold spans per role (token
    ranges, end exclusive)."""

    id: str
    text: str
    offsets: tuple[tuple[int, int], ...]
    spans: dict[str, frozenset[tuple[int, int]]]

    def tokens_of(self, start: int, end: int) -> tuple[int, int] | None:
        """The tokens a character range overlaps, as a token range; none when it overlaps none."""
        hit = [i for i, (a, b) in enumerate(self.offsets) if a < end and start < b]
        return (hit[0], hit[-1] + 1) if hit else None


def tagged_sentence(sentence_id: str, pairs: Sequence[tuple[str, str]]) -> TaggedSentence:
    """Join a CoNLL sentence's tokens into text and read its BIO spans (an `I-` after another role opens a span).

    Args:
        sentence_id: The sentence's id.
        pairs: (token, tag) pairs.
    """
    text, offsets = "", []
    for i, (token, _tag) in enumerate(pairs):
        glue = i > 0 and not _NO_SPACE_BEFORE.match(token) and pairs[i - 1][0] not in _NO_SPACE_AFTER
        text += " " if glue else ""
        offsets.append((len(text), len(text) + len(token)))
        text += token
    spans: dict[str, set[tuple[int, int]]] = {role: set() for role in _ROLES}
    open_role, open_start = None, 0
    for i, (_token, tag) in enumerate([*pairs, ("", "O")]):
        role = tag[2:] if tag != "O" else None
        if open_role is not None and (role != open_role or tag.startswith("B-")):
            spans.setdefault(open_role, set()).add((open_start, i))
            open_role = None
        if role is not None and open_role is None:
            open_role, open_start = role, i
    return TaggedSentence(sentence_id, text, tuple(offsets), {k: frozenset(v) for k, v in spans.items()})


def read_conll(path: Path, *, split: str = "all", limit: int | None = None) -> list[TaggedSentence]:
    """CoNLL sentences ("token TAG" lines, a blank line between sentences): all, the held-out half or the rest.

    Raises:
        InputError: An unreadable file, or a line that is not a token and a BIO tag.
    """
    _check_split(split)
    sentences: list[TaggedSentence] = []
    pairs: list[tuple[str, str]] = []
    start_line = 1
    try:
        with path.open(encoding="utf-8") as handle:
            lines = [*handle, ""]
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(Errors.E003.format(source=path, reason=e)) from e
    for number, line in enumerate(lines, start=1):
        parts = line.split()
        if not parts:
            if pairs:
                sentence = tagged_sentence(f"{path.stem}:{start_line}", pairs)
                if _held_out(sentence.text, split):
                    sentences.append(sentence)
            pairs, start_line = [], number + 1
            continue
        if len(parts) != 2 or not _TAG.match(parts[1]):
            raise InputError(
                Errors.E150.format(source=path, line=number, kind="CoNLL", reason="expected a token and a BIO tag")
            )
        pairs.append((parts[0], parts[1]))
    return sentences[:limit] if limit else sentences


def _actor_span(event: Event | None, field: str, sentence: TaggedSentence) -> tuple[int, int] | None:
    found = next((e for e in event.evidence if e.field == field), None) if event is not None else None
    return None if found is None else sentence.tokens_of(found.start, found.end)


def _matched(predicted: Sequence[tuple[int, int]], gold: frozenset[tuple[int, int]], *, exact: bool) -> int:
    """Predicted spans matched one to one with gold spans: the same tokens, or (not `exact`) any shared token."""
    left = set(gold)
    count = 0
    for a, b in predicted:
        hit = next((g for g in sorted(left) if (g == (a, b) if exact else g[0] < b and a < g[1])), None)
        if hit is not None:
            left.discard(hit)
            count += 1
    return count


def _f1(scores: Scores, name: str, predicted: Sequence[tuple[int, int]], gold: frozenset[tuple[int, int]],
        *, exact: bool) -> int:  # fmt: skip
    """Add a sentence to an F1 row (twice the matched spans out of the predicted plus gold); returns the matched."""
    matched = _matched(predicted, gold, exact=exact)
    _ratio(scores, name, 2 * matched, len(predicted) + len(gold))
    return matched


def evaluate_conll(
    rows: list[TaggedSentence], extract_many: ExtractMany, *, on_row: Callable[[], None] | None = None
) -> Scores:
    """Score the main event's actor1 and actor2 mentions against the source and target spans.

    Returns:
        Scores: `event` (sentences that give one), `source_f1`, `target_f1` (a shared token matches),
        `source_exact_f1`, `target_exact_f1` (the same tokens), `source_precision`, `source_recall`,
        `target_precision`, `target_recall` (shared token), and `reciprocal_f1` for the sentences with R spans,
        with a miss for each sentence whose source or target is wrong.
    """
    scores = Scores()
    raws = (RawDocument(source=s.id, input_id=s.id, content=s.text.encode("utf-8"), media_type="text")
            for s in rows)  # fmt: skip
    started = time.perf_counter()
    for sentence, result in zip(rows, extract_many(raws), strict=True):
        main = result.events[0] if result.events else None
        scores.score("event", main is not None)
        source, target = (_actor_span(main, f, sentence) for f in ("actor1", "actor2"))
        wrong: dict[str, Any] = {}
        if sentence.spans["R"]:
            both = [s for s in (source, target) if s is not None]
            _f1(scores, "reciprocal_f1", both, sentence.spans["R"], exact=False)
        else:
            for role, span in (("S", source), ("T", target)):
                name = _ROLES[role]
                predicted = [span] if span is not None else []
                gold = sentence.spans[role]
                matched = _f1(scores, f"{name}_f1", predicted, gold, exact=False)
                _f1(scores, f"{name}_exact_f1", predicted, gold, exact=True)
                _ratio(scores, f"{name}_precision", matched, len(predicted))
                _ratio(scores, f"{name}_recall", matched, len(gold))
                if matched < max(len(predicted), len(gold)):
                    wrong[name] = {"got": _words(sentence, predicted), "want": _words(sentence, sorted(gold))}
        if wrong and len(scores.misses) < _MAX_MISSES:
            scores.misses.append({"id": sentence.id, "title": sentence.text, "wrong": wrong})
        scores.rows += 1
        if on_row:
            on_row()
    scores.seconds = time.perf_counter() - started
    return scores


def _ratio(scores: Scores, name: str, right: int, total: int) -> None:
    score = scores.fields.setdefault(name, FieldScore())
    score.right += right
    score.total += total


def _words(sentence: TaggedSentence, spans: Sequence[tuple[int, int]]) -> list[str]:
    return [sentence.text[sentence.offsets[a][0] : sentence.offsets[b - 1][1]] for a, b in spans]
