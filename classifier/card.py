"""The model card written into every model directory (template: model_card_template.md)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from string import Template

from classifier.metrics import TargetScore, confusion_table, mean_macro_f1, scores_table
from classifier.promotion import Promotion
from classifier.synthetic import LABEL_RULES
from classifier.train import TrainingResult
from classifier.training_set import TrainingSet

TEMPLATE = Path(__file__).resolve().parent / "model_card_template.md"


def validation_columns(result: TrainingResult, promotion: Promotion) -> dict[str, dict[str, TargetScore]]:
    """The new model's validation scores with and without its memory, and the current
    model's without (the two the promotion gate compares)."""
    columns = {"this model": result.validation_scores, "without memory": result.network_validation_scores}
    if promotion.current_scores:
        columns[f"current ({promotion.current_version}), without memory, {promotion.basis}"] = promotion.current_scores
    return columns


def live_accuracy_table(result: TrainingResult, promotion: Promotion) -> str:
    """The current model's accuracy on reviewed documents (audit samples: unbiased) beside
    this model's validation accuracy, per target."""
    if not promotion.current_version:
        return "No current model to compare with."
    rows = {(row["target"], row["sample"]): row for row in promotion.current_audit}
    if not rows:
        return f"No reviews of the current model {promotion.current_version} yet" + (
            f" ({promotion.current_audit_note})." if promotion.current_audit_note else "."
        )
    lines = [
        f"| target | this model, validation accuracy | {promotion.current_version}, audit samples: n | accuracy [95% CI] "
        "| flagged reviews: n | accuracy |",
        "|---|---:|---:|---|---:|---:|",
    ]
    for target, score in result.validation_scores.items():
        audit, flagged = rows.get((target, "audit")), rows.get((target, "flagged"))
        audit_cells = (
            f"{audit['n']} | {audit['accuracy']:.3f} [{audit['accuracy_low']:.3f}, {audit['accuracy_high']:.3f}]"
            if audit
            else "0 | -"
        )
        flagged_cells = f"{flagged['n']} | {flagged['accuracy']:.3f}" if flagged else "0 | -"
        lines.append(f"| {target} | {score.accuracy:.3f} | {audit_cells} | {flagged_cells} |")
    return "\n".join(lines)


def model_card(version: str, result: TrainingResult, data: TrainingSet, promotion: Promotion) -> str:
    manifest = data.manifest
    taxonomy = result.model.taxonomy
    taxonomy_lines = [
        f"- **{t.name}** ({t.description}): " + ", ".join(f"`{label}`" for label in t.labels) for t in taxonomy.targets
    ]
    sources = [
        f"- `{s['spec']}`: {s['examples']} examples"
        + (
            f" (labels outside the taxonomy dropped: {s['labels_not_in_taxonomy']})"
            if s["labels_not_in_taxonomy"]
            else ""
        )
        for s in manifest["sources"]
    ] or ["- no labelled datasets: generated documents only"]
    counts = [
        f"- {target}: " + ", ".join(f"{label} {n}" for label, n in per_label.items())
        for target, per_label in manifest["train_label_counts"].items()
    ]
    missing = manifest.get("labels_without_examples") or {}
    epoch_rows = ["| epoch | train loss | validation mean macro-F1 | seconds |", "|---:|---:|---:|---:|"] + [
        f"| {e.epoch} | {e.train_loss:.4f} | {e.validation_mean_macro_f1:.4f} | {e.seconds:.0f} |"
        for e in result.epochs
    ]
    columns = validation_columns(result, promotion)
    confusions = "\n\n".join(
        f"### Confusion matrix: {name} (rows gold, columns predicted)\n\n{confusion_table(s)}"
        for name, s in result.validation_scores.items()
    )
    calibration = "\n".join(
        f"| {name} | {result.lexical_weights[name]:.1f} | {result.temperatures[name]:.3f} "
        f"| {err['before']:.3f} | {err['after']:.3f} |"
        for name, err in result.calibration_error.items()
    )
    lexical = (
        "TF-IDF word 1-2-grams and character 2-5-grams + one logistic regression per target "
        f"(C = {result.config.lexical_regularisation:g}); its log-probabilities are blended with "
        "the encoder's: (1 - w) * encoder + w * lexical. Trained on the same rows."
        if result.model.lexical is not None
        else "none (trained without one, or too few distinct words)."
    )
    memory = result.model.memory
    memory_line = (
        f"{len(memory)} labelled documents (the training and validation rows that were not generated). "
        f"A document whose word TF-IDF cosine with one of them is at least {memory.threshold:g} moves towards "
        "that one's label: (1 - w) * p + w * one-hot, w per target = "
        + ", ".join(f"{name} {weight:g}" for name, weight in result.memory_weights.items())
        + " (fitted on the validation split with the training rows only in memory)."
        if memory is not None
        else "none (trained without one, or no labelled documents that were not generated)."
    )
    verdict = "Promoted to the default model" if promotion.promote else "NOT promoted to the default model"
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        version=version,
        created=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        promotion=f"{verdict}: {promotion.reason}.",
        backbone=result.config.backbone,
        max_length=result.config.max_length,
        taxonomy="\n".join(taxonomy_lines),
        sources="\n".join(sources),
        synthetic_count=manifest["synthetic"]["examples"],
        synthetic_per_label=manifest["synthetic"]["per_label"],
        seed=manifest["synthetic"]["seed"],
        corrections=manifest["review_corrections"],
        train_count=manifest["train_examples"],
        validation_count=manifest["validation_examples"],
        missing_labels=f"\n**Labels without training examples (never learned): {missing}**\n" if missing else "",
        label_counts="\n".join(counts),
        label_rules=LABEL_RULES,
        config="```json\n" + json.dumps(result.config.to_dict(), indent=2) + "\n```",
        training_minutes=f"{result.seconds / 60:.1f}",
        threads=result.threads,
        best_epoch=result.best_epoch,
        epoch_count=len(result.epochs),
        epoch_table="\n".join(epoch_rows),
        scores=scores_table(columns),
        live_accuracy=live_accuracy_table(result, promotion),
        mean_macro_f1=f"{mean_macro_f1(result.validation_scores):.4f}",
        confusions=confusions,
        calibration=calibration,
        lexical=lexical,
        memory=memory_line,
    )
