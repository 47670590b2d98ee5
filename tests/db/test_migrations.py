"""Migrations build the schema from nothing, agree with the models, and roll back."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from db import migrate
from db.models import Base

DOCUMENT_RESULTS_COLUMNS = [
    "document_id", "source_path", "sha256", "status", "error",
    "doc_type", "doc_type_confidence", "urgency", "urgency_confidence",
    "department", "department_confidence", "fields", "processed_at",
]


def test_upgrade_from_empty_matches_the_models(database_url):
    engine = create_engine(database_url)
    try:
        migrate.upgrade(database_url)
        assert migrate.current_revision(database_url) == migrate.head_revision()
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert differences == []
    finally:
        engine.dispose()


def test_document_results_view_keeps_its_contract(migrated_database):
    engine = create_engine(migrated_database)
    try:
        columns = [column["name"] for column in inspect(engine).get_columns("document_results")]
        # The listed columns come first, in this order; later migrations may only append.
        assert columns[: len(DOCUMENT_RESULTS_COLUMNS)] == DOCUMENT_RESULTS_COLUMNS
    finally:
        engine.dispose()


def test_downgrade_to_empty_and_back(migrated_database):
    engine = create_engine(migrated_database)
    try:
        migrate.downgrade(migrated_database, "base")
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names()) - {"alembic_version"}
            assert tables == set()
            assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 0
        migrate.upgrade(migrated_database)
        assert migrate.current_revision(migrated_database) == migrate.head_revision()
    finally:
        engine.dispose()
