"""Name keys: how a place name as the news writes it ("al-Bab", "Idleb", "Ma'arrat") is folded into the key that
all its spellings share, by the rules of `data/gazetteer/names.yaml`."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ...datafiles import read_yaml_mapping
from ...errors import DataFileError, Errors
from .schema import DATA_DIR

# Apostrophe-like marks vanish ("Ma'arrat" -> "maarrat"); other punctuation separates words.
_APOSTROPHES = "'`´‘’ʻʼʽʾʿ′ˈ"
_SPECIAL: dict[int, str] | None = None  # the fold table: names.yaml's special letters, apostrophes dropped
_COMBINING = re.compile(r"[\u0300-\u036f]")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def plain_name(text: str) -> str:
    """Lowercase, fold diacritics, drop apostrophes and turn other punctuation into spaces.

    Args:
        text: A place name as written.

    Returns:
        The plain form ("Ma'arrat al-Nu'mān" -> "maarrat al numan"), or "" when the name is not in Latin script.
    """
    s = text.casefold()
    special = _SPECIAL if _SPECIAL is not None else _special_letters()
    if not s.isascii():
        s = _COMBINING.sub("", unicodedata.normalize("NFKD", s)).translate(special)
        if not s.isascii():
            return ""
    else:
        s = s.translate(special)
    return " ".join(_NON_WORD.split(s)).strip()


def _special_letters(path: Path | None = None) -> dict[int, str]:
    """Load `special_letters` of names.yaml (letters NFKD leaves whole: ə, ł, ø ...) into the fold table.

    Raises:
        DataFileError: An entry is not one lowercase letter mapped to ASCII letters.
    """
    global _SPECIAL
    path = path or DATA_DIR / "names.yaml"
    letters = read_yaml_mapping(path).get("special_letters") or {}
    if not isinstance(letters, dict):
        raise DataFileError(Errors.E011.format(path=path, entry="special_letters", field="special_letters",
                                               reason="give a mapping of letter: ascii letters"))  # fmt: skip
    table = {ord(c): "" for c in _APOSTROPHES}
    for letter, ascii_form in letters.items():
        if not (isinstance(letter, str) and len(letter) == 1 and isinstance(ascii_form, str)
                and ascii_form.isascii() and ascii_form.isalpha()):  # fmt: skip
            raise DataFileError(Errors.E011.format(path=path, entry=letter, field="special_letters",
                                                   reason="give one letter and its ASCII letters"))  # fmt: skip
        table[ord(letter.lower())] = ascii_form.lower()
    _SPECIAL = table
    return table


@dataclass(frozen=True)
class NameRules:
    """The spelling rules that turn a name into its matching key (loaded from `names.yaml`)."""

    articles: frozenset[str]
    sun_letters: tuple[str, ...]
    word_variants: dict[str, str]
    letter_rules: tuple[tuple[re.Pattern[str], str], ...]
    admin_words: frozenset[str]
    _word_cache: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def key(self, text: str) -> str:
        """The matching key of a name: plain form, articles dropped, spelling variants unified, no spaces."""
        return self.key_from_plain(plain_name(text))

    def key_from_plain(self, plain: str) -> str:
        """The matching key of an already plain name (see `plain_name`)."""
        words = plain.split()
        out: list[str] = []
        for i, word in enumerate(words):
            if i + 1 < len(words) and self._is_article(word, words[i + 1]):
                continue
            out.append(self._word(word))
        return "".join(out)

    def strip_admin_words(self, plain: str) -> str:
        """A plain admin-area name without its level words ("hama governorate" -> "hama")."""
        words = [w for w in plain.split() if w not in self.admin_words]
        return " ".join(words)

    def _is_article(self, word: str, following: str) -> bool:
        if word in self.articles:
            return True
        if len(word) >= 2 and word[0] in "ae":
            letters = word[1:]
            return letters in self.sun_letters and following.startswith(letters)
        return False

    def _word(self, word: str) -> str:
        cached = self._word_cache.get(word)
        if cached is not None:
            return cached
        out = self.word_variants.get(word, word)
        for pattern, repl in self.letter_rules:
            out = pattern.sub(repl, out)
        if len(self._word_cache) < 500_000:
            self._word_cache[word] = out
        return out


def load_name_rules(path: str | Path | None = None) -> NameRules:
    """Load and validate the spelling rules of the matching key.

    Args:
        path: A YAML file like `data/gazetteer/names.yaml` (the default).

    Returns:
        The rules.

    Raises:
        DataFileError: The file cannot be read or an entry is malformed.
    """
    path = Path(path) if path else DATA_DIR / "names.yaml"
    data = read_yaml_mapping(path)
    variants: dict[str, str] = {}
    for target, spellings in (data.get("word_variants") or {}).items():
        if not isinstance(spellings, list) or not all(isinstance(s, str) for s in spellings):
            raise DataFileError(Errors.E011.format(path=path, entry=target, field="word_variants",
                                                   reason="give a list of spellings"))  # fmt: skip
        for spelling in spellings:
            variants[plain_name(spelling)] = plain_name(str(target))
    rules: list[tuple[re.Pattern[str], str]] = []
    for i, rule in enumerate(data.get("letter_rules") or []):
        if not (isinstance(rule, list) and len(rule) == 2 and all(isinstance(r, str) for r in rule)):
            raise DataFileError(Errors.E011.format(path=path, entry=i, field="letter_rules",
                                                   reason="give [pattern, replacement]"))  # fmt: skip
        try:
            rules.append((re.compile(rule[0]), rule[1]))
        except re.error as e:
            raise DataFileError(Errors.E011.format(path=path, entry=rule[0], field="letter_rules",
                                                   reason=f"bad regular expression: {e}")) from e  # fmt: skip
    for name in ("articles", "sun_letters", "admin_words"):
        value = data.get(name) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise DataFileError(Errors.E011.format(path=path, entry=name, field=name, reason="give a list of words"))
    return NameRules(
        articles=frozenset(plain_name(a) for a in data.get("articles") or []),
        sun_letters=tuple(sorted({plain_name(s) for s in data.get("sun_letters") or []}, key=len, reverse=True)),
        word_variants=variants,
        letter_rules=tuple(rules),
        admin_words=frozenset(plain_name(a) for a in data.get("admin_words") or []),
    )


def ascii_name(name: str) -> str:
    """A display form of a name in plain ASCII letters, keeping case and word breaks ("Ḩamāh" -> "Hamah")."""
    folded = unicodedata.normalize("NFKD", name).translate(_SPECIAL if _SPECIAL is not None else _special_letters())
    text = "".join(c for c in folded if not unicodedata.combining(c))
    return text if text.isascii() else name
