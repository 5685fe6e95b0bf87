"""``ykt keys init|rotate-signing|public`` and ``ykt report verify --public-key`` (issue 17,
item 5), run as the operator runs them: init makes the report-signing key set beside the
personal-data keys (taking in a report-signing.pem of the earlier kind as key s1), a rotation
adds a current key, and a copy signed before the rotation still verifies offline against the
exported public keys, while one signed by a key the export does not hold is refused."""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from reports.documents import issue
from reports.exports import jsonfile
from reports.signing import Signer, SigningKeys

CONTENT = {"report": "refund of surplus 结余资金退回", "batch": {"id": "B1"}, "funded_fen": 100, "lines": []}


def ykt(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "adapter.cli", "--lang", "en", *args], capture_output=True, text=True,
                          timeout=120)


def _export(path: Path, signer) -> Path:
    out = io.BytesIO()
    jsonfile.write(issue("refund", CONTENT, signer), out)
    path.write_bytes(out.getvalue())
    return path


def test_init_rotate_and_public_keys_verify_old_and_new_copies(tmp_path):
    config = tmp_path / "ykt.toml"
    config.write_text(f'data_dir = "var"\ndatabase_url = "sqlite:///{tmp_path}/var/ledger.sqlite3"\n', encoding="utf-8")
    legacy_key = Ed25519PrivateKey.generate()
    (tmp_path / "keys").mkdir()
    legacy = tmp_path / "keys" / "report-signing.pem"
    legacy.write_bytes(legacy_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                serialization.NoEncryption()))
    legacy.chmod(0o600)
    before_ids = _export(tmp_path / "before-ids.json", Signer(legacy_key))  # issued by an earlier version

    done = ykt("keys", "init", "--config", str(config))
    assert done.returncode == 0, done.stderr
    keys_file = tmp_path / "keys" / "report-signing-keys.json"
    assert keys_file.stat().st_mode & 0o777 == 0o600
    assert f"taking in {legacy} as key s1" in done.stdout
    s1 = SigningKeys.load(keys_file)
    assert s1.key_ids == ("s1",) and s1.signer().public_key_pem() == Signer(legacy_key).public_key_pem()
    signed_s1 = _export(tmp_path / "s1.json", s1.signer())

    done = ykt("keys", "rotate-signing", "--config", str(config))
    assert done.returncode == 0, done.stderr
    assert "new current report-signing key s2 (keys s1, s2)" in done.stdout
    signed_s2 = _export(tmp_path / "s2.json", SigningKeys.load(keys_file).signer())

    public = tmp_path / "public-keys.json"
    done = ykt("keys", "public", "--config", str(config), "--out", str(public))
    assert done.returncode == 0, done.stderr
    doc = json.loads(public.read_text(encoding="ascii"))
    assert doc["current"] == "s2" and sorted(doc["keys"]) == ["s1", "s2"]
    assert "PRIVATE" not in public.read_text(encoding="ascii")
    printed = ykt("keys", "public", "--config", str(config))
    assert json.loads(printed.stdout) == doc

    for copy in (before_ids, signed_s1, signed_s2):
        done = ykt("report", "verify", str(copy), "--public-key", str(public))
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.rstrip().endswith("VALID") and "NOT VALID" not in done.stdout

    # a verifier with only s1's public key (one PEM, as before) cannot be fooled by s2's copy ...
    only_s1 = tmp_path / "s1.pem"
    only_s1.write_text(doc["keys"]["s1"], encoding="ascii")
    done = ykt("report", "verify", str(signed_s2), "--public-key", str(only_s1))
    assert done.returncode == 1 and "NOT VALID" in done.stdout
    # ... and a copy signed by another service's key does not verify against the exported set
    forged = _export(tmp_path / "forged.json", SigningKeys.generate().rotated().signer())
    done = ykt("report", "verify", str(forged), "--public-key", str(public))
    assert done.returncode == 1 and "(key s2) does not verify" in done.stdout

    again = ykt("keys", "init", "--config", str(config))  # never over live keys
    assert again.returncode == 2 and SigningKeys.load(keys_file).key_ids == ("s1", "s2")
