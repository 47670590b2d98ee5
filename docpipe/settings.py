"""All configuration of docpipe, read from ``DOCPIPE_*`` environment variables.

One settings object for the whole product, so an operator has a single place to look:
every field below is documented with what it changes, and its env variable is the
field name upper-cased behind the ``DOCPIPE_`` prefix (``ocr_dpi`` -> ``DOCPIPE_OCR_DPI``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
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
        300, description="Resolution scanned PDF pages are rendered at before OCR."
    )
    ocr_psm: int = Field(
        4,
        description="Tesseract page segmentation mode (4 = single column of variable-size "
        "text, the best on receipts by benchmarks/ocr_quality.py; 3 = fully automatic).",
    )
    ocr_preprocess: str = Field(
        "upscale",
        description="Comma-separated image preprocessing before OCR, applied in order: "
        "'grayscale', 'upscale' (small scans to ~300 dpi), 'binarize' (Otsu), "
        "'deskew'. Empty for none. Chosen by benchmarks/ocr_quality.py.",
    )
    ocr_workers: int = Field(
        2, description="Pages OCR'd in parallel (one Tesseract process each)."
    )
    ocr_timeout_s: int = Field(120, description="Tesseract time limit per page.")

    # --- pipeline -----------------------------------------------------------------
    stages: list[str] = Field(
        default_factory=list,
        description="Stages run after text extraction, in order, as a JSON list "
        '(e.g. \'["classify", "extract"]\'); names from docpipe.stages.STAGE_FACTORIES.',
    )
    task_retries: int = Field(
        2, description="Retries of a stage on transient failures (database, I/O)."
    )
    task_retry_delay_s: float = Field(2.0, description="Delay between those retries.")


@lru_cache(maxsize=1)
def get_settings() -> DocpipeSettings:
    """The process-wide settings (read once; call ``get_settings.cache_clear()`` in tests)."""
    return DocpipeSettings()
