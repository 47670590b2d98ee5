"""What people's reviews give training: plain rows, read from the ``review_labels`` view."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import OperationalError, ProgrammingError

from db.session import session_scope

log = logging.getLogger(__name__)


def corrected_labels(database_url: str) -> list[dict[str, Any]]:
    """Labels people confirmed or corrected in review, one row per document (document_id,
    text, doc_type, urgency, department). Without a reachable, migrated database (training
    on a machine of its own) there are none, and a warning says why."""
    try:
        with session_scope(database_url) as session:
            return [
                dict(row)
                for row in session.execute(
                    text("SELECT document_id, text, doc_type, urgency, department FROM review_labels ORDER BY document_id")
                ).mappings()
            ]
    except OperationalError as exc:
        log.warning("no review corrections: database not reachable (%s)", type(exc).__name__)
    except ProgrammingError:
        log.warning("no review corrections: database not migrated (`docpipe db upgrade`)")
    return []
