"""What happens to one input file, as plain functions (the Prefect flow only orchestrates).

Every input ends in exactly one ``FileOutcome``: processed, needs review, or failed with
a reason a person can act on. Bad input is recorded, never raised; only transient
failures (database, OCR engine) propagate, so the orchestrator can retry them.
"""

from __future__ import annotations

import hashlib
import os
import socket
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Document, RunDocument
from docpipe.errors import FileTooLargeError, InputError, ModelCrashedError, one_line_reason
from docpipe.health import AUDIT_REASON, is_audit_sample
from docpipe.settings import DocpipeSettings
from docpipe.stages import Attachment, DocumentStage, StageResult
from docpipe.statuses import DocumentStatus, FileStatus
from db import repository
from db.session import session_scope
from extractors import sniff
from extractors.text import read_text, text_version
from extractors.sniff import sniff_media_type


def displayable(name: str) -> str:
    """``name`` as text the database can store and a person can read: bytes that are not
    UTF-8 (which Python carries as lone surrogates) become ``\\xNN`` escapes."""
    try:
        raw = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate no file system gave (from a mail header)
        raw = name.encode("utf-8", "replace")
    return raw.decode("utf-8", "backslashreplace")


@dataclass(frozen=True)
class InputFile:
    """A file to process: a path on disk, or an attachment of an already stored e-mail.

    ``source_path`` and ``filename`` are displayable (``displayable``); ``path`` is the file
    itself, and ``source_path_bytes`` the path's exact bytes when they are not UTF-8.
    """

    source_path: str
    filename: str
    path: Path | None = None
    content: bytes | None = None
    parent_document_id: int | None = None
    source_path_bytes: bytes | None = None

    @classmethod
    def from_path(cls, path: Path) -> InputFile:
        raw = os.fsencode(path)
        try:
            raw.decode("utf-8")
            exact = None
        except UnicodeDecodeError:
            exact = raw
        return cls(
            source_path=displayable(str(path)), filename=displayable(path.name), path=path, source_path_bytes=exact
        )

    @classmethod
    def from_attachment(cls, mail: InputFile, attachment: Attachment, mail_document_id: int) -> InputFile:
        name = displayable(attachment.filename)
        return cls(
            source_path=f"{mail.source_path}#{name}",
            filename=name,
            content=attachment.content,
            parent_document_id=mail_document_id,
        )

    @property
    def is_attachment(self) -> bool:
        return self.parent_document_id is not None


@dataclass
class FileOutcome:
    source_path: str
    filename: str
    status: str
    document_id: int | None = None
    error: str | None = None
    media_type: str | None = None
    page_count: int | None = None
    ocr_used: bool = False
    reused: bool = False
    is_attachment: bool = False
    stage_seconds: dict[str, float] = field(default_factory=dict)
    attachments: list[InputFile] = field(default_factory=list)
    archived_path: str | None = None


@dataclass(frozen=True)
class SkippedPath:
    """Something the walk met that is not a file to read, and why (recorded in the run)."""

    path: Path
    reason: str


@dataclass
class Walk:
    files: list[Path] = field(default_factory=list)
    skipped: list[SkippedPath] = field(default_factory=list)


_SPECIAL_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def _not_regular(mode: int) -> str:
    kind = next((name for test, name in _SPECIAL_KINDS if test(mode)), "not a regular file")
    return f"skipped: {kind}, not a document"


BROKEN_LINK_REASON = "skipped: broken symbolic link (its target does not exist)"
ARCHIVE_FOLDER_REASON = "skipped: an archive folder of the inbox (files earlier runs handled; not read again)"


def _link_reason(link: Path, roots: list[Path]) -> str:
    """Why a symbolic link met in a folder is not read: links are never followed, so nothing
    outside the input folders is read or moved, and a target inside them is met by itself."""
    try:
        target = link.resolve(strict=True)
    except RuntimeError:
        return "skipped: symbolic link loop"
    except OSError:
        return BROKEN_LINK_REASON
    if not any(target.is_relative_to(root) for root in roots if root.is_dir()):
        return f"skipped: symbolic link to {displayable(str(target))}, outside the input folders (not followed)"
    return f"skipped: symbolic link to {displayable(str(target))}, which is read at its own path"


def walk_inputs(paths: list[str | Path], archives: tuple[Path, ...] = ()) -> Walk:
    """Regular files named directly, and under the folders named, in a stable order; and every
    other thing met on the way with the reason it is not read (links, pipes, sockets, devices,
    the ``archives`` folders, which are not entered).

    Hidden files and folders (``.name``) are passed over: they are editor and sync litter.
    Symbolic links inside the folders are never followed. Raises ``FileNotFoundError`` for a
    path that does not exist.
    """
    walk = Walk()
    roots = [Path(raw).resolve() for raw in paths]
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            met: list[Path] = []
            for folder, folders, names in os.walk(path, followlinks=False):
                base = Path(folder)
                archived = {name for name in folders if not (base / name).is_symlink() and (base / name).resolve() in archives}
                walk.skipped.extend(SkippedPath(base / name, ARCHIVE_FOLDER_REASON) for name in sorted(archived))
                folders[:] = sorted(name for name in folders if not name.startswith(".") and name not in archived)
                met.extend(base / name for name in names if not name.startswith("."))
                # os.walk lists links to folders among the folders and does not enter them.
                met.extend(base / name for name in folders if (base / name).is_symlink())
            for entry in sorted(met):
                mode = entry.lstat().st_mode
                if stat.S_ISLNK(mode):
                    walk.skipped.append(SkippedPath(entry, _link_reason(entry, roots)))
                elif stat.S_ISREG(mode):
                    walk.files.append(entry.resolve())
                elif not stat.S_ISDIR(mode):
                    walk.skipped.append(SkippedPath(entry, _not_regular(mode)))
        elif path.is_file():
            walk.files.append(path.resolve())  # named by the operator: a link here is followed
        elif path.exists():
            walk.skipped.append(SkippedPath(path, _not_regular(path.stat().st_mode)))
        elif path.is_symlink():
            walk.skipped.append(SkippedPath(path, BROKEN_LINK_REASON))
        else:
            raise FileNotFoundError(f"no such file or folder: {displayable(str(path))}")
    walk.files = list(dict.fromkeys(walk.files))
    return walk


def discover_files(paths: list[str | Path]) -> list[Path]:
    """The files ``walk_inputs`` would read (for benchmarks and tools that need no record)."""
    return walk_inputs(paths).files


def worker_name() -> str:
    """This process as ``run_documents.worker`` records it: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _read(file: InputFile, settings: DocpipeSettings) -> bytes:
    if file.content is not None:
        _check_size(len(file.content), settings)
        return file.content
    assert file.path is not None
    _check_size(file.path.stat().st_size, settings)
    data = file.path.read_bytes()
    _check_size(len(data), settings)  # it may have grown since the stat
    return data


VANISHED_REASON = "skipped: no longer there (moved or deleted since the batch started; another run may have taken it)"


def _missing(file: InputFile) -> tuple[str, str]:
    """Status and reason for a file the walk found and the worker cannot: moved away since
    (by a person, or by another batch archiving it: nothing to do), or on a worker of another
    machine whose folder is not there at all (the inputs are not mounted at the same path: a
    failure the operator must fix)."""
    assert file.path is not None
    if file.path.parent.is_dir():
        return FileStatus.SKIPPED, VANISHED_REASON
    return FileStatus.FAILED, (
        f"cannot read file: its folder does not exist on {socket.gethostname()} "
        "(every worker must see the inputs at the same path, docs/operations.md)"
    )


def _check_size(size: int, settings: DocpipeSettings) -> None:
    if size > settings.max_file_bytes:
        raise FileTooLargeError(f"file of {size:,} bytes exceeds the limit of {settings.max_file_bytes:,} bytes", size)


def content_sha256(file: InputFile) -> str | None:
    """The file's content hash (what ``db.claims`` claims), or None when it cannot be read
    (``ingest_file`` then records why)."""
    try:
        return _sha256_of(file)
    except OSError:
        return None


def _sha256_of(file: InputFile) -> str:
    """Content hash without holding the content in memory (for files over the size limit)."""
    if file.content is not None:
        return hashlib.sha256(file.content).hexdigest()
    assert file.path is not None
    with file.path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def _claim(session: Session, file: InputFile, sha256: str, size: int) -> Document:
    return repository.claim_document(
        session,
        sha256=sha256,
        source_path=file.source_path,
        filename=file.filename,
        size_bytes=size,
        parent_id=file.parent_document_id,
        source_path_bytes=file.source_path_bytes,
    )


def _extension_warning(filename: str, media_type: str) -> str | None:
    suffix = Path(filename).suffix.lower().lstrip(".")
    expected = {
        sniff.PDF: {"pdf"},
        sniff.PNG: {"png"},
        sniff.JPEG: {"jpg", "jpeg", "jpe"},
        sniff.TIFF: {"tif", "tiff"},
        sniff.EML: {"eml", "msg", "txt", ""},
        sniff.TEXT: {"txt", "text", "md", "csv", "log", ""},
    }[media_type]
    if suffix in expected:
        return None
    return f"file name ends in .{suffix} but the content is {media_type}; read as {media_type}"


def ingest_file(file: InputFile, run_id: int, settings: DocpipeSettings) -> FileOutcome:
    """Read, identify, extract text and store one file; record what happened in the run."""
    outcome = FileOutcome(
        source_path=file.source_path, filename=file.filename, status=FileStatus.FAILED, is_attachment=file.is_attachment
    )
    started = time.perf_counter()
    try:
        content = _read(file, settings)
    except FileNotFoundError:
        outcome.status, outcome.error = _missing(file)
        with session_scope(settings.database_url) as session:
            _record(session, run_id, outcome)
        return outcome
    except OSError as exc:
        # Unreadable, so without an identity: the run's record is all there can be.
        outcome.error = f"cannot read file: {exc}"
        with session_scope(settings.database_url) as session:
            _record(session, run_id, outcome)
        return outcome
    except FileTooLargeError as exc:
        outcome.error = str(exc)
        assert exc.size is not None
        with session_scope(settings.database_url) as session:
            document = _claim(session, file, _sha256_of(file), exc.size)
            repository.mark_failed(session, document, str(exc))
            outcome.document_id = document.id
            _record(session, run_id, outcome)
        return outcome

    sha256 = hashlib.sha256(content).hexdigest()
    with session_scope(settings.database_url) as session:
        document = _claim(session, file, sha256, len(content))
        outcome.document_id = document.id
        ocr_used = any(page.text_source == "ocr" for page in document.pages)
        up_to_date = (
            document.status in (DocumentStatus.PROCESSED, DocumentStatus.NEEDS_REVIEW, DocumentStatus.REVIEWED)
            and document.stage_versions.get("text") == text_version(settings, ocr_used)
            and document.media_type != sniff.EML  # mails are re-read to list their attachments
        )
        if up_to_date:
            outcome.reused = True
            outcome.status = FileStatus.NEEDS_REVIEW if document.status == DocumentStatus.NEEDS_REVIEW else FileStatus.PROCESSED
            outcome.media_type = document.media_type
            outcome.page_count = document.page_count
            outcome.ocr_used = ocr_used
        else:
            media_type = None
            try:
                media_type = sniff_media_type(content, file.filename)
                extracted = read_text(content, settings, media_type)
            except InputError as exc:
                repository.mark_failed(session, document, str(exc), media_type)
                outcome.error = str(exc)
                outcome.media_type = media_type
            else:
                warning = _extension_warning(file.filename, media_type)
                if warning:
                    extracted.metadata["extension_warning"] = warning
                repository.store_text(session, document, extracted, text_version(settings, extracted.ocr_used))
                outcome.status = FileStatus.PROCESSED
                outcome.media_type = media_type
                outcome.page_count = len(extracted.pages)
                outcome.ocr_used = extracted.ocr_used
                outcome.attachments = [
                    InputFile.from_attachment(file, attachment, document.id)
                    for attachment in extracted.attachments
                ]
        outcome.stage_seconds["text"] = round(time.perf_counter() - started, 3)
        _record(session, run_id, outcome)
    return outcome


def record_crash(
    file: InputFile,
    run_id: int,
    settings: DocpipeSettings,
    error: BaseException,
    outcome: FileOutcome | None = None,
) -> FileOutcome:
    """Account for a file whose processing failed even after retries (not its own fault).

    ``outcome`` is what earlier stages achieved, if any. The document is marked failed (unless
    a person reviewed it), so none stays in limbo and the next run tries it again.
    """
    reason = f"processing error after retries: {one_line_reason(error)}"
    outcome = outcome or FileOutcome(
        source_path=file.source_path, filename=file.filename, status=FileStatus.FAILED, is_attachment=file.is_attachment
    )
    outcome.status, outcome.error = FileStatus.FAILED, reason
    with session_scope(settings.database_url) as session:
        if outcome.document_id is not None:
            document = session.get(Document, outcome.document_id)
        else:
            try:
                document = repository.document_by_sha256(session, _sha256_of(file))
            except OSError:
                document = None
        if document is not None:
            outcome.document_id = document.id
            if document.status != DocumentStatus.REVIEWED:
                repository.mark_failed(session, document, reason, document.media_type)
        _record(session, run_id, outcome)
    return outcome


def record_skipped(skipped: SkippedPath, run_id: int, settings: DocpipeSettings) -> FileOutcome:
    """The run's row for something the walk met and does not read (nothing of it is touched)."""
    outcome = FileOutcome(
        source_path=displayable(str(skipped.path)),
        filename=displayable(skipped.path.name),
        status=FileStatus.SKIPPED,
        error=skipped.reason,
    )
    with session_scope(settings.database_url) as session:
        _record(session, run_id, outcome)
    return outcome


def _record(session: Session, run_id: int, outcome: FileOutcome) -> None:
    """The run's row for this file, created or (after a later stage crashed) updated."""
    values = {
        "document_id": outcome.document_id,
        "is_attachment": outcome.is_attachment,
        "status": outcome.status,
        "error": outcome.error,
        "reused": outcome.reused,
        "ocr_used": outcome.ocr_used,
        "page_count": outcome.page_count,
        "stage_seconds": outcome.stage_seconds,
        "worker": worker_name(),
    }
    row = session.scalar(
        select(RunDocument).where(RunDocument.run_id == run_id, RunDocument.source_path == outcome.source_path)
    )
    if row is None:
        repository.record_run_document(session, run_id, source_path=outcome.source_path, **values)
    else:
        for key, value in values.items():
            if value is not None:
                setattr(row, key, value)


def stale_stages(outcome: FileOutcome, stages: list[DocumentStage], settings: DocpipeSettings) -> list[DocumentStage]:
    """The stages whose results on the outcome's document are missing or from another version.

    A reviewed document keeps its human verdict: nothing is stale for it. A document that an
    earlier version sent to review gets a fresh verdict: its review flag is cleared first.
    """
    assert outcome.document_id is not None
    with session_scope(settings.database_url) as session:
        document = session.get_one(Document, outcome.document_id)
        if document.status == DocumentStatus.REVIEWED:
            return []
        stale = [stage for stage in stages if document.stage_versions.get(stage.name) != stage.version]
        if stale and document.status == DocumentStatus.NEEDS_REVIEW:
            document.status, document.error = DocumentStatus.PROCESSED, None
            outcome.status, outcome.error = FileStatus.PROCESSED, None
        return stale


def run_stage(stage: DocumentStage, outcome: FileOutcome, run_id: int, settings: DocpipeSettings) -> None:
    """Run one post-text stage on the outcome's document and store what it returns,
    updating the outcome in place. The stage runs between two transactions (a model may
    take seconds on a document): it reads nothing from and writes nothing to the database."""
    assert outcome.document_id is not None
    started = time.perf_counter()
    with session_scope(settings.database_url) as session:
        document = session.get_one(Document, outcome.document_id)
        if document.stage_versions.get(stage.name) == stage.version:
            return
        stage_input = repository.stage_input(session, document)
    result: StageResult | InputError | ModelCrashedError
    try:
        result = stage.run(stage_input)
    except (InputError, ModelCrashedError) as exc:
        result = exc
    with session_scope(settings.database_url) as session:
        document = session.get_one(Document, outcome.document_id)
        if isinstance(result, InputError):
            repository.mark_failed(session, document, f"{stage.name}: {result}", document.media_type)
            outcome.status, outcome.error = FileStatus.FAILED, f"{stage.name}: {result}"
        elif isinstance(result, ModelCrashedError):
            # Not the file's fault: its text and earlier stages' results stay for the next run.
            repository.mark_stage_failed(session, document, f"{stage.name}: {result}")
            outcome.status, outcome.error = FileStatus.FAILED, document.error
        else:
            repository.store_result(session, document.id, run_id, stage.version, result)
            document.stage_versions = {**document.stage_versions, stage.name: stage.version}
            if result.needs_review:
                reason = f"{stage.name}: {result.reason}"
                document.status = DocumentStatus.NEEDS_REVIEW
                document.error = f"{document.error}; {reason}" if document.error else reason
                outcome.status, outcome.error = FileStatus.NEEDS_REVIEW, document.error
        outcome.reused = False
        outcome.stage_seconds[stage.name] = round(time.perf_counter() - started, 3)
        repository.update_run_document(
            session, run_id, outcome.source_path,
            status=outcome.status, error=outcome.error, reused=False, stage_seconds=outcome.stage_seconds,
            worker=worker_name(),
        )


def sample_for_audit(outcome: FileOutcome, run_id: int, settings: DocpipeSettings) -> bool:
    """Send a document the stages accepted to review anyway when the audit draws it
    (``DOCPIPE_AUDIT_RATE``): reviews of such random samples estimate the models' accuracy
    without the bias of reviewing only what they doubted. True when it was drawn."""
    assert outcome.document_id is not None
    if outcome.status != FileStatus.PROCESSED:
        return False
    with session_scope(settings.database_url) as session:
        document = session.get_one(Document, outcome.document_id)
        if document.status != DocumentStatus.PROCESSED or not is_audit_sample(document.sha256, settings.audit_rate, settings.audit_seed):
            return False
        document.status, document.error = DocumentStatus.NEEDS_REVIEW, AUDIT_REASON
        outcome.status, outcome.error = FileStatus.NEEDS_REVIEW, AUDIT_REASON
        repository.update_run_document(session, run_id, outcome.source_path, status=outcome.status, error=outcome.error)
    return True
