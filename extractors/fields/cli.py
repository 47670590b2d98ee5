"""``docpipe eval extract DATASET``: field extraction scored on a labelled dataset.

Registered by ``docpipe.cli``; heavy libraries load only when the command runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def register(commands: Any, evaluate: Any) -> None:
    """Add ``extract`` to the ``docpipe eval`` targets (``commands`` is unused: no top-level command)."""
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
    parser.add_argument("--backend", help="override DOCPIPE_EXTRACT_BACKEND")
    parser.add_argument("--model", help="override DOCPIPE_EXTRACT_MODEL")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write per-document results here")
    parser.add_argument("--verbose", action="store_true", help="print each document's result as it is scored")
    parser.set_defaults(handler=cmd_eval_extract)


def cmd_eval_extract(args: argparse.Namespace) -> int:
    from docpipe.errors import CliError
    from docpipe.errors import ConfigurationError
    from docpipe.settings import get_settings
    from extractors.fields.evaluate import FieldScore, evaluate, recognise

    if not args.dataset.is_dir():
        raise CliError(f"no such dataset folder: {args.dataset}")
    try:
        dataset, _root = recognise(args.dataset)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    overrides = {
        key: value for key, value in (("extract_backend", args.backend), ("extract_model", args.model)) if value
    }
    settings = get_settings().model_copy(update=overrides)
    progress = (lambda line: print(line, file=sys.stderr)) if args.verbose else (lambda _line: None)
    try:
        result = evaluate(args.dataset, settings, args.limit, args.dataset_text, progress)
    except ConfigurationError as exc:
        raise CliError(str(exc)) from exc
    text_source = "dataset transcription" if args.dataset_text else "docpipe text extraction"
    print(
        f"dataset {dataset.name} ({args.dataset}), schema for {dataset.doc_type}, text: {text_source}, "
        f"backend {settings.extract_backend}, model {settings.extract_model}, "
        + (f"cascade to {settings.extract_second_model}" if settings.extract_cascade else "no cascade")
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
            "fields": scores(result.scores),
            "first_tier_fields": scores(result.first_tier_scores),
            "tier_seconds": result.tier_seconds,
            "last_tiers": result.last_tiers,
            "extract_seconds": result.extract_seconds,
            "text_seconds": result.text_seconds,
            "documents": result.documents,
        }
        args.json.write_text(json.dumps(summary, indent=2, default=str))
    return 0
