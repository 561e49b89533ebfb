"""Every command and setting is documented, and the generated reference is up to date."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

import docs  # noqa: E402 - from scripts/, not a package


@pytest.mark.parametrize("path", docs.command_paths(), ids=lambda p: " ".join(p))
def test_docs_every_command_has_help_and_example(path: list[str]) -> None:
    from typer.testing import CliRunner

    from sitrep.views.cli import app

    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0
    if len(path) > 1 or path[0] not in {"gazetteer"}:
        assert "Example:" in result.output, f"sitrep {' '.join(path)} has no Example: in its help"


def test_docs_reference_is_current() -> None:
    assert (REPO / "docs" / "cli.md").read_text() == docs.cli_markdown(), "run scripts/docs.py"
    assert (REPO / "docs" / "settings.md").read_text() == docs.settings_markdown(), "run scripts/docs.py"
