"""Shared fixtures: the official ISO 20022 schemas, and a migrated ledger on SQLite and PostgreSQL.

PostgreSQL runs on 127.0.0.1:5432 (trust auth, database ``test``); each test gets a schema of
its own, dropped afterwards. Set YKT_TEST_PG_URL to point elsewhere.
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

from ledger.db import make_engine, migrate, sqlite_url

pytest_plugins = ["tests.support.fixtures"]

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("YKT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def official_schemas() -> Path:
    folder = ROOT.parent / "shared" / "iso20022"
    if not (folder / "pain.001.001.09.xsd").exists():
        pytest.fail(f"the official ISO 20022 schemas are missing: expected them in {folder}")
    return folder


def _sqlite_engine(tmp_path):
    return make_engine(sqlite_url(tmp_path / "ledger.sqlite3"))


def _pg_engine():
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine = make_engine(f"{PG_URL}?options=-csearch_path%3D{schema}")
    return engine, admin, schema


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request, tmp_path):
    """A migrated, empty ledger database: each test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        eng = _sqlite_engine(tmp_path)
        migrate(eng)
        yield eng
        eng.dispose()
        return
    eng, admin, schema = _pg_engine()
    migrate(eng)
    yield eng
    eng.dispose()
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def sqlite_engine(tmp_path):
    eng = _sqlite_engine(tmp_path)
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def pg_engine():
    """A migrated, empty PostgreSQL ledger, for tests whose service processes share it as
    instances do in production (its URL: ``engine.url.render_as_string(hide_password=False)``)."""
    eng, admin, schema = _pg_engine()
    migrate(eng)  # once, before the instances start (they would race for the first migration)
    yield eng
    eng.dispose()
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()
