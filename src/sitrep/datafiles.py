"""Where Sitrep's packaged data files (actors, triggers, numbers, places ...) are."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def data_path(name: str) -> Path:
    """The path of a file under the package's `data/` folder."""
    return Path(str(resources.files("sitrep") / "data" / name))
