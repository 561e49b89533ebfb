"""Where Sitrep's packaged data files (actors, triggers, numbers, places ...) are."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import DataFileError, Errors, Warnings

logger = logging.getLogger(__name__)

ModelT = TypeVar("ModelT", bound=BaseModel)


def data_path(name: str) -> Path:
    """The path of a file under the package's `data/` folder."""
    return Path(str(resources.files("sitrep") / "data" / name))


@lru_cache(maxsize=128)
def phrase_pattern(phrases: tuple[str, ...], *, before: str = r"\b", after: str = r"\b") -> re.Pattern[str]:
    """One regex for any of a data file's phrases, compiled once: the longest first, so that "last night" wins
    over "night", between the `before` and `after` patterns; it never matches when there are no phrases.

    Args:
        phrases: The phrases, as written (escaped here).
        before: What must come just before a phrase (a word boundary by default).
        after: What must come just after it.
    """
    if not phrases:
        return re.compile(r"(?!)")
    ordered = sorted(phrases, key=len, reverse=True)
    return re.compile(before + "(?:" + "|".join(map(re.escape, ordered)) + ")" + after)


def read_yaml_mapping(file: Path) -> dict[str, Any]:
    """A YAML data file whose top level is a mapping: every data file is read by this one function, so all
    behave alike. An empty file warns (W001) and reads as an empty mapping; what it lacks is then reported by the
    validation of its entries.

    Raises:
        DataFileError: The file cannot be read or parsed, or is not a mapping.
    """
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise DataFileError(Errors.E012.format(path=file, reason=e)) from e
    if raw is None:
        logger.warning(Warnings.W001.format(path=file))
        return {}
    if not isinstance(raw, dict):
        raise DataFileError(Errors.E012.format(path=file, reason="the top level must be a mapping"))
    return raw


def entry_error(file: Path, error: ValidationError) -> DataFileError:
    """A validation error of a data file as a `DataFileError` naming the file, the entry and the field."""
    first = error.errors()[0]
    loc = [str(part) for part in first["loc"]]
    entry = loc[0] if loc else ""
    return DataFileError(
        Errors.E011.format(path=file, entry=entry, field=".".join(loc[1:]) or entry, reason=first["msg"])
    )


def read_data_model(file: Path, model: type[ModelT], *, prepare: Callable[[Any], Any] | None = None) -> ModelT:
    """A YAML data file validated into its pydantic model; `prepare` adjusts the raw mapping first.

    Raises:
        DataFileError: The file cannot be read, or an entry is malformed (naming the file, entry and field).
    """
    raw = read_yaml_mapping(file)
    try:
        return model.model_validate(prepare(raw) if prepare else raw)
    except ValidationError as e:
        raise entry_error(file, e) from e
