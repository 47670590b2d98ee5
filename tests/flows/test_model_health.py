"""Audit samples, drift warnings and the model-health artifact in real flow runs (real
classifier model, Postgres, Prefect test API)."""

from __future__ import annotations

import random
import threading

import pytest
from prefect.flow_runs import resume_flow_run
from sqlalchemy import select

from db import health, repository
from db.models import Classification, RunDocument
from db.session import session_scope
from docpipe.health import AUDIT_REASON
from docpipe.settings import get_settings
from pipeline.summary import RUN_SUMMARY_ARTIFACT_KEY
from flows.health import HEALTH_ARTIFACT_KEY
from flows.process import process_documents
from flows.review import review_documents
from tests.flows.test_process_flow import latest_artifact, write_inbox
from tests.flows.test_review_flow import paused_flow_run_id

TICKETS = [
    "Subject: VPN drops every hour\nHi support, my VPN connection drops every hour since Monday. Please help.",
    "Subject: Invoice 2231 overdue\nDear customer, invoice 2231 of 450.00 EUR is overdue. Please pay within 7 days.",
    "Subject: New laptop request\nHello IT, the new hire in accounting needs a laptop by Friday.",
    "SERVICE AGREEMENT between Acme Corp and Beta LLC, effective 1 March 2026, governed by the laws of Delaware.",
]


@pytest.fixture
def classify_settings(own_settings, tiny_model, monkeypatch):
    """The classify stage with the session's tiny model, accepting every label (thresholds 0),
    on a database of the test's own (the model-health figures count only its documents)."""
    monkeypatch.setenv("DOCPIPE_STAGES", '["classify"]')
    monkeypatch.setenv("DOCPIPE_CLASSIFIER_MODEL", str(tiny_model.directory))
    monkeypatch.setenv("DOCPIPE_CLASSIFIER_BF16", "false")
    monkeypatch.setenv("DOCPIPE_CLASSIFIER_REVIEW_THRESHOLD", "0")
    monkeypatch.setenv("DOCPIPE_CLASSIFIER_UNEXTRACTED_THRESHOLD", "0")
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


def inbox_of(tmp_path, name: str, bodies: list[str]):
    unique = tmp_path / name  # fresh content per test session database and per inbox
    return write_inbox(tmp_path / name, {f"doc{i}.txt": f"{body}\nref {unique} {i}".encode() for i, body in enumerate(bodies)})


def statuses(settings, run_id: int) -> dict[str, tuple[str, str | None]]:
    with session_scope(settings.database_url) as session:
        rows = session.scalars(select(RunDocument).where(RunDocument.run_id == run_id)).all()
        return {row.source_path.rsplit("/", 1)[-1]: (row.status, row.error) for row in rows}


def test_audit_samples_go_to_review_at_the_configured_rate(prefect_harness, classify_settings, tmp_path, monkeypatch):
    monkeypatch.setenv("DOCPIPE_AUDIT_RATE", "0")
    get_settings.cache_clear()
    none = process_documents(paths=[str(inbox_of(tmp_path, "none", TICKETS))])
    assert (none["processed"], none["needs_review"]) == (4, 0)

    monkeypatch.setenv("DOCPIPE_AUDIT_RATE", "1")
    get_settings.cache_clear()
    every = process_documents(paths=[str(inbox_of(tmp_path, "all", TICKETS))])
    assert (every["processed"], every["needs_review"]) == (0, 4)
    assert set(statuses(classify_settings, every["run_id"]).values()) == {("needs_review", AUDIT_REASON)}

    # A rerun draws nothing new: the documents are up to date and keep their audit.
    again = process_documents(paths=[str(tmp_path / "all")])
    assert (again["reused"], again["needs_review"]) == (4, 4)

    markdown = latest_artifact(HEALTH_ARTIFACT_KEY).data
    assert f"Model health after run {again['run_id']}" in markdown
    assert "Audit samples waiting for review: **4**" in markdown


def test_a_batch_unlike_the_training_data_raises_the_drift_warning(prefect_harness, classify_settings, tmp_path, monkeypatch):
    monkeypatch.setenv("DOCPIPE_DRIFT_MIN_DOCUMENTS", "20")
    get_settings.cache_clear()
    rng = random.Random(5)
    noise = [" ".join("".join(rng.choices("qxzjvkw", k=rng.randint(3, 9))) for _ in range(40)) for _ in range(24)]
    summary = process_documents(paths=[str(inbox_of(tmp_path, "noise", noise))])
    assert summary["processed"] == 24
    assert any(
        warning.startswith("drift: ") and f"over run {summary['run_id']} (24 documents)" in warning
        and "doc_type confidence PSI" in warning
        for warning in summary["warnings"]
    ), summary["warnings"]
    assert "drift: " in latest_artifact(RUN_SUMMARY_ARTIFACT_KEY).data
    health_markdown = latest_artifact(HEALTH_ARTIFACT_KEY).data
    assert "drift warning(s)**" in health_markdown and f"run {summary['run_id']}** (24 documents)" in health_markdown


def test_reviewing_an_audit_sample_shows_in_the_live_accuracy(prefect_harness, classify_settings, tiny_model, tmp_path, monkeypatch):
    monkeypatch.setenv("DOCPIPE_AUDIT_RATE", "1")
    get_settings.cache_clear()
    run = process_documents(paths=[str(inbox_of(tmp_path, "audit", TICKETS[:1]))])
    with session_scope(classify_settings.database_url) as session:
        document_id = session.scalars(select(RunDocument.document_id).where(RunDocument.run_id == run["run_id"])).one()
        labels = repository.latest(session, Classification, document_id)
        predicted = {target: getattr(labels, target) for target in ("doc_type", "urgency", "department")}
    corrected = next(label for label in tiny_model.result.model.taxonomy.target("doc_type").labels if label != predicted["doc_type"])

    outcome: dict = {}
    thread = threading.Thread(
        target=lambda: outcome.update(reviews=review_documents(document_ids=[document_id], wait_hours=0.05)), daemon=True
    )
    thread.start()
    resume_flow_run(
        paused_flow_run_id(),
        run_input={"reviewer": "Sam", "decision": "accept", **predicted, "doc_type": corrected, "fields": {}, "note": ""},
    )
    thread.join(timeout=120)
    assert outcome["reviews"][0]["changed"] == ["doc_type"]

    version = tiny_model.directory.name
    with session_scope(classify_settings.database_url) as session:
        rows = {(r["target"], r["sample"]): r for r in health.model_accuracy(session, model_version=version)}
    assert rows[("doc_type", "audit")]["correct"] < rows[("doc_type", "audit")]["n"]
    markdown = latest_artifact(HEALTH_ARTIFACT_KEY).data
    assert "Model health after a review run (1 reviewed)" in markdown
    assert f"| classify | {version} | doc_type |" in markdown
