"""The parts of a news article around its story (`data/article.yaml`): the headline repeated at the top of the
text, a dateline or byline ahead of the lede, and the page's furniture that scraping leaves in the text: share bars,
related-news lists, photo captions and credits, tags.

Scraped pages and feeds often give the text with its headline and dateline run into the lede without a full stop
("Air raid kills 21 at market AFP Thursday 24 Apr 2014 An air strike on a market killed 21 ..."). Read as one
sentence, the headline's toll and the lede's add up, and the agency's name becomes a side of the event. Each part
is made a sentence of its own before the parse (which keeps sentence starts already set). Datelines and furniture
are neither events nor places of events; a list of related headlines would otherwise give events of its own.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from spacy.tokens import Doc, Span

from ..datafiles import data_path, read_yaml_mapping
from ..errors import DataFileError, Errors
from ..nlp import CACHE_PREFIX

ARTICLE_FILE = data_path("article.yaml")
_HEADLINE_SLACK = 40  # characters a headline may stand after the text's start (a date before it)
_MIN_HEADLINE_WORDS = 3
_STOPS = frozenset(".!?:;")
_SPACE = re.compile(r"\s*")
FURNITURE_KEY = f"{CACHE_PREFIX}article.furniture"  # doc.user_data: the datelines' and furniture's spans
HEADLINE_KEY = f"{CACHE_PREFIX}article.headline"  # doc.user_data: the headline's span


@dataclass(frozen=True)
class ArticleRules:
    """`data/article.yaml`, compiled."""

    title_suffixes: tuple[str, ...]
    agencies: frozenset[str]
    dateline: re.Pattern[str]
    furniture: re.Pattern[str]
    footer: re.Pattern[str]


@functools.lru_cache(maxsize=4)
def load_article_rules(path: Path = ARTICLE_FILE) -> ArticleRules:
    """The headline and dateline rules.

    Raises:
        DataFileError: The file is unreadable, or a pattern is not a valid regular expression.
    """
    data = read_yaml_mapping(path)
    agencies = "|".join(re.escape(str(a)) for a in sorted(data.get("agencies") or (), key=len, reverse=True))
    months = "|".join(str(m) for m in data.get("months") or ())

    def alternatives(key: str) -> re.Pattern[str]:
        patterns = [str(p).replace("{agency}", agencies).replace("{month}", months) for p in data.get(key) or ()]
        try:
            return re.compile("(?:" + "|".join(patterns) + ")" if patterns else r"(?!)")
        except re.error as e:
            raise DataFileError(Errors.E011.format(path=path, entry=key, field=key, reason=e)) from e

    return ArticleRules(title_suffixes=tuple(str(s) for s in data.get("title_suffix") or ()),
                        agencies=frozenset(str(a) for a in data.get("agencies") or ()),
                        dateline=alternatives("datelines"), furniture=alternatives("furniture"),
                        footer=alternatives("footers"))  # fmt: skip


def headline_span(text: str, title: str | None, rules: ArticleRules) -> tuple[int, int] | None:
    """Where the text repeats its headline near its start: the page title, or the title without the site's name
    after a separator ("Air raid kills 21 - Region - World - Ahram Online")."""
    if not title:
        return None
    candidates = [title.strip()]
    for separator in rules.title_suffixes:
        candidates.extend(title[:i].strip() for i in _finditer(title, separator))
    for candidate in sorted(set(candidates), key=len, reverse=True):
        if len(candidate.split()) < _MIN_HEADLINE_WORDS:
            continue
        start = text.find(candidate, 0, len(candidate) + _HEADLINE_SLACK)
        if start >= 0:
            return start, start + len(candidate)
    return None


def _finditer(text: str, separator: str) -> list[int]:
    return [m.start() for m in re.finditer(re.escape(separator), text)]


@dataclass(frozen=True)
class ArticleParts:
    """Where an article's parts begin (character offsets), the headline's span, and the spans of its datelines and
    furniture."""

    starts: tuple[int, ...]
    furniture: tuple[tuple[int, int], ...]
    headline: tuple[int, int] | None = None


def article_parts(text: str, title: str | None, rules: ArticleRules | None = None) -> ArticleParts:
    """Where the headline, each dateline, each piece of furniture and the lede begin (sentences of their own),
    and the spans of the datelines and furniture."""
    rules = rules or load_article_rules()
    starts: list[int] = []
    furniture: list[tuple[int, int]] = []
    lede = 0
    headline = headline_span(text, title, rules)
    if headline is not None:
        starts.append(headline[0])
        if text[: headline[0]].strip():
            furniture.append((0, headline[0]))  # a date or byline above the headline ("Thursday 18 May 2017")
        lede = headline[1]
        if text[lede : lede + 1] not in _STOPS:
            starts.append(lede)  # a headline that ends with its own stop is a sentence already
    while True:
        gap = len(text[lede:]) - len(text[lede:].lstrip(" \t.:-–—|"))
        match = rules.dateline.match(text, lede + gap)
        if match is None or match.end() == match.start():
            break
        starts.extend((match.start(), match.end()))
        furniture.append((match.start(), match.end()))
        lede = match.end()
    for match in rules.furniture.finditer(text, lede):
        starts.extend((match.start(), match.end()))
        furniture.append((match.start(), match.end()))
    # A footer ("Related News", "Read Also") ends the story: the rest is the site's, past the story's first third.
    footer = rules.footer.search(text, lede + (len(text) - lede) // 3)
    if footer is not None:
        starts.append(footer.start())
        furniture.append((footer.start(), len(text)))
    words = {_first_word(text, start) for start in starts}  # each part begins at its first word
    return ArticleParts(
        starts=tuple(sorted(w for w in words if w < len(text))), furniture=tuple(furniture), headline=headline
    )


def _first_word(text: str, start: int) -> int:
    """Where the first word at or after `start` begins (no copy of the text, which may be large)."""
    space = _SPACE.match(text, start)
    return space.end() if space else start


def is_furniture(sent: Span) -> bool:
    """Whether a sentence of a doc marked by `mark_article_parts` is a dateline, a byline or the page's furniture:
    no event, no place."""
    return in_furniture(sent.doc, sent.start_char, sent.end_char)


def is_headline(sent: Span) -> bool:
    """Whether a sentence of a doc marked by `mark_article_parts` is its headline."""
    headline = sent.doc.user_data.get(HEADLINE_KEY)
    return headline is not None and sent.start_char <= headline[0] < sent.end_char


def is_agency(name: str, rules: ArticleRules | None = None) -> bool:
    """Whether a name is a news agency's as it signs ("SANA", not the city "Sana"): a source, not a place."""
    return name in (rules or load_article_rules()).agencies


def in_furniture(doc: Doc, start: int | None, end: int | None) -> bool:
    """Whether characters `start`-`end` of a doc marked by `mark_article_parts` lie in a dateline, a byline or
    furniture."""
    if start is None or end is None:
        return False
    return any(first <= start and end <= last + 1 for first, last in doc.user_data.get(FURNITURE_KEY, ()))


def mark_article_parts(doc: Doc, title: str | None, rules: ArticleRules | None = None) -> Doc:
    """Start a sentence at the headline, each dateline and the lede of an unparsed doc (see the module's docstring)."""
    tokens = [t for t in doc if not t.is_space]
    positions = [t.idx for t in tokens]
    parts = article_parts(doc.text, title, rules)
    doc.user_data[FURNITURE_KEY] = parts.furniture
    doc.user_data[HEADLINE_KEY] = parts.headline
    for offset in parts.starts:
        k = bisect.bisect_left(positions, offset)
        if k < len(tokens) and tokens[k].i > 0:
            tokens[k].is_sent_start = True
    if parts.headline is not None:
        # A headline is one sentence: the parser split "50 | ISIL Terrorists Killed in Kobani" after a date above
        # it, and the toll went with the date.
        start, end = parts.headline
        for token in tokens[bisect.bisect_right(positions, start) : bisect.bisect_left(positions, end)]:
            token.is_sent_start = False
    return doc
