"""Personal data sealing: lines per second for what submission does to every line, on one core.

    python bench/bench_privacy.py [--lines 1000000] [--chunk 5000] [--repeat 3]

Per line, as the ledger stores it: the identity, account and phone numbers sealed (AES-256-GCM)
and blind indexes of the identity and account numbers (HMAC-SHA256) — 3 seals and 2 indexes.
The roster comes from ``domain.roster.generate_lines`` (every line has a phone, the worst case),
streamed in chunks of ``--chunk`` lines like the ledger's inserts; only the time spent in the
cipher is counted, not generating the lines. Stages:

* ``vectorised``: ``seal_many`` ×3 and ``index_many`` ×2 per chunk;
* ``per value``: ``seal``/``index`` called for each value, as a row-by-row caller would;
* ``open``: ``open_many`` ×3 per chunk (reading the lines back to write the payment file);
* ``vectorised_hot``: as ``vectorised``, but over the first chunk again and again with nothing in
  between — an upper bound with warm caches, not what a submission sees.

Each stage runs ``--repeat`` times over all lines; the best and the median run are printed,
wall-clock and CPU (process) time, since the machine may be shared. Peak RSS is for the whole
process. Record the output in bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cryptography  # noqa: E402
from cryptography.hazmat.backends import default_backend  # noqa: E402

from domain.roster import generate_lines  # noqa: E402
from privacy import ACCOUNT, ID, PHONE, FieldCipher, Keyring  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def chunks(n: int, size: int):
    ids: list[str] = []
    accounts: list[str] = []
    phones: list[str | None] = []
    for line in generate_lines(n, seed=7):
        ids.append(line.id_number.upper())
        accounts.append(line.account_no)
        phones.append(line.phone or None)
        if len(ids) == size:
            yield ids, accounts, phones
            ids, accounts, phones = [], [], []
    if ids:
        yield ids, accounts, phones


def vectorised(cipher: FieldCipher, ids, accounts, phones) -> None:
    cipher.seal_many(ID, ids)
    cipher.index_many(ID, ids)
    cipher.seal_many(ACCOUNT, accounts)
    cipher.index_many(ACCOUNT, accounts)
    cipher.seal_many(PHONE, phones)


def per_value(cipher: FieldCipher, ids, accounts, phones) -> None:
    seal, index = cipher.seal, cipher.index
    for id_number, account, phone in zip(ids, accounts, phones, strict=True):
        seal(ID, id_number)
        index(ID, id_number)
        seal(ACCOUNT, account)
        index(ACCOUNT, account)
        if phone is not None:
            seal(PHONE, phone)


def hot_chunks(n: int, size: int):
    first = next(chunks(size, size))
    for _ in range(n // size):
        yield first


def run_stage(name: str, cipher: FieldCipher, n: int, size: int, repeat: int) -> dict:
    walls, cpus = [], []
    source = hot_chunks if name.endswith("_hot") else chunks
    for _ in range(repeat):
        wall = cpu = 0.0
        for ids, accounts, phones in source(n, size):
            if name == "open":
                sealed = (cipher.seal_many(ID, ids), cipher.seal_many(ACCOUNT, accounts),
                          cipher.seal_many(PHONE, phones))
                w0, c0 = time.perf_counter(), time.process_time()
                cipher.open_many(ID, sealed[0])
                cipher.open_many(ACCOUNT, sealed[1])
                cipher.open_many(PHONE, sealed[2])
            else:
                step = per_value if name == "per_value" else vectorised
                w0, c0 = time.perf_counter(), time.process_time()
                step(cipher, ids, accounts, phones)
            wall += time.perf_counter() - w0
            cpu += time.process_time() - c0
        walls.append(wall)
        cpus.append(cpu)
    return {
        "stage": name,
        "best_wall": n / min(walls),
        "median_wall": n / statistics.median(walls),
        "best_cpu": n / min(cpus),
        "median_cpu": n / statistics.median(cpus),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--stages", default="vectorised,per_value,open,vectorised_hot")
    args = parser.parse_args()

    cipher = FieldCipher(Keyring.generate())
    load_before = os.getloadavg()
    started = datetime.now(timezone.utc)
    print(f"# bench_privacy: {args.lines:,} lines, chunks of {args.chunk}, best/median of {args.repeat}")
    print(f"# {started:%Y-%m-%d %H:%M} UTC; {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs; Python {platform.python_version()}, cryptography {cryptography.__version__}, "
          f"{default_backend().openssl_version_text()}")
    print(f"# load average before: {' '.join(f'{x:.2f}' for x in load_before)}")
    print("| stage | lines/s best (wall) | lines/s median (wall) | lines/s best (CPU) | lines/s median (CPU) "
          "| share of a 30,000 lines/s budget (median wall) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name in args.stages.split(","):
        r = run_stage(name, cipher, args.lines, args.chunk, args.repeat)
        print(f"| {name} | {r['best_wall']:,.0f} | {r['median_wall']:,.0f} | {r['best_cpu']:,.0f} | "
              f"{r['median_cpu']:,.0f} | {30_000 / r['median_wall']:.0%} |", flush=True)
    load_after = os.getloadavg()
    print(f"# load average after: {' '.join(f'{x:.2f}' for x in load_after)}")
    print(f"# peak RSS: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
