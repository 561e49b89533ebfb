"""The ACLED taxonomy is defined once (data/event_types.yaml) and every view reads its disorder types from it."""

from __future__ import annotations

import pytest

from sitrep import taxonomy
from sitrep.models import Event
from sitrep.views.export import acled_row


@pytest.mark.parametrize(
    ("event_type", "sub_event_type", "disorder"),
    [
        ("Riots", "Violent demonstration", "Demonstrations"),
        ("Riots", "Mob violence", "Political violence"),
        ("Protests", "Excessive force against protesters", "Political violence; Demonstrations"),
        ("Battles", "Armed clash", "Political violence"),
    ],
)
def test_taxonomy_export_disorder_follows_sub_type(event_type: str, sub_event_type: str, disorder: str) -> None:
    assert taxonomy.disorder_type(event_type, sub_event_type) == disorder
    event = Event(event_id="e1", event_type=event_type, sub_event_type=sub_event_type)
    assert acled_row(event)["disorder_type"] == disorder


def test_taxonomy_export_mismatched_type_has_no_disorder_type() -> None:
    event = Event(event_id="e1", event_type="Riots", sub_event_type="Armed clash")
    assert acled_row(event)["disorder_type"] is None
