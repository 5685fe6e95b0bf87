"""Streaming: signing, verifying, encrypting and decrypting a 50 MB file keep memory flat.

Measured in a fresh interpreter: the growth of its peak RSS (``ru_maxrss``) from just before the
first operation to the end, which would be at least the file's size if any step read it whole.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SIZE_MB = 50
LIMIT_MB = 24  # 1 MiB chunks: a few buffers, plus OpenSSL's and the allocator's slack

SCRIPT = r"""
import json, os, resource, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from filesec import KeySet, decrypt_file, encrypt_file, generate_keys, verify_file, write_signature

work = Path(sys.argv[2])
size_mb = int(sys.argv[3])
payload = work / "PAY.txt"
with open(payload, "wb") as out:
    block = os.urandom(1 << 20)
    for i in range(size_mb):
        out.write(block[i:] + block[:i])
ours = generate_keys(work / "ours", "o1")
bank = generate_keys(work / "bank", "b1", signing="rsa-pss-sha256", wrap="rsa-oaep-sha256", rsa_bits=2048)
sign, verify = KeySet.load(ours.sign, private=True), KeySet.load(ours.verify, private=False)
enc_x, dec_x = KeySet.load(ours.encrypt, private=False), KeySet.load(ours.decrypt, private=True)
enc_r, dec_r = KeySet.load(bank.encrypt, private=False), KeySet.load(bank.decrypt, private=True)
(work / "out").mkdir()
(work / "clear").mkdir()
# warm up every code path on a small file so that lazily loaded code is not counted
small = work / "small.txt"
small.write_bytes(b"x" * 3000)
for cipher, enc, dec in (("aes-256-gcm", enc_x, dec_x), ("sm4-gcm", enc_r, dec_r), ("sm4-ctr+hmac-sm3", enc_x, dec_x)):
    encrypt_file(small, work / "out" / "small.txt", enc, cipher=cipher)
    decrypt_file(work / "out" / "small.txt", work / "clear" / "small.txt", dec)
for digest in ("sha256", "sm3"):
    verify_file(small, write_signature(small, None, sign, digest=digest), verify)

def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

before = peak()
steps = {}
for cipher, enc, dec in (("aes-256-gcm", enc_x, dec_x), ("sm4-gcm", enc_r, dec_r), ("sm4-ctr+hmac-sm3", enc_x, dec_x)):
    encrypt_file(payload, work / "out" / "PAY.txt", enc, cipher=cipher)
    steps["encrypt " + cipher] = peak() - before
    decrypt_file(work / "out" / "PAY.txt", work / "clear" / "PAY.txt", dec)
    steps["decrypt " + cipher] = peak() - before
    assert (work / "clear" / "PAY.txt").stat().st_size == size_mb << 20
for digest in ("sha256", "sm3"):
    sig = write_signature(work / "out" / "PAY.txt", None, sign, digest=digest)
    steps["sign " + digest] = peak() - before
    verify_file(work / "out" / "PAY.txt", sig, verify)
    steps["verify " + digest] = peak() - before
print(json.dumps({"before_mb": before, "growth_mb": steps}))
"""


@pytest.mark.timeout(240)
def test_a_50_mb_file_is_processed_in_bounded_memory(tmp_path):
    run = subprocess.run([sys.executable, "-c", SCRIPT, str(ROOT), str(tmp_path), str(SIZE_MB)],
                         capture_output=True, text=True, timeout=220)
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout)
    growth = result["growth_mb"]
    assert len(growth) == 10
    assert max(growth.values()) < LIMIT_MB, growth
