"""The whole product runs with the network cut: a batch in a loopback-only network namespace."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
REPO_ROOT = Path(__file__).resolve().parent.parent

# Runs inside `unshare -n`: a new network namespace whose only interface is loopback.
BATCH = r"""
set -euo pipefail
ip link set lo up
if python3 -c "import socket; socket.create_connection(('1.1.1.1', 53), timeout=3)" 2>/dev/null; then
  echo "the namespace reaches the outside network" >&2; exit 3
fi
source scripts/bootstrap.sh
set -euo pipefail
trap '"${DOCPIPE_PG_CTL[@]}" stop >/dev/null' EXIT
docpipe db upgrade >&2
docpipe process --json --no-progress sample_docs/documents
"""


def test_a_whole_batch_runs_with_loopback_only(tiny_model, tmp_path):
    if shutil.which("unshare") is None or os.geteuid() != 0:
        pytest.fail("this test needs root and unshare(1) to make a network namespace")
    pg_dir = Path("/var/tmp") / f"docpipe-offline-{uuid.uuid4().hex[:8]}"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DOCPIPE_DATABASE_URL", "PREFECT_API_URL", "HF_HUB_OFFLINE", "PREFECT_SERVER_ANALYTICS_ENABLED")
    }
    env.update(
        DOCPIPE_PG_DIR=str(pg_dir),
        DOCPIPE_PG_PORT="54399",
        DOCPIPE_DATA_DIR=str(tmp_path / "data"),
        DOCPIPE_STAGES='["classify", "extract"]',
        DOCPIPE_CLASSIFIER_MODEL=str(tiny_model.directory),
        DOCPIPE_EXTRACT_MODEL="smollm2-135m",
        DOCPIPE_EXTRACT_SECOND_MODEL="smollm2-135m",
        PREFECT_HOME=str(tmp_path / "prefect"),
    )
    try:
        result = subprocess.run(
            ["unshare", "--net", "--", "bash", "-c", BATCH],
            cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=1500, check=False,
        )
    finally:
        shutil.rmtree(pg_dir, ignore_errors=True)
    assert result.returncode == 0, f"{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
    summary = json.loads(result.stdout[result.stdout.index("{"):])
    assert summary["total"] == summary["processed"] + summary["needs_review"] + summary["failed"] > 0
    assert summary["failed"] == 0, [row for row in summary["files"] if row["status"] == "failed"]
    assert all(row["doc_type"] for row in summary["files"]), "every document was classified"
