"""Quantities: the numbers of a sentence ("12", "a dozen", "at least 30", "20-25") with their qualifiers,
and the evidence span of a figure."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from ..models import Evidence
from ..nlp import span_text, token_table
from .number_rules import NumberRules, QualifierKind

_DIGITS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^\d+(?:\.\d+)?$")
_DASH_RANGE = re.compile(r"^(\d+)[–—-](\d+)$")
_YEAR = re.compile(r"^(?:1[89]|20)\d\d$")


# ---------------------------------------------------------------------------------------------------------
# Quantities: the numbers of a sentence
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Quantity:
    start: int
    end: int
    best: float
    low: float
    high: float | None


def _number_at(doc: Doc, i: int, end: int, rules: NumberRules) -> tuple[float, int] | None:
    """The value of the number that starts at token `i`, and the index after it; None if there is none."""
    tok = doc[i]
    if _DIGITS.match(tok.text):
        value = float(tok.text.replace(",", ""))
        j = i + 1
        if j < end and doc[j].lower_ in rules.multipliers:
            value *= rules.multipliers[doc[j].lower_]
            j += 1
        return value, j
    lower = tok.lower_
    if lower in rules.multipliers:
        # "a dozen", "a hundred", "a couple of"; a bare "hundred" is not a count.
        if not (i > 0 and doc[i - 1].lower_ in {"a", "an", "one"}):
            return None
    elif lower not in rules.number_words:
        return None
    total = 0.0
    current = 0.0
    j = i
    while j < end:
        word = doc[j].lower_
        if word in rules.number_words and (j == i or current == 0 or current % 100 == 0 or current % 10 == 0):
            if j > i and 0 < current < 10:
                break
            current += rules.number_words[word]
        elif word in rules.multipliers:
            current = max(current, 1.0) * rules.multipliers[word]
            if rules.multipliers[word] >= 1000:
                total += current
                current = 0.0
        elif word in {"-", "and"} and j > i and j + 1 < end and doc[j + 1].lower_ in rules.number_words:
            if word == "and" and (current + total) < 100:
                break
            j += 1
            continue
        else:
            break
        j += 1
    return total + current, j


def _is_count(doc: Doc, start: int, end: int, rules: NumberRules) -> bool:
    """False for dates, times, ages, money and measures: numbers that count no people or things."""
    first = doc[start]
    if first.ent_type_ in {"DATE", "TIME", "PERCENT", "MONEY", "ORDINAL"} and not _counts_noun(doc, end, rules):
        return False
    if _YEAR.match(first.text):
        return False
    if (start > 0 and doc[start - 1].lower_.rstrip(".") in rules.months) or (
        end < len(doc) and doc[end].lower_.rstrip(".") in rules.months
    ):
        return False
    nxt = end
    while nxt < len(doc) and doc[nxt].text in {"-", "–"}:
        nxt += 1
    if nxt < len(doc):
        after = doc[nxt]
        if after.lower_ in rules.not_counts or after.lemma_.lower() in rules.not_counts:
            return False
    return not (start > 0 and doc[start - 1].lower_ in {"no.", "#", "aged", "age", "number"})


def _counts_noun(doc: Doc, end: int, rules: NumberRules) -> bool:
    # NER sometimes folds "2 civilians" after a date into the date, or takes "between 10 and 15" for one:
    # a counted noun after the number (and any range) wins.
    k = end
    while k < len(doc) and (doc[k].like_num or doc[k].lower_ in rules.range_joiners or doc[k].lower_ == "and"):
        k += 1
    return k < len(doc) and doc[k].pos_ == "NOUN" and doc[k].lemma_.lower() not in rules.not_counts


def _qualifier(doc: Doc, start: int, lower_bound: int, rules: NumberRules) -> tuple[QualifierKind | None, int]:
    """The qualifier right before token `start` ("at least", "up to") and the index where it begins."""
    for length in (3, 2, 1):
        begin = start - length
        if begin < lower_bound:
            continue
        phrase = " ".join(t.lower_ for t in doc[begin:start])
        if phrase in rules.qualifiers:
            return rules.qualifiers[phrase], begin
    return None, start


def _quantities(sent: Span, rules: NumberRules) -> dict[int, _Quantity]:
    """Every count in the sentence, keyed by each token index it covers."""
    doc = sent.doc
    table = token_table(doc)
    found: dict[int, _Quantity] = {}
    i = sent.start
    while i < sent.end:
        lower = table.lower[i]
        # Only a digit, a number word or a vague quantity ("dozens") begins a count.
        if not (table.words[i][:1].isdigit() or lower in rules.number_words or lower in rules.multipliers
                or lower in rules.vague_quantities):  # fmt: skip
            i += 1
            continue
        tok = doc[i]
        if tok.lower_ in rules.vague_quantities and tok.pos_ in {"NOUN", "NUM"}:
            value = float(rules.vague_quantities[tok.lower_])
            found[i] = _Quantity(i, i + 1, value, value, value)
            i += 1
            continue
        dash_range = _DASH_RANGE.match(tok.text)
        if dash_range:
            first, last = float(dash_range.group(1)), float(dash_range.group(2))
            if last > first and _is_count(doc, i, i + 1, rules):
                kind, begin = _qualifier(doc, i, sent.start, rules)
                qty = _Quantity(begin, i + 1, first, 0.0 if kind == "max" else first, last)
                for k in range(begin, i + 1):
                    found[k] = qty
            i += 1
            continue
        parsed = _number_at(doc, i, sent.end, rules)
        if parsed is None:
            i += 1
            continue
        value, j = parsed
        if not _is_count(doc, i, j, rules):
            i = j
            continue
        kind, begin = _qualifier(doc, i, sent.start, rules)
        low, best, high = value, value, value
        end = j
        # A range: "10-15", "10 to 15", "between 10 and 15", "10 or 15".
        joiner = doc[end].lower_ if end < sent.end else ""
        if end + 1 < sent.end and (joiner in rules.range_joiners or (kind == "range_start" and joiner == "and")):
            second = _number_at(doc, end + 1, sent.end, rules)
            if second is not None and second[0] > value:
                high = second[0]
                end = second[1]
        qty = _Quantity(
            begin,
            end,
            best=best,
            low=0.0 if kind == "max" else low,
            high=None if kind == "min" and high == value else high,
        )
        for k in range(begin, end):
            found[k] = qty
        i = end
    return found


def _evidence(doc: Doc, tokens: Sequence[int]) -> Evidence:
    span = doc[min(tokens) : max(tokens) + 1]
    return Evidence(text=span_text(span), start=span.start_char, end=span.end_char)
