"""A trained classifier's versioned directory: weights, taxonomy, metrics, training
manifest and model card; ``current`` points at it when it was promoted."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from classifier import store
from classifier.card import model_card
from classifier.metrics import mean_macro_f1
from classifier.promotion import Promotion
from classifier.train import TrainingResult
from classifier.training_set import TrainingSet
from docpipe.settings import DocpipeSettings


def save_model(settings: DocpipeSettings, result: TrainingResult, data: TrainingSet, promotion: Promotion) -> Path:
    """Write the versioned model directory; point ``current`` at it when promoted."""
    taxonomy = result.model.taxonomy
    version = store.new_version(taxonomy.fingerprint())
    staging = store.staging_dir(settings, version)
    result.model.save(staging, version)
    store.write_trained_rows(staging, [ex.text for ex in data.train])
    metrics = {
        "version": version,
        "validation": {name: s.as_dict() for name, s in result.validation_scores.items()},
        "validation_mean_macro_f1": mean_macro_f1(result.validation_scores),
        "epochs": [asdict(e) for e in result.epochs],
        "best_epoch": result.best_epoch,
        "temperatures": result.temperatures,
        "lexical_weights": result.lexical_weights,
        "memory_weights": result.memory_weights,
        "memory_rows": len(result.model.memory) if result.model.memory is not None else 0,
        "network_validation": {name: s.as_dict() for name, s in result.network_validation_scores.items()},
        "calibration_error": result.calibration_error,
        "prediction_reference": {name: d.as_dict() for name, d in result.prediction_reference.items()},
        "training_seconds": result.seconds,
        "promotion": {
            "promoted": promotion.promote,
            "reason": promotion.reason,
            "compared_with": promotion.current_version,
            "current_validation": {name: s.as_dict() for name, s in promotion.current_scores.items()},
        },
    }
    (staging / "metrics.json").write_text(json.dumps(metrics, indent=2), encoding="utf-8")
    manifest = {**data.manifest, "config": result.config.to_dict()}
    (staging / "training.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    (staging / "MODEL_CARD.md").write_text(model_card(version, result, data, promotion), encoding="utf-8")
    final = store.commit(staging, version)
    if promotion.promote:
        store.set_current(settings, version)
    return final
