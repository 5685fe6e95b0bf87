"""Screening probes the ledger for each chunk's people and accounts before the chunk is stored:
findings against earlier batches and the stop list are made in every chunk, name the earlier
line, ignore lines that hold no place in the registry, and never the batch's own lines."""
from __future__ import annotations

from dataclasses import replace

from sqlalchemy import event, select

from domain.model import BatchHeader, LineStatus, PaymentLine
from domain.roster import generate_lines
from ledger import store
from ledger.schema import line_issues, lines
from privacy.cipher import FieldCipher
from privacy.keys import Keyring
from service import stoplist, submission
from service.config import BankProfile, Settings
from service.context import Context

REGION = "652301"
N = 6_000  # two chunks, and more keys than one statement binds


def _context(engine, tmp_path) -> Context:
    settings = Settings(str(engine.url), tmp_path / "service", {"BANK1": BankProfile("BANK1", "某银行", "iso20022")})
    return Context(engine, settings, cipher=FieldCipher(Keyring.generate()))


def _submit(ctx: Context, key: str, period: str, roster: list[PaymentLine]):
    header = BatchHeader(idempotency_key=key, program="耕地地力保护补贴", period=period, region=REGION,
                         bank_code="BANK1", payer_name="某县财政局", payer_account="15000012345678",
                         control_count=len(roster), control_total_fen=sum(ln.amount_fen for ln in roster),
                         submitted_by="clerk")
    return submission.submit(ctx, header, roster)


def _issues(engine, batch_id: str) -> set[tuple]:
    with engine.connect() as conn:
        return {tuple(r) for r in conn.execute(
            select(line_issues.c.seq, line_issues.c.code, line_issues.c.other_batch_id, line_issues.c.other_seq)
            .where(line_issues.c.batch_id == batch_id))}


def test_each_chunk_is_screened_against_earlier_batches_and_the_stop_list(engine, tmp_path):
    ctx = _context(engine, tmp_path)
    earlier, fresh, again = (list(generate_lines(N, seed=s, region=REGION)) for s in (2, 3, 26))
    for one, other in ((earlier, fresh), (earlier, again), (fresh, again)):  # nobody shared but by intent
        assert not {ln.id_number for ln in one} & {ln.id_number for ln in other}
        assert not {ln.account_no for ln in one} & {ln.account_no for ln in other}
    a = _submit(ctx, "a", "2026-10", earlier).batch_id
    with engine.begin() as conn:  # the department took line 10 out: it holds no place in the registry
        store.set_line_status(conn, a, [10], LineStatus.REMOVED)
    stoplist.add_entries(ctx, [stoplist.StopRequest(earlier[5_499].id_number, "DECEASED", "2026-01-01", source="civil affairs")], "clerk")

    def person_of(seq: int, line: PaymentLine, *, card: bool) -> PaymentLine:
        e = earlier[seq - 1]
        change = {"id_number": e.id_number, "name": e.name}
        if card:
            change |= {"account_no": e.account_no, "account_kind": e.account_kind}
        return replace(line, **change)

    roster = fresh
    roster[0] = person_of(1, roster[0], card=True)  # the same person and card, another period: fine
    roster[5_001] = person_of(2, roster[5_001], card=False)  # second chunk: the person, another card
    roster[2] = replace(roster[2], account_no=earlier[2].account_no, account_kind=earlier[2].account_kind)
    roster[3] = person_of(10, roster[3], card=False)  # a removed line registers nobody
    roster[5_499] = person_of(5_500, roster[5_499], card=True)  # on the stop list
    b = _submit(ctx, "b", "2026-11", roster)

    assert _issues(engine, b.batch_id) == {
        (5_002, "ONE_CARD_TWO_ACCOUNTS", a, 2),
        (3, "ONE_CARD_SHARED_ACCOUNT", a, 3),
        (5_500, "STOP_DECEASED", None, None),
    }
    assert (b.tally.accepted, b.tally.held, b.tally.rejected) == (N - 3, 3, 0)
    with engine.connect() as conn:
        held = conn.execute(select(lines.c.seq).where(lines.c.batch_id == b.batch_id,
                                                      lines.c.status == LineStatus.HELD.value)).scalars().all()
    assert sorted(held) == [3, 5_002, 5_500]

    # The same program and period as batch a: a person it pays (or holds) is a duplicate payment;
    # batch b's held lines of another period count for nothing here.
    again[4_999] = person_of(7, again[4_999], card=True)
    again[5_999] = person_of(5_500, again[5_999], card=True)  # held in b (other period) and stopped
    c = _submit(ctx, "c", "2026-10", again)
    assert _issues(engine, c.batch_id) == {
        (5_000, "DUPLICATE_PAYMENT", a, 7),
        (6_000, "DUPLICATE_PAYMENT", a, 5_500),
        (6_000, "STOP_DECEASED", None, None),
    }
    assert (c.status, c.tally.rejected) == ("NEEDS_CORRECTION", 2)


def test_the_probes_go_by_the_blind_indexes_while_a_submission_is_growing_the_table(engine, tmp_path):
    """Screening reads on a connection of its own while the submission's transaction, not yet
    committed, adds lines: the planner cannot count those, and must still look each key up in
    the blind index, not scan the table or the (batch, status) index."""
    ctx = _context(engine, tmp_path)
    roster = list(generate_lines(20_000, seed=4, region=REGION))
    statements: list[tuple[str, object]] = []
    with engine.connect() as writer, writer.begin():
        store.insert_batch(writer, id="BGROWING", idempotency_key="g", request_digest="pending",
                           program="耕地地力保护补贴", period="2026-11", region=REGION, bank_code="BANK1",
                           payer_name="某县财政局", payer_account="15000012345678", roster_count=len(roster),
                           roster_fen=1, line_count=len(roster), total_fen=1, max_amount_fen=None,
                           status="SUBMITTED", submitted_by="clerk", created_at=ctx.clock())
        sealed = store.seal_lines(ctx.cipher, roster)
        store.insert_line_rows(writer, "BGROWING", store.make_line_rows(
            "BGROWING", roster, [LineStatus.PENDING] * len(roster), sealed))
        with engine.connect() as reader:
            store.probe_by_index(reader)

            def seen(_conn, _cursor, sql, params, _context, _many):
                statements.append((sql, params))

            event.listen(reader, "before_cursor_execute", seen)
            store.lines_sharing(reader, "BNEW", sealed.id_index[:50], sealed.account_index[:50])
            event.remove(reader, "before_cursor_execute", seen)
            explain = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
            plans = [" ".join(str(r[-1]) for r in reader.exec_driver_sql(explain + sql, params).all())
                     for sql, params in statements]
    by_column = dict(zip(("id_index", "account_index"), plans, strict=True))
    for column, plan in by_column.items():
        assert f"ix_lines_{column}" in plan, plan
        assert "ix_lines_batch_status" not in plan and "Seq Scan on lines" not in plan, plan
