"""Processing on Dask (flows.cluster): real local clusters and a real `dask scheduler` on
127.0.0.1, a real Postgres; every file accounted for and no content processed twice."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import psutil
import pytest
from sqlalchemy import select, text

from db.models import Classification, Document, RunDocument
from db.session import get_engine, session_scope
from cli.main import main
from docpipe.errors import SchedulerUnavailableError
from pipeline.files import VANISHED_REASON
from flows.process import process_documents
from tests import documents
from tests.conftest import prefect_env

VENV_BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _rows(url: str, run_id: int) -> list[RunDocument]:
    with session_scope(url) as session:
        return list(session.scalars(select(RunDocument).where(RunDocument.run_id == run_id)))


def _pid(worker: str) -> int:
    host, pid = worker.rsplit(":", 1)
    assert host == socket.gethostname()
    return int(pid)


def _text_folder(folder: Path, count: int, unique: str) -> Path:
    folder.mkdir(parents=True)
    for index in range(count):
        (folder / f"ticket-{index:02}.txt").write_text(f"Ticket {index} {unique}: the printer on floor {index} is jammed")
    return folder


@pytest.fixture
def classify_settings(own_settings, tiny_model, monkeypatch):
    from docpipe.settings import get_settings

    monkeypatch.setenv("DOCPIPE_STAGES", '["classify"]')
    monkeypatch.setenv("DOCPIPE_CLASSIFIER_MODEL", str(tiny_model.directory))
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


def test_two_local_workers_account_for_every_file_and_store_each_content_once(prefect_harness, classify_settings, tmp_path):
    folder = _text_folder(tmp_path / "inbox", 10, str(tmp_path))
    (folder / "copy-of-ticket-03.txt").write_bytes((folder / "ticket-03.txt").read_bytes())
    (folder / "mail.eml").write_bytes(
        documents.eml(
            f"Invoice attached {tmp_path}",
            [("a.pdf", documents.text_pdf(documents.INVOICE_TEXT + str(tmp_path)), "application/pdf"),
             ("b.txt", f"Delivery note {tmp_path}".encode(), "text/plain")],
        )
    )
    summary = process_documents(paths=[str(folder)], workers=2)

    assert summary["total"] == 12 and summary["attachments"] == 2
    assert summary["processed"] + summary["needs_review"] == 12 and summary["failed"] == 0
    rows = _rows(classify_settings.database_url, summary["run_id"])
    paths = [row.source_path for row in rows]
    assert len(paths) == len(set(paths)) == 14  # one row per file and attachment
    listed = [row["path"] for row in summary["files"]]
    assert [path for path in listed if "#" not in path] == sorted(str(path) for path in folder.iterdir())  # input order
    assert listed.index(f"{folder}/mail.eml#a.pdf") == listed.index(f"{folder}/mail.eml") + 1  # attachments follow
    workers = {row.worker for row in rows}
    assert len(workers) == 2 and os.getpid() not in {_pid(worker) for worker in workers}
    with session_scope(classify_settings.database_url) as session:
        stored = session.scalars(select(Document)).all()
        assert len(stored) == 13  # 14 inputs, one content twice
        classified = Counter(session.scalars(select(Classification.document_id)))
        assert set(classified) == {document.id for document in stored} and set(classified.values()) == {1}
    attachments = [row for row in rows if "#" in row.source_path]
    assert {row.worker for row in attachments} == {next(row.worker for row in rows if row.source_path.endswith("mail.eml"))}


@pytest.mark.slow
def test_the_language_model_runs_in_the_workers(prefect_harness, classify_settings, tmp_path, monkeypatch):
    """Dask's workers are daemonic by default, and the extraction stage's model runs in a
    child process of the worker: without `distributed.worker.daemon: false` it cannot start."""
    from db.models import Extraction
    from docpipe.settings import get_settings

    monkeypatch.setenv("DOCPIPE_STAGES", '["classify", "extract"]')
    monkeypatch.setenv("DOCPIPE_EXTRACT_MODEL", "smollm2-135m")
    monkeypatch.setenv("DOCPIPE_EXTRACT_MAX_OUTPUT_TOKENS", "300")
    get_settings.cache_clear()
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "invoice.pdf").write_bytes(documents.text_pdf(documents.INVOICE_TEXT + str(tmp_path)))
    (folder / "ticket.txt").write_text(f"Ticket {tmp_path}: the VPN drops every hour since Monday")
    summary = process_documents(paths=[str(folder)], workers=2)
    assert summary["total"] == 2 and summary["failed"] == 0, summary["files"]
    rows = _rows(classify_settings.database_url, summary["run_id"])
    assert all("extract" in row.stage_seconds for row in rows) and os.getpid() not in {_pid(row.worker) for row in rows}
    with session_scope(classify_settings.database_url) as session:
        assert len(session.scalars(select(Extraction)).all()) == 2


def test_one_worker_is_this_process(prefect_harness, settings, tmp_path):
    summary = process_documents(paths=[str(_text_folder(tmp_path / "inbox", 2, str(tmp_path)))])
    assert {_pid(row.worker) for row in _rows(settings.database_url, summary["run_id"])} == {os.getpid()}


def _claim_holder(url: str) -> tuple[int, str] | None:
    """A local process holding a content claim now (a worker in the middle of a document),
    and the claimed content's hash prefix (hex), from Postgres's lock table."""
    with get_engine(url).connect() as connection:
        held = connection.execute(
            text(
                "SELECT a.client_port, l.classid, l.objid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database()"
            )
        ).first()
    if held is None:
        return None
    port, high, low = held
    for connection in psutil.net_connections(kind="tcp"):
        if connection.laddr and connection.laddr.port == port and connection.pid:
            return connection.pid, f"{high:08x}{low:08x}"
    return None


def test_a_worker_killed_mid_document_loses_nothing_and_duplicates_nothing(prefect_server, own_settings, tmp_path):
    folder = tmp_path / "scans"
    folder.mkdir()
    for index in range(8):
        (folder / f"scan-{index}.png").write_bytes(
            documents.image_bytes(f"Receipt {index} {tmp_path.name} total {index}.50", "PNG")
        )
    with prefect_env(prefect_server, DOCPIPE_STAGES="[]", DOCPIPE_AUDIT_RATE="0") as env:
        batch = subprocess.Popen(
            [str(VENV_BIN / "docpipe"), "process", str(folder), "--workers", "2", "--json", "--no-progress"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        victim = None
        deadline = time.monotonic() + 240
        while victim is None and batch.poll() is None and time.monotonic() < deadline:
            victim = _claim_holder(own_settings.database_url)
            time.sleep(0.05)
        assert victim is not None, "no worker was seen holding a document"
        pid, claimed = victim
        os.kill(pid, signal.SIGKILL)
        out, err = batch.communicate(timeout=300)
    assert batch.returncode == 0, err[-3000:]
    summary = json.loads(out)
    assert summary["total"] == 8 and summary["processed"] == 8, summary
    rows = _rows(own_settings.database_url, summary["run_id"])
    assert len(rows) == len({row.source_path for row in rows}) == 8
    with session_scope(own_settings.database_url) as session:
        stored = session.scalars(select(Document)).all()
    assert len(stored) == 8 and all(document.status == "processed" and document.text for document in stored)
    killed_document = next(document for document in stored if document.sha256.startswith(claimed))
    killed_row = next(row for row in rows if row.document_id == killed_document.id)
    assert killed_row.status == "processed" and _pid(killed_row.worker) != pid  # finished by another worker


@pytest.mark.parametrize("move", [False, True], ids=["batches", "inbox-runs"])
def test_two_batches_at_once_on_one_folder_process_each_document_once(prefect_server, classify_settings, tiny_model, tmp_path, move):
    folder = tmp_path / "shared"
    folder.mkdir()
    # Enough documents for the later batch (it starts a second or two after the other) to
    # catch up and meet the earlier one on the same document.
    for index in range(20):
        (folder / f"scan-{index:02}.png").write_bytes(documents.image_bytes(f"Invoice {index} {tmp_path.name}", "PNG"))
    command = [str(VENV_BIN / "docpipe"), "process", str(folder), "--json", "--no-progress", *(["--move"] if move else [])]
    with prefect_env(prefect_server, DOCPIPE_INBOX_SETTLE_S="0") as env:
        batches = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
        results = [batch.communicate(timeout=300) for batch in batches]
    assert [batch.returncode for batch in batches] == [0, 0], [err[-2000:] for _out, err in results]
    summaries = [json.loads(out) for out, _err in results]
    assert all(summary["failed"] == 0 for summary in summaries)
    with session_scope(classify_settings.database_url) as session:
        assert len(session.scalars(select(Document)).all()) == 20
        rows = session.scalars(select(RunDocument)).all()
    # An inbox run that starts late walks fewer files: the other one has archived some.
    assert len(rows) == sum(summary["total"] for summary in summaries) and (move or len(rows) == 40)
    # The text is read, and the model run, by one batch per document; the other waits for
    # its claim and finds the document done.
    read = Counter(row.document_id for row in rows if not row.reused and row.document_id is not None)
    classified = Counter(row.document_id for row in rows if "classify" in row.stage_seconds)
    assert sorted(read.values()) == sorted(classified.values()) == [1] * 20
    if move:  # each file archived once, by one run or the other; none left behind
        assert not list(folder.glob("*.png")) and len(list((folder / "processed").rglob("*.png"))) == 20
        skipped = [row for row in rows if row.status == "skipped"]
        assert all(row.error == VANISHED_REASON for row in skipped)


def test_an_existing_cluster_processes_the_batch(prefect_harness, settings, tmp_path, monkeypatch):
    from docpipe.settings import get_settings

    port = _free_port()
    env = dict(os.environ)
    scheduler = subprocess.Popen(
        [str(VENV_BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    worker = subprocess.Popen(
        [str(VENV_BIN / "dask"), "worker", f"tcp://127.0.0.1:{port}", "--nworkers", "1", "--nthreads", "1", "--no-dashboard"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        monkeypatch.setenv("DOCPIPE_DASK_ADDRESS", f"tcp://127.0.0.1:{port}")
        monkeypatch.setenv("DOCPIPE_DASK_CONNECT_TIMEOUT_S", "60")
        get_settings.cache_clear()
        summary = process_documents(paths=[str(_text_folder(tmp_path / "inbox", 3, str(tmp_path)))])
        assert summary["total"] == summary["processed"] == 3
        pids = {_pid(row.worker) for row in _rows(settings.database_url, summary["run_id"])}
        assert len(pids) == 1 and pids <= {child.pid for child in psutil.Process(worker.pid).children(recursive=True)}
    finally:
        for process in (worker, scheduler):
            process.terminate()
            process.wait(timeout=30)
        get_settings.cache_clear()


def test_an_unreachable_scheduler_is_one_line_and_exit_2(settings, tmp_path, monkeypatch, capsys):
    from docpipe.settings import get_settings

    address = f"tcp://127.0.0.1:{_free_port()}"
    monkeypatch.setenv("DOCPIPE_DASK_ADDRESS", address)
    monkeypatch.setenv("DOCPIPE_DASK_CONNECT_TIMEOUT_S", "2")
    get_settings.cache_clear()
    (tmp_path / "a.txt").write_text("hello")
    try:
        assert main(["process", str(tmp_path), "--no-progress"]) == 2
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith(f"docpipe: error: the Dask scheduler at {address} (DOCPIPE_DASK_ADDRESS) does not answer: ")


def test_the_flow_itself_refuses_an_unreachable_scheduler_before_recording_a_run(prefect_harness, settings, tmp_path, monkeypatch):
    from db.models import ProcessingRun
    from docpipe.settings import get_settings

    monkeypatch.setenv("DOCPIPE_DASK_ADDRESS", f"tcp://127.0.0.1:{_free_port()}")
    monkeypatch.setenv("DOCPIPE_DASK_CONNECT_TIMEOUT_S", "2")
    get_settings.cache_clear()
    with session_scope(settings.database_url) as session:
        before = len(session.scalars(select(ProcessingRun.id)).all())
    (tmp_path / "a.txt").write_text("hello")
    try:
        with pytest.raises(SchedulerUnavailableError):
            process_documents(paths=[str(tmp_path)])
    finally:
        get_settings.cache_clear()
    with session_scope(settings.database_url) as session:
        assert len(session.scalars(select(ProcessingRun.id)).all()) == before
