"""The extraction model in a supervised child process: a real SIGKILL costs one document."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest
from pydantic import BaseModel, Field
from sqlalchemy import select

from db.models import Classification, Document, Extraction
from db.session import session_scope
from pipeline import stage_registry
from extractors.text import TEXT_STAGE_VERSION
from docpipe.errors import ConfigurationError, ModelCrashedError
from docpipe.stages import Labels, StageResult
from extractors.fields.model_files import ModelFile, resolve_model
from extractors.fields.model_process import SupervisedBackend, death_reason

pytestmark = pytest.mark.slow


class ShippingCode(BaseModel):
    code: str = Field(max_length=12)


MESSAGES = [{"role": "user", "content": "Give a shipping code for parcel 12."}]


@pytest.fixture
def supervised(model_settings):
    backend = SupervisedBackend(model_settings, resolve_model(model_settings))
    yield backend
    backend.close()


def kill_when(condition, pid_of, timeout: float = 120.0) -> threading.Thread:
    """A thread that SIGKILLs the process ``pid_of()`` names once ``condition()`` holds."""

    def watch() -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                os.kill(pid_of(), signal.SIGKILL)
                return
            time.sleep(0.01)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_generation_runs_in_a_child_process_and_survives_its_sigkill(supervised):
    first = supervised.generate(MESSAGES, ShippingCode, max_tokens=40)
    assert ShippingCode.model_validate_json(first.text)
    child = supervised.pid
    assert child is not None and child != os.getpid()
    assert "llama.cpp" in supervised.runtime and "compiled for" in supervised.runtime

    # Killed in the middle of a generation: the call in hand fails, saying how the process died.
    calls_started = threading.Event()
    original_receive = supervised._receive

    def receive_after_start():
        calls_started.set()
        return original_receive()

    supervised._receive = receive_after_start
    killer = kill_when(calls_started.is_set, lambda: child)
    with pytest.raises(ModelCrashedError, match=r"^model process died \(signal 9, SIGKILL\)$"):
        supervised.generate(MESSAGES, ShippingCode, max_tokens=400)
    killer.join()
    supervised._receive = original_receive
    assert supervised.pid is None

    # The next call starts a fresh child and answers as before (greedy decoding).
    again = supervised.generate(MESSAGES, ShippingCode, max_tokens=40)
    assert again.text == first.text
    assert supervised.restarts == 1 and supervised.pid not in (None, child)


def test_a_load_error_in_the_child_is_raised_in_the_parent(model_settings, tmp_path):
    folder = tmp_path / "not-a-gguf"
    folder.mkdir()
    with pytest.raises(ConfigurationError, match="needs a GGUF file"):
        SupervisedBackend(model_settings, ModelFile(path=folder, sha256="0" * 64, name=str(folder)))
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF but not really a model")
    with pytest.raises(Exception) as failed:  # llama.cpp's own error, carried over the pipe
        SupervisedBackend(model_settings, ModelFile(path=broken, sha256="0" * 64, name=str(broken)))
    assert not isinstance(failed.value, ModelCrashedError)


def test_death_reasons_name_the_signal_or_the_status():
    assert death_reason(-signal.SIGILL) == "model process died (signal 4, SIGILL)"
    assert death_reason(-signal.SIGSEGV) == "model process died (signal 11, SIGSEGV)"
    assert death_reason(3) == "model process exited unexpectedly (status 3)"


class TicketLabelStage:
    """A real stage before extraction: labels every document a ticket (the schema it needs)."""

    name = "label"
    version = "label-1"
    runtime = "Python (no model)"

    def run(self, document):
        labels = {"doc_type": "ticket", "urgency": "low", "department": "IT Support"}
        return StageResult(labels=Labels(labels, {target: 0.99 for target in labels}))


def test_a_sigkilled_model_process_costs_one_document_not_the_batch(
    prefect_harness, settings, model_settings, tmp_path, monkeypatch
):
    from extractors.fields.stage import ExtractionStage
    from flows.process import process_documents

    limits = {key: getattr(model_settings, key) for key in (
        "extract_model", "extract_threads", "extract_context_tokens", "extract_max_input_chars", "extract_max_output_tokens",
    )}
    # One tier: the test is about the first model's child (tests/extractors/fields/test_cascade.py has the second's).
    limits["extract_cascade"] = False
    extraction = ExtractionStage(settings.model_copy(update=limits))  # the supervised child, as in production
    first_tier = extraction.cascade.tiers[0]
    monkeypatch.setitem(stage_registry.STAGE_FACTORIES, "label", lambda _settings: TicketLabelStage())
    monkeypatch.setitem(stage_registry.STAGE_FACTORIES, "extract", lambda _settings: extraction)
    monkeypatch.setenv("DOCPIPE_STAGES", '["label", "extract"]')
    stage_registry._build.cache_clear()
    from docpipe.settings import get_settings

    get_settings.cache_clear()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("a", "b", "c"):
        (inbox / f"{name}.txt").write_text(
            f"From: Dana Kim <dana@example.com>\nSubject: Laptop {name} will not boot\n"
            f"My laptop shows a black screen since this morning. ref {tmp_path.name}-{name}\n"
        )

    def labelled(name: str) -> bool:
        with session_scope(settings.database_url) as session:
            return session.scalar(
                select(Classification.id).join(Document, Document.id == Classification.document_id)
                .where(Document.source_path == str(inbox / f"{name}.txt"))
            ) is not None

    first_child = first_tier.backend.pid
    killer = kill_when(lambda: labelled("b"), lambda: first_child)
    summary = process_documents(paths=[str(inbox)])
    killer.join()
    stage_registry._build.cache_clear()

    by_file = {Path(row["file"]).name: row for row in summary["files"]}
    assert summary["total"] == 3 and summary["processed"] + summary["needs_review"] + summary["failed"] == 3
    assert by_file["b.txt"]["status"] == "failed"
    assert by_file["b.txt"]["reason"] == "extract: model process died (signal 9, SIGKILL)"
    assert by_file["a.txt"]["status"] != "failed" and by_file["c.txt"]["status"] != "failed"
    assert first_tier.backend.restarts == 1
    with session_scope(settings.database_url) as session:
        killed = session.scalars(select(Document).where(Document.source_path == str(inbox / "b.txt"))).one()
        assert killed.status == "failed" and "Laptop b will not boot" in killed.text  # text kept
        assert killed.stage_versions == {"text": TEXT_STAGE_VERSION, "label": "label-1"}  # extract left for the next run
        assert session.scalar(select(Classification.doc_type).where(Classification.document_id == killed.id)) == "ticket"
        extracted = session.scalars(
            select(Extraction.document_id).join(Document, Document.id == Extraction.document_id)
            .where(Document.source_path.in_([str(inbox / "a.txt"), str(inbox / "c.txt")]))
        ).all()
        assert len(extracted) == 2  # before and after the crash
    first_tier.backend.close()
