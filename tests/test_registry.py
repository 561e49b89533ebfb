from __future__ import annotations

from collections.abc import Sequence

import pytest

from sitrep.errors import InputError
from sitrep.fuse.fusion import fuse_reports
from sitrep.registry import fatality_rules, resolve
from sitrep.settings import Settings


@pytest.mark.parametrize(
    ("name", "stated", "best"),
    [
        ("sitrep.fatalities.lowest_stated.v1", [12, 3, 40], 3),
        ("sitrep.fatalities.lowest_stated.v1", [], 0),
        ("sitrep.fatalities.median_stated.v1", [12, 3, 40], 12),
        ("sitrep.fatalities.median_stated.v1", [3, 12], 3),
        ("sitrep.fatalities.median_stated.v1", [], 0),
    ],
)
def test_registry_fatality_rules(name: str, stated: list[int], best: int) -> None:
    assert resolve(fatality_rules, name, setting="fatality_rule")(stated) == best


def test_registry_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(InputError, match=r"E028.*fatality_rule.*sitrep\.fatalities\.lowest_stated\.v1"):
        resolve(fatality_rules, "sitrep.fatalities.lowest.v9", setting="fatality_rule")


def test_registry_unknown_rule_stops_fusion_before_it_starts() -> None:
    with pytest.raises(InputError, match="E028"):
        fuse_reports([], settings=Settings(fatality_rule="nope"))


def test_registry_accepts_a_rule_registered_elsewhere() -> None:
    name = "tests.fatalities.highest_stated.v1"

    @fatality_rules.register(name)
    def highest(stated: Sequence[int]) -> int:
        return max(stated, default=0)

    assert resolve(fatality_rules, name, setting="fatality_rule")([2, 9]) == 9
