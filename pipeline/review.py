"""Human review: what a reviewer sees for a document, and how their answer is stored.

A reviewer confirms or corrects the labels and fields of a document the pipeline was not
sure of, or rejects it. Corrections become the document's current results (the view
``document_results`` shows them) and, through the ``review_labels`` view, training
examples for the next ``docpipe train``. Who reviewed and when is kept in ``reviews``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field, create_model
from sqlalchemy import select
from sqlalchemy.orm import Session

from classifier.taxonomy import Taxonomy
from docpipe.stages import TARGETS, Fields, Labels
from db import repository
from db.models import Classification, Document, Extraction, Review
from docpipe.health import AUDIT_REASON
from docpipe.settings import DocpipeSettings
from docpipe.statuses import DocumentStatus
from schemas.registry import schema_for

TEXT_EXCERPT_CHARS = 1500
REVIEW_MODEL_PREFIX = "review"
"""``model_version`` of results a person entered, followed by the review id."""


@dataclass
class ReviewCase:
    """Everything about one document that a reviewer needs to decide."""

    document_id: int
    source_path: str
    reason: str
    text_excerpt: str
    labels: dict[str, str | None]
    confidences: dict[str, float | None]
    schema_name: str | None
    fields: dict[str, Any]
    field_confidences: dict[str, float] = field(default_factory=dict)
    model_versions: dict[str, str] = field(default_factory=dict)
    """Versions of the models whose results these are ({stage: version}); none for results a
    person entered in an earlier review."""

    @property
    def audit_sample(self) -> bool:
        return self.reason == AUDIT_REASON


def load_case(session: Session, document_id: int) -> ReviewCase:
    document = session.get_one(Document, document_id)
    classification = repository.latest(session, Classification, document_id)
    extraction = repository.latest(session, Extraction, document_id)
    labels = {t: getattr(classification, t) if classification else None for t in TARGETS}
    doc_type = labels["doc_type"]
    entry = schema_for(doc_type) if doc_type else None
    return ReviewCase(
        document_id=document.id,
        source_path=document.source_path,
        reason=document.error or "",
        text_excerpt=(document.text or "")[:TEXT_EXCERPT_CHARS],
        labels=labels,
        confidences={t: getattr(classification, f"{t}_confidence") if classification else None for t in TARGETS},
        schema_name=extraction.schema_name if extraction else (entry.schema.name if entry else None),
        fields=dict(extraction.fields) if extraction else {},
        field_confidences=dict(extraction.field_confidences) if extraction else {},
        model_versions={
            stage: result.model_version
            for stage, result in (("classify", classification), ("extract", extraction))
            if result is not None and not result.model_version.startswith(f"{REVIEW_MODEL_PREFIX}-")
        },
    )


def review_form(case: ReviewCase, label_choices: dict[str, list[str]], base: type[BaseModel] = BaseModel) -> type[BaseModel]:
    """A pydantic model of the review form, pre-filled with the pipeline's results.

    Labels are drop-downs of the taxonomy (plus the current label, should the taxonomy have
    changed since); fields are a JSON object with the schema's field names.
    """

    def choice(target: str) -> Any:
        options = list(dict.fromkeys([*label_choices.get(target, []), *([case.labels[target]] if case.labels[target] else [])]))
        return Literal[tuple(options)] if options else str

    return create_model(
        "DocumentReview",
        __base__=base,
        reviewer=(str, Field(min_length=1, max_length=100, description="Your name, recorded with your answer")),
        decision=(Literal["accept", "reject"], Field("accept", description="reject: the document cannot be used")),
        doc_type=(choice("doc_type"), Field(case.labels["doc_type"] or label_choices["doc_type"][0])),
        urgency=(choice("urgency"), Field(case.labels["urgency"] or label_choices["urgency"][0])),
        department=(choice("department"), Field(case.labels["department"] or label_choices["department"][0])),
        fields=_fields_field(case),
        note=(str, Field("", max_length=2000, description="Why you changed or rejected it")),
    )


def _fields_field(case: ReviewCase) -> tuple[Any, Any]:
    """The extracted fields as a typed sub-form of the document's schema (a form per field)."""
    entry = schema_for(case.labels["doc_type"]) if case.labels["doc_type"] else None
    if entry is None:
        return (dict[str, Any], Field(default=dict(case.fields), description="Fields; null when absent"))
    record = entry.schema.record
    try:
        current = record.model_validate(case.fields)
    except ValueError:  # stored under an older schema version: the reviewer starts afresh
        current = record()
    return (record, Field(default=current, description="Correct values; leave empty what the document does not state"))


def describe(case: ReviewCase) -> str:
    """Markdown shown above the form."""
    confidence = ", ".join(
        f"{target} **{label}** ({case.confidences[target]:.0%})" if label and case.confidences[target] is not None else f"{target} -"
        for target, label in case.labels.items()
    )
    return "\n".join(
        [
            f"### Review document {case.document_id}",
            f"`{case.source_path}`",
            "",
            f"**Why it needs review:** {case.reason or 'not stated'}"
            + (
                " (drawn at random from the documents accepted automatically, to measure how often the "
                "models are right: check it like any other)"
                if case.audit_sample
                else ""
            ),
            "",
            f"Labels: {confidence}",
            "",
            "```",
            case.text_excerpt.replace("```", "'''"),
            "```",
        ]
    )


def apply_review(session: Session, document_id: int, answer: dict[str, Any]) -> Review:
    """Store the reviewer's answer: the review record, and the corrected results as current."""
    document = session.get_one(Document, document_id)
    case = load_case(session, document_id)
    corrected_fields = _validated_fields(answer["doc_type"], answer.get("fields") or {})
    review = Review(
        document_id=document_id,
        reviewer=answer["reviewer"].strip(),
        decision=answer["decision"],
        reason=case.reason,
        labels_before=case.labels,
        labels_after={t: answer[t] for t in TARGETS},
        fields_before=case.fields,
        fields_after=corrected_fields,
        note=answer.get("note") or "",
        audit_sample=case.audit_sample,
        model_versions=case.model_versions,
        confidences_before={
            "labels": {t: p for t, p in case.confidences.items() if p is not None},
            "fields": case.field_confidences,
        },
    )
    session.add(review)
    session.flush()
    if answer["decision"] == "reject":
        document.status = DocumentStatus.FAILED
        document.error = f"rejected in review by {review.reviewer}" + (f": {review.note}" if review.note else "")
        return review
    # A person's results, stored as any stage's are, under a version of their own.
    version = f"{REVIEW_MODEL_PREFIX}-{review.id}"
    labels = {t: answer[t] for t in TARGETS}
    repository.save_classification(session, document_id, None, version, Labels(labels, {t: 1.0 for t in TARGETS}))
    entry = schema_for(answer["doc_type"])
    if entry is not None:
        fields = Fields(
            schema_name=entry.schema.name,
            doc_type=answer["doc_type"],
            record=entry.schema.record.model_validate(corrected_fields),
            confidences={name: 1.0 for name, value in corrected_fields.items() if value not in (None, [])},
        )
        repository.save_extraction(session, document_id, None, version, fields)
    document.status = DocumentStatus.REVIEWED
    document.error = None
    return review


def changes(review: Review) -> list[str]:
    """Names of the labels and fields the reviewer changed (absent, null and empty are alike)."""

    def differ(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
        return [key for key in sorted({*before, *after}) if (before.get(key) or None) != (after.get(key) or None)]

    return sorted(differ(review.labels_before, review.labels_after) + differ(review.fields_before, review.fields_after))


def _validated_fields(doc_type: str, fields: dict[str, Any]) -> dict[str, Any]:
    """The reviewer's fields checked against the schema of the (possibly corrected) type."""
    entry = schema_for(doc_type)
    if entry is None:
        return {}
    return entry.schema.record.model_validate(fields).model_dump(mode="json")


def documents_to_review(session: Session, limit: int, document_ids: list[int] | None = None) -> list[int]:
    """Documents waiting for review, oldest first (only those of ``document_ids`` if given)."""
    query = select(Document.id).where(Document.status == DocumentStatus.NEEDS_REVIEW)
    if document_ids is not None:
        query = query.where(Document.id.in_(document_ids))
    return list(session.scalars(query.order_by(Document.id).limit(limit)))


def label_choices(settings: DocpipeSettings) -> dict[str, list[str]]:
    taxonomy = Taxonomy.load(settings.classifier_taxonomy)
    return {target.name: list(target.labels) for target in taxonomy.targets}
