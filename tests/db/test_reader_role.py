"""Downstream systems read the documented views through a role that cannot write."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError


@pytest.fixture
def reader_url(migrated_database):
    """A login role for a downstream system, member of docpipe_reader (as docs/database.md shows)."""
    name = f"erp_{uuid.uuid4().hex[:8]}"
    admin = create_engine(migrated_database, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE ROLE {name} LOGIN IN ROLE docpipe_reader"))
    yield make_url(migrated_database).set(username=name, password=None).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f"DROP ROLE {name}"))
    admin.dispose()


@pytest.mark.parametrize(
    "view", ["document_results", "invoices", "invoice_line_items", "contracts", "tickets", "review_outcomes", "model_accuracy"]
)
def test_reader_can_select_the_documented_views(reader_url, view):
    engine = create_engine(reader_url)
    try:
        with engine.connect() as connection:
            assert connection.execute(text(f"SELECT count(*) FROM {view}")).scalar() >= 0
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO documents (sha256, source_path, filename, size_bytes, status, source_metadata, stage_versions)"
        " VALUES ('x', 'x', 'x', 0, 'pending', '{}', '{}')",
        "UPDATE documents SET status = 'failed'",
        "DELETE FROM classifications",
        "SELECT count(*) FROM documents",  # tables are internal: only the views are the contract
        "CREATE TABLE mine (id int)",
    ],
)
def test_reader_cannot_write_or_reach_internal_tables(reader_url, statement):
    engine = create_engine(reader_url)
    try:
        with engine.connect() as connection, pytest.raises(ProgrammingError, match="permission denied"):
            connection.execute(text(statement))
    finally:
        engine.dispose()


def test_reader_can_neither_fake_a_runs_heartbeat_nor_hold_up_a_batch_with_locks(reader_url, settings, tmp_path):
    from db import repository
    from db.session import session_scope
    from pipeline.files import InputFile, ingest_file

    engine = create_engine(reader_url)
    try:
        with engine.connect() as connection:
            with pytest.raises(ProgrammingError, match="permission denied"):
                connection.execute(text("UPDATE processing_runs SET heartbeat_at = now()"))
        with engine.connect() as locker:  # every advisory lock key the reader might guess at
            locker.execute(text("SELECT pg_advisory_lock(6582115, k) FROM generate_series(0, 200) AS k"))
            locker.execute(text("SELECT pg_advisory_lock(k) FROM generate_series(0, 200) AS k"))
            with session_scope(settings.database_url) as session:
                run_id = repository.start_run(session, None, {"text": "test"}, {}).id
            (tmp_path / "a.txt").write_text(f"Ticket {uuid.uuid4().hex}")
            outcome = ingest_file(InputFile.from_path(tmp_path / "a.txt"), run_id, settings)
            assert outcome.status == "processed"  # the product takes no advisory lock any more
    finally:
        engine.dispose()
