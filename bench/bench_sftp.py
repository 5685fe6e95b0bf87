"""SFTP reads over loopback against a real OpenSSH sshd: MB/s of a download and of an upload's
read-back, paramiko's prefetch (before) against sftp.readahead's steady pipeline (after).

    python bench/bench_sftp.py [--size-mb 200] [--repeat 2] [--stop-and-wait-mb 20]

Starts sshd (tests/support/sshd.py) on 127.0.0.1 with a file of ``--size-mb`` random bytes in its
outbox, then times, each ``--repeat`` times on one SSH session:

* ``before: prefetch``: the read loop sftp/client.py had (``SFTPFile.prefetch(size)`` then
  ``read(256 KiB)`` until EOF, SHA-256 over it, nothing written); when paramiko's prefetch turns
  itself off (issue #2418) the rest of the file goes at the next row's speed;
* ``stop-and-wait``: one 32 KiB request per round trip, what a read falls back to then; timed on
  ``--stop-and-wait-mb`` only, as it is slow;
* ``after: read-back``: ``BankSftp._remote_sha256`` (the upload's read-back, SHA-256, nothing
  written);
* ``after: download``: ``BankSftp.download`` to a local file (fsync'd and renamed).

Loopback has almost no latency, so the gap between rows is mostly Python cost per request; over a
real line each round trip adds the link's latency to every stop-and-wait request. The best and
median MB/s (MB = 10^6 bytes) are printed; record them in bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import paramiko  # noqa: E402

from sftp import BankSftp  # noqa: E402
from sftp.client import CHUNK  # noqa: E402
from tests.support.sshd import start_sshd  # noqa: E402


def before_prefetch(bank: BankSftp, path: str, size: int) -> tuple[int, str]:
    h, n = hashlib.sha256(), 0
    with bank.sftp.open(path, "rb") as f:
        f.prefetch(size)
        while chunk := f.read(CHUNK):
            h.update(chunk)
            n += len(chunk)
    return n, h.hexdigest()


def stop_and_wait(bank: BankSftp, path: str, size: int) -> tuple[int, str]:
    h, n = hashlib.sha256(), 0
    with bank.sftp.open(path, "rb") as f:
        while n < size and (chunk := f.read(min(CHUNK, size - n))):
            h.update(chunk)
            n += len(chunk)
    return n, h.hexdigest()


def timed(label: str, size: int, repeat: int, run) -> None:
    rates = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        n = run()
        dt = time.perf_counter() - t0
        assert n == size, f"{label}: read {n} bytes, expected {size}"
        rates.append(size / dt / 1e6)
    print(f"{label:<24} {size / 1e6:8.1f} MB   best {max(rates):7.1f} MB/s   median {statistics.median(rates):7.1f} MB/s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size-mb", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--stop-and-wait-mb", type=int, default=20)
    args = ap.parse_args()
    size = args.size_mb * 1_000_000
    print(f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}, "
          f"paramiko {paramiko.__version__}, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="bench_sftp_") as tmp:
        server = start_sshd(Path(tmp))
        try:
            remote = Path(server.outbox) / "RESULT_BENCH.bin"
            with open(remote, "wb") as f:
                for _ in range(args.size_mb):
                    f.write(os.urandom(1_000_000))
            with open(remote, "rb") as f:
                want = hashlib.file_digest(f, "sha256").hexdigest()
            local = Path(tmp) / "in" / "RESULT_BENCH.bin"
            with BankSftp(server.endpoint(timeout_s=60.0)) as bank:
                bank.connect()

                def check(got: tuple[int, str]) -> int:
                    assert got == (size, want), f"read {got[0]} bytes sha256 {got[1]}, expected {size} {want}"
                    return got[0]

                def download() -> tuple[int, str]:
                    d = bank.download(str(remote), local)
                    return d.size, d.sha256

                timed("before: prefetch", size, args.repeat,
                      lambda: check(before_prefetch(bank, str(remote), size)))
                sw = args.stop_and_wait_mb * 1_000_000
                timed("stop-and-wait (32 KiB)", sw, 1, lambda: stop_and_wait(bank, str(remote), sw)[0])
                timed("after: read-back", size, args.repeat,
                      lambda: check(bank._remote_sha256(str(remote), size)))  # noqa: SLF001
                timed("after: download", size, args.repeat, lambda: check(download()))
        finally:
            server.stop()


if __name__ == "__main__":
    main()
