"""The README's main command under load: both cores busy, the Prefect server started by the
set-up, every sample file accounted for, the run visible at the address it prints."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import _free_port

REPO_ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def test_the_main_job_completes_while_two_processes_occupy_both_cores(empty_database, tiny_model, tmp_path):
    port, prefect_database = _free_port(), f"prefect_test_{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DOCPIPE_DATABASE_URL": empty_database,
        "DOCPIPE_DATA_DIR": str(tmp_path / "data"),
        "DOCPIPE_PREFECT_PORT": str(port),
        "DOCPIPE_PREFECT_DATABASE": prefect_database,
        # Small real models keep the test short; the product's own run the same code paths.
        "DOCPIPE_CLASSIFIER_MODEL": str(tiny_model.directory),
        "DOCPIPE_EXTRACT_MODEL": "smollm2-135m",
        "DOCPIPE_EXTRACT_SECOND_MODEL": "smollm2-135m",
        "DOCPIPE_EXTRACT_MAX_OUTPUT_TOKENS": "300",
    }
    for name in ("PREFECT_API_URL", "DOCPIPE_PREFECT_SERVER", "PREFECT_HOME"):
        env.pop(name, None)
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        run = subprocess.run(
            [str(REPO_ROOT / "scripts" / "process-samples")],
            env=env, capture_output=True, text=True, timeout=3000, cwd=REPO_ROOT,
        )
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
    try:
        output = run.stdout + run.stderr
        assert run.returncode == 0, output[-4000:]
        assert re.search(r"input file\(s\): .* -> all accounted for", run.stdout), run.stdout[-2000:]
        sample_files = [p for p in (REPO_ROOT / "sample_docs" / "documents").rglob("*") if p.is_file()]
        assert f"\n{len(sample_files)} input file(s)" in run.stdout
        assert "extract runs on llama.cpp" in output and "compiled for" in output
        address = re.search(rf"Prefect UI: (http://127\.0\.0\.1:{port}/runs/flow-run/([0-9a-f-]{{36}}))", run.stdout)
        assert address, run.stdout[-2000:]
        # The run is in the server the set-up started, which outlives the command.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/flow_runs/{address.group(2)}", timeout=10) as response:
            flow_run = json.load(response)
        assert flow_run["state_type"] == "COMPLETED" and flow_run["name"]
        page = urllib.request.Request(address.group(1), headers={"Accept": "text/html"})  # as a browser asks
        with urllib.request.urlopen(page, timeout=10) as response:
            assert response.status == 200 and "<html" in response.read().decode().lower()  # the UI's page
    finally:
        stop = subprocess.run(
            [str(REPO_ROOT / ".venv" / "bin" / "docpipe"), "server", "stop"], env=env, capture_output=True, text=True
        )
        admin = create_engine(make_url(empty_database).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{prefect_database}" WITH (FORCE)'))
        admin.dispose()
    assert stop.returncode == 0 and "stopped" in stop.stderr
