"""The ``extract`` document stage: schema by classified type, fields by the model, checks.

Runs after ``classify``. For each document it takes the current classification, picks the
schema (invoice/receipt -> invoice, contract, ticket; anything else -> none), fills it from
the document text, grounds and rule-checks every value, and returns the fields with
per-field confidences and issues (the pipeline stores them: one ``extractions`` row plus
the typed row the views read). A required field that is missing, not in the text, or
breaks a rule sends the document to review with the reason.
"""

from __future__ import annotations

from docpipe.settings import DocpipeSettings
from docpipe.stages import MEMORY_TIER, Fields, StageInput, StageResult
from extractors.fields.backends import LLMBackend
from extractors.fields.cascade import ExtractionCascade
from extractors.fields.checks import CHECKS_VERSION, type_contradiction
from extractors.fields.extract import PROMPT_VERSION
from schemas.registry import NO_SCHEMA, schema_for, schemas_version


class ExtractionStage:
    name = "extract"

    def __init__(
        self, settings: DocpipeSettings, backend: LLMBackend | None = None, second_backend: LLMBackend | None = None
    ) -> None:
        """Starts the first tier's model in a supervised child process (once per process: a
        crash there costs the document in hand, see model_process), the second tier's when
        a document first needs it; ``backend``/``second_backend`` let tests share loaded ones."""
        self.cascade = ExtractionCascade.from_settings(settings, backend, second_backend)

    @property
    def runtime(self) -> str:
        return "; ".join(f"{tier.runtime} [{tier.label}]" for tier in self.cascade.tiers)

    @property
    def version(self) -> str:
        return f"{self.cascade.version}:{PROMPT_VERSION}-{CHECKS_VERSION}-{schemas_version()}-{self.cascade.input_version}"

    def run(self, document: StageInput) -> StageResult:
        if document.labels is None:
            return StageResult(needs_review=True, reason="no classification to choose a schema by")
        doc_type = document.labels.labels["doc_type"]
        entry = schema_for(doc_type)
        if entry is None:
            # An empty extraction clears any fields of an earlier type: document_results must
            # not show stale ones.
            return StageResult(fields=Fields(NO_SCHEMA))
        schema = entry.schema
        text = document.text
        if not text.strip():
            return _unextracted(schema.name, "no text to extract fields from")
        outcome = self.cascade.extract(entry, text, document.layout_text)
        if outcome.record is None or outcome.report is None:
            return _unextracted(schema.name, "; ".join(outcome.review_reasons), outcome.tier)

        issues = outcome.report.issues
        notes = [attempt.note for attempt in outcome.attempts if attempt.note]
        models = [attempt for attempt in outcome.attempts if attempt.tier != MEMORY_TIER]
        if len(models) > 1:
            first, *later = models
            why = f"tier {first.tier} left {'; '.join(first.checked.report.reasons_to_read_again)}" if first.checked else first.failure
            notes.append(f"read again by tier {later[-1].tier}: {why}")
            notes += [attempt.failure for attempt in later if attempt.failure]
        context = outcome.context
        if context is not None and context.shortened:
            notes.append(
                f"long document: the model read {len(context.text)} of "
                f"{context.source_chars} characters (start + key passages)"
            )
        reasons = list(outcome.report.review_reasons)
        contradiction = type_contradiction(doc_type, outcome.report, text)
        if contradiction:
            reasons.insert(0, contradiction)
            notes.append(contradiction)
        if notes:
            issues["document"] = notes
        fields = Fields(
            schema.name, doc_type, outcome.record, outcome.report.confidences, issues, outcome.field_tiers, outcome.tier
        )
        return StageResult(needs_review=bool(reasons), reason="; ".join(reasons) if reasons else None, fields=fields)


def _unextracted(schema_name: str, reason: str, tier: int | None = None) -> StageResult:
    """An empty extraction carrying ``reason``; the document goes to review."""
    return StageResult(
        needs_review=True, reason=reason, fields=Fields(schema_name, issues={"document": [reason]}, tier=tier)
    )


def build_stage(settings: DocpipeSettings) -> ExtractionStage:
    """The ``extract`` stage factory (registered in ``pipeline.stage_registry.STAGE_FACTORIES``)."""
    return ExtractionStage(settings)
