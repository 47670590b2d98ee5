"""The ``docpipe`` command line, run in-process as a user would call it."""

from __future__ import annotations

import subprocess
import sys

from cli.main import main
from tests import documents


def test_missing_path_is_a_one_line_error(capsys, tmp_path):
    assert main(["process", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"docpipe: error: no such file or folder: {tmp_path / 'nope'}"


def test_unknown_command_exits_non_zero():
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", "frobnicate"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_unmigrated_database_is_reported(capsys, empty_database, monkeypatch, tmp_path):
    from docpipe.settings import get_settings

    monkeypatch.setenv("DOCPIPE_DATABASE_URL", empty_database)
    get_settings.cache_clear()
    (tmp_path / "a.txt").write_text("hello")
    try:
        assert main(["process", str(tmp_path)]) == 2
    finally:
        get_settings.cache_clear()
    from db.migrate import head_revision

    assert f"database schema is at nothing, expected {head_revision()}" in capsys.readouterr().err


def test_unreachable_database_is_a_one_line_error(capsys, monkeypatch, tmp_path):
    from docpipe.settings import get_settings

    monkeypatch.setenv("DOCPIPE_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    get_settings.cache_clear()
    (tmp_path / "a.txt").write_text("hello")
    try:
        assert main(["process", str(tmp_path)]) == 2
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err
    assert err.startswith("docpipe: error: cannot connect to the database") and err.count("\n") == 1


def test_process_prints_a_summary(prefect_harness, settings, capsys, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "invoice.pdf").write_bytes(documents.text_pdf(f"Invoice {tmp_path}"))
    (tmp_path / "in" / "broken.pdf").write_bytes(b"%PDF-1.7\n" + b"\x00" * 64)
    assert main(["process", "--no-progress", str(tmp_path / "in")]) == 0
    out = capsys.readouterr().out
    assert "2 input file(s): 1 processed, 0 need review, 1 failed -> all accounted for" in out
    assert "damaged PDF" in out


def test_health_prints_the_model_health_report(own_settings, capsys):
    settings = own_settings
    from tests.db.test_model_accuracy import review, reviewable

    review(settings, reviewable(settings, "clf-cli-check", "x-cli-check"), department="Legal")
    assert main(["health", "--model", "clf-cli-check"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# docpipe model health")
    assert "| classify | clf-cli-check | department | 1 | 0% [0%, 79%] |" in out
    # No such model here, so nothing to compare its predictions with: said, not failed.
    assert "**clf-cli-check, the last 7 days** (1 document)" in out and "not on this machine" in out
