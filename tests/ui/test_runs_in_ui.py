"""A batch run and its artifacts appear in the Prefect UI, as back-office staff see them."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request

import pytest
from sqlalchemy import select

from db.models import ProcessingRun
from db.session import session_scope
from tests import documents
from tests.conftest import prefect_env
from tests.ui.conftest import wait_for_text

pytestmark = pytest.mark.slow


def latest_artifact_id(server, key: str) -> str:
    request = urllib.request.Request(
        f"{server.api_url}/artifacts/filter",
        data=json.dumps({"artifacts": {"key": {"any_": [key]}}, "sort": "CREATED_DESC", "limit": 1}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)[0]["id"]


def test_batch_run_and_its_artifacts_show_in_the_ui(prefect_server, settings, page, screenshot_dir, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "invoice.pdf").write_bytes(documents.text_pdf(f"Invoice UI-1 {tmp_path}"))
    (inbox / "locked.pdf").write_bytes(documents.encrypted_pdf(f"secret {tmp_path}"))
    with prefect_env(prefect_server, DOCPIPE_DATABASE_URL=settings.database_url, DOCPIPE_STAGES="[]") as env:
        result = subprocess.run(
            [sys.executable, "-m", "cli.main", "process", "--no-progress", str(inbox)],
            env=env, capture_output=True, text=True, timeout=300, check=False,
        )
    assert result.returncode == 0, result.stderr[-2000:]
    with session_scope(settings.database_url) as session:
        run = session.scalars(select(ProcessingRun).order_by(ProcessingRun.id.desc())).first()
        flow_run_id = run.flow_run_id
    assert flow_run_id, run.__dict__

    page.goto(f"{prefect_server.url}/runs/flow-run/{flow_run_id}", wait_until="networkidle")
    body = wait_for_text(page, "process-documents")
    assert "Completed" in body
    page.screenshot(path=screenshot_dir / "flow-run.png", full_page=True)

    page.goto(f"{prefect_server.url}/artifacts", wait_until="networkidle")
    wait_for_text(page, "docpipe-run-documents")
    body = wait_for_text(page, "docpipe-run-summary")
    assert "2 input file(s): 1 processed, 0 need review, 1 failed, 0 skipped (all accounted for)" in body
    page.screenshot(path=screenshot_dir / "artifacts.png", full_page=True)

    page.get_by_text("docpipe-run-documents").first.click()
    wait_for_text(page, "Files of docpipe run")  # the key's history of runs
    artifact_id = latest_artifact_id(prefect_server, "docpipe-run-documents")
    page.goto(f"{prefect_server.url}/artifacts/artifact/{artifact_id}", wait_until="networkidle")
    wait_for_text(page, "password-protected PDF")
    page.screenshot(path=screenshot_dir / "artifact-table.png", full_page=True)

    # The models' health, after every run: rendered markdown with its tables and bars.
    health_id = latest_artifact_id(prefect_server, "docpipe-model-health")
    page.goto(f"{prefect_server.url}/artifacts/artifact/{health_id}", wait_until="networkidle")
    body = wait_for_text(page, "Live accuracy by model version")
    assert f"Model health after run {run.id}" in body and "Audit samples waiting for review" in body
    page.screenshot(path=screenshot_dir / "model-health.png", full_page=True)
