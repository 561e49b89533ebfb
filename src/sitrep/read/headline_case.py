"""A headline in title case, parsed as if written in sentence case.

Many outlets capitalise every word of a headline ("Syrian Army Kills over 125 Terrorists in Hama"). The tagger
reads each capitalised word as a proper noun: "Kills" is no verb, "Terrorists" no victims, and "Hama Breaks" a
place. This component, placed after the statistical pipes, parses the headline again with its common words in
lower case and puts that parse (tags, lemmas, dependencies, entities) on the headline's tokens. The text itself is
not touched: every quote and offset stays the source's.

A word is common when the article's body writes it in lower case more often than capitalised (after the first
word of a sentence), by its form or its lemma ("Kills" when the body says "killed"), or when it is a function word.
Names stay: the body writes them capitalised, and acronyms are left alone.
"""

from collections import Counter

from spacy.attrs import DEP, HEAD, LEMMA, MORPH, POS, TAG
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc, Span

from .article import HEADLINE_KEY

COMPONENT = "sitrep_headline_case"
_PARSE = [HEAD, DEP, TAG, POS, LEMMA, MORPH]
# A headline is in title case when this share of its longer words (four letters or more, at least three of them)
# is capitalised: a sentence-case headline capitalises only its names.
_TITLE_SHARE = 0.75
_MIN_LONG_WORDS = 3
_ENDINGS = ("s", "es", "ed", "d", "ing")


class HeadlineCase:
    """Re-parse a title-case headline in sentence case (see the module's docstring)."""

    def __init__(self, nlp: Language, name: str = COMPONENT) -> None:
        self.nlp = nlp
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        span = headline_tokens(doc)
        if span is None or not in_title_case(span):
            return doc
        words = sentence_case(span)
        if words == [t.text for t in span]:
            return doc
        cased = Doc(
            doc.vocab,
            words=words,
            spaces=[bool(t.whitespace_) for t in span],
            sent_starts=[i == 0 for i in range(len(span))],
        )
        for name, pipe in self.nlp.pipeline:
            if name == self.name:
                break
            cased = pipe(cased)
        parse = doc.to_array(_PARSE)
        parse[span.start : span.end] = cased.to_array(_PARSE)
        doc.from_array(_PARSE, parse)  # type: ignore[arg-type]  # to_array gives uint64; its stub says float
        outside = [e for e in doc.ents if e.end <= span.start or e.start >= span.end]
        inside = [Span(doc, span.start + e.start, span.start + e.end, label=e.label_) for e in cased.ents]
        doc.set_ents(sorted(outside + inside, key=lambda e: e.start))
        return doc


@Language.factory(COMPONENT)
def make_headline_case(nlp: Language, name: str) -> HeadlineCase:
    return HeadlineCase(nlp, name)


def headline_tokens(doc: Doc) -> Span | None:
    """The headline's tokens, as `article.mark_article_parts` found it."""
    found = doc.user_data.get(HEADLINE_KEY)
    if found is None:
        return None
    return doc.char_span(found[0], found[1], alignment_mode="expand")


def in_title_case(span: Span) -> bool:
    """Whether nearly every longer word of a headline is capitalised."""
    long = [t.text for t in span if t.is_alpha and len(t.text) >= 4 and not t.is_upper]
    if len(long) < _MIN_LONG_WORDS:
        return False
    return sum(w[0].isupper() for w in long) >= _TITLE_SHARE * len(long)


def sentence_case(span: Span) -> list[str]:
    """The headline's words with the common ones in lower case (all but the first word)."""
    doc = span.doc
    lower: Counter[str] = Counter()
    capitalised: Counter[str] = Counter()
    for token in doc:
        if span.start <= token.i < span.end or not token.is_alpha:
            continue
        if token.is_lower:
            lower[token.text] += 1
            lower[token.lemma_] += 1
        elif token.is_title and not token.is_sent_start:
            capitalised[token.text.lower()] += 1
    words = []
    for token in span:
        word = token.text
        if token.i > span.start and token.is_title and _common(word.lower(), lower, capitalised):
            word = word.lower()
        words.append(word)
    return words


def _common(word: str, lower: Counter[str], capitalised: Counter[str]) -> bool:
    if word in STOP_WORDS:
        return True
    forms = {word} | {word[: -len(end)] for end in _ENDINGS if word.endswith(end) and len(word) > len(end) + 2}
    return sum(lower[f] for f in forms) > capitalised[word]
