"""Throughput and peak memory of the statement-only readers: MT940 and CSV (issue 15 item 7).

    python bench/bench_statement_formats.py [LINES] [--format mt940|csv ...] [--keep DIR]

Writes a statement of LINES lines (default 1,000,000; MT940: a ``:61:`` and a ``:86:`` line per
entry, so half as many entries; CSV: one entry a line, with a balance column and our end-to-end
reference) and reads it back with the reader a bank profile would configure, in a forked child
(``bench_formats.in_child``) so that the peak RSS printed is the read's own. lines/s is
wall-clock, lines/CPU s leaves out time the machine gave to other processes. Kept apart from
bench_formats.py because these formats have no payment or result files.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_formats import amount_of, entries, in_child, statement_header  # noqa: E402

import bank_formats  # noqa: E402

CSV_MAPPING = dict(account="1234567890123456789", date="日期", date_format="%Y-%m-%d", amount="金额",
                   balance="余额", reference="流水号", end_to_end="附言", counterparty_name="对方户名",
                   counterparty_account="对方账号", remark="摘要")


def write_mt940(path: Path, lines: int) -> int:
    n = max(1, (lines - 7) // 2)  # :20: :25: :28C: :60F: ... :62F: -  and the funding has no :86: pair less
    fmt = bank_formats.get_statement_format("mt940")
    header = statement_header(n)
    with open(path, "wb") as out:
        fmt.write_statement(out, header, entries(n, header.credit_fen))
    return n


def write_csv(path: Path, lines: int) -> int:
    n = lines - 1
    balance = 0
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("日期,流水号,金额,余额,对方户名,对方账号,附言,摘要\n")
        buf = []
        for seq in range(1, n + 1):
            fen = amount_of(seq) if seq > 1 else 10**12
            signed = fen if seq == 1 else -fen
            balance += signed
            buf.append(f"2026-11-06,P{seq:012d},{'-' if signed < 0 else ''}{fen // 100}.{fen % 100:02d},"
                       f"{'-' if balance < 0 else ''}{abs(balance) // 100}.{abs(balance) % 100:02d},王伟,"
                       f"622202{seq:013d},B202611-000001-{seq},惠民惠农补贴\n")
            if len(buf) >= 10_000:
                out.write("".join(buf))
                buf.clear()
        out.write("".join(buf))
    return n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("lines", nargs="?", type=int, default=1_000_000)
    ap.add_argument("--format", action="append", dest="formats", choices=("mt940", "csv"))
    ap.add_argument("--keep", type=Path, default=None)
    args = ap.parse_args(argv)
    print(f"{args.lines:,} lines, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}, "
          f"Python {sys.version.split()[0]}")
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="bench_statements_"))
    workdir.mkdir(parents=True, exist_ok=True)
    for name in args.formats or ("mt940", "csv"):
        path = workdir / f"statement.{'940' if name == 'mt940' else 'csv'}"
        n = (write_mt940 if name == "mt940" else write_csv)(path, args.lines)
        lines = sum(1 for _ in open(path, "rb"))
        fmt = bank_formats.get_statement_format(name, **(CSV_MAPPING if name == "csv" else {}))

        def read() -> int:
            with open(path, "rb") as src:
                reader = fmt.read_statement(src, path.name)
                count = sum(1 for _ in reader)
                assert reader.header.count == count and not reader.skipped
            return count

        count, seconds, cpu, rss_kib = in_child(read)
        if count != n:
            raise SystemExit(f"{name}: read {count} entries, wrote {n}")
        print(f"{name:6} read_statement {lines:>10,} lines {count:>10,} entries {path.stat().st_size / 2**20:8.1f} MiB "
              f"{seconds:7.2f} s {lines / seconds:>10,.0f} lines/s {lines / cpu:>10,.0f} lines/CPU s "
              f"peak RSS {rss_kib / 1024:7.1f} MiB")
        if not args.keep:
            path.unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
