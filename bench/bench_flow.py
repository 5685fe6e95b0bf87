"""End-to-end benchmark: submit → payment file → bank results booked → reports, for N lines.

    python bench/bench_flow.py 10000 100000 1000000 [--postgres]

Everything runs as in production on this machine: the gRPC service on a port, the batch
streamed to it in chunks, the payment file uploaded over SFTP to the bank (OpenSSH's sshd on
loopback, as a bank runs it), the simulated bank answering in its folders, the result file
fetched over SFTP and booked into the ledger.
Prints one line per stage (wall seconds, lines per second, CPU seconds of this process) and the
peak memory (RSS) of the process, which also hosts the simulated bank and the gRPC client.
Several sizes run one process each. Record the output in bench/RESULTS.md. With
``YKT_BENCH_PROFILE=FILE`` the booking stage runs under cProfile (CPU time) and its statistics go
to FILE (``python -m pstats FILE``); the figures printed are then not the bench's.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

import bank_formats  # noqa: E402
from adapter import server as grpc_server  # noqa: E402
from bank_sim.bank import SimulatedBank  # noqa: E402
from domain.model import BatchHeader  # noqa: E402
from domain.roster import generate_lines  # noqa: E402
from ledger.db import make_engine, migrate, sqlite_url  # noqa: E402
from privacy.cipher import FieldCipher  # noqa: E402
from privacy.keys import Keyring  # noqa: E402
from service.config import BankProfile, Settings  # noqa: E402
from service.context import Context  # noqa: E402
from service.ingest import ingest_file  # noqa: E402
from sftp.client import BankSftp  # noqa: E402
from tests.support.identities import TEST_AUTH, TestClient  # noqa: E402
from tests.support.sshd import start_sshd  # noqa: E402
from ykt.v1 import disbursement_pb2 as pb  # noqa: E402

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(n: int, postgres: bool) -> None:
    work = Path(tempfile.mkdtemp(prefix="ykt-bench-"))
    schema = None
    try:
        sshd = start_sshd(work / "sshd")
        bank = SimulatedBank(sshd.root_dir, bank_formats.get("iso20022"), 7, "BENCH")
        if postgres:
            schema = f"bench_{uuid.uuid4().hex[:8]}"
            admin = make_engine(PG_URL)
            with admin.begin() as conn:
                conn.execute(text(f"CREATE SCHEMA {schema}"))
            url = f"{PG_URL}?options=-csearch_path%3D{schema}"
        else:
            url = sqlite_url(work / "ledger.sqlite3")
        settings = Settings(url, work / "service", {"BENCH": BankProfile(
            "BENCH", "bench bank", "iso20022", sftp=sshd.endpoint(), inbox=sshd.inbox, outbox=sshd.outbox)},
            auth=TEST_AUTH)
        engine = make_engine(url)
        migrate(engine)
        ctx = Context(engine, settings, cipher=FieldCipher(Keyring.generate()))
        server, port = grpc_server.build(ctx, "127.0.0.1:0")
        client = TestClient(f"127.0.0.1:{port}", "clerk")
        stages: list[tuple[str, float]] = []

        def stage(name, fn):
            t, cpu = time.perf_counter(), time.process_time()
            result = fn()
            stages.append((name, time.perf_counter() - t))
            cpu = time.process_time() - cpu  # this process's: the service, the client and the bank
            print(f"  {name:<28}{stages[-1][1]:>9.1f} s{n / stages[-1][1]:>12,.0f} lines/s{cpu:>9.1f} s CPU",
                  flush=True)
            return result

        total = sum(ln.amount_fen for ln in generate_lines(n, seed=1))
        header = BatchHeader(f"bench-{n}", "耕地地力保护补贴", "2026-11", "652301", "BENCH", "某县财政局",
                             "15000012345678", n, total)
        print(f"N = {n:,} ({'PostgreSQL' if postgres else 'SQLite'})", flush=True)
        start = time.perf_counter()
        batch_id = stage("submit (gRPC stream)", lambda: client.submit(header, generate_lines(n, seed=1)).batch_id)
        client.as_user("approver").call("ApproveBatch", pb.ApproveBatchRequest(batch_id=batch_id))
        client.as_user("finance").call("FundBatch", pb.FundBatchRequest(batch_id=batch_id, amount_fen=total))
        stage("render + check + upload", lambda: client.as_user("finance").call("DispatchBatch", pb.DispatchBatchRequest(batch_id=batch_id)))
        stage("bank simulator answers", bank.process_once)
        local = work / "result.xml"

        def fetch():
            with BankSftp(settings.bank("BENCH").sftp) as sftp:
                (remote,) = sftp.list_ready(sshd.outbox, completion="marker").ready
                sftp.download(remote.path, local)
            return remote.name

        name = stage("fetch result over SFTP", fetch)
        if os.environ.get("YKT_BENCH_PROFILE"):
            import cProfile
            prof = cProfile.Profile(time.process_time)
            outcome = stage("parse + check + book results",
                            lambda: prof.runcall(ingest_file, ctx, "BENCH", local, name))
            prof.dump_stats(os.environ["YKT_BENCH_PROFILE"])
        else:
            outcome = stage("parse + check + book results", lambda: ingest_file(ctx, "BENCH", local, name))
        assert outcome.state.value == "BOOKED" and outcome.booked_lines == n, outcome
        stage("close + refund report", lambda: client.as_user("finance").call(
            "CloseBatch", pb.CloseBatchRequest(batch_id=batch_id)))
        stage("reconciliation report", lambda: client.call("GetReconciliation", pb.GetReportRequest(batch_id=batch_id)))
        wall = time.perf_counter() - start
        print(f"  {'whole flow':<28}{wall:>9.1f} s{n / wall:>12,.0f} lines/s   peak RSS {peak_rss_mb():,.0f} MB",
              flush=True)
        client.close()
        server.stop(grace=None).wait()
        sshd.stop()
        engine.dispose()
    finally:
        if schema:
            with make_engine(PG_URL).begin() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000])
    parser.add_argument("--postgres", action="store_true", help="ledger on PostgreSQL instead of SQLite")
    args = parser.parse_args()
    if len(args.sizes) == 1:
        run(args.sizes[0], args.postgres)
        return
    for n in args.sizes:  # one process per size, so each peak memory is its own
        extra = ["--postgres"] if args.postgres else []
        subprocess.run([sys.executable, __file__, str(n), *extra], check=True)


if __name__ == "__main__":
    main()
