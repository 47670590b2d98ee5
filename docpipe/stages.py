"""Stages that run on a stored document after its text is extracted.

A stage (classification, field extraction, ...) reads the document from the database
and writes its own results there. It is skipped for a document that already carries
the stage's current version, so a new model version reprocesses old documents without
duplicating them. The registry below is the explicit list of stages; the
``DOCPIPE_STAGES`` setting picks which run and in what order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from sqlalchemy.orm import Session

from db.models import Document
from docpipe.errors import ConfigurationError
from docpipe.settings import DocpipeSettings


@dataclass(frozen=True)
class StageResult:
    needs_review: bool = False
    reason: str | None = None
    """Why a person should look at the document (shown in the review queue)."""


class DocumentStage(Protocol):
    name: str
    """Key in ``documents.stage_versions`` and in stage timings."""

    @property
    def version(self) -> str:
        """Version of the model/code producing this stage's results (recorded with them)."""
        ...

    @property
    def runtime(self) -> str:
        """What the stage's model runs on (library, CPU kernels): logged when a run starts."""
        ...

    def run(self, session: Session, document: Document, run_id: int) -> StageResult:
        """Compute and store this stage's results for ``document`` (status ``processed``).

        Raise ``InputError`` when the document cannot be handled by this stage (it is then
        marked failed with the message), ``ModelCrashedError`` when the stage's model process
        died on it (marked failed, earlier stages' results kept); other exceptions count as
        transient and retry.
        """
        ...


def _classify_stage(settings: DocpipeSettings) -> DocumentStage:
    from classifier.stage import build_stage  # torch loads only when the stage is enabled

    return build_stage(settings)


def _extract_stage(settings: DocpipeSettings) -> DocumentStage:
    from extractors.fields.stage import build_stage  # the language model loads only when enabled

    return build_stage(settings)


# name -> factory; factories are called once per process (models load once).
STAGE_FACTORIES: dict[str, Callable[[DocpipeSettings], DocumentStage]] = {
    "classify": _classify_stage,
    "extract": _extract_stage,
}


@cache
def _build(name: str, settings_json: str) -> DocumentStage:
    return STAGE_FACTORIES[name](DocpipeSettings.model_validate_json(settings_json))


def enabled_stages(settings: DocpipeSettings) -> list[DocumentStage]:
    unknown = [name for name in settings.stages if name not in STAGE_FACTORIES]
    if unknown:
        raise ConfigurationError(
            f"unknown stage(s) {unknown} in DOCPIPE_STAGES; known: {sorted(STAGE_FACTORIES)}"
        )
    return [_build(name, settings.model_dump_json()) for name in settings.stages]
