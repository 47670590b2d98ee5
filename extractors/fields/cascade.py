"""The cascade of models filling a schema: the small model first, a larger one for what
fails the checks, then a person.

The first tier (DOCPIPE_EXTRACT_MODEL, the 0.5B model) reads every document. When a
required field it filled is missing, not in the text, or breaks a rule, the second tier
(DOCPIPE_EXTRACT_SECOND_MODEL: the 1.5B model, or an organisation's model behind an
endpoint) reads the document again; what still fails goes to review. The second tier costs
about twice the first per document, so it runs only where the first failed, and from the
start for the schemas named in DOCPIPE_EXTRACT_SECOND_TIER_FIRST (contracts: long, rare,
and the small model reads their parties poorly).

Before the models, the extraction memory (tier 0, ``extractors.fields.memory``) reads
what it can where remembered documents of the same layout had their values; when every
required field it read passes, no model runs. Otherwise the models read the document after
a worked example: the most similar remembered document with its true values
(DOCPIPE_EXTRACT_MEMORY_EXAMPLES).

Values are merged per field: the later tier's value where it passes its checks, else an
earlier tier's that passed, else the one found in the text with fewer problems (the later
on a tie, except over the memory's: a person confirmed where that value stands; a value
over none). The merged record is checked once more (rules span fields), and each field
records the tier that produced it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from docpipe.errors import ConfigurationError, ModelCrashedError
from docpipe.settings import DocpipeSettings
from docpipe.stages import MEMORY_TIER
from extractors.fields.backends import Generation, LLMBackend
from extractors.fields.checks import CheckReport, FieldCheck, check, discard_instruction_copies, printed_values
from extractors.fields.context import ModelContext
from extractors.fields.extract import (
    Extracted,
    FieldExtractor,
    OutputTruncated,
    WorkedExample,
    parse_draft,
    system_prompt,
)
from extractors.fields.memory import ExtractionMemory, Recall, load_memory
from extractors.fields.model_files import ModelFile, resolve_model
from extractors.fields.model_process import start_backend
from schemas.registry import SCHEMAS, DocTypeSchema


@dataclass
class CheckedExtraction:
    record: BaseModel
    """The values kept: parsed, without copies of the instructions."""
    report: CheckReport
    issues_before_checks: dict[str, list[str]]
    """What parsing and the instruction-copy filter found per field (the checks add the rest)."""
    readings: dict[str, str] = field(default_factory=dict)
    """How a value was read where a rule read it from the text in place of the model's."""


def check_extraction(
    extracted: Extracted, required: tuple[str, ...], text: str, layout_text: str | None = None
) -> CheckedExtraction:
    """The trust step every tier, the stage and the evaluation share: drop values copied
    from the prompt, put values printed on their labelled rows in place of a model's that
    are not them (``checks.printed_values``), ground every value, apply the rules (``layout_text``: the text as laid out, if any)."""
    schema = extracted.schema
    values = extracted.record.model_dump()
    issues = {name: list(problems) for name, problems in extracted.parse_issues.items()}
    for name, problems in discard_instruction_copies(schema, values, text, system_prompt(schema)).items():
        issues.setdefault(name, []).extend(problems)
    readings = {}
    for name, value, reading in printed_values(schema, values, layout_text or text):
        values[name], readings[name] = value, reading
        issues.pop(name, None)  # the model's value, now replaced, is what failed to parse
    record = schema.record.model_validate(values)
    report = check(schema, record.model_dump(), text, required, issues, layout_text=layout_text, readings=readings)
    return CheckedExtraction(record, report, issues, readings)


class ModelTier:
    """One model of the cascade; its backend starts when it first reads a document."""

    def __init__(self, number: int, settings: DocpipeSettings, backend: LLMBackend | None = None) -> None:
        self.number = number
        self.settings = settings
        self.model: ModelFile = backend.model if backend is not None else resolve_model(settings)
        self._backend = backend
        self._extractor: FieldExtractor | None = None

    @classmethod
    def second(cls, settings: DocpipeSettings, backend: LLMBackend | None = None) -> ModelTier:
        """The second tier: ``settings`` with the DOCPIPE_EXTRACT_SECOND_* model in place of the first's."""
        tier_settings = settings.model_copy(
            update={
                "extract_backend": settings.extract_second_backend or settings.extract_backend,
                "extract_model": settings.extract_second_model,
                "extract_model_sha256": settings.extract_second_model_sha256,
            }
        )
        return cls(2, tier_settings, backend)

    def start(self) -> None:
        """Load the model (in a supervised child process, or a client of the endpoint)."""
        if self._backend is None:
            self._backend = start_backend(self.settings, self.model)
        if self._extractor is None:
            self._extractor = FieldExtractor.from_settings(self._backend, self.settings)

    @property
    def backend(self) -> LLMBackend:
        self.start()
        assert self._backend is not None
        return self._backend

    @property
    def extractor(self) -> FieldExtractor:
        self.start()
        assert self._extractor is not None
        return self._extractor

    @property
    def runtime(self) -> str:
        return self._backend.runtime if self._backend is not None else "starts when a document first needs it"

    @property
    def version(self) -> str:
        return f"{self.settings.extract_backend}:{self.model.sha256[:12]}"

    @property
    def label(self) -> str:
        return f"tier {self.number} ({self.model.name})"


@dataclass
class TierAttempt:
    """One tier's reading of a document: its checked values, or why it gave none."""

    tier: int
    checked: CheckedExtraction | None = None
    context: ModelContext | None = None
    generation: Generation | None = None
    failure: str | None = None
    seconds: float = 0.0
    """The model's time on it (generation and checks)."""
    note: str | None = None
    """What the reading was based on, for the document's issues (the memory's remembered document)."""


@dataclass
class CascadeOutcome:
    attempts: list[TierAttempt]
    record: BaseModel | None = None
    """The merged values; None when no tier gave an answer."""
    report: CheckReport | None = None
    field_tiers: dict[str, int] = field(default_factory=dict)
    """The tier that produced each field's value."""
    issues_before_checks: dict[str, list[str]] = field(default_factory=dict)
    readings: dict[str, str] = field(default_factory=dict)
    """Per field kept, how a rule read it from the text in place of its tier's model."""

    @property
    def tier(self) -> int:
        """The last tier that read the document (0: the memory alone)."""
        return max(attempt.tier for attempt in self.attempts)

    @property
    def context(self) -> ModelContext | None:
        return next((a.context for a in reversed(self.attempts) if a.context is not None), None)

    @property
    def review_reasons(self) -> list[str]:
        if self.report is None:
            return [attempt.failure for attempt in self.attempts if attempt.failure][-1:]
        return self.report.review_reasons

    @property
    def settled(self) -> bool:
        """No reason for another tier to read the document: its required fields pass and no
        field holds confident nonsense."""
        return self.report is not None and not self.report.reasons_to_read_again


def _standing(check_: FieldCheck | None) -> tuple[bool, bool, int]:
    """How far a value can be trusted, comparable: it passed its checks, it is in the text,
    it has fewer problems."""
    if check_ is None:
        return (False, False, -1_000)
    found = check_.grounding not in (None, "absent")
    passed = found and not check_.rule_broken
    return (passed, found, 0 if passed else -len(check_.issues))


def merge(
    entry: DocTypeSchema,
    earlier: CascadeOutcome,
    later: TierAttempt,
    text: str,
    layout_text: str | None,
) -> CascadeOutcome:
    """``earlier``'s values with ``later``'s where those stand at least as well, checked again."""
    assert later.checked is not None
    schema = entry.schema
    attempts = [*earlier.attempts, later]
    if earlier.record is None or earlier.report is None:
        checked = later.checked
        tiers = dict.fromkeys(schema.kinds, later.tier)
        return CascadeOutcome(
            attempts, checked.record, checked.report, tiers, checked.issues_before_checks, checked.readings
        )
    old_values, new_values = earlier.record.model_dump(), later.checked.record.model_dump()
    values: dict[str, Any] = {}
    issues: dict[str, list[str]] = {}
    tiers: dict[str, int] = {}
    readings: dict[str, str] = {}
    for name in schema.kinds:
        later_standing, earlier_standing = (
            _standing(later.checked.report.fields.get(name)), _standing(earlier.report.fields.get(name))
        )
        stands_better = later_standing > earlier_standing or (
            later_standing == earlier_standing and earlier.field_tiers.get(name) != MEMORY_TIER
        )
        take_later = stands_better and (later_standing[0] or new_values.get(name) not in (None, []))
        if take_later or old_values.get(name) in (None, []):
            values[name], tiers[name] = new_values.get(name), later.tier
            issues[name] = later.checked.issues_before_checks.get(name, [])
            reading = later.checked.readings.get(name)
        else:
            values[name], tiers[name] = old_values.get(name), earlier.field_tiers[name]
            issues[name] = earlier.issues_before_checks.get(name, [])
            reading = earlier.readings.get(name)
        if reading is not None:
            readings[name] = reading
    record = schema.record.model_validate(values)
    report = check(schema, record.model_dump(), text, entry.required, issues, layout_text=layout_text, readings=readings)
    return CascadeOutcome(attempts, record, report, tiers, issues, readings)


_MEMORY_ROUNDS = 3
"""Times a field whose remembered value fails its checks tries the next value its anchors found."""


def recall_attempt(recall: Recall, entry: DocTypeSchema, text: str, layout_text: str | None) -> TierAttempt:
    """The memory's reading of a document, checked as a model's would be; only values that
    pass are kept (a remembered place holding a wrong value is no evidence)."""
    started = time.perf_counter()
    choice = dict.fromkeys(recall.candidates, 0)
    passed: set[str] = set()
    for _round in range(_MEMORY_ROUNDS):
        draft = {name: recall.candidates[name][index][0] for name, index in choice.items()}
        checked = check_extraction(parse_draft(entry.schema, draft, text), entry.required, text, layout_text)
        passed = {name for name in choice if _standing(checked.report.fields.get(name))[0]}
        failing = [name for name in choice if name not in passed and choice[name] + 1 < len(recall.candidates[name])]
        for name in failing:
            choice[name] += 1
        if not failing:
            break
    draft = {name: recall.candidates[name][choice[name]][0] for name in passed}
    checked = check_extraction(parse_draft(entry.schema, draft, text), entry.required, text, layout_text)
    read = ", ".join(f"{name} ({recall.candidates[name][choice[name]][1]})" for name in sorted(passed)) or "nothing"
    note = f"memory: laid out like {recall.document.key} (similarity {recall.similarity:.2f}); read {read}"
    return TierAttempt(MEMORY_TIER, checked, seconds=time.perf_counter() - started, note=note)


def worked_example(recall: Recall, entry: DocTypeSchema) -> WorkedExample | None:
    """The remembered document most like this one as the models' worked example; None when
    it has none of the fields the draft asks for."""
    answer = recall.document.printed_fields(entry)
    return WorkedExample(recall.document.key, recall.document.layout, answer) if answer else None


class ExtractionCascade:
    """The tiers a document goes through, first to last, until it is settled."""

    def __init__(
        self,
        tiers: list[ModelTier],
        second_tier_first: frozenset[str] = frozenset(),
        memory: ExtractionMemory | None = None,
        worked_examples: bool = False,
    ) -> None:
        unknown = sorted(second_tier_first - set(SCHEMAS))
        if unknown:
            raise ConfigurationError(
                f"DOCPIPE_EXTRACT_SECOND_TIER_FIRST names no schema: {', '.join(unknown)} "
                f"(schemas: {', '.join(SCHEMAS)})"
            )
        self.tiers = tiers
        self.memory = memory
        self.worked_examples = worked_examples
        tiers[0].start()  # now: a first model that cannot load fails the run at its start
        self.second_tier_first = second_tier_first if len(tiers) > 1 else frozenset()

    @classmethod
    def from_settings(
        cls, settings: DocpipeSettings, first: LLMBackend | None = None, second: LLMBackend | None = None
    ) -> ExtractionCascade:
        """The configured tiers (``first``/``second``: already loaded backends, for tests)
        after the extraction memory DOCPIPE_EXTRACT_MEMORY names, if one is trained; with
        DOCPIPE_EXTRACT_CASCADE off, the first model alone after it."""
        tiers = [ModelTier(1, settings, first)]
        if settings.extract_cascade:
            tiers.append(ModelTier.second(settings, second))
        return cls(
            tiers,
            frozenset(settings.extract_second_tier_first),
            load_memory(settings),
            settings.extract_memory_examples,
        )

    @property
    def version(self) -> str:
        """The memory, the tiers' models and the schemas that start at the second, for the
        stage version (a new memory re-reads documents, as a new model does)."""
        memory = [self.memory.version + ("-examples" if self.worked_examples else "")] if self.memory else []
        version = "+".join([*memory, *(tier.version for tier in self.tiers)])
        if self.second_tier_first:
            version += f"({','.join(sorted(self.second_tier_first))}@2)"
        return version

    @property
    def input_version(self) -> str:
        """What the models read (the same text for every tier)."""
        return self.tiers[0].extractor.input_version

    def tiers_for(self, schema_name: str) -> list[ModelTier]:
        return self.tiers[1:] if schema_name in self.second_tier_first else self.tiers

    def extract(self, entry: DocTypeSchema, text: str, layout_text: str | None = None) -> CascadeOutcome:
        """Read the document tier by tier until it is settled (its required fields pass, no
        field holds confident nonsense); raises
        ``ModelCrashedError`` only when the first tier that reads it crashes (a later crash
        leaves the earlier values, going to review with the reason)."""
        outcome = CascadeOutcome(attempts=[])
        recall = self.memory.recall(entry, text, layout_text) if self.memory else None
        example = None
        if recall is not None:
            outcome = merge(entry, outcome, recall_attempt(recall, entry, text, layout_text), text, layout_text)
            if outcome.settled:
                return outcome
            example = worked_example(recall, entry) if self.worked_examples else None
        for position, tier in enumerate(self.tiers_for(entry.schema.name)):
            attempt = TierAttempt(tier.number)
            if example is not None:
                attempt.note = f"{tier.label}: shown {example.name} as a worked example"
            started = time.perf_counter()
            try:
                extracted = tier.extractor.extract(entry.schema, text, layout_text, example)
            except OutputTruncated as exc:
                attempt.failure = f"{tier.label}: {exc}"
            except ModelCrashedError as exc:
                if position == 0:
                    raise
                attempt.failure = f"{tier.label}: {exc}"
            else:
                attempt.context, attempt.generation = extracted.context, extracted.generation
                attempt.checked = check_extraction(extracted, entry.required, text, layout_text)
            attempt.seconds = time.perf_counter() - started
            if attempt.checked is None:
                outcome.attempts.append(attempt)
                continue
            outcome = merge(entry, outcome, attempt, text, layout_text)
            if outcome.settled:
                break
        return outcome
