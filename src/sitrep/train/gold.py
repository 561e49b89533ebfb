"""Gold data shared by training and evaluation: the held-out splits, and the CASE 2021 task 2 file with its code map.

Training and `sitrep eval` read the same files through these functions only, so that they split and parse them alike.
"""

from __future__ import annotations

import csv
import functools
import hashlib
from pathlib import Path

from ..datafiles import data_path, read_yaml_mapping
from ..errors import DataFileError, Errors, InputError
from ..taxonomy import NO_EVENT, load_taxonomy

CASE_CODES_FILE = data_path("training") / "case2021_codes.yaml"
CASE_COLUMNS = frozenset({"id", "EventSnippet", "SubType"})


def is_held_out(row_id: str) -> bool:
    """Whether an ACLED row belongs to the held-out fifth that no model trains on (shared by all tools).

    Args:
        row_id: The row's `event_id_cnty`.

    Returns:
        True for held-out rows.
    """
    return int(hashlib.sha1(row_id.encode()).hexdigest(), 16) % 5 == 0


def is_case_held_out(snippet_id: str) -> bool:
    """Whether a CASE 2021 task 2 snippet is in the half kept for evaluation (the other half is trained on).

    Args:
        snippet_id: The snippet's `id` column.

    Returns:
        True for evaluation snippets.
    """
    return int(hashlib.sha1(("case:" + snippet_id).encode()).hexdigest(), 16) % 2 == 0


def is_article_held_out(article_id: str) -> bool:
    """Whether an article (FA-KES) or sentence (IndiaPoliceEvents) of the real-prose gold is in the half kept for
    reporting; the other half is the one to look at and tune on.

    Args:
        article_id: The FA-KES `unit_id`, or an IndiaPoliceEvents sentence's "file:line".

    Returns:
        True for held-out articles.
    """
    return int(hashlib.sha1(("article:" + article_id).encode()).hexdigest(), 16) % 2 == 0


@functools.lru_cache(maxsize=1)
def case_codes() -> dict[str, str | None]:
    """CASE 2021 task 2 codes to ACLED sub-event types (`data/training/case2021_codes.yaml`); `None` for the five
    codes outside ACLED's taxonomy, which must give no event.

    Raises:
        DataFileError: The file is unreadable, or a code names no ACLED sub-type.
    """
    data = read_yaml_mapping(CASE_CODES_FILE)
    taxonomy = load_taxonomy()
    out: dict[str, str | None] = {}
    for code, sub in data.items():
        if sub is not None and str(sub) not in taxonomy.event_type:
            raise DataFileError(
                Errors.E011.format(
                    path=CASE_CODES_FILE, entry=code, field="sub_event_type", reason="not an ACLED sub-type"
                )
            )
        out[str(code)] = None if sub is None else str(sub)
    return out


def case_label(code: str) -> str:
    """The ACLED sub-event type for a CASE 2021 task 2 code, or `NO_EVENT` for the 5 non-ACLED types.

    Args:
        code: A CASE code ("AIR_STRIKE", "NATURAL_DISASTER").

    Returns:
        The ACLED sub-event type or `NO_EVENT`.

    Raises:
        InputError: An unknown code.
    """
    codes = case_codes()
    if code not in codes:
        raise InputError(Errors.E093.format(code=code))
    return codes[code] or NO_EVENT


def read_case_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a CASE 2021 task 2 file: tab-separated id, EventSnippet, SubType, with no quoting (a snippet's
    quotation marks are its own), the code stripped of blanks.

    Raises:
        InputError: The file cannot be read or lacks a column.
    """
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            if not set(reader.fieldnames or ()) >= CASE_COLUMNS:
                raise InputError(Errors.E003.format(source=path, reason="expected columns id, EventSnippet, SubType"))
            rows = list(reader)
    except OSError as e:
        raise InputError(Errors.E003.format(source=path, reason=e)) from e
    for row in rows:
        row["SubType"] = (row["SubType"] or "").strip()
    return rows
