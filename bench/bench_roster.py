"""Speed of ``ykt batch submit`` with an XLSX roster, against the service's own speed for the
same roster sent by the client directly (issue 16 item 2: "100,000 rows must submit at the
service's own speed").

    python bench/bench_roster.py [ROWS] [--keep DIR]

Makes a roster of ROWS valid lines (domain.roster.generate_lines) and writes it as an XLSX sheet
with the template's Chinese headers (IDs and accounts as text, amounts as numbers in yuan). Then,
each against a fresh service (its own process, SQLite ledger, the real gRPC server):

1. direct: the same lines, made into a list beforehand, sent with ``Client.submit`` — what
   the service and the transport take, nothing of the sheet;
2. ``ykt batch submit FILE`` (roster_cli.run, as the CLI calls it), timed as a whole and by
   stage: reading and checking the sheet while its checked rows stream to the service
   (adapter/roster_stream.py), waiting for the service's answer after the totals went (the
   result sheet's rows rendered meanwhile), fetching the issues, writing the result sheet.

Prints seconds and rows/s per stage, the process's CPU time and peak RSS. Record the output in
bench/RESULTS.md.

``--apart``: the service on one CPU and this process (the clerk's command) on another
(sched_setaffinity), for both runs, as a clerk's PC and the service's server are two machines:
on one 2-vCPU machine the command's own work (reading and checking the sheet) and the service's
compete for the same two CPUs, which is not how the product is used.
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REGION, BANK, PROGRAM, PERIOD = "652301", "BENCH", "耕地地力保护补贴", "2026-11"
APART: dict[str, str] = {}  # --apart: the service's CPU, for its process


def serve(folder: Path) -> None:
    """Child mode: a fresh service on a free port; prints the port, runs until stdin closes."""
    if os.environ.get("BENCH_SERVICE_CPU"):
        os.sched_setaffinity(0, {int(os.environ["BENCH_SERVICE_CPU"])})
    from adapter import server as grpc_server
    from ledger.db import make_engine, migrate, sqlite_url
    from privacy.cipher import FieldCipher
    from privacy.keys import Keyring
    from service.config import BankProfile, Settings
    from service.context import Context
    from tests.support.identities import TEST_AUTH, TOKENS

    engine = make_engine(sqlite_url(folder / "ledger.sqlite3"))
    migrate(engine)
    settings = Settings(database_url=str(engine.url), data_dir=folder / "service",
                        banks={BANK: BankProfile(code=BANK, name="bench bank", format="iso20022")}, auth=TEST_AUTH)
    server, port = grpc_server.build(Context(engine=engine, settings=settings, cipher=FieldCipher(Keyring.generate())),
                                     "127.0.0.1:0")
    print(port, TOKENS["clerk"], flush=True)  # a bench's throw-away token, made in this process
    sys.stdin.read()
    server.stop(grace=None).wait()
    print(f"{cpu():.2f}", flush=True)  # the service's CPU seconds, for the parent


def start_service(folder: Path):
    """A fresh service in a process of its own, and a client of it."""
    from adapter.client import Client

    folder.mkdir(parents=True)
    proc = subprocess.Popen([sys.executable, __file__, "--serve", str(folder)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, cwd=ROOT, env={**os.environ, **APART})
    port, token = proc.stdout.readline().split()
    return proc, Client(f"127.0.0.1:{port}", token=token)


def stop_service(proc: subprocess.Popen) -> float:
    """Stop it; the CPU seconds it used (start-up included: about the same for both runs)."""
    proc.stdin.close()
    used = float(proc.stdout.readline())
    proc.wait(timeout=60)
    return used


def write_sheet(path: Path, n: int) -> int:
    """The roster as a department's sheet; its total in fen."""
    from openpyxl import Workbook

    from adapter.roster_sheet import COLUMNS
    from domain.roster import generate_lines

    book = Workbook(write_only=True)
    sheet = book.create_sheet("发放名册")
    sheet.append([c.zh for c in COLUMNS])
    total = 0
    for ln in generate_lines(n, seed=11, region=REGION):
        total += ln.amount_fen
        sheet.append([ln.seq, ln.name, ln.id_number, ln.account_no, Decimal(ln.amount_fen).scaleb(-2),
                      ln.account_kind.value, ln.bank_name, ln.subsidy_item, ln.remark, ln.phone, ln.address,
                      ln.household_no])
    book.save(path)
    return total


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("rows", type=int, nargs="?", default=100_000)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--apart", action="store_true", help="the service on CPU 1, this process on CPU 0")
    args = parser.parse_args()
    if args.serve:
        return serve(args.serve)
    if args.apart:
        os.sched_setaffinity(0, {0})
        APART["BENCH_SERVICE_CPU"] = "1"
        print("apart: this process on CPU 0, the service on CPU 1")

    from adapter import roster_check, roster_cli, roster_result, roster_stream
    from domain.model import BatchHeader
    from domain.roster import generate_lines

    work = args.keep or Path(tempfile.mkdtemp(prefix="ykt-bench-roster-"))
    work.mkdir(parents=True, exist_ok=True)
    n = args.rows
    sheet = work / f"roster-{n}.xlsx"
    t = time.perf_counter()
    total = write_sheet(sheet, n)
    print(f"{n:,} rows, sheet {sheet.stat().st_size / 2**20:.1f} MiB written in {time.perf_counter() - t:.1f} s "
          f"(load average {load()})")

    # 1. the service's own speed: the same lines through the client, premade
    proc, client = start_service(work / "direct")
    lines = list(generate_lines(n, seed=11, region=REGION))
    header = BatchHeader("bench-direct", PROGRAM, PERIOD, REGION, BANK, "某县财政局", "15000012345678", n, total)
    c, t = cpu(), time.perf_counter()
    answer = client.submit(header, lines)
    direct, direct_cpu = time.perf_counter() - t, cpu() - c
    assert answer.accepted_count == n, answer
    client.close()
    direct_service_cpu = stop_service(proc)
    del lines
    print(f"direct Client.submit: {direct:.2f} s, {n / direct:,.0f} rows/s; CPU: client {direct_cpu:.1f} s, "
          f"service {direct_service_cpu:.1f} s (load average {load()})")

    # 2. ykt batch submit FILE
    proc, client = start_service(work / "roster")
    stages: dict[str, tuple[float, float]] = {}

    def timed(name, fn):
        def wrapper(*a, **k):
            c, t = cpu(), time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                stages[name] = (time.perf_counter() - t, cpu() - c)
        return wrapper

    roster_check.check = timed("read, check and stream", roster_check.check)
    roster_stream.Stream.answer = timed("wait for the answer", roster_stream.Stream.answer)
    roster_cli.fetch_issues = timed("fetch issues", roster_cli.fetch_issues)
    roster_result.write = timed("result sheet", roster_result.write)
    parser = argparse.ArgumentParser()
    roster_cli.add_parsers(parser.add_subparsers(), lambda p: p.add_argument("--address"))
    cli_args = parser.parse_args(["submit", str(sheet), "--program", PROGRAM, "--period", PERIOD, "--region", REGION,
                                  "--bank", BANK, "--payer-name", "某县财政局", "--payer-account", "15000012345678",
                                  "--result", str(work / f"result-{n}.xlsx")])
    c, t = cpu(), time.perf_counter()
    code = roster_cli.run(cli_args, lambda _args: client)
    whole, whole_cpu = time.perf_counter() - t, cpu() - c
    assert code == roster_cli.EXIT_OK, code
    client.close()
    service_cpu = stop_service(proc)
    print(f"ykt batch submit: {whole:.2f} s, {n / whole:,.0f} rows/s; CPU: this process {whole_cpu:.1f} s, "
          f"service {service_cpu:.1f} s; peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB "
          f"(load average {load()})")
    for name, (seconds, used) in stages.items():
        print(f"  {name:<28} {seconds:6.2f} s  {n / seconds:>10,.0f} rows/s  CPU {used:5.1f} s")
    print(f"  {'(the rest)':<28} {whole - sum(w for w, _ in stages.values()):6.2f} s")
    print(f"whole command vs direct: {whole / direct:.2f}x")


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
