"""A reviewer completes the review form in the Prefect UI; the answer lands in Postgres."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request

import pytest
from sqlalchemy import text

from db.session import session_scope
from tests.pipeline.test_review import stored_document
from tests.conftest import prefect_env
from tests.ui.conftest import wait_for_text

pytestmark = pytest.mark.slow


def paused_run_id(server, timeout_s: float = 90) -> str:
    body = json.dumps({"flow_runs": {"state": {"type": {"any_": ["PAUSED"]}}}}).encode()
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        request = urllib.request.Request(
            f"{server.api_url}/flow_runs/filter", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            runs = json.load(response)
        if runs:
            return runs[0]["id"]
        time.sleep(1)
    raise AssertionError("the review flow did not pause")


def test_reviewer_corrects_a_field_in_the_ui(prefect_server, settings, page, screenshot_dir, tmp_path):
    document_id = stored_document(settings, tmp_path)
    script = f"from flows.review import review_documents; review_documents(document_ids=[{document_id}], wait_hours=0.1)"
    with prefect_env(prefect_server, DOCPIPE_DATABASE_URL=settings.database_url) as env:
        flow = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        run_id = paused_run_id(prefect_server)
        page.goto(f"{prefect_server.url}/runs/flow-run/{run_id}", wait_until="networkidle")
        wait_for_text(page, "Paused")
        page.get_by_role("button", name="Resume").first.click()
        modal = page.locator(".p-modal")
        wait_for_text(page, "Why it needs review")
        boxes = modal.locator("textarea")
        boxes.first.fill("Robin Reviewer")
        vendor = boxes.evaluate_all("els => els.findIndex(e => e.value === 'Northwind Tradrs')")
        assert vendor >= 0, "the extracted vendor name is not pre-filled"
        boxes.nth(vendor).fill("Northwind Traders")
        boxes.last.fill("vendor name misread")
        page.screenshot(path=screenshot_dir / "review-form.png", full_page=True)
        modal.get_by_role("button", name="Submit").click()
        output, _ = flow.communicate(timeout=120)
        assert flow.returncode == 0, output[-3000:]
    finally:
        if flow.poll() is None:
            flow.kill()

    with session_scope(settings.database_url) as session:
        review = session.execute(
            text("SELECT reviewer, note, fields_after ->> 'vendor_name' FROM reviews WHERE document_id = :id"),
            {"id": document_id},
        ).one()
        result = session.execute(
            text("SELECT status, fields ->> 'vendor_name' FROM document_results WHERE document_id = :id"),
            {"id": document_id},
        ).one()
    assert tuple(review) == ("Robin Reviewer", "vendor name misread", "Northwind Traders")
    assert tuple(result) == ("reviewed", "Northwind Traders")
