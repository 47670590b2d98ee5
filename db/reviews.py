"""What people's reviews give training: plain rows, read from the ``review_labels`` view."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import OperationalError, ProgrammingError

from db.session import session_scope

log = logging.getLogger(__name__)


def _read(database_url: str, query: str, what: str) -> list[dict[str, Any]]:
    """The rows of ``query``; none without a reachable, migrated database (training on a
    machine of its own), with a warning that says why."""
    try:
        with session_scope(database_url) as session:
            return [dict(row) for row in session.execute(text(query)).mappings()]
    except OperationalError as exc:
        log.warning("no %s: database not reachable (%s)", what, type(exc).__name__)
    except ProgrammingError:
        log.warning("no %s: database not migrated (`docpipe db upgrade`)", what)
    return []


def corrected_fields(database_url: str) -> list[dict[str, Any]]:
    """Fields people confirmed or corrected in review, one row per document, its latest
    accepted review (document_id, doc_type, text, layout_text, fields): what the extraction
    memory learns from."""
    return _read(
        database_url,
        """
        SELECT DISTINCT ON (r.document_id)
               r.document_id, r.labels_after ->> 'doc_type' AS doc_type, d.text, d.layout_text,
               r.fields_after AS fields
          FROM reviews r JOIN documents d ON d.id = r.document_id
         WHERE r.decision = 'accept' AND r.fields_after <> '{}'::jsonb AND d.text IS NOT NULL
         ORDER BY r.document_id, r.reviewed_at DESC, r.id DESC
        """,
        "review corrections of fields",
    )


def corrected_labels(database_url: str) -> list[dict[str, Any]]:
    """Labels people confirmed or corrected in review, one row per document (document_id,
    text, doc_type, urgency, department); none without a reachable, migrated database."""
    return _read(
        database_url,
        "SELECT document_id, text, doc_type, urgency, department FROM review_labels ORDER BY document_id",
        "review corrections",
    )
