"""Inbox rules: which files a batch takes, and where they go afterwards.

A batch that moves files (the scheduled inbox deployment) leaves files still being
written for the next run, and moves every file it took to ``processed/`` or
``failed/`` under a dated folder, so the inbox holds only what is new. Nothing is ever
deleted; a name already taken gets a numbered suffix.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from docpipe.settings import DocpipeSettings
from docpipe.statuses import FileStatus


@dataclass(frozen=True)
class InboxPlan:
    ready: list[Path]
    """Files to process now."""
    deferred: list[Path]
    """Files modified too recently: possibly half-written, left for the next run."""


def archive_dirs(root: Path, settings: DocpipeSettings) -> tuple[Path, Path]:
    return (root / settings.processed_dir).resolve(), (root / settings.failed_dir).resolve()


def plan(
    files: list[Path], roots: list[Path], settings: DocpipeSettings, settle: bool, now: float | None = None
) -> InboxPlan:
    """Drop files already archived under the ``roots``; with ``settle``, defer fresh ones."""
    now = time.time() if now is None else now
    archives = [folder for root in roots for folder in archive_dirs(root, settings)]
    ready, deferred = [], []
    for path in files:
        if any(path.is_relative_to(folder) for folder in archives):
            continue
        if settle and now - path.stat().st_mtime < settings.inbox_settle_s:
            deferred.append(path)
        else:
            ready.append(path)
    return InboxPlan(ready=ready, deferred=deferred)


def root_of(path: Path, roots: list[Path]) -> Path:
    """The folder argument ``path`` was found under (its own folder for a file argument)."""
    for root in roots:
        if root.is_dir() and path.is_relative_to(root):
            return root
    return path.parent


def archive(path: Path, root: Path, status: str, settings: DocpipeSettings, today: date | None = None) -> Path:
    """Move ``path`` to the processed or failed folder; returns where it went."""
    processed, failed = archive_dirs(root, settings)
    base = failed if status == FileStatus.FAILED else processed
    target = base / (today or date.today()).isoformat() / path.relative_to(root)
    target.parent.mkdir(parents=True, exist_ok=True)
    candidate, counter = target, 1
    while candidate.exists():
        candidate = target.with_name(f"{target.stem}-{counter}{target.suffix}")
        counter += 1
    shutil.move(path, candidate)
    return candidate
