"""``docpipe train`` and ``docpipe eval classify``; heavy modules are imported by the handlers."""

from __future__ import annotations

import argparse
import json
from typing import Any

EPILOG_DATASETS = """\
DATASET is [NAME:]PATH, one of these (a plain PATH is recognised by its layout where possible):
{formats}
The labelled-file format (CSV/JSONL: text or path + doc_type/urgency/department) is in docs/classifier.md."""


def _epilog() -> str:
    from classifier.data import describe_formats

    return EPILOG_DATASETS.format(formats=describe_formats())


def cmd_train(args: argparse.Namespace) -> int:
    from classifier import store
    from docpipe.errors import CliError
    from docpipe.errors import ConfigurationError
    from docpipe.settings import get_settings
    from flows.train import train_classifier

    try:
        if args.if_missing and (configured := store.resolve(get_settings())) is not None:
            print(f"classifier model {configured.name} is there: nothing to train")
            return 0
        summary = train_classifier(
            datasets=args.dataset,
            taxonomy_path=args.taxonomy,
            epochs=args.epochs,
            synthetic_per_label=args.synthetic_per_label,
            max_length=args.max_length,
            batch_size=args.batch_size,
            seed=args.seed,
            learning_rate=args.learning_rate,
            promote=not args.no_promote,
            show_progress=not args.no_progress,
        )
    except ConfigurationError as exc:
        raise CliError(str(exc)) from exc
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    print(f"model {summary['version']} saved to {summary['path']}")
    print(f"{'promoted to default' if summary['promoted'] else 'not promoted'}: {summary['reason']}")
    print(
        f"{summary['train_examples']} training / {summary['validation_examples']} validation examples, {summary['seconds']} s"
    )
    for target, values in summary["validation"].items():
        print(f"  {target:<11} accuracy {values['accuracy']:.3f}  macro-F1 {values['macro_f1']:.3f}")
    print(f"model card: {summary['path']}/MODEL_CARD.md")
    return 0


def cmd_eval_classify(args: argparse.Namespace) -> int:
    from classifier.evaluate import evaluate
    from docpipe.errors import CliError
    from docpipe.errors import ConfigurationError
    from docpipe.settings import get_settings

    try:
        report = evaluate(
            get_settings(),
            args.dataset,
            model_name=args.model,
            with_baseline=not args.no_baseline,
            baseline_datasets=args.baseline_train,
        )
    except ConfigurationError as exc:
        raise CliError(str(exc)) from exc
    print(json.dumps(report.as_dict(), indent=2) if args.json else report.render(confusion=args.confusion))
    return 0


def register(commands: Any, evaluate: Any) -> None:
    """Add ``train`` to the top-level commands and ``classify`` to ``docpipe eval``."""
    train = commands.add_parser(
        "train",
        help="train a document classifier (doc_type, urgency, department)",
        description="Train a classifier model on labelled data plus generated documents; it becomes the "
        "default model only if it is not worse than the current one on the validation split.",
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    train.add_argument("--dataset", action="append", default=[], metavar="DATASET", help="labelled data (repeatable)")
    train.add_argument(
        "--taxonomy", metavar="TOML", help="taxonomy file (default: DOCPIPE_CLASSIFIER_TAXONOMY or the packaged one)"
    )
    train.add_argument("--epochs", type=int)
    train.add_argument(
        "--synthetic-per-label", type=int, metavar="N", help="generated documents per label the real data lacks (0: none)"
    )
    train.add_argument("--max-length", type=int, metavar="TOKENS")
    train.add_argument("--batch-size", type=int)
    train.add_argument("--seed", type=int)
    train.add_argument("--learning-rate", type=float, metavar="LR", help="encoder learning rate")
    train.add_argument("--no-promote", action="store_true", help="save the model but never make it the default")
    train.add_argument(
        "--if-missing",
        action="store_true",
        help="train only when the model DOCPIPE_CLASSIFIER_MODEL names (default: the current one) does not exist yet",
    )
    train.add_argument("--no-progress", action="store_true", help="no progress bar")
    train.add_argument("--json", action="store_true", help="print the summary as JSON")
    train.set_defaults(handler=cmd_train)

    classify = evaluate.add_parser(
        "classify",
        help="score a classifier model and the n-gram baseline on a labelled dataset",
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    classify.add_argument("dataset", metavar="DATASET")
    classify.add_argument("--model", help="'current' (default), a version, or a model folder")
    classify.add_argument(
        "--baseline-train",
        action="append",
        metavar="DATASET",
        help="train the baseline on these datasets instead of the model's own training rows",
    )
    classify.add_argument("--no-baseline", action="store_true")
    classify.add_argument("--confusion", action="store_true", help="also print the model's confusion matrices")
    classify.add_argument("--json", action="store_true")
    classify.set_defaults(handler=cmd_eval_classify)
