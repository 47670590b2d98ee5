"""The explicit list of document stages; ``DOCPIPE_STAGES`` picks which run and in what order.

Each factory builds its stage from the settings (loading its model), once per process.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from docpipe.errors import ConfigurationError
from docpipe.settings import DocpipeSettings
from docpipe.stages import DocumentStage


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


@dataclass(frozen=True)
class StageInfo:
    """What a run records and logs of a stage, without the stage (and its model) itself."""

    name: str
    version: str
    runtime: str


def stage_infos(settings: DocpipeSettings) -> list[StageInfo]:
    return [StageInfo(stage.name, stage.version, stage.runtime) for stage in enabled_stages(settings)]
