"""How long the model-health report takes at a given volume (it runs after every run).

Creates a scratch database on the server of ``DOCPIPE_DATABASE_URL`` (dropped afterwards),
fills it with ``--documents`` classifications of one classifier version made in the last
7 days (labels drawn from its taxonomy) and ``--reviews`` reviews of them (half audit
samples, one label in ten changed), and times ``flows.health.model_health`` for a run of
``--run-documents`` of them: the drift checks of the run and of the 7 days, live accuracy
and calibration.

Run: ``python -m benchmarks.model_health [--model current|VERSION|PATH] [--documents 20000]
[--reviews 2000] [--run-documents 500] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="'current' (default), a version, or a model folder")
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--reviews", type=int, default=2_000)
    parser.add_argument("--run-documents", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from sqlalchemy import insert

    from classifier import store
    from classifier.taxonomy import Taxonomy
    from db.migrate import upgrade
    from db.models import Classification, Document, ProcessingRun, Review
    from db.session import session_scope
    from docpipe.health import AUDIT_REASON
    from docpipe.settings import get_settings
    from flows.health import model_health

    from benchmarks.scratch import scratch_database

    settings = get_settings()
    model_dir = store.resolve(settings, args.model)
    if model_dir is None:
        raise SystemExit("no classifier model: train one with `docpipe train`")
    taxonomy = Taxonomy.load(model_dir / "taxonomy.toml")
    with scratch_database(settings.database_url) as url:
        upgrade(url)
        rng = random.Random(7)
        with session_scope(url) as session:
            run_id = session.scalar(insert(ProcessingRun).values(status="completed").returning(ProcessingRun.id))
            ids = session.scalars(
                insert(Document).returning(Document.id),
                [
                    {"sha256": f"{i:064x}", "source_path": f"/inbox/{i}.pdf", "filename": f"{i}.pdf", "size_bytes": 1,
                     "status": "processed", "source_metadata": {}, "stage_versions": {}}
                    for i in range(args.documents)
                ],
            ).all()
            rows = []
            for number, document_id in enumerate(ids):
                row = {"document_id": document_id, "model_version": model_dir.name, "probabilities": {},
                       "run_id": run_id if number < args.run_documents else None}
                for target in taxonomy.targets:
                    row[target.name] = rng.choice(target.labels)
                    row[f"{target.name}_confidence"] = rng.uniform(0.4, 1.0)
                rows.append(row)
            session.execute(insert(Classification), rows)
            reviews = []
            for row in rows[: args.reviews]:
                labels = {t.name: row[t.name] for t in taxonomy.targets}
                after = {t: (rng.choice(taxonomy.target(t).labels) if rng.random() < 0.1 else v) for t, v in labels.items()}
                reviews.append({
                    "document_id": row["document_id"], "reviewer": "bench", "decision": "accept",
                    "reason": AUDIT_REASON if rng.random() < 0.5 else "classify: low confidence",
                    "labels_before": labels, "labels_after": after, "fields_before": {}, "fields_after": {}, "note": "",
                    "model_versions": {"classify": model_dir.name},
                    "confidences_before": {"labels": {t: row[f"{t}_confidence"] for t in labels}, "fields": {}},
                })
            session.execute(insert(Review), [{**r, "audit_sample": r["reason"] == AUDIT_REASON} for r in reviews])
        scratch = settings.model_copy(update={"database_url": url, "classifier_model": str(model_dir)})
        seconds = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            report = model_health(scratch, run_id, model_dir.name)
            seconds.append(time.perf_counter() - started)
        print(
            f"model {model_dir.name}: {args.documents} classifications in 7 days, {args.reviews} reviews, "
            f"a run of {args.run_documents}: report in {statistics.median(seconds):.2f} s (median of {args.repeat}); "
            f"{len(report.accuracy)} accuracy rows, {len(report.warnings())} drift warning(s)"
        )


if __name__ == "__main__":
    main()
