"""Drills on a Postgres cluster of the test's own: a batch outlasts a 20 s outage, and ends in
one line when the database stays away longer than it is told to wait."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import _free_port

pytestmark = pytest.mark.slow


@dataclass
class Cluster:
    url: str
    start: Callable[[], None]
    stop: Callable[[], None]


@pytest.fixture
def own_postgres() -> Iterator[Cluster]:
    """A fresh cluster on a free port (initdb as the postgres user when run as root)."""
    from db.migrate import upgrade

    bin_dir = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))[-1]).parent
    data = Path(f"/var/tmp/docpipe-test-pg-{uuid.uuid4().hex[:10]}")
    data.mkdir(mode=0o700)
    owner = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
    if owner:
        shutil.chown(data, "postgres", "postgres")
    port = _free_port()
    subprocess.run([*owner, str(bin_dir / "initdb"), "-D", str(data), "-U", "docpipe", "--auth=trust",
                    "-E", "UTF8", "--locale=C.UTF-8"], check=True, capture_output=True)
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {data}"

    def start() -> None:
        subprocess.run([*owner, str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-l", str(data / "server.log"),
                        "-o", options, "start"], check=True, capture_output=True)

    def stop() -> None:
        subprocess.run([*owner, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                       capture_output=True)

    start()
    subprocess.run([*owner, str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "docpipe", "docpipe"],
                   check=True, capture_output=True)
    url = f"postgresql+psycopg://docpipe@127.0.0.1:{port}/docpipe"
    upgrade(url)
    try:
        yield Cluster(url, start, stop)
    finally:
        stop()
        shutil.rmtree(data, ignore_errors=True)


def _batch(cluster: Cluster, inbox: Path, tmp_path: Path, **env: str) -> subprocess.Popen:
    environment = {
        **os.environ,
        "DOCPIPE_DATABASE_URL": cluster.url,
        "DOCPIPE_DATA_DIR": str(tmp_path / "data"),
        "DOCPIPE_STAGES": "[]",
        "DOCPIPE_TASK_RETRY_DELAY_S": "0.5",
        "PREFECT_HOME": str(tmp_path / "prefect"),
        **env,
    }
    environment.pop("PREFECT_API_URL", None)  # Prefect's temporary API: it lives outside this Postgres
    return subprocess.Popen(
        [sys.executable, "-m", "cli.main", "process", "--no-progress", str(inbox)],
        env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _rows_recorded(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(text("SELECT count(*) FROM run_documents")) or 0
    except Exception:
        return -1
    finally:
        engine.dispose()


def _inbox(tmp_path: Path, count: int) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for number in range(count):
        (inbox / f"ticket-{number:03}.txt").write_text(f"Ticket {number}: printer {number} jammed ({tmp_path.name})")
    return inbox


def _stop_after_some_rows(cluster: Cluster, batch: subprocess.Popen, rows: int = 5) -> None:
    deadline = time.monotonic() + 180
    while _rows_recorded(cluster.url) < rows:
        assert batch.poll() is None, batch.communicate()
        assert time.monotonic() < deadline, "the batch recorded nothing"
        time.sleep(0.2)
    cluster.stop()


def test_a_batch_waits_out_a_20_second_outage_and_accounts_for_every_file(own_postgres, tmp_path):
    inbox = _inbox(tmp_path, 150)
    batch = _batch(own_postgres, inbox, tmp_path)
    _stop_after_some_rows(own_postgres, batch)
    time.sleep(20)
    own_postgres.start()
    stdout, stderr = batch.communicate(timeout=600)
    assert batch.returncode == 0, stderr[-3000:]
    assert "150 input file(s): 150 processed, 0 need review, 0 failed -> all accounted for" in stdout
    assert "database unreachable while" in stderr and "database answers again" in stderr
    engine = create_engine(own_postgres.url)
    with engine.connect() as connection:
        files = connection.execute(text("SELECT count(*), count(DISTINCT source_path) FROM run_documents")).one()
        documents = connection.scalar(text("SELECT count(*) FROM documents WHERE status = 'processed'"))
        run = connection.execute(text("SELECT status, files_total, files_processed FROM processing_runs")).one()
    engine.dispose()
    assert tuple(files) == (150, 150) and documents == 150  # nothing lost, nothing twice
    assert tuple(run) == ("completed", 150, 150)


def test_a_database_that_stays_away_ends_the_batch_in_one_line(own_postgres, tmp_path):
    batch = _batch(own_postgres, _inbox(tmp_path, 150), tmp_path, DOCPIPE_DATABASE_WAIT_S="4")
    _stop_after_some_rows(own_postgres, batch)
    _stdout, stderr = batch.communicate(timeout=300)
    assert batch.returncode == 2
    errors = [line for line in stderr.splitlines() if line.startswith("docpipe: error:")]
    assert len(errors) == 1, stderr[-3000:]
    assert errors[0].startswith("docpipe: error: the database has not answered for 4 s (DOCPIPE_DATABASE_WAIT_S): ")


def test_a_database_restart_does_not_make_a_live_run_look_abandoned(own_postgres):
    from db import repository, runs
    from db.models import ProcessingRun
    from db.session import get_engine, session_scope

    stale_s = 3.0
    with session_scope(own_postgres.url) as session:
        live = repository.start_run(session, None, {"text": "test"}, {}).id
        silent = repository.start_run(session, None, {"text": "test"}, {}).id  # nobody beats for it
    with runs.heartbeat(get_engine(own_postgres.url), live, runs.beat_interval(stale_s)):
        own_postgres.stop()
        time.sleep(2)
        own_postgres.start()  # every connection of before is gone (an advisory lock would be too)
        time.sleep(2 * stale_s)
        with session_scope(own_postgres.url) as session:
            closed = runs.close_abandoned_runs(session, stale_s)
        assert closed == [silent]
        with session_scope(own_postgres.url) as session:
            assert session.get_one(ProcessingRun, live).status == "running"
