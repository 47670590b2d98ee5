"""The pipeline's ``classify`` stage: label a stored document and record it.

Contract (docpipe.stages.DocumentStage): takes a document with its extracted text (which
may be empty: it is still classified, and an empty text gets low confidence); writes one
``classifications`` row per (document, model version), replacing an earlier row of the
same version; asks for review when any target's calibrated top probability is under
``DOCPIPE_CLASSIFIER_REVIEW_THRESHOLD``. Available whenever a model exists, or can be
trained (``DOCPIPE_CLASSIFIER_TRAIN_IF_MISSING``): the factory trains the default model
on first use, which takes minutes, and loads the model once per process.
"""

from __future__ import annotations

import logging
import math

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from classifier import store
from classifier.model import ClassifierModel, Prediction, set_threads
from db.models import Classification, Document
from docpipe.cpu import torch_runtime
from docpipe.errors import ConfigurationError
from docpipe.settings import DocpipeSettings
from docpipe.stages import StageResult

log = logging.getLogger(__name__)


class ClassifyStage:
    name = "classify"

    def __init__(self, model: ClassifierModel, review_threshold: float) -> None:
        self.model = model
        self.review_threshold = review_threshold

    @property
    def version(self) -> str:
        return self.model.version

    @property
    def runtime(self) -> str:
        return torch_runtime()

    def classify(self, text: str) -> Prediction:
        return self.model.predict([text])[0]

    def run(self, session: Session, document: Document, run_id: int) -> StageResult:
        prediction = self.classify(document.text or "")
        store_classification(session, document.id, run_id, self.version, prediction)
        low = prediction.low_confidence(self.review_threshold)
        if not low:
            return StageResult()
        # Rounded down and the threshold as configured: never "0.50 < 0.50" for 0.4996 < 0.5.
        details = ", ".join(f"{target} {prediction.labels[target]} {math.floor(p * 100) / 100:.2f}" for target, p in low.items())
        return StageResult(needs_review=True, reason=f"low confidence ({details} < {self.review_threshold:g})")


def store_classification(
    session: Session, document_id: int, run_id: int | None, version: str, prediction: Prediction
) -> None:
    values = {
        "run_id": run_id,
        "doc_type": prediction.labels["doc_type"],
        "doc_type_confidence": prediction.confidences["doc_type"],
        "urgency": prediction.labels["urgency"],
        "urgency_confidence": prediction.confidences["urgency"],
        "department": prediction.labels["department"],
        "department_confidence": prediction.confidences["department"],
        "probabilities": prediction.probabilities,
    }
    session.execute(
        insert(Classification)
        .values(document_id=document_id, model_version=version, **values)
        # A re-run of a version makes its row the latest again (document_results and
        # repository.latest sort by created_at): switching back to an older model shows its labels.
        .on_conflict_do_update(
            index_elements=["document_id", "model_version"], set_={**values, "created_at": func.now()}
        )
    )


def load_stage_model(settings: DocpipeSettings) -> ClassifierModel:
    """The model the settings name; the default one is trained first when none exists yet."""
    model_dir = store.resolve(settings)
    if model_dir is None:
        if not settings.classifier_train_if_missing:
            raise ConfigurationError(
                "no classifier model: run `docpipe train` (or set DOCPIPE_CLASSIFIER_TRAIN_IF_MISSING=true)"
            )
        log.warning("no classifier model yet: training the default model (this takes minutes, once)")
        from flows.train import train_classifier

        train_classifier(show_progress=True)
        model_dir = store.resolve(settings)
        if model_dir is None:
            raise ConfigurationError("training the default classifier model did not produce a current model")
    set_threads(settings.classifier_threads)
    model = ClassifierModel.load(model_dir, bf16=settings.classifier_bf16)
    log.info("classifier model %s loaded from %s", model.version, model_dir)
    return model


def build_stage(settings: DocpipeSettings) -> ClassifyStage:
    """Factory registered as ``"classify"`` in docpipe.stages.STAGE_FACTORIES."""
    return ClassifyStage(load_stage_model(settings), settings.classifier_review_threshold)
