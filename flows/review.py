"""The ``review-documents`` flow: people confirm or correct what the pipeline was unsure of.

For each document in ``needs_review`` the flow run pauses with a form in the Prefect UI
(press *Resume* on the run), pre-filled with the labels and fields the models gave; the
answer is stored by ``pipeline.review.apply_review``.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact
from prefect.flow_runs import pause_flow_run
from prefect.input import RunInput

from db.session import session_scope
from pipeline.review import apply_review, changes, describe, documents_to_review, label_choices, load_case, review_form
from docpipe.settings import get_settings
from flows.health import model_health, publish_model_health

REVIEW_ARTIFACT_KEY = "docpipe-reviews"


@flow(name="review-documents")
def review_documents(
    limit: int = 25, wait_hours: float = 24.0, document_ids: list[int] | None = None
) -> list[dict[str, Any]]:
    """Present up to ``limit`` documents for review (those in ``document_ids`` if given, else
    the oldest waiting), one at a time, each waiting up to ``wait_hours`` for an answer."""
    settings = get_settings()
    logger = get_run_logger()
    choices = label_choices(settings)
    with session_scope(settings.database_url) as session:
        queue = documents_to_review(session, limit, document_ids)
    logger.info("%d document(s) to review", len(queue))
    done: list[dict[str, Any]] = []
    for document_id in queue:
        with session_scope(settings.database_url) as session:
            case = load_case(session, document_id)
        form = review_form(case, choices, base=RunInput)
        answer = pause_flow_run(
            wait_for_input=form.with_initial_data(description=describe(case)),
            timeout=int(wait_hours * 3600),
            poll_interval=3,
            key=f"review-{document_id}",
        )
        with session_scope(settings.database_url) as session:
            review = apply_review(session, document_id, answer.model_dump())
            done.append(
                {
                    "document_id": document_id,
                    "reviewer": review.reviewer,
                    "decision": review.decision,
                    "doc_type": review.labels_after["doc_type"],
                    "changed": changes(review),
                }
            )
        logger.info("document %s reviewed by %s: %s", document_id, review.reviewer, review.decision)
    if done:
        create_table_artifact(key=REVIEW_ARTIFACT_KEY, table=done, description="Documents reviewed in this run")
    publish_model_health(model_health(settings), f"Model health after a review run ({len(done)} reviewed)")
    return done
