"""Whether a trained classifier becomes the default.

``decide_promotion``: the new model becomes the default only if it is not worse than the
current one on the validation rows the current one never trained on (both without their
memories: the current model's may hold these very rows). Saving is classifier.saving.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from classifier import store
from classifier.examples import Example
from classifier.metrics import TargetScore, mean_macro_f1, score
from classifier.model import ClassifierModel
from classifier.train import TrainingResult, evaluate_model
from docpipe.settings import DocpipeSettings


@dataclass
class Promotion:
    promote: bool
    reason: str
    current_version: str | None = None
    current_scores: dict[str, TargetScore] = field(default_factory=dict)
    basis: str = ""
    """Which rows the current model's scores come from."""
    current_audit: list[dict] = field(default_factory=list)
    """The current model's live accuracy per target from reviews (``model_accuracy`` rows,
    period 'all'), reported beside the new model's validation scores; the gate does not use it
    (audit samples are few, and the new model has none yet)."""
    current_audit_note: str = ""
    """Why ``current_audit`` is empty, when it is."""


def decide_promotion(settings: DocpipeSettings, result: TrainingResult, validation: list[Example]) -> Promotion:
    """Promote unless the current default model scores better on the validation rows.

    Both without their memories (the current model's may hold these very rows), and only on
    rows the current model was never trained on: when the data grew (review corrections
    added, a dataset more) the split is drawn anew, and rows the current model learnt from
    would flatter it, keeping every retrained model from being promoted. When it trained on
    most of them, its held-out validation scores, recorded when it was trained, stand in.
    "Better" is the mean macro-F1 over targets.
    """
    current_dir = store.resolve(settings, store.POINTER)
    if current_dir is None:
        return Promotion(True, "no current model")
    if not validation:
        return Promotion(False, "no validation examples to compare on", current_dir.name)
    seen = store.trained_rows(current_dir)
    unseen = [i for i, ex in enumerate(validation) if store.row_key(ex.text) not in seen]
    taxonomy = result.model.taxonomy
    if 2 * len(unseen) >= len(validation):
        rows = [validation[i] for i in unseen]
        predictions = [result.network_validation_predictions[i] for i in unseen]
        orders = {t.name: t.labels for t in taxonomy.targets}
        new_scores = score(rows, predictions, taxonomy.names, orders)
        current_scores = evaluate_model(ClassifierModel.load(current_dir), rows, use_memory=False)
        basis = f"on the {len(rows)} of {len(validation)} validation rows it never trained on"
    else:
        new_scores, current_scores = result.network_validation_scores, _recorded_held_out_scores(current_dir)
        basis = "on its own held-out validation rows (it trained on most of these)"
    new, old = mean_macro_f1(new_scores), mean_macro_f1(current_scores)
    verdict = "not worse than" if new >= old else "worse than"
    reason = f"validation mean macro-F1 without memory {new:.4f} {verdict} current {current_dir.name} ({old:.4f}, {basis})"
    return Promotion(new >= old, reason, current_dir.name, current_scores, basis)


def _recorded_held_out_scores(directory: Path) -> dict[str, TargetScore]:
    metrics = json.loads((directory / "metrics.json").read_text(encoding="utf-8"))
    return {name: TargetScore(**values) for name, values in metrics["network_validation"].items()}
