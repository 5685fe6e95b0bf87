"""A pain.002 that gives the whole payment file one status without listing a line (GrpSts, as
SIX and German banks send; issue 15 item 1): a final one books every line the file instructed
that is still pending, one still in progress books nothing and is in the reading report."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from sqlalchemy import select

from domain.model import FailureReason, LineStatus
from ledger import store
from ledger.schema import files, lines
from service.ingest import ingest_file
from tests.support.exchange import BANK
from tests.support.ledger_world import World

START = datetime(2026, 11, 2, 2, 0, tzinfo=timezone.utc)
SIX = "http://www.six-interbank-clearing.com/de/pain.002.001.03.ch.02.xsd"


def group_report(message_id: str, original: str, status: str, reason: str = "") -> bytes:
    why = f"<StsRsnInf><Rsn><Cd>{reason}</Cd></Rsn><AddtlInf>整批退回</AddtlInf></StsRsnInf>" if reason else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{SIX}"><CstmrPmtStsRpt>'
            f"<GrpHdr><MsgId>{message_id}</MsgId><CreDtTm>2026-11-03T10:49:10</CreDtTm></GrpHdr>"
            f"<OrgnlGrpInfAndSts><OrgnlMsgId>{original}</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId>"
            f"<GrpSts>{status}</GrpSts>{why}</OrgnlGrpInfAndSts></CstmrPmtStsRpt></Document>\n").encode()


def test_a_group_status_in_progress_then_a_group_rejection(engine, tmp_path):
    world = World(engine, tmp_path, START)
    batch_id, total = world.submit_fund_dispatch("耕地地力保护补贴", "652301", "2026-11", 15, seed=3)
    with engine.connect() as conn:
        sent = store.outbound_file(conn, batch_id)
    inbound = tmp_path / "in"
    inbound.mkdir()

    accepted = inbound / "status-1.xml"
    accepted.write_bytes(group_report("S-1", sent.message_id, "ACTC"))
    outcome = ingest_file(world.ctx, BANK, accepted, accepted.name)
    with engine.connect() as conn:
        assert store.line_status_totals(conn, batch_id) == {LineStatus.PENDING.value: (15, total)}
        row = conn.execute(select(files).where(files.c.id == outcome.file_id)).one()
    assert outcome.booked_lines == 0
    report = json.loads(row.reading_report)
    assert report["skipped"]["by_reason"] == {"NOT_FINAL": {"count": 1, "total_fen": 0, "unpriced": 1}}

    rejected = inbound / "status-2.xml"
    rejected.write_bytes(group_report("S-2", sent.message_id, "RJCT", "AC04"))
    outcome = ingest_file(world.ctx, BANK, rejected, rejected.name)
    assert outcome.booked_lines == 15
    with engine.connect() as conn:
        assert store.line_status_totals(conn, batch_id) == {LineStatus.FAILED.value: (15, total)}
        reasons = {r for (r,) in conn.execute(select(lines.c.reason).where(lines.c.batch_id == batch_id))}
    assert reasons == {FailureReason.ACCOUNT_CLOSED.value}
