"""The ``train-extraction-memory`` flow: labelled and reviewed documents in, a versioned
extraction memory out (``extractors.fields.memory``).

The flow only orchestrates (tasks, progress in the log, an artifact); gathering the
documents and learning their anchors are plain functions of
``extractors.fields.memory_examples`` and ``extractors.fields.memory``, and the reviewed
documents come from ``db.reviews``. Run it with ``docpipe train extract``.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from db.reviews import corrected_fields
from docpipe.settings import get_settings
from extractors.fields.memory import ExtractionMemory, build_memory, save_memory
from extractors.fields.memory_examples import Gathered, from_dataset, from_file, from_reviews


@task(name="read-labelled-dataset", cache_policy=NO_CACHE)
def dataset_task(path: str) -> Gathered:
    logger = get_run_logger()
    done = [0]

    def progress(key: str) -> None:
        done[0] += 1
        if done[0] % 10 == 0:
            logger.info("%s: %d documents read", path, done[0])

    return from_dataset(Path(path), get_settings(), progress)


@task(name="read-labelled-file", cache_policy=NO_CACHE)
def file_task(path: str) -> Gathered:
    return from_file(Path(path), get_settings())


@task(name="read-reviewed-documents", cache_policy=NO_CACHE)
def reviews_task() -> Gathered:
    return from_reviews(corrected_fields(get_settings().database_url))


@task(name="save-extraction-memory", cache_policy=NO_CACHE)
def save_task(memory: ExtractionMemory) -> Path:
    return save_memory(get_settings(), memory)


def _artifact(memory: ExtractionMemory, sources: dict[str, int], skipped: list[str]) -> str:
    types = Counter(document.doc_type for document in memory.documents)
    anchors: Counter[tuple[str, str]] = Counter()
    fields: Counter[str] = Counter()
    for document in memory.documents:
        for name in {anchor.field for anchor in document.anchors}:
            fields[name] += 1
        for anchor in {(a.field, a.how) for a in document.anchors}:
            anchors[anchor] += 1
    lines = [
        f"# Extraction memory {memory.version}",
        "",
        f"{len(memory.documents)} documents: " + ", ".join(f"{count} {doc_type}" for doc_type, count in sorted(types.items())),
        "",
        "| source | documents |",
        "|---|---:|",
        *(f"| {source} | {count} |" for source, count in sources.items()),
        "",
        "| field | documents with an anchor | right of a label | below a label | constant |",
        "|---|---:|---:|---:|---:|",
        *(
            f"| {name} | {count} | {anchors[name, 'right']} | {anchors[name, 'below']} | {anchors[name, 'constant']} |"
            for name, count in sorted(fields.items())
        ),
    ]
    if skipped:
        lines += ["", f"## Skipped ({len(skipped)})", "", *(f"- {line}" for line in skipped)]
    return "\n".join(lines) + "\n"


@flow(name="train-extraction-memory")
def train_extraction_memory(
    datasets: list[str] | None = None, files: list[str] | None = None, reviews: bool = True
) -> dict[str, Any]:
    """Learn an extraction memory from labelled datasets, labelled files (JSONL/CSV) and,
    unless ``reviews`` is false, every reviewed document; it becomes the current memory."""
    settings = get_settings()
    logger = get_run_logger()
    gathered: dict[str, Gathered] = {}
    for path in datasets or []:
        gathered[path] = dataset_task(path)
    for path in files or []:
        gathered[path] = file_task(path)
    if reviews:
        gathered["reviewed documents"] = reviews_task()
    documents = [document for part in gathered.values() for document in part.documents]
    skipped = [line for part in gathered.values() for line in part.skipped]
    for line in skipped:
        logger.warning("skipped %s", line)
    sources = {source: len(part.documents) for source, part in gathered.items()}
    if not documents:
        # A scheduled run before anyone reviewed an invoice: nothing to learn yet, not a failure.
        logger.warning("no labelled or reviewed documents to learn from; the memory is unchanged")
        return {"version": None, "path": None, "documents": 0, "sources": sources, "skipped": skipped, "anchors": 0}
    memory = build_memory(documents, settings.extract_memory_min_similarity)
    path = save_task(memory)
    create_markdown_artifact(
        key="extraction-memory", markdown=_artifact(memory, sources, skipped), description=f"extraction memory {memory.version}"
    )
    logger.info("extraction memory %s: %d documents, saved to %s", memory.version, len(documents), path)
    return {
        "version": memory.version,
        "path": str(path),
        "documents": len(documents),
        "sources": sources,
        "skipped": skipped,
        "anchors": sum(len(document.anchors) for document in documents),
    }
