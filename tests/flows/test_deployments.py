"""prefect.yaml's deployments, applied to a real Prefect server and run by a real worker."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import ProcessingRun
from db.session import session_scope
from tests.conftest import prefect_env

pytestmark = pytest.mark.slow
REPO_ROOT = Path(__file__).resolve().parents[2]


def api(server, path: str, body: dict | None = None):
    request = urllib.request.Request(
        f"{server.api_url}{path}",
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def run(command: list[str], env: dict[str, str], timeout: int = 300) -> str:
    result = subprocess.run(command, env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout, check=False)
    assert result.returncode == 0, f"{command}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


@pytest.fixture(scope="module")
def deployed(prefect_server, tmp_path_factory):
    inbox = tmp_path_factory.mktemp("inbox")
    with prefect_env(prefect_server, DOCPIPE_INBOX=str(inbox), DOCPIPE_TIMEZONE="Europe/Berlin") as env:
        run(["bash", "scripts/deploy"], env, timeout=600)
    return inbox


def test_deployments_are_scheduled_in_the_configured_time_zone(prefect_server, deployed):
    deployments = {d["name"]: d for d in api(prefect_server, "/deployments/filter", {})}
    assert set(deployments) == {"inbox", "retrain-classifier", "relearn-extraction-memory", "reprocess", "review"}
    inbox = deployments["inbox"]
    assert inbox["parameters"] == {"paths": [str(deployed)], "move_files": True}
    assert inbox["work_pool_name"] == "process"
    schedules = [s["schedule"] for s in inbox["schedules"]]
    assert schedules == [{"cron": "*/15 7-19 * * 1-5", "timezone": "Europe/Berlin", "day_or": True}]
    assert deployments["review"]["schedules"] == []


def run_deployment(server, name: str, settings, **env_extra: str) -> dict:
    """Start a run of deployment ``name``, let a worker on the process pool execute it; the run."""
    with prefect_env(server, DOCPIPE_DATABASE_URL=settings.database_url, DOCPIPE_STAGES="[]", **env_extra) as env:
        started = run(["prefect", "deployment", "run", name], env)
        run(["prefect", "worker", "start", "--pool", "process", "--run-once"], env, timeout=600)
    flow_run_id = re.search(r"UUID: ([0-9a-f-]{36})", started).group(1)
    return api(server, f"/flow_runs/{flow_run_id}")


def test_a_worker_runs_the_inbox_batch_like_a_scheduled_run(prefect_server, deployed, settings):
    (deployed / "ticket.txt").write_bytes(f"Printer on fire {deployed}".encode())
    (deployed / "broken.pdf").write_bytes(b"%PDF-1.4\n" + b"\x00" * 32)
    stamp = time.time() - 120
    for path in deployed.iterdir():
        os.utime(path, (stamp, stamp))
    flow_run = run_deployment(prefect_server, "process-documents/inbox", settings, DOCPIPE_INBOX_SETTLE_S="30")
    assert flow_run["state_type"] == "COMPLETED"
    day = time.strftime("%Y-%m-%d")
    assert sorted(p.relative_to(deployed).as_posix() for p in deployed.rglob("*") if p.is_file()) == [
        f"failed/{day}/broken.pdf", f"processed/{day}/ticket.txt",
    ]
    with session_scope(settings.database_url) as session:
        latest = session.scalars(select(ProcessingRun).order_by(ProcessingRun.id.desc())).first()
        assert (latest.files_total, latest.files_processed, latest.files_failed) == (2, 1, 1)
        assert latest.flow_run_id == flow_run["id"] and flow_run["deployment_id"]


def test_a_worker_runs_the_reprocess_deployment(prefect_server, deployed, settings):
    flow_run = run_deployment(prefect_server, "reprocess-documents/reprocess", settings)
    assert flow_run["state_type"] == "COMPLETED", flow_run["state"]
