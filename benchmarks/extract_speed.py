"""Field-extraction speed: where the seconds of a document go, and docs/min on a folder.

Default mode, no database: every file of the folder goes through text extraction
(``extractors.read_text``, OCR for scans) and field extraction through the cascade
(``extractors.fields.cascade``: the first model, the second for documents failing the
checks; DOCPIPE_EXTRACT_CASCADE=false for the first alone) with the schema of
``--doc-type``. Printed per document: seconds per stage and per tier, the first tier's
prompt tokens (and how many were reused from the cached instruction prefix), generated
tokens, prompt-evaluation and generation seconds; then medians, the share of documents each
tier ended on, tokens/s, the one-off costs (model load, constraint build) and docs/min. ``--workers 2`` runs two processes with one
thread each (throughput) instead of one process with ``extract_threads`` (latency).

``--pipeline`` instead runs the real ``process-documents`` flow (Prefect, Postgres, the
stages in ``DOCPIPE_STAGES``, e.g. ``["classify", "extract"]``) on the folder and prints the
seconds per document per stage recorded in ``run_documents`` and docs/min for the run.

Run: ``python -m benchmarks.extract_speed FOLDER --doc-type invoice [--limit N] [--workers 2]``
or ``python -m benchmarks.extract_speed FOLDER --pipeline``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from docpipe.errors import InputError  # noqa: E402
from pipeline.files import discover_files  # noqa: E402
from docpipe.settings import DocpipeSettings  # noqa: E402


@dataclass
class DocumentTiming:
    name: str
    text_s: float
    extract_s: float
    prompt_tokens: int
    reused_tokens: int
    generated_tokens: int
    passes: int | None
    """Forward passes generation took (llamacpp: drafts batch several tokens per pass)."""
    prompt_s: float
    generate_s: float
    review: bool
    tier_s: dict[int, float]
    """Seconds each tier of the cascade spent on it."""
    last_tier: int


@dataclass
class WorkerReport:
    load_s: float
    constraint_s: float
    documents: list[DocumentTiming]
    failures: list[str]


def run_worker(paths: list[Path], doc_type: str, settings: DocpipeSettings) -> WorkerReport:
    from extractors import read_text
    from extractors.fields.backends import load_backend
    from extractors.fields.cascade import ExtractionCascade
    from extractors.fields.model_files import resolve_model
    from schemas.registry import schema_for

    entry = schema_for(doc_type)
    assert entry is not None, f"no schema for {doc_type}"
    started = time.perf_counter()
    backend = load_backend(settings, resolve_model(settings))
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    backend.prepare(entry.schema.draft)
    constraint_s = time.perf_counter() - started
    # The first tier in this process (its timings are the stage's); the second starts as in
    # production, in a supervised child, when a document first needs it.
    cascade = ExtractionCascade.from_settings(settings, first=backend)
    report = WorkerReport(load_s, constraint_s, [], [])
    for path in paths:
        started = time.perf_counter()
        try:
            read = read_text(path.read_bytes(), settings)
        except InputError as exc:
            report.failures.append(f"{path.name}: {exc}")
            continue
        text_s = time.perf_counter() - started
        text = read.text
        started = time.perf_counter()
        outcome = cascade.extract(entry, text, read.layout_text)
        # The token columns are the first tier's, or the first that answered.
        generation = next((attempt.generation for attempt in outcome.attempts if attempt.generation), None)
        if generation is None:
            report.failures.append(f"{path.name}: {'; '.join(outcome.review_reasons)}")
            continue
        report.documents.append(
            DocumentTiming(
                path.name,
                text_s,
                time.perf_counter() - started,
                generation.prompt_tokens,
                generation.reused_prompt_tokens,
                generation.generated_tokens,
                generation.forward_passes,
                generation.prompt_seconds,
                generation.generate_seconds,
                bool(outcome.review_reasons),
                {attempt.tier: attempt.seconds for attempt in outcome.attempts},
                outcome.tier,
            )
        )
    return report


def _print_stage_report(reports: list[WorkerReport], wall_s: float, workers: int, threads: int) -> None:
    documents = [document for report in reports for document in report.documents]
    print(f"{'document':<44} {'text s':>7} {'extract s':>9} {'tier1 s':>7} {'tier2 s':>7} {'prompt tok':>10} {'reused':>6} "
          f"{'gen tok':>7} {'passes':>6} {'prompt s':>8} {'gen s':>6} review")
    for d in documents:
        tier2 = f"{d.tier_s[2]:>7.2f}" if 2 in d.tier_s else f"{'-':>7}"
        print(f"{d.name[:44]:<44} {d.text_s:>7.2f} {d.extract_s:>9.2f} {d.tier_s.get(1, 0.0):>7.2f} {tier2} "
              f"{d.prompt_tokens:>10} {d.reused_tokens:>6} "
              f"{d.generated_tokens:>7} {d.passes if d.passes is not None else '-':>6} {d.prompt_s:>8.2f} {d.generate_s:>6.2f} {'yes' if d.review else 'no'}")
    for report in reports:
        for failure in report.failures:
            print(f"FAILED {failure}")
    if not documents:
        return
    median = statistics.median
    evaluated = sum(d.prompt_tokens - d.reused_tokens for d in documents)
    tiers = sorted({tier for d in documents for tier in d.tier_s})
    print(
        f"\n{len(documents)} docs, {workers} worker(s) x {threads} thread(s)\n"
        + "".join(
            f"tier {tier}: read {sum(tier in d.tier_s for d in documents)} docs (median "
            f"{median(d.tier_s[tier] for d in documents if tier in d.tier_s):.2f} s), last tier of "
            f"{sum(d.last_tier == tier for d in documents)}/{len(documents)}\n"
            for tier in tiers
        )
        + f"median s/doc: text {median(d.text_s for d in documents):.2f}, extract through the cascade "
        f"{median(d.extract_s for d in documents):.2f}, first tier alone {median(d.tier_s.get(1, 0.0) for d in documents):.2f} "
        f"(prompt {median(d.prompt_s for d in documents):.2f} + generation {median(d.generate_s for d in documents):.2f})\n"
        f"median tokens/doc: prompt {median(d.prompt_tokens for d in documents):.0f} "
        f"(reused {median(d.reused_tokens for d in documents):.0f}), generated {median(d.generated_tokens for d in documents):.0f}"
        + (f" in {median(d.passes for d in documents):.0f} passes" if all(d.passes for d in documents) else "")
        + "\n"
        f"speed: prompt {evaluated / max(sum(d.prompt_s for d in documents), 1e-9):.0f} tok/s evaluated, "
        f"generation {sum(d.generated_tokens for d in documents) / max(sum(d.generate_s for d in documents), 1e-9):.1f} tok/s\n"
        f"one-off per process: model load {max(r.load_s for r in reports):.1f} s, "
        f"constraint build {max(r.constraint_s for r in reports):.2f} s\n"
        f"docs/min (text + extraction, wall clock incl. loading): {60 * len(documents) / wall_s:.2f}"
    )


def stage_benchmark(paths: list[Path], doc_type: str, workers: int, settings: DocpipeSettings) -> None:
    started = time.perf_counter()
    if workers == 1:
        reports = [run_worker(paths, doc_type, settings)]
        threads = settings.extract_threads
    else:
        one_thread = settings.model_copy(update={"extract_threads": 1, "ocr_workers": 1})
        shares = [paths[i::workers] for i in range(workers)]
        with ProcessPoolExecutor(workers) as pool:
            reports = list(pool.map(run_worker, shares, [doc_type] * workers, [one_thread] * workers))
        threads = 1
    _print_stage_report(reports, time.perf_counter() - started, workers, threads)


def pipeline_benchmark(folder: Path) -> None:
    from sqlalchemy import select

    from db.models import RunDocument
    from db.session import session_scope
    from docpipe.settings import get_settings
    from flows.process import process_documents

    settings = get_settings()
    started = time.perf_counter()
    summary = process_documents(paths=[str(folder.resolve())])
    wall_s = time.perf_counter() - started
    with session_scope(settings.database_url) as session:
        rows = session.scalars(select(RunDocument).where(RunDocument.run_id == summary["run_id"])).all()
    stages = sorted({stage for row in rows for stage in row.stage_seconds})
    print(f"{'document':<50} " + " ".join(f"{stage:>9}" for stage in stages) + "  status")
    for row in rows:
        print(f"{Path(row.source_path).name[:50]:<50} "
              + " ".join(f"{row.stage_seconds.get(stage, float('nan')):>9.2f}" for stage in stages) + f"  {row.status}")
    print("\nmedian s/doc: " + ", ".join(
        f"{stage} {statistics.median(row.stage_seconds[stage] for row in rows if stage in row.stage_seconds):.2f}"
        for stage in stages
    ))
    print(f"{len(rows)} documents in {wall_s:.1f} s: {60 * len(rows) / wall_s:.2f} docs/min (whole pipeline, stages {settings.stages})")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--doc-type", default="invoice", help="schema to fill: invoice, receipt, contract, ticket")
    parser.add_argument("--limit", type=int, help="first N files (in name order)")
    parser.add_argument("--workers", type=int, default=1, choices=(1, 2), help="processes (2: one thread each)")
    parser.add_argument("--pipeline", action="store_true", help="run the real flow with DOCPIPE_STAGES instead")
    args = parser.parse_args(argv)
    if args.pipeline:
        pipeline_benchmark(args.folder)
        return 0
    paths = [path for path in discover_files([args.folder]) if path.suffix.lower() not in (".json", ".csv", ".md")]
    if args.limit:
        paths = paths[: args.limit]
    if not paths:
        print(f"no documents under {args.folder}", file=sys.stderr)
        return 2
    stage_benchmark(paths, args.doc_type, args.workers, DocpipeSettings())
    return 0


if __name__ == "__main__":
    sys.exit(main())
