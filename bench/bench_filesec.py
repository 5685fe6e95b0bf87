"""File signing and encryption (filesec/): MB/s for sign, verify, encrypt and decrypt of one file.

    python bench/bench_filesec.py [--size-mb 200] [--repeat 3] [--dir /tmp]

A file of ``--size-mb`` random bytes is written to a temporary folder under ``--dir``; then each
operation runs ``--repeat`` times over it, file to file, as the service does (1 MiB chunks,
outputs written through a temporary file, fsync'd and renamed):

* ``sign``: hash the file (SHA-256 or SM3) and sign the statement (Ed25519 or RSA-PSS 3072);
* ``verify``: check the signature, hash the file again and compare;
* ``encrypt``: AES-256-GCM, SM4-GCM, SM4-CTR + HMAC-SM3, the content key wrapped for X25519
  (one RSA-OAEP row shows that the wrap costs nothing measurable);
* ``decrypt``: the same, back to a clear file.

Also ``read+sha256`` (``hashlib`` over the file, nothing written) and ``copy`` (read and write,
no crypto) as the floor the disk and page cache set. The best and the median run are printed,
wall-clock and CPU (process) time, since the machine may be shared. Peak RSS is for the whole
process. Record the output in bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cryptography  # noqa: E402
from cryptography.hazmat.backends import default_backend  # noqa: E402

from filesec import KeySet, decrypt_file, encrypt_file, generate_keys, verify_file, write_signature  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(fn, repeat: int) -> tuple[list[float], list[float]]:
    walls, cpus = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return walls, cpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", default=tempfile.gettempdir())
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench_filesec_", dir=args.dir))
    try:
        payload = work / "PAY.txt"
        with open(payload, "wb") as out:
            for _ in range(args.size_mb):
                out.write(os.urandom(1 << 20))
        size_mb = payload.stat().st_size / 1e6
        ours = generate_keys(work / "ours", "o1")
        bank = generate_keys(work / "bank", "b1", signing="rsa-pss-sha256", wrap="rsa-oaep-sha256")
        ed_sign, ed_verify = KeySet.load(ours.sign, private=True), KeySet.load(ours.verify, private=False)
        rsa_sign, rsa_verify = KeySet.load(bank.sign, private=True), KeySet.load(bank.verify, private=False)
        x_enc, x_dec = KeySet.load(ours.encrypt, private=False), KeySet.load(ours.decrypt, private=True)
        r_enc, r_dec = KeySet.load(bank.encrypt, private=False), KeySet.load(bank.decrypt, private=True)
        enc_out, clear_out = work / "enc" / "PAY.txt", work / "clear" / "PAY.txt"
        enc_out.parent.mkdir()
        clear_out.parent.mkdir()

        def sha256_only():
            h = hashlib.sha256()
            with open(payload, "rb") as f:
                while chunk := f.read(1 << 20):
                    h.update(chunk)

        rows: list[tuple[str, list[float], list[float]]] = []
        rows.append(("read+sha256 (hashlib, floor)", *measure(sha256_only, args.repeat)))
        rows.append(("copy (read+write+fsync, floor)", *measure(
            lambda: (shutil.copyfile(payload, clear_out), os.sync()), args.repeat)))
        for label, signer, verifier, digest in (("ed25519", ed_sign, ed_verify, "sha256"),
                                                ("ed25519", ed_sign, ed_verify, "sm3"),
                                                ("rsa-pss-sha256 (3072)", rsa_sign, rsa_verify, "sha256")):
            sig = work / f"PAY.{label[:3]}.{digest}.sig"
            rows.append((f"sign {label}, {digest}", *measure(
                lambda s=signer, d=digest, o=sig: write_signature(payload, o, s, digest=d), args.repeat)))
            rows.append((f"verify {label}, {digest}", *measure(
                lambda v=verifier, o=sig: verify_file(payload, o, v, check_name=False), args.repeat)))
        for cipher, enc, dec, wrap in (("aes-256-gcm", x_enc, x_dec, "x25519"),
                                       ("sm4-gcm", x_enc, x_dec, "x25519"),
                                       ("sm4-ctr+hmac-sm3", x_enc, x_dec, "x25519"),
                                       ("aes-256-gcm", r_enc, r_dec, "rsa-oaep 3072")):
            rows.append((f"encrypt {cipher} ({wrap})", *measure(
                lambda c=cipher, e=enc: encrypt_file(payload, enc_out, e, cipher=c), args.repeat)))
            rows.append((f"decrypt {cipher} ({wrap})", *measure(
                lambda d=dec: decrypt_file(enc_out, clear_out, d), args.repeat)))
            assert clear_out.stat().st_size == payload.stat().st_size
    finally:
        shutil.rmtree(work, ignore_errors=True)

    load = os.getloadavg()
    print(f"File signing and encryption, {args.size_mb} MiB ({size_mb:.0f} MB) file, {args.repeat} runs each; MB = 10^6 bytes")
    print(f"Machine: {os.cpu_count()} CPU {platform.machine()} ({platform.processor() or 'unknown'}), "
          f"Python {platform.python_version()}, cryptography {cryptography.__version__} "
          f"({default_backend().openssl_version_text()})")
    print(f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; load average after {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}")
    print()
    print("| operation | MB/s best (wall) | MB/s median (wall) | MB/s best (CPU) | MB/s median (CPU) | "
          "s for 500 MB (median wall) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, walls, cpus in rows:
        best_w, med_w = size_mb / min(walls), size_mb / statistics.median(walls)
        best_c, med_c = size_mb / max(min(cpus), 1e-9), size_mb / max(statistics.median(cpus), 1e-9)
        print(f"| {name} | {best_w:,.0f} | {med_w:,.0f} | {best_c:,.0f} | {med_c:,.0f} | {500 / med_w:.1f} |")
    print()
    print(f"Peak RSS of the process: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
