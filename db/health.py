"""Reads for watching the models (docpipe.health): plain rows, no writes.

Accuracy comes from the documented views ``review_outcomes`` and ``model_accuracy``
(migration 0005; docs/database.md), so the report, dashboards and the model card count
alike.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from db.models import Classification, Document
from docpipe.statuses import DocumentStatus


def model_accuracy(session: Session, period: str = "all", model_version: str | None = None) -> list[dict[str, Any]]:
    """Rows of ``model_accuracy`` for ``period`` ('all' or 'week'), optionally of one version."""
    query = "SELECT * FROM model_accuracy WHERE period = :period"
    if model_version is not None:
        query += " AND model_version = :version"
    query += " ORDER BY stage, model_version, target, sample, period_start"
    return [dict(row) for row in session.execute(text(query), {"period": period, "version": model_version}).mappings()]


def review_outcomes(session: Session) -> list[dict[str, Any]]:
    """Rows of ``review_outcomes`` that carry a stated confidence (for calibration)."""
    return [
        dict(row)
        for row in session.execute(
            text(
                "SELECT stage, model_version, target, audit_sample, confidence, correct FROM review_outcomes "
                "WHERE confidence IS NOT NULL ORDER BY review_id"
            )
        ).mappings()
    ]


def classifications(
    session: Session, model_version: str, run_id: int | None = None, since: datetime | None = None
) -> list[Any]:
    """A classifier version's labels and confidences (attributes named as the columns), of one
    run or made since a time; without the full distributions, a week holds many thousands."""
    table = Classification.__table__
    query = select(*(column for column in table.c if column.name != "probabilities")).where(
        table.c.model_version == model_version
    )
    if run_id is not None:
        query = query.where(table.c.run_id == run_id)
    if since is not None:
        query = query.where(table.c.created_at >= since)
    return list(session.execute(query.order_by(table.c.id)).all())


def latest_classifier_version(session: Session, review_prefix: str) -> str | None:
    """The version of the most recent classification a model made (not a reviewer)."""
    return session.scalar(
        select(Classification.model_version)
        .where(Classification.model_version.not_like(f"{review_prefix}-%"))
        .order_by(Classification.created_at.desc(), Classification.id.desc())
        .limit(1)
    )


def unreviewed_audit_samples(session: Session, audit_reason: str) -> int:
    return session.scalar(
        select(text("count(*)")).select_from(Document).where(
            Document.status == DocumentStatus.NEEDS_REVIEW, Document.error == audit_reason
        )
    ) or 0
