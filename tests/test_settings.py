from __future__ import annotations

from pathlib import Path

import pytest

from sitrep.errors import InputError
from sitrep.settings import Settings, load_settings


def test_settings_defaults_have_help() -> None:
    for name, info in Settings.model_fields.items():
        assert info.description, f"setting {name} has no help"


def test_settings_order_file_then_environment_then_arguments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "sitrep.toml"
    config.write_text("fusion_radius_km = 5\nfetch_timeout = 3\nmin_text_chars = 7\n")
    monkeypatch.setenv("SITREP_FETCH_TIMEOUT", "4")
    monkeypatch.setenv("SITREP_MIN_TEXT_CHARS", "8")
    settings = load_settings(config, min_text_chars=9)
    assert (settings.fusion_radius_km, settings.fetch_timeout, settings.min_text_chars) == (5, 4, 9)


@pytest.mark.parametrize(
    ("content", "message"),
    [("no_such_setting = 1\n", "Unknown setting 'no_such_setting'"), ("fetch_timeout = 'soon'\n", "fetch_timeout")],
)
def test_settings_bad_file_is_an_error(tmp_path: Path, content: str, message: str) -> None:
    config = tmp_path / "sitrep.toml"
    config.write_text(content)
    with pytest.raises(InputError, match=message):
        load_settings(config)


def test_settings_unknown_environment_variable_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITREP_FUSION_RADIUS", "3")
    with pytest.raises(InputError, match="SITREP_FUSION_RADIUS"):
        load_settings()
