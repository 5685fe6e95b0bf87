"""Revision 0003 (exchange leases and states) upgrades a ledger holding files and goes back down."""
from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from alembic.config import Config
from sqlalchemy import insert, inspect, select, text

from ledger.db import MIGRATIONS, migrate
from ledger.schema import batches, files


def _alembic(engine, action, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        action(config, revision)


def test_0003_keeps_existing_files_and_downgrades(engine):
    _alembic(engine, command.downgrade, "0002")
    assert "leases" not in inspect(engine).get_table_names()
    created, updated = datetime(2026, 11, 20, 9, 0, tzinfo=UTC), datetime(2026, 11, 20, 9, 5, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(insert(batches).values(
            id="B1", idempotency_key="k1", request_digest="d", program="p", period="2026-11", region="652301",
            bank_code="RCB01", payer_name="f", payer_account="a", roster_count=1, roster_fen=100, line_count=1,
            total_fen=100, status="DISPATCHED", submitted_by="clerk", created_at=created))
        for direction, state in (("OUT", "DELIVERED"), ("IN", "BOOKED")):
            conn.execute(insert(files).values(
                direction=direction, bank_code="RCB01", batch_id="B1", name=f"{direction}.xml", sha256=direction * 8,
                state=state, attempts=1, created_at=created, updated_at=updated))
    migrate(engine)
    with engine.connect() as conn:
        rows = conn.execute(select(files.c.direction, files.c.state, files.c.delivered_at, files.c.rendered_at)
                            .order_by(files.c.id)).all()
        assert conn.execute(text("SELECT count(*) FROM leases")).scalar_one() == 0
    (out_dir, out_state, delivered, rendered), (in_dir, in_state, in_delivered, in_rendered) = rows
    assert (out_dir, out_state, in_dir, in_state) == ("OUT", "DELIVERED", "IN", "BOOKED")

    def same(moment, expected):  # SQLite hands back naive UTC
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)) == expected

    assert same(delivered, updated) and same(rendered, created)  # the same bytes render again
    assert in_delivered is None and in_rendered is None
    with engine.begin() as conn:
        conn.execute(text("UPDATE files SET state = 'ACKNOWLEDGED' WHERE direction = 'OUT'"))
    _alembic(engine, command.downgrade, "0002")
    with engine.connect() as conn:
        assert conn.execute(select(files.c.state).where(files.c.direction == "OUT")).scalar_one() == "DELIVERED"
    assert "leases" not in inspect(engine).get_table_names()
    migrate(engine)
