"""Whether a processing run's process still lives: it beats, on a row the reader cannot touch.

A run interrupted inside Python (Ctrl-C, a cancelled deployment's SIGTERM, an error)
records itself ``crashed``. A process killed outright (SIGKILL, the OOM killer, power
loss) cannot; but while it lives, a thread of it sets its row's ``heartbeat_at`` to the
database's clock every few seconds (``heartbeat``). The next run records every ``running``
row whose beat is older than ``DOCPIPE_RUN_STALE_AFTER_S`` as ``crashed``
(``close_abandoned_runs``). Unlike the session advisory lock this replaces, a beat survives
a database restart (the next beat reconnects), and the read-only role, which cannot update
the table, can neither fake one nor stall a batch by taking the product's locks.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, func, select, text, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from db.models import ProcessingRun, RunDocument
from db.repository import now
from docpipe.statuses import FileStatus, RunStatus


def beat_interval(stale_after_s: float) -> float:
    """Seconds between beats: at most 15, and at least four beats within ``stale_after_s``."""
    return min(15.0, stale_after_s / 4)


def beat(engine: Engine, run_id: int) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(ProcessingRun)
            .where(ProcessingRun.id == run_id, ProcessingRun.status == RunStatus.RUNNING)
            .values(heartbeat_at=func.now())
        )


@contextmanager
def heartbeat(engine: Engine, run_id: int, every_s: float) -> Iterator[None]:
    """Beat for ``run_id`` every ``every_s`` seconds while the block runs (a daemon thread:
    it dies with the process, which is the point). A beat that fails (the database is
    restarting) is skipped; the next one reconnects."""
    stop = threading.Event()

    def beating() -> None:
        while not stop.wait(every_s):
            with contextlib.suppress(SQLAlchemyError):
                beat(engine, run_id)

    thread = threading.Thread(target=beating, name=f"run-{run_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every_s + 10)


def close_abandoned_runs(session: Session, stale_after_s: float) -> list[int]:
    """Record as ``crashed`` every ``running`` run whose last beat is older than
    ``stale_after_s`` (its process is gone), with the counts of the files it finished;
    returns their ids. Rows another closer holds are skipped, so two never close one twice."""
    stale = (
        select(ProcessingRun)
        .where(
            ProcessingRun.status == RunStatus.RUNNING,
            ProcessingRun.heartbeat_at < func.now() - text("make_interval(secs => :stale)").bindparams(stale=stale_after_s),
        )
        .order_by(ProcessingRun.id)
        .with_for_update(skip_locked=True)
    )
    closed = []
    for run in session.scalars(stale).all():
        record_crashed(session, run)
        closed.append(run.id)
    return closed


def record_crashed(session: Session, run: ProcessingRun) -> None:
    """Close ``run`` as ``crashed``, with the counts of the files it recorded."""
    files = session.scalars(
        select(RunDocument.status).where(RunDocument.run_id == run.id, RunDocument.is_attachment.is_(False))
    ).all()
    run.status = RunStatus.CRASHED
    run.finished_at = now()
    run.files_total = len(files)
    run.files_processed = files.count(FileStatus.PROCESSED)
    run.files_failed = files.count(FileStatus.FAILED)
    run.files_needs_review = files.count(FileStatus.NEEDS_REVIEW)
