"""The ``process-documents`` flow: files and folders in, documents in Postgres out.

The flow only orchestrates (tasks, retries, artifacts, progress); the work is done by
the plain functions in ``pipeline.files``.
"""

from __future__ import annotations

import contextlib
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from db import repository, runs
from db.models import ProcessingRun
from db.session import CONNECTION_ERRORS, get_engine, session_scope, wait_for_database
from pipeline import inbox
from db.claims import content_claim
from docpipe.errors import DatabaseUnavailableError, TransientError, one_line_reason
from pipeline.files import (
    FileOutcome,
    InputFile,
    content_sha256,
    displayable,
    ingest_file,
    record_crash,
    record_skipped,
    run_stage,
    sample_for_audit,
    stale_stages,
    walk_inputs,
    worker_name,
)
from docpipe.settings import DocpipeSettings, get_settings
from pipeline.stage_registry import StageInfo, enabled_stages, stage_infos
from docpipe.stages import DocumentStage
from docpipe.statuses import FileStatus, RunStatus
from pipeline.summary import RunSummary, publish_artifacts, summarize
from extractors.text import TEXT_STAGE_VERSION
from flows.cluster import check_scheduler, document_runner, local_worker_settings
from flows.health import model_health, publish_model_health

TRANSIENT_ERRORS = (TransientError, *CONNECTION_ERRORS, OSError)
T = TypeVar("T")


def retry_when_transient(_task: Any, _task_run: Any, state: Any) -> bool:
    """Retry database and engine hiccups; a bad file is recorded, never retried."""
    return isinstance(state.data, TRANSIENT_ERRORS)


def _task_options(settings: DocpipeSettings) -> dict[str, Any]:
    return {
        "retries": settings.task_retries,
        "retry_delay_seconds": settings.task_retry_delay_s,
        "retry_condition_fn": retry_when_transient,
        "cache_policy": NO_CACHE,
    }


def literal_name(name: str) -> Callable[[], str]:
    """A task-run name used as it is. Prefect formats a string name with the task's parameters,
    so a file named ``{settings.database_url}.txt`` would have named its task run with the
    database URL (password included) and ``Invoice {2026-03}.txt`` would have failed."""
    return lambda: name


@task(name="read-text", cache_policy=NO_CACHE)
def read_text_task(file: InputFile, run_id: int, settings: DocpipeSettings) -> FileOutcome:
    return ingest_file(file, run_id, settings)


@task(name="document-stage", cache_policy=NO_CACHE)
def stage_task(stage: DocumentStage, outcome: FileOutcome, run_id: int, settings: DocpipeSettings) -> FileOutcome:
    run_stage(stage, outcome, run_id, settings)
    return outcome


@task(name="process-document", cache_policy=NO_CACHE)
def process_document_task(file: InputFile, run_id: int, settings: DocpipeSettings) -> list[FileOutcome]:
    """One input file and, for a mail, its attachments after it, on whichever worker runs
    the task (``flows.cluster``): each under its content claim (``db.claims``), so that no
    other worker, batch or machine works on the same content at the same time."""
    stages = enabled_stages(settings)  # built once per worker process: models load once
    outcomes: list[FileOutcome] = []
    queue = deque([file])
    while queue:
        current = queue.popleft()
        outcome = through_outages(
            settings, f"processing {current.filename}", partial(process_claimed, current, run_id, stages, settings)
        )
        queue.extendleft(reversed(outcome.attachments))  # a mail's attachments come next
        outcome.attachments = []  # processed here: their bytes need not travel back to the flow
        outcomes.append(outcome)
    return outcomes


def process_claimed(
    file: InputFile, run_id: int, stages: list[DocumentStage], settings: DocpipeSettings
) -> FileOutcome:
    """``process_one`` while holding the claim on the file's content (taken again on each
    try of ``through_outages``: a lost connection takes its claim with it)."""
    sha256 = content_sha256(file)
    if sha256 is None:  # unreadable: ingest_file records why, and there is no content to claim
        return process_one(file, run_id, stages, settings)
    with content_claim(settings.database_url, sha256, worker_name()):
        return process_one(file, run_id, stages, settings)


def process_one(
    file: InputFile, run_id: int, stages: list[DocumentStage], settings: DocpipeSettings
) -> FileOutcome:
    """Text, then each stage, as Prefect tasks; a failure after retries is recorded, except a
    lost database connection, which is raised for ``through_outages`` to wait out."""
    try:
        outcome = read_text_task.with_options(
            task_run_name=literal_name(f"text: {file.filename}"), **_task_options(settings)
        )(file, run_id, settings)
    except CONNECTION_ERRORS:
        raise  # the database is gone, not the file: through_outages waits and tries it again
    except Exception as exc:  # retries exhausted: account for the file and go on
        return record_crash(file, run_id, settings, exc)
    if outcome.status != FileStatus.FAILED and outcome.document_id is not None:
        outcome = run_stages(outcome, file, run_id, stages, settings)
    return outcome


def run_stages(
    outcome: FileOutcome, file: InputFile, run_id: int, stages: list[DocumentStage], settings: DocpipeSettings
) -> FileOutcome:
    """The stages not yet current on the outcome's document, each a Prefect task; then, if
    they accepted it, the audit draw (``sample_for_audit``)."""
    stale = stale_stages(outcome, stages, settings)
    for stage in stale:
        try:
            outcome = stage_task.with_options(
                task_run_name=literal_name(f"{stage.name}: {file.filename}"), **_task_options(settings)
            )(stage, outcome, run_id, settings)
        except CONNECTION_ERRORS:
            raise
        except Exception as exc:
            outcome = record_crash(file, run_id, settings, exc, outcome)
        if outcome.status == FileStatus.FAILED:
            break
    if stale and outcome.status == FileStatus.PROCESSED and sample_for_audit(outcome, run_id, settings):
        get_run_logger().info("%s drawn as an audit sample: sent to review", outcome.source_path)
    return outcome


def through_outages(settings: DocpipeSettings, doing: str, action: Callable[[], T]) -> T:
    """``action()``; while the database does not answer, wait for it (``wait_for_database``:
    up to ``DOCPIPE_DATABASE_WAIT_S``) and run it again. Every write it makes is idempotent
    (upserts, rows looked up by run and path), so a second go after a lost connection stores
    nothing twice."""
    while True:
        try:
            return action()
        except CONNECTION_ERRORS as exc:
            logger = get_run_logger()
            logger.warning(
                "database unreachable while %s (%s); waiting for it up to %g s",
                doing, one_line_reason(exc), settings.database_wait_s,
            )
            wait_for_database(settings.database_url, settings.database_wait_s)
            logger.info("database answers again; %s once more", doing)


def _archive(path: Path, roots: list[Path], outcome: FileOutcome, run_id: int, settings: DocpipeSettings) -> None:
    if outcome.status == FileStatus.SKIPPED:
        return  # it vanished before it was read (pipeline.VANISHED_REASON): nothing to move
    try:
        archived = inbox.archive(path, inbox.root_of(path, roots), outcome.status, settings)
    except FileNotFoundError:
        # A batch running at the same time on this inbox took the same content first; this
        # one waited for its claim, found it done, and the other batch archived the file.
        get_run_logger().info("%s was archived by another run meanwhile", outcome.source_path)
        return
    outcome.archived_path = displayable(str(archived))

    def record() -> None:
        with session_scope(settings.database_url) as session:
            repository.update_run_document(session, run_id, outcome.source_path, archived_path=outcome.archived_path)

    through_outages(settings, f"recording where {outcome.filename} went", record)


@contextmanager
def _progress(total: int, enabled: bool) -> Iterator[Callable[[str], None]]:
    if not enabled:
        yield lambda _name: None
        return
    columns = (
        TextColumn("[bold]processing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, console=Console(stderr=True)) as bar:
        job = bar.add_task("", total=total)
        yield lambda name: bar.update(job, advance=1, description=name)


@task(name="load-stages", cache_policy=NO_CACHE)
def load_stages_task(settings: DocpipeSettings) -> list[StageInfo]:
    return stage_infos(settings)


def loaded_stages(runner: Any, settings: DocpipeSettings) -> list[StageInfo]:
    """The enabled stages' names, versions and runtimes, from this process or, on Dask, from
    a worker (which keeps the models it loaded for its documents)."""
    if runner is None:
        return stage_infos(settings)
    return runner.submit(load_stages_task, {"settings": settings}).result()


def _processed(
    runner: Any, inputs: list[InputFile], run_id: int, settings: DocpipeSettings
) -> Iterator[tuple[int, list[FileOutcome]]]:
    """Each input's index and outcomes (its own, then its attachments'), as they finish:
    one after another in this process without a runner, else from the Dask workers in the
    order they finish. A document task that fails outright (a worker killed more often than
    Dask retries it) is recorded as a crash of its file; a database gone for good ends the run."""
    def outcomes_of(index: int, result: Callable[[], list[FileOutcome]]) -> list[FileOutcome]:
        try:
            return result()
        except DatabaseUnavailableError:
            raise
        except Exception as exc:
            return [through_outages(settings, "recording a crash", partial(record_crash, inputs[index], run_id, settings, exc))]

    def document_task(file: InputFile) -> Any:
        return process_document_task.with_options(task_run_name=literal_name(f"document: {file.filename}"))

    if runner is None:
        for index, file in enumerate(inputs):
            yield index, outcomes_of(index, partial(document_task(file), file, run_id, settings))
        return
    from distributed import as_completed

    futures = {
        runner.submit(document_task(file), {"file": file, "run_id": run_id, "settings": settings}): index
        for index, file in enumerate(inputs)
    }
    by_dask_future = {future.wrapped_future: future for future in futures}
    for done in as_completed(list(by_dask_future), loop=runner.client.loop):
        future = by_dask_future[done]
        yield futures[future], outcomes_of(futures[future], future.result)


@flow(name="process-documents")
def process_documents(
    paths: list[str], move_files: bool = False, show_progress: bool = False, workers: int | None = None
) -> dict[str, Any]:
    """Process every file under ``paths`` (files or folders) into the database.

    With ``move_files`` (the inbox deployment), files still being written are left for the
    next run and every processed file is moved to the processed or failed folder. ``workers``
    overrides ``DOCPIPE_WORKERS`` (documents processed at once on this machine, flows.cluster).
    """
    settings = get_settings()
    logger = get_run_logger()
    roots = [Path(path).resolve() for path in paths]
    walk = walk_inputs(roots, tuple(folder for root in roots for folder in inbox.archive_dirs(root, settings)))
    batch = inbox.plan(walk.files, roots, settings, settle=move_files)
    files = batch.ready
    for path in batch.deferred:
        logger.info("%s is still being written; left for the next run", displayable(str(path)))
    if workers is not None:
        settings = settings.model_copy(update={"workers": workers})
    # Local workers share this machine's threads; a cluster's workers run with the settings as given.
    work_settings = local_worker_settings(settings) if settings.dask_address is None else settings
    # Before the run is recorded: an unreachable cluster starts nothing.
    if settings.dask_address is not None and check_scheduler(settings) == 0:
        logger.warning("the Dask scheduler at %s has no workers yet: documents wait for one", settings.dask_address)
    # The stages are built where the documents are processed (their versions and runtimes
    # come back from there): the flow's process holds no models of its own on Dask.
    with document_runner(work_settings) as runner:
        stages = loaded_stages(runner, work_settings)
        versions = {"text": TEXT_STAGE_VERSION, **{stage.name: stage.version for stage in stages}}
        with recorded_run(settings, versions, settings.model_dump(mode="json", exclude={"database_url"})) as run_id:
            logger.info("run %s: %d input file(s), stages %s", run_id, len(files), versions)
            for stage in stages:
                logger.info("%s runs on %s", stage.name, stage.runtime)
            started = time.perf_counter()
            outcomes: list[FileOutcome] = [
                through_outages(settings, "recording a skipped path", partial(record_skipped, skipped, run_id, settings))
                for skipped in walk.skipped
            ]
            for outcome in outcomes:
                logger.warning("%s %s", outcome.source_path, outcome.error)
            inputs = [InputFile.from_path(path) for path in files]
            by_input: dict[int, list[FileOutcome]] = {}
            try:
                with _progress(len(files), show_progress) as advance:
                    for index, file_outcomes in _processed(runner, inputs, run_id, work_settings):
                        by_input[index] = file_outcomes
                        file = inputs[index]
                        if move_files and file.path is not None:
                            _archive(file.path, roots, file_outcomes[0], run_id, settings)
                        advance(file.filename)
                        for outcome in file_outcomes:
                            if outcome.status == FileStatus.FAILED:
                                logger.warning("%s failed: %s", outcome.source_path, outcome.error)
            except BaseException:
                outcomes += [outcome for index in sorted(by_input) for outcome in by_input[index]]
                # Interrupted (Ctrl-C, a cancelled deployment run's SIGTERM, an unexpected error): the
                # run's row says so, with what was done. Files not reached stay where they are and
                # the next run takes them. (A process killed outright can't: the next run does it, db.runs.)
                counts = RunSummary(run_id, outcomes, time.perf_counter() - started).counts()
                try:
                    with session_scope(settings.database_url) as session:
                        repository.finish_run(session, run_id, counts, status=RunStatus.CRASHED)
                except CONNECTION_ERRORS:
                    logger.warning("run %s could not be recorded as crashed (database unreachable); the next run will", run_id)
                raise

            outcomes += [outcome for index in sorted(by_input) for outcome in by_input[index]]  # in input order
            seconds = time.perf_counter() - started

            def finish() -> RunSummary:
                with session_scope(settings.database_url) as session:
                    summary = summarize(session, run_id, outcomes, seconds, len(batch.deferred))
                    repository.finish_run(session, run_id, summary.counts())
                return summary

            summary: RunSummary = through_outages(settings, "closing the run", finish)
            classifier_version = next((stage.version for stage in stages if stage.name == "classify"), None)
            report_health(settings, summary, classifier_version)
            logger.info(summary.headline())
            return summary.as_dict()


def report_health(settings: DocpipeSettings, summary: RunSummary, classifier_version: str | None) -> None:
    """The run's artifacts: its summary (with the models' drift warnings) and the model health."""
    report = through_outages(
        settings, "reading the models' health", partial(model_health, settings, summary.run_id, classifier_version)
    )
    summary.warnings.extend(report.warnings())
    for warning in summary.warnings:
        get_run_logger().warning(warning)
    publish_artifacts(summary)
    publish_model_health(report, f"Model health after run {summary.run_id}")


@contextmanager
def recorded_run(settings: DocpipeSettings, versions: dict[str, str], run_settings: dict[str, Any]) -> Iterator[int]:
    """A new ``processing_runs`` row, beating while the block runs (``db.runs``); runs left
    ``running`` by processes killed outright are recorded ``crashed`` first, and so is this
    one if the block raises before closing it."""
    logger = get_run_logger()
    with session_scope(settings.database_url) as session:
        for abandoned in runs.close_abandoned_runs(session, settings.run_stale_after_s):
            logger.warning("run %s was left running by a process that no longer exists: recorded as crashed", abandoned)
        run_id = repository.start_run(session, flow_run.id, versions, run_settings).id
    with runs.heartbeat(get_engine(settings.database_url), run_id, runs.beat_interval(settings.run_stale_after_s)):
        try:
            yield run_id
        except BaseException:
            # Interrupted or failed in Python: a flow that did not close its row itself (the
            # processing flow does, with what it finished) leaves it to this.
            with contextlib.suppress(*CONNECTION_ERRORS):  # then the next run closes it (db.runs)
                with session_scope(settings.database_url) as session:
                    run = session.get_one(ProcessingRun, run_id)
                    if run.status == RunStatus.RUNNING:
                        runs.record_crashed(session, run)
            raise
