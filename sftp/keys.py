"""Small helpers for SSH keys: generate an Ed25519 pair, read a public-key line, parse one.

Used by the embedded bank server (its host key), by the test sshd fixture and by tooling that
needs to pin a host key. Nothing here logs or returns private key material except the writer,
which writes it to a 0600 file.
"""
from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

import paramiko
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

__all__ = [
    "fingerprint",
    "generate_ed25519",
    "load_private_key",
    "parse_public_key_line",
    "public_key_line",
]


def generate_ed25519(private_path: Path, comment: str = "") -> str:
    """Write a new Ed25519 private key (OpenSSH format, mode 0600) and ``<path>.pub``.

    Returns the public-key line ``"ssh-ed25519 AAAA... comment"``.
    """
    private_path = Path(private_path)
    key = ed25519.Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    ).decode("ascii")
    line = f"{public} {comment}".strip()
    private_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(private)
    os.chmod(private_path, 0o600)  # in case the file existed with looser bits
    Path(str(private_path) + ".pub").write_text(line + "\n", encoding="ascii")
    return line


def load_private_key(path: Path, password: str | bytes | None = None) -> paramiko.PKey:
    """Load an Ed25519 / RSA / ECDSA private key file (OpenSSH or PEM format).

    ``password`` is the passphrase of an encrypted key (text is taken as UTF-8).
    """
    if isinstance(password, str):
        password = password.encode("utf-8")  # paramiko/cryptography want bytes
    return paramiko.PKey.from_path(Path(path), password=password)


def public_key_line(key: paramiko.PKey) -> str:
    """The OpenSSH public-key line of ``key`` (``"ssh-ed25519 AAAA..."``), without comment."""
    return f"{key.get_name()} {key.get_base64()}"


def parse_public_key_line(line: str) -> paramiko.PKey:
    """Parse an OpenSSH public-key line (``type base64 [comment]``, options prefix allowed).

    Raises ``ValueError`` when the line holds no readable public key.
    """
    parts = line.strip().split()
    for i, token in enumerate(parts[:-1]):
        if token.startswith(("ssh-", "ecdsa-sha2-", "rsa-sha2-", "sk-")):
            try:
                blob = base64.b64decode(parts[i + 1], validate=True)
                return paramiko.PKey.from_type_string(token, blob)
            except Exception as e:  # binascii.Error, SSHException, UnknownKeyType...
                raise ValueError(f"unreadable {token} public key: {type(e).__name__}") from None
    raise ValueError("not an OpenSSH public-key line")


def fingerprint(key: paramiko.PKey) -> str:
    """``SHA256:...`` fingerprint, as ``ssh-keygen -l`` prints it."""
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")
