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


@pytest.mark.parametrize("view", ["document_results", "invoices", "invoice_line_items", "contracts", "tickets"])
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
