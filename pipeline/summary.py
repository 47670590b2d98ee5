"""What a run did, for people: the CLI summary and the Prefect UI artifacts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from docpipe.stages import TARGETS, tier_name
from pipeline.files import FileOutcome
from docpipe.statuses import FileStatus
from schemas.registry import schema_for

RUN_TABLE_ARTIFACT_KEY = "docpipe-run-documents"
RUN_SUMMARY_ARTIFACT_KEY = "docpipe-run-summary"



@dataclass
class RunSummary:
    run_id: int
    outcomes: list[FileOutcome]
    seconds: float
    deferred: int = 0
    """Files left for the next run because they were still being written."""
    results: dict[int, dict[str, Any]] = field(default_factory=dict)
    """``document_results`` rows of the run's documents, by document id."""
    warnings: list[str] = field(default_factory=list)
    """What a person should know of the run beyond its files (the models' drift warnings)."""

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
            **{status.value: by_status[status] for status in FileStatus},
            "attachments": len(self.attachments),
            "attachments_failed": sum(1 for o in self.attachments if o.status == FileStatus.FAILED),
            "reused": sum(1 for o in self.outcomes if o.reused),
            "deferred": self.deferred,
        }

    @property
    def all_accounted_for(self) -> bool:
        counts = self.counts()
        return sum(counts[status] for status in FileStatus) == counts["total"]

    @property
    def docs_per_minute(self) -> float:
        return len(self.outcomes) / self.seconds * 60 if self.seconds > 0 else 0.0

    def headline(self) -> str:
        c = self.counts()
        accounted = "all accounted for" if self.all_accounted_for else "NOT ALL ACCOUNTED FOR"
        return (
            f"run {self.run_id}: {c['total']} input file(s): {c['processed']} processed, "
            f"{c['needs_review']} need review, {c['failed']} failed, {c['skipped']} skipped ({accounted}); "
            f"{c['attachments']} attachment(s), {c['attachments_failed']} failed; "
            f"{c['reused']} already up to date; {c['deferred']} left for the next run; "
            f"{self.seconds:.1f} s, {self.docs_per_minute:.1f} docs/min"
            + "".join(f"; extraction {tier_name(tier)}: {count}" for tier, count in self.tier_counts().items())
        )

    def tier_counts(self) -> dict[int, int]:
        """Documents per last tier of the extraction cascade that read them (docs/extraction.md)."""
        tiers = Counter(
            tier
            for outcome in self.outcomes
            if (tier := (self.results.get(outcome.document_id or -1) or {}).get("extraction_tier")) is not None
        )
        return dict(sorted(tiers.items()))

    def label_counts(self, label: str) -> Counter[str]:
        return Counter(
            (self.results.get(o.document_id or -1) or {}).get(label) or "-" for o in self.outcomes if o.status != FileStatus.FAILED
        )

    def rows(self) -> list[dict[str, Any]]:
        """One row per file, the columns a person scans first on the left."""
        rows = []
        for outcome in self.outcomes:
            result = self.results.get(outcome.document_id or -1) or {}
            labels = {
                label: f"{result[label]} ({result[f'{label}_confidence']:.0%})" if result.get(label) else ""
                for label in TARGETS
            }
            fields = result.get("fields") or {}
            entry = schema_for(result.get("doc_type") or "")
            key_fields = "; ".join(
                f"{name}: {_short(fields[name])}"
                for name in (entry.key_fields if entry else ())
                if fields.get(name) not in (None, "", [])
            )
            rows.append(
                {
                    "file": PurePath(outcome.source_path).name,
                    "status": outcome.status,
                    "reason": outcome.error or "",
                    **labels,
                    "key_fields": key_fields,
                    "extraction_tier": result.get("extraction_tier"),
                    "type": outcome.media_type or "",
                    "pages": outcome.page_count,
                    "ocr_used": outcome.ocr_used,
                    "seconds": round(sum(outcome.stage_seconds.values()), 2),
                    "document_id": outcome.document_id,
                    "path": outcome.source_path,
                    "archived_to": outcome.archived_path or "",
                }
            )
        return rows

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "seconds": round(self.seconds, 2),
            **self.counts(),
            "extraction_tiers": {str(tier): count for tier, count in self.tier_counts().items()},
            "warnings": self.warnings,
            "files": self.rows(),
        }


def _short(value: Any, limit: int = 60) -> str:
    shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def summarize(
    session: Session, run_id: int, outcomes: list[FileOutcome], seconds: float, deferred: int = 0
) -> RunSummary:
    """The run's outcomes with the labels and fields its documents ended with."""
    ids = sorted({o.document_id for o in outcomes if o.document_id is not None})
    rows = session.execute(
        text("SELECT * FROM document_results WHERE document_id = ANY(:ids)"), {"ids": ids}
    ).mappings()
    results = {row["document_id"]: dict(row) for row in rows}
    return RunSummary(run_id=run_id, outcomes=outcomes, seconds=seconds, deferred=deferred, results=results)


def _markdown(summary: RunSummary) -> str:
    c = summary.counts()
    lines = [
        f"# docpipe run {summary.run_id}",
        "",
        summary.headline(),
        "",
        *([f"**{len(summary.warnings)} warning(s)**", "", *(f"- {w}" for w in summary.warnings), ""] if summary.warnings else []),
        "| status | input files |",
        "|---|---|",
        *(f"| {status} | {c[status]} |" for status in FileStatus),
    ]
    for label in ("doc_type", "department"):
        counts = summary.label_counts(label)
        if set(counts) != {"-"}:
            lines += ["", f"| {label} | documents |", "|---|---|"]
            lines += [f"| {value} | {count} |" for value, count in counts.most_common()]
    tiers = summary.tier_counts()
    if tiers:
        lines += ["", "| extraction tier (the last that read it) | documents |", "|---|---|"]
        lines += [f"| {tier_name(tier)} | {count} |" for tier, count in tiers.items()]
    for status, heading, column in ((FileStatus.FAILED, "Failed", "file"), (FileStatus.SKIPPED, "Skipped", "path"), (FileStatus.NEEDS_REVIEW, "Needs review", "file")):
        listed = [o for o in summary.outcomes if o.status == status]
        if listed:
            lines += ["", f"## {heading}", "", f"| {column} | reason |", "|---|---|"]
            lines += [f"| {o.source_path} | {(o.error or '').replace('|', '/')} |" for o in listed]
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
