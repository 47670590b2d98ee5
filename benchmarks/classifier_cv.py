"""Cross-validated accuracy of the classifier's training recipe against the baseline.

A single dev split of ~100 tickets moves several points with one retraining; k-fold
cross-validation over a labelled dataset measures the recipe (``classifier.train`` with
``TrainConfig``'s defaults, or the overrides given) on every row once. Each fold: the
model is fine-tuned on the other folds (their own validation share held out for the best
epoch, the lexical blend and calibration, as ``docpipe train`` does), the baseline
(paperless-ngx's n-gram MLP) is trained on all of the other folds, and both label the
held-out fold. Printed per target: accuracy and macro-F1 of the model, of the model without
its memory of labelled documents, of its encoder alone (no lexical blend, no memory), and
of the baseline, with the model's margin in every fold.

Run: ``python -m benchmarks.classifier_cv [NAME:]PATH [--folds 5] [--epochs N]``
(e.g. the Bueck v5 train.csv: ~30 min on 2 CPU cores). Generated documents are not added:
the dataset alone is measured.
"""

from __future__ import annotations

import argparse
import os
import random
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def folds(count: int, k: int, seed: int) -> list[list[int]]:
    order = list(range(count))
    random.Random(seed).shuffle(order)
    return [order[i::k] for i in range(k)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", help="[NAME:]PATH of labelled documents")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--epochs", type=int, help="override TrainConfig.epochs")
    parser.add_argument("--seed", type=int, default=0, help="seed of the fold assignment")
    args = parser.parse_args()

    import numpy as np

    from classifier.baseline import Baseline
    from classifier.data import load_dataset, normalise_labels, split
    from classifier.metrics import score
    from classifier.taxonomy import Taxonomy
    from classifier.train import fine_tune, predicted_labels
    from classifier.training_set import TrainConfig, TrainingSet
    from docpipe.settings import get_settings

    settings = get_settings()
    taxonomy = Taxonomy.load(settings.classifier_taxonomy)
    examples, _ = normalise_labels(load_dataset(args.dataset, settings), taxonomy)
    config = TrainConfig(**({"epochs": args.epochs} if args.epochs else {}))
    targets = [t for t in taxonomy.names if len({ex.labels.get(t) for ex in examples} - {None}) > 1]
    orders = {t.name: t.labels for t in taxonomy.targets}
    rows: dict[str, list[dict[str, tuple[float, float]]]] = {t: [] for t in targets}
    print(f"{args.dataset}: {len(examples)} examples, {args.folds} folds, targets {', '.join(targets)}")
    for number, held_out in enumerate(folds(len(examples), args.folds, args.seed), 1):
        started = time.perf_counter()
        held = set(held_out)
        test = [examples[i] for i in held_out]
        rest = [ex for i, ex in enumerate(examples) if i not in held]
        train, validation = split(rest, config.validation_fraction, config.seed)
        result = fine_tune(TrainingSet(train, validation), taxonomy, config, threads=settings.classifier_threads)
        model, texts = result.model, [ex.text for ex in test]

        def scored(use_memory: bool = True) -> dict:
            predictions = predicted_labels(model.probabilities(texts, use_memory=use_memory), taxonomy)
            return score(test, predictions, targets, orders)

        variants = {"model": scored(), "no memory": scored(use_memory=False)}
        weights, model.lexical_weights = model.lexical_weights, {t: 0.0 for t in taxonomy.names}
        variants["encoder"] = scored(use_memory=False)
        variants["baseline"] = score(test, Baseline.train(rest, tuple(targets)).predict(texts), targets, orders)
        for target in targets:
            rows[target].append({name: (s[target].accuracy, s[target].macro_f1) for name, s in variants.items()})
            margin = variants["model"][target].accuracy - variants["baseline"][target].accuracy
            print(
                f"fold {number} {target:10s} "
                + " ".join(f"{name} {s[target].accuracy:.3f}" for name, s in variants.items())
                + f" (margin {margin:+.3f}; lexical weight {weights[target]:.1f}, memory weight"
                f" {result.memory_weights[target]:g}, best epoch {result.best_epoch}/{len(result.epochs)})"
            )
        print(f"fold {number}: {time.perf_counter() - started:.0f} s", flush=True)
    names = ("model", "no memory", "encoder", "baseline")
    print("\ntarget     | " + " | ".join(f"{name} acc / macro-F1" for name in names) + " | model - baseline (acc, per fold)")
    for target in targets:
        mean = {name: np.mean([fold[name] for fold in rows[target]], axis=0) for name in names}
        margins = " ".join(f"{fold['model'][0] - fold['baseline'][0]:+.3f}" for fold in rows[target])
        print(f"{target:10s} | " + " | ".join(f"{mean[n][0]:.3f} / {mean[n][1]:.3f}" for n in names) + f" | {margins}")

if __name__ == "__main__":
    main()
