"""camt.054 as a result source (issue 15 item 2): a bank profiled with ``[format] results =
"camt.054.001.08"`` confirms payments with debit notifications; the simulated bank writes them,
the service books them like a pain.002, and a non-final entry books nothing until a later
notification makes it final. Figures are read from the notification by the test's own XPath."""
from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import datetime, timezone
from decimal import Decimal

from lxml import etree
from sqlalchemy import select

import bank_formats
from bank_sim.bank import SimulatedBank
from domain.model import LineStatus
from ledger import store
from ledger.schema import files
from service.ingest import ingest_file
from service.profiles import profile_from_dict
from tests.support.exchange import BANK
from tests.support.ledger_world import World

START = datetime(2026, 11, 2, 2, 0, tzinfo=timezone.utc)
CAMT054 = "camt.054.001.08"


def _notifications(world: World) -> None:
    """The world's bank, profiled as confirming with camt.054 notifications."""
    profile = world.ctx.settings.banks[BANK]
    world.ctx.settings.banks[BANK] = replace(profile, format_options={"results": CAMT054})


def _bank_answers(world: World, tmp_path, batch_id: str, failure_ppm: int):
    sim = SimulatedBank(tmp_path / "sim", bank_formats.get("iso20022", results=CAMT054), seed=11,
                        bank_code=BANK, failure_rate_ppm=failure_ppm)
    with world.ctx.engine.connect() as conn:
        sent = store.outbound_file(conn, batch_id)
    (sim.inbox / sent.name).write_bytes(world.bank.inbox[sent.name])
    (result,) = sim.process_once()
    return result


def _fen(text: str) -> int:
    return int(Decimal(text) * 100)


def _facts(data: bytes) -> tuple[dict[int, int], dict[int, int], dict[int, str]]:
    """paid seq -> fen, failed seq -> fen, failed seq -> return code, read by XPath alone."""
    doc = etree.fromstring(data)

    def x(el, path):
        return el.xpath(path)

    paid, failed, codes = {}, {}, {}
    for ntry in x(doc, "/*[local-name()='Document']/*/*[local-name()='Ntfctn']/*[local-name()='Ntry']"):
        seq = int(x(ntry, ".//*[local-name()='Refs']/*[local-name()='InstrId']/text()")[0])
        fen = _fen(x(ntry, "*[local-name()='Amt']/text()")[0])
        if x(ntry, "*[local-name()='CdtDbtInd']/text()")[0] == "DBIT":
            paid[seq] = fen
        else:
            failed[seq] = fen
            codes[seq] = x(ntry, ".//*[local-name()='RtrInf']/*[local-name()='Rsn']/*/text()")[0]
    return paid, failed, codes


def test_a_profile_names_camt054_as_its_result_source(tmp_path):
    profile = profile_from_dict({"bank": {"code": "B1"}, "format": {"family": "iso20022", "results": CAMT054}},
                                tmp_path)
    assert profile.bank_format.notifications == CAMT054


def test_notifications_book_like_a_status_report(engine, tmp_path):
    world = World(engine, tmp_path, START)
    batch_id, total = world.submit_fund_dispatch("耕地地力保护补贴", "652301", "2026-11", 40, seed=5)
    _notifications(world)
    result = _bank_answers(world, tmp_path, batch_id, failure_ppm=250_000)
    data = result.read_bytes()
    assert f'xmlns="urn:iso:std:iso:20022:tech:xsd:{CAMT054}"'.encode() in data
    paid, failed, codes = _facts(data)
    assert paid and failed and len(paid) + len(failed) == 40 and sum(paid.values()) + sum(failed.values()) == total

    outcome = ingest_file(world.ctx, BANK, result, result.name)

    assert outcome.booked_lines == 40
    with engine.connect() as conn:
        totals = store.line_status_totals(conn, batch_id)
        row = conn.execute(select(files).where(files.c.batch_id == batch_id, files.c.direction == "IN")).one()
    assert totals[LineStatus.PAID.value] == (len(paid), sum(paid.values()))
    assert totals[LineStatus.FAILED.value] == (len(failed), sum(failed.values()))
    assert LineStatus.PENDING.value not in totals
    assert row.message_id == etree.fromstring(data).xpath("//*[local-name()='GrpHdr']/*[local-name()='MsgId']/text()")[0]
    assert json.loads(row.reading_report)["skipped"]["count"] == 0


def test_a_pending_notification_books_nothing_until_a_final_one_comes(engine, tmp_path):
    world = World(engine, tmp_path, START)
    batch_id, _ = world.submit_fund_dispatch("耕地地力保护补贴", "652301", "2026-11", 12, seed=9)
    _notifications(world)
    result = _bank_answers(world, tmp_path, batch_id, failure_ppm=0)
    data = result.read_bytes()
    paid, _, _ = _facts(data)
    assert len(paid) == 12
    # the bank reports line 3 as pending first (PDNG), then booked in a later notification
    lines = data.split(b"\n")
    (at,) = [i for i, ln in enumerate(lines) if b"<InstrId>3</InstrId>" in ln]
    pending = lines[:]
    pending[at] = lines[at].replace(b"<Sts><Cd>BOOK</Cd></Sts>", b"<Sts><Cd>PDNG</Cd></Sts>")
    assert pending[at] != lines[at]
    first = result.with_name("first_" + result.name)
    first.write_bytes(b"\n".join(pending))

    outcome = ingest_file(world.ctx, BANK, first, first.name)

    assert outcome.booked_lines == 11
    with engine.connect() as conn:
        totals = store.line_status_totals(conn, batch_id)
        row = conn.execute(select(files).where(files.c.id == outcome.file_id)).one()
    assert totals[LineStatus.PENDING.value] == (1, paid[3])
    assert totals[LineStatus.PAID.value] == (11, sum(paid.values()) - paid[3])
    report = json.loads(row.reading_report)
    assert report["skipped"]["by_reason"] == {"NOT_FINAL": {"count": 1, "total_fen": paid[3], "unpriced": 0}}

    # the final notification of line 3 alone, another message
    later = [ln for i, ln in enumerate(lines) if not ln.startswith(b"<Ntry>") or i == at]
    later = [ln.replace(b"<MsgId>", b"<MsgId>L", 1) if ln.startswith(b"<GrpHdr>") else ln for ln in later]
    second = result.with_name("later_" + result.name)
    second.write_bytes(b"\n".join(later))

    outcome = ingest_file(world.ctx, BANK, second, second.name)

    assert outcome.booked_lines == 1
    with engine.connect() as conn:
        totals = store.line_status_totals(conn, batch_id)
    assert totals == {LineStatus.PAID.value: (12, sum(paid.values()))}


def test_a_notification_that_does_not_echo_our_message_id_answers_the_latest_payment_file(engine, tmp_path):
    world = World(engine, tmp_path, START)
    batch_id, total = world.submit_fund_dispatch("耕地地力保护补贴", "652301", "2026-11", 10, seed=4)
    _notifications(world)
    result = _bank_answers(world, tmp_path, batch_id, failure_ppm=0)
    data = result.read_bytes()
    bare = re.sub(rb"<Refs><MsgId>[^<]*</MsgId>", b"<Refs>", data)
    assert bare.count(b"<Refs><PmtInfId>") == 10 and b"<Refs><MsgId>" not in bare
    result.write_bytes(bare)

    outcome = ingest_file(world.ctx, BANK, result, result.name)

    assert outcome.booked_lines == 10
    with engine.connect() as conn:
        assert store.line_status_totals(conn, batch_id) == {LineStatus.PAID.value: (10, total)}
        sent = store.outbound_file(conn, batch_id)
    assert sent.state == "ACKNOWLEDGED"
