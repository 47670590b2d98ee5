"""OCR quality benchmark: which preprocessing, page segmentation mode and render dpi read best.

Scores the product's own OCR path (``extractors.read_text`` with a ``DocpipeSettings`` per
configuration, so rendering, preprocessing and Tesseract are exactly what production runs)
against ground truth:

* SROIE receipts (``img/*.jpg``, line transcripts in ``box/*.csv``, key fields in
  ``key/*.json``) as images, and wrapped into image-only PDFs (each JPEG placed on a page at
  its scan resolution: 200 dpi for receipt-sized scans, 600 dpi for the A4 scans) to choose
  the render dpi;
* optionally (``--fcc-dir``) first pages of born-digital FCC invoices, rasterised at 300 dpi
  into image-only PDFs, scored against their own text layer: full-page office documents,
  the other kind of scan the product receives.

Metrics, micro-averaged over pages:

* CER: Levenshtein distance / reference length, on whitespace-normalised text, with the
  reference lines in reading order (rows top-to-bottom, left-to-right within a row);
* word precision / recall / F1 as multisets: insensitive to Tesseract's reading order;
* key-field hit rate: SROIE ``company``, ``date``, ``total`` found verbatim in the OCR text
  (whitespace-normalised, case-insensitive, not inside a longer word or number). This is
  the ceiling for downstream field extraction.

The grid is searched coarse to fine (the full product of options would take hours on two
cores): segmentation modes without preprocessing; each preprocessing step alone; a greedy
combination of the steps that helped; tuning constants of the chosen steps; segmentation
modes again with the chosen preprocessing; render dpi for PDFs. Configurations are ranked by
key-field hit rate, then CER; one that reads as well for 10 % less CPU time ranks higher.
Plain Tesseract and docpipe's previous defaults are scored alongside for comparison. Two
pages run at a time (one single-threaded Tesseract each, as in production). The results and
the choice are written up in docs/ocr.md.

Run: ``python -m benchmarks.ocr_quality [DATASET_DIR] [--fcc-dir DIR]``.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from docpipe.settings import DocpipeSettings
from extractors import read_text, ocr

DEFAULT_DATASET = Path("/work/shared/data/sroie2019-receipts/dev")
KEY_FIELDS = ("company", "date", "total")
SEGMENTATION_MODES = (3, 4, 6, 11)
RENDER_DPIS = (150, 200, 300, 400)
# Module constants of extractors.ocr that tune a step, and the values tried when it is chosen.
STEP_TUNING = {
    "upscale": ("UPSCALE_TARGET_WIDTH", (1200, 2400)),
    "normalize": ("NORMALIZE_MIN_CONTRAST", (32, 96)),
}
# Two configurations read equally well when they find the same key fields and their CERs
# differ by less than this; the one using less CPU is then the better.
CER_TOLERANCE = 0.002
WORD_F1_TOLERANCE = 0.01
# Receipt scans of ordinary size are ~200 dpi (a 620 px wide scan = 80 mm thermal paper);
# the A4-sized ones (4961 x 7016 px) are 600 dpi.
RECEIPT_SCAN_DPI = 200
A4_SCAN_DPI = 600
FCC_SCAN_DPI = 300
_DEFAULT_CONSTANTS = {name: getattr(ocr, name) for name, _values in STEP_TUNING.values()}


# --- scoring ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BoxLine:
    """One transcribed text line and its bounding box (pixels)."""

    x_min: float
    y_min: float
    x_max: float
    y_max: float
    text: str


def parse_box_line(line: str) -> BoxLine | None:
    """``x1,y1,x2,y2,x3,y3,x4,y4,transcript`` (SROIE box CSV); None for a blank line.

    The transcript may itself contain commas, so only the first eight commas separate.
    """
    line = line.rstrip("\r\n")
    if not line.strip():
        return None
    parts = line.split(",", 8)
    if len(parts) != 9:
        raise ValueError(f"box line without 8 coordinates and a transcript: {line!r}")
    coordinates = [float(part) for part in parts[:8]]
    xs, ys = coordinates[0::2], coordinates[1::2]
    return BoxLine(min(xs), min(ys), max(xs), max(ys), parts[8].strip())


def read_box_file(path: Path) -> list[BoxLine]:
    text = path.read_text(encoding="utf-8", errors="replace")
    return [box for box in map(parse_box_line, text.splitlines()) if box is not None]


def reading_order(lines: Iterable[BoxLine]) -> list[str]:
    """Rows of text top-to-bottom; lines whose vertical centre falls within a row's first
    line join that row, left to right (a receipt's "TOTAL ... 14.10" is one row)."""
    rows: list[list[BoxLine]] = []
    for line in sorted(lines, key=lambda box: (box.y_min + box.y_max) / 2):
        centre = (line.y_min + line.y_max) / 2
        if rows and rows[-1][0].y_min <= centre <= rows[-1][0].y_max:
            rows[-1].append(line)
        else:
            rows.append([line])
    return [
        " ".join(box.text for box in sorted(row, key=lambda box: box.x_min) if box.text)
        for row in rows
    ]


def normalise_whitespace(text: str) -> str:
    return " ".join(text.split())


def levenshtein(a: str, b: str) -> int:
    """Edit distance (insert, delete, substitute: cost 1 each), one numpy row per char of a."""
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return len(a)
    b_codes = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    offsets = np.arange(len(b) + 1)
    previous = offsets.copy()
    for i, char in enumerate(np.frombuffer(a.encode("utf-32-le"), dtype=np.uint32), start=1):
        current = np.empty_like(previous)
        current[0] = i
        np.minimum(previous[:-1] + (b_codes != char), previous[1:] + 1, out=current[1:])
        # Insertions chain along the row: current[j] = min over k <= j of current[k] + (j - k).
        previous = np.minimum.accumulate(current - offsets) + offsets
    return int(previous[-1])


def character_error_rate(hypothesis: str, reference: str) -> float:
    reference = normalise_whitespace(reference)
    distance = levenshtein(normalise_whitespace(hypothesis), reference)
    return distance / max(1, len(reference))


def word_overlap(hypothesis: str, reference: str) -> tuple[int, int, int]:
    """(words in both as multisets, hypothesis word count, reference word count)."""
    hypothesis_words, reference_words = Counter(hypothesis.split()), Counter(reference.split())
    matched = sum((hypothesis_words & reference_words).values())
    return matched, sum(hypothesis_words.values()), sum(reference_words.values())


def contains_verbatim(text: str, value: str) -> bool:
    """``value`` occurs in ``text`` (whitespace-normalised, case-insensitive), not as part of
    a longer word or number ("14.10" is not found in "114.10")."""
    needle = normalise_whitespace(value).casefold()
    if not needle:
        return False
    pattern = rf"(?<![0-9a-z]){re.escape(needle)}(?![0-9a-z])"
    return re.search(pattern, normalise_whitespace(text).casefold()) is not None


# --- samples and configurations ---------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    name: str
    path: Path
    """The file handed to ``read_text`` (a JPEG or an image-only PDF)."""
    reference: str
    key_fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Config:
    psm: int
    preprocess: str
    dpi: int = 300
    constants: tuple[tuple[str, int], ...] = ()
    """Overrides of ``extractors.ocr`` module constants (step tuning, not settings)."""
    faded_retry_words: int = 0
    """``ocr_faded_retry_words``: off while the steps are searched, so each is measured alone."""
    second_reading: bool = False
    """``ocr_second_reading``: off while the steps are searched, likewise."""

    def label(self, with_dpi: bool = False) -> str:
        steps = self.preprocess or "none"
        for name, value in self.constants:
            steps += f" {name}={value}"
        if self.faded_retry_words:
            steps += f" + faded retry <{self.faded_retry_words} words"
        if self.second_reading:
            steps += " + second reading"
        return f"psm {self.psm} | {steps}" + (f" | {self.dpi} dpi" if with_dpi else "")


# Scored in every group for comparison: plain Tesseract, and docpipe's defaults before
# this benchmark chose them.
NAIVE = Config(3, "")
PREVIOUS_DEFAULT = Config(4, "upscale")


@dataclass
class Score:
    config: Config
    pages: int
    cer: float
    word_precision: float
    word_recall: float
    key_hits: dict[str, int]
    key_total: int
    seconds_per_page: float
    cpu_seconds_per_page: float
    """Processor time of the worker and its Tesseract child: unlike wall time, not
    inflated when other jobs share the cores."""
    failures: list[str]

    @property
    def word_f1(self) -> float:
        total = self.word_precision + self.word_recall
        return 2 * self.word_precision * self.word_recall / total if total else 0.0

    @property
    def key_hit_rate(self) -> float:
        return sum(self.key_hits.values()) / self.key_total if self.key_total else float("nan")

    def rank(self) -> tuple[float, float]:
        """Sort key, best first: key-field hits (or word F1 without key fields), then CER."""
        primary = self.key_hit_rate if self.key_total else self.word_f1
        return (-primary, self.cer)

    def beats(self, other: Score) -> bool:
        """Reads better, or as well (same key hits, CER within tolerance) for 10 % less CPU."""
        same_quality = (
            self.rank()[0] == other.rank()[0] and abs(self.cer - other.cer) < CER_TOLERANCE
        )
        if same_quality:
            return self.cpu_seconds_per_page < 0.9 * other.cpu_seconds_per_page
        return self.rank() < other.rank()


def load_receipts(dataset: Path, limit: int | None = None) -> list[Sample]:
    samples = []
    for image in sorted((dataset / "img").glob("*.jpg"))[:limit]:
        lines = read_box_file(dataset / "box" / f"{image.stem}.csv")
        key_file = dataset / "key" / f"{image.stem}.json"
        keys = json.loads(key_file.read_text(encoding="utf-8")) if key_file.exists() else {}
        samples.append(
            Sample(
                name=image.stem,
                path=image,
                reference="\n".join(reading_order(lines)),
                key_fields={name: str(keys[name]) for name in KEY_FIELDS if keys.get(name)},
            )
        )
    return samples


def receipts_as_pdfs(samples: Sequence[Sample], folder: Path) -> list[Sample]:
    """Each receipt JPEG embedded unchanged in a one-page PDF sized for its scan resolution."""
    import pymupdf
    from PIL import Image

    wrapped = []
    for sample in samples:
        with Image.open(sample.path) as image:
            width, height = image.size
        scan_dpi = A4_SCAN_DPI if width > 3000 else RECEIPT_SCAN_DPI
        document = pymupdf.open()
        page = document.new_page(width=width * 72 / scan_dpi, height=height * 72 / scan_dpi)
        page.insert_image(page.rect, filename=str(sample.path))
        target = folder / f"receipt-{sample.name}.pdf"
        document.save(target)
        wrapped.append(replace(sample, name=f"{sample.name}.pdf", path=target))
    return wrapped


def fcc_scans(fcc_dir: Path, folder: Path, count: int) -> list[Sample]:
    """First pages of born-digital FCC invoices (real fonts, not a Tesseract text layer),
    one per producer in turn, rasterised at 300 dpi grey into image-only PDFs."""
    import pymupdf

    by_producer: dict[str, list[Path]] = {}
    for pdf in sorted(fcc_dir.glob("*.pdf")):
        with pymupdf.open(pdf) as document:
            fonts = {font[3] for font in document[0].get_fonts()}
            if not fonts or any("GlyphLess" in font for font in fonts):
                continue
            if len(document[0].get_text().strip()) < 200:
                continue
            producer = (document.metadata or {}).get("producer") or "unknown"
        by_producer.setdefault(producer, []).append(pdf)
    chosen: list[Path] = []
    while len(chosen) < count and any(by_producer.values()):
        for pdfs in by_producer.values():
            if pdfs and len(chosen) < count:
                chosen.append(pdfs.pop(0))
    samples = []
    for pdf in chosen:
        with pymupdf.open(pdf) as document:
            page = document[0]
            words = page.get_text("words")
            lines: dict[tuple[int, int], list] = {}
            for x0, y0, x1, y1, word, block, line, _number in words:
                lines.setdefault((block, line), []).append((x0, y0, x1, y1, word))
            boxes = [
                BoxLine(
                    min(w[0] for w in ws), min(w[1] for w in ws),
                    max(w[2] for w in ws), max(w[3] for w in ws),
                    " ".join(w[4] for w in ws),
                )
                for ws in lines.values()
            ]
            pixmap = page.get_pixmap(dpi=FCC_SCAN_DPI, colorspace=pymupdf.csGRAY, alpha=False)
            scan = pymupdf.open()
            scan_page = scan.new_page(width=page.rect.width, height=page.rect.height)
            scan_page.insert_image(scan_page.rect, stream=pixmap.tobytes("jpeg", jpg_quality=85))
            target = folder / f"fcc-{pdf.stem[:8]}.pdf"
            scan.save(target)
        samples.append(
            Sample(name=f"fcc-{pdf.stem[:8]}", path=target, reference="\n".join(reading_order(boxes)))
        )
    return samples


# --- running ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Recognised:
    text: str
    seconds: float
    cpu_seconds: float
    error: str | None = None


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _recognise(path: Path, config: Config) -> Recognised:
    """In a worker process: the product's text extraction of one file under ``config``."""
    for name, value in {**_DEFAULT_CONSTANTS, **dict(config.constants)}.items():
        setattr(ocr, name, value)
    settings = DocpipeSettings(
        ocr_psm=config.psm,
        ocr_preprocess=config.preprocess,
        ocr_dpi=config.dpi,
        ocr_workers=1,
        ocr_faded_retry_words=config.faded_retry_words,
        ocr_second_reading=config.second_reading,
    )
    content = path.read_bytes()
    start, start_cpu = time.perf_counter(), _cpu_seconds()
    try:
        text, error = read_text(content, settings).text, None
    except Exception as exc:  # a failing page is reported with the score, not fatal
        text, error = "", f"{path.name}: {type(exc).__name__}: {exc}"
    return Recognised(text, time.perf_counter() - start, _cpu_seconds() - start_cpu, error)


def evaluate(pool: ProcessPoolExecutor, config: Config, samples: Sequence[Sample]) -> Score:
    outputs = list(pool.map(_recognise, [s.path for s in samples], [config] * len(samples)))
    edits = reference_chars = matched = hypothesis_words = reference_words = 0
    key_hits = {name: 0 for name in KEY_FIELDS}
    key_total = 0
    for sample, output in zip(samples, outputs, strict=True):
        text = output.text
        reference = normalise_whitespace(sample.reference)
        edits += levenshtein(normalise_whitespace(text), reference)
        reference_chars += len(reference)
        both, in_hypothesis, in_reference = word_overlap(text, sample.reference)
        matched, hypothesis_words, reference_words = (
            matched + both, hypothesis_words + in_hypothesis, reference_words + in_reference
        )
        for name, value in sample.key_fields.items():
            key_total += 1
            key_hits[name] += contains_verbatim(text, value)
    return Score(
        config=config,
        pages=len(samples),
        cer=edits / max(1, reference_chars),
        word_precision=matched / max(1, hypothesis_words),
        word_recall=matched / max(1, reference_words),
        key_hits=key_hits,
        key_total=key_total,
        seconds_per_page=sum(output.seconds for output in outputs) / max(1, len(outputs)),
        cpu_seconds_per_page=sum(output.cpu_seconds for output in outputs) / max(1, len(outputs)),
        failures=[output.error for output in outputs if output.error],
    )


class Search:
    """Evaluates configurations once each (cached) and prints every result as it comes."""

    def __init__(self, pool: ProcessPoolExecutor, samples: Sequence[Sample], with_dpi: bool = False):
        self.pool, self.samples, self.with_dpi = pool, samples, with_dpi
        self.scores: dict[Config, Score] = {}

    def score(self, config: Config) -> Score:
        if config not in self.scores:
            score = self.scores[config] = evaluate(self.pool, config, self.samples)
            print(f"  {_row(score, self.with_dpi)}", flush=True)
            for failure in score.failures:
                print(f"    failed: {failure}", flush=True)
        return self.scores[config]

    def best(self, configs: Iterable[Config]) -> Score:
        best: Score | None = None
        for config in configs:
            score = self.score(config)
            if best is None or score.beats(best):
                best = score
        assert best is not None
        return best


def _row(score: Score, with_dpi: bool = False) -> str:
    hits = "/".join(f"{score.key_hits[name]}" for name in KEY_FIELDS)
    key = f"{score.key_hit_rate:6.1%} ({hits})" if score.key_total else "     -"
    return (
        f"| {score.config.label(with_dpi):<44} | {score.cer:6.2%} | {score.word_f1:6.2%} "
        f"| {score.word_precision:6.2%} | {score.word_recall:6.2%} | {key:<18} "
        f"| {score.cpu_seconds_per_page:5.2f} | {score.seconds_per_page:5.2f} |"
    )


def print_table(title: str, scores: Iterable[Score], with_dpi: bool = False) -> None:
    print(f"\n### {title}\n")
    print(
        f"| {'config (psm | preprocessing' + (' | dpi' if with_dpi else '') + ')':<44} "
        "|  CER   | word F1 | word P | word R | key hits (c/d/t)   | CPU s | wall s |"
    )
    print(f"|{'-' * 46}|--------|---------|--------|--------|--------------------|-------|--------|")
    for score in sorted(scores, key=Score.rank):
        print(_row(score, with_dpi))


def canonical(steps: Iterable[str]) -> str:
    """Steps in the order ``PREPROCESS_STEPS`` lists them (the order they make sense in)."""
    chosen = set(steps)
    return ",".join(step for step in ocr.PREPROCESS_STEPS if step in chosen)


def search_receipts(search: Search) -> Config:
    print("\nStage 1: segmentation modes, no preprocessing", flush=True)
    best = search.best(Config(psm, "") for psm in SEGMENTATION_MODES)
    psm = best.config.psm

    print(f"\nStage 2: each preprocessing step alone, psm {psm}", flush=True)
    singles = {step: search.score(Config(psm, step)) for step in ocr.PREPROCESS_STEPS}
    helpful = sorted(
        (step for step, score in singles.items() if score.beats(best)),
        key=lambda step: singles[step].rank(),
    )

    print(f"\nStage 3: greedy combination of the steps that helped ({', '.join(helpful) or 'none'})")
    chosen: list[str] = []
    for step in helpful:
        candidate = search.score(Config(psm, canonical([*chosen, step])))
        if candidate.beats(best):
            best, chosen = candidate, [*chosen, step]

    tunable = [step for step in chosen if step in STEP_TUNING]
    if tunable:
        print(f"\nStage 4: tuning constants of {', '.join(tunable)}", flush=True)
        for step in tunable:
            name, values = STEP_TUNING[step]
            best = search.best(
                [best.config, *(
                    replace(best.config, constants=(*best.config.constants, (name, value)))
                    for value in values
                )]
            )

    print("\nStage 5: segmentation modes with the chosen preprocessing", flush=True)
    best = search.best(replace(best.config, psm=mode) for mode in SEGMENTATION_MODES)

    print("\nStage 6: pages read with few legible words read again, contrast stretched; each line read again", flush=True)
    faded = replace(best.config, faded_retry_words=DocpipeSettings().ocr_faded_retry_words)
    best = search.best([best.config, faded, replace(faded, second_reading=True)])
    return best.config


def score_all(pool: ProcessPoolExecutor, title: str, samples: Sequence[Sample], configs: Iterable[Config]) -> list[Score]:
    print(f"\n{title}", flush=True)
    search = Search(pool, samples, with_dpi=True)
    return [search.score(config) for config in dict.fromkeys(configs)]


def best_dpi(receipt_scores: Sequence[Score], page_scores: Sequence[Score], chosen: Config) -> int:
    """The dpi reading receipt PDFs best among those within ``WORD_F1_TOLERANCE`` of the best
    word F1 on full pages (small print suffers first from a low render resolution)."""

    def at_each_dpi(scores: Sequence[Score]) -> dict[int, Score]:
        return {s.config.dpi: s for s in scores if replace(s.config, dpi=chosen.dpi) == chosen}

    receipts, pages = at_each_dpi(receipt_scores), at_each_dpi(page_scores)
    if pages:
        top = max(score.word_f1 for score in pages.values())
        receipts = {dpi: s for dpi, s in receipts.items() if pages[dpi].word_f1 >= top - WORD_F1_TOLERANCE}
    best: Score | None = None
    for score in receipts.values():
        if best is None or score.beats(best):
            best = score
    assert best is not None
    return best.config.dpi


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", nargs="?", type=Path, default=DEFAULT_DATASET,
                        help="SROIE folder with img/, box/, key/ (default: %(default)s)")
    parser.add_argument("--fcc-dir", type=Path, help="FCC invoice PDFs for the full-page scan check")
    parser.add_argument("--fcc-pages", type=int, default=6, help="FCC first pages to use")
    parser.add_argument("--limit", type=int, help="only the first N receipts (quick runs)")
    parser.add_argument("--workers", type=int, default=2, help="pages OCR'd at a time")
    parser.add_argument("--json", type=Path, help="also write every score here")
    args = parser.parse_args(argv)

    receipts = load_receipts(args.dataset, args.limit)
    if not receipts:
        parser.error(f"no img/*.jpg under {args.dataset}")
    print(f"{len(receipts)} receipts from {args.dataset}; {args.workers} pages at a time", flush=True)
    started = time.perf_counter()
    groups: dict[str, list[Score]] = {}
    with tempfile.TemporaryDirectory(prefix="ocr-bench-") as tmp, ProcessPoolExecutor(args.workers) as pool:
        search = Search(pool, receipts)
        print("\nReference: docpipe's defaults before this benchmark", flush=True)
        search.score(PREVIOUS_DEFAULT)
        chosen = search_receipts(search)
        groups["Receipt images (SROIE)"] = list(search.scores.values())
        print_table("Receipt images (SROIE)", groups["Receipt images (SROIE)"])

        title = "Receipts as image-only PDFs"
        groups[title] = score_all(
            pool, f"Stage 7: render dpi, {title.lower()}", receipts_as_pdfs(receipts, Path(tmp)),
            [NAIVE, PREVIOUS_DEFAULT, *(replace(chosen, dpi=dpi) for dpi in RENDER_DPIS)],
        )
        print_table(title, groups[title], with_dpi=True)
        receipt_pdf_scores, page_scores = groups[title], []
        if args.fcc_dir:
            title = "FCC invoice first pages scanned at 300 dpi (ranked by word F1)"
            groups[title] = score_all(
                pool, f"Stage 8: segmentation and render dpi, {title}",
                fcc_scans(args.fcc_dir, Path(tmp), args.fcc_pages),
                [
                    NAIVE,
                    PREVIOUS_DEFAULT,
                    *(replace(chosen, psm=mode) for mode in SEGMENTATION_MODES),
                    *(replace(chosen, dpi=dpi) for dpi in RENDER_DPIS),
                ],
            )
            print_table(title, groups[title], with_dpi=True)
            page_scores = groups[title]
        chosen = replace(chosen, dpi=best_dpi(receipt_pdf_scores, page_scores, chosen))

    print(f"\nChosen: {chosen.label(with_dpi=True)}   (naive baseline: {NAIVE.label(with_dpi=True)})")
    print(f"Total time {time.perf_counter() - started:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(
            {
                "chosen": asdict(chosen),
                "groups": {
                    group: [asdict(s) | {"word_f1": s.word_f1, "key_hit_rate": s.key_hit_rate} for s in scores]
                    for group, scores in groups.items()
                },
            },
            indent=1, default=str,
        ))
    return 0


if __name__ == "__main__":
    sys.exit(main())
