"""One file at a time through ``ingest_file`` into a real database."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db import repository
from db.models import Document, Page, RunDocument
from db.session import session_scope
from pipeline.files import VANISHED_REASON, InputFile, discover_files, ingest_file, worker_name
from extractors.text import TEXT_STAGE_VERSION, text_version
from tests import documents


def start_run(settings) -> int:
    with session_scope(settings.database_url) as session:
        return repository.start_run(session, None, {"text": "test"}, {}).id


def ingest(settings, path: Path, run_id: int | None = None):
    return ingest_file(InputFile.from_path(path), run_id or start_run(settings), settings)


def stored(settings, document_id: int) -> tuple[Document, list[Page]]:
    with session_scope(settings.database_url) as session:
        document = session.get_one(Document, document_id)
        pages = session.scalars(select(Page).where(Page.document_id == document_id).order_by(Page.page_number)).all()
        session.expunge_all()
        return document, list(pages)


GOOD_FILES = {
    "invoice.pdf": (documents.text_pdf(documents.INVOICE_TEXT), "application/pdf", ["text_layer"]),
    "scan.pdf": (documents.scanned_pdf("Invoice INV-77 total 99.00"), "application/pdf", ["ocr"]),
    "receipt.png": (documents.image_bytes("Receipt total 42.50", "PNG"), "image/png", ["ocr"]),
    "receipt.jpg": (documents.image_bytes("Receipt total 17.20", "JPEG"), "image/jpeg", ["ocr"]),
    "order.tiff": (documents.multipage_tiff("Order PO-1 page one", "Order PO-1 page two"), "image/tiff", ["ocr", "ocr"]),
    "ticket.txt": (b"Subject: VPN down\n\nNobody in Leeds can connect since 9:00.", "text/plain", ["plain"]),
}


@pytest.mark.parametrize("name", sorted(GOOD_FILES))
def test_each_format_is_stored_with_its_pages(settings, tmp_path, name):
    content, media_type, sources = GOOD_FILES[name]
    path = tmp_path / name
    path.write_bytes(content)
    outcome = ingest(settings, path)
    assert outcome.status == "processed", outcome.error
    document, pages = stored(settings, outcome.document_id)
    assert (document.status, document.media_type, document.page_count) == ("processed", media_type, len(sources))
    assert [page.text_source for page in pages] == sources
    assert all((page.ocr_confidence is not None) == (page.text_source == "ocr") for page in pages)
    assert document.text and all(page.text in document.text for page in pages)
    assert outcome.ocr_used == ("ocr" in sources)
    # Field extraction reads the page as laid out; text without positions has none.
    assert (document.layout_text is None) == (sources == ["plain"])
    assert document.layout_text is None or document.layout_text.count("\f") == len(pages) - 1


def test_mail_attachments_become_linked_documents(settings, tmp_path):
    pdf = documents.text_pdf(documents.INVOICE_TEXT)
    path = tmp_path / "mail.eml"
    path.write_bytes(documents.eml("Invoice attached.", [("INV-2041.pdf", pdf, "application/pdf")]))
    run_id = start_run(settings)
    mail = ingest_file(InputFile.from_path(path), run_id, settings)
    assert mail.status == "processed" and len(mail.attachments) == 1
    attachment = ingest_file(mail.attachments[0], run_id, settings)
    assert attachment.status == "processed" and attachment.is_attachment
    document, _ = stored(settings, attachment.document_id)
    assert document.parent_id == mail.document_id
    assert document.source_path == f"{path}#INV-2041.pdf"
    assert "INV-2041" in document.text


def test_same_content_twice_is_one_document(settings, tmp_path):
    content = documents.text_pdf("Contract between A and B, " + str(tmp_path))
    first, second = tmp_path / "a.pdf", tmp_path / "copy-of-a.pdf"
    first.write_bytes(content)
    second.write_bytes(content)
    run_id = start_run(settings)
    outcomes = [ingest(settings, first, run_id), ingest(settings, second, run_id), ingest(settings, first)]
    assert len({outcome.document_id for outcome in outcomes}) == 1
    assert [outcome.reused for outcome in outcomes] == [False, True, True]
    with session_scope(settings.database_url) as session:
        sha = session.get_one(Document, outcomes[0].document_id).sha256
        assert session.scalar(select(func.count()).select_from(Document).where(Document.sha256 == sha)) == 1
        assert session.scalar(select(func.count()).select_from(RunDocument).where(RunDocument.run_id == run_id)) == 2


def test_text_read_by_ocr_is_read_again_when_the_ocr_settings_change(settings, tmp_path):
    scan, text_pdf = tmp_path / "scan.pdf", tmp_path / "invoice.pdf"
    scan.write_bytes(documents.scanned_pdf("Invoice INV-78 total 12.00 " + tmp_path.name))
    text_pdf.write_bytes(documents.text_pdf("Invoice INV-79 total 13.00 " + tmp_path.name))
    first = [ingest(settings, scan), ingest(settings, text_pdf)]
    assert [outcome.reused for outcome in first] == [False, False]
    assert [ingest(settings, path).reused for path in (scan, text_pdf)] == [True, True]
    changed = settings.model_copy(update={"ocr_dpi": 200})
    again = [ingest(changed, scan), ingest(changed, text_pdf)]
    assert [outcome.reused for outcome in again] == [False, True]  # the text layer never saw those settings
    scan_version = stored(settings, again[0].document_id)[0].stage_versions["text"]
    assert "/200dpi/" in scan_version and scan_version == text_version(changed, ocr_used=True)
    assert stored(settings, again[1].document_id)[0].stage_versions["text"] == TEXT_STAGE_VERSION


BAD_FILES = {
    "empty.pdf": (b"", "empty file"),
    "corrupt.pdf": (b"%PDF-1.7\n" + b"\x00garbage" * 50, "damaged PDF"),
    "locked.pdf": (documents.encrypted_pdf("secret"), "password-protected"),
    "bomb.png": (documents.image_bomb_png(), "decompression bomb"),
    "archive.docx": (b"PK\x03\x04" + b"\x00" * 200, "ZIP archive"),
    "binary.txt": (bytes(range(128, 256)) * 8, "not a readable text file"),
    "truncated.jpg": (documents.image_bytes("Receipt", "JPEG")[:300], "truncated|damaged"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_input_ends_as_a_failed_document_with_a_reason(settings, tmp_path, name):
    content, reason = BAD_FILES[name]
    path = tmp_path / name
    path.write_bytes(content)
    outcome = ingest(settings, path)
    assert outcome.status == "failed"
    assert re.search(reason, outcome.error), outcome.error
    document, pages = stored(settings, outcome.document_id)
    assert (document.status, document.error, pages) == ("failed", outcome.error, [])


def test_file_over_the_size_limit_fails_without_being_read(settings, tmp_path):
    path = tmp_path / "huge.pdf"
    path.write_bytes(documents.text_pdf("x" * 100))
    outcome = ingest(settings.model_copy(update={"max_file_bytes": 100}), path)
    assert outcome.status == "failed" and "exceeds the limit" in outcome.error
    assert stored(settings, outcome.document_id)[0].status == "failed"


def test_a_file_gone_since_the_walk_is_skipped_and_a_missing_folder_fails(settings, tmp_path):
    gone = tmp_path / "taken.txt"
    gone.write_text("moved away by another batch")
    file = InputFile.from_path(gone)
    gone.unlink()
    run_id = start_run(settings)
    outcome = ingest_file(file, run_id, settings)
    assert (outcome.status, outcome.error, outcome.document_id) == ("skipped", VANISHED_REASON, None)

    unmounted = ingest_file(InputFile.from_path(tmp_path / "not-mounted" / "a.pdf"), run_id, settings)
    assert unmounted.status == "failed"
    assert unmounted.error.startswith(f"cannot read file: its folder does not exist on {socket.gethostname()} ")
    with session_scope(settings.database_url) as session:
        rows = session.scalars(select(RunDocument).where(RunDocument.run_id == run_id).order_by(RunDocument.id)).all()
        assert [(row.status, row.worker) for row in rows] == [("skipped", worker_name()), ("failed", worker_name())]


def test_misnamed_file_is_read_by_its_content_and_flagged(settings, tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(documents.image_bytes("Misnamed receipt total 8.10", "PNG"))
    outcome = ingest(settings, path)
    assert outcome.status == "processed" and outcome.media_type == "image/png" and not outcome.reused
    document, _ = stored(settings, outcome.document_id)
    assert "content is image/png" in document.source_metadata["extension_warning"]


def test_discovery_walks_folders_and_skips_hidden_files(tmp_path):
    (tmp_path / "inbox" / "sub").mkdir(parents=True)
    (tmp_path / "inbox" / ".sync").mkdir()
    for name in ("inbox/a.pdf", "inbox/sub/b.txt", "inbox/.DS_Store", "inbox/.sync/c.pdf"):
        (tmp_path / name).write_bytes(b"x")
    found = discover_files([tmp_path / "inbox", tmp_path / "inbox" / "a.pdf"])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["inbox/a.pdf", "inbox/sub/b.txt"]
    with pytest.raises(FileNotFoundError):
        discover_files([tmp_path / "missing"])


NUL_FILES = {
    "late-nul.txt": b"Ticket: printer jam on floor 3\n" + b"paper " * 12_000 + b"\x00\x00 end of log",
    "utf16-nul.txt": "Ticket: VPN\u0000 down in Leeds since 9:00".encode("utf-16"),
    "nul-layer.pdf": documents.text_pdf("Invoice INV-\x0009 total 12.00 EUR, due on receipt"),
    "nul-headers.eml": (
        b"From: Dana <dana@example.com>\r\nTo: ap@example.com\r\nSubject: =?utf-8?q?Invoice=00_due?=\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nPlease pay the attached.\r\n--XX\r\n"
        b"Content-Type: text/plain; name*=utf-8''note%00one.txt\r\n"
        b"Content-Disposition: attachment; filename*=utf-8''note%00one.txt\r\n\r\nPay by Friday.\r\n--XX--\r\n"
    ),
}


@pytest.mark.parametrize("name", sorted(NUL_FILES))
def test_nul_characters_are_removed_with_a_warning_not_a_failure(settings, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(NUL_FILES[name] + str(tmp_path).encode("utf-16" if "utf16" in name else "utf-8")[2 if "utf16" in name else 0:])
    outcome = ingest(settings, path)
    assert outcome.status == "processed", outcome.error
    document, pages = stored(settings, outcome.document_id)
    assert "\x00" not in document.text and all("\x00" not in page.text for page in pages)
    assert any("NUL character" in warning for warning in document.source_metadata["warnings"])
    assert "\x00" not in repr(document.source_metadata)
    assert all("\x00" not in attachment.filename for attachment in outcome.attachments)


def test_a_database_error_is_reported_in_one_line_without_sql_or_text(settings):
    from sqlalchemy.exc import DataError

    from docpipe.errors import one_line_reason

    with pytest.raises(DataError) as raised:
        with session_scope(settings.database_url) as session:
            repository.start_run(session, None, {"text": "secret document text\x00"}, {})
            session.execute(select(func.length("secret document text\x00")))
    reason = one_line_reason(raised.value)
    assert "\n" not in reason and "SQL" not in reason and "secret document text" not in reason
    assert reason.startswith("DataError: ") and len(reason) <= 300


def _odd_inbox(tmp_path: Path) -> tuple[Path, Path]:
    """An inbox holding one real file and every kind of thing that is not one to read."""
    import os
    import socket

    inbox, outside = tmp_path / "inbox", tmp_path / "outside"
    inbox.mkdir()
    (outside / "folder").mkdir(parents=True)
    (outside / "target.txt").write_text("a file outside the inbox")
    (inbox / "a.txt").write_text("Ticket: the real one")
    (inbox / "link-out.txt").symlink_to(outside / "target.txt")
    (inbox / "link-in.txt").symlink_to(inbox / "a.txt")
    (inbox / "dangling.txt").symlink_to(inbox / "nothing.txt")
    (inbox / "loop-1").symlink_to(inbox / "loop-2")
    (inbox / "loop-2").symlink_to(inbox / "loop-1")
    (inbox / "folder-link").symlink_to(outside / "folder")
    (inbox / "zero").symlink_to("/dev/zero")
    os.mkfifo(inbox / "pipe")
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(inbox / "sock"))
    listener.close()
    return inbox, outside


def test_the_walk_reads_regular_files_and_says_why_it_reads_nothing_else(tmp_path):
    from pipeline.files import walk_inputs

    inbox, outside = _odd_inbox(tmp_path)
    walk = walk_inputs([inbox])
    assert walk.files == [inbox / "a.txt"]
    reasons = {skipped.path.name: skipped.reason for skipped in walk.skipped}
    assert reasons == {
        "dangling.txt": "skipped: broken symbolic link (its target does not exist)",
        "folder-link": f"skipped: symbolic link to {outside / 'folder'}, outside the input folders (not followed)",
        "link-in.txt": f"skipped: symbolic link to {inbox / 'a.txt'}, which is read at its own path",
        "link-out.txt": f"skipped: symbolic link to {outside / 'target.txt'}, outside the input folders (not followed)",
        "loop-1": "skipped: symbolic link loop",
        "loop-2": "skipped: symbolic link loop",
        "pipe": "skipped: a named pipe (FIFO), not a document",
        "sock": "skipped: a socket, not a document",
        "zero": "skipped: symbolic link to /dev/zero, outside the input folders (not followed)",
    }
