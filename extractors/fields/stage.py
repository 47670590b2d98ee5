"""The ``extract`` document stage: schema by classified type, fields by the model, checks.

Runs after ``classify``. For each document it takes the current classification, picks the
schema (invoice/receipt -> invoice, contract, ticket; anything else -> none), fills it from
the document text, grounds and rule-checks every value, and returns the fields with
per-field confidences and issues (the pipeline stores them: one ``extractions`` row plus
the typed row the views read). A required field that is missing, not in the text, or
breaks a rule sends the document to review with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from docpipe.settings import DocpipeSettings
from docpipe.stages import Fields, StageInput, StageResult
from extractors.fields.backends import LLMBackend
from extractors.fields.checks import CheckReport, check, discard_instruction_copies, type_contradiction
from extractors.fields.extract import PROMPT_VERSION, Extracted, FieldExtractor, OutputTruncated, system_prompt
from extractors.fields.model_files import ModelFile, resolve_model
from extractors.fields.model_process import start_backend
from schemas.registry import NO_SCHEMA, schema_for, schemas_version


@dataclass
class CheckedExtraction:
    record: BaseModel
    """The values kept: parsed, without copies of the instructions."""
    report: CheckReport


def check_extraction(
    extracted: Extracted, required: tuple[str, ...], text: str, layout_text: str | None = None
) -> CheckedExtraction:
    """The trust step the stage and the evaluation share: drop values copied from the prompt,
    ground every value, apply the rules (``layout_text``: the text as laid out, if any)."""
    schema = extracted.schema
    values = extracted.record.model_dump()
    issues = {name: list(problems) for name, problems in extracted.parse_issues.items()}
    for name, problems in discard_instruction_copies(schema, values, text, system_prompt(schema)).items():
        issues.setdefault(name, []).extend(problems)
    record = schema.record.model_validate(values)
    report = check(schema, record.model_dump(), text, required, issues, layout_text=layout_text)
    return CheckedExtraction(record, report)


class ExtractionStage:
    name = "extract"

    def __init__(self, settings: DocpipeSettings, backend: LLMBackend | None = None) -> None:
        """Starts the model in a supervised child process (once per process: a crash there
        costs the document in hand, see model_process); ``backend`` lets tests share a loaded one."""
        self.model: ModelFile = backend.model if backend is not None else resolve_model(settings)
        self.backend = backend if backend is not None else start_backend(settings, self.model)
        self.extractor = FieldExtractor.from_settings(self.backend, settings)

    @property
    def runtime(self) -> str:
        return self.backend.runtime

    @property
    def version(self) -> str:
        return (
            f"{self.backend.name}:{self.model.sha256[:12]}:{PROMPT_VERSION}-{schemas_version()}"
            f"-{self.extractor.input_version}"
        )

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
        try:
            extracted = self.extractor.extract(schema, text, document.layout_text)
        except OutputTruncated as exc:
            return _unextracted(schema.name, str(exc))

        checked = check_extraction(extracted, entry.required, text, document.layout_text)
        issues = checked.report.issues
        if extracted.context is not None and extracted.context.shortened:
            issues["document"] = [
                f"long document: the model read {len(extracted.context.text)} of "
                f"{extracted.context.source_chars} characters (start + key passages)"
            ]
        reasons = list(checked.report.review_reasons)
        contradiction = type_contradiction(doc_type, checked.report, text)
        if contradiction:
            reasons.insert(0, contradiction)
            issues.setdefault("document", []).append(contradiction)
        fields = Fields(schema.name, doc_type, checked.record, checked.report.confidences, issues)
        return StageResult(needs_review=bool(reasons), reason="; ".join(reasons) if reasons else None, fields=fields)


def _unextracted(schema_name: str, reason: str) -> StageResult:
    """An empty extraction carrying ``reason``; the document goes to review."""
    return StageResult(needs_review=True, reason=reason, fields=Fields(schema_name, issues={"document": [reason]}))


def build_stage(settings: DocpipeSettings) -> ExtractionStage:
    """The ``extract`` stage factory (registered in ``docpipe.stage_registry.STAGE_FACTORIES``)."""
    return ExtractionStage(settings)
