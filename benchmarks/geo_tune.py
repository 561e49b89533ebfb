"""Tune the resolver's weights (`sitrep.geo.geocode.WEIGHTS`) on the TRAINING part of TR-News and GeoWebNews.

Training part: documents with an even index; the odd ones are the test part and are only reported. Documents are
parsed once; each trial re-resolves the gold spans with one weight changed (coordinate search, a few rounds).
Prints the best weights; copy them into `_Weights` by hand (they are code defaults, reviewed like code).

Usage:
    .venv/bin/python benchmarks/geo_tune.py [--rounds 2]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
import sitrep.geo.geocode as geocode
from bench_geocode import load_gwn, load_trnews
from sitrep.geo.gazetteer import Gazetteer, default_gazetteer_path
from sitrep.nlp import load_language
from sitrep.settings import Settings, load_settings

FACTORS = (0.0, 0.5, 0.75, 1.5, 2.0)


def accuracy(parsed: list[tuple[Any, list[Any]]], gaz: Gazetteer, settings: Settings) -> float:
    n = hits = 0
    for doc, gold in parsed:
        places = geocode.resolve_places(doc, gazetteer=gaz, settings=settings, char_spans=[(g[0], g[1]) for g in gold])
        for (_s, _e, _p, lat, lon), place in zip(gold, places, strict=True):
            n += 1
            if place.latitude is not None and place.longitude is not None:
                hits += geocode.haversine_km(lat, lon, place.latitude, place.longitude) <= 161
    return hits / n if n else 0.0


def use(weights: geocode._Weights) -> None:
    geocode.WEIGHTS = weights
    geocode._FEATURE = dict(weights.feature)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    gaz = Gazetteer.open(default_gazetteer_path(load_settings()))
    nlp = load_language()
    settings = Settings(geocode_region_point="centroid")
    parts: dict[str, list[tuple[Any, list[Any]]]] = {"train": [], "test": []}
    for docs in (load_trnews(), load_gwn()):
        texts = [(i, text, gold) for i, (text, gold) in enumerate(docs) if gold]
        for (i, _text, gold), doc in zip(texts, nlp.pipe(t for _, t, _ in texts), strict=True):
            parts["train" if i % 2 == 0 else "test"].append((doc, gold))
    best = geocode.WEIGHTS
    use(best)
    score = accuracy(parts["train"], gaz, settings)
    print(f"start: train {score:.4f} test {accuracy(parts['test'], gaz, settings):.4f}", flush=True)
    scalar = [f.name for f in dataclasses.fields(best) if isinstance(getattr(best, f.name), float)]
    features = [code for code, _ in best.feature]
    for _ in range(args.rounds):
        improved = False
        for name in [*scalar, *(f"feature:{c}" for c in features)]:
            for factor in FACTORS:
                if name.startswith("feature:"):
                    code = name.split(":", 1)[1]
                    trial = dataclasses.replace(best, feature=tuple((c, v * factor if c == code else v)
                                                                    for c, v in best.feature))  # fmt: skip
                else:
                    trial = dataclasses.replace(best, **{name: getattr(best, name) * factor})
                use(trial)
                trial_score = accuracy(parts["train"], gaz, settings)
                if trial_score > score + 1e-9:
                    best, score, improved = trial, trial_score, True
                    print(f"  {name} x{factor}: train {score:.4f}", flush=True)
            use(best)
        if not improved:
            break
    use(best)
    print(f"best: train {score:.4f} test {accuracy(parts['test'], gaz, settings):.4f}")
    print(best)


if __name__ == "__main__":
    main()
