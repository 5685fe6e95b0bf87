"""A camt.054 notification covering several batches books every batch exactly once (issue 15).

A bank confirming payments with debit notifications lists the account's debits of a period,
which may answer several of our payment files. The notification here is composed from the
simulated bank's answers to three batches, their entries interleaved; what each batch should
book is read from the composed file by the test's own XPath. The file's own row books its first
batch, a part row (``part_of``) each other batch, all in one transaction: a crash books nothing,
the same bytes again book nothing, and a batch refused is quarantined alone."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timezone
from decimal import Decimal
from itertools import zip_longest

import pytest
from lxml import etree
from sqlalchemy import func, select

import bank_formats
from adapter.cli_files import _file_notes
from adapter.convert import file_to_pb
from bank_sim.bank import SimulatedBank
from domain.model import FileState, LineStatus
from i18n import reset, use
from i18n.stored import shown
from ledger import journal, store
from ledger.schema import files, transactions
from service.ingest import ingest_file
from service.reporting import reconciliation_content
from tests.support.exchange import BANK
from tests.support.ledger_world import World

START = datetime(2026, 11, 2, 2, 0, tzinfo=timezone.utc)
CAMT054 = "camt.054.001.08"
UNKNOWN = "B2026-UNKNOWN"


@pytest.fixture
def world(engine, tmp_path) -> World:
    world = World(engine, tmp_path, START)
    profile = world.ctx.settings.banks[BANK]
    world.ctx.settings.banks[BANK] = replace(profile, format_options={"results": CAMT054})
    return world


def _three_batches(world: World) -> list[str]:
    return [world.submit_fund_dispatch("耕地地力保护补贴", "652301", "2026-11", n, seed=seed)[0]
            for n, seed in ((8, 21), (11, 22), (6, 23))]


def _answer(world: World, batch_id: str, fail) -> list[bytes]:
    """The simulated bank's camt.054 answer to the batch's payment file, as its lines."""
    sim = SimulatedBank(world.tmp_path / f"sim-{batch_id}", bank_formats.get("iso20022", results=CAMT054), seed=3,
                        bank_code=BANK, failure_rate_ppm=0, fail=fail)
    with world.ctx.engine.connect() as conn:
        sent = store.outbound_file(conn, batch_id)
    (sim.inbox / sent.name).write_bytes(world.bank.inbox[sent.name])
    (result,) = sim.process_once()
    return result.read_bytes().split(b"\n")


def _notification(world: World, batch_ids: list[str], *, rename: dict[str, str] | None = None):
    """One notification of the batches' answers, entries taken in turn from each (a batch's
    entries are not together); ``rename`` makes a batch's entries name another batch id."""
    answers = [_answer(world, b, fail={2, 5}) for b in batch_ids]
    entries = []
    for b, answer in zip(batch_ids, answers):
        mine = [ln for ln in answer if ln.startswith(b"<Ntry>")]
        new = (rename or {}).get(b)
        if new:
            mine = [ln.replace(b.encode(), new.encode()) for ln in mine]
            assert all(f"<PmtInfId>{new}</PmtInfId>".encode() in ln for ln in mine)
        entries.append(mine)
    interleaved = [ln for group in zip_longest(*entries) for ln in group if ln is not None]
    head = [ln for ln in answers[0] if not ln.startswith(b"<Ntry>")]
    at = next(i for i, ln in enumerate(answers[0]) if ln.startswith(b"<Ntry>"))
    lines = head[:at] + interleaved + head[at:]
    lines = [ln.replace(b"<MsgId>", b"<MsgId>MANY-", 1) if ln.startswith(b"<GrpHdr>") else ln for ln in lines]
    path = world.tmp_path / "camt054-many.xml"
    path.write_bytes(b"\n".join(lines))
    return path


def _by_batch(data: bytes) -> dict[str, dict[str, dict[int, int]]]:
    """batch -> {"paid": seq -> fen, "failed": seq -> fen}, read from the file by XPath alone."""
    def x(el, path):
        return el.xpath(path)

    out: dict[str, dict[str, dict[int, int]]] = {}
    doc = etree.fromstring(data)
    for ntry in x(doc, "/*[local-name()='Document']/*/*[local-name()='Ntfctn']/*[local-name()='Ntry']"):
        batch = x(ntry, ".//*[local-name()='Refs']/*[local-name()='PmtInfId']/text()")[0]
        seq = int(x(ntry, ".//*[local-name()='Refs']/*[local-name()='InstrId']/text()")[0])
        fen = int(Decimal(x(ntry, "*[local-name()='Amt']/text()")[0]) * 100)
        side = "paid" if x(ntry, "*[local-name()='CdtDbtInd']/text()")[0] == "DBIT" else "failed"
        out.setdefault(batch, {"paid": {}, "failed": {}})[side][seq] = fen
    return out


def _expected_totals(facts: dict[str, dict[int, int]]) -> dict[str, tuple[int, int]]:
    return {LineStatus.PAID.value: (len(facts["paid"]), sum(facts["paid"].values())),
            LineStatus.FAILED.value: (len(facts["failed"]), sum(facts["failed"].values()))}


def _rows(engine):
    with engine.connect() as conn:
        return conn.execute(select(files).where(files.c.direction == "IN").order_by(files.c.id)).all()


def _result_transactions(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(transactions)
                            .where(transactions.c.kind == "RESULT")).scalar_one()


def _verified(engine) -> None:
    with journal.snapshot(engine) as conn:
        report = journal.verify(conn)
    assert report.ok, report.breaks[:3]


def test_a_notification_over_three_batches_books_each_batch(world, engine):
    batch_ids = _three_batches(world)
    path = _notification(world, batch_ids)
    facts = _by_batch(path.read_bytes())
    assert sorted(facts) == sorted(batch_ids)
    assert all(facts[b]["failed"].keys() == {2, 5} for b in batch_ids)

    outcome = ingest_file(world.ctx, BANK, path, path.name)

    assert outcome.state is FileState.BOOKED and outcome.batch_id == batch_ids[0]
    assert [(p.state, p.batch_id) for p in outcome.parts] == [(FileState.BOOKED, b) for b in batch_ids[1:]]
    assert outcome.booked_lines == sum(len(f["paid"]) + len(f["failed"]) for f in facts.values())
    with engine.connect() as conn:
        for b in batch_ids:
            assert store.line_status_totals(conn, b) == _expected_totals(facts[b]), b
            assert store.get_batch(conn, b).status == "RESULTS_COMPLETE"
    own, *parts = _rows(engine)
    assert own.id == outcome.file_id and own.part_of is None
    assert [(p.id, p.batch_id, p.part_of, p.state, p.sha256, p.name) for p in parts] == [
        (q.file_id, b, own.id, "BOOKED", own.sha256, own.name) for q, b in zip(outcome.parts, batch_ids[1:])]
    assert _result_transactions(engine) == 3

    # each part is listed under its batch, and its batch only; the file RPCs and ykt files name the file
    with engine.connect() as conn:
        for b, row in zip(batch_ids, [own, *parts]):
            (listed,) = [f for f in store.list_files(conn, b, None, 10) if f.direction == "IN"]
            assert listed.id == row.id
            shown_file = file_to_pb(listed)
            assert shown_file.part_of == (0 if row is own else own.id)
            token = use("en")
            try:
                assert (f"part of file {own.id} (this batch's records in it)" in _file_notes(shown_file)) == (
                    row is not own)
            finally:
                reset(token)
    # the file's own report no longer calls the other batches' entries skipped; it names the parts
    report = json.loads(own.reading_report)
    first = facts[batch_ids[0]]
    assert report["read"] == {"records": len(first["paid"]) + len(first["failed"]),
                              "total_fen": sum(first["paid"].values()) + sum(first["failed"].values())}
    assert report["skipped"]["count"] == 0
    for b, part in zip(batch_ids[1:], parts):
        n = len(facts[b]["paid"]) + len(facts[b]["failed"])
        fen = sum(facts[b]["paid"].values()) + sum(facts[b]["failed"].values())
        assert f"batch {b}: its {n} entries ({fen} fen) read by part file {part.id}, whose reading report says " \
               "what it booked and skipped" in [shown(n, "en") for n in report["notes"]]
        assert json.loads(part.reading_report)["read"] == {"records": n, "total_fen": fen}
        # the reconciliation of a batch booked by a part reads what the part booked
        bank = reconciliation_content(world.ctx, b)["bank"]
        assert (bank["paid_count"], bank["paid_fen"], bank["failed_count"], bank["failed_fen"]) == (
            len(facts[b]["paid"]), sum(facts[b]["paid"].values()), len(facts[b]["failed"]),
            sum(facts[b]["failed"].values()))
    _verified(engine)


def test_the_same_bytes_again_book_nothing(world, engine):
    batch_ids = _three_batches(world)
    path = _notification(world, batch_ids)
    first = ingest_file(world.ctx, BANK, path, path.name)
    with engine.connect() as conn:
        before = {b: store.line_status_totals(conn, b) for b in batch_ids}
    again = path.with_name("again-" + path.name)
    again.write_bytes(path.read_bytes())

    outcome = ingest_file(world.ctx, BANK, again, again.name)

    assert (outcome.state, outcome.duplicate_of, outcome.booked_lines, outcome.parts) == (
        FileState.DUPLICATE, first.file_id, 0, ())
    with engine.connect() as conn:
        assert {b: store.line_status_totals(conn, b) for b in batch_ids} == before
    assert [r.state for r in _rows(engine)] == ["BOOKED", "BOOKED", "BOOKED", "DUPLICATE"]
    assert _result_transactions(engine) == 3
    _verified(engine)


def test_a_crash_between_parts_books_nothing_and_the_retry_books_everything_once(world, engine, monkeypatch):
    batch_ids = _three_batches(world)
    path = _notification(world, batch_ids)
    facts = _by_batch(path.read_bytes())
    real = store.book_result_file
    calls = []

    def crash_on_the_second(conn, file_id, batch_id, acct, now):
        calls.append(batch_id)
        if len(calls) == 2:
            raise RuntimeError("the process died here")
        return real(conn, file_id, batch_id, acct, now)

    monkeypatch.setattr(store, "book_result_file", crash_on_the_second)
    with pytest.raises(RuntimeError, match="died"):
        ingest_file(world.ctx, BANK, path, path.name)
    assert calls == batch_ids[:2]

    (row,) = _rows(engine)  # no part row survives; the file waits to be booked again
    assert (row.state, row.batch_id) == ("RECEIVED", None)
    with engine.connect() as conn:
        for b in batch_ids:
            assert set(store.line_status_totals(conn, b)) == {LineStatus.PENDING.value}
    assert _result_transactions(engine) == 0
    _verified(engine)

    monkeypatch.setattr(store, "book_result_file", real)
    outcome = ingest_file(world.ctx, BANK, path, path.name)

    assert outcome.file_id == row.id and outcome.state is FileState.BOOKED
    with engine.connect() as conn:
        for b in batch_ids:
            assert store.line_status_totals(conn, b) == _expected_totals(facts[b]), b
    assert [(r.state, r.batch_id) for r in _rows(engine)] == [("BOOKED", b) for b in batch_ids]
    assert _result_transactions(engine) == 3
    _verified(engine)


def test_one_unknown_batch_among_three_is_quarantined_alone(world, engine):
    batch_ids = _three_batches(world)
    path = _notification(world, batch_ids, rename={batch_ids[1]: UNKNOWN})
    facts = _by_batch(path.read_bytes())

    outcome = ingest_file(world.ctx, BANK, path, path.name)

    assert (outcome.state, outcome.batch_id) == (FileState.BOOKED, batch_ids[0])
    assert [(p.state, p.batch_id) for p in outcome.parts] == [(FileState.QUARANTINED, None),
                                                              (FileState.BOOKED, batch_ids[2])]
    with engine.connect() as conn:
        for b in (batch_ids[0], batch_ids[2]):
            assert store.line_status_totals(conn, b) == _expected_totals(facts[b]), b
        assert set(store.line_status_totals(conn, batch_ids[1])) == {LineStatus.PENDING.value}
    own, unknown, third = _rows(engine)
    assert (unknown.state, unknown.batch_id, unknown.claimed_batch_id, unknown.part_of) == (
        "QUARANTINED", None, UNKNOWN, own.id)
    assert f"names batch {UNKNOWN}, which does not exist" in shown(unknown.last_error, "en")
    assert any(f"names batch {UNKNOWN}" in shown(p, "en") for p in outcome.problems)
    # the unknown batch's entries stay listed as skipped in the file's own report, with a note
    report = json.loads(own.reading_report)
    n = len(facts[UNKNOWN]["paid"]) + len(facts[UNKNOWN]["failed"])
    assert report["skipped"]["by_reason"] == {"OTHER_BATCH": {
        "count": n, "total_fen": sum(facts[UNKNOWN]["paid"].values()) + sum(facts[UNKNOWN]["failed"].values()),
        "unpriced": 0}}
    assert any(note.startswith(f"batch {UNKNOWN}: its {n} entries") and f"part file {unknown.id} quarantined" in note
               for note in [shown(n, "en") for n in report["notes"]])
    assert _result_transactions(engine) == 2
    _verified(engine)


def test_when_the_first_batch_is_refused_the_others_still_book(world, engine):
    """The file's own row stands for its first batch: quarantined with that batch's reason (and
    listed under the batch it names), while the parts book the other batches."""
    batch_ids = _three_batches(world)
    path = _notification(world, batch_ids, rename={batch_ids[0]: UNKNOWN})
    facts = _by_batch(path.read_bytes())

    outcome = ingest_file(world.ctx, BANK, path, path.name)

    assert (outcome.state, outcome.batch_id) == (FileState.QUARANTINED, None)
    assert [(p.state, p.batch_id) for p in outcome.parts] == [(FileState.BOOKED, b) for b in batch_ids[1:]]
    assert outcome.booked_lines == sum(len(facts[b]["paid"]) + len(facts[b]["failed"]) for b in batch_ids[1:])
    own, *parts = _rows(engine)
    assert (own.state, own.claimed_batch_id, own.part_of) == ("QUARANTINED", UNKNOWN, None)
    assert f"names batch {UNKNOWN}, which does not exist" in shown(own.last_error, "en")
    assert [(p.state, p.batch_id, p.part_of) for p in parts] == [("BOOKED", b, own.id) for b in batch_ids[1:]]
    with engine.connect() as conn:
        for b in batch_ids[1:]:
            assert store.line_status_totals(conn, b) == _expected_totals(facts[b]), b
        assert set(store.line_status_totals(conn, batch_ids[0])) == {LineStatus.PENDING.value}
    report = json.loads(own.reading_report)
    assert report["read"] == {"records": 0, "total_fen": 0} and report["skipped"]["count"] == 0
    assert shown(report["notes"][0], "en").startswith(f"batch {UNKNOWN}: its records were read and not booked")
    assert _result_transactions(engine) == 2
    _verified(engine)

    again = path.with_name("again-" + path.name)
    again.write_bytes(path.read_bytes())
    assert ingest_file(world.ctx, BANK, again, again.name).state is FileState.DUPLICATE
    assert _result_transactions(engine) == 2


def test_a_closed_batch_among_three_is_quarantined_alone_and_listed_under_it(world, engine):
    batch_ids = _three_batches(world)
    path = _notification(world, batch_ids)
    facts = _by_batch(path.read_bytes())
    world.close(batch_ids[2], allow_unreported=True)
    with engine.connect() as conn:
        closed = store.line_status_totals(conn, batch_ids[2])

    outcome = ingest_file(world.ctx, BANK, path, path.name)

    assert [(p.state, p.batch_id) for p in outcome.parts] == [(FileState.BOOKED, batch_ids[1]),
                                                              (FileState.QUARANTINED, batch_ids[2])]
    with engine.connect() as conn:
        for b in batch_ids[:2]:
            assert store.line_status_totals(conn, b) == _expected_totals(facts[b]), b
        assert store.line_status_totals(conn, batch_ids[2]) == closed
        listed = [f.id for f in store.list_files(conn, batch_ids[2], None, 10) if f.direction == "IN"]
    part = outcome.parts[1]
    assert listed == [part.file_id]
    assert [shown(p, "en") for p in part.problems] == [f"batch {batch_ids[2]} is CLOSED; results are not accepted"]
    quarantined = reconciliation_content(world.ctx, batch_ids[2])["quarantined_files"]
    assert [(f["file_id"], shown(f["concerns"], "en"), shown(f["reasons"], "en")) for f in quarantined["files"]] == [
        (part.file_id, "this batch", shown(part.problems[0], "en"))]
    _verified(engine)


def test_a_transaction_naming_no_batch_quarantines_the_file_instead_of_paying_a_line_of_each(world, engine):
    """A transaction that names its line only by InstrId (no PmtInfId, batch booking or
    EndToEndId "<batch>-<seq>") would be read as that line of every batch the file covers: one
    debit booked once per batch. The file is quarantined whole, saying why, and books nothing."""
    batch_ids = _three_batches(world)
    path = _notification(world, batch_ids)
    named = f"<PmtInfId>{batch_ids[1]}</PmtInfId><InstrId>3</InstrId><EndToEndId>{batch_ids[1]}-3</EndToEndId>"
    data = path.read_bytes()
    assert data.count(named.encode()) == 1 and 3 in _by_batch(data)[batch_ids[1]]["paid"]
    path.write_bytes(data.replace(named.encode(), b"<InstrId>3</InstrId>"))

    outcome = ingest_file(world.ctx, BANK, path, path.name)

    assert (outcome.state, outcome.booked_lines, outcome.parts) == (FileState.QUARANTINED, 0, ())
    (row,) = _rows(engine)
    assert (row.state, row.part_of) == ("QUARANTINED", None)
    said = shown(row.last_error, "en")
    assert "1 transaction(s) name no batch" in said and all(b in said for b in batch_ids), said
    with engine.connect() as conn:
        for b in batch_ids:
            assert set(store.line_status_totals(conn, b)) == {LineStatus.PENDING.value}, b
    assert _result_transactions(engine) == 0
    _verified(engine)


def test_every_entry_is_counted_once_read_or_skipped_when_a_part_skips_one_of_its_batch(world, engine):
    """A transaction that names its batch (PmtInfId) but no line of it is skipped by that batch's
    part (NO_LINE_REFERENCE): the part's reading report lists it, and the file's own report,
    which lists the batch's entries under the part, does not count it twice nor lose it."""
    batch_ids = _three_batches(world)
    path = _notification(world, batch_ids)
    data = path.read_bytes()
    facts = _by_batch(data)
    b = batch_ids[1]
    named = f"<InstrId>3</InstrId><EndToEndId>{b}-3</EndToEndId>"
    assert data.count(named.encode()) == 1 and 3 in facts[b]["paid"]
    path.write_bytes(data.replace(named.encode(), b"<EndToEndId>NOTPROVIDED</EndToEndId>"))
    unlined = facts[b]["paid"].pop(3)

    outcome = ingest_file(world.ctx, BANK, path, path.name)

    assert outcome.state is FileState.BOOKED
    assert [p.state for p in outcome.parts] == [FileState.BOOKED, FileState.BOOKED]
    with engine.connect() as conn:
        for batch in batch_ids:
            # (the bank paid line 3 its amount: the line waits for news of that payment)
            pending = {LineStatus.PENDING.value: (1, unlined)} if batch == b else {}
            assert store.line_status_totals(conn, batch) == {**_expected_totals(facts[batch]), **pending}, batch
    reports = {row.id: json.loads(row.reading_report) for row in _rows(engine)}
    entries = sum(len(f["paid"]) + len(f["failed"]) for f in facts.values()) + 1
    assert sum(r["read"]["records"] + r["skipped"]["count"] for r in reports.values()) == entries
    part = outcome.parts[0]
    assert reports[part.file_id]["skipped"]["by_reason"] == {
        "NO_LINE_REFERENCE": {"count": 1, "total_fen": unlined, "unpriced": 0}}
    assert reports[outcome.file_id]["skipped"]["count"] == 0
    _verified(engine)


def test_the_log_says_a_refused_batch_s_reasons_in_words(world, engine, caplog):
    """Logs say English: a refused first batch and a refused part are logged in words, not as
    the stored messages' JSON."""
    batch_ids = _three_batches(world)
    other = UNKNOWN + "2"
    path = _notification(world, batch_ids, rename={batch_ids[0]: UNKNOWN, batch_ids[1]: other})

    with caplog.at_level("WARNING", logger="ykt.ingest"):
        outcome = ingest_file(world.ctx, BANK, path, path.name)

    assert outcome.state is FileState.QUARANTINED and [p.state for p in outcome.parts] == [
        FileState.QUARANTINED, FileState.BOOKED]
    said = [r.getMessage() for r in caplog.records if "quarantined" in r.getMessage()]
    assert len(said) == 2, said
    for batch in (UNKNOWN, other):
        (text,) = [t for t in said if f"names batch {batch}," in t]
        assert f"names batch {batch}, which does not exist" in text and '{"m"' not in text, text


def test_0011_down_and_up_again_keeps_the_parts_and_their_bookings(world, engine):
    """Going down to 0010, a part row stays with its bookings, pointing at its file as a
    re-delivery does; coming back up it is a part again (a re-delivery is always DUPLICATE, a
    part never), so nothing about it is lost either way."""
    from alembic import command
    from alembic.config import Config

    from ledger.db import MIGRATIONS, migrate

    def alembic(action, revision: str) -> None:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            action(config, revision)

    batch_ids = _three_batches(world)
    path = _notification(world, batch_ids)
    first = ingest_file(world.ctx, BANK, path, path.name)
    again = path.with_name("again-" + path.name)
    again.write_bytes(path.read_bytes())
    dup = ingest_file(world.ctx, BANK, again, again.name)
    with engine.connect() as conn:
        before = [(r.id, r.state, r.batch_id, r.part_of, r.duplicate_of) for r in _rows(engine)]
        totals = {b: store.line_status_totals(conn, b) for b in batch_ids}
    assert before == [(first.file_id, "BOOKED", batch_ids[0], None, None)] + [
        (p.file_id, "BOOKED", b, first.file_id, None) for p, b in zip(first.parts, batch_ids[1:])] + [
        (dup.file_id, "DUPLICATE", batch_ids[0], None, first.file_id)]

    alembic(command.downgrade, "0010")
    with engine.connect() as conn:
        down = conn.execute(select(files.c.id, files.c.state, files.c.batch_id, files.c.duplicate_of)
                            .where(files.c.direction == "IN").order_by(files.c.id)).all()
    assert [tuple(r) for r in down] == [(i, state, b, part or dup_of) for i, state, b, part, dup_of in before]

    migrate(engine)
    assert [(r.id, r.state, r.batch_id, r.part_of, r.duplicate_of) for r in _rows(engine)] == before
    with engine.connect() as conn:
        assert {b: store.line_status_totals(conn, b) for b in batch_ids} == totals
    _verified(engine)
