"""Measure event typing (sitrep.read.classify): rules, model and their combination, on data the model never saw.

- ACLED held-out fifth of `../shared/data/acled/acled-dev.csv` (`classify.is_held_out`): event_type and
  sub_event_type accuracy of the notes.
- CASE 2021 task 2, the half kept for evaluation (`classify.is_case_held_out`): sub-type accuracy on the snippets
  of ACLED types, and the share of the 5 non-ACLED types that give no event.
- Throughput of `EventClassifier.classify` on one core (texts/s), and the time to load the shipped model.
- With `--spacy`, sentence level too: each held-out note is parsed and typed sentence by sentence with
  `classify_sentence` (the best-scoring event sentence stands for the note), as the extraction pipeline does.

The "model" row is a model of words only, retrained here on the training part with the shipped settings, so that
rules, model and combination can be compared; "combined" is the shipped artifact.

Usage:
    .venv/bin/python benchmarks/bench_classify.py [--json] [--spacy] [--limit N]
"""

from __future__ import annotations

import os

# one core, as the target says; must be set before numpy loads its BLAS
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from sitrep.read import classify as C  # noqa: E402
from sitrep.read import triggers as TR  # noqa: E402
from sitrep.train import classifier as TC  # noqa: E402
from sitrep.train import gold as G  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
ACLED = SHARED / "acled" / "acled-dev.csv"
CASE = SHARED / "case2021" / "case2021-task2.tsv"
TARGETS = {"event_type": 0.90, "sub_event_type": 0.80, "case_sub_event_type": 0.70, "case_no_event_rate": 0.80}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--spacy", action="store_true", help="also type sentence by sentence with spaCy")
    parser.add_argument("--limit", type=int, default=0, help="use only the first N held-out rows (quick runs)")
    args = parser.parse_args(argv)
    if not ACLED.exists() or not CASE.exists():
        print(f"shared data not found under {SHARED}", file=sys.stderr)
        return 2

    model_path = C.default_model_path()
    t0 = time.perf_counter()
    shipped = C.load_event_classifier(model_path)
    load_s = time.perf_counter() - t0
    meta = shipped.metadata

    acled = TC.read_acled(ACLED)
    case = TC.read_case(CASE)
    train = [ex for ex in acled if not G.is_held_out(ex.id)]
    held = [ex for ex in acled if G.is_held_out(ex.id)]
    case_train = [ex for ex in case if not G.is_case_held_out(ex.id.removeprefix("case:"))]
    case_held = [ex for ex in case if G.is_case_held_out(ex.id.removeprefix("case:"))]
    if args.limit:
        held = held[: args.limit]
    negatives = TC.read_negatives(TC.default_negatives_path()) + TC.read_written_events(TC.default_events_path())

    hp = meta["hyperparameters"]
    plain = TC.fit_event_model(
        train + TC.first_sentences(train) + case_train + negatives,
        features=C.FeatureSettings(rule_features=False, phrase_features=False),
        alpha=hp["alpha"],
        case_weight=hp["case_weight"],
        no_event_bias=hp.get("no_event_bias", 0.0),
    )
    predictors: dict[str, tuple[C.EventClassifier, C.Mode]] = {
        "rules": (shipped, "rules"),
        "model": (plain, "model"),
        "combined": (shipped, "combined"),
    }
    results: dict[str, Any] = {
        "model_file": str(model_path),
        "model_bytes": sum(p.stat().st_size for p in (model_path, model_path.with_suffix(".json"))),
        "load_seconds": round(load_s, 3),
        "chosen": {"combination": meta["combination"], "features": meta["features"], **hp},
        "acled_held_out": {"n": len(held)},
        "case_held_out": {"n": len(case_held)},
    }
    gold = [ex.label for ex in held]
    case_gold = [ex.label for ex in case_held]
    for name, (clf, mode) in predictors.items():
        t = time.perf_counter()
        pred = clf.predict((ex.text for ex in held), mode=mode)
        secs = time.perf_counter() - t
        s = TC.score_predictions(gold, pred)
        results["acled_held_out"][name] = {
            "event_type": s.event_type,
            "sub_event_type": s.sub_event_type,
            "texts_per_s": round(len(held) / secs, 1),
            "top_confusions": s.confusions,
        }
        cs = TC.score_predictions(case_gold, clf.predict((ex.text for ex in case_held), mode=mode))
        results["case_held_out"][name] = {
            "event_type": cs.event_type,
            "sub_event_type": cs.sub_event_type,
            "no_event_rate": cs.no_event_rate,
            "top_confusions": cs.confusions,
        }

    # ACLED reuses one note for several events; some held-out notes have their exact prose in the training part
    seen = {TR.strip_furniture(ex.text) for ex in train}
    unique = [ex for ex in held if TR.strip_furniture(ex.text) not in seen]
    u = TC.score_predictions([ex.label for ex in unique], shipped.predict(ex.text for ex in unique))
    results["acled_held_out"]["combined_unseen_text"] = {
        "n": len(unique),
        "event_type": u.event_type,
        "sub_event_type": u.sub_event_type,
    }

    # throughput of the public call (labels built, top 3), one text at a time, one core
    texts = [ex.text for ex in held]
    t = time.perf_counter()
    for text in texts:
        shipped.classify(text)
    results["throughput_texts_per_s"] = round(len(texts) / (time.perf_counter() - t), 1)

    if args.spacy:
        results["acled_held_out"]["combined_sentences"] = _sentence_level(shipped, held)

    if args.json:
        print(json.dumps(results, indent=2))
    else:
        _print_table(results)
    return 0


def _sentence_level(clf: C.EventClassifier, held: list[TC.Example]) -> dict[str, Any]:
    from sitrep.nlp import load_language

    nlp = load_language(disable=("ner",))
    texts = [TR.strip_furniture(ex.text) for ex in held]
    t = time.perf_counter()
    docs = list(nlp.pipe(texts, batch_size=64))
    parse_s = time.perf_counter() - t
    t = time.perf_counter()
    pred = []
    for doc in docs:
        labels = [lab for lab in (clf.classify_sentence(sent) for sent in doc.sents) if lab is not None]
        pred.append(max(labels, key=lambda lab: lab.score).sub_event_type if labels else C.NO_EVENT)
    type_s = time.perf_counter() - t
    s = TC.score_predictions([ex.label for ex in held], pred)
    return {
        "event_type": s.event_type,
        "sub_event_type": s.sub_event_type,
        "parse_seconds": round(parse_s, 2),
        "typing_seconds": round(type_s, 2),
        "top_confusions": s.confusions,
    }


def _fmt(x: float | None) -> str:
    return "  -  " if x is None else f"{x:.3f}"


def _print_table(r: dict[str, Any]) -> None:
    a, c = r["acled_held_out"], r["case_held_out"]
    print(f"model {r['model_file']} ({r['model_bytes'] / 1e6:.2f} MB), loaded in {r['load_seconds']:.3f} s")
    print(f"chosen by cross-validation on the training part: {r['chosen']}")
    print()
    print(f"ACLED held-out notes: n={a['n']}        CASE 2021 evaluation half: n={c['n']}")
    print(f"{'':<20}{'event_type':>11}{'sub_type':>10}{'texts/s':>9}   ", end="")
    print(f"{'CASE type':>10}{'CASE sub':>9}{'CASE none':>10}")
    rows = ["rules", "model", "combined", "combined_unseen_text"]
    rows += ["combined_sentences"] if "combined_sentences" in a else []
    for name in rows:
        x = a[name]
        y = c.get(name, {})
        tps = f"{x['texts_per_s']:>9.0f}" if "texts_per_s" in x else f"{'':>9}"
        print(
            f"{name:<20}{_fmt(x['event_type']):>11}{_fmt(x['sub_event_type']):>10}{tps}   "
            f"{_fmt(y.get('event_type')):>10}{_fmt(y.get('sub_event_type')):>9}{_fmt(y.get('no_event_rate')):>10}"
        )
    print(
        f"{'targets':<20}{TARGETS['event_type']:>11.2f}{TARGETS['sub_event_type']:>10.2f}{'':>9}   "
        f"{'':>10}{TARGETS['case_sub_event_type']:>9.2f}{TARGETS['case_no_event_rate']:>10.2f}"
    )
    print(f"\nthroughput of classify() on one core: {r['throughput_texts_per_s']:.0f} texts/s")
    if "combined_sentences" in a:
        x = a["combined_sentences"]
        print(f"sentence level: spaCy parse {x['parse_seconds']} s, typing {x['typing_seconds']} s")
    print("\ntop sub-type confusions, combined (gold -> predicted: count)")
    for title, conf in (("ACLED", a["combined"]["top_confusions"]), ("CASE", c["combined"]["top_confusions"])):
        print(f"  {title}:")
        for g, p, n in conf[:8]:
            print(f"    {g} -> {p}: {n}")


if __name__ == "__main__":
    raise SystemExit(main())
