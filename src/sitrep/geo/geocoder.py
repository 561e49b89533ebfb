"""The `Geocoder` behind `sitrep geocode`: the spaCy pipeline and the gazetteer, text in, resolved places out."""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any, Final

from spacy.language import Language
from spacy.tokens import Doc

from ..models import Place
from ..settings import Settings
from .gazetteer import AIRPORT_ID_BASE, Gazetteer
from .mentions import PlaceRuler
from .resolve import ResolvedPlace, resolve_places

CONTRACT_FIELDS = ("start", "end", "name", "geonameid", "feature_class", "feature_code", "latitude", "longitude",
                   "admin1", "country", "geo_precision")  # fmt: skip
# A toponym is put at its own point: a town's, an area's or a country's representative point. ACLED's rule (an event
# known only to a region is coded at its capital) is event coding's (`geocode_region_point`), not the toponym's.
TOPONYM_POINT: Final = "centroid"


# -- the geocode command -----------------------------------------------------------------------------------


class Geocoder:
    """Holds the spaCy pipeline and the gazetteer for `sitrep geocode`: text (and optional mentions) in,
    resolved places out."""

    def __init__(
        self,
        *,
        nlp: Language | None = None,
        gazetteer: Gazetteer | None = None,
        settings: Settings | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self.gazetteer = gazetteer or Gazetteer.open(settings=self.settings)
        if nlp is None:
            from ..nlp import load_language

            nlp = load_language(self.settings.spacy_model)
        if "sitrep_place_ruler" not in nlp.pipe_names:
            focus = [c.strip() for c in self.settings.geocode_countries.split(",") if c.strip()]
            nlp.add_pipe("sitrep_place_ruler", config={"focus_countries": focus})
        ruler = nlp.get_pipe("sitrep_place_ruler")
        if isinstance(ruler, PlaceRuler):
            ruler.gazetteer = self.gazetteer
        self.nlp = nlp

    def geocode(
        self,
        text: str,
        mentions: Sequence[Mapping[str, int]] | None = None,
        *,
        infer_unknown: bool | None = None,
        url: str = "",
    ) -> list[ResolvedPlace]:
        """Resolve the places of a text.

        Args:
            text: The document.
            mentions: Spans to resolve exactly, as `{"start", "end"}` character offsets; without them the places
                are found in the text.
            infer_unknown: Put unknown given names where their document is (default: the setting).
            url: The outlet's address, if known: its country-code domain (".ca", ".co.uk") is the story's home
                country, which settles namesakes with the dateline and the most-named area.

        Returns:
            One place per mention, in text order, each at its own point (a country or an area at its representative
            point, not its capital); unknown names with null coordinates.
        """
        if mentions is not None:
            with self.nlp.select_pipes(disable=["sitrep_place_ruler"]):
                doc = self.nlp(text)
            offsets = [(int(m["start"]), int(m["end"])) for m in mentions]
            if infer_unknown is None:
                infer_unknown = self._infers()
            return resolve_places(doc, gazetteer=self.gazetteer, settings=self.settings, char_spans=offsets,
                                  infer_unknown=infer_unknown, region_point=TOPONYM_POINT, url=url)  # fmt: skip
        doc = self.nlp(text)
        return resolve_places(doc, gazetteer=self.gazetteer, settings=self.settings, region_point=TOPONYM_POINT,
                              url=url)  # fmt: skip

    def _infers(self) -> bool:
        return self.settings.geocode_infer_unknown

    def geocode_record(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """One `sitrep geocode --format jsonl` line: `{"id","text","mentions"?,"url"?}` in, `{"input_id","places"}`
        out. `url`, the outlet's address, tells the story's home country where its domain is a country's.

        With `geocode_infer_unknown` and given mentions, each place also carries `"inferred"` (true when its point
        comes from the document's context, not from its name)."""
        mentions = record.get("mentions")
        inferring = mentions is not None and self._infers()
        places = self.geocode(str(record.get("text") or ""), mentions, infer_unknown=inferring,
                              url=str(record.get("url") or ""))  # fmt: skip
        records = [place_record(p) | ({"inferred": p.inferred} if inferring else {}) for p in places]
        return {"input_id": record.get("id"), "places": records}


def place_record(place: Place) -> dict[str, Any]:
    """The `sitrep geocode` contract fields of a place (DESIGN.md): start, end, name, geonameid, feature_class and
    feature_code (GeoNames', where known), latitude, longitude, admin1, country, geo_precision."""
    data = place.model_dump()
    if (data.get("geonameid") or 0) >= AIRPORT_ID_BASE:  # an airport's id is OurAirports', not GeoNames'
        data["geonameid"] = None
    return {k: data.get(k) for k in CONTRACT_FIELDS}


def places_by_sentence(doc: Doc, places: Sequence[Place]) -> dict[int, list[Place]]:
    """Group places by the start token of their sentence (a helper for callers that walk sentences)."""
    groups: dict[int, list[Place]] = defaultdict(list)
    for place in places:
        if place.start is None:
            continue
        span = doc.char_span(place.start, place.end or place.start, alignment_mode="expand")
        if span is not None and len(span):
            groups[span.sent.start].append(place)
    return dict(groups)
