"""Dates: the event date and ACLED time_precision of a sentence, from its words and the publication date.

ACLED's time_precision is 1 when the day is known, 2 when only the week is (the date is then mid-week or the
reported day) and 3 when only the month is (the 15th). `resolve_date` reads a sentence in this order:

1. Explicit dates ("On 9 May 2020", "on 29 November", "27/04", "Sept 27th"), then weekdays ("on Tuesday": the
   latest Tuesday on or before publication), relative words ("yesterday", "overnight", "last week", "last month"),
   months ("in November": the 15th of the latest November not after publication) and years ("in 2015").
2. The words around the chosen date set its precision: "Around ... (as reported)", "On or before", "During the
   week beginning", "During the month of", and a body found rather than a killing seen (data/dates.yaml).
3. A date long before publication (setting `date_background_days`) or a year after "since" marks the sentence as
   background (`historical`); a date after publication is a plan, never an event date (`future`).

DATE entities of the parser that none of these forms covers go to dateparser, relative to the publication date.
"""

import bisect
import calendar
import datetime as dt
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from spacy.tokens import Span

from ..datafiles import data_path, phrase_pattern, read_yaml_mapping
from ..errors import DataFileError, Errors
from ..models import Evidence
from ..nlp import CACHE_PREFIX, span_text
from ..settings import Settings

logger = logging.getLogger(__name__)

DATES_FILE = data_path("dates.yaml")


class DateResult(BaseModel):
    """The date of what a sentence reports, with ACLED's precision and the words that say it."""

    model_config = ConfigDict(frozen=True)

    date: dt.date | None = None
    time_precision: int | None = Field(default=None, description="1 day, 2 week, 3 month.")
    evidence: Evidence | None = Field(default=None, description="The date words, as a character span of the doc.")
    historical: bool = Field(default=False, description="Background: long before publication, or 'since <year>'.")
    future: bool = Field(default=False, description="The sentence names a date after publication: a plan.")


# --- data --------------------------------------------------------------------------------------------------------


class _Relative(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    days: int = Field(ge=0)
    precision: int = Field(ge=1, le=3)
    anchor: str | None = None


class DateRules(BaseModel):
    """The phrases of data/dates.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    approximate_before: tuple[str, ...] = ()
    approximate_after: tuple[str, ...] = ()
    week_before: tuple[str, ...] = ()
    month_before: tuple[str, ...] = ()
    discovery: tuple[str, ...] = ()
    month_context: tuple[str, ...] = ()
    number_words: dict[str, int] = Field(default_factory=dict)
    relative_days: dict[str, _Relative] = Field(default_factory=dict)
    background_before: tuple[str, ...] = ()
    count_before: tuple[str, ...] = ()
    count_not_followed_by: frozenset[str] = frozenset()


_ANCHORS = {"last_week", "this_week", "last_weekend", "this_weekend", "last_month", "this_month", "last_year"}


@lru_cache(maxsize=4)
def load_date_rules(path: str | None = None) -> DateRules:
    """Load and validate the date phrases (data/dates.yaml by default).

    Raises:
        DataFileError: The file cannot be read, or an entry is malformed.
    """
    file = Path(path) if path else DATES_FILE
    raw = read_yaml_mapping(file)
    try:
        rules = DateRules.model_validate(raw)
    except ValidationError as e:
        error = e.errors()[0]
        loc = [str(p) for p in error["loc"]]
        raise DataFileError(
            Errors.E011.format(path=file, entry=loc[1] if len(loc) > 1 else loc[0], field=loc[0], reason=error["msg"])
        ) from e
    for phrase, relative in rules.relative_days.items():
        if relative.anchor is not None and relative.anchor not in _ANCHORS:
            raise DataFileError(
                Errors.E011.format(path=file, entry=phrase, field="anchor", reason=f"one of {sorted(_ANCHORS)}")
            )
    return rules


# --- patterns ----------------------------------------------------------------------------------------------------

# Month and weekday names are English, not domain knowledge; calendar supplies them.
_MONTHS: dict[str, int] = {}
for _number in range(1, 13):
    _MONTHS[calendar.month_name[_number].lower()] = _number
    _MONTHS[calendar.month_abbr[_number].lower()] = _number
_MONTHS["sept"] = 9
_WEEKDAYS = {calendar.day_name[i].lower(): i for i in range(7)}

# Month names are matched capitalised only: "may" and "march" are also verbs.
_FULL_MONTHS = [calendar.month_name[i] for i in range(1, 13)]
_SHORT_MONTHS = sorted({m.title() for m in _MONTHS} - set(_FULL_MONTHS), key=len, reverse=True)
_MONTH = "(?:" + "|".join(_FULL_MONTHS) + "|(?:" + "|".join(_SHORT_MONTHS) + r")\.?)(?![a-z])"
_WEEKDAY = "(?:" + "|".join(d.title() for d in _WEEKDAYS) + ")"
_WEEKDAY_HINT = "day" if all("day" in d for d in _WEEKDAYS) else ""  # what every weekday name holds
_ORD = r"(?:st|nd|rd|th)?"

_DMY = re.compile(rf"\b(\d{{1,2}}){_ORD}(?:\s+of)?\s+({_MONTH})(?:,?\s+(\d{{4}}))?(?!\d)")
_MDY = re.compile(rf"\b({_MONTH})\s+(\d{{1,2}}){_ORD}(?![\d:])(?:,?\s+(\d{{4}}))?(?!\d)")
_NUMERIC = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?(?![\d/])")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_MONTH_YEAR = re.compile(rf"\b({_MONTH}),?\s+(\d{{4}})\b")
_MONTH_ONLY = re.compile(rf"\b({_MONTH})(?![\w])")
_WEEKDAY_RE = re.compile(rf"\b(?:(last|this|on|early|late|next)\s+)?({_WEEKDAY})s?\b")
_YEAR = re.compile(r"\b((?:19|20)\d{2})\b")
_MONTH_IN = re.compile(_MONTH)
_DIGIT = re.compile(r"\d")
_AGO = re.compile(r"\b(\d+|[a-z]+)\s+(day|week|month|year)s?\s+ago\b", re.IGNORECASE)


@dataclass(frozen=True)
class _Candidate:
    start: int  # character offsets in the sentence text
    end: int
    date: dt.date | None
    precision: int
    kind: str  # "full", "weekday", "relative", "month", "year", "parsed"


# --- the function ------------------------------------------------------------------------------------------------


def resolve_date(
    sent: Span,
    *,
    published: dt.date | None,
    settings: Settings | None = None,
    rules: DateRules | None = None,
) -> DateResult:
    """The date of what a sentence reports.

    Args:
        sent: A sentence (any spaCy span); its DATE entities are used when the pipeline has a parser and NER.
        published: The publication date; relative dates ("on Tuesday", "last week") count back from it.
        settings: For `date_background_days`; defaults to `Settings()`.
        rules: The date phrases; defaults to data/dates.yaml.

    Returns:
        The date, its precision and evidence. A sentence without any date gets the publication date at
        precision 1 and no evidence (the caller decides); without a publication date, `date` is then `None`.
        A date is never after `published`: a sentence about a later day is returned with `future` set and no date.
    """
    rules = rules or load_date_rules()
    settings = settings or Settings.model_validate({})
    try:
        return _resolve(sent, published, settings, rules)
    except OverflowError:
        # A publication date at an end of the calendar (year 1, year 9999): nothing can be counted from it.
        return DateResult(date=published, time_precision=1 if published else None)


def _resolve(sent: Span, published: dt.date | None, settings: Settings, rules: DateRules) -> DateResult:
    text = span_text(sent)
    candidates = _with_entities(sent, _candidates(text, published, rules), published)
    if not candidates:
        return DateResult(date=published, time_precision=1 if published else None)
    candidates.sort(key=lambda c: c.start)
    background = [c for c in candidates if _is_background(c, text, published, settings, rules)]
    future = [c for c in candidates if _is_future(c, published)]
    current = [c for c in candidates if c not in background and c not in future and c.date is not None]
    historical = False
    if current:
        chosen = current[0]
    elif future:
        return DateResult(evidence=_evidence(sent, future[0]), future=True)
    else:
        chosen = background[0] if background else candidates[0]
        historical = bool(background)
    evidence = _evidence(sent, chosen)
    if chosen.date is None:
        return DateResult(date=None, time_precision=None, evidence=evidence, historical=historical)
    date, precision = _adjust(chosen, chosen.date, text, rules)
    if published is not None and date > published:
        date = published  # mid-week or mid-month of the current week or month: not later than publication
    return DateResult(date=date, time_precision=precision, evidence=evidence, historical=historical)


def _candidates(text: str, published: dt.date | None, rules: DateRules) -> list[_Candidate]:
    found: list[_Candidate] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return not any(s < end and start < e for s, e in taken)

    def add(candidate: _Candidate) -> None:
        if free(candidate.start, candidate.end):
            found.append(candidate)
            taken.append((candidate.start, candidate.end))

    # Each pattern needs a character or word most sentences lack ("-", "/", "day"): look for it first.
    for m in _ISO.finditer(text) if "-" in text else ():
        add(_Candidate(m.start(), m.end(), _safe_date(int(m[1]), int(m[2]), int(m[3])), 1, "full"))
    for m in _DMY.finditer(text):
        add(_Candidate(m.start(), m.end(), _day_month(int(m[1]), _month(m[2]), m[3], published), 1, "full"))
    for m in _MDY.finditer(text):
        add(_Candidate(m.start(), m.end(), _day_month(int(m[2]), _month(m[1]), m[3], published), 1, "full"))
    for m in _NUMERIC.finditer(text) if "/" in text else ():
        day, month = int(m[1]), int(m[2])
        if 1 <= month <= 12 and 1 <= day <= 31:
            add(_Candidate(m.start(), m.end(), _day_month(day, month, m[3], published), 1, "full"))
    for m in _MONTH_YEAR.finditer(text):
        add(_Candidate(m.start(), m.end(), _safe_date(int(m[2]), _month(m[1]), 15), 3, "month"))
    lowered = text.lower()
    for m in phrase_pattern(tuple(rules.relative_days)).finditer(lowered):
        relative = rules.relative_days[m[0]]
        add(_Candidate(m.start(), m.end(), _relative(relative, published), relative.precision, "relative"))
    # Few sentences say "ago", and the pattern tries every word: look for the word first.
    for m in _AGO.finditer(text) if "ago" in lowered else ():
        count = int(m[1]) if m[1].isdigit() else rules.number_words.get(m[1].lower(), 0)
        if not count:
            continue
        unit = m[2].lower()
        days = {"day": 1, "week": 7, "month": 30, "year": 365}[unit] * count
        precision = {"day": 1, "week": 2, "month": 3, "year": 3}[unit]
        date = published - dt.timedelta(days=days) if published else None
        if date is not None and unit == "month":
            date = date.replace(day=15)
        add(_Candidate(m.start(), m.end(), date, precision, "relative"))
    for m in _WEEKDAY_RE.finditer(text) if _WEEKDAY_HINT in text else ():
        add(_Candidate(m.start(), m.end(), _weekday(_WEEKDAYS[m[2].lower()], m[1], published), 1, "weekday"))
    for m in _MONTH_ONLY.finditer(text):
        if _looks_like_month(text, m.start(), rules):
            add(_Candidate(m.start(), m.end(), _month_only(_month(m[1]), published), 3, "month"))
    for m in _YEAR.finditer(text):
        year = int(m[1])
        if published is not None and year >= published.year:
            continue  # the current year says nothing more than the publication date; a later one is a plan
        if _is_count(text, m.start(), m.end(), rules):
            continue
        add(_Candidate(m.start(), m.end(), dt.date(year, 7, 1), 3, "year"))
    return found


def _is_count(text: str, start: int, end: int, rules: DateRules) -> bool:
    """ "more than 2000 workers": a number of people or things, not a year."""
    before = text[:start].lower().rstrip()
    after = re.match(r"\s+([a-z]+)\b", text[end:])
    return (
        _ends_with_any(before, rules.count_before) and after is not None and after[1] not in rules.count_not_followed_by
    )


def _evidence(sent: Span, candidate: _Candidate) -> Evidence:
    return Evidence(
        text=span_text(sent)[candidate.start : candidate.end],
        start=sent.start_char + candidate.start,
        end=sent.start_char + candidate.end,
        field="event_date",
    )


def _is_future(candidate: _Candidate, published: dt.date | None) -> bool:
    # Only a named day can be a plan; a mid-week or mid-month date past publication is capped instead.
    return (
        published is not None
        and candidate.date is not None
        and candidate.date > published
        and candidate.kind in ("full", "weekday", "parsed")
    )


def _with_entities(sent: Span, found: list[_Candidate], published: dt.date | None) -> list[_Candidate]:
    """Add DATE entities the patterns did not read, parsed by dateparser relative to the publication date.

    An entity with a month name and a digit that is longer than the month or year the patterns found in it
    replaces them; other entities ("two weeks later", "33", "July") are left out: dateparser reads bare numbers
    as years and durations as dates.
    """
    for ent in _date_entities(sent):
        if ent.label_ != "DATE" or not (_MONTH_IN.search(ent.text) and _DIGIT.search(ent.text)):
            continue
        start, end = ent.start_char - sent.start_char, ent.end_char - sent.start_char
        inside = [c for c in found if c.start < end and start < c.end]
        if any(c.kind not in ("month", "year") or c.end - c.start >= end - start for c in inside):
            continue
        date = _dateparser(ent.text, published)
        if date is not None:
            found = [c for c in found if c not in inside]
            found.append(_Candidate(start, end, date, 1, "parsed"))
    return found


def _date_entities(sent: Span) -> list[Span]:
    """The DATE entities inside a span. `Span.ents` walks every entity of the document, so the document's DATE
    entities are listed once (kept in `doc.user_data`) and bisected."""
    doc = sent.doc
    cached = doc.user_data.get(_DATE_ENTS_KEY)
    if cached is None:  # the entities are set once, by the pipeline, before dates are read
        dates = [ent for ent in doc.ents if ent.label_ == "DATE"]
        cached = doc.user_data[_DATE_ENTS_KEY] = (dates, [ent.start for ent in dates])
    dates, starts = cached
    first = bisect.bisect_left(starts, sent.start)
    return [ent for ent in dates[first : bisect.bisect_left(starts, sent.end)] if ent.end <= sent.end]


_DATE_ENTS_KEY = f"{CACHE_PREFIX}date_ents"


@lru_cache(maxsize=4096)
def _dateparser(text: str, published: dt.date | None) -> dt.date | None:
    import dateparser

    settings: dict[str, Any] = {"PREFER_DATES_FROM": "past", "DATE_ORDER": "DMY", "STRICT_PARSING": False}
    if published is not None:
        settings["RELATIVE_BASE"] = dt.datetime.combine(published, dt.time(12))
    parsed = dateparser.parse(text, languages=["en"], settings=settings)
    return parsed.date() if parsed else None


def _adjust(chosen: _Candidate, date: dt.date, text: str, rules: DateRules) -> tuple[dt.date, int]:
    """Precision from the words around the date: approximations, weeks, months, bodies found."""
    precision = chosen.precision
    before = text[: chosen.start].lower().rstrip(" ,")
    after = text[chosen.end :].lower().lstrip(" ,")
    if precision == 1 and chosen.kind in ("full", "weekday", "parsed"):
        if _ends_with_any(before, rules.week_before):
            # "During the week beginning 26 November": the middle of that week.
            return date - dt.timedelta(days=date.weekday()) + dt.timedelta(days=2), 2
        if _ends_with_any(before, rules.approximate_before) or after.startswith(rules.approximate_after):
            precision = 2
    if chosen.kind in ("full", "month") and _ends_with_any(before, rules.month_before) and chosen.precision == 3:
        precision = 3
    if precision == 1 and phrase_pattern(rules.discovery).search(text.lower()):
        precision = 2
    return date, precision


def _is_background(
    candidate: _Candidate, text: str, published: dt.date | None, settings: Settings, rules: DateRules
) -> bool:
    if candidate.date is None:
        return False
    before = text[: candidate.start].lower().rstrip(" ,")
    if candidate.kind == "year" and _ends_with_any(before, rules.background_before):
        return True
    if published is None:
        return candidate.kind == "year"
    return candidate.date < published - dt.timedelta(days=settings.date_background_days)


def _ends_with_any(text: str, phrases: tuple[str, ...]) -> bool:
    """Whether the text's last words are one of the phrases."""
    return phrase_pattern(phrases, before=r"(?:^|\W)", after="$").search(text) is not None


def _looks_like_month(text: str, start: int, rules: DateRules) -> bool:
    """'in November', 'late May' rather than the verb 'May' opening a sentence."""
    before = text[:start].rstrip().lower()
    return bool(before) and before.split()[-1] in rules.month_context


def _month(name: str) -> int:
    return _MONTHS[name.lower().rstrip(".")]


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _day_month(day: int, month: int, year: str | None, published: dt.date | None) -> dt.date | None:
    """A day and month, in the given year or else the latest such day not after publication."""
    if year:
        full_year = int(year) if len(year) == 4 else 2000 + int(year)
        return _safe_date(full_year, month, day)
    if published is None:
        return None
    date = _safe_date(published.year, month, day)
    if date is None or date > published:
        date = _safe_date(published.year - 1, month, day)
    return date


def _month_only(month: int, published: dt.date | None) -> dt.date | None:
    if published is None:
        return None
    year = published.year if month <= published.month else published.year - 1
    return dt.date(year, month, 15)


def _weekday(weekday: int, modifier: str | None, published: dt.date | None) -> dt.date | None:
    """The latest such weekday on or before publication ("last Tuesday": strictly before)."""
    if published is None:
        return None
    if modifier and modifier.lower() == "next":
        return published + dt.timedelta(days=(weekday - published.weekday()) % 7 or 7)
    delta = (published.weekday() - weekday) % 7
    if modifier and modifier.lower() == "last" and delta == 0:
        delta = 7
    return published - dt.timedelta(days=delta)


def _relative(relative: _Relative, published: dt.date | None) -> dt.date | None:
    if published is None:
        return None
    anchor = relative.anchor
    monday = published - dt.timedelta(days=published.weekday())
    if anchor == "last_week":
        return monday - dt.timedelta(days=5)  # Wednesday of the week before
    if anchor == "this_week":
        return monday + dt.timedelta(days=2)
    if anchor == "last_weekend":
        return monday - dt.timedelta(days=2)
    if anchor == "this_weekend":
        return monday + dt.timedelta(days=5)
    if anchor == "last_month":
        first = published.replace(day=1)
        return (first - dt.timedelta(days=1)).replace(day=15)
    if anchor == "this_month":
        return published.replace(day=15)
    if anchor == "last_year":
        return dt.date(published.year - 1, 7, 1)
    return published - dt.timedelta(days=relative.days)
