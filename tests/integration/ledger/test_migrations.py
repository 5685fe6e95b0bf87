"""The Alembic migrations build exactly the tables ledger/schema.py describes, on both databases."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ledger.schema import metadata


def test_migrated_database_matches_the_schema_module(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
