"""Tests of geocoding's weights as a data file: validated with errors that name the file, entry and field, written
back by the tuning script's writer unchanged, chosen by a registered strategy, and not a gazetteer build input."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from sitrep.errors import DataFileError, InputError
from sitrep.geo.gazetteer import DATA_DIR, Gazetteer, gazetteer_version
from sitrep.geo.resolve import resolve_places
from sitrep.geo.weights import (
    DEFAULT_SCORING,
    SCORING_FILE,
    ScoringWeights,
    dump_weights,
    load_weights,
    packaged_weights,
    scoring_weights,
)
from sitrep.nlp import blank_language
from sitrep.registry import geo_scoring
from sitrep.settings import Settings
from test_geocode_resolve import _build


def _write(tmp_path: Path, data: dict[str, object]) -> Path:
    path = tmp_path / "scoring.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_weights_packaged_file_is_what_the_tuning_writer_writes() -> None:
    weights = load_weights(SCORING_FILE)
    assert weights.feature["PCLI"] > weights.feature["PPLA2"]  # a country outranks a district seat
    text = SCORING_FILE.read_text(encoding="utf-8")
    assert dump_weights(weights, text) == text


def test_weights_written_file_reads_back_the_same_numbers_and_comments(tmp_path: Path) -> None:
    template = SCORING_FILE.read_text(encoding="utf-8")
    feature = {**packaged_weights().feature, "PPLC": 3.75}
    update = {"proximity": 1.5 * 0.75 * 2.0 / 3.0, "least_population": 250, "feature": feature}
    tuned = packaged_weights().model_copy(update=update)
    path = tmp_path / "scoring.yaml"
    path.write_text(dump_weights(tuned, template), encoding="utf-8")
    assert load_weights(path) == tuned
    comments = [line.partition("#")[2] for line in template.splitlines()]
    assert [line.partition("#")[2] for line in path.read_text(encoding="utf-8").splitlines()] == comments


def test_weights_writer_refuses_a_template_without_a_weight() -> None:
    template = "\n".join(line for line in SCORING_FILE.read_text(encoding="utf-8").splitlines()
                         if not line.startswith("famous_gap:"))  # fmt: skip
    with pytest.raises(ValueError, match="famous_gap"):
        dump_weights(packaged_weights(), template)


@pytest.mark.parametrize(
    ("change", "entry", "field"),
    [
        (lambda d: d.pop("qualifier"), "qualifier", "qualifier"),  # missing
        (lambda d: d.update(proximity="near"), "proximity", "proximity"),  # not a number
        (lambda d: d["feature"].update(PPLC="capital"), "feature", "PPLC"),  # one feature code's bonus
        (lambda d: d.update(typo_weight=1.0), "typo_weight", "typo_weight"),  # unknown
        (lambda d: d.update(part_radius_km=-5), "part_radius_km", "part_radius_km"),  # out of range
    ],
)
def test_weights_bad_entry_names_file_entry_and_field(tmp_path: Path, change: object, entry: str, field: str) -> None:
    data = yaml.safe_load(SCORING_FILE.read_text(encoding="utf-8"))
    change(data)  # type: ignore[operator]
    path = _write(tmp_path, data)
    with pytest.raises(DataFileError, match="E011") as caught:
        load_weights(path)
    message = str(caught.value)
    assert str(path) in message and f"entry {entry!r}" in message and f"field {field!r}" in message


def test_weights_not_a_mapping_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "scoring.yaml"
    path.write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="E012"):
        load_weights(path)


def test_weights_change_does_not_rebuild_the_gazetteer(tmp_path: Path) -> None:
    data = tmp_path / "gazetteer"
    shutil.copytree(DATA_DIR, data)
    before = gazetteer_version(data)
    scoring = data / "scoring.yaml"
    scoring.write_text(scoring.read_text(encoding="utf-8").replace("qualifier: 4.0", "qualifier: 5.0"))
    assert gazetteer_version(data) == before
    aliases = data / "aliases.csv"  # a build input does change the version
    aliases.write_text(aliases.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert gazetteer_version(data) != before


def test_weights_strategy_is_named_by_the_setting() -> None:
    assert scoring_weights(Settings()) is packaged_weights()
    assert scoring_weights(Settings(geocode_scoring=DEFAULT_SCORING)) == load_weights(SCORING_FILE)
    with pytest.raises(InputError, match=r"E028.*geocode_scoring.*sitrep\.geo_scoring\.weights\.v1"):
        scoring_weights(Settings(geocode_scoring="sitrep.geo_scoring.weights.v9"))


def test_weights_registered_strategy_changes_resolution(tmp_path: Path) -> None:
    gazetteer = Gazetteer(_build(tmp_path))
    nlp = blank_language()
    text = "Protesters marched in London, Ohio on Sunday."
    doc = nlp(text)
    start = text.index("London")
    spans = [(start, start + len("London")), (text.index("Ohio"), text.index("Ohio") + 4)]

    def london(settings: Settings) -> str:
        return resolve_places(doc, gazetteer=gazetteer, settings=settings, char_spans=spans)[0].country or ""

    assert london(Settings()) == "United States"  # the qualifier wins over the famous namesake
    blind = packaged_weights().model_copy(
        update={"qualifier": 0.0, "named_area": 0.0, "admin1_focus": 0.0, "country_focus": 0.0, "proximity": 0.0}
    )
    name = "tests.geo_scoring.no_context.v1"
    geo_scoring.register(name, func=lambda: blind)
    assert isinstance(scoring_weights(Settings(geocode_scoring=name)), ScoringWeights)
    assert london(Settings(geocode_scoring=name)) == "United Kingdom"  # with context weighing nothing, the bigger town
