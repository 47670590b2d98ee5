"""What a training run learns from: its configuration, and the labelled rows split into
train and validation.

``assemble_training_set``: labelled datasets + configured data + review corrections (from
``db.reviews``), plus generated documents for the labels the real data lacks, split into
train/validation (seeded; the manifest records how, so ``rebuild_training_set`` can draw
the same rows again for a baseline or an evaluation).
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path

from classifier.data import fingerprint, load_dataset, normalise_labels, review_examples, split
from classifier.examples import Example
from classifier.rendering import as_received
from classifier.synthetic import generate
from classifier.taxonomy import Taxonomy
from db.reviews import corrected_labels
from docpipe.errors import ConfigurationError
from docpipe.settings import DocpipeSettings

log = logging.getLogger(__name__)


@dataclass
class TrainConfig:
    """How a model is trained. The defaults train the default model in minutes on 2 CPU cores.

    Defaults chosen by 5-fold cross-validation on the Bueck tickets (docs/classifier.md):
    10 epochs and no class weighting beat 3 epochs with weighting on both urgency and
    department.
    """

    backbone: str = "all-MiniLM-L6-v2"
    epochs: int | None = None
    """None: 10 when real labelled examples are among the training rows; 3 when all are
    generated (the templates are learnt by then; more epochs fit them tighter, took 3x as
    long and did no better on real documents: docs/classifier.md)."""
    patience: int | None = 3
    """Stop after this many epochs without a better validation score (None: run all epochs)."""
    batch_size: int = 16
    max_length: int = 256
    learning_rate: float = 8e-5
    """Encoder learning rate (AdamW, linear warm-up then decay)."""
    head_learning_rate: float = 2e-3
    weight_decay: float = 0.01
    warmup_fraction: float = 0.1
    freeze_embeddings: bool = True
    """Keep the word embeddings fixed: ~half the weights, little to gain on small data."""
    class_weight_power: float = 0.0
    """Loss weight of a label ∝ count^-power: rare labels count more (0 = plain loss)."""
    validation_fraction: float = 0.15
    lexical: bool = True
    """Train the lexical branch and blend it in where it helps on the validation split."""
    lexical_regularisation: float = 10.0
    """C of the lexical branch's logistic regressions (inverse L2 strength)."""
    memory: bool = True
    """Remember the labelled (non-generated) documents; near repeats take their labels where
    that helps on the validation split."""
    synthetic_per_label: int = 60
    """Generated documents for each doc type and department that has no real example."""
    seed: int = 13

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class TrainingSet:
    train: list[Example]
    validation: list[Example]
    manifest: dict = field(default_factory=dict)


def load_sources(settings: DocpipeSettings, specs: list[str], taxonomy: Taxonomy) -> tuple[list[Example], list[dict]]:
    examples: list[Example] = []
    sources = []
    for spec in specs:
        loaded, dropped = normalise_labels(load_dataset(spec, settings), taxonomy)
        sources.append({"spec": spec, "examples": len(loaded), "labels_not_in_taxonomy": dropped})
        examples.extend(loaded)
        log.info("%s: %d examples", spec, len(loaded))
    return examples, sources


def assemble_training_set(
    settings: DocpipeSettings, taxonomy: Taxonomy, datasets: list[str], config: TrainConfig
) -> TrainingSet:
    """Every example a training run uses, split; ``datasets`` come after the configured ones."""
    specs = list(dict.fromkeys([*settings.classifier_training_data, *datasets]))
    real, sources = load_sources(settings, specs, taxonomy)
    corrections, _ = normalise_labels(review_examples(corrected_labels(settings.database_url)), taxonomy)
    real.extend(corrections)
    # Generated documents as they would arrive (receipt scans OCR'd, invoices from a PDF's text layer).
    generated = as_received(generate(taxonomy, config.synthetic_per_label, config.seed, existing=real), settings)
    train, validation = split(real + generated, config.validation_fraction, config.seed)
    counts = {
        target.name: {label: sum(1 for ex in train if ex.labels.get(target.name) == label) for label in target.labels}
        for target in taxonomy.targets
    }
    unlearnable = {t: [label for label, n in per.items() if n == 0] for t, per in counts.items()}
    for target, labels in unlearnable.items():
        if labels:
            log.warning("no training examples for %s labels %s: the model cannot learn them", target, labels)
    manifest = {
        "sources": sources,
        "review_corrections": len(corrections),
        "synthetic": {"per_label": config.synthetic_per_label, "seed": config.seed, "examples": len(generated)},
        "split": {"validation_fraction": config.validation_fraction, "seed": config.seed},
        "train_examples": len(train),
        "validation_examples": len(validation),
        "train_fingerprint": fingerprint(train),
        "train_label_counts": counts,
        "labels_without_examples": {t: v for t, v in unlearnable.items() if v},
    }
    return TrainingSet(train, validation, manifest)


def rebuild_training_set(settings: DocpipeSettings, model_dir: Path) -> TrainingSet:
    """The exact train/validation split a saved model was trained on, rebuilt from its manifest.

    Used to train the baseline on the same rows. Raises ``ConfigurationError`` when the
    sources changed or are gone (the fingerprint no longer matches).
    """
    manifest = json.loads((model_dir / "training.json").read_text(encoding="utf-8"))
    taxonomy = Taxonomy.load(model_dir / "taxonomy.toml")
    config = TrainConfig(**manifest["config"])
    specs = [source["spec"] for source in manifest["sources"]]
    # The configured data was recorded among the sources: don't add today's setting again.
    rebuilt = assemble_training_set(
        settings.model_copy(update={"classifier_training_data": []}), taxonomy, specs, config
    )
    if rebuilt.manifest["train_fingerprint"] != manifest["train_fingerprint"]:
        raise ConfigurationError(
            f"cannot rebuild the training rows of {model_dir.name}: its sources changed since training "
            f"({', '.join(specs) or 'generated documents only'})"
        )
    return rebuilt
