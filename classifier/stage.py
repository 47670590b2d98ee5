"""The pipeline's ``classify`` stage: label a document's text.

Contract (docpipe.stages.DocumentStage): takes a document with its extracted text (which
may be empty: it is still classified, and an empty text gets low confidence) and returns
its labels with their calibrated probabilities; asks for review when any target's top
probability is under ``DOCPIPE_CLASSIFIER_REVIEW_THRESHOLD``, and when it calls a document
a type that gets no field extraction (``other``) with a doc_type probability under
``DOCPIPE_CLASSIFIER_UNEXTRACTED_THRESHOLD``, naming the runner-up type: such a document is
otherwise never read by anyone, so a contract taken for ``other`` must not pass silently.
Without a trained model
(a fresh install before ``docpipe train``) every document goes to review saying so: a
stage never trains (the main job trains the default model as a step of its own).
"""

from __future__ import annotations

import logging
import math

from classifier import store
from classifier.model import ClassifierModel, set_threads
from docpipe.cpu import torch_runtime
from docpipe.settings import DocpipeSettings
from docpipe.stages import Labels, StageInput, StageResult
from schemas.registry import schema_for

log = logging.getLogger(__name__)

NO_MODEL_VERSION = "no-model"
"""The stage's version while no model exists: documents classified then are classified
again once one does (their version differs)."""
NO_MODEL_REASON = "no classifier model yet: run `docpipe train`; the next run (or a reprocess run) classifies it again"


class ClassifyStage:
    name = "classify"

    def __init__(self, model: ClassifierModel | None, review_threshold: float, unextracted_threshold: float) -> None:
        self.model = model
        self.review_threshold = review_threshold
        self.unextracted_threshold = unextracted_threshold

    @property
    def version(self) -> str:
        return self.model.version if self.model is not None else NO_MODEL_VERSION

    @property
    def runtime(self) -> str:
        return torch_runtime() if self.model is not None else "no model"

    def run(self, document: StageInput) -> StageResult:
        if self.model is None:
            return StageResult(needs_review=True, reason=NO_MODEL_REASON)
        labels = self.model.predict([document.text])[0]
        reasons = []
        low = labels.low_confidence(self.review_threshold)
        if low:
            # Rounded down and the threshold as configured: never "0.50 < 0.50" for 0.4996 < 0.5.
            details = ", ".join(f"{target} {labels.labels[target]} {_floor(p)}" for target, p in low.items())
            reasons.append(f"low confidence ({details} < {self.review_threshold:g})")
        unsure = self._unsure_unextracted(labels)
        if unsure:
            reasons.append(unsure)
        return StageResult(needs_review=bool(reasons), reason="; ".join(reasons) or None, labels=labels)

    def _unsure_unextracted(self, labels: Labels) -> str | None:
        """The review reason for a type without extraction that is not certain enough, or None."""
        doc_type, p = labels.labels["doc_type"], labels.confidences["doc_type"]
        if schema_for(doc_type) is not None or p >= self.unextracted_threshold:
            return None
        others = {label: q for label, q in labels.probabilities.get("doc_type", {}).items() if label != doc_type}
        runner_up = max(others, key=others.__getitem__) if others else None
        named = f", runner-up {runner_up} {_floor(others[runner_up])}" if runner_up else ""
        return (f"doc_type {doc_type} {_floor(p)} < {self.unextracted_threshold:g}{named}: "
                f"documents of type {doc_type} get no field extraction, so a person confirms the type")


def _floor(p: float) -> str:
    return f"{math.floor(p * 100) / 100:.2f}"


def load_stage_model(settings: DocpipeSettings) -> ClassifierModel | None:
    """The model the settings name; None when none has been trained yet."""
    model_dir = store.resolve(settings)
    if model_dir is None:
        log.warning("no classifier model yet: every document goes to review until `docpipe train` makes one")
        return None
    set_threads(settings.classifier_threads)
    model = ClassifierModel.load(model_dir, bf16=settings.classifier_bf16)
    log.info("classifier model %s loaded from %s", model.version, model_dir)
    return model


def build_stage(settings: DocpipeSettings) -> ClassifyStage:
    """Factory registered as ``"classify"`` in pipeline.stage_registry.STAGE_FACTORIES."""
    return ClassifyStage(
        load_stage_model(settings), settings.classifier_review_threshold, settings.classifier_unextracted_threshold
    )
