"""The SFTP client the service uses to deliver payment files to a bank and fetch its results.

    with BankSftp(endpoint) as bank:
        delivered = bank.upload(Path("out/PAY_001.xml"), "/inbox", "PAY_001.xml")
        listing = bank.list_ready("/outbox", suffix=".xml", previous=state)
        for f in listing.ready:
            got = bank.download(f.path, Path("in") / f.name)
            bank.move(f.path, "/outbox/processed")
        state = listing.observations

Safety rules:

* the server's host key is checked against a pinned key or a known_hosts file; an unknown key is
  refused (``RejectPolicy``), a different key raises :class:`HostKeyMismatch`;
* an upload is written under a temporary dot-name, verified by reading it back, then renamed to
  its final name, so the bank never sees a partial file under the final name;
* a file already delivered under the final name is never overwritten: same content is an
  idempotent success, different content is an error;
* downloads land in a local temporary file that is renamed once its size is verified.
"""
from __future__ import annotations

import errno
import hashlib
import logging
import os
import posixpath
import socket
import stat as stat_mod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import paramiko
from paramiko.sftp import CMD_EXTENDED

from sftp.endpoint import SftpEndpoint
from sftp.errors import (
    AuthFailed,
    ConnectFailed,
    HostKeyMismatch,
    IncompleteTransfer,
    SftpError,
    TransferError,
    UnknownHost,
)
from sftp.keys import fingerprint, load_private_key, parse_public_key_line
from sftp.readiness import MARKER_SUFFIX, Completion, Entry, Observation, Readiness

log = logging.getLogger("ykt.sftp")

CHUNK = 256 * 1024
Progress = Callable[[int, int], None]  # (bytes done, bytes total)

__all__ = ["BankSftp", "Delivered", "Downloaded", "ReadyListing", "RemoteFile", "sha256_file"]


@dataclass(frozen=True, slots=True)
class Delivered:
    """A file that is in the bank's folder under its final name, verified by read-back."""

    remote_path: str
    size: int
    sha256: str
    already_present: bool = False  # True when an earlier run had delivered it


@dataclass(frozen=True, slots=True)
class Downloaded:
    size: int
    sha256: str
    local_path: Path | None = None


@dataclass(frozen=True, slots=True)
class RemoteFile:
    name: str
    path: str  # remote_dir/name
    size: int
    mtime: int


@dataclass(frozen=True, slots=True)
class ReadyListing:
    """Complete result files, and the observations to pass as ``previous`` at the next poll."""

    ready: list[RemoteFile]
    observations: dict[str, Observation] = field(default_factory=dict)

    def __iter__(self):
        return iter(self.ready)

    def __len__(self) -> int:
        return len(self.ready)


class _Reject(paramiko.MissingHostKeyPolicy):
    """Never accept an unknown host key; raise our own error naming the bank."""

    def __init__(self, bank: str):
        self.bank = bank

    def missing_host_key(self, client, hostname, key):  # noqa: ARG002 - paramiko API
        raise UnknownHost(
            self.bank,
            None,
            f"host key {key.get_name()} {fingerprint(key)} is not known for {hostname}; "
            "pin it (host_key) or add it to known_hosts",
        )


def sha256_file(path: Path) -> tuple[int, str]:
    """Size and SHA-256 (hex) of a local file, read in chunks."""
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(1024 * 1024):
            h.update(chunk)
            size += len(chunk)
    return size, h.hexdigest()


def _is_unsupported(e: OSError) -> bool:
    return e.errno in (None, errno.EOPNOTSUPP, errno.ENOSYS) and "unsupported" in str(e).lower()


def _is_missing(e: OSError) -> bool:
    return e.errno == errno.ENOENT


class BankSftp:
    """An SFTP session to one bank. Use as a context manager (or call connect()/close())."""

    def __init__(self, endpoint: SftpEndpoint):
        self.endpoint = endpoint
        self.bank = endpoint.bank
        self._ssh: paramiko.SSHClient | None = None
        self._sftp: paramiko.SFTPClient | None = None
        self._posix_rename = True

    # ------------------------------------------------------------------ connection

    def __enter__(self) -> BankSftp:
        self.connect()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _host_key_store(self, ssh: paramiko.SSHClient) -> None:
        ep = self.endpoint
        keys = ssh.get_host_keys()
        if ep.host_key:
            try:
                key = parse_public_key_line(ep.host_key)
            except ValueError as e:
                raise ConnectFailed(self.bank, None, f"pinned host key is invalid: {e}") from None
            names = {ep.host, f"[{ep.host}]:{ep.port}"}
            for name in names:
                keys.add(name, key.get_name(), key)
        elif ep.known_hosts_path is not None:
            try:
                ssh.load_host_keys(str(ep.known_hosts_path))
            except OSError as e:
                raise ConnectFailed(
                    self.bank, str(ep.known_hosts_path), f"cannot read known_hosts: {e.strerror or e}"
                ) from None
        else:
            raise ConnectFailed(
                self.bank, None, "no host key pinned and no known_hosts file configured; refusing"
            )

    def connect(self) -> None:
        if self._sftp is not None:
            return
        ep = self.endpoint
        ssh = paramiko.SSHClient()
        ssh.set_missing_host_key_policy(_Reject(self.bank))
        self._host_key_store(ssh)
        pkey = None
        if ep.private_key_path is not None:
            try:
                pkey = load_private_key(ep.private_key_path, ep.password)
            except (OSError, ValueError, paramiko.SSHException) as e:
                # never include the exception text of a key parser: keep to the type
                why = e.strerror if isinstance(e, OSError) and e.strerror else type(e).__name__
                raise AuthFailed(
                    self.bank, str(ep.private_key_path), f"cannot load private key: {why}"
                ) from None
        if pkey is None and not ep.password and not (ep.allow_agent or ep.look_for_keys):
            raise AuthFailed(self.bank, None, "no private key or password configured")
        log.info("connecting to bank %s as %s", self.bank, ep.username)
        try:
            ssh.connect(
                ep.host,
                port=ep.port,
                username=ep.username,
                pkey=pkey,
                password=ep.password if pkey is None else None,
                passphrase=None,
                timeout=ep.timeout_s,
                banner_timeout=ep.timeout_s,
                auth_timeout=ep.timeout_s,
                channel_timeout=ep.timeout_s,
                allow_agent=ep.allow_agent,
                look_for_keys=ep.look_for_keys,
            )
            sftp = ssh.open_sftp()
            sftp.get_channel().settimeout(ep.timeout_s)
        except SftpError:
            ssh.close()
            raise
        except paramiko.BadHostKeyException as e:
            ssh.close()
            raise HostKeyMismatch(
                self.bank,
                None,
                f"server presented {e.key.get_name()} {fingerprint(e.key)} but "
                f"{e.expected_key.get_name()} {fingerprint(e.expected_key)} is expected; "
                "possible man-in-the-middle, refusing",
            ) from None
        except paramiko.AuthenticationException as e:
            ssh.close()
            raise AuthFailed(
                self.bank, None, f"authentication as {ep.username!r} refused ({type(e).__name__})"
            ) from None
        except (paramiko.SSHException, OSError, EOFError) as e:
            ssh.close()
            raise ConnectFailed(self.bank, None, f"cannot open SFTP session: {type(e).__name__}: {e}") from None
        self._ssh, self._sftp = ssh, sftp
        log.info("connected to bank %s", self.bank)

    def close(self) -> None:
        sftp, ssh = self._sftp, self._ssh
        self._sftp = self._ssh = None
        for thing in (sftp, ssh):
            if thing is not None:
                try:
                    thing.close()
                except Exception:  # noqa: BLE001 - closing is best effort
                    pass

    @property
    def sftp(self) -> paramiko.SFTPClient:
        if self._sftp is None:
            raise ConnectFailed(self.bank, None, "not connected")
        return self._sftp

    @property
    def transport(self) -> paramiko.Transport | None:
        return self._ssh.get_transport() if self._ssh is not None else None

    def _fail(self, path: str, what: str, e: BaseException, cls=TransferError) -> SftpError:
        if isinstance(e, OSError) and e.strerror:
            why = e.strerror
        else:
            why = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
        return cls(self.bank, path, f"{what} failed: {why}")

    # ------------------------------------------------------------------ helpers

    def _stat(self, path: str) -> paramiko.SFTPAttributes | None:
        try:
            return self.sftp.stat(path)
        except OSError as e:
            if _is_missing(e):
                return None
            raise self._fail(path, "stat", e) from None

    def _remote_sha256(self, path: str, size: int | None = None) -> tuple[int, str]:
        h = hashlib.sha256()
        n = 0
        with self.sftp.open(path, "rb") as f:
            f.prefetch(size)
            while chunk := f.read(CHUNK):
                h.update(chunk)
                n += len(chunk)
        return n, h.hexdigest()

    def _fsync(self, f: paramiko.SFTPFile, path: str) -> None:
        """Ask the server to fsync (OpenSSH ``fsync@openssh.com``); best effort."""
        try:
            f.flush()
            self.sftp._request(CMD_EXTENDED, "fsync@openssh.com", f.handle)  # noqa: SLF001
        except OSError as e:
            log.debug("bank %s: fsync of %s not supported (%s)", self.bank, path, e)

    def _rename_into_place(self, src: str, dst: str) -> None:
        if self._posix_rename:
            try:
                self.sftp.posix_rename(src, dst)
                return
            except OSError as e:
                if not _is_unsupported(e):
                    raise
                log.info("bank %s has no posix-rename; falling back to rename", self.bank)
                self._posix_rename = False
        self.sftp.rename(src, dst)

    # ------------------------------------------------------------------ operations

    def makedirs(self, remote_dir: str) -> None:
        """Create ``remote_dir`` and its parents when missing."""
        parts = [p for p in remote_dir.split("/") if p]
        cur = "/" if remote_dir.startswith("/") else ""
        for p in parts:
            cur = posixpath.join(cur, p) if cur else p
            st = self._stat(cur)
            if st is None:
                try:
                    self.sftp.mkdir(cur)
                except OSError as e:
                    if self._stat(cur) is None:
                        raise self._fail(cur, "mkdir", e) from None
            elif not stat_mod.S_ISDIR(st.st_mode or 0):
                raise TransferError(self.bank, cur, "exists and is not a directory")

    def upload(
        self,
        local_path: Path,
        remote_dir: str,
        name: str,
        *,
        progress: Progress | None = None,
    ) -> Delivered:
        """Deliver ``local_path`` as ``remote_dir/name``: temp name, verify, rename.

        Idempotent: if ``name`` is already there with the same SHA-256 nothing is sent. Raises
        :class:`TransferError` if it is there with different content (never overwritten), and
        :class:`IncompleteTransfer` if the read-back differs from the local file.
        """
        local_path = Path(local_path)
        if "/" in name or name in ("", ".", "..") or name.startswith("."):
            raise TransferError(self.bank, name, "invalid remote file name")
        final = posixpath.join(remote_dir, name)
        temp = posixpath.join(remote_dir, f".{name}.part")
        try:
            size, digest = sha256_file(local_path)
        except OSError as e:
            raise TransferError(self.bank, str(local_path), f"cannot read local file: {e.strerror}") from None

        existing = self._stat(final)
        if existing is not None:
            return self._already_delivered(final, existing, size, digest)

        log.info("bank %s: uploading %s (%d bytes) to %s", self.bank, local_path, size, final)
        try:
            if self._stat(temp) is not None:
                log.warning("bank %s: removing stale temp file %s", self.bank, temp)
                self.sftp.remove(temp)
            sent = 0
            with open(local_path, "rb") as src, self.sftp.open(temp, "wb") as dst:
                dst.set_pipelined(True)
                while chunk := src.read(CHUNK):
                    dst.write(chunk)
                    sent += len(chunk)
                    if progress is not None:
                        progress(sent, size)
                self._fsync(dst, temp)
            got = self.sftp.stat(temp)
            if got.st_size != size:
                self._discard(temp)
                raise IncompleteTransfer(
                    self.bank, temp, f"size after upload is {got.st_size}, expected {size}"
                )
            # Verify the bytes before they get the final name: the bank may pick the file up
            # the moment it is renamed, and a bad copy must never appear under that name.
            n, remote_digest = self._remote_sha256(temp, size)
            if (n, remote_digest) != (size, digest):
                self._discard(temp)
                raise IncompleteTransfer(
                    self.bank,
                    temp,
                    f"read-back differs: {n} bytes sha256 {remote_digest}, sent {size} bytes sha256 {digest}",
                )
            if self._stat(final) is not None:  # someone delivered it meanwhile
                self._discard(temp)
                return self._already_delivered(final, self.sftp.stat(final), size, digest)
            self._rename_into_place(temp, final)
        except SftpError:
            raise
        except (OSError, EOFError, paramiko.SSHException) as e:
            raise self._fail(final, "upload", e) from None

        after = self._stat(final)
        if after is None:
            # The rename succeeded: the bank has taken the file already.
            log.warning("bank %s: %s was taken by the bank right after delivery", self.bank, final)
        elif after.st_size != size:
            raise IncompleteTransfer(
                self.bank, final, f"size after rename is {after.st_size}, expected {size}"
            )
        log.info("bank %s: delivered %s (%d bytes, sha256 %s)", self.bank, final, size, digest)
        return Delivered(final, size, digest)

    def _already_delivered(
        self, final: str, st: paramiko.SFTPAttributes, size: int, digest: str
    ) -> Delivered:
        if st.st_size == size:
            try:
                n, remote_digest = self._remote_sha256(final, size)
            except (OSError, EOFError, paramiko.SSHException) as e:
                raise self._fail(final, "read-back of delivered file", e) from None
            if (n, remote_digest) == (size, digest):
                log.info("bank %s: %s already delivered with the same content", self.bank, final)
                return Delivered(final, size, digest, already_present=True)
            why = f"sha256 {remote_digest}, ours {digest}"
        else:
            why = f"{st.st_size} bytes, ours {size}"
        raise TransferError(
            self.bank,
            final,
            f"a different file is already delivered under this name ({why}); not overwriting",
        )

    def _discard(self, path: str) -> None:
        try:
            self.sftp.remove(path)
        except OSError:
            pass

    def listdir(self, remote_dir: str) -> list[Entry]:
        try:
            attrs = self.sftp.listdir_attr(remote_dir)
        except (OSError, EOFError, paramiko.SSHException) as e:
            raise self._fail(remote_dir, "listing", e) from None
        return [
            Entry(
                name=a.filename,
                size=int(a.st_size or 0),
                mtime=int(a.st_mtime or 0),
                is_file=stat_mod.S_ISREG(a.st_mode or 0),
            )
            for a in attrs
        ]

    def list_ready(
        self,
        remote_dir: str,
        *,
        suffix: str | None = None,
        completion: Completion = "stable",
        previous: Mapping[str, Observation] | None = None,
        marker_suffix: str = MARKER_SUFFIX,
    ) -> ReadyListing:
        """Complete result files in ``remote_dir`` (see :mod:`sftp.readiness`)."""
        verdict = Readiness(completion, suffix=suffix, marker_suffix=marker_suffix).check(
            self.listdir(remote_dir), previous
        )
        ready = [
            RemoteFile(e.name, posixpath.join(remote_dir, e.name), e.size, e.mtime)
            for e in verdict.ready
        ]
        log.debug("bank %s: %d ready in %s", self.bank, len(ready), remote_dir)
        return ReadyListing(ready, verdict.observations)

    def download(
        self, remote_path: str, local_path: Path, *, progress: Progress | None = None
    ) -> Downloaded:
        """Fetch ``remote_path`` into ``local_path`` via a local temp file; verify the size."""
        local_path = Path(local_path)
        temp = local_path.with_name(f".{local_path.name}.part")
        try:
            st = self.sftp.stat(remote_path)
            expected = int(st.st_size or 0)
            h = hashlib.sha256()
            n = 0
            local_path.parent.mkdir(parents=True, exist_ok=True)
            with self.sftp.open(remote_path, "rb") as src, open(temp, "wb") as dst:
                src.prefetch(expected)
                while chunk := src.read(CHUNK):
                    dst.write(chunk)
                    h.update(chunk)
                    n += len(chunk)
                    if progress is not None:
                        progress(n, expected)
                dst.flush()
                os.fsync(dst.fileno())
        except (OSError, EOFError, paramiko.SSHException, socket.timeout) as e:
            temp.unlink(missing_ok=True)
            raise self._fail(remote_path, "download", e) from None
        if n != expected:
            temp.unlink(missing_ok=True)
            raise IncompleteTransfer(
                self.bank, remote_path, f"downloaded {n} bytes but the server says {expected}"
            )
        os.replace(temp, local_path)
        digest = h.hexdigest()
        log.info("bank %s: downloaded %s (%d bytes, sha256 %s) to %s",
                 self.bank, remote_path, n, digest, local_path)
        return Downloaded(n, digest, local_path)

    def move(self, remote_path: str, remote_dir: str, *, marker_suffix: str | None = MARKER_SUFFIX) -> str:
        """Move a processed file into ``remote_dir`` (created if missing); returns the new path.

        Refuses to overwrite. A completion marker ``<file><marker_suffix>`` beside it is removed.
        """
        target = posixpath.join(remote_dir, posixpath.basename(remote_path))
        self.makedirs(remote_dir)
        if self._stat(target) is not None:
            raise TransferError(self.bank, target, f"cannot archive {remote_path}: target exists")
        try:
            self.sftp.rename(remote_path, target)
        except (OSError, EOFError, paramiko.SSHException) as e:
            raise self._fail(remote_path, f"move to {remote_dir}", e) from None
        if marker_suffix:
            self._discard(remote_path + marker_suffix)
        log.info("bank %s: moved %s to %s", self.bank, remote_path, target)
        return target

    def remove(self, remote_path: str, *, marker_suffix: str | None = MARKER_SUFFIX) -> None:
        """Delete a remote file (and its completion marker, if any)."""
        try:
            self.sftp.remove(remote_path)
        except (OSError, EOFError, paramiko.SSHException) as e:
            raise self._fail(remote_path, "remove", e) from None
        if marker_suffix:
            self._discard(remote_path + marker_suffix)
        log.info("bank %s: removed %s", self.bank, remote_path)
