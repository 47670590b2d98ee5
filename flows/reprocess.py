"""The ``reprocess-documents`` flow: bring stored documents up to the current model versions.

Documents whose stage results come from an older model version (or are missing) get
those stages again, from their stored text; nothing is duplicated. Reviewed documents
keep their human verdict.
"""

from __future__ import annotations

import time
from typing import Any

from prefect import flow, get_run_logger

from db import repository
from db.session import session_scope
from pipeline.files import FileOutcome, InputFile
from docpipe.settings import get_settings
from pipeline.stage_registry import enabled_stages
from pipeline.summary import summarize
from extractors.text import TEXT_STAGE_VERSION
from flows.process import recorded_run, report_health, run_stages


@flow(name="reprocess-documents")
def reprocess_documents(limit: int | None = None) -> dict[str, Any]:
    """Rerun the stages whose version changed on up to ``limit`` documents (all when None)."""
    settings = get_settings()
    logger = get_run_logger()
    stages = enabled_stages(settings)
    versions = {stage.name: stage.version for stage in stages}
    with recorded_run(settings, {"text": TEXT_STAGE_VERSION, **versions}, {"reprocess": True}) as run_id:
        with session_scope(settings.database_url) as session:
            documents = repository.documents_behind(session, versions, limit)
            for document in documents:
                repository.record_run_document(
                    session,
                    run_id,
                    document_id=document.id,
                    source_path=document.source_path,
                    is_attachment=document.parent_id is not None,
                    status=document.status,
                    reused=False,
                    ocr_used=False,
                    page_count=document.page_count,
                    stage_seconds={},
                )
            work = [
                (
                    FileOutcome(
                        source_path=document.source_path,
                        filename=document.filename,
                        status=document.status,
                        document_id=document.id,
                        media_type=document.media_type,
                        page_count=document.page_count,
                        is_attachment=document.parent_id is not None,
                    ),
                    InputFile(source_path=document.source_path, filename=document.filename),
                )
                for document in documents
            ]
        logger.info("run %s: %d document(s) behind %s", run_id, len(work), versions)
        started = time.perf_counter()
        outcomes = [run_stages(outcome, file, run_id, stages, settings) for outcome, file in work]
        seconds = time.perf_counter() - started
        with session_scope(settings.database_url) as session:
            summary = summarize(session, run_id, outcomes, seconds)
            repository.finish_run(session, run_id, summary.counts())
        report_health(settings, summary, versions.get("classify"))
        logger.info(summary.headline())
        return summary.as_dict()

