"""The classify stage on a real test database: rows written, view updated, low confidence to review."""

from __future__ import annotations

import random
import re
import uuid

import pytest
from sqlalchemy import select, text

from classifier.stage import NO_MODEL_VERSION
from classifier.synthetic import KINDS, make_example
from db import repository
from db.models import Classification, Document
from db.session import session_scope
from pipeline import stage_registry
from docpipe.stages import Labels, StageInput
from pipeline.files import InputFile, ingest_file, run_stage
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
    path = tmp_path / f"{uuid.uuid4().hex}.txt"
    path.write_text(f"{body}\nref {uuid.uuid4().hex}")  # unique content per test database
    with session_scope(settings.database_url) as session:
        run_id = repository.start_run(session, None, {}, {}).id
    outcome = ingest_file(InputFile.from_path(path), run_id, settings)
    with session_scope(settings.database_url) as session:
        stored = session.get_one(Document, outcome.document_id).text
    return outcome, run_id, stored


def build(settings, threshold: float, unextracted: float = 0.0):
    update = {"classifier_review_threshold": threshold, "classifier_unextracted_threshold": unextracted}
    return stage_registry.STAGE_FACTORIES["classify"](settings.model_copy(update=update))


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
    result = stage.run(StageInput(document_id=outcome.document_id, text=stored))
    for _ in range(2):
        with session_scope(stage_settings.database_url) as session:
            repository.store_result(session, outcome.document_id, run_id, stage.version, result)
    with session_scope(stage_settings.database_url) as session:
        count = session.scalar(
            select(text("count(*)")).select_from(Classification).where(Classification.document_id == outcome.document_id)
        )
    assert count == 1


def test_low_confidence_routes_to_review_and_confident_passes(stage_settings, tmp_path):
    outcome, run_id, stored = ingest(stage_settings, tmp_path, "Hello, a short note.")
    probe = build(stage_settings, 0.0)
    prediction = probe.model.predict([stored])[0]
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
    lenient_threshold = min(probe.model.predict([other_text])[0].confidences.values()) - 1e-4
    run_stage(build(stage_settings, lenient_threshold), other, other_run, stage_settings)
    assert other.status == "processed" and other.error is None


def test_an_empty_document_is_still_classified(stage_settings, tmp_path):
    stage = build(stage_settings, 0.0)
    result = stage.run(StageInput(document_id=1, text=""))
    assert result.labels is not None
    assert result.labels.labels["doc_type"] in stage.model.taxonomy.target("doc_type").labels


def test_without_a_model_documents_go_to_review_saying_so_and_nothing_trains(settings, tmp_path):
    stage = stage_registry.STAGE_FACTORIES["classify"](settings)  # an empty model store
    assert stage.version == NO_MODEL_VERSION
    outcome, run_id, _ = ingest(settings, tmp_path, "Subject: printer jam")
    run_stage(stage, outcome, run_id, settings)
    assert outcome.status == "needs_review" and "run `docpipe train`" in outcome.error
    with session_scope(settings.database_url) as session:
        document = session.get_one(Document, outcome.document_id)
        assert document.stage_versions["classify"] == NO_MODEL_VERSION  # classified again once a model exists
        assert session.scalars(select(Classification).where(Classification.document_id == document.id)).all() == []
    assert not (settings.data_dir / "models").exists()


def test_switching_back_to_an_older_model_version_shows_its_labels_again(stage_settings, tmp_path):
    def labels(doc_type: str) -> Labels:
        values = {"doc_type": doc_type, "urgency": "low", "department": "Finance"}
        return Labels(labels=values, confidences={t: 0.9 for t in values})

    outcome, run_id, _ = ingest(stage_settings, tmp_path, "Receipt or invoice, two models disagree")
    # Each in its own transaction, as runs are: the older version, the newer, then back to the older.
    for version, doc_type in (("clf-old", "invoice"), ("clf-new", "receipt"), ("clf-old", "invoice")):
        with session_scope(stage_settings.database_url) as session:
            repository.save_classification(session, outcome.document_id, run_id, version, labels(doc_type))
    with session_scope(stage_settings.database_url) as session:
        assert repository.latest(session, Classification, outcome.document_id).model_version == "clf-old"
        shown = session.execute(
            text("SELECT doc_type, classifier_version FROM document_results WHERE document_id = :id"),
            {"id": outcome.document_id},
        ).one()
    assert tuple(shown) == ("invoice", "clf-old")


def _labels(doc_type: str, distribution: dict[str, float]) -> Labels:
    return Labels(
        labels={"doc_type": doc_type, "urgency": "low", "department": "General Inquiry"},
        confidences={"doc_type": distribution[doc_type], "urgency": 0.9, "department": 0.9},
        probabilities={"doc_type": distribution},
    )


def test_other_is_accepted_only_when_sure_and_the_runner_up_is_named(stage_settings):
    stage = build(stage_settings, 0.0, unextracted=0.8)
    unsure = _labels("other", {"other": 0.61, "contract": 0.3, "invoice": 0.09})
    assert stage._unsure_unextracted(unsure) == (
        "doc_type other 0.61 < 0.8, runner-up contract 0.30: "
        "documents of type other get no field extraction, so a person confirms the type"
    )
    assert stage._unsure_unextracted(_labels("other", {"other": 0.85, "contract": 0.15})) is None
    # A type that is extracted is judged by the review threshold alone.
    assert stage._unsure_unextracted(_labels("contract", {"contract": 0.4, "other": 0.35, "invoice": 0.25})) is None


def test_a_document_the_model_calls_other_goes_to_review_unless_sure(stage_settings, tmp_path):
    """The real model on documents of every kind: each one it calls ``other`` below the
    threshold is in review with the runner-up named; nothing else is sent there for it."""
    rng = random.Random(4)
    stage = build(stage_settings, 0.0, unextracted=1.0)  # no `other` is ever sure enough
    taxonomy = stage.model.taxonomy
    texts = [make_example(kind, rng, taxonomy).text for kind in KINDS for _ in range(2)]
    results = [stage.run(StageInput(document_id=0, text=text)) for text in texts]
    called_other = [r for r in results if r.labels.labels["doc_type"] == "other"]
    for result in results:
        assert result.needs_review == (result.labels.labels["doc_type"] == "other")
    for result in called_other:
        assert re.fullmatch(r"doc_type other \d\.\d\d < 1, runner-up \w+ \d\.\d\d: .*", result.reason)
    assert called_other, "the test model calls none of the generated other documents other"
