"""Attribution: who a sentence credits ("according to SOHR", "SANA reported"). All sentences are our own."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language

from conftest import first_sentence
from sitrep.errors import DataFileError
from sitrep.read.attribution import (
    document_claimants,
    find_attribution,
    find_claimant_mentions,
    load_claimant_rules,
)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("the UN's humanitarian office", ["OCHA"]),
        # The UN's agencies are claimants of their own: their figures differ.
        ("the World Food Programme and the UN refugee agency", ["WFP", "UNHCR"]),
        # A name of several words in any case; a one-word name (an acronym) only as written.
        ("the Syrian defence ministry", ["Syrian Ministry of Defence"]),
        ("the syrian observatory for human rights", ["Syrian Observatory for Human Rights"]),
        ("who said so", []),
        ("U.N. officials and the Syrian Observatory", ["United Nations", "Syrian Observatory for Human Rights"]),
        ("State media and Agence France-Presse", ["SANA", "AFP"]),
        ("a union leader", []),  # "UN" inside a word is no mention
        ("Sanaa", []),  # nor is the Yemeni capital SANA
    ],
)
def test_attribution_mentions(text: str, names: list[str]) -> None:
    assert [c.name for _, _, c in find_claimant_mentions(text)] == names


def test_attribution_duplicate_alias_raises(tmp_path: Path) -> None:
    path = tmp_path / "claimants.yaml"
    path.write_text(
        "claimants:\n"
        "  - {name: One, kind: media, aliases: [Same Name]}\n"
        "  - {name: Two, kind: media, aliases: [Same Name]}\n"
        "kind_nouns: {}\n"
        "cues: {verbs: [say], object_verbs: [], nouns: [], prepositions: [], empty_subjects: []}\n",
        encoding="utf-8",
    )
    with pytest.raises(DataFileError, match="Two"):
        load_claimant_rules(path)


def test_attribution_bad_kind_raises(tmp_path: Path) -> None:
    path = tmp_path / "claimants.yaml"
    path.write_text(
        "claimants:\n"
        "  - {name: One, kind: blog, aliases: [One]}\n"
        "kind_nouns: {}\n"
        "cues: {verbs: [say], object_verbs: [], nouns: [], prepositions: [], empty_subjects: []}\n",
        encoding="utf-8",
    )
    with pytest.raises(DataFileError, match="One"):
        load_claimant_rules(path)


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "claimant", "cue"),
    [
        ("Rebels entered the town, according to the Syrian Observatory for Human Rights.",
         "Syrian Observatory for Human Rights", "according to"),
        ("SOHR director Rami Abdel Rahman said 20 fighters had died.", "Syrian Observatory for Human Rights", "said"),
        ("The UK-based monitor said the rebels were close to the city.", "Syrian Observatory for Human Rights", "said"),
        ("State media reported that air strikes hit the province.", "SANA", "reported"),
        ("The UN estimates that 40,000 people have fled.", "United Nations", "estimates"),
        ("Thousands have fled, according to UN estimates.", "United Nations", "according to"),
        ("The attack was reported by Al Jazeera.", "Al Jazeera", "reported"),
        ("The Russian Defence Ministry denied that its jets struck the hospital.", "Russian Ministry of Defence",
         "denied"),
        ("HTS said it had captured 20 villages.", "Hayat Tahrir al-Sham", "said"),
        ("The Syrian Observatory for Human Rights, a war monitor, said 26 civilians died.",
         "Syrian Observatory for Human Rights", "said"),
        ("Syria Civil Defence said rescuers pulled five people from the rubble.", "White Helmets", "said"),
        ("The Free Border Legion said it repelled the attack.", "Free Border Legion", "said"),
        # The parser hangs the closing claimant on the clause before it.
        ("Rebels blocked the road between Hama and Homs on Friday and seized the hill of Zain al-Abidin on the "
         "northern edge of Hama, the Syrian Observatory for Human Rights said.", "Syrian Observatory for Human Rights",
         "said"),
    ],
)  # fmt: skip
def test_attribution_claimant(nlp: Language, text: str, claimant: str, cue: str) -> None:
    claims = find_attribution(first_sentence(nlp, text))
    assert [(c.claimant, c.cue) for c in claims][:1] == [(claimant, cue)]


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "known", "named"),
    [
        ("SANA reported clashes near the airport.", True, True),
        ("The Free Border Legion said it repelled the attack.", False, True),
        ("Residents said the bridge was destroyed.", False, False),
    ],
)
def test_attribution_known_and_named(nlp: Language, text: str, known: bool, named: bool) -> None:
    claim = find_attribution(first_sentence(nlp, text))[0]
    assert (claim.known, claim.named) == (known, named)


@pytest.mark.model
@pytest.mark.parametrize(
    "text",
    [
        "Rebels captured the town on Tuesday.",
        "It was reported that the bridge collapsed.",
        "Police arrested Juma, a man accused of smuggling arms.",
    ],
)
def test_attribution_none(nlp: Language, text: str) -> None:
    assert find_attribution(first_sentence(nlp, text)) == []


@pytest.mark.model
def test_attribution_evidence_offsets(nlp: Language) -> None:
    doc = nlp("Clashes went on overnight. Dozens were killed, according to the Associated Press.")
    sent = list(doc.sents)[1]
    claim = find_attribution(sent)[0]
    assert claim.evidence.text == "according to the Associated Press"
    assert doc.text[claim.evidence.start : claim.evidence.end] == claim.evidence.text


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "second"),
    [
        ("The Syrian Observatory said the fighting went on. It added that 30 soldiers died.",
         "Syrian Observatory for Human Rights"),
        ("SANA said the army had regrouped. The agency said reinforcements had arrived.", "SANA"),
        # "it" is the last speaker, even one that is not a known claimant, not the last known one named
        ("Fighting raged, according to the Syrian Observatory. The Hama provincial council said it had held the "
         "line. It said dozens of militants had been killed.", "Hama provincial council"),
        # A known claimant however the news cases it ("defence ministry"), by its one name
        ("Fighting raged, according to the Syrian Observatory. The Syrian defence ministry said it had held the "
         "line. It said dozens of militants had been killed.", "Syrian Ministry of Defence"),
    ],
)  # fmt: skip
def test_attribution_document_resolves_back_reference(nlp: Language, text: str, second: str) -> None:
    claims = document_claimants(nlp(text))
    assert [c.claimant for c in claims[-1]] == [second]


@pytest.mark.model
@pytest.mark.parametrize(("carry", "expected"), [(False, []), (True, ["United Nations"])])
def test_attribution_document_carry(nlp: Language, carry: bool, expected: list[str]) -> None:
    doc = nlp("The UN reported that 9,000 people fled. Most of them went north.")
    claims = document_claimants(doc, carry=carry)
    assert [c.claimant for c in claims[1]] == expected
