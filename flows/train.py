"""The ``train-classifier`` flow: labelled data in, a versioned classifier model out.

The flow only orchestrates (tasks, progress bar, artifacts); the work is done by the
plain functions in ``classifier.training_set``, ``classifier.train`` and ``classifier.promotion``. Run it with ``docpipe train``; the classify
stage also runs it once, with defaults, when no model exists yet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from classifier.card import live_accuracy_table, validation_columns
from classifier.metrics import confusion_table, mean_macro_f1, scores_table
from classifier.taxonomy import Taxonomy
from classifier.promotion import Promotion, decide_promotion
from classifier.saving import save_model
from classifier.train import TrainingResult, fine_tune
from classifier.training_set import TrainConfig, TrainingSet, assemble_training_set
from db import health
from db.session import session_scope
from docpipe.settings import DocpipeSettings, get_settings


@contextmanager
def _progress(show_bar: bool) -> Iterator[Callable[[int, int, str], None]]:
    """Progress of fine-tuning: a bar on stderr when asked, and a log line every tenth of the steps."""
    logger = get_run_logger()
    logged = [0]

    def log_progress(done: int, total: int, status: str) -> None:
        if done * 10 // total > logged[0] or done == total:
            logged[0] = done * 10 // total
            logger.info("step %d/%d: %s", done, total, status)

    if not show_bar:
        yield log_progress
        return
    columns = (
        TextColumn("[bold]training classifier"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, console=Console(stderr=True)) as bar:
        job = bar.add_task("", total=None)

        def update(done: int, total: int, status: str) -> None:
            bar.update(job, completed=done, total=total, description=status)
            log_progress(done, total, status)

        yield update


@task(name="assemble-training-set", cache_policy=NO_CACHE)
def assemble_task(datasets: list[str], taxonomy: Taxonomy, config: TrainConfig) -> TrainingSet:
    return assemble_training_set(get_settings(), taxonomy, datasets, config)


@task(name="fine-tune", cache_policy=NO_CACHE)
def fine_tune_task(data: TrainingSet, taxonomy: Taxonomy, config: TrainConfig, show_progress: bool) -> TrainingResult:
    with _progress(show_progress) as progress:
        return fine_tune(data, taxonomy, config, get_settings().classifier_threads, progress)


@task(name="compare-with-current", cache_policy=NO_CACHE)
def promotion_task(result: TrainingResult, data: TrainingSet, promote: bool) -> Promotion:
    settings = get_settings()
    decision = decide_promotion(settings, result, data.validation)
    if decision.current_version:
        rows, note = current_live_accuracy(settings, decision.current_version)
        decision = replace(decision, current_audit=rows, current_audit_note=note)
    if not promote and decision.promote:
        return replace(decision, promote=False, reason=f"{decision.reason}; not promoted (--no-promote)")
    return decision


def current_live_accuracy(settings: DocpipeSettings, version: str) -> tuple[list[dict[str, Any]], str]:
    """The classifier version's ``model_accuracy`` rows, or none and why (training may run on
    a machine without the database)."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    try:
        with session_scope(settings.database_url) as session:
            rows = health.model_accuracy(session, model_version=version)
    except OperationalError as exc:
        return [], f"database not reachable ({type(exc).__name__})"
    except ProgrammingError:
        return [], "database not migrated (`docpipe db upgrade`)"
    return [row for row in rows if row["stage"] == "classify"], ""


@task(name="save-model", cache_policy=NO_CACHE)
def save_task(result: TrainingResult, data: TrainingSet, promotion: Promotion) -> Path:
    return save_model(get_settings(), result, data, promotion)


def _artifact(version: str, result: TrainingResult, promotion: Promotion) -> str:
    columns = validation_columns(result, promotion)
    confusions = "\n\n".join(
        f"**{name}** (rows gold, columns predicted)\n\n{confusion_table(s)}"
        for name, s in result.validation_scores.items()
    )
    return (
        f"# Classifier {version}\n\n{'Promoted' if promotion.promote else 'Not promoted'}: {promotion.reason}\n\n"
        f"## Validation (accuracy, macro-F1)\n\n{scores_table(columns)}\n\n"
        f"## The current model on reviewed documents\n\n{live_accuracy_table(result, promotion)}\n\n"
        f"## Confusion matrices\n\n{confusions}\n"
    )


@flow(name="train-classifier")
def train_classifier(
    datasets: list[str] | None = None,
    taxonomy_path: str | None = None,
    epochs: int | None = None,
    synthetic_per_label: int | None = None,
    max_length: int | None = None,
    batch_size: int | None = None,
    seed: int | None = None,
    learning_rate: float | None = None,
    promote: bool = True,
    show_progress: bool = False,
) -> dict[str, Any]:
    """Train a classifier on ``datasets`` ([NAME:]PATH) + configured data + generated documents.

    Options left None take TrainConfig's defaults. The model is saved as a new version and
    becomes the default only if it is not worse than the current one on the validation split.
    """
    settings = get_settings()
    logger = get_run_logger()
    taxonomy = Taxonomy.load(Path(taxonomy_path) if taxonomy_path else settings.classifier_taxonomy)
    overrides = {
        "epochs": epochs,
        "synthetic_per_label": synthetic_per_label,
        "max_length": max_length,
        "batch_size": batch_size,
        "seed": seed,
        "learning_rate": learning_rate,
    }
    config = TrainConfig(**{k: v for k, v in overrides.items() if v is not None})
    data = assemble_task(list(datasets or []), taxonomy, config)
    logger.info(
        "training on %d examples, validating on %d (%d generated)",
        len(data.train),
        len(data.validation),
        data.manifest["synthetic"]["examples"],
    )
    result = fine_tune_task(data, taxonomy, config, show_progress)
    promotion = promotion_task(result, data, promote)
    path = save_task(result, data, promotion)
    create_markdown_artifact(
        key="classifier-training",
        markdown=_artifact(path.name, result, promotion),
        description=f"classifier {path.name}",
    )
    logger.info("model %s saved to %s; %s", path.name, path, promotion.reason)
    return {
        "version": path.name,
        "path": str(path),
        "promoted": promotion.promote,
        "reason": promotion.reason,
        "train_examples": len(data.train),
        "validation_examples": len(data.validation),
        "validation": {
            name: {"accuracy": s.accuracy, "macro_f1": s.macro_f1} for name, s in result.validation_scores.items()
        },
        "validation_mean_macro_f1": mean_macro_f1(result.validation_scores),
        "seconds": round(result.seconds, 1),
    }
