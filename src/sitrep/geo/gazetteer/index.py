"""The gazetteer's compact indexes, stored in its file: a filter of its name keys (so most words that are no
place never reach SQLite) and per-country lists of keys for fuzzy matching."""

from __future__ import annotations

import hashlib
import sqlite3
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy

from .schema import SRC_DEMONYM

UNKNOWN_KEY, DEMONYM_KEY, PLACE_KEY = 0, 1, 2


def key_hash(key: str) -> int:
    """A key's 64-bit hash for the key filter (stable across processes, unlike `hash`)."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "little")


def write_key_filter(conn: sqlite3.Connection) -> None:
    """Store the hash of every name key, sorted, and beside each whether a place, area or country (not only a
    demonym) has that key: `Gazetteer` reads them to answer most key checks without a query.

    Args:
        conn: The gazetteer file, open for writing.
    """
    # A file of an older schema (opened without rebuilding) gets the table when places are added to it.
    conn.execute("CREATE TABLE IF NOT EXISTS key_filter(part TEXT PRIMARY KEY, data BLOB NOT NULL) WITHOUT ROWID")
    keys = conn.execute("SELECT key, MAX(src != ?) FROM names GROUP BY key", (SRC_DEMONYM,)).fetchall()
    hashes = numpy.fromiter((key_hash(key) for key, _place in keys), dtype=numpy.uint64, count=len(keys))
    flags = numpy.fromiter((place for _key, place in keys), dtype=numpy.uint8, count=len(keys))
    order = numpy.argsort(hashes, kind="stable")
    parts = {"hashes": hashes[order].astype("<u8").tobytes(), "place": flags[order].tobytes()}
    conn.executemany("INSERT OR REPLACE INTO key_filter VALUES (?, ?)", parts.items())


def read_key_filter(conn: sqlite3.Connection) -> tuple[array[int], bytes, array[int]] | None:
    """The key filter of `write_key_filter`: the sorted hashes, the place flags, and where each bucket of hashes
    with the same top 16 bits begins (65,537 offsets); None for a file without one."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'key_filter'").fetchone() is None:
        return None
    parts = dict(conn.execute("SELECT part, data FROM key_filter").fetchall())
    if "hashes" not in parts or "place" not in parts:
        return None
    sorted_hashes = numpy.frombuffer(parts["hashes"], dtype="<u8")
    bounds = numpy.arange(1 << 16, dtype=numpy.uint64) << numpy.uint64(48)
    buckets = numpy.append(numpy.searchsorted(sorted_hashes, bounds), len(sorted_hashes)).astype(numpy.int64)
    # array.array: its items read as Python ints, several times faster than a numpy array's one by one.
    hashes, offsets = array("Q"), array("q")
    hashes.frombytes(sorted_hashes.astype(numpy.uint64).tobytes())
    offsets.frombytes(buckets.tobytes())
    return hashes, bytes(parts["place"]), offsets


def file_version(path: Path) -> str | None:
    if not path.exists():
        return None
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
    except sqlite3.Error:
        return None
    return str(row[0]) if row else None


# -- building ----------------------------------------------------------------------------------------------


def write_fuzzy_lists(conn: sqlite3.Connection, countries: Iterable[str] | None = None) -> None:
    """Store each country's names for fuzzy matching as one row, so that a country's list loads in one read.

    Reading a country's names row by row cost up to 0.1 s (the United States has 117,000); most documents meet
    countries the process has not met yet, so that was paid again and again. The list under "" is the one for
    names without a country: places big enough to be named abroad, and all areas.

    Args:
        conn: The gazetteer file, open for writing.
        countries: Only these countries (and ""), after `add_places`; all by default.
    """
    if countries is None:
        countries = [row[0] for row in conn.execute("SELECT DISTINCT country FROM names")]
    for iso in {*countries, ""}:
        if iso:
            rows = conn.execute(
                "SELECT key, kind, ref FROM names WHERE country = ? AND src != ?", (iso, SRC_DEMONYM)
            ).fetchall()
        else:
            rows = conn.execute(
                "SELECT n.key, n.kind, n.ref FROM names n LEFT JOIN places p ON n.kind = 0 AND p.geonameid = n.ref"
                " WHERE n.src != ? AND (n.kind != 0 OR p.population >= 100000)",
                (SRC_DEMONYM,),
            ).fetchall()
        refs = array("q", [number for _key, kind, ref in rows for number in (kind, ref)])
        keys = "\n".join(key for key, _kind, _ref in rows)
        conn.execute("INSERT OR REPLACE INTO fuzzy_lists VALUES (?, ?, ?)", (iso, keys, refs.tobytes()))


@dataclass(frozen=True)
class FuzzyList:
    """One country's names for fuzzy matching, as stored: their keys in one text, one a line, and (kind, ref) of each
    as a flat array (key i is entry (refs[2i], refs[2i+1])). A key is cut from the text only when it is scored: the
    filter of `Gazetteer._fuzzy` reads each key's length and the set of its characters as bits (`letters` is None
    when a key is not ASCII), and lets a few in a thousand through. Hundreds of thousands of keys as separate
    strings took seconds to make and 70 MB."""

    text: str
    refs: array[int]
    starts: numpy.ndarray
    lengths: numpy.ndarray
    letters: numpy.ndarray | None

    @property
    def size(self) -> int:
        """The number of keys."""
        return len(self.starts)

    def key(self, i: int) -> str:
        """The i-th key."""
        start = int(self.starts[i])
        return self.text[start : start + int(self.lengths[i])]


# Each byte as one bit of 64 (two characters may share one: the filter then only passes more keys); a newline,
# which separates the stored keys, as none.
_LETTER_BITS = numpy.left_shift(numpy.uint64(1), numpy.arange(256, dtype=numpy.uint64) % numpy.uint64(64))
_LETTER_BITS[ord("\n")] = 0


def letter_set(key: str) -> numpy.uint64:
    """The bits of an ASCII key's characters, as `_LETTER_BITS` gives them."""
    codes = numpy.frombuffer(key.encode("ascii"), dtype=numpy.uint8)
    return numpy.bitwise_or.reduce(_LETTER_BITS[codes], initial=numpy.uint64(0))


def unpack_fuzzy_list(keys: str, refs: bytes) -> FuzzyList:
    numbers = array("q")
    numbers.frombytes(refs)
    if not keys:
        empty = numpy.zeros(0, dtype=numpy.int64)
        return FuzzyList(keys, numbers, empty, empty, None)
    if keys.isascii():
        # Each key with the newline after it (a final one added): never an empty slice for reduceat.
        data = numpy.frombuffer((keys + "\n").encode("ascii"), dtype=numpy.uint8)
        ends = numpy.flatnonzero(data == ord("\n"))
        starts = numpy.concatenate(([0], ends[:-1] + 1))
        letters = numpy.bitwise_or.reduceat(_LETTER_BITS[data], starts)
        return FuzzyList(keys, numbers, starts, ends - starts, letters)
    lengths = numpy.fromiter(map(len, keys.split("\n")), dtype=numpy.int64)
    starts = numpy.concatenate(([0], numpy.cumsum(lengths[:-1] + 1)))
    return FuzzyList(keys, numbers, starts, lengths, None)
