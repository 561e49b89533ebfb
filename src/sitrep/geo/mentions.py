"""Finding place mentions: the parser's GPE/LOC/FAC entities plus gazetteer names the parser missed, written to
`doc.spans[PLACE_SPANS]` by `find_place_spans` and the `sitrep_place_ruler` component around it."""

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from ..nlp import PLACE_SPANS, span_text, token_table
from .gazetteer import GazEntry, Gazetteer
from .priors import learned_index
from .words import ContextWords, load_context_words, seat_of_actor, word_union

PLACE_LABEL = "PLACE"
"""Label of the spans the place ruler writes to `doc.spans[PLACE_SPANS]`."""
NER_LABELS = frozenset({"GPE", "LOC", "FAC"})
_BLOCKING_LABELS = frozenset({"PERSON", "ORG", "NORP", "WORK_OF_ART", "EVENT", "PRODUCT", "LAW", "LANGUAGE"})


# -- finding mentions --------------------------------------------------------------------------------------


def find_place_spans(
    doc: Doc,
    *,
    gazetteer: Gazetteer,
    focus_countries: Sequence[str] = (),
    min_population: int = 100_000,
    max_words: int = 5,
    words: ContextWords | None = None,
    learned_places: str = "",
) -> list[Span]:
    """Candidate place mentions in a document: the parser's GPE/LOC/FAC entities, gazetteer names, the names of
    places learned from coded events, and names the text puts in an area ("Ruramba (Kayokwe, Mwaro)").

    A name found only in the gazetteer must be capitalised, not a common word (`not_places`), not inside a
    longer person or organisation name, and mean a country, an admin1 area, a place of at least
    `min_population` people, or any place of a focus country (given, or named by the document's other
    mentions). Entities are trimmed of cue words ("the northern Hama countryside" -> "Hama").

    Args:
        doc: A parsed document (a blank pipeline works; then only gazetteer names are found).
        gazetteer: The gazetteer.
        focus_countries: ISO codes whose small places are always looked for.
        min_population: The least population of a gazetteer-only place outside the focus countries.
        max_words: The longest name, in tokens.
        words: Cue words; default `context.yaml`.
        learned_places: A CSV of places learned from coded events (`load_learned_places`); empty for the packaged
            `acled_places.csv`. Their names are found like the gazetteer's, in the document's countries or where
            the words put a place ("in X").

    Returns:
        Non-overlapping spans labelled `PLACE`, in document order.
    """
    words = words or load_context_words()
    spans: list[Span] = []
    blocked: list[Span] = []
    for ent in doc.ents:
        if ent.label_ in NER_LABELS:
            # "Nis, Serbia" and "Dandora (Nairobi)" are two names each.
            for whole in _name_parts(ent, words):
                part = _facility_place(whole, words) or whole
                # A lone common word left of an entity ("Zone" of "North Zone") is not a place name, nor is a
                # people's name ("Somali youth"), unless an area word follows ("Somali region").
                if len(part) == 1 and not _area_word_after(part, words) and (
                        part[0].lower_ in words.not_places or _is_demonym(part, gazetteer)):  # fmt: skip
                    continue
                spans.append(_extend_name(part, words))
        elif ent.label_ == "NORP":
            blocked.append(ent)
        elif ent.label_ in _BLOCKING_LABELS:
            # Each part of "the Royal Court Hotel on Haile Selassie Road, Mombasa" blocks only itself; a part that
            # stands where a place does ("in Dandora", "Keroka residents", "Nyeri Hospital") is a place name.
            for part in _name_parts(ent, words):
                part, seat = _seat_split(part, words)
                for piece in (part, seat) if seat is not None else (part,):
                    located = _located_name(piece, words, gazetteer)
                    if located is None:
                        blocked.append(piece)
                    else:
                        spans.append(located)
    learned = learned_index(gazetteer, learned_places)
    found = _gazetteer_spans(doc, gazetteer, words, max_words, learned)
    qualified = _qualified_spans(doc, gazetteer, words, max_words, learned)
    spans.extend(qualified)
    covered = {i for span in (*found, *spans) for i in range(span.start, span.end)}
    # An organisation or person name blocks the place names inside it ("Hayat Tahrir al-Sham"), unless the
    # parser's entity is only place names and punctuation ("Asuncion (Asuncion" tagged as a title).
    # A nationality or group word ("Maasai", "Kikuyu") is never a place, even when a village shares its name.
    blocked = [b for b in blocked if b.label_ == "NORP" or any(_capitalised(t) and t.i not in covered for t in b)]
    focus = set(focus_countries)
    entries: dict[tuple[int, int], list[GazEntry]] = {}
    for span in found:
        entries[(span.start, span.end)] = gazetteer.lookup(span_text(span), limit=10, fuzzy=False)
    # The document's own focus: countries of its confident mentions (entities, countries, big places,
    # demonyms), and countries that two or more gazetteer names share.
    votes = demonym_countries(doc, gazetteer)
    for span in spans:
        if seat_of_actor(span, words):
            continue  # a "Britain-based monitor" reports on another country
        top = gazetteer.lookup(span_text(span), limit=1, fuzzy=False)
        if top and top[0].country:
            votes[top[0].country] += 1
    shared: Counter[str] = Counter()
    named: set[str] = set()
    for (start, end), hits in entries.items():
        if hits and (hits[0].kind != "place" or hits[0].population >= min_population):
            votes[hits[0].country] += 1
        # A name repeated is one name: "Al ... Al" must not make a country look shared.
        key = gazetteer.key(span_text(doc[start:end]))
        if key in named:
            continue
        named.add(key)
        for country in sorted({h.country for h in hits if h.country}):
            shared[country] += 1
    focus |= {c for c, _ in votes.most_common(3)} | {c for c, n in shared.items() if n >= 2}
    for span in found:
        hits = entries[(span.start, span.end)]
        if any(_inside(span, b) for b in blocked):
            continue
        # A place ACLED codes events at (`acled_places.csv`) that cities500 lacks counts in the document's
        # countries, or where the words put a place ("shelled the village of X", "in X").
        places = learned.get(gazetteer.key(span_text(span)), ()) if learned else ()
        if not hits:
            if places and (any(p.country in focus for p, _ in places) or _placed(doc, span.start, span.end, words)):
                spans.append(span)
            continue
        if not _area_word_after(span, words) and _is_demonym(span, gazetteer):
            continue
        # A loose spelling match ("Garre" for Gare, "Maasai" for Marseille) counts only in the document's
        # countries; a name after "in", "at", "near" is a place wherever it lies ("a protest in Sarande"), unless
        # it is an acronym ("in MACA prison").
        after_preposition = not span_text(span).isupper() and _placed(doc, span.start, span.end, words)
        if any(h.country in focus or (h.match != "key" and (after_preposition or h.kind != "place"
                                                             or h.population >= min_population))
               for h in hits) or any(p.country in focus for p, _ in places):  # fmt: skip
            spans.append(span)
    result = [Span(doc, s.start, s.end, label=PLACE_LABEL) for s in filter_spans(spans)]
    return sorted(result, key=lambda s: s.start)


def demonym_countries(doc: Doc, gazetteer: Gazetteer) -> Counter[str]:
    """Countries the parser's nationality words name ("Iraqi forces", "Paraguayan"), one vote each."""
    votes: Counter[str] = Counter()
    for ent in doc.ents:
        if ent.label_ == "NORP":
            hits = gazetteer.lookup(span_text(ent), kinds=("country",), adjectives=True, fuzzy=False, limit=1)
            if hits:
                votes[hits[0].country] += 1
    return votes


def _placed(doc: Doc, start: int, end: int, words: ContextWords) -> bool:
    """Whether the words around a name put it where something is: a place preposition before it ("in X",
    "at the X"; compass words and "the" skipped), people who live there ("residents of X", "X villagers"), or
    an area or settlement word after it ("X area", "X village")."""
    lower = token_table(doc).lower
    i = start - 1
    while i >= 0 and (lower[i] == "the" or lower[i] in words.directions):
        i -= 1
    if i >= 0 and lower[i] in words.place_prepositions:
        return True
    if i >= 1 and lower[i] == "of" and lower[i - 1] in words.resident_words:
        return True
    # "Keroka residents", "Sololo area", "Mugumoini village"
    return end < len(doc) and lower[end] in word_union(words.resident_words, words.region_after, words.town_after)


def _facility_place(span: Span, words: ContextWords) -> Span | None:
    """The place name of a facility's name: "Nyeri Hospital", "Gatundu Market", "Chemelil Sugar Company",
    "University of Nairobi" -> the town; None when the name is no facility's."""
    doc = span.doc
    start, end = span.start, span.end
    if end - start >= 2 and doc[end - 1].lower_ in words.facility_words:
        while end > start and doc[end - 1].lower_ in words.facility_words:
            end -= 1
    elif end - start >= 3 and doc[start].lower_ in words.facility_words and doc[start + 1].lower_ == "of":
        start += 2
    else:
        return None
    core = doc[start:end]
    if not len(core) or not all(_capitalised(t) or (t.is_punct and t.text in "-'’") for t in core):
        return None
    return core


def _located_name(part: Span, words: ContextWords, gazetteer: Gazetteer) -> Span | None:
    """The place an organisation or person entity names where a place stands ("in Dandora", "residents of
    Nyalenda", "Keroka residents", "Nyeri Hospital", "Sololo area"), if it is a known place or all proper
    words; else None."""
    core = _facility_place(part, words)
    if core is None:
        if not _placed(part.doc, part.start, part.end, words):
            return None
        core = part
    if span_text(core).isupper():
        return None  # an acronym ("the NYS scandal", "IEBC offices")
    if len(core) > 1 and gazetteer.has_place_key(gazetteer.key(span_text(core))):
        return core  # "in Homa Bay": a known name, though "Bay" alone is a common word
    if any(t.lower_ in words.not_places or not (_capitalised(t) or t.is_punct or t.like_num) for t in core):
        return None
    return core


_SEPARATORS = frozenset({",", "(", ")", "[", "]", ";", "/", ":"})


def _seat_split(part: Span, words: ContextWords) -> tuple[Span, Span | None]:
    """An organisation's name and the proper name after its last seat preposition ("the Ministry of Health in
    Kyiv"), which the parser tags as one entity; the whole part and None when there is no such tail."""
    doc = part.doc
    for i in range(part.end - 2, part.start, -1):
        if doc[i].lower_ in words.seat_prepositions:
            tail = doc[i + 1 : part.end]
            if all(_capitalised(t) or t.is_punct for t in tail):
                return doc[part.start : i], tail
            break
    return part, None


def _extend_name(span: Span, words: ContextWords) -> Span:
    """A parser's place entity stretched over the rest of its proper name: "Khwaja" of "Khwaja Baha Wuddin
    district", "Huanzantlan" of "Huanzantlan del Rio" (a name the gazetteer lacks stays whole and unresolved
    rather than half of it matching elsewhere)."""
    doc = span.doc
    stop = word_union(words.not_places, words.trim_words, words.actor_nouns, words.facility_words, words.resident_words)
    end = span.end

    def name_word(i: int) -> bool:
        token = doc[i]
        return (_capitalised(token) and token.is_alpha and token.lower_ not in stop and not token.is_sent_start
                and token.ent_iob_ != "B")  # fmt: skip

    while end < len(doc):
        if name_word(end):
            end += 1
        elif doc[end].lower_ in words.name_links and end + 1 < len(doc) and name_word(end + 1):
            end += 2
        else:
            break
    return doc[span.start : end]


def _name_parts(ent: Span, words: ContextWords) -> list[Span]:
    """An entity's parts between separating punctuation ("Nis, Serbia" -> "Nis", "Serbia"), each trimmed of
    cue words."""
    doc = ent.doc
    texts = token_table(doc).words
    parts: list[Span] = []
    start = ent.start
    for i in range(ent.start, ent.end + 1):
        if i < ent.end and texts[i] not in _SEPARATORS:
            continue
        part = trim_span(doc[start:i], words) if i > start else None
        start = i + 1
        if part is not None:
            parts.append(part)
    return parts


def _area_word_after(span: Span, words: ContextWords) -> bool:
    doc = span.doc
    return span.end < len(doc) and doc[span.end].lower_ in words.region_after


def _is_demonym(span: Span, gazetteer: Gazetteer) -> bool:
    """Whether a name is only a people's or a country's adjective ("Somali", "Kenyan"), not a name of its own."""
    text = span_text(span)
    if not gazetteer.lookup(text, kinds=("country",), adjectives=True, fuzzy=False, limit=1):
        return False
    return not gazetteer.lookup(text, kinds=("country",), fuzzy=False, limit=1)


def _inside(span: Span, outer: Span) -> bool:
    return outer.start <= span.start and span.end <= outer.end and (outer.end - outer.start) > (span.end - span.start)


def trim_span(span: Span, words: ContextWords) -> Span | None:
    start, end = span.start, span.end
    doc = span.doc
    lower = token_table(doc).lower
    while start < end and (lower[start] in words.trim_words or doc[start].is_punct):
        if start + 1 < end and _compass_name_word(doc[start], words):
            break
        start += 1
    while end > start and (lower[end - 1] in words.trim_words or doc[end - 1].is_punct
                           or lower[end - 1] in ("'s", "’s")):  # fmt: skip
        end -= 1
    return doc[start:end] if end > start else None


def _compass_name_word(token: Token, words: ContextWords) -> bool:
    """A capitalised compass noun inside a sentence ("West Pokot", "North Horr"): part of the name, unlike
    "northern Hama" or a sentence's first word."""
    text = token.text
    return (text[:1].isupper() and not token.is_sent_start and token.lower_ in words.directions
            and not token.lower_.endswith("ern"))  # fmt: skip


def _gazetteer_spans(
    doc: Doc, gazetteer: Gazetteer, words: ContextWords, max_words: int, learned: Mapping[str, Any] | None = None
) -> list[Span]:
    """Capitalised runs of words whose matching key names a gazetteer place or a learned place (`learned`, keyed
    like `learned_index`), longest first, not inside a longer proper name."""
    spans: list[Span] = []
    learned = learned or {}
    articles = gazetteer.rules.articles
    # Every capitalised run is tried at up to `max_words` lengths: read the words from the token table.
    table = token_table(doc)
    texts, lower, idx, sent_start = table.words, table.lower, table.idx, table.sent_start
    capitalised = [_capitalised_text(text) for text in texts]
    lowercase = frozenset(text for text in texts if text.islower())
    i = 0
    n = len(doc)
    while i < n:
        starts_article = lower[i] in articles and i + 2 < n and texts[i + 1] == "-"
        if not (capitalised[i] or starts_article):
            i += 1
            continue
        # A common word ("North", "New") may begin a longer name ("North Sinai"), never be one.
        shortest = i + 2 if lower[i] in words.not_places else i + 1
        match = None
        for j in range(min(n, i + max_words), shortest - 1, -1):
            if not capitalised[j - 1] or lower[j - 1] in words.not_places:
                continue
            text = table.text[idx[i] : idx[j - 1] + len(texts[j - 1])]
            # The gazetteer first: most capitalised runs are no place, and the checks below cost more.
            if "\n" in text:
                continue
            key = gazetteer.key(text)
            if key not in learned and not gazetteer.has_place_key(key):
                continue
            if any(sent_start[k] for k in range(i + 1, j)):
                continue
            # A sentence's first word tagged as a verb or adjective is no name, unless people live there
            # ("Lamu residents protested").
            common = _is_common_word(doc[i], lowercase, words.weapon_nouns) and not _placed(doc, i, j, words)
            if j - i == 1 and (common or len(texts[i]) < 3 or lower[i] in articles):
                continue
            if _inside_longer_name(doc, i, j, words, spans, articles=articles):
                continue
            match = doc[i:j]
            break
        if match is not None:
            spans.append(match)
            i = match.end
        else:
            i += 1
    return spans


def _qualified_spans(
    doc: Doc, gazetteer: Gazetteer, words: ContextWords, max_words: int, learned: Mapping[str, Any]
) -> list[Span]:
    """Names the text puts in their areas, "Ruramba (Kayokwe, Mwaro)", "the Qaniyah front (Mahliyah, Marib)":
    a proper name right before brackets that hold only names, one of them a known place or area, is a place
    whatever the gazetteer says (the resolver falls back to the bracketed area when it does not know it)."""
    table = token_table(doc)
    texts, lower = table.words, table.lower
    if "(" not in texts:
        return []
    cue = word_union(words.town_after, words.region_after, words.site_words,
                 frozenset(w for phrase in words.countryside_after for w in phrase))  # fmt: skip
    stop = word_union(words.not_places, words.actor_nouns)
    links = word_union(words.name_links, gazetteer.rules.articles)
    spans: list[Span] = []
    n = len(doc)
    for k, word in enumerate(texts):
        if word != "(" or k == 0:
            continue
        close = next((m for m in range(k + 1, min(n, k + 12)) if texts[m] in (")", "(")), None)
        if close is None or texts[close] != ")" or close == k + 1:
            continue
        if not _known_qualifier(doc, k + 1, close, gazetteer, cue, learned):
            continue
        end = k
        while end > 0 and k - end < 2 and lower[end - 1] in cue and texts[end - 1].islower():
            end -= 1
        start = end
        while start > 0 and end - start < max_words + 3:
            i = start - 1
            if lower[i] in stop or (doc[i].is_sent_start and _is_common_word(doc[i])):
                break
            if _capitalised_text(texts[i]):
                start = i
            elif i > 0 and texts[i] in ("-", "‑") and not doc[i - 1].whitespace_ and not doc[i].whitespace_:
                start = i  # "Af-Urur", "Nawa-e Barakzayi"
            elif i > 0 and lower[i] in links and texts[i].islower() and (
                    _capitalised_text(texts[i - 1]) or texts[i - 1] == "-"):  # fmt: skip
                start = i  # "Jabal al Kirsh", "Keran wa Menjan"
            else:
                break
        while start < end and not _capitalised_text(texts[start]):
            start += 1
        if start < end and not span_text(doc[start:end]).isupper():
            spans.append(doc[start:end])
    return spans


def _known_qualifier(
    doc: Doc, start: int, end: int, gazetteer: Gazetteer, cue: frozenset[str], learned: Mapping[str, Any]
) -> bool:
    """Whether tokens `start:end` (inside brackets) are only names separated by commas, one of them a known place
    or area once its level words ("LGA", "district") are dropped: "(Kayokwe, Mwaro)", "(Bungudu LGA, Zamfara)"."""
    texts = token_table(doc).words
    known = False
    part: list[str] = []
    for i in range(start, end + 1):
        if i < end and texts[i] != ",":
            word = texts[i]
            if word[:1].isupper() or word in ("-", "&", "'", "’"):
                part.append(word)
            elif word.lower() not in cue and word.lower() not in gazetteer.rules.articles:
                return False
            continue
        names = [w for w in part if not (w.isupper() and len(w) <= 3 and w.isalpha())] or part
        if not names:
            return False
        if not known:
            key = gazetteer.key(" ".join(names))
            known = key in learned or gazetteer.has_place_key(key)
        part = []
    return known


def _inside_longer_name(
    doc: Doc, start: int, end: int, words: ContextWords, found: Sequence[Span], *, articles: Iterable[str] = ()
) -> bool:
    """Whether capitalised words the gazetteer does not know wrap the name: a part of a longer proper name
    ("Boko Haram", "Mayi Mayi", "Tin Elebag"), not a place of its own; or the name goes on with a hyphen
    ("Qala-i-Barqi") or an article ("Jabal al-Zawiya")."""
    if end + 2 < len(doc):
        after, following = doc[end], doc[end + 1]
        # "Qala-i-Barqi": a lowercase link between hyphens ("Damascus-based" is an actor, found elsewhere).
        if after.text == "-" and not doc[end - 1].whitespace_ and following.is_lower and doc[end + 2].text == "-":
            return True
        if after.lower_ in articles and following.text == "-":
            return True

    def name_word(i: int) -> bool:
        if i < 0 or i >= len(doc) or not _capitalised(doc[i]):
            return False
        if i < start and doc[i].is_sent_start and doc[i].pos_ != "PROPN":
            return False  # capitalised only because it starts the sentence
        return doc[i].lower_ not in words.trim_words and doc[i].lower_ not in words.not_places

    before = start - 1
    if found and found[-1].end == start:
        before = -1  # the word before is a known place ("Idlib, Hama")
    # "Huanzantlan del Rio": a small linking word between capitalised words.
    if before >= 1 and doc[before].lower_ in words.name_links and name_word(before - 1):
        return True
    if end + 1 < len(doc) and doc[end].lower_ in words.name_links and name_word(end + 1):
        return True
    return name_word(before) or (end < len(doc) and doc[end].is_sent_start is not True and name_word(end))


def _capitalised(token: Token) -> bool:
    return _capitalised_text(token.text)


def _capitalised_text(text: str) -> bool:
    return (len(text) > 1 and text[0].isupper() and not text.isupper()) or (text.isupper() and len(text) > 3)


_NAME_POS = frozenset({"PROPN", "NOUN", "X", ""})


def _is_common_word(
    token: Token, lowercase: frozenset[str] = frozenset(), weapons: frozenset[str] = frozenset()
) -> bool:
    # Capitalised only because it starts a sentence, and tagged as a verb, adjective ... ("Reading the ..."), or
    # a noun the text also writes in lower case, or that qualifies a weapon ("Air raids kill ...", not "Migori
    # drivers riot").
    if not token.is_sent_start:
        return False
    if token.pos_ != "NOUN":
        return token.pos_ not in _NAME_POS
    return token.lower_ in lowercase or (token.dep_ == "compound" and token.head.lower_ in weapons)


class PlaceRuler:
    """spaCy component: writes candidate place mentions to `doc.spans[PLACE_SPANS]` (see `find_place_spans`).

    The gazetteer opens on first use (building it if needed); set `ruler.gazetteer` to share one already open.
    """

    def __init__(
        self,
        nlp: Language,
        name: str = "sitrep_place_ruler",
        *,
        gazetteer_path: str = "",
        focus_countries: Sequence[str] = (),
        min_population: int = 100_000,
        max_words: int = 5,
    ) -> None:
        self.nlp = nlp
        self.name = name
        self.gazetteer_path = gazetteer_path
        self.focus_countries = tuple(focus_countries)
        self.min_population = min_population
        self.max_words = max_words
        self._gazetteer: Gazetteer | None = None

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:
            self._gazetteer = Gazetteer.open(self.gazetteer_path or None)
        return self._gazetteer

    @gazetteer.setter
    def gazetteer(self, value: Gazetteer) -> None:
        self._gazetteer = value

    def __call__(self, doc: Doc) -> Doc:
        error_handler = self.get_error_handler()
        try:
            doc.spans[PLACE_SPANS] = find_place_spans(
                doc,
                gazetteer=self.gazetteer,
                focus_countries=self.focus_countries,
                min_population=self.min_population,
                max_words=self.max_words,
            )
        except Exception as e:
            error_handler(self.name, self, [doc], e)
        return doc

    def get_error_handler(self) -> Any:
        from spacy.util import raise_error

        return getattr(self, "_error_handler", raise_error)

    def set_error_handler(self, error_handler: Any) -> None:
        self._error_handler = error_handler


@Language.factory(
    "sitrep_place_ruler",
    assigns=["doc.spans"],
    default_config={"gazetteer_path": "", "focus_countries": [], "min_population": 100_000, "max_words": 5},
)
def make_place_ruler(
    nlp: Language,
    name: str,
    gazetteer_path: str,
    focus_countries: list[str],
    min_population: int,
    max_words: int,
) -> PlaceRuler:
    """Build the `sitrep_place_ruler` component (see `PlaceRuler`)."""
    return PlaceRuler(nlp, name, gazetteer_path=gazetteer_path, focus_countries=focus_countries,
                      min_population=min_population, max_words=max_words)  # fmt: skip
