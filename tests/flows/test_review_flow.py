"""The review flow pauses with a form per document and stores the answer it resumes with."""

from __future__ import annotations

import asyncio
import threading
import time

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterState, FlowRunFilterStateType
from prefect.client.schemas.objects import StateType
from prefect.flow_runs import resume_flow_run

from db.models import Document
from db.session import session_scope
from flows.review import review_documents
from tests.pipeline.test_review import answer, stored_document


def paused_flow_run_id(timeout_s: float = 60) -> str:
    async def find():
        async with get_client() as client:
            runs = await client.read_flow_runs(
                flow_run_filter=FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED])))
            )
            return str(runs[0].id) if runs else None

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = asyncio.run(find())
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError("the review flow never paused for input")


def test_review_flow_waits_for_the_form_and_stores_it(prefect_harness, settings, tmp_path):
    document_id = stored_document(settings, tmp_path)
    outcome: dict = {}
    thread = threading.Thread(
        target=lambda: outcome.update(reviews=review_documents(document_ids=[document_id], wait_hours=0.05)),
        daemon=True,
    )
    thread.start()
    resume_flow_run(paused_flow_run_id(), run_input=answer(reviewer="Sam", department="Legal"))
    thread.join(timeout=120)
    assert outcome["reviews"] == [
        {"document_id": document_id, "reviewer": "Sam", "decision": "accept", "doc_type": "invoice",
         "changed": ["department", "urgency", "vendor_name"]}
    ]
    with session_scope(settings.database_url) as session:
        assert session.get_one(Document, document_id).status == "reviewed"
