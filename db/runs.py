"""Whether a processing run's process still lives: it holds a Postgres advisory lock.

A run interrupted inside Python (Ctrl-C, a cancelled deployment's SIGTERM, an error)
records itself ``crashed``. A process killed outright (SIGKILL, the OOM killer, power
loss) cannot, but its connection drops and Postgres releases the lock with it; the next
run then finds the row ``running`` with nobody holding its lock and records it
``crashed`` (``close_abandoned_runs``). Two workers running at once each hold their own
run's lock, so neither closes the other's.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, Integer, cast, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from db.models import ProcessingRun, RunDocument
from db.repository import now

LOCK_SPACE = 0x646F63
"""First key of the two-key advisory locks this application takes ("doc"); the second is
the run id, so other users of advisory locks on the same database are not in the way."""


@contextmanager
def run_lock(engine: Engine) -> Iterator[Callable[[int], None]]:
    """A connection kept open for the block; call what it yields with a run's id to hold
    that run's lock until the block ends. Take it before the run's row is committed, so no
    other process ever sees the row without its lock."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        held: list[int] = []

        def hold(run_id: int) -> None:
            connection.execute(select(func.pg_advisory_lock(LOCK_SPACE, cast(run_id, Integer))))
            held.append(run_id)

        try:
            yield hold
        finally:
            with contextlib.suppress(DBAPIError):  # connection lost: the server released the lock
                for run_id in held:
                    connection.execute(select(func.pg_advisory_unlock(LOCK_SPACE, cast(run_id, Integer))))


def close_abandoned_runs(session: Session) -> list[int]:
    """Record as ``crashed`` every ``running`` run whose lock nobody holds (its process is
    gone), with the counts of the files it finished; returns their ids."""
    running = session.scalars(select(ProcessingRun).where(ProcessingRun.status == "running").order_by(ProcessingRun.id))
    closed = []
    for run in running.all():
        # A transaction-level lock: taken only if free, released when this session commits.
        if not session.scalar(select(func.pg_try_advisory_xact_lock(LOCK_SPACE, cast(run.id, Integer)))):
            continue
        record_crashed(session, run)
        closed.append(run.id)
    return closed


def record_crashed(session: Session, run: ProcessingRun) -> None:
    """Close ``run`` as ``crashed``, with the counts of the files it recorded."""
    files = session.scalars(
        select(RunDocument.status).where(RunDocument.run_id == run.id, RunDocument.is_attachment.is_(False))
    ).all()
    run.status = "crashed"
    run.finished_at = now()
    run.files_total = len(files)
    run.files_processed = files.count("processed")
    run.files_failed = files.count("failed")
    run.files_needs_review = files.count("needs_review")
