"""The model-health report after each processing, reprocessing and review run: drift of the
classifier's predictions (this run, the last 7 days), live accuracy and calibration from
reviews, audit samples waiting; logged, and published as the ``docpipe-model-health``
artifact (stable key: the UI keeps its history)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from classifier import store
from docpipe.stages import TARGETS
from db import health as readings
from db.session import session_scope
from docpipe.health import AUDIT_REASON, DriftCheck, HealthReport, PredictionDistribution, calibration, drift
from pipeline.review import REVIEW_MODEL_PREFIX
from docpipe.settings import DocpipeSettings

HEALTH_ARTIFACT_KEY = "docpipe-model-health"
WINDOW = timedelta(days=7)
"""The rolling window of the weekly drift check: a full week at any day of it."""


def model_health(settings: DocpipeSettings, run_id: int | None = None, classifier_version: str | None = None) -> HealthReport:
    """The report for ``classifier_version`` (default: the version that classified last)."""
    with session_scope(settings.database_url) as session:
        version = classifier_version or readings.latest_classifier_version(session, REVIEW_MODEL_PREFIX)
        checks: list[DriftCheck] = []
        if version is not None:
            model_dir = store.find(settings, version)
            reference = store.prediction_reference(model_dir) if model_dir is not None else None
            scopes = [(f"run {run_id}", {"run_id": run_id})] if run_id is not None else []
            scopes.append(("the last 7 days", {"since": datetime.now(UTC) - WINDOW}))
            for scope, where in scopes:
                rows = readings.classifications(session, version, **where)
                observed = {
                    t: PredictionDistribution.of([getattr(r, t) for r in rows], [getattr(r, f"{t}_confidence") for r in rows])
                    for t in TARGETS
                }
                check = drift(version, scope, reference, observed, settings.drift_threshold, settings.drift_min_documents)
                if model_dir is None:
                    check.findings, check.note = [], "its model folder is not on this machine: no reference to compare with"
                checks.append(check)
        outcomes: dict[tuple[str, str], list[tuple[float, bool]]] = {}
        for row in readings.review_outcomes(session):
            outcomes.setdefault((row["stage"], row["model_version"]), []).append((row["confidence"], row["correct"]))
        return HealthReport(
            accuracy=readings.model_accuracy(session),
            calibration={key: calibration(rows) for key, rows in outcomes.items()},
            checks=checks,
            unreviewed_audit_samples=readings.unreviewed_audit_samples(session, AUDIT_REASON),
            audit_rate=settings.audit_rate,
        )


def publish_model_health(report: HealthReport, title: str) -> None:
    from prefect.artifacts import create_markdown_artifact

    warnings = report.warnings()
    create_markdown_artifact(
        key=HEALTH_ARTIFACT_KEY,
        markdown=report.markdown(title),
        description=f"{title}: {len(warnings)} drift warning(s), {report.unreviewed_audit_samples} audit sample(s) waiting",
    )
