"""``docpipe eval extract DATASET``: field extraction scored on a labelled dataset;
``docpipe train extract``: an extraction memory learned from labelled and reviewed documents.

Registered by ``cli.main``; heavy libraries load only when the command runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def register(commands: Any, evaluate: Any) -> None:
    """Add ``extract`` to the ``docpipe eval`` targets and to ``docpipe train`` (the
    classifier's command, registered before this one)."""
    train = commands.choices["train"].add_subparsers(dest="train_target", metavar="TARGET")
    memory = train.add_parser(
        "extract",
        help="learn the extraction memory (where each field stands in known layouts) from labelled and reviewed documents",
        description="Learn an extraction memory from labelled datasets, labelled files and every reviewed "
        "document; it becomes the memory the extract stage reads first (docs/extraction.md, the memory).",
    )
    memory.add_argument(
        "--dataset", action="append", default=[], type=Path, metavar="DATASET",
        help="a labelled dataset folder `docpipe eval extract` knows (repeatable)",
    )
    memory.add_argument(
        "--examples", action="append", default=[], type=Path, metavar="FILE",
        help="a JSONL or CSV file of documents and their true fields (format in docs/extraction.md; repeatable)",
    )
    memory.add_argument("--no-reviews", action="store_true", help="leave out the documents reviewed in the database")
    memory.add_argument("--json", action="store_true", help="print the summary as JSON")
    memory.set_defaults(handler=cmd_train_extract)
    parser = evaluate.add_parser(
        "extract",
        help="score field extraction on a labelled dataset (SROIE, FCC invoices, invoice2data, Kleister-NDA, CUAD)",
        description="Per-field exact match and F1 after normalisation, with docs/min. DATASET is a dataset "
        "folder (or its dev/ folder) under /work/shared/data or laid out the same way.",
    )
    parser.add_argument("dataset", type=Path, metavar="DATASET")
    parser.add_argument("--limit", type=int, help="only the first N documents (in file-name order)")
    parser.add_argument(
        "--dataset-text",
        action="store_true",
        help="use the dataset's own transcription where it has one (SROIE boxes, Kleister text_best, CUAD txt) "
        "instead of docpipe's text extraction/OCR",
    )
    parser.add_argument(
        "--memory-folds",
        type=int,
        metavar="K",
        help="warm, by K-fold cross-validation: each document is read with an extraction memory of the "
        "other folds' documents (default: cold, no memory)",
    )
    parser.add_argument(
        "--memory-only",
        action="store_true",
        help="with --memory-folds: the memory alone, no model (what it reads where it knows the layout)",
    )
    parser.add_argument("--backend", help="override DOCPIPE_EXTRACT_BACKEND")
    parser.add_argument("--model", help="override DOCPIPE_EXTRACT_MODEL")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write per-document results here")
    parser.add_argument("--verbose", action="store_true", help="print each document's result as it is scored")
    parser.set_defaults(handler=cmd_eval_extract)


def cmd_train_extract(args: argparse.Namespace) -> int:
    from docpipe.errors import CliError, ConfigurationError
    from flows.train_extraction import train_extraction_memory

    missing = [str(path) for path in [*args.dataset, *args.examples] if not path.exists()]
    if missing:
        raise CliError(f"no such dataset or file: {', '.join(missing)}")
    try:
        summary = train_extraction_memory(
            datasets=[str(path) for path in args.dataset],
            files=[str(path) for path in args.examples],
            reviews=not args.no_reviews,
        )
    except (ConfigurationError, ValueError) as exc:
        raise CliError(str(exc)) from exc
    if not summary["documents"]:
        skipped = summary["skipped"]
        raise CliError(
            "no labelled or reviewed documents to learn from" + (f" ({len(skipped)} skipped: {skipped[0]})" if skipped else "")
        )
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    print(f"extraction memory {summary['version']} saved to {summary['path']}: {summary['documents']} documents")
    for source, count in summary["sources"].items():
        print(f"  {source}: {count}")
    for line in summary["skipped"]:
        print(f"  skipped {line}")
    return 0


def cmd_eval_extract(args: argparse.Namespace) -> int:
    from docpipe.errors import CliError
    from docpipe.errors import ConfigurationError
    from docpipe.settings import get_settings
    from extractors.fields.evaluate import FieldScore, evaluate, labelled_dataset

    if not args.dataset.is_dir():
        raise CliError(f"no such dataset folder: {args.dataset}")
    try:
        dataset, _root = labelled_dataset(args.dataset)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    overrides = {
        key: value for key, value in (("extract_backend", args.backend), ("extract_model", args.model)) if value
    }
    settings = get_settings().model_copy(update=overrides)
    progress = (lambda line: print(line, file=sys.stderr)) if args.verbose else (lambda _line: None)
    try:
        result = evaluate(
            args.dataset, settings, args.limit, args.dataset_text, progress, args.memory_folds, args.memory_only
        )
    except ConfigurationError as exc:
        raise CliError(str(exc)) from exc
    text_source = "dataset transcription" if args.dataset_text else "docpipe text extraction"
    print(
        f"dataset {dataset.name} ({args.dataset}), schema for {dataset.doc_type}, text: {text_source}, "
        f"backend {settings.extract_backend}, model {settings.extract_model}, "
        + (f"cascade to {settings.extract_second_model}" if settings.extract_cascade else "no cascade")
        + (f", memory by {args.memory_folds}-fold cross-validation" if args.memory_folds else ", no memory")
        + (" alone (no model)" if args.memory_only else "")
        + (", no worked examples" if args.memory_folds and not args.memory_only and not settings.extract_memory_examples else "")
    )
    print(result.table())
    if args.json:

        def scores(by_label: dict[str, FieldScore]) -> dict[str, dict[str, float]]:
            return {
                label: {"docs": s.documents, "em": s.exact_match, "p": s.precision, "r": s.recall, "f1": s.f1}
                for label, s in by_label.items()
            }

        summary = {
            "dataset": dataset.name,
            "memory_folds": args.memory_folds,
            "fields": scores(result.scores),
            "first_tier_fields": scores(result.first_tier_scores),
            "tier_seconds": result.tier_seconds,
            "last_tiers": result.last_tiers,
            "worked_examples": result.worked_examples,
            "extract_seconds": result.extract_seconds,
            "text_seconds": result.text_seconds,
            "documents": result.documents,
        }
        args.json.write_text(json.dumps(summary, indent=2, default=str))
    return 0
