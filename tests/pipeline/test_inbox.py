"""Inbox rules: fresh files wait, processed files move, nothing is deleted or overwritten."""

from __future__ import annotations

import os
import time
from datetime import date

from pipeline import inbox
from pipeline.files import discover_files


def make(path, content=b"x", age_s=3600.0):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    stamp = time.time() - age_s
    os.utime(path, (stamp, stamp))
    return path


def test_recent_files_wait_and_archived_files_are_not_taken_again(settings, tmp_path):
    root = tmp_path / "inbox"
    old = make(root / "old.pdf")
    fresh = make(root / "uploading.pdf", age_s=1)
    make(root / "processed" / "2026-01-01" / "done.pdf")
    make(root / "failed" / "2026-01-01" / "bad.pdf")
    files = discover_files([root])
    moving = inbox.plan(files, [root], settings, settle=True)
    assert (moving.ready, moving.deferred) == ([old], [fresh])
    once = inbox.plan(files, [root], settings, settle=False)
    assert (sorted(once.ready), once.deferred) == (sorted([old, fresh]), [])


def test_archive_keeps_subfolders_and_never_overwrites(settings, tmp_path):
    root = tmp_path / "inbox"
    day = date(2026, 11, 26)
    first = inbox.archive(make(root / "a" / "inv.pdf", b"1"), root, "processed", settings, day)
    second = inbox.archive(make(root / "a" / "inv.pdf", b"2"), root, "needs_review", settings, day)
    failed = inbox.archive(make(root / "bad.pdf", b"3"), root, "failed", settings, day)
    assert first == root / "processed" / "2026-11-26" / "a" / "inv.pdf"
    assert second == root / "processed" / "2026-11-26" / "a" / "inv-1.pdf"
    assert failed == root / "failed" / "2026-11-26" / "bad.pdf"
    assert [p.read_bytes() for p in (first, second, failed)] == [b"1", b"2", b"3"]
    assert not (root / "a" / "inv.pdf").exists()


def test_absolute_archive_folders_are_honoured(settings, tmp_path):
    custom = settings.model_copy(update={"processed_dir": str(tmp_path / "archive")})
    moved = inbox.archive(make(tmp_path / "inbox" / "x.txt"), tmp_path / "inbox", "processed", custom, date(2026, 1, 2))
    assert moved == tmp_path / "archive" / "2026-01-02" / "x.txt"
