"""The process-documents flow under a real (test) Prefect API and a real database."""

from __future__ import annotations

import asyncio
from pathlib import Path
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from sqlalchemy import select

from db import repository
from db.models import Document, ProcessingRun, RunDocument
from db.session import session_scope
from pipeline import stage_registry
from docpipe.errors import InputError, TransientError
from docpipe.stages import StageResult
from pipeline.summary import RUN_SUMMARY_ARTIFACT_KEY, RUN_TABLE_ARTIFACT_KEY
from extractors.text import TEXT_STAGE_VERSION
from flows.process import process_documents
from tests import documents


def write_inbox(folder, files: dict[str, bytes]):
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return folder


def latest_artifact(key: str):
    async def read():
        async with get_client() as client:
            found = await client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])))
            return sorted(found, key=lambda artifact: artifact.created)[-1]

    return asyncio.run(read())


def test_a_mixed_batch_is_fully_accounted_for(prefect_harness, settings, tmp_path):
    unique = str(tmp_path)  # fresh content per test session database
    inbox = write_inbox(
        tmp_path / "inbox",
        {
            "invoice.pdf": documents.text_pdf(documents.INVOICE_TEXT + unique),
            "scan.pdf": documents.scanned_pdf("Scanned invoice INV-9 total 12.00"),
            "mail.eml": documents.eml(
                "See attached " + unique,
                [("po.pdf", documents.text_pdf("Purchase order " + unique), "application/pdf"), ("junk.bin", b"\x00\x01" * 40, "application/octet-stream")],
            ),
            "empty.txt": b"",
            "locked.pdf": documents.encrypted_pdf("secret " + unique),
        },
    )
    summary = process_documents(paths=[str(inbox)])
    assert (summary["total"], summary["processed"], summary["failed"], summary["needs_review"]) == (5, 3, 2, 0)
    assert (summary["attachments"], summary["attachments_failed"]) == (2, 1)

    with session_scope(settings.database_url) as session:
        run = session.get_one(ProcessingRun, summary["run_id"])
        assert run.status == "completed" and run.flow_run_id
        assert (run.files_total, run.files_processed, run.files_failed) == (5, 3, 2)
        rows = session.scalars(select(RunDocument).where(RunDocument.run_id == run.id)).all()
        assert sorted(row.source_path.rsplit("/", 1)[-1] for row in rows) == [
            "empty.txt", "invoice.pdf", "locked.pdf", "mail.eml", "mail.eml#junk.bin", "mail.eml#po.pdf", "scan.pdf",
        ]
        assert all(row.error for row in rows if row.status == "failed")
        assert next(row for row in rows if row.source_path.endswith("scan.pdf")).ocr_used

    table = latest_artifact(RUN_TABLE_ARTIFACT_KEY)
    assert "scan.pdf" in str(table.data) and "password-protected" in str(table.data)
    assert "locked.pdf" in latest_artifact(RUN_SUMMARY_ARTIFACT_KEY).data


def test_a_rerun_reuses_documents_without_duplicating(prefect_harness, settings, tmp_path):
    inbox = write_inbox(tmp_path / "inbox", {"a.txt": f"Ticket {tmp_path}: printer jammed".encode()})
    first = process_documents(paths=[str(inbox)])
    second = process_documents(paths=[str(inbox)])
    assert first["files"][0]["document_id"] == second["files"][0]["document_id"]
    assert (first["reused"], second["reused"]) == (0, 1)


@dataclass
class FaultOnCallStage:
    """A real stage whose ``on_call``-th call raises ``fault``: a dropped connection, an operator's Ctrl-C."""

    name: str
    fault: BaseException
    on_call: int
    calls: list[int] = field(default_factory=list)
    runtime: str = "Python (no model)"

    @property
    def version(self) -> str:
        return f"{self.name}-1"

    def run(self, document):
        self.calls.append(document.document_id)
        if len(self.calls) == self.on_call:
            raise self.fault
        return StageResult()


@dataclass
class PickyStage:
    """A real stage that rejects documents mentioning 'reject' and wants review of 'check'."""

    name: str = "picky"
    version: str = "picky-1"
    calls: list[int] = field(default_factory=list)
    runtime: str = "Python (no model)"

    def run(self, document):
        self.calls.append(document.document_id)
        if "reject" in document.text:
            raise InputError("document rejected by policy")
        return StageResult(needs_review="check" in document.text, reason="asks for a check")


def test_stages_retry_transient_faults_but_not_bad_input(prefect_harness, settings, tmp_path, monkeypatch):
    flaky, picky = FaultOnCallStage("flaky", TransientError("connection reset"), on_call=1), PickyStage()
    monkeypatch.setitem(stage_registry.STAGE_FACTORIES, "flaky", lambda _settings: flaky)
    monkeypatch.setitem(stage_registry.STAGE_FACTORIES, "picky", lambda _settings: picky)
    monkeypatch.setenv("DOCPIPE_STAGES", '["flaky", "picky"]')
    monkeypatch.setenv("DOCPIPE_TASK_RETRY_DELAY_S", "0")
    from docpipe.settings import get_settings

    get_settings.cache_clear()
    inbox = write_inbox(
        tmp_path / "inbox",
        {"ok.txt": f"fine {tmp_path}".encode(), "bad.txt": f"reject {tmp_path}".encode(), "review.txt": f"check {tmp_path}".encode()},
    )
    summary = process_documents(paths=[str(inbox)])
    by_file = {row["file"].rsplit("/", 1)[-1]: row for row in summary["files"]}
    assert {name: row["status"] for name, row in by_file.items()} == {
        "bad.txt": "failed", "ok.txt": "processed", "review.txt": "needs_review",
    }
    assert "picky: document rejected by policy" in by_file["bad.txt"]["reason"]
    assert len(flaky.calls) == 4  # three documents, the first retried once
    assert len(picky.calls) == 3  # the rejection was not retried

    with session_scope(settings.database_url) as session:
        review = session.get_one(Document, by_file["review.txt"]["document_id"])
        assert review.status == "needs_review" and "asks for a check" in review.error
        assert review.stage_versions == {"text": TEXT_STAGE_VERSION, "flaky": "flaky-1", "picky": "picky-1"}

    # A second run finds the good documents up to date and gives only the failed one another try.
    rerun = process_documents(paths=[str(inbox)])
    assert rerun["reused"] == 2
    assert (len(flaky.calls), len(picky.calls)) == (5, 4)


def test_an_interrupted_run_is_recorded_as_crashed(prefect_harness, settings, monkeypatch, tmp_path):
    monkeypatch.setitem(stage_registry.STAGE_FACTORIES, "interrupted", lambda _settings: FaultOnCallStage("interrupted", KeyboardInterrupt(), on_call=2))
    monkeypatch.setenv("DOCPIPE_STAGES", '["interrupted"]')
    from docpipe.settings import get_settings

    get_settings.cache_clear()
    inbox = write_inbox(tmp_path / "inbox", {f"{n}.txt": f"Ticket {n} {tmp_path}".encode() for n in range(3)})
    with session_scope(settings.database_url) as session:
        last_run = session.scalar(select(ProcessingRun.id).order_by(ProcessingRun.id.desc()).limit(1)) or 0
    with pytest.raises(KeyboardInterrupt):
        process_documents(paths=[str(inbox)])

    with session_scope(settings.database_url) as session:
        run = session.scalars(select(ProcessingRun).where(ProcessingRun.id > last_run)).one()
        assert run.status == "crashed" and run.finished_at is not None
        assert (run.files_total, run.files_processed) == (1, 1)  # what was done before the interruption
    assert sorted(path.name for path in inbox.iterdir()) == ["0.txt", "1.txt", "2.txt"]  # nothing lost


def test_a_run_left_running_by_a_killed_process_is_closed_by_the_next(prefect_harness, settings, tmp_path):
    with session_scope(settings.database_url) as session:  # a run row whose process stopped beating long ago
        run = repository.start_run(session, None, {"text": TEXT_STAGE_VERSION}, {})
        run.heartbeat_at = datetime.now(UTC) - timedelta(seconds=settings.run_stale_after_s + 60)
        abandoned = run.id
        recent = repository.start_run(session, None, {"text": TEXT_STAGE_VERSION}, {}).id  # beat just now: alive
    summary = process_documents(paths=[str(write_inbox(tmp_path / "inbox", {"a.txt": f"Ticket {tmp_path}".encode()}))])
    with session_scope(settings.database_url) as session:
        assert session.get_one(ProcessingRun, abandoned).status == "crashed"
        assert session.get_one(ProcessingRun, recent).status == "running"
        session.get_one(ProcessingRun, recent).status = "crashed"  # not left for later tests
        assert session.get_one(ProcessingRun, summary["run_id"]).status == "completed"


def test_inbox_batch_moves_files_and_leaves_fresh_ones(prefect_harness, settings, tmp_path):
    import os
    import time

    inbox_dir = write_inbox(
        tmp_path / "inbox",
        {"good.txt": f"Ticket {tmp_path}: laptop broken".encode(), "bad.pdf": b"%PDF-1.7\n" + b"\x00" * 64},
    )
    stamp = time.time() - 600
    for path in inbox_dir.iterdir():
        os.utime(path, (stamp, stamp))
    (inbox_dir / "arriving.txt").write_bytes(b"half a ticket")  # modified just now

    summary = process_documents(paths=[str(inbox_dir)], move_files=True)
    assert (summary["total"], summary["processed"], summary["failed"], summary["deferred"]) == (2, 1, 1, 1)
    remaining = sorted(p.relative_to(inbox_dir).as_posix() for p in inbox_dir.rglob("*") if p.is_file())
    day = time.strftime("%Y-%m-%d")
    assert remaining == ["arriving.txt", f"failed/{day}/bad.pdf", f"processed/{day}/good.txt"]
    with session_scope(settings.database_url) as session:
        archived = session.scalars(
            select(RunDocument.archived_path).where(RunDocument.run_id == summary["run_id"])
        ).all()
    assert sorted(archived) == sorted(str(inbox_dir / p) for p in remaining[1:])


def test_file_names_are_never_format_strings_of_task_run_names(prefect_harness, settings, tmp_path):
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    names = ["Invoice {2026-03}.txt", "%s%n%x{}.txt", "{settings.database_url}.txt", "{0}.txt"]
    inbox = write_inbox(tmp_path / "inbox", {name: f"Ticket {name} {tmp_path}".encode() for name in names})
    state = process_documents(paths=[str(inbox)], return_state=True)
    summary = state.result()
    assert (summary["total"], summary["processed"]) == (4, 4)

    async def task_run_names():
        async with get_client() as client:
            runs = await client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id]))
            )
            return sorted(run.name for run in runs)

    assert asyncio.run(task_run_names()) == sorted(f"{task}: {name}" for name in names for task in ("document", "text"))
    assert not any(settings.database_url in row["file"] for row in summary["files"])


def test_file_names_that_are_not_utf8_are_stored_readably_with_their_bytes(prefect_harness, settings, tmp_path):
    import os
    import time as clock

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    raw_names = [b"m\xff\xfe-invalid-utf8.txt", b"\xe9t\xe9.txt", b"z-after.txt"]
    for raw in raw_names:
        path = os.fsencode(inbox) + b"/" + raw
        with open(path, "wb") as handle:
            handle.write(b"Ticket " + raw.replace(b"\xff", b"") + str(tmp_path).encode(errors="replace"))
        os.utime(path, (clock.time() - 600, clock.time() - 600))
    summary = process_documents(paths=[str(inbox)], move_files=True)
    assert (summary["total"], summary["processed"]) == (3, 3)
    with session_scope(settings.database_url) as session:
        rows = {
            row.filename: row
            for row in session.scalars(select(Document).where(Document.source_path.like(f"{inbox}/%"))).all()
        }
    assert set(rows) == {"m\\xff\\xfe-invalid-utf8.txt", "\\xe9t\\xe9.txt", "z-after.txt"}
    assert rows["\\xe9t\\xe9.txt"].source_path_bytes == os.fsencode(inbox) + b"/\xe9t\xe9.txt"
    assert rows["z-after.txt"].source_path_bytes is None
    archived = sorted(os.fsencode(p.name) for p in (inbox / "processed").rglob("*") if p.is_file())
    assert archived == sorted(raw_names)  # moved under their own names, bytes unchanged


def test_links_and_special_files_are_recorded_skipped_and_move_touches_nothing_outside(
    prefect_harness, settings, tmp_path
):
    import os
    import time as clock

    from tests.pipeline.test_files import _odd_inbox

    inbox, outside = _odd_inbox(tmp_path)
    old = clock.time() - 600
    os.utime(inbox / "a.txt", (old, old))
    summary = process_documents(paths=[str(inbox)], move_files=True)
    assert (summary["total"], summary["processed"], summary["skipped"]) == (10, 1, 9)
    with session_scope(settings.database_url) as session:
        rows = session.scalars(select(RunDocument).where(RunDocument.run_id == summary["run_id"])).all()
    assert sorted(row.status for row in rows) == ["processed"] + ["skipped"] * 9
    assert all(row.error.startswith("skipped: ") for row in rows if row.status == "skipped")
    assert (outside / "target.txt").read_text() == "a file outside the inbox"  # not moved
    assert sorted(p.name for p in outside.iterdir()) == ["folder", "target.txt"]
    assert (inbox / "link-out.txt").is_symlink() and not (inbox / "a.txt").exists()


def test_the_archive_folders_are_recorded_not_walked(prefect_harness, settings, tmp_path):
    import os
    import time as clock

    inbox = write_inbox(tmp_path / "inbox", {"new.txt": f"Ticket new {tmp_path}".encode()})
    write_inbox(inbox / "processed" / "2026-11-30", {"old.txt": f"Ticket old {tmp_path}".encode()})
    write_inbox(inbox / "failed" / "2026-11-30", {"bad.pdf": b"%PDF-1.7\n" + b"\x00" * 64})
    old = clock.time() - 600
    os.utime(inbox / "new.txt", (old, old))
    summary = process_documents(paths=[str(inbox)], move_files=True)
    assert (summary["total"], summary["processed"], summary["skipped"]) == (3, 1, 2)
    skipped = sorted((row["path"], row["reason"]) for row in summary["files"] if row["status"] == "skipped")
    assert [Path(path).name for path, _ in skipped] == ["failed", "processed"]
    assert all(reason.startswith("skipped: an archive folder of the inbox") for _, reason in skipped)
    assert (inbox / "processed" / "2026-11-30" / "old.txt").exists()  # left where it was
