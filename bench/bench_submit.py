"""Speed of checking and storing a roster: the submission use case alone, no gRPC.

    python bench/bench_submit.py [LINES ...] [--postgres] [--premade]

For each size, a fresh ledger first holds an earlier batch of the same size (the one-card
registry and the duplicate checks have something to search), plus a stop list of 1,000 people
of whom some are in the new roster. Then the new roster of LINES lines is submitted: every
line checked (ID, name, account, phone, amount, duplicates in the batch), its ID, account and
phone sealed with AES-256-GCM and blind-indexed, stored, and screened in set-based queries
against the other batch and the stop list. Prints seconds, lines/s, the CPU time the process
used (the submission works on three threads) and peak RSS. Record the output in
bench/RESULTS.md.

By default the new roster is made while it is submitted, as a stream, and the time making it
alone takes is reported beside ("net"); but making lines holds the GIL the submission's own
threads need, so "net" is only an estimate. ``--premade`` makes the lines into a list first
(a benchmark's shortcut, not what the service does) and times the submission alone.
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from domain.model import BatchHeader  # noqa: E402
from domain.roster import generate_lines  # noqa: E402
from ledger.db import make_engine, migrate, sqlite_url  # noqa: E402
from privacy.cipher import FieldCipher  # noqa: E402
from privacy.keys import Keyring  # noqa: E402
from service import stoplist, submission  # noqa: E402
from service.config import BankProfile, Settings  # noqa: E402
from service.context import Context  # noqa: E402

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REGION = "652301"


def header(key: str, period: str, n: int, total: int) -> BatchHeader:
    return BatchHeader(idempotency_key=key, program="耕地地力保护补贴", period=period, region=REGION,
                       bank_code="BENCH", payer_name="某县财政局", payer_account="15000012345678",
                       control_count=n, control_total_fen=total, submitted_by="clerk")


def run(n: int, postgres: bool, premade: bool) -> None:
    work = Path(tempfile.mkdtemp(prefix="ykt-bench-submit-"))
    if postgres:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        with make_engine(PG_URL).begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    else:
        url = sqlite_url(work / "ledger.sqlite3")
    engine = make_engine(url)
    migrate(engine)
    settings = Settings(url, work / "service", {"BENCH": BankProfile("BENCH", "bench bank", "iso20022")})
    ctx = Context(engine, settings, cipher=FieldCipher(Keyring.generate()))

    def total(seed: int) -> int:
        return sum(ln.amount_fen for ln in generate_lines(n, seed=seed, region=REGION))

    t = time.perf_counter()
    submission.submit(ctx, header("earlier", "2026-10", n, total(1)), generate_lines(n, seed=1, region=REGION))
    earlier_s = time.perf_counter() - t
    stopped = [ln.id_number for ln in generate_lines(min(n, 1000), seed=2, region=REGION)]
    stoplist.add_entries(ctx, [stoplist.StopRequest(i, "DECEASED", "2026-01-01", source="bench")
                               for i in stopped[::10]], "bench")

    new = header("new", "2026-11", n, total(2))
    if premade:
        roster = list(generate_lines(n, seed=2, region=REGION))
        making = 0.0
    else:
        t = time.perf_counter()
        for _ in generate_lines(n, seed=2, region=REGION):
            pass
        making = time.perf_counter() - t  # what producing the lines costs the benchmark, not the service
        roster = generate_lines(n, seed=2, region=REGION)

    cpu = resource.getrusage(resource.RUSAGE_SELF)
    t = time.perf_counter()
    outcome = submission.submit(ctx, new, roster)
    seconds = time.perf_counter() - t
    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu_s = used.ru_utime + used.ru_stime - cpu.ru_utime - cpu.ru_stime
    t_ = outcome.tally
    made = "lines made beforehand" if premade else (
        f"of which making the lines {making:5.2f} s; net {n / (seconds - making):>8,.0f} lines/s")
    print(f"{'PostgreSQL' if postgres else 'SQLite':<10} {n:>10,} lines  earlier batch {earlier_s:7.2f} s "
          f"({n / earlier_s:>8,.0f} lines/s)  checked batch {seconds:7.2f} s ({n / seconds:>8,.0f} lines/s)  "
          f"{made}  CPU {cpu_s:6.1f} s  accepted {t_.accepted:,} held {t_.held:,} rejected {t_.rejected:,}  "
          f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB", flush=True)
    with engine.connect() as conn:
        found = dict(conn.execute(text(
            "SELECT code, count(*) FROM line_issues WHERE batch_id = :b GROUP BY code"), {"b": outcome.batch_id}).all())
    print(f"{'':10} findings by code: {found}")
    assert found.get("STOP_DECEASED") == len(stopped[::10]), found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="*", type=int, default=[100_000])
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--premade", action="store_true", help="make the new roster before the clock starts")
    args = parser.parse_args()
    for n in args.sizes:
        run(n, args.postgres, args.premade)


if __name__ == "__main__":
    main()
