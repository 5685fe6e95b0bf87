"""Throughput and peak memory of the bank formats' writers and readers.

    python bench/bench_formats.py [LINES] [--format SPEC ...] [--schema-dir DIR] [--keep DIR]
                                  [--fields minimal|typical|full] [--no-refs]

For each format (default: every family and variant, see VARIANTS) writes a payment file of
LINES synthetic lines (default 1,000,000), reads it back, writes the result file answering it
(one line in ten failed; the paid ones with the bank's reference of the payment, unless
--no-refs) and reads that back, then writes and reads a statement of LINES
entries. A SPEC is a registered name with options, e.g. ``iso20022:payments=pain.001.001.03``.
``iso20022:results=camt.054.001.08`` measures camt.054 notifications as the result file
(read by the tolerant NotificationResultReader); ``tolerant=1`` reads the result file and the
statement with the tolerant readers for banks' own files instead of the fast ones for our
layout (it is no option of the format). Lines are generated on
the fly, never held in a list; "(make lines)" is what generating them alone costs, and it is
part of write_payments' time. Each operation runs in a forked child, so the peak RSS printed
is that operation's own. lines/s is wall-clock; lines/CPU s leaves out time the machine gave
to other processes. Without --schema-dir the readers do not validate (the speed targets are
for that case).
"""
from __future__ import annotations

import argparse
import os
import pickle
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bank_formats  # noqa: E402
from domain.model import (  # noqa: E402
    AccountKind,
    EntrySide,
    FailureReason,
    PaymentFileHeader,
    PaymentLine,
    PaymentOutcome,
    ResultFileHeader,
    ResultRecord,
    StatementEntry,
    StatementHeader,
)

# Every family, and ISO 20022 in both its current and its still widespread older versions.
VARIANTS = (
    "iso20022",
    "iso20022:payments=pain.001.001.03,results=pain.002.001.03,statements=camt.053.001.02",
    "fixed_width_gbk",
    "delimited",
)

BATCH_ID = "B202611-000001"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"
# pools the lines are put together from, so that making a line costs little next to writing it
NAMES = [SURNAMES[i % 20] + GIVEN[i % 26] + GIVEN[(i * 7) % 26] if i % 50 else
         f"阿卜杜拉·{SURNAMES[i % 20]}{GIVEN[i % 26]}" for i in range(1000)]
BANKS = ["中国农业银行某县支行", "中国工商银行某县支行", "某县农村商业银行营业部", "中国邮政储蓄银行某县支行"]
ITEMS = ["耕地地力保护补贴", "农机购置补贴", "城乡居民基本养老保险待遇", "高龄津贴"]
ADDRESSES = [f"某省某县某镇{i}村{i % 17}组" for i in range(300)]
KINDS = (AccountKind.CARD, AccountKind.CARD, AccountKind.PASSBOOK,
         AccountKind.SOCIAL_SECURITY_CARD)
FAIL_REASONS = (FailureReason.ACCOUNT_NOT_FOUND, FailureReason.NAME_MISMATCH,
                FailureReason.ACCOUNT_FROZEN, FailureReason.OTHER)


def amount_of(seq: int) -> int:
    return 10_000 + (seq * 7919) % 500_000  # 100.00 .. 5099.99 yuan


def lines(n: int, fields: str = "typical") -> Iterator[PaymentLine]:
    """``n`` synthetic lines, made one at a time.

    typical: what a roster line usually holds - name, id number, account, amount, kind (mostly
    a bank card), the receiving branch (the same for runs of lines: rosters go village by
    village) and the batch's subsidy item; a phone for half of the people; remark, address and
    household number for one in ten. full: every field filled. minimal: the required fields.
    """
    full = fields == "full"
    minimal = fields == "minimal"
    item = ITEMS[0]
    for seq in range(1, n + 1):
        some = full or (seq % 10 == 0 and not minimal)
        yield PaymentLine(
            seq,
            NAMES[seq % 1000],
            f"4101021960{seq % 100:02d}01{seq % 10000:04d}",
            f"622202{seq:013d}",
            10_000 + (seq * 7919) % 500_000,
            AccountKind.CARD if seq % 8 else KINDS[(seq >> 3) & 3],
            "" if minimal else BANKS[(seq // 500) & 3],
            "" if minimal else item,
            "2026年11月发放" if some else "",
            f"138{seq:08d}" if full or (seq & 1 and not minimal) else "",
            ADDRESSES[seq % 300] if some else "",
            f"H{seq:09d}" if some else "",
        )


def payment_header(n: int) -> PaymentFileHeader:
    return PaymentFileHeader(
        file_id="PAY-20261105-000001",
        batch_id=BATCH_ID,
        created_at=datetime(2026, 11, 5, 9, 30, tzinfo=timezone(timedelta(hours=8))),
        requested_date=date(2026, 11, 6),
        payer_name="某县财政局",
        payer_account="1234567890123456789",
        bank_code="ICBC-4101",
        count=n,
        total_fen=sum(amount_of(i) for i in range(1, n + 1)),
        purpose="耕地地力保护补贴 2026年11月",
    )


def failed(seq: int) -> bool:
    return seq % 10 == 3


def records(n: int, refs: bool = True) -> Iterator[ResultRecord]:
    """The bank's answer: one line in ten failed; with ``refs`` each paid line carries the bank's
    reference of the payment (26 characters, as the bank simulator gives them), without, none
    (result files as they were before references)."""
    for seq in range(1, n + 1):
        if failed(seq):
            reason = FAIL_REASONS[seq % len(FAIL_REASONS)]
            yield ResultRecord(seq, PaymentOutcome.FAILED, amount_of(seq), f"622202{seq:013d}",
                               reason, "", "账户状态异常")
        else:
            yield ResultRecord(seq, PaymentOutcome.PAID, amount_of(seq), f"622202{seq:013d}",
                               bank_ref=f"9F3C2A7B41D0E865{seq:010d}" if refs else "")


def result_header(n: int) -> ResultFileHeader:
    paid = [i for i in range(1, n + 1) if not failed(i)]  # ints only, fine for the header
    failed_fen = sum(amount_of(i) for i in range(1, n + 1) if failed(i))
    return ResultFileHeader(
        file_id="RES-20261106-000001",
        original_file_id="PAY-20261105-000001",
        batch_id=BATCH_ID,
        created_at=datetime(2026, 11, 6, 18, 0, tzinfo=timezone(timedelta(hours=8))),
        count=n,
        paid_count=len(paid),
        paid_fen=sum(amount_of(i) for i in paid),
        failed_count=n - len(paid),
        failed_fen=failed_fen,
    )


def statement_header(n: int) -> StatementHeader:
    """A statement of ``n`` entries: the funding credited first, then ``n - 1`` payments."""
    debit = sum(amount_of(i) for i in range(2, n + 1))
    credit = debit + 1_000_000
    return StatementHeader(
        statement_id="STMT-20261106-000001", account="1234567890123456789",
        created_at=datetime(2026, 11, 6, 18, 0, tzinfo=timezone(timedelta(hours=8))),
        from_date=date(2026, 11, 6), to_date=date(2026, 11, 6), opening_balance_fen=0,
        closing_balance_fen=credit - debit, count=n, credit_fen=credit, debit_fen=debit,
    )


def entries(n: int, credit_fen: int) -> Iterator[StatementEntry]:
    day = date(2026, 11, 6)
    yield StatementEntry(1, EntrySide.CREDIT, credit_fen, day, "FUND-000001", batch_id=BATCH_ID,
                         counterparty_name="某县财政局", remark="财政资金划入")
    for seq in range(2, n + 1):
        yield StatementEntry(seq, EntrySide.DEBIT, amount_of(seq), day, f"P{seq:012d}",
                             batch_id=BATCH_ID, line_seq=seq - 1,
                             counterparty_name=NAMES[seq % 1000],
                             counterparty_account=f"622202{seq:013d}", remark="惠民惠农补贴")


def parse_spec(spec: str) -> tuple[str, dict[str, str]]:
    name, _, opts = spec.partition(":")
    return name, dict(kv.split("=", 1) for kv in opts.split(",") if kv)


def in_child(op: Callable[[], int]) -> tuple[int, float, float, int]:
    """Runs ``op`` in a forked child; (lines, seconds, CPU seconds, peak RSS in KiB)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(r)
        code = 0
        try:
            t0, c0 = time.perf_counter(), time.process_time()
            n = op()
            result = (n, time.perf_counter() - t0, time.process_time() - c0, None)
        except BaseException as exc:  # noqa: BLE001 - reported by the parent
            result = (0, 0.0, 0.0, f"{type(exc).__name__}: {exc}"[:2000])
            code = 1
        with os.fdopen(w, "wb") as f:
            pickle.dump(result, f)
        os._exit(code)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        data = f.read()
    _, _, rusage = os.wait4(pid, 0)
    n, seconds, cpu, error = pickle.loads(data)
    if error:
        raise SystemExit(f"operation failed: {error}")
    return n, seconds, cpu, rusage.ru_maxrss


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("lines", nargs="?", type=int, default=1_000_000)
    ap.add_argument("--format", action="append", dest="formats", metavar="SPEC",
                    help="format to measure (repeatable); default: all of VARIANTS")
    ap.add_argument("--schema-dir", type=Path, default=None)
    ap.add_argument("--keep", type=Path, default=None, help="write the files here and keep them")
    ap.add_argument("--fields", choices=("minimal", "typical", "full"), default="typical",
                    help="which optional fields of a line are filled (see lines())")
    ap.add_argument("--no-refs", dest="refs", action="store_false",
                    help="result records without the bank's references (see records())")
    args = ap.parse_args(argv)
    print(f"{args.lines:,} {args.fields} lines, "
          f"{'with' if args.refs else 'without'} bank references, schema validation "
          f"{'on (' + str(args.schema_dir) + ')' if args.schema_dir else 'off'}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}, "
          f"Python {sys.version.split()[0]}")
    for spec in args.formats or VARIANTS:
        bench_one(spec, args)
    return 0


def _tolerant(src, name: str):
    """The tolerant ISO 20022 reader of the message in ``src`` (see ``tolerant=1``)."""
    from bank_formats.iso20022._tolerant import opened
    from bank_formats.iso20022.account_entries import NotificationResultReader, TolerantStatementReader
    from bank_formats.iso20022.status_report import TolerantPain002Reader
    source, _, message = opened(src)
    if message.name == "pain.002":
        return TolerantPain002Reader(source, name, message)
    if message.name == "camt.054":
        return NotificationResultReader(source, name, message)
    return TolerantStatementReader(source, name, message)


def bench_one(spec: str, args: argparse.Namespace) -> None:
    n = args.lines
    name, options = parse_spec(spec) if not spec.startswith("profile:") else ("profile", {})
    tolerant = None
    pay_name, res_name = "payments", "results"
    if name == "profile":  # profile:PATH - the format a bank profile declares (e.g. its layout)
        from service.profiles import load_profile
        profile = load_profile(Path(spec.partition(":")[2]))
        fmt = profile.bank_format
        # named as the bank names them: some layouts take their ids from the names (JZ8602)
        pay_name = Path(profile.naming.payment_name(profile.code, BATCH_ID, date(2026, 11, 2), "")).name
        res_name = Path(profile.naming.result_name(pay_name + fmt.file_suffix, "")).name
    else:
        # tolerant=1 (ISO 20022): read the result file and statement with the tolerant readers
        # that take banks' own files (issue 15), not the fast ones for our own layout
        tolerant = options.pop("tolerant", None)
        fmt = bank_formats.get(name, schema_dir=args.schema_dir, **options)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="bench_formats_"))
    workdir.mkdir(parents=True, exist_ok=True)
    pay_path = workdir / f"{pay_name}{fmt.file_suffix}"
    res_path = workdir / f"{res_name}{fmt.file_suffix}"
    stmt_path = workdir / f"statement{fmt.file_suffix}"
    pay_header = payment_header(n)
    res_header = result_header(n)
    stmt_header = statement_header(n)

    def generate_lines() -> int:
        count = 0
        for _ in lines(n, args.fields):
            count += 1
        return count

    def write_payments() -> int:
        with open(pay_path, "wb") as out:
            return fmt.write_payments(out, pay_header, lines(n, args.fields)).count

    def read_payments() -> int:
        count = 0
        with open(pay_path, "rb") as src:
            for _ in fmt.read_payments(src, pay_path.name):
                count += 1
        return count

    def write_results() -> int:
        with open(res_path, "wb") as out:
            return fmt.write_results(out, res_header, records(n, args.refs)).count

    def read_results() -> int:
        count = 0
        with open(res_path, "rb") as src:
            for _ in (_tolerant(src, res_path.name) if tolerant else fmt.read_results(src, res_path.name)):
                count += 1
        return count

    def write_statement() -> int:
        with open(stmt_path, "wb") as out:
            return fmt.write_statement(out, stmt_header, entries(n, stmt_header.credit_fen)).count

    def read_statement() -> int:
        count = 0
        with open(stmt_path, "rb") as src:
            for _ in (_tolerant(src, stmt_path.name) if tolerant else fmt.read_statement(src, stmt_path.name)):
                count += 1
        return count

    print(f"\n{spec}")
    print(f"{'operation':<16}{'lines':>11}{'seconds':>9}{'lines/s':>10}{'CPU s':>8}"
          f"{'lines/CPU s':>12}{'peak RSS MiB':>13}{'file MiB':>9}")
    try:
        for label, op, path in (
            ("(make lines)", generate_lines, None),
            ("write_payments", write_payments, pay_path),
            ("read_payments", read_payments, pay_path),
            ("write_results", write_results, res_path),
            ("read_results", read_results, res_path),
            ("write_statement", write_statement, stmt_path),
            ("read_statement", read_statement, stmt_path),
        ):
            if label.endswith("_statement") and not getattr(fmt, "has_statements", True):
                continue  # a declared layout (bank_formats.layout) has payment and result files only
            count, seconds, cpu, rss_kib = in_child(op)
            if count != n:
                raise SystemExit(f"{label}: {count} lines, expected {n}")
            size = f"{path.stat().st_size / 2**20:9.1f}" if path else ""
            print(f"{label:<16}{count:>11,}{seconds:>9.2f}{count / seconds:>10,.0f}{cpu:>8.2f}"
                  f"{count / max(cpu, 1e-9):>12,.0f}{rss_kib / 1024:>13.1f}{size}", flush=True)
    finally:
        if args.keep is None:
            for p in (pay_path, res_path, stmt_path):
                p.unlink(missing_ok=True)
            workdir.rmdir()


if __name__ == "__main__":
    raise SystemExit(main())
