"""Documents: decode raw input, take the main text, title, date and outlet of a page, and find duplicates.

`to_document` returns `None` for input it cannot use, with the reason in `SkipReason`; a failed decode is data,
not a crash. Exact duplicates share an id (the hash of the normalised text); near duplicates are found by
MinHash over word shingles (`NearDuplicateIndex`).
"""

from __future__ import annotations

import codecs
import datetime as dt
import functools
import hashlib
import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import numpy as np
import trafilatura
from charset_normalizer import from_bytes
from datasketch import MinHash, MinHashLSH

from ..datafiles import data_path, read_yaml_mapping
from ..errors import DataFileError, Errors
from ..models import Document, RawDocument
from ..settings import Settings
from .sources import clean_metadata, clean_str

logger = logging.getLogger(__name__)

# Stored signatures are only comparable under the scheme that made them; name it rather than rely on a default.
MINHASH_SCHEME = "affine32"
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_WORD = re.compile(r"\w+", re.UNICODE)
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


@dataclass(frozen=True)
class Skip:
    """Why a raw document gave no document: a reason from a fixed set, and a message for people."""

    reason: str  # one of: failed, empty_text, not_english, duplicate
    message: str


def to_document(raw: RawDocument, *, settings: Settings) -> Document | Skip:
    """Turn one raw document into a clean `Document`, or say why not.

    Args:
        raw: What a source yielded.
        settings: The minimum main-text length.

    Returns:
        The document, or a `Skip` with its reason.
    """
    if raw.error:
        return Skip("failed", raw.error)
    # Every reader caps its input, but a caller's own RawDocument (Pipeline.extract, the API) may not have.
    if len(raw.content) > settings.max_document_bytes:
        size, limit = len(raw.content), settings.max_document_bytes
        return Skip("failed", Errors.E004.format(source=raw.source, size=size, limit=limit))
    if _is_binary(raw.content):
        return Skip("failed", Errors.E005.format(source=raw.source))
    title, outlet, published = raw.title, raw.outlet, raw.published
    if raw.media_type == "html":
        text, meta = html_main_text(raw.content, url=raw.url, settings=settings)
        title = title or meta.get("title")
        outlet = outlet or meta.get("sitename")
        published = published or _date_or_none(meta.get("date"))
    else:
        text = decode_text(raw.content)
    text = normalise_text(text)
    if len(text) > settings.max_text_chars:
        return Skip("failed", Errors.E027.format(source=raw.source, size=len(text), limit=settings.max_text_chars))
    # A page shorter than the minimum is navigation or an error page; plain text given to us is the text.
    minimum = settings.min_text_chars if raw.media_type == "html" else 1
    if len(text) < minimum or not _WORD.search(text):
        return Skip("empty_text", f"{raw.source}: no main text ({len(text)} characters after extraction)")
    language = guess_language(text)
    if language != "en":
        return Skip("not_english", f"{raw.source}: the text is not English")
    return Document(
        id=document_id(text),
        source=clean_str(raw.source),
        input_id=clean_metadata(raw.input_id),
        url=clean_metadata(raw.url),
        outlet=clean_metadata(outlet),
        title=clean_metadata(title),
        published=published,
        language=language,
        text=text,
    )


def decode_text(content: bytes) -> str:
    """Decode bytes: UTF-8 (or UTF-16/32 by their byte-order mark) when they are, else Windows-1252.

    English news that is not UTF-8 is nearly always Windows-1252 or Latin-1; a statistical detector guesses
    worse on short, mostly-ASCII texts, so it is only the last resort for bytes that cp1252 cannot decode.
    """
    for bom, codec in _BOMS:
        if content.startswith(bom):
            return content.decode(codec, errors="replace")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError:
        best = from_bytes(content).best()
        return str(best) if best is not None else content.decode("latin-1")


def html_main_text(content: bytes, *, url: str | None, settings: Settings) -> tuple[str, dict[str, str]]:
    """The main text of a page and its metadata (title, sitename, date), without navigation or comments.

    trafilatura decides what the article is; when it finds too little (odd layouts), its baseline extractor,
    which keeps all paragraph text, is the fallback.
    """
    html = decode_html(content)
    meta: dict[str, str] = {}
    text = ""
    try:
        result = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=False, favor_precision=True
        )
    # trafilatura's own failure modes on malformed trees; htmldate, which it calls for the date, also trips an
    # lxml `assert` on some (e.g. "<svg><s/><g>"), so that is a malformed page too, not a bug of ours.
    except (TypeError, ValueError, AssertionError) as e:
        logger.debug("trafilatura failed on %s: %s", url, e)
        result = None
    if isinstance(result, trafilatura.settings.Document):
        text = result.text or ""
        meta = {k: str(v) for k in ("title", "sitename", "date") if (v := getattr(result, k, None))}
    if len(text) < settings.min_text_chars:
        _, baseline_text, _ = trafilatura.baseline(html)
        if len(baseline_text) > len(text):
            text = baseline_text
    # Each line is a block of the page (a headline, a paragraph): a blank line keeps a headline with no full stop
    # from running into the first sentence.
    return "\n\n".join(line for line in text.splitlines() if line.strip()), meta


def decode_html(content: bytes) -> str:
    """Decode a page by its declared charset, else as UTF-8, else by detection."""
    head = content[:4096].decode("ascii", errors="ignore").lower()
    declared = re.search(r"charset=[\"']?([a-z0-9_\-]+)", head)
    if declared:
        try:
            return content.decode(declared.group(1))
        except (LookupError, ValueError):  # UnicodeError too: "punycode" and "undefined" raise it, not a decode error
            pass
    return decode_text(content)


def normalise_text(text: str) -> str:
    """NFC, one space between words, paragraphs separated by one blank line, no control characters."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    if not text.isprintable():  # a printable text has no control or format characters to drop
        text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


# A sentence ends at a full stop, question or exclamation mark before a space; shorter pieces may be an abbreviation's
# ("U.S.") and are never dropped as repeats.
_SENTENCE_END = re.compile(r"(?<=[.!?]) ")
MIN_REPEATED_CHARS = 40


def without_repeats(text: str) -> str:
    """The text with every later copy of a sentence dropped (case and spacing folded), or the text itself when no
    sentence repeats.

    A page that repeats a sentence thousands of times (a broken template, spam) says it once: stored and read once,
    it is one claim, not thousands, and costs one sentence's reading.
    """
    seen: set[str] = set()
    paragraphs: list[str] = []
    dropped = False
    for paragraph in text.split("\n\n"):
        kept: list[str] = []
        for sentence in _SENTENCE_END.split(paragraph):
            key = " ".join(_WORD.findall(sentence.casefold()))
            if len(sentence) >= MIN_REPEATED_CHARS and key in seen:
                dropped = True
                continue
            seen.add(key)
            kept.append(sentence)
        if kept:
            paragraphs.append(" ".join(kept))
    return "\n\n".join(paragraphs) if dropped else text


def document_id(text: str) -> str:
    """The document's id: a hash of its text with case and spacing folded, so trivial copies share it."""
    key = " ".join(_WORD.findall(text.casefold()))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


def guess_language(text: str) -> str | None:
    """'en' when English function words (`data/languages.yaml`) are common enough and no other language listed
    there has more words of its own, else `None` (unknown or other).

    Headlines and one-line notes ("Garre militia attacks Murle village") have few function words, so a short
    text in Latin letters counts as English unless another language's words outnumber English ones, or it has
    none while being long enough to have some.
    """
    written = _WORD.findall(text[:5000])
    words = [w.lower() for w in written]
    if not words:
        return None
    english = sum(w in function_words()["en"] for w in words)
    # Only another language's own words, written in lower case: "Al" and "De" start names in English news.
    lowered = [w for w in written if w.islower()]
    foreign = max((sum(w in own for w in lowered) for own in _foreign_words()), default=0)
    if foreign > english:
        return None
    share = english / len(words)
    if len(words) >= 30:
        return "en" if share >= 0.05 else None
    letters = [ch for ch in text if ch.isalpha()]
    latin = sum(ch.isascii() for ch in letters) / max(1, len(letters))
    return "en" if latin >= 0.9 and (share > 0 or len(words) < 12) else None


@functools.cache
def function_words() -> dict[str, frozenset[str]]:
    """Each language's function words, from `data/languages.yaml`.

    Raises:
        DataFileError: The file is unreadable or a language's words are not a list of words.
    """
    path = data_path("languages.yaml")
    out = {}
    for language, words in read_yaml_mapping(path).items():
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            raise DataFileError(
                Errors.E011.format(path=path, entry=language, field=language, reason="must be a list of words")
            )
        out[str(language)] = frozenset(w.lower() for w in words)
    if "en" not in out:
        raise DataFileError(Errors.E011.format(path=path, entry="en", field="en", reason="English is required"))
    return out


@functools.cache
def _foreign_words() -> tuple[frozenset[str], ...]:
    """Each other language's function words that English does not share."""
    vocabularies = function_words()
    return tuple(words - vocabularies["en"] for language, words in vocabularies.items() if language != "en")


def _is_binary(content: bytes) -> bool:
    if any(content.startswith(bom) for bom, _ in _BOMS):
        return False
    sample = content[:4096]
    if b"\x00" in sample:
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return bool(sample) and controls / len(sample) > 0.05


_CONTROL_BYTES = bytes(b for b in range(32) if b < 9 or b > 13)  # control bytes other than tab and line breaks


def _date_or_none(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


class NearDuplicateIndex:
    """MinHash LSH over word shingles: which stored document, if any, a new text nearly repeats."""

    def __init__(self, *, settings: Settings) -> None:
        self._settings = settings
        self._lsh = MinHashLSH(threshold=settings.near_duplicate_jaccard, num_perm=settings.minhash_permutations)
        self._hashes: dict[str, MinHash] = {}

    def signature(self, text: str) -> MinHash:
        """The MinHash of a text's word shingles."""
        words = _WORD.findall(text.casefold())
        n = self._settings.shingle_words
        shingles = {" ".join(words[i : i + n]) for i in range(max(1, len(words) - n + 1))}
        minhash = MinHash(num_perm=self._settings.minhash_permutations, scheme=MINHASH_SCHEME)
        minhash.update_batch([s.encode("utf-8") for s in shingles])
        return minhash

    def add(self, document_id: str, minhash: MinHash) -> None:
        """Index a document's signature (once)."""
        if document_id not in self._hashes:
            self._lsh.insert(document_id, minhash)
            self._hashes[document_id] = minhash

    def remove(self, document_id: str) -> None:
        """Forget a document (a copy ranked before it replaced it)."""
        if self._hashes.pop(document_id, None) is not None:
            self._lsh.remove(document_id)

    def add_serialized(self, document_id: str, data: bytes) -> None:
        """Index a signature stored by `serialize`."""
        self.add(document_id, deserialize(data, num_perm=self._settings.minhash_permutations))

    def find_all(self, minhash: MinHash) -> list[tuple[str, float]]:
        """Every indexed document at or above the threshold, with its estimated Jaccard, by key."""
        found = ((key, float(minhash.jaccard(self._hashes[key]))) for key in self._lsh.query(minhash))
        return sorted((key, s) for key, s in found if s >= self._settings.near_duplicate_jaccard)

    def find(self, minhash: MinHash) -> tuple[str, float] | None:
        """The most similar indexed document at or above the threshold, with its estimated Jaccard."""
        best: tuple[str, float] | None = None
        for candidate in self._lsh.query(minhash):
            similarity = float(minhash.jaccard(self._hashes[candidate]))
            if similarity >= self._settings.near_duplicate_jaccard and (best is None or similarity > best[1]):
                best = (candidate, similarity)
        return best


def serialize(minhash: MinHash) -> bytes:
    """The hash values of a MinHash as bytes, to store beside the document."""
    return bytes(minhash.hashvalues.astype("<u8").tobytes())


def deserialize(data: bytes, *, num_perm: int) -> MinHash:
    """Rebuild a MinHash from `serialize`'s bytes."""
    values = np.frombuffer(data, dtype="<u8")
    return MinHash(num_perm=num_perm, hashvalues=values, permutations=_permutations(num_perm), scheme=MINHASH_SCHEME)


@functools.cache
def _permutations(num_perm: int) -> Any:
    """The scheme's permutations, made once: building them for every stored signature took most of the index's load."""
    return MinHash(num_perm=num_perm, scheme=MINHASH_SCHEME).permutations
