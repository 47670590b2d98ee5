"""The classify stage on a real test database: rows written, view updated, low confidence to review."""

from __future__ import annotations

import re

import uuid

import pytest
from sqlalchemy import select, text

from db.models import Classification, Document
from db.session import session_scope
from docpipe import stages
from docpipe.errors import ConfigurationError
from docpipe.pipeline import InputFile, ingest_file, run_stage
from docpipe.settings import get_settings

pytestmark = pytest.mark.slow


@pytest.fixture
def stage_settings(settings, tiny_model, monkeypatch):
    """Test-database settings using the session's tiny model (float32, for exact comparisons)."""
    monkeypatch.setenv("DOCPIPE_CLASSIFIER_MODEL", str(tiny_model.directory))
    monkeypatch.setenv("DOCPIPE_CLASSIFIER_BF16", "false")
    get_settings.cache_clear()
    return get_settings()


def ingest(settings, tmp_path, body: str):
    """A text document stored by the real ingest path; returns its outcome and stored text."""
    from db import repository

    path = tmp_path / f"{uuid.uuid4().hex}.txt"
    path.write_text(f"{body}\nref {uuid.uuid4().hex}")  # unique content per test database
    with session_scope(settings.database_url) as session:
        run_id = repository.start_run(session, None, {}, {}).id
    outcome = ingest_file(InputFile.from_path(path), run_id, settings)
    with session_scope(settings.database_url) as session:
        stored = session.get_one(Document, outcome.document_id).text
    return outcome, run_id, stored


def build(settings, threshold: float):
    return stages.STAGE_FACTORIES["classify"](settings.model_copy(update={"classifier_review_threshold": threshold}))


def test_classification_is_stored_and_shown_in_document_results(stage_settings, tiny_model, tmp_path):
    stage = build(stage_settings, 0.0)
    assert stage.name == "classify" and stage.version == tiny_model.directory.name
    outcome, run_id, _ = ingest(
        stage_settings, tmp_path, "INVOICE INV-77\nTotal due 120.00 EUR\nPayment due upon receipt."
    )
    run_stage(stage, outcome, run_id, stage_settings)
    assert outcome.status == "processed"
    with session_scope(stage_settings.database_url) as session:
        row = session.scalars(select(Classification).where(Classification.document_id == outcome.document_id)).one()
        assert row.model_version == stage.version and row.run_id == run_id
        taxonomy = stage.model.taxonomy
        assert row.doc_type in taxonomy.target("doc_type").labels
        assert row.department in taxonomy.target("department").labels
        assert row.urgency in taxonomy.target("urgency").labels
        assert row.doc_type_confidence == pytest.approx(max(row.probabilities["doc_type"].values()))
        assert sum(row.probabilities["department"].values()) == pytest.approx(1.0, abs=1e-5)
        view = session.execute(
            text(
                "SELECT doc_type, urgency, department, classifier_version FROM document_results WHERE document_id = :id"
            ),
            {"id": outcome.document_id},
        ).one()
        assert tuple(view) == (row.doc_type, row.urgency, row.department, stage.version)
        document = session.get_one(Document, outcome.document_id)
        assert document.stage_versions["classify"] == stage.version


def test_rerunning_the_same_model_version_replaces_its_row(stage_settings, tmp_path):
    stage = build(stage_settings, 0.0)
    outcome, run_id, stored = ingest(stage_settings, tmp_path, "Subject: VPN down\n\nNobody can connect.")
    with session_scope(stage_settings.database_url) as session:
        document = session.get_one(Document, outcome.document_id)
        stage.run(session, document, run_id)
        stage.run(session, document, run_id)
        count = session.scalar(
            select(text("count(*)")).select_from(Classification).where(Classification.document_id == document.id)
        )
    assert count == 1


def test_low_confidence_routes_to_review_and_confident_passes(stage_settings, tmp_path):
    outcome, run_id, stored = ingest(stage_settings, tmp_path, "Hello, a short note.")
    probe = build(stage_settings, 0.0)
    prediction = probe.classify(stored)
    weakest = min(prediction.confidences, key=prediction.confidences.get)
    lowest = prediction.confidences[weakest]

    strict = build(stage_settings, lowest + 1e-4)  # just above the weakest top probability
    run_stage(strict, outcome, run_id, stage_settings)
    assert outcome.status == "needs_review"
    assert weakest in outcome.error and "low confidence" in outcome.error
    shown, threshold = re.search(r"([0-9.]+) < ([0-9.]+)\)", outcome.error).groups()
    assert float(shown) < float(threshold) and abs(float(threshold) - (lowest + 1e-4)) < 1e-5
    with session_scope(stage_settings.database_url) as session:
        document = session.get_one(Document, outcome.document_id)
        assert document.status == "needs_review"
        assert session.scalars(select(Classification).where(Classification.document_id == document.id)).one()

    other, other_run, other_text = ingest(stage_settings, tmp_path, "Hello, a short note.")
    lenient_threshold = min(probe.classify(other_text).confidences.values()) - 1e-4
    run_stage(build(stage_settings, lenient_threshold), other, other_run, stage_settings)
    assert other.status == "processed" and other.error is None


def test_an_empty_document_is_still_classified(stage_settings, tmp_path):
    stage = build(stage_settings, 0.0)
    prediction = stage.classify("")
    assert prediction.labels["doc_type"] in stage.model.taxonomy.target("doc_type").labels


def test_no_model_and_no_training_allowed_is_a_configuration_error(settings):
    missing = settings.model_copy(update={"classifier_train_if_missing": False})
    with pytest.raises(ConfigurationError, match="docpipe train"):
        stages.STAGE_FACTORIES["classify"](missing)


def test_switching_back_to_an_older_model_version_shows_its_labels_again(stage_settings, tmp_path):
    from classifier.model import Prediction
    from classifier.stage import store_classification
    from db import repository

    def prediction(doc_type: str) -> Prediction:
        labels = {"doc_type": doc_type, "urgency": "low", "department": "Finance"}
        return Prediction(labels=labels, confidences={t: 0.9 for t in labels}, probabilities={})

    outcome, run_id, _ = ingest(stage_settings, tmp_path, "Receipt or invoice, two models disagree")
    # Each in its own transaction, as runs are: the older version, the newer, then back to the older.
    for version, doc_type in (("clf-old", "invoice"), ("clf-new", "receipt"), ("clf-old", "invoice")):
        with session_scope(stage_settings.database_url) as session:
            store_classification(session, outcome.document_id, run_id, version, prediction(doc_type))
    with session_scope(stage_settings.database_url) as session:
        assert repository.latest(session, Classification, outcome.document_id).model_version == "clf-old"
        shown = session.execute(
            text("SELECT doc_type, classifier_version FROM document_results WHERE document_id = :id"),
            {"id": outcome.document_id},
        ).one()
    assert tuple(shown) == ("invoice", "clf-old")
