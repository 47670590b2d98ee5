"""Routing on every shared dev set: which doc_type a model gives the documents of each set.

    python -m benchmarks.routing /work/shared/data [--model current|VERSION|PATH]

The doc type decides a document's schema, required fields and review rules, so a model
is measured on the doc type of every set (each labelled by its dataset: SROIE scans are
receipts, FCC and invoice2data PDFs invoices, CUAD and Kleister contracts, the helpdesk
sets tickets) and on the doc-type set. Per set: accuracy, receipts taken for invoices and
back, documents called ``other`` and how many of those the classify stage would send to
review (under ``DOCPIPE_CLASSIFIER_UNEXTRACTED_THRESHOLD``), and the time per document.
Text comes from the product's own text step (OCR included, cached by content hash).
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

from classifier import store
from classifier.data import load_dataset
from classifier.model import ClassifierModel, set_threads
from docpipe.settings import get_settings
from schemas.registry import schema_for

DEV_SETS = (
    ("doc-type set", "labelled:doctype-composite/dev"),
    ("SROIE receipts", "sroie:sroie2019-receipts/dev"),
    ("FCC invoices", "invoices:fcc-political-ad-invoices/dev"),
    ("invoice2data", "invoices:invoice2data-invoices/dev"),
    ("CUAD contracts", "cuad:cuad-contracts/dev"),
    ("Kleister NDAs", "kleister-nda:kleister-nda/dev"),
    ("Endava tickets", "endava:endava-it-tickets/dev"),
    ("Bueck v5 tickets", "bueck:helpdesk-tickets-bueck-v5/dev.csv"),
    ("Bueck v1 tickets", "bueck:helpdesk-tickets-bueck-synthetic/dev"),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_root", type=Path)
    parser.add_argument("--model", default="current")
    args = parser.parse_args(argv)
    settings = get_settings()
    directory = store.resolve(settings, args.model)
    if directory is None:
        parser.error("no classifier model: run `docpipe train` first")
    set_threads(settings.classifier_threads)
    model = ClassifierModel.load(directory, bf16=settings.classifier_bf16)
    threshold = settings.classifier_unextracted_threshold
    print(f"model {model.version}; `other` accepted at doc_type probability >= {threshold:g}\n")
    print("| set | documents | doc_type accuracy | receipt -> invoice | invoice -> receipt | called `other` "
          "| `other` sent to review | ms/doc |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    totals: Counter[str] = Counter()
    for name, spec in DEV_SETS:
        adapter, _, relative = spec.partition(":")
        path = args.data_root / relative
        if not path.exists():
            print(f"| {name} | not found: {path} | | | | | | |")
            continue
        examples = [ex for ex in load_dataset(f"{adapter}:{path}", settings) if "doc_type" in ex.labels]
        started = time.perf_counter()
        predictions = model.predict([ex.text for ex in examples])
        per_document_ms = (time.perf_counter() - started) * 1000 / max(1, len(examples))
        counts: Counter[str] = Counter()
        for example, labels in zip(examples, predictions):
            gold, predicted = example.labels["doc_type"], labels.labels["doc_type"]
            counts["right"] += gold == predicted
            counts["receipt->invoice"] += (gold, predicted) == ("receipt", "invoice")
            counts["invoice->receipt"] += (gold, predicted) == ("invoice", "receipt")
            if schema_for(predicted) is None:
                counts["unextracted"] += 1
                counts["unextracted reviewed"] += labels.confidences["doc_type"] < threshold
        totals.update(counts)
        totals["documents"] += len(examples)
        print(f"| {name} | {len(examples)} | {counts['right'] / max(1, len(examples)):.3f} | "
              f"{counts['receipt->invoice']} | {counts['invoice->receipt']} | {counts['unextracted']} | "
              f"{counts['unextracted reviewed']} | {per_document_ms:.1f} |")
    print(f"| all | {totals['documents']} | {totals['right'] / max(1, totals['documents']):.3f} | "
          f"{totals['receipt->invoice']} | {totals['invoice->receipt']} | {totals['unextracted']} | "
          f"{totals['unextracted reviewed']} | |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
