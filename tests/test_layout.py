"""The package's layout shows the flow: no stage imports a later one, and no module outgrows a room (docs/layout.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "sitrep"
GROUND = "ground"
# What each stage may import besides itself. `store` keeps what every stage makes, so it knows only the data model;
# `train` and the views sit on top.
ALLOWED: dict[str, set[str]] = {
    GROUND: set(),
    "store": {GROUND},
    "ingest": {GROUND},
    "geo": {GROUND},
    "read": {GROUND, "geo"},
    "fuse": {GROUND, "geo", "read"},
    "control": {GROUND, "geo", "read", "fuse", "store"},
    "run": {GROUND, "store", "ingest", "geo", "read", "fuse", "control"},
    "train": {GROUND, "store", "ingest", "geo", "read", "fuse", "control", "run"},
    "views": {GROUND, "store", "ingest", "geo", "read", "fuse", "control", "run", "train"},
}
MAX_LINES = 800
ENTRY_POINTS = {"__init__.py", "__main__.py"}  # the package's own doors: `Pipeline` and `python -m sitrep`


def _stage(module: str) -> str:
    """The stage of a dotted module name under `sitrep` ("sitrep.read.dates" -> "read")."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[1] in ALLOWED else GROUND


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module) of every `sitrep` import in a file, including those inside functions."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            names = [f"{target}.{alias.name}" for alias in node.names] if node.module is None else [target]
            found += [(node.lineno, name) for name in names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return [(line, name) for line, name in found if name == "sitrep" or name.startswith("sitrep.")]


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def test_layout_no_stage_imports_a_later_one() -> None:
    wrong = []
    for path in _modules():
        if path.parent == PACKAGE and path.name in ENTRY_POINTS:
            continue
        here = _stage(".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts))
        for line, target in _imports(path):
            there = _stage(target)
            if there != here and there not in ALLOWED[here]:
                wrong.append(f"{path.relative_to(PACKAGE)}:{line} ({here}) imports {target} ({there})")
    assert wrong == []


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_layout_no_module_over_800_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE)} has {lines} lines: split it by concern"
