"""Classification speed: milliseconds per document, as the classify stage runs it.

Threads: as in production, ``DOCPIPE_CLASSIFIER_THREADS`` (capped by ``OMP_THREAD_LIMIT``
where the operator sets one).

The stage classifies one document per call, so the figure that matters is the latency of
``ClassifierModel.predict([text])`` on a single document, as the classify stage calls it (tokenising included); the batch
throughput (what ``docpipe eval`` and re-classification use) is printed beside it. Both
run with float32 and with bfloat16 autocast (``DOCPIPE_CLASSIFIER_BF16``), on
``DOCPIPE_CLASSIFIER_THREADS`` threads. Documents are the generated ones (a mix of every
kind, full length) unless ``--dataset`` names real ones.

Run: ``python -m benchmarks.classify_speed [--model current|VERSION|PATH] [--docs 60] [--dataset SPEC]``.
The target (issue): under 50 ms per document on 2 CPU cores.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="'current' (default), a version, or a model folder")
    parser.add_argument("--docs", type=int, default=60, help="documents to time (default 60)")
    parser.add_argument("--dataset", help="[NAME:]PATH of real documents to time instead of generated ones")
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args()

    import torch

    from classifier import store
    from classifier.data import load_dataset
    from classifier.model import ClassifierModel, set_threads
    from classifier.synthetic import generate
    from classifier.taxonomy import Taxonomy
    from docpipe.settings import get_settings

    settings = get_settings()
    model_dir = store.resolve(settings, args.model)
    if model_dir is None:
        raise SystemExit("no classifier model: train one with `docpipe train`")
    set_threads(settings.classifier_threads)
    if args.dataset:
        texts = [ex.text for ex in load_dataset(args.dataset, settings)][: args.docs]
    else:
        texts = [ex.text for ex in generate(Taxonomy.load(model_dir / "taxonomy.toml"), 10, seed=2024)]
        texts = texts[:: max(1, len(texts) // args.docs)][: args.docs]
    started = time.perf_counter()
    model = ClassifierModel.load(model_dir)
    load_seconds = time.perf_counter() - started
    print(
        f"model {model.version}: loaded in {load_seconds:.2f} s; {len(texts)} documents; "
        f"{torch.get_num_threads()} torch thread(s); max_length {model.max_length}"
    )
    print(
        f"median document {statistics.median(len(t) for t in texts):.0f} chars, "
        f"{statistics.median(len(model.encoder.ids(t)) for t in texts):.0f} tokens after truncation"
    )

    import numpy as np

    model.bf16 = False
    exact = model.probabilities(texts)
    model.bf16 = True
    fast = model.probabilities(texts)
    gap = max(float(np.abs(exact[name] - fast[name]).max()) for name in exact)
    agree = np.mean([(exact[name].argmax(1) == fast[name].argmax(1)).mean() for name in exact])
    print(f"bf16 vs fp32: largest probability difference {gap:.4f}; same top label {agree:.1%}")
    print(f"{'precision':<10} {'single mean ms':>15} {'p50 ms':>8} {'p95 ms':>8} {'batch ms/doc':>13}")
    for bf16 in (False, True):
        model.bf16 = bf16
        model.predict(texts[:4])  # warm-up (first calls allocate)
        latencies = []
        for text in texts:
            tick = time.perf_counter()
            model.predict([text])
            latencies.append((time.perf_counter() - tick) * 1000)
        tick = time.perf_counter()
        model.predict(texts, batch_size=args.batch_size)
        batch = (time.perf_counter() - tick) * 1000 / len(texts)
        latencies.sort()
        p95 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))]
        print(
            f"{'bf16' if bf16 else 'fp32':<10} {statistics.mean(latencies):>15.1f} "
            f"{statistics.median(latencies):>8.1f} {p95:>8.1f} {batch:>13.1f}"
        )


if __name__ == "__main__":
    main()
