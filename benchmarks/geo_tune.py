"""Tune the geocoder's weights (`data/gazetteer/scoring.yaml`) on the TRAINING part of TR-News and GeoWebNews.

Training part: documents with an even index; the odd ones are the test part and are only reported. Documents are
parsed once; each trial re-resolves the gold spans with one weight changed (coordinate search, a few rounds).
Writes the best weights to the scoring file (`--out`, default the packaged one; review the diff like code). The
gazetteer is not rebuilt: the weights are not one of its build inputs.

Usage:
    .venv/bin/python benchmarks/geo_tune.py [--rounds 2] [--out FILE] [--dry-run]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from bench_geocode import load_gwn, load_trnews
from sitrep.distance import haversine_km
from sitrep.geo.gazetteer import Gazetteer, default_gazetteer_path
from sitrep.geo.resolve import resolve_places
from sitrep.geo.weights import SCORING_FILE, ScoringWeights, dump_weights, scoring_weights
from sitrep.nlp import load_language
from sitrep.settings import Settings, load_settings

FACTORS = (0.0, 0.5, 0.75, 1.5, 2.0)


def accuracy(parsed: list[tuple[Any, list[Any], str]], gaz: Gazetteer, settings: Settings,
             weights: ScoringWeights) -> float:  # fmt: skip
    n = hits = 0
    for doc, gold, url in parsed:
        spans = [(g[0], g[1]) for g in gold]
        places = resolve_places(doc, gazetteer=gaz, settings=settings, char_spans=spans, weights=weights, url=url)
        for (_s, _e, _p, lat, lon), place in zip(gold, places, strict=True):
            n += 1
            if place.latitude is not None and place.longitude is not None:
                hits += haversine_km(lat, lon, place.latitude, place.longitude) <= 161
    return hits / n if n else 0.0


def trial(best: ScoringWeights, name: str, factor: float) -> ScoringWeights:
    """`best` with one weight (or one feature code's bonus, `feature:CODE`) times `factor`."""
    if name.startswith("feature:"):
        code = name.split(":", 1)[1]
        feature = {c: v * factor if c == code else v for c, v in best.feature.items()}
        return best.model_copy(update={"feature": feature})
    value = getattr(best, name) * factor
    return best.model_copy(update={name: int(value) if isinstance(getattr(best, name), int) else value})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=Path, default=SCORING_FILE, help="the scoring file to write")
    parser.add_argument("--dry-run", action="store_true", help="print the best weights, write nothing")
    args = parser.parse_args()
    gaz = Gazetteer.open(default_gazetteer_path(load_settings()))
    nlp = load_language()
    settings = Settings(geocode_region_point="centroid")
    parts: dict[str, list[tuple[Any, list[Any], str]]] = {"train": [], "test": []}
    for docs in (load_trnews(), load_gwn()):
        texts = [(i, text, gold, url) for i, (text, gold, url) in enumerate(docs) if gold]
        for (i, _text, gold, url), doc in zip(texts, nlp.pipe(t for _, t, _, _ in texts), strict=True):
            parts["train" if i % 2 == 0 else "test"].append((doc, gold, url))
    best = scoring_weights(settings)
    score = accuracy(parts["train"], gaz, settings, best)
    print(f"start: train {score:.4f} test {accuracy(parts['test'], gaz, settings, best):.4f}", flush=True)
    names = [n for n in ScoringWeights.model_fields if n != "feature"] + [f"feature:{c}" for c in best.feature]
    for _ in range(args.rounds):
        improved = False
        for name in names:
            for factor in FACTORS:
                candidate = trial(best, name, factor)
                trial_score = accuracy(parts["train"], gaz, settings, candidate)
                if trial_score > score + 1e-9:
                    best, score, improved = candidate, trial_score, True
                    print(f"  {name} x{factor}: train {score:.4f}", flush=True)
        if not improved:
            break
    print(f"best: train {score:.4f} test {accuracy(parts['test'], gaz, settings, best):.4f}")
    # The file's comments and order stay: only the values change.
    text = dump_weights(best, SCORING_FILE.read_text(encoding="utf-8"))
    if args.dry_run:
        print(text)
    else:
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
