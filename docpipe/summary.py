"""What a run did, for people: the CLI summary and the Prefect UI artifacts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from docpipe.pipeline import FileOutcome

RUN_TABLE_ARTIFACT_KEY = "docpipe-run-documents"
RUN_SUMMARY_ARTIFACT_KEY = "docpipe-run-summary"


@dataclass
class RunSummary:
    run_id: int
    outcomes: list[FileOutcome]
    seconds: float
    deferred: int = 0
    """Files left for the next run because they were still being written."""

    @property
    def inputs(self) -> list[FileOutcome]:
        return [outcome for outcome in self.outcomes if not outcome.is_attachment]

    @property
    def attachments(self) -> list[FileOutcome]:
        return [outcome for outcome in self.outcomes if outcome.is_attachment]

    def counts(self) -> dict[str, int]:
        by_status = Counter(outcome.status for outcome in self.inputs)
        return {
            "total": len(self.inputs),
            "processed": by_status["processed"],
            "needs_review": by_status["needs_review"],
            "failed": by_status["failed"],
            "attachments": len(self.attachments),
            "attachments_failed": sum(1 for o in self.attachments if o.status == "failed"),
            "reused": sum(1 for o in self.outcomes if o.reused),
            "deferred": self.deferred,
        }

    @property
    def all_accounted_for(self) -> bool:
        counts = self.counts()
        return counts["processed"] + counts["needs_review"] + counts["failed"] == counts["total"]

    def headline(self) -> str:
        c = self.counts()
        docs_per_min = len(self.outcomes) / self.seconds * 60 if self.seconds > 0 else 0.0
        accounted = "all accounted for" if self.all_accounted_for else "NOT ALL ACCOUNTED FOR"
        return (
            f"run {self.run_id}: {c['total']} input file(s): {c['processed']} processed, "
            f"{c['needs_review']} need review, {c['failed']} failed ({accounted}); "
            f"{c['attachments']} attachment(s), {c['attachments_failed']} failed; "
            f"{c['reused']} already up to date; {c['deferred']} left for the next run; "
            f"{self.seconds:.1f} s, {docs_per_min:.1f} docs/min"
        )

    def rows(self) -> list[dict[str, Any]]:
        """One row per file, the columns a person scans first on the left."""
        return [
            {
                "file": PurePath(outcome.source_path).name,
                "status": outcome.status,
                "reason": outcome.error or "",
                "type": outcome.media_type or "",
                "pages": outcome.page_count,
                "ocr_used": outcome.ocr_used,
                "seconds": round(sum(outcome.stage_seconds.values()), 2),
                "document_id": outcome.document_id,
                "path": outcome.source_path,
                "archived_to": outcome.archived_path or "",
            }
            for outcome in self.outcomes
        ]

    def as_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "seconds": round(self.seconds, 2), **self.counts(), "files": self.rows()}


def summarize(run_id: int, outcomes: list[FileOutcome], seconds: float, deferred: int = 0) -> RunSummary:
    return RunSummary(run_id=run_id, outcomes=outcomes, seconds=seconds, deferred=deferred)


def _markdown(summary: RunSummary) -> str:
    c = summary.counts()
    lines = [
        f"# docpipe run {summary.run_id}",
        "",
        summary.headline(),
        "",
        "| status | input files |",
        "|---|---|",
        *(f"| {status} | {c[status]} |" for status in ("processed", "needs_review", "failed")),
    ]
    failures = [o for o in summary.outcomes if o.status == "failed"]
    if failures:
        lines += ["", "## Failed", "", "| file | reason |", "|---|---|"]
        lines += [f"| {o.source_path} | {(o.error or '').replace('|', '/')} |" for o in failures]
    return "\n".join(lines)


def publish_artifacts(summary: RunSummary) -> None:
    """A summary and a per-file table on the flow run, under stable keys (history kept)."""
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    create_markdown_artifact(
        key=RUN_SUMMARY_ARTIFACT_KEY, markdown=_markdown(summary), description=summary.headline()
    )
    create_table_artifact(
        key=RUN_TABLE_ARTIFACT_KEY,
        table=summary.rows(),
        description=f"Files of docpipe run {summary.run_id}",
    )
