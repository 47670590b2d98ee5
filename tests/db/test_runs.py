"""Runs of killed processes: a live run keeps its row, a killed one is recorded crashed by the next."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from db import repository, runs
from db.models import ProcessingRun
from db.session import get_engine, session_scope

REPO = Path(__file__).resolve().parents[2]
STALE_S = 2.0
# A worker that starts a run, finishes one file of it, and is then busy (beating) until it is killed.
WORKER = f"""
import sys, time
from db import repository, runs
from db.session import get_engine, session_scope
url = sys.argv[1]
with session_scope(url) as session:
    run_id = repository.start_run(session, None, {{"text": "test"}}, {{}}).id
    repository.record_run_document(session, run_id, source_path="/inbox/a.pdf", status="processed")
with runs.heartbeat(get_engine(url), run_id, runs.beat_interval({STALE_S})):
    print(run_id, flush=True)
    time.sleep(600)
"""


def closed_runs(url: str) -> list[int]:
    with session_scope(url) as session:
        return runs.close_abandoned_runs(session, STALE_S)


def test_a_run_whose_process_was_killed_is_recorded_crashed_and_a_live_one_is_left_alone(settings):
    url = settings.database_url
    worker = subprocess.Popen([sys.executable, "-c", WORKER, url], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        run_id = int(worker.stdout.readline())
        with session_scope(url) as session:  # this process's own run, alive too
            own_run = repository.start_run(session, None, {"text": "test"}, {}).id
        with runs.heartbeat(get_engine(url), own_run, runs.beat_interval(STALE_S)):
            time.sleep(2 * STALE_S)  # both have outlived the stale limit, beating
            assert not {run_id, own_run} & set(closed_runs(url))
            worker.kill()  # SIGKILL: no Python code of the worker runs any more
            worker.wait()
            deadline = time.monotonic() + 10 * STALE_S
            while run_id not in (closed := closed_runs(url)) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert run_id in closed and own_run not in closed
            with session_scope(url) as session:
                killed, alive = session.get_one(ProcessingRun, run_id), session.get_one(ProcessingRun, own_run)
                assert (killed.status, killed.files_total, killed.files_processed) == ("crashed", 1, 1)
                assert killed.finished_at is not None
                assert (alive.status, alive.finished_at) == ("running", None)
        time.sleep(STALE_S + 1)
        assert own_run in closed_runs(url)  # it stopped beating: now it is abandoned too
    finally:
        worker.kill()
        worker.wait()
