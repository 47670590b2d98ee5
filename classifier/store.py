"""Where trained models live: ``<data_dir>/models/classifier/<version>/`` and a ``current`` pointer.

A version directory is complete or absent (written under a temporary name, then
renamed). ``current`` is a one-line text file naming the version the pipeline uses; it
changes only when a new model is promoted (``train.decide_promotion``). Old versions are
kept: results in the database name the version that produced them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from docpipe.errors import ConfigurationError
from docpipe.health import PredictionDistribution
from docpipe.settings import DocpipeSettings

POINTER = "current"
TRAINED_ROWS_FILE = "trained_rows.txt"
"""In a version directory: the key of every document its network and n-grams were trained on
(its training rows; not the validation rows, which only chose its epoch, blend and calibration)."""


def models_root(settings: DocpipeSettings) -> Path:
    return settings.data_dir / "models" / "classifier"


def new_version(taxonomy_fingerprint: str) -> str:
    """A sortable, unique name: creation time (UTC) and the taxonomy's fingerprint."""
    return f"clf-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}-{taxonomy_fingerprint[:6]}"


def current_version(settings: DocpipeSettings) -> str | None:
    pointer = models_root(settings) / POINTER
    if not pointer.is_file():
        return None
    version = pointer.read_text(encoding="utf-8").strip()
    return version or None


def set_current(settings: DocpipeSettings, version: str) -> None:
    root = models_root(settings)
    if not (root / version / "classifier.json").is_file():
        raise ConfigurationError(f"no classifier model {version} under {root}")
    temporary = root / f".{POINTER}.tmp"
    temporary.write_text(version + "\n", encoding="utf-8")
    os.replace(temporary, root / POINTER)


def resolve(settings: DocpipeSettings, name: str | None = None) -> Path | None:
    """Directory of the model called ``name``: "current" (default), a version, or a path.

    None when ``name`` is "current" and no model has been trained yet.
    """
    name = name or settings.classifier_model
    if name == POINTER:
        version = current_version(settings)
        return models_root(settings) / version if version else None
    for candidate in (Path(name), models_root(settings) / name):
        if (candidate / "classifier.json").is_file():
            return candidate.resolve()
    raise ConfigurationError(
        f"no classifier model {name!r} (neither a path nor a version under {models_root(settings)})"
    )


def staging_dir(settings: DocpipeSettings, version: str) -> Path:
    path = models_root(settings) / f".{version}.partial"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def commit(staging: Path, version: str) -> Path:
    final = staging.parent / version
    os.replace(staging, final)
    return final


def versions(settings: DocpipeSettings) -> list[str]:
    root = models_root(settings)
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "classifier.json").is_file())


def row_key(text: str) -> str:
    """A document's key in ``trained_rows.txt``: the start of the sha256 of its text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def write_trained_rows(directory: Path, texts: list[str]) -> None:
    (directory / TRAINED_ROWS_FILE).write_text("".join(f"{row_key(text)}\n" for text in texts), encoding="utf-8")


def trained_rows(directory: Path) -> set[str]:
    """Keys of the documents the model in ``directory`` was trained on; empty for models
    saved before they were recorded (2026-11-27)."""
    path = directory / TRAINED_ROWS_FILE
    return set(path.read_text(encoding="utf-8").split()) if path.is_file() else set()


def find(settings: DocpipeSettings, version: str) -> Path | None:
    """The directory of the model of this version: the configured one (which may be a path
    elsewhere) or one under the model store; None when it is on neither (another machine's)."""
    try:
        configured = resolve(settings)
        if configured is not None and configured.name == version:
            return configured
        return resolve(settings, version)
    except ConfigurationError:
        return None


def prediction_reference(directory: Path) -> dict[str, PredictionDistribution] | None:
    """How the model's predictions spread on its validation rows (``metrics.json``); None for
    models saved before it was recorded (2026-12-02)."""
    try:
        metrics = json.loads((directory / "metrics.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):  # a model folder copied without it, or damaged: no reference
        return None
    recorded = metrics.get("prediction_reference")
    if not recorded:
        return None
    try:
        return {target: PredictionDistribution.from_dict(values) for target, values in recorded.items()}
    except (KeyError, ValueError):
        return None
