"""``docpipe eval classify DATASET``: a model and the baseline, scored on one labelled dataset.

The baseline (classifier/baseline.py) is trained in the same run on every row the model
learnt from (its training and validation rows, rebuilt from its training manifest: the
validation rows chose its epoch and calibration and are in its memory), so the two columns
are comparable. A model with a memory of labelled documents is also scored without it. The
report also says how many evaluation texts occur among those training rows: a non-zero
count means the figures are not a held-out measurement.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from classifier import store
from classifier.baseline import Baseline
from classifier.data import load_dataset, normalise_labels
from classifier.examples import Example
from classifier.metrics import TargetScore, confusion_table, mean_macro_f1, score, scores_table
from docpipe.errors import ConfigurationError
from docpipe.health import DriftCheck, drift
from docpipe.settings import DocpipeSettings


@dataclass
class EvalReport:
    dataset: str
    model_version: str
    examples: int
    labels_not_in_taxonomy: dict[str, int]
    model_scores: dict[str, TargetScore]
    model_ms_per_doc: float
    without_memory_scores: dict[str, TargetScore] = field(default_factory=dict)
    memory_repeats: int | None = None
    """Evaluation documents that nearly repeat one the model remembers (None: no memory)."""
    baseline_scores: dict[str, TargetScore] = field(default_factory=dict)
    baseline_training_rows: int = 0
    overlap_with_training: int = 0
    drift: DriftCheck | None = None
    """The dataset's predictions against the model's validation rows, as a run's drift check
    would compare them: how far documents of this kind are from what the model was validated on."""
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "dataset": self.dataset,
            "model_version": self.model_version,
            "examples": self.examples,
            "labels_not_in_taxonomy": self.labels_not_in_taxonomy,
            "model": {name: s.as_dict() for name, s in self.model_scores.items()},
            "model_mean_macro_f1": mean_macro_f1(self.model_scores),
            "model_ms_per_doc": self.model_ms_per_doc,
            "model_without_memory": {name: s.as_dict() for name, s in self.without_memory_scores.items()},
            "memory_repeats": self.memory_repeats,
            "baseline": {name: s.as_dict() for name, s in self.baseline_scores.items()},
            "baseline_mean_macro_f1": mean_macro_f1(self.baseline_scores) if self.baseline_scores else None,
            "baseline_training_rows": self.baseline_training_rows,
            "overlap_with_training": self.overlap_with_training,
            "drift_psi": {f"{f.target} {f.measure}": round(f.psi, 3) for f in self.drift.findings} if self.drift else {},
            "notes": self.notes,
        }

    def render(self, confusion: bool = False) -> str:
        columns = {"model": self.model_scores}
        if self.without_memory_scores:
            columns["model without memory"] = self.without_memory_scores
        if self.baseline_scores:
            columns["baseline"] = self.baseline_scores
        lines = [
            f"dataset {self.dataset}: {self.examples} examples; model {self.model_version} "
            f"({self.model_ms_per_doc:.1f} ms/doc in batches)",
            "",
            scores_table(columns),
        ]
        if self.baseline_scores:
            lines += [
                "",
                "model - baseline: "
                + ", ".join(
                    f"{name} accuracy {s.accuracy - self.baseline_scores[name].accuracy:+.3f} "
                    f"macro-F1 {s.macro_f1 - self.baseline_scores[name].macro_f1:+.3f}"
                    for name, s in self.model_scores.items()
                    if name in self.baseline_scores
                ),
                f"baseline: word 1-2-gram counts + MLP per target, trained on the model's "
                f"{self.baseline_training_rows} training and validation rows in this run",
            ]
        if self.drift is not None:
            lines.append(
                f"drift against the model's validation rows (PSI, warning above {self.drift.threshold:g}): "
                + (", ".join(f"{f.target} {f.measure} {f.psi:.2f}" for f in self.drift.findings) or self.drift.note or "")
            )
        lines += [f"note: {note}" for note in self.notes]
        if confusion:
            for name, s in self.model_scores.items():
                lines += ["", f"model confusion, {name} (rows gold, columns predicted):", confusion_table(s)]
        return "\n".join(lines)


def evaluate(
    settings: DocpipeSettings,
    dataset: str,
    model_name: str | None = None,
    with_baseline: bool = True,
    baseline_datasets: list[str] | None = None,
) -> EvalReport:
    from classifier.model import ClassifierModel, set_threads
    from classifier.train import prediction_distribution, score_probabilities
    from classifier.training_set import load_sources, rebuild_training_set

    model_dir = store.resolve(settings, model_name)
    if model_dir is None:
        raise ConfigurationError("no classifier model yet: train one with `docpipe train`")
    set_threads(settings.classifier_threads)
    model = ClassifierModel.load(model_dir, bf16=settings.classifier_bf16)
    examples, dropped = normalise_labels(load_dataset(dataset, settings), model.taxonomy)
    if not examples:
        raise ConfigurationError(f"{dataset}: no example has a label of the model's taxonomy")
    texts = [ex.text for ex in examples]
    orders = {t.name: t.labels for t in model.taxonomy.targets}

    started = time.perf_counter()
    without_memory = model.probabilities(texts, use_memory=False)
    probabilities = model.memory.mix(texts, without_memory) if model.memory is not None else without_memory
    ms_per_doc = (time.perf_counter() - started) * 1000 / len(texts)
    report = EvalReport(
        dataset=dataset,
        model_version=model.version,
        examples=len(examples),
        labels_not_in_taxonomy=dropped,
        model_scores=score_probabilities(examples, probabilities, model.taxonomy),
        model_ms_per_doc=ms_per_doc,
        drift=drift(
            model.version,
            f"dataset {dataset}",
            store.prediction_reference(model_dir),
            prediction_distribution(probabilities, model.taxonomy),
            settings.drift_threshold,
            settings.drift_min_documents,
        ),
    )
    if model.memory is not None:
        report.without_memory_scores = score_probabilities(examples, without_memory, model.taxonomy)
        report.memory_repeats = int(model.memory.repeats(texts).sum())
        report.notes.append(
            f"{report.memory_repeats} of {len(texts)} documents nearly repeat one of the {len(model.memory)} the model "
            f"remembers (word TF-IDF cosine >= {model.memory.threshold:g})"
        )
    unlabelled = [t for t in model.taxonomy.names if t not in report.model_scores]
    if unlabelled:
        report.notes.append(f"not scored (the dataset has no labels for them): {', '.join(unlabelled)}")
    single = [
        name
        for name, s in report.model_scores.items()
        if len({ex.labels[name] for ex in examples if name in ex.labels}) == 1
    ]
    if single:
        report.notes.append(
            f"{', '.join(single)}: every gold label is the same, so macro-F1 drops to ~0.5 for any error; read accuracy"
        )

    if with_baseline:
        if baseline_datasets:
            training: list[Example] = load_sources(settings, baseline_datasets, model.taxonomy)[0]
        else:
            rebuilt = rebuild_training_set(settings, model_dir)
            training = rebuilt.train + rebuilt.validation
        baseline = Baseline.train(training, model.taxonomy.names)
        report.baseline_scores = score(examples, baseline.predict(texts), model.taxonomy.names, orders)
        report.baseline_training_rows = len(training)
        seen = {ex.text for ex in training}
        report.overlap_with_training = sum(text in seen for text in texts)
        if report.overlap_with_training:
            report.notes.append(
                f"{report.overlap_with_training} evaluation texts are among the training rows: not a held-out measurement"
            )
    return report
