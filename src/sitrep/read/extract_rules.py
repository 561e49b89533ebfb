"""The reading stage's own data files: `data/extract.yaml` (its word lists) and `data/default_actors.yaml` (ACLED's
generic actors and role rules by event type, and the conventions of one country and period)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from ..datafiles import data_path, read_data_model, read_yaml_mapping
from ..errors import DataFileError, Errors
from ..taxonomy import change_of_hands_sub_types, type_of
from .triggers import Label

# The sub-types whose actor1 gained a place (the losing verbs of extract.yaml swap the sides), and among them the
# takeovers by battle, from which a sentence's fighting is split off as an armed clash.
CHANGES_OF_HANDS = frozenset(change_of_hands_sub_types())
BATTLE_TAKEOVERS = frozenset(s for s in CHANGES_OF_HANDS if type_of(s) == "Battles")


class ExtractRules(BaseModel):
    """`data/extract.yaml`: the word lists of this stage."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fighting_lemmas: frozenset[str]
    speech_verbs: frozenset[str]
    perpetrator_kinds: frozenset[str]
    leader_verbs: frozenset[str]
    unknown_actor: str
    state_takeover: str
    non_state_takeover: str
    loss_lemmas: frozenset[str]
    death_lemmas: frozenset[str]
    support_verbs: frozenset[str]
    blame_verbs: frozenset[str]
    event_nouns: frozenset[str]
    anaphoric_sub_types: frozenset[str]
    stretch_words: frozenset[str]
    one_demonstration_types: frozenset[str]
    incidental_sub_types: frozenset[str]

    @property
    def changes_of_hands(self) -> frozenset[str]:
        """The sub-types whose actor1 gained a place: control.yaml's one list, not this file's."""
        return CHANGES_OF_HANDS

    @property
    def battle_takeovers(self) -> frozenset[str]:
        """The takeovers by battle, from which a sentence's fighting is split off as an armed clash."""
        return BATTLE_TAKEOVERS


def load_extract_rules(path: Path | None = None) -> ExtractRules:
    """Read and validate `data/extract.yaml`."""
    file = path or data_path("extract.yaml")
    return read_data_model(file, ExtractRules)


DefaultRule = dict[str, "str | int | bool | list[str] | list[int] | dt.date"]


@dataclass(frozen=True)
class DefaultActors:
    """`data/default_actors.yaml`: ACLED's generic actors and role rules by event type, and the conventions of
    one country and period ("a clash in Donbas with no named sides is Ukraine's forces against the NAF")."""

    by_type: dict[str, DefaultRule] = field(default_factory=dict)
    by_country: dict[str, dict[str, DefaultRule]] = field(default_factory=dict)

    def rule(self, label: Label) -> DefaultRule:
        """The rule of an event: its type's, overridden by its sub-type's."""
        return {**self.by_type.get(label.event_type, {}), **self.by_type.get(label.sub_event_type, {})}

    def country_rule(self, label: Label, country: str | None, on: dt.date | None) -> DefaultRule:
        """The country's convention for an event of this type on this date, or an empty rule."""
        rules = self.by_country.get(country or "", {})
        rule = {**rules.get(label.event_type, {}), **rules.get(label.sub_event_type, {})}
        since, until = rule.get("since"), rule.get("until")
        if on is not None and (
            (isinstance(since, dt.date) and on < since) or (isinstance(until, dt.date) and on > until)
        ):
            return {}
        return rule


def load_default_actors(path: Path | None = None) -> DefaultActors:
    """`data/default_actors.yaml`: generic actors and role rules by event type, and country conventions."""
    path = path or data_path("default_actors.yaml")
    data = read_yaml_mapping(path)
    countries = data.pop("countries", None) or {}
    if not isinstance(countries, dict):
        raise DataFileError(Errors.E011.format(path=path, entry="countries", field="", reason="a mapping expected"))
    by_country = {
        str(code): _default_rules(path, rules, prefix=f"countries.{code}.") for code, rules in countries.items()
    }
    return DefaultActors(by_type=_default_rules(path, data), by_country=by_country)


_RULE_FIELDS: dict[str, type | tuple[type, ...]] = {
    "actor1": str, "actor2": str, "actor1_inter": int, "actor2_inter": int, "actor2_kinds": list,
    "actor2_strict": bool, "no_inter": list, "government_as": str, "since": dt.date, "until": dt.date,
    "unarmed_victims": list,
}  # fmt: skip


def _default_rules(path: Path, data: object, *, prefix: str = "") -> dict[str, DefaultRule]:
    if not isinstance(data, dict):
        raise DataFileError(Errors.E011.format(path=path, entry=prefix, field="", reason="a mapping expected"))
    for entry, rule in data.items():
        if not isinstance(rule, dict):
            raise DataFileError(
                Errors.E011.format(path=path, entry=f"{prefix}{entry}", field="", reason="a mapping expected")
            )
        for key, value in rule.items():
            if key not in _RULE_FIELDS or not isinstance(value, _RULE_FIELDS[key]):
                reason = f"expected one of {sorted(_RULE_FIELDS)}: a generic key or actor name, inter codes or a date"
                raise DataFileError(Errors.E011.format(path=path, entry=f"{prefix}{entry}", field=key, reason=reason))
    return {str(k): dict(v) for k, v in data.items()}
