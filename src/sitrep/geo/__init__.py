"""Geography: the gazetteer (names, points, admin areas) and the geocoder that turns place mentions into places.
It uses the shared spaCy pipeline (`nlp`) but nothing of `read/`, which builds on it."""
