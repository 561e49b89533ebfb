"""An article's headline and datelines: sentences of their own, neither events nor places (read/article.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from sitrep.models import ExtractResult, RawDocument
from sitrep.nlp import blank_language
from sitrep.read.article import article_parts, is_agency, is_furniture, mark_article_parts
from sitrep.run.pipeline import Pipeline


def _article(title: str, text: str, published: dt.date) -> ExtractResult:
    """The extraction of a page with its title, as `sitrep ingest` reads one."""
    raw = RawDocument(source="t", title=title, content=text.encode(), media_type="text", published=published)
    (result,) = Pipeline().extract_many([raw])
    return result


def _parts(text: str, title: str | None = None) -> list[str]:
    return [text[start:].split(" ")[0] for start in article_parts(text, title).starts]


@pytest.mark.parametrize(
    ("title", "text", "starts"),
    [
        # the headline, the site's name cut from the page title, then an agency's dateline before the lede
        ("Shells kill 9 in border town - World - The Daily Example",
         "Shells kill 9 in border town AFP Monday 3 Mar 2014 Shells fired at a border town killed nine people.",
         ["Shells", "AFP", "Shells"]),
        # a date before the headline is a part of its own too
        ("Strike hits depot near the river",
         "Tue 04 Mar 2014 Strike hits depot near the river. Jets struck a fuel depot on Tuesday.", ["Strike"]),
        (None, "Date of publication 2 May 2015 Troops shelled the northern districts.", ["Date", "Troops"]),
        (None, "RIVERTOWN, Northland (AP) — Police arrested twelve men on Friday.", ["RIVERTOWN,", "Police"]),
        (None, "Last updated at Jun 132016 Rebels shelled the town.", ["Last", "Rebels"]),
        # a wire's stamp, then its short-link bar with the topic's title and counters
        (None, "12.03.2018(updated 0945 12.03.2018) Get short URL Topic Raids on a Fuel Depot (41) 0 7 A raid on "
               "the depot killed two guards.", ["12.03.2018(updated", "Get", "A"]),
        # a headline too short to be told from the lede's words, and a plain note: nothing to mark
        ("Clashes", "Clashes broke out in the market on Monday.", []),
        (None, "On 5 May 2020, police arrested 20 traders in the market.", []),
    ],
)  # fmt: skip
def test_article_parts_start_at_the_headline_datelines_and_lede(
    title: str | None, text: str, starts: list[str]
) -> None:
    assert _parts(text, title) == starts


def test_article_datelines_are_marked_on_the_doc() -> None:
    nlp = blank_language()
    text = "Date of publication 2 May 2015 Troops shelled the northern districts."
    doc = nlp(mark_article_parts(nlp.make_doc(text), None))
    sentences = list(doc.sents)
    assert [s.text for s in sentences] == ["Date of publication 2 May 2015", "Troops shelled the northern districts."]
    assert [is_furniture(s) for s in sentences] == [True, False]


@pytest.mark.model
def test_a_headline_under_a_date_is_one_sentence_with_its_toll() -> None:
    """The parse split "14 | Civilians Killed ..." after a numeric date above the headline, and the toll went
    with the date; the lede says "dozens" and is no count of its own."""
    title = "14 Civilians Killed in Air Raid on Market in Maarat al-Numan"
    text = (
        f"07-05-2016 {title}. Warplanes struck a crowded market in the town on Saturday, killing dozens of "
        "people, residents said. Rescue teams searched the rubble until night."
    )
    main = _article(title, text, dt.date(2016, 5, 7)).events[0]
    assert main.fatalities == 14
    assert main.location == "Maarat al-Numan"


@pytest.mark.model
def test_an_agency_between_headline_and_lede_is_no_side_and_no_second_toll() -> None:
    """ "AFP" alone after the headline signs the lede: not the Armed Forces of the Philippines, and the headline's
    eleven and the lede's are the same children."""
    title = "Barrel bomb kills 11 children in Aleppo Monitor"
    text = (
        f"{title} AFP Eleven children were killed on Thursday when a barrel bomb hit a rebel-held district of "
        "Aleppo, a monitor said. The state news agency SANA blamed rebel mortar fire."
    )
    result = _article(title, text, dt.date(2016, 8, 25))
    assert result.events[0].fatalities == 11
    assert not any("Philippines" in f"{e.actor1} {e.actor2}" for e in result.events)
    assert {e.country for e in result.events} == {"Syria"}


@pytest.mark.model
@pytest.mark.parametrize(
    ("title", "body", "dead"),
    [
        (
            "Suicide Bomber Kills 9 at Police Station in Kirkuk",
            "The bomber blew himself up at the gate on Sunday, police said. Those killed were policemen and visitors.",
            9,
        ),
        (
            "Army Kills 31 Fighters in Idlib Countryside",
            "Army units clashed with fighters near the town on Monday and killed many of them, a military source said.",
            31,
        ),
    ],
)
def test_a_headline_in_title_case_is_read_as_a_sentence(title: str, body: str, dead: int) -> None:
    """Read as written, "Kills" is a proper noun and the headline no killing. The body writes the headline's
    common words in lower case, so the headline is parsed so; its text stays as the page wrote it."""
    main = _article(title, f"{title}. {body}", dt.date(2016, 3, 10)).events[0]
    assert main.fatalities == dead
    assert title in {e.text.rstrip(".") for e in main.evidence}


def test_an_agency_as_it_signs_is_no_place() -> None:
    assert is_agency("SANA") and is_agency("Reuters")
    assert not is_agency("Sana") and not is_agency("Damascus")


@pytest.mark.model
def test_a_headline_run_into_its_lede_is_not_a_second_toll() -> None:
    """Read as one sentence, the headline's nine and the lede's nine would be eighteen dead."""
    text = (
        "Shelling kills 9 in Ariha market AFP Monday 3 Mar 2014 Shells fired by government forces at a "
        "market in the Syrian town of Ariha killed nine civilians on Monday, a monitor said."
    )
    result = _article("Shelling kills 9 in Ariha market - World - The Daily Example", text, dt.date(2014, 3, 3))
    main = result.events[0]
    assert main.fatalities == 9
    assert main.location == "Ariha"
    assert "Philippines" not in f"{main.actor1} {main.actor2}"  # the agency's AFP is no army


def _furniture(text: str, title: str | None = None) -> list[str]:
    return [text[start:end] for start, end in article_parts(text, title).furniture]


@pytest.mark.parametrize(
    ("title", "text", "furniture"),
    [
        # a date above the headline
        ("Strike hits depot near the river",
         "Tue 04 Mar 2014 Strike hits depot near the river. Jets struck a fuel depot on Tuesday.",
         ["Tue 04 Mar 2014"]),
        # a share bar with its view count and the related headlines after it, to the lede's first words
        (None, "Two die in flood. Print Tweet Views 812 Related Storm closes ports Minister visits dam At least two "
         "people drowned when the river burst its banks.",
         ["Print Tweet Views 812 Related Storm closes ports Minister visits dam"]),
        # a photo caption ending with its place, date and credit; the story goes on after the credit
        (None, "Troops shelled the town. Children sit in a shelter in Ariha, Syria, March 2 2014. REUTERS/Jane Roe "
         "The shelling went on overnight.",
         ["Children sit in a shelter in Ariha, Syria, March 2 2014. REUTERS/Jane Roe"]),
        # a tag list before the lede, and a footer of the site's lists
        (None, "Blast in the capital. Tags blast capital police A bomb went off near a police station on Sunday, "
         "killing four. Officials blamed a local gang for the attack. Related News Markets rally Floods in the north",
         ["Tags blast capital police", "Related News Markets rally Floods in the north"]),
    ],
)  # fmt: skip
def test_page_furniture_is_marked(title: str | None, text: str, furniture: list[str]) -> None:
    assert [f.strip() for f in _furniture(text, title)] == furniture


@pytest.mark.model
def test_related_headlines_and_captions_give_no_events() -> None:
    """A scraped page's related headlines and photo caption are the site's, not the story's events."""
    text = (
        "Bomb kills six at bus station in Ariha AFP Monday 3 Mar 2014 Print Tweet Views 940 Related Rebels seize "
        "dam in Raqqa Jets bomb market in Homs At least six people were killed when a bomb exploded at the bus "
        "station of the Syrian town of Ariha on Monday, a monitor said. Fighters walk through Tabqa, Syria, "
        "February 2 2014. REUTERS/Jane Roe The blast wounded 20 others."
    )
    result = _article("Bomb kills six at bus station in Ariha", text, dt.date(2014, 3, 3))
    main = result.events[0]
    assert (main.sub_event_type, main.location, main.fatalities) == ("Remote explosive/landmine/IED", "Ariha", 6)
    assert not {"Raqqa", "Homs", "Tabqa"} & {e.location for e in result.events}


@pytest.mark.model
def test_the_main_event_is_told_in_the_headline_and_lede() -> None:
    """The lede's air strike is the main event, though the story's later paragraphs tell of clashes at length and
    the whole text reads as a clash."""
    text = (
        "Air strikes kill 14 in Ariha market. Air strikes on a market in the Syrian town of Ariha killed 14 "
        "civilians on Monday, a monitor said. Rescuers pulled bodies from the rubble of the market. Elsewhere, "
        "rebels clashed with troops near Hama. The clashes near "
        "Hama killed three fighters. Rebels and troops also clashed in the south. Fighting raged in Daraa too. "
        "The fighting has displaced thousands."
    )
    result = _article("Air strikes kill 14 in Ariha market", text, dt.date(2014, 3, 3))
    main = result.events[0]
    assert (main.sub_event_type, main.location, main.fatalities) == ("Air/drone strike", "Ariha", 14)


@pytest.mark.model
def test_a_capitalised_common_word_and_a_monitors_seat_are_no_places() -> None:
    """ "Air" of a headline's "Air raids" is a village's name somewhere, and "Britain-based" names the monitor's seat;
    neither is where the event happened, nor makes Britain the story's country."""
    text = (
        "Air raids kill 11 civilians in east Syria. At least 11 civilians were killed in air raids on the town "
        "of Mayadin in Deir Ezzor province on Friday, the Britain-based monitor said."
    )
    result = Pipeline().extract(text, published="2016-07-15")
    assert result.events
    assert {(e.location, e.country) for e in result.events} == {("Mayadin", "Syria")}


@pytest.mark.model
def test_background_of_past_years_does_not_type_the_main_event() -> None:
    """A closing line on protests years ago must not make a takeover a peaceful protest."""
    text = (
        "Local rebel groups took control of the southern Syrian town of Nawa on Friday after government forces "
        "agreed to withdraw, a monitor said. The monitor said the withdrawal had been negotiated. "
        "Nawa was where peaceful protests against the government began in March 2011."
    )
    result = Pipeline().extract(text, published="2024-12-07")
    main = result.events[0]
    assert main.event_type != "Protests"
    assert (main.location, main.actor1) == ("Nawa", "Opposition Rebels (Syria)")


@pytest.mark.model
def test_the_lede_gives_a_headline_event_its_toll_and_sides() -> None:
    """The headline names the strike, the lede tells it with its dead: one event, the lede's toll and victims,
    at the headline's more precise town."""
    text = (
        "Jets strike school in Saraqib. Warplanes struck a school in Idlib province on Wednesday, killing at least 22 "
        "civilians, a monitor said. The school was closed after the strike. Rebels shelled a village near Hama "
        "on Tuesday. Talks on a truce resumed in Geneva."
    )
    result = _article("Jets strike school in Saraqib", text, dt.date(2016, 10, 26))
    main = result.events[0]
    assert (main.sub_event_type, main.location, main.fatalities) == ("Air/drone strike", "Saraqib", 22)
    assert main.actor2 == "Civilians (Syria)"
    assert [e.fatalities for e in result.events].count(22) == 1  # one strike, not the headline's and the lede's


@pytest.mark.model
def test_text_without_apostrophes_reads_possessives() -> None:
    """A page whose apostrophes were stripped writes "Syrias Aleppo": the place is Aleppo in Syria. A short text
    without apostrophes is read as written: "the Bomas of Kenya" is no possessive of Boma."""
    sentence = "Barrel bombs killed 11 children in Syrias Aleppo on Thursday, a monitor said."
    filler = " The monitor said rescue teams were still searching the rubble for survivors of the strikes." * 8
    result = Pipeline().extract(sentence + filler, published="2016-08-25")
    assert (result.events[0].location, result.events[0].country) == ("Aleppo", "Syria")
    short = Pipeline().extract("Supporters clashed at the Bomas of Kenya in Nairobi.", published="2017-03-23")
    assert {e.country for e in short.events} <= {"Kenya"}
