"""The statuses docpipe records, one definition each (the database's CHECK constraints are
built from them)."""

from enum import StrEnum


class DocumentStatus(StrEnum):
    """``documents.status``: where a distinct content stands."""

    PENDING = "pending"
    PROCESSED = "processed"
    FAILED = "failed"
    NEEDS_REVIEW = "needs_review"
    REVIEWED = "reviewed"


class FileStatus(StrEnum):
    """``run_documents.status``: what a run's input file ended as; every one the walk met has one."""

    PROCESSED = "processed"
    NEEDS_REVIEW = "needs_review"
    FAILED = "failed"
    SKIPPED = "skipped"


class RunStatus(StrEnum):
    """``processing_runs.status``."""

    RUNNING = "running"
    COMPLETED = "completed"
    CRASHED = "crashed"
