"""Geography: the gazetteer (names, points, admin areas) and the geocoder that turns place mentions into places.
It uses the shared spaCy pipeline (`nlp`) but nothing of `read/`, which builds on it.

The steps, each a plain function over a spaCy `Doc`:

1. `mentions.find_place_spans` (and the `sitrep_place_ruler` component around it) writes candidate place mentions
   to `doc.spans[PLACE_SPANS]`: the parser's GPE/LOC/FAC entities plus gazetteer names the parser missed.
2. `resolve.resolve_places` picks a gazetteer entry for each mention (`candidates` looks them up and reads the
   words around each: `words`; `scoring` weighs them with the document's country focus, admin names in context
   ("Morek (Hama)"), nearby places and population/feature-class priors, and `priors` what conflict data
   teaches): "northern Hama countryside" is precision 2 at the area's main town, "near X" 2, "the outskirts of X"
   1, "Hama province" 3 at its capital, "10 km from Hama" a distance, not an event point, "Damascus said" an
   actor, not a place of events. Unknown places keep null coordinates and are marked unresolved.
3. `event_place.event_place` chooses, among a sentence's places, where the event happened: the object of an event
   preposition under the event verb, not where a speaker is.

`geocoder.Geocoder` bundles the spaCy pipeline and the gazetteer for `sitrep geocode`.
"""
