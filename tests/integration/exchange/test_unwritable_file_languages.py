"""A payment file the bank's format refuses to write says why in the reader's language (issue 16
item 3): dispatch stores the writer's problems as messages under a frame (dispatch.unwritable), so
ListFiles and ``ykt files`` show them in Chinese by default and in English on request, as the
writer said them.

The refusal is the real writer's: the delimited family's writer is given the batch's lines with a
field separator in one name and a line break in one remark, which its format cannot escape."""
from __future__ import annotations

from dataclasses import replace

import pytest

from adapter.convert import file_to_pb
from bank_formats import FormatError
from i18n import reset, use
from ledger import store
from privacy.keys import Keyring
from service import dispatch
from service.config import BankProfile
from service.context import Context
from tests.support.exchange import BANK, Clock, MemoryBank, funded_batch, instance


def _delimited_bank(engine, tmp_path) -> tuple[Context, MemoryBank]:
    """An instance whose bank takes the delimited family's files."""
    memory = MemoryBank()
    base = instance(engine, tmp_path, "w", memory, Clock(), Keyring.generate())
    profile = base.settings.bank(BANK)
    delimited = BankProfile(code=BANK, name=profile.name, format="delimited", sftp=profile.sftp, inbox=profile.inbox,
                            outbox=profile.outbox, archive=profile.archive)
    return replace(base, settings=replace(base.settings, banks={BANK: delimited})), memory


def _damaged_by_the_writer(monkeypatch, ctx: Context, damage) -> None:
    """The bank's writer is given every line as ``damage`` makes it (the ledger keeps them right)."""
    fmt = ctx.settings.bank(BANK).bank_format
    write = fmt.write_payments
    monkeypatch.setattr(fmt, "write_payments", lambda out, header, lines: write(out, header, map(damage, lines)))


def _listed_error(ctx: Context, batch_id: str, lang: str | None) -> str:
    """The payment file's last_error as ListFiles says it to a call in ``lang`` (None: the default)."""
    with ctx.engine.connect() as conn:
        row = store.outbound_file(conn, batch_id)
    token = use(lang)
    try:
        return file_to_pb(row).last_error
    finally:
        reset(token)


def _refused(ctx: Context, batch_id: str) -> None:
    with pytest.raises(FormatError):
        dispatch.dispatch(ctx, batch_id)
    with ctx.engine.connect() as conn:
        assert store.outbound_file(conn, batch_id).state == "FAILED"


def _separator_and_line_break(line):
    if line.seq == 2:
        return replace(line, name=f"{line.name}|{line.name}")
    if line.seq == 5:
        return replace(line, remark="第一批\n第二批")
    return line


def test_a_payment_file_the_writer_refuses_says_its_problems_in_chinese_by_default_and_english_on_request(
        engine, tmp_path, monkeypatch):
    ctx, memory = _delimited_bank(engine, tmp_path)
    batch_id, _ = funded_batch(ctx, n=6)
    _damaged_by_the_writer(monkeypatch, ctx, _separator_and_line_break)
    _refused(ctx, batch_id)
    assert not memory.inbox  # nothing reached the bank
    # the header is line 1: seq 2 is line 3, seq 5 line 6
    assert _listed_error(ctx, batch_id, None) == (
        "付款文件无法按银行的格式写出（2 个问题）；未发送任何内容；"
        "第 3 行，姓名：序号 2：含有字段分隔符 '|'；该格式无法转义；"
        "第 6 行，备注：序号 5：含有换行符（CR 或 LF）；该格式无法转义")
    assert _listed_error(ctx, batch_id, "en") == (
        "the payment file cannot be written in the bank's format (2 problems); nothing was sent; "
        "line 3: name: seq 2: contains '|', the field separator; the format has no escaping; "
        "line 6: remark: seq 5: contains a line break (CR or LF); the format has no escaping")


def test_a_file_with_more_problems_than_kept_says_how_many_and_lists_the_first_twenty(engine, tmp_path, monkeypatch):
    ctx, _ = _delimited_bank(engine, tmp_path)
    batch_id, _ = funded_batch(ctx, n=25)
    _damaged_by_the_writer(monkeypatch, ctx, lambda line: replace(line, name=f"{line.name}|"))
    _refused(ctx, batch_id)
    chinese, english = _listed_error(ctx, batch_id, None), _listed_error(ctx, batch_id, "en")
    assert chinese.startswith("付款文件无法按银行的格式写出（25 个问题）；未发送任何内容；第 2 行，姓名：序号 1：含有字段分隔符 '|'")
    assert english.startswith("the payment file cannot be written in the bank's format (25 problems); nothing was "
                              "sent; line 2: name: seq 1: contains '|', the field separator")
    assert chinese.count("，姓名：序号 ") == english.count(": name: seq ") == 20
    assert chinese.endswith("第 21 行，姓名：序号 20：含有字段分隔符 '|'；该格式无法转义")
