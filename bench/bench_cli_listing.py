"""Speed and memory of the long listings of ``ykt`` (issue 16 item 1): ``ykt lines list BATCH``
as a person reads it (an aligned table) and as a script reads it (``--json``).

    python bench/bench_cli_listing.py [LINES ...]

For each size, a batch of LINES lines is submitted to a service on a real gRPC port (SQLite,
in this process), then ``ykt lines list`` runs as its own process with stdout to /dev/null.
Prints the listing's wall seconds, lines/s and the ``ykt`` process's peak RSS (its own VmHWM): the
listing streams page by page (1,000 lines a call), so the peak should not grow with LINES.
Record the output in bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from domain.model import BatchHeader  # noqa: E402
from domain.roster import generate_lines  # noqa: E402
from ledger.db import make_engine, migrate, sqlite_url  # noqa: E402
from service.identity import Role  # noqa: E402
from tests.support.office import PROGRAM, REGION, Office  # noqa: E402

# The process reports its own high-water mark (VmHWM) as it exits: the rusage of a child
# forked from this large process carries this process's size over the exec, not the child's own.
RUN_REPORTING_PEAK = """
import atexit, runpy, sys
def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            sys.stderr.write("PEAK " + line.split()[1] + "\\n")
atexit.register(peak)
sys.argv = ["ykt", *sys.argv[1:]]
runpy.run_module("adapter.cli", run_name="__main__")
"""


def listing(address: str, token: str, batch_id: str, *flags: str) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one ``ykt lines list`` process."""
    env = {**os.environ, "YKT_TOKEN": token}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", RUN_REPORTING_PEAK, "lines", "list", batch_id, *flags,
                           "--address", address], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT,
                          env=env, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"ykt lines list failed: {done.stderr}")
    (peak_kib,) = [int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("PEAK ")]
    return wall, peak_kib / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 50_000])
    sizes = parser.parse_args().sizes
    print(f"load average {os.getloadavg()[0]:.2f}")
    print(f"{'lines':>9} {'output':>6} {'seconds':>8} {'lines/s':>9} {'peak RSS MiB':>13}")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            engine = make_engine(sqlite_url(Path(tmp) / "ledger.sqlite3"))
            migrate(engine)
            office = Office(engine, Path(tmp), {"clerk": frozenset([Role.CLERK])}, ("RCB01",), {},
                            datetime(2026, 11, 2, 2, tzinfo=UTC))
            try:
                lines = list(generate_lines(n, seed=n, region=REGION))
                header = BatchHeader(idempotency_key=f"bench-{n}", program=PROGRAM, period="2026-11", region=REGION,
                                     bank_code="RCB01", payer_name="某县财政局", payer_account="15000012345678",
                                     control_count=n, control_total_fen=sum(ln.amount_fen for ln in lines))
                batch_id = office.as_user("clerk").submit(header, lines, timeout=600).batch_id
                del lines
                for output, flags in (("table", ()), ("json", ("--json",))):
                    wall, rss = listing(office._client.address, office.tokens["clerk"], batch_id, *flags)
                    print(f"{n:>9,} {output:>6} {wall:>8.2f} {n / wall:>9,.0f} {rss:>13.1f}", flush=True)
            finally:
                office.close()
                engine.dispose()


if __name__ == "__main__":
    main()
