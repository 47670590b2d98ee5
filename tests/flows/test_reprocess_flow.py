"""A new stage version reprocesses stored documents without duplicating them."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from db.models import Document, ProcessingRun
from db.session import session_scope
from pipeline import stage_registry
from docpipe.settings import get_settings
from docpipe.stages import StageResult
from flows.process import process_documents
from flows.reprocess import reprocess_documents


@dataclass
class LengthStage:
    """A real stage: flags short documents for review, as a cautious model would."""

    version: str
    name: str = "length"
    seen: list[int] = field(default_factory=list)
    min_chars: int = 0
    runtime: str = "Python (no model)"

    def run(self, document):
        self.seen.append(document.document_id)
        return StageResult(needs_review=len(document.text) < self.min_chars, reason="too short to trust")


@dataclass
class InterruptingStage:
    """A new version of the stage whose first document meets an operator's Ctrl-C."""

    version: str
    name: str = "length"
    runtime: str = "Python (no model)"

    def run(self, document):
        raise KeyboardInterrupt


def use_stage(monkeypatch, stage):
    monkeypatch.setitem(stage_registry.STAGE_FACTORIES, "length", lambda _settings: stage)
    monkeypatch.setenv("DOCPIPE_STAGES", '["length"]')
    get_settings.cache_clear()
    stage_registry._build.cache_clear()  # built stages are kept per process; this one was swapped


def test_new_version_reprocesses_and_clears_stale_review(prefect_harness, settings, tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "short.txt").write_text(f"hi {tmp_path.name}")
    (inbox / "long.txt").write_text(f"A long enough support ticket about a broken laptop {tmp_path}")

    old = LengthStage(version="v1", min_chars=1000)
    use_stage(monkeypatch, old)
    first = process_documents(paths=[str(inbox)])
    assert first["needs_review"] == 2 and len(old.seen) == 2
    ids = {row["document_id"] for row in first["files"]}

    new = LengthStage(version="v2", min_chars=60)
    use_stage(monkeypatch, new)
    again = reprocess_documents()
    reprocessed = {row["document_id"] for row in again["files"]}
    assert ids <= reprocessed and sorted(new.seen) == sorted(reprocessed)
    with session_scope(settings.database_url) as session:
        docs = {doc.filename: doc for doc in session.query(Document).filter(Document.id.in_(ids))}
        assert docs["long.txt"].status == "processed" and docs["long.txt"].error is None
        assert docs["short.txt"].status == "needs_review"
        assert {doc.stage_versions["length"] for doc in docs.values()} == {"v2"}

    seen_before = len(new.seen)
    assert reprocess_documents()["files"] == []  # everything is current now
    assert len(new.seen) == seen_before


def test_an_interrupted_reprocess_run_is_recorded_as_crashed(prefect_harness, settings, tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "ticket.txt").write_text(f"A support ticket about a broken laptop {tmp_path}")
    use_stage(monkeypatch, LengthStage(version="v1"))
    process_documents(paths=[str(inbox)])

    use_stage(monkeypatch, InterruptingStage(version="v3"))
    with pytest.raises(KeyboardInterrupt):
        reprocess_documents()
    with session_scope(settings.database_url) as session:
        run = session.scalars(select(ProcessingRun).order_by(ProcessingRun.id.desc()).limit(1)).one()
        assert run.settings == {"reprocess": True}
        assert run.status == "crashed" and run.finished_at is not None and run.files_total >= 1
