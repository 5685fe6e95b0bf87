"""A small certificate authority for mutual TLS: a self-signed CA, a server certificate and
client certificates (ECDSA P-256), for tests, the demo and ``ykt certs``.

For a pilot or a county without a PKI of its own. Where the finance bureau runs a CA, use its
certificates instead: the service only needs ``tls_cert``, ``tls_key`` and ``client_ca`` files.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["Issued", "issue", "load", "make_ca", "write_set"]


@dataclass(frozen=True)
class Issued:
    cert_pem: bytes
    key_pem: bytes

    @property
    def cert(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.cert_pem)

    def write(self, cert_path: Path, key_path: Path) -> None:
        cert_path.parent.mkdir(parents=True, exist_ok=True)
        cert_path.write_bytes(self.cert_pem)
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(self.key_pem)
        os.chmod(key_path, 0o600)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ykt"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_ca(common_name: str = "ykt CA", days: int = 3650) -> Issued:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name)).issuer_name(_name(common_name))
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                     content_commitment=False, key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Issued(cert.public_bytes(serialization.Encoding.PEM), _key_pem(key))


def issue(ca: Issued, common_name: str, *, server_hosts: tuple[str, ...] = (), days: int = 825) -> Issued:
    """A certificate signed by ``ca``: a server certificate for ``server_hosts`` (DNS names or
    IP addresses) when given, else a client certificate whose CN names the user."""
    key = ec.generate_private_key(ec.SECP256R1())
    ca_key = serialization.load_pem_private_key(ca.key_pem, password=None)
    ca_cert = ca.cert
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name)).issuer_name(ca_cert.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .add_extension(x509.ExtendedKeyUsage(
            [ExtendedKeyUsageOID.SERVER_AUTH] if server_hosts else [ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
    )
    if server_hosts:
        names = []
        for host in server_hosts:
            try:
                names.append(x509.IPAddress(ipaddress.ip_address(host)))
            except ValueError:
                names.append(x509.DNSName(host))
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    cert = builder.sign(ca_key, hashes.SHA256())
    return Issued(cert.public_bytes(serialization.Encoding.PEM), _key_pem(key))


def load(cert_path: Path, key_path: Path) -> Issued:
    return Issued(cert_path.read_bytes(), key_path.read_bytes())


def write_set(folder: Path, server_hosts: tuple[str, ...] = ("localhost", "127.0.0.1"),
              clients: tuple[str, ...] = ()) -> dict[str, Path]:
    """Into ``folder``: ``ca.pem``/``ca.key`` (made unless both exist: then reused to issue
    more), ``server.pem``/``server.key`` (made unless both exist) and ``CN.pem``/``CN.key`` for
    each client CN. Keys are written mode 0600. Returns the paths written or reused by name."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    ca_pem, ca_key = folder / "ca.pem", folder / "ca.key"
    if ca_pem.exists() and ca_key.exists():
        ca = load(ca_pem, ca_key)
    else:
        ca = make_ca()
        ca.write(ca_pem, ca_key)
    paths.update(ca=ca_pem, ca_key=ca_key)
    server_pem, server_key = folder / "server.pem", folder / "server.key"
    if not (server_pem.exists() and server_key.exists()):
        issue(ca, server_hosts[0] if server_hosts else "ykt", server_hosts=server_hosts).write(server_pem, server_key)
    paths.update(server=server_pem, server_key=server_key)
    for cn in clients:
        if not cn or "/" in cn or cn.startswith("."):
            raise ValueError(f"{cn!r}: a client CN must be usable as a file name")
        issue(ca, cn).write(folder / f"{cn}.pem", folder / f"{cn}.key")
        paths.update({cn: folder / f"{cn}.pem", f"{cn}_key": folder / f"{cn}.key"})
    return paths
