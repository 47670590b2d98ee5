"""All configuration of docpipe, read from ``DOCPIPE_*`` environment variables.

One settings object for the whole product, so an operator has a single place to look:
every field below is documented with what it changes, and its env variable is the
field name upper-cased behind the ``DOCPIPE_`` prefix (``ocr_dpi`` -> ``DOCPIPE_OCR_DPI``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class DocpipeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DOCPIPE_", extra="ignore")

    database_url: str = Field(
        "postgresql+psycopg://docpipe@127.0.0.1:54329/docpipe",
        description="SQLAlchemy URL of the Postgres database results are written to. "
        "The default is the project-local cluster that scripts/bootstrap.sh starts.",
    )
    data_dir: Path = Field(
        PROJECT_ROOT / ".data",
        description="Where local state lives (Postgres cluster, trained models).",
    )

    # --- ingest -------------------------------------------------------------------
    max_file_bytes: int = Field(
        200 * 1024 * 1024, description="Files larger than this are rejected as failed."
    )
    max_image_pixels: int = Field(
        120_000_000,
        description="Images (or image pages) with more pixels than this are rejected as "
        "decompression bombs instead of being decoded.",
    )
    max_pages: int = Field(500, description="Documents with more pages are rejected.")

    # --- text ---------------------------------------------------------------------
    min_text_layer_chars: int = Field(
        20,
        description="A PDF page whose text layer has fewer non-space characters than this "
        "is treated as a scan and sent to OCR.",
    )
    ocr_languages: str = Field("eng", description="Tesseract language codes, '+'-joined.")
    ocr_dpi: int = Field(
        300,
        description="Resolution scanned PDF pages are rendered at before OCR (150 and 200 "
        "lose small print on full pages; 400 reads no better and hurts receipt scans; "
        "see docs/ocr.md).",
    )
    ocr_psm: int = Field(
        6,
        description="Tesseract page segmentation mode. 6 (one uniform block) keeps each "
        "printed row together and reads receipt dates and totals best; 3 (fully automatic) "
        "splits rows into small blocks. Chosen by benchmarks/ocr_quality.py (docs/ocr.md).",
    )
    ocr_preprocess: str = Field(
        "grayscale,downscale,deskew",
        description="Comma-separated image preprocessing before OCR, applied in order: "
        "'grayscale', 'downscale' (pages wider than 3000 px to ~300 dpi), 'normalize' "
        "(local contrast stretch for faded print), 'deskew', 'upscale' (small scans to "
        "1800 px wide), 'binarize' (global Otsu). Empty for none. Chosen by "
        "benchmarks/ocr_quality.py (docs/ocr.md).",
    )
    ocr_faded_retry_words: int = Field(
        20,
        description="A page image where OCR finds fewer legible words than this (two or more "
        "letters or digits read with confidence 60 or more) is read again with 'normalize' "
        "added, and the reading with more legible words is kept: faded print under a black "
        "header, which Tesseract's global threshold drops (docs/ocr.md). 0 turns it off.",
    )
    ocr_second_reading: bool = Field(
        True,
        description="Read each line Tesseract found a second time with PP-OCRv5's line "
        "recognizer and take its characters where the two differ (extractors/line_reading.py, "
        "docs/ocr.md): shop names and addresses on receipts. About 1.5 s per receipt.",
    )
    ocr_workers: int = Field(
        2, description="Pages OCR'd in parallel (one Tesseract process each)."
    )
    ocr_timeout_s: int = Field(120, description="Tesseract time limit per page.")

    # --- inbox --------------------------------------------------------------------
    processed_dir: str = Field(
        "processed",
        description="Where a batch run with moving on (the inbox deployment, `docpipe process "
        "--move`) puts files that were processed or sent to review, under a dated folder; "
        "relative to the folder being processed unless absolute. Files are never deleted.",
    )
    failed_dir: str = Field(
        "failed", description="Like processed_dir, for files that failed (the reason is in the database)."
    )
    inbox_settle_s: float = Field(
        30.0,
        description="With moving on, files modified less than this many seconds before the batch "
        "starts are left for the next run: they may still be being written.",
    )

    # --- pipeline -----------------------------------------------------------------
    stages: list[str] = Field(
        default_factory=lambda: ["classify", "extract"],
        description="Stages run after text extraction, in order, as a JSON list "
        '(e.g. \'["classify", "extract"]\'); names from pipeline.stage_registry.STAGE_FACTORIES.',
    )
    workers: int = Field(
        1,
        ge=1,
        description="Documents processed at once on this machine (`docpipe process --workers N`): "
        "1 processes them one after another in the flow's own process; N > 1 starts a local Dask "
        "cluster of N single-threaded worker processes, each loading the models once (docs/operations.md).",
    )
    dask_address: str | None = Field(
        None,
        description="Address of a running Dask scheduler (tcp://HOST:8786) whose workers process "
        "the documents; overrides DOCPIPE_WORKERS. Workers run from this project's venv and see "
        "the input files at the same paths (docs/operations.md, 'Scaling out').",
    )
    dask_connect_timeout_s: float = Field(
        10, description="How long to try to reach DOCPIPE_DASK_ADDRESS before the batch ends with an error."
    )
    task_retries: int = Field(
        2, description="Retries of a stage on transient failures (database, I/O)."
    )
    task_retry_delay_s: float = Field(2.0, description="Delay between those retries.")
    run_stale_after_s: float = Field(
        600,
        description="A run still 'running' whose process has not beaten for this long was killed "
        "outright (SIGKILL, the OOM killer, power loss): the next run records it as crashed. "
        "Keep it above DOCPIPE_DATABASE_WAIT_S, so a run waiting out an outage is not taken for dead.",
    )
    database_wait_s: float = Field(
        300,
        description="How long a batch waits for the database when it stops answering (a restart, "
        "an outage), retrying every 1 s, then 2, 4 ... up to 30 s, before the run ends with a "
        "one-line error. The file in hand is taken up again once the database answers.",
    )

    # --- field extraction (stage "extract", docs/extraction.md) ------------------------
    extract_backend: str = Field(
        "llamacpp",
        description="Language-model runtime filling the schemas: 'llamacpp' (GGUF files), "
        "'transformers' (a Hugging Face model directory or a GGUF file) or 'openai' (a model "
        "served on the organisation's network by an OpenAI-compatible server: llama.cpp's server, "
        "Ollama, vLLM; DOCPIPE_EXTRACT_MODEL is then the name it serves); see "
        "extractors.fields.backends.BACKENDS.",
    )
    extract_endpoint_url: str | None = Field(
        None,
        description="The 'openai' backend's base URL, up to /v1 (e.g. http://llm.internal:8080/v1).",
    )
    extract_endpoint_timeout_s: float = Field(
        120.0, gt=0, description="The 'openai' backend: seconds to wait for one document's answer."
    )
    extract_endpoint_response_format: Literal["json_schema", "json_object"] = Field(
        "json_schema",
        description="How the 'openai' backend sends the schema: 'json_schema' (OpenAI structured "
        "outputs: llama.cpp's server, vLLM, Ollama) or 'json_object' with a 'schema' key "
        "(llama-cpp-python's server).",
    )
    extract_endpoint_api_key: SecretStr | None = Field(
        None, description="The 'openai' backend: a bearer token, when the server asks for one."
    )
    extract_model: str = Field(
        "qwen2.5-coder-0.5b",
        description="Built-in model name ('qwen2.5-coder-0.5b', 'smollm2-135m') or the path of an "
        "organisation's own approved model (GGUF file or Hugging Face directory).",
    )
    extract_model_sha256: str | None = Field(
        None,
        description="When set, the model's sha256 must equal this (pins an approved custom model).",
    )
    extract_threads: int = Field(
        2, description="CPU threads the model uses (one per core; 1 per worker when running two workers)."
    )
    extract_context_tokens: int = Field(
        4096, description="Model context window: instructions + document excerpt + the JSON answer."
    )
    extract_lookup_tokens: int = Field(
        6,
        ge=0,
        description="llamacpp backend: tokens drafted per step from earlier text (prompt lookup, "
        "verified by the model; extractors/fields/decoding.py); 0 drafts only the forced JSON tokens.",
    )
    extract_max_input_chars: int = Field(
        5000,
        description="Characters of document text sent to the model (a run of spaces counts as one); "
        "longer documents are cut to their start plus the passages that mention the schema's key terms.",
    )
    extract_layout: bool = Field(
        True,
        description="The model reads each page as laid out (printed rows on one line, columns kept "
        "apart by spacing, from the words' positions) instead of in reading order; grounding and "
        "classification use the reading-order text either way (docs/extraction.md).",
    )
    extract_cascade: bool = Field(
        True,
        description="A document whose required fields the first model leaves missing, ungrounded "
        "or breaking a rule is read again by the second tier before it goes to review "
        "(docs/extraction.md, the cascade); false: one model, then review.",
    )
    extract_second_backend: str | None = Field(
        None,
        description="The second tier's runtime (as DOCPIPE_EXTRACT_BACKEND: 'llamacpp', "
        "'transformers', 'openai'); empty: the first tier's.",
    )
    extract_second_model: str = Field(
        "qwen2.5-coder-1.5b",
        description="The second tier's model: a built-in name, a path, or the name an endpoint "
        "serves (backend 'openai', at DOCPIPE_EXTRACT_ENDPOINT_URL).",
    )
    extract_second_model_sha256: str | None = Field(
        None, description="When set, the second tier's model sha256 must equal this."
    )
    extract_second_tier_first: list[str] = Field(
        default_factory=lambda: ["contract"],
        description="Schemas read by the second tier from the start (JSON list of schema names: "
        "invoice, contract, ticket): long documents where the larger model pays for itself.",
    )
    extract_memory: str = Field(
        "current",
        description="The extraction memory read before the models (docs/extraction.md, the memory): "
        "'current' (the last `docpipe train extract`; none until one is trained), a version name "
        "under data_dir/models/extraction-memory, a folder, or 'none'.",
    )
    extract_memory_examples: bool = Field(
        False,
        description="When the memory knows the layout but cannot answer alone, the models read the "
        "document after the most similar remembered one with its true values, as a worked example "
        "(docs/extraction.md, the memory). Off until measured warm on the dev sets: it lengthens "
        "every such prompt.",
    )
    extract_memory_min_similarity: float = Field(
        0.2,
        ge=0.0,
        le=1.0,
        description="How alike a document's printed words must be to a remembered document's "
        "(weighted Jaccard, 0-1) for the memory to read it by that document's anchors.",
    )
    extract_max_output_tokens: int = Field(
        1024,
        description="Cap on generated tokens per document: above the longest answer the bounded "
        "schemas allow for typical text, so it only stops a looping model (document -> review).",
    )

    # --- classification (classifier/, docs/classifier.md) ---------------------------
    classifier_model: str = Field(
        "current",
        description="Classifier model the 'classify' stage uses: 'current' (the last promoted "
        "model under data_dir/models/classifier), a version name there, or a model folder path.",
    )
    classifier_taxonomy: Path | None = Field(
        None,
        description="Taxonomy file (TOML) new models are trained with; empty for the packaged "
        "classifier/taxonomy.toml. A trained model keeps its own copy.",
    )
    classifier_review_threshold: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="A document any of whose calibrated top probabilities (doc_type, urgency, "
        "department) is under this is marked needs_review instead of silently accepted.",
    )
    classifier_unextracted_threshold: float = Field(
        0.8,
        ge=0.0,
        le=1.0,
        description="A document classified as a type that gets no field extraction (`other`) is "
        "accepted only when that doc_type probability is at least this; otherwise it goes to review "
        "naming the runner-up type, so no contract or invoice is left unread unseen.",
    )
    classifier_training_data: list[str] = Field(
        default_factory=list,
        description="Labelled data every training run adds (the default model's too), as a JSON "
        "list of [NAME:]PATH (CSV/JSONL in the format of docs/classifier.md, or a dataset folder).",
    )
    classifier_threads: int = Field(
        2,
        ge=1,
        description="CPU threads torch uses for classification and training, capped by "
        "OMP_THREAD_LIMIT where the operator sets one (see classifier.model.set_threads).",
    )
    classifier_bf16: bool = Field(
        True,
        description="Classify with bfloat16 autocast on CPU (about 2x faster on CPUs with "
        "AMX/AVX-512 bf16; small probability differences from float32, measured by "
        "benchmarks/classify_speed.py).",
    )

    # --- watching the models (docpipe/health.py, docs/operations.md) ---------------------
    audit_rate: float = Field(
        0.02,
        ge=0.0,
        le=1.0,
        description="Share of the documents that would be accepted automatically that go to review "
        "anyway, as audit samples (reason 'audit sample'): the unbiased estimate of each model's "
        "accuracy in the model_accuracy view. 0 turns audits off.",
    )
    audit_seed: int = Field(
        0,
        description="Seed of the audit draw: a document is drawn or not by a hash of this and its "
        "content, so the same documents are drawn again on a rerun; another seed draws others.",
    )
    drift_threshold: float = Field(
        0.25,
        gt=0.0,
        description="Population stability index of a target's predicted labels or confidences "
        "against the model's validation rows above which a run logs a drift warning (0.1 is a "
        "change worth watching, 0.25 a large shift).",
    )
    drift_min_documents: int = Field(
        30,
        ge=1,
        description="Fewest documents of a model in a run (or in the last 7 days) for a drift "
        "comparison: below it the index of a handful of documents is noise.",
    )

    runtime_cpu_flags: str | None = Field(
        None,
        description="Build the model runtime (llama.cpp) for these CPU flags instead of this "
        "machine's, as /proc/cpuinfo spells them (space-separated): one environment for servers "
        "of different CPUs, given the flags of the oldest. Read by scripts/bootstrap.sh through "
        "docpipe/cpu.py; the runtime is always checked against the CPU it runs on.",
    )

    # --- Prefect server (docpipe server start; scripts/bootstrap.sh starts it) ----------
    prefect_host: str = Field(
        "127.0.0.1",
        description="Address the local Prefect server (API and UI) listens on. The UI shows "
        "document text: any address other than loopback requires PREFECT_SERVER_API_AUTH_STRING.",
    )
    prefect_port: int = Field(4200, description="Port of the local Prefect server.")
    prefect_database: str = Field(
        "prefect",
        description="Database of the Prefect server, on the Postgres server of DOCPIPE_DATABASE_URL "
        "(created when missing); the workers of one installation share it.",
    )
    prefect_start_timeout_s: float = Field(
        300,
        description="How long to wait for the Prefect server (or Prefect's temporary in-process "
        "API, when no server is configured) to answer; a busy machine needs more than Prefect's 20 s.",
    )


@lru_cache(maxsize=1)
def get_settings() -> DocpipeSettings:
    """The process-wide settings (read once; call ``get_settings.cache_clear()`` in tests)."""
    return DocpipeSettings()
