"""Text-extraction throughput: ``extractors.read_text`` on every file of a folder, no database.

Prints the seconds each file took (e-mail attachments are extracted too, inside their mail's
time, as the pipeline would), then pages per second for files read from a text layer, for
files that needed OCR (a file with any OCR page counts as OCR: its time is all OCR's), and
for plain-text/e-mail files, and the peak resident memory of this process and of the largest
Tesseract child. Settings come from ``DOCPIPE_*`` as in production (``ocr_workers`` pages of
one file are OCR'd at a time); files run one after another.

Run: ``python -m benchmarks.throughput FOLDER [FOLDER ...]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.scratch import Sampler
from docpipe.errors import InputError
from pipeline.files import discover_files
from docpipe.settings import DocpipeSettings
from extractors import ExtractedText, read_text


KINDS = ("text layer", "OCR", "plain/e-mail")


@dataclass
class FileTiming:
    name: str
    seconds: float
    cpu_seconds: float
    """This process and its Tesseract children: barely inflated by other jobs on the machine."""
    kind: str
    pages: int
    ocr_pages: int
    error: str | None = None


def _extract_all(content: bytes, settings: DocpipeSettings) -> list[ExtractedText]:
    """The file's own text and, recursively, its attachments' (bad attachments skipped)."""
    extracted = read_text(content, settings)
    results = [extracted]
    for attachment in extracted.attachments:
        try:
            results.extend(_extract_all(attachment.content, settings))
        except InputError:
            continue
    return results


def time_file(path: Path, settings: DocpipeSettings) -> FileTiming:
    content = path.read_bytes()
    start, start_cpu = time.perf_counter(), _cpu_seconds()
    try:
        results = _extract_all(content, settings)
    except InputError as exc:
        return FileTiming(
            path.name, time.perf_counter() - start, _cpu_seconds() - start_cpu, "failed", 0, 0, str(exc)
        )
    seconds, cpu_seconds = time.perf_counter() - start, _cpu_seconds() - start_cpu
    pages = [page for result in results for page in result.pages]
    ocr_pages = sum(page.source == "ocr" for page in pages)
    if ocr_pages:
        kind = "OCR"
    elif any(page.source == "text_layer" for page in pages):
        kind = "text layer"
    else:
        kind = "plain/e-mail"
    return FileTiming(path.name, seconds, cpu_seconds, kind, len(pages), ocr_pages)


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


class ChildPeakMemory(Sampler):
    """Peak RSS of this process's child processes (Tesseract), sampled from /proc.

    ``RUSAGE_CHILDREN`` cannot tell: a child's peak includes the Python process it was
    forked from, before it became Tesseract. ``VmHWM`` after exec is Tesseract's own peak.
    """

    def __init__(self, interval_s: float = 0.05) -> None:
        super().__init__(interval_s)
        self.peak_kib = 0

    def sample(self) -> None:
        parent = str(os.getpid())
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
            except OSError:  # the process ended while we looked
                continue
            if fields.get("PPid", "").strip() == parent and "VmHWM" in fields:
                self.peak_kib = max(self.peak_kib, int(fields["VmHWM"].split()[0]))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+", type=Path, help="folders (or files) to extract")
    args = parser.parse_args(argv)
    settings = DocpipeSettings()
    files = discover_files(args.folders)
    if not files:
        parser.error("no files found")
    print(
        f"{len(files)} files; OCR: psm {settings.ocr_psm}, preprocess '{settings.ocr_preprocess}', "
        f"{settings.ocr_dpi} dpi, {settings.ocr_workers} workers; {os.cpu_count()} CPUs\n"
    )
    print(f"| {'file':<40} | kind         | pages | OCR pages | seconds | CPU s   |")
    print(f"|{'-' * 42}|--------------|-------|-----------|---------|---------|")
    timings = []
    with ChildPeakMemory() as children:
        for path in files:
            timing = time_file(path, settings)
            timings.append(timing)
            note = f" ({timing.error})" if timing.error else ""
            print(
                f"| {timing.name:<40} | {timing.kind:<12} | {timing.pages:5d} | {timing.ocr_pages:9d} "
                f"| {timing.seconds:7.2f} | {timing.cpu_seconds:7.2f} |{note}",
                flush=True,
            )
    print(f"\n| {'kind':<12} | files | pages | seconds | pages/s | CPU s   | pages/CPU s |")
    print("|--------------|-------|-------|---------|---------|---------|-------------|")
    for kind in KINDS:
        group = [t for t in timings if t.kind == kind]
        if not group:
            continue
        pages, seconds = sum(t.pages for t in group), sum(t.seconds for t in group)
        cpu = sum(t.cpu_seconds for t in group)
        print(
            f"| {kind:<12} | {len(group):5d} | {pages:5d} | {seconds:7.2f} | {pages / seconds:7.2f} "
            f"| {cpu:7.2f} | {pages / max(cpu, 1e-9):11.2f} |"
        )
    failed = [t for t in timings if t.kind == "failed"]
    if failed:
        print(f"\n{len(failed)} file(s) failed (recorded, not counted above)")
    total = sum(t.seconds for t in timings)
    print(f"\nTotal {total:.1f} s for {sum(t.pages for t in timings)} pages")
    print(
        f"Peak RSS: this process {peak_rss_mib():.0f} MiB, "
        f"largest Tesseract process {children.peak_kib / 1024:.0f} MiB (sampled every 50 ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
