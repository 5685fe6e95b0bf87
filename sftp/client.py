"""The SFTP client the service uses to deliver payment files to a bank and fetch its results.

    with BankSftp(endpoint) as bank:
        delivered = bank.upload(Path("out/PAY_001.xml"), "/inbox", "PAY_001.xml")
        listing = bank.list_ready("/outbox", suffix=".xml", previous=state)
        for f in listing.ready:
            got = bank.download(f.path, Path("in") / f.name)
            bank.move(f.path, "/outbox/processed")
        state = listing.observations

The session opens at the first operation (so a failure to connect names the file concerned),
or at an explicit :meth:`BankSftp.connect`, and is reopened after a transient failure.

Safety rules:

* the server's host key is checked against a pinned key or a known_hosts file; an unknown key is
  refused (:class:`UnknownHost`), a different key raises :class:`HostKeyMismatch` naming the
  expected and offered ``SHA256:`` fingerprints;
* an upload is written under a temporary dot-name (``.NAME.part``, which the bank ignores),
  its size and SHA-256 are read back, and only then is it renamed to its final name with the
  SFTP v3 rename, which never replaces an existing file. Only then is it reported delivered.
  An upload interrupted at any point leaves nothing under the final name; a stale temporary
  file of the same name (an earlier attempt) is removed and written anew;
* a file already under the final name is never overwritten: the same size and SHA-256 is an
  idempotent success (``Delivered.already_present``: an earlier attempt renamed it but did not
  see the answer), different content is a :class:`TargetExists` error;
* downloads land in a local temporary file (``.NAME.part``) that is renamed once its size is
  verified and its SHA-256 computed; an interrupted download leaves no local file.

Errors and retries: every failure is a :class:`TransientError` (connection refused, timeout,
reset, EOF, channel closed) or a :class:`PermanentError` (host key, authentication, permission,
missing folder, quota, conflicting content); see :mod:`sftp.errors`. Each public operation
retries transient failures with exponential backoff and full jitter, a bounded number of
times (the endpoint's ``retry_*`` settings; :mod:`sftp.retry`), each time on a new session;
permanent failures are raised at once and logged as errors. Secrets (passwords, passphrases,
private keys) are never logged nor put into messages.
"""
from __future__ import annotations

import errno
import functools
import hashlib
import logging
import os
import posixpath
import random
import stat as stat_mod
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

import paramiko
from paramiko.sftp import CMD_EXTENDED

import i18n
from durable import faults, open_private, private_dir
from i18n import Phrase
from sftp.endpoint import SftpEndpoint
from sftp.errors import (
    AuthFailed,
    BankVolumeFull,
    ConnectionLost,
    DeliveryUndecided,
    HostKeyMismatch,
    IncompleteTransfer,
    PermanentError,
    RemoteRefused,
    ServerUnavailable,
    SessionFailed,
    SftpError,
    TargetExists,
    TransferFailed,
    TransientError,
    UnknownHost,
)
from sftp.keys import fingerprint, load_private_key, parse_public_key_line
from sftp.readahead import read_pipelined
from sftp.readiness import MARKER_SUFFIX, Completion, Entry, Observation, Readiness
from sftp.retry import is_transient

log = logging.getLogger("ykt.sftp")

CHUNK = 256 * 1024
Progress = Callable[[int, int], None]  # (bytes done, bytes total)
T = TypeVar("T")

# What a low-level operation may raise; converted to a classified SftpError.
_LOW_LEVEL = (OSError, EOFError, paramiko.SSHException)

__all__ = ["BankSftp", "Delivered", "Downloaded", "ReadyListing", "RemoteFile", "sha256_file"]


@dataclass(frozen=True, slots=True)
class Delivered:
    """A file that is in the bank's folder under its final name, verified by read-back."""

    remote_path: str
    size: int
    sha256: str
    already_present: bool = False  # True when an earlier run (or attempt) had delivered it
    attempts: int = 1  # attempts this call needed (> 1 after transient failures)


@dataclass(frozen=True, slots=True)
class Downloaded:
    size: int
    sha256: str
    local_path: Path | None = None
    attempts: int = 1


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
        raise UnknownHost(self.bank, None, Phrase.of("sftp.unknown_host", kind=key.get_name(),
                                                     fingerprint=fingerprint(key), host=hostname))


def sha256_file(path: Path) -> tuple[int, str]:
    """Size and SHA-256 (hex) of a local file, read in chunks."""
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(1024 * 1024):
            h.update(chunk)
            size += len(chunk)
    return size, h.hexdigest()


def _describe(e: BaseException) -> Phrase | str:
    """A short reason from a low-level exception (never key material: see ``_load_key``), in
    catalogue words where the system's, paramiko's or the server's text is one we have words for."""
    if isinstance(e, paramiko.ssh_exception.NoValidConnectionsError):
        reasons = sorted({_describe(x) for x in e.errors.values()}, key=str)
        return _joined(reasons) if reasons else Phrase("sftp.cause.no_address")
    if isinstance(e, OSError) and e.strerror:
        return _known(e.strerror)
    if isinstance(e, TimeoutError):
        return Phrase("sftp.cause.timed_out")
    if isinstance(e, EOFError):
        return Phrase("sftp.cause.eof")
    text = str(e)
    if type(e) is paramiko.SSHException and text.startswith(_BANNER):
        return _banner(e, text[len(_BANNER):])
    if isinstance(e, paramiko.ssh_exception.IncompatiblePeer) and text:
        return Phrase.of("sftp.cause.incompatible", detail=text)
    return _known(f"{type(e).__name__}: {text}" if text else type(e).__name__)


_BANNER = "Error reading SSH protocol banner"  # paramiko's text, followed by str() of what broke


def _banner(e: BaseException, detail: str) -> Phrase:
    """paramiko could not read the server's first line: what broke is the text after its own."""
    if not detail:
        return Phrase("sftp.cause.banner")
    inner = e.__context__
    if isinstance(inner, OSError) and inner.errno is not None and inner.strerror:
        words = Phrase.of("sftp.cause.os", errno=inner.errno, cause=_known(inner.strerror))
        if str(words) == detail:
            return Phrase.of("sftp.cause.banner_because", detail=words)
    return Phrase.of("sftp.cause.banner_because", detail=_known(detail))


def _joined(reasons: list[Phrase | str]) -> Phrase | str:
    """Several reasons (one per address tried) as one, in their order."""
    first, *more = reasons
    return Phrase.of("sftp.cause.and", first=first, more=_joined(more)) if more else first


def _known(text: str) -> Phrase | str:
    """The catalogue words (``sftp.cause.*``) whose English is exactly ``text``, else ``text``: a
    sentence of the system, of paramiko or of an SFTP server is said in words only when it is
    one of those, so its English is never changed."""
    key = _cause_keys().get(text)
    return Phrase(key) if key else text


@functools.cache
def _cause_keys() -> dict[str, str]:
    return {en: key for key, (_, en) in i18n.WORDS.items() if key.startswith("sftp.cause.") and "{" not in en}


def _system(e: OSError) -> Phrase | str:
    """Why a local file could not be read or written: the system's reason (its text when it has none)."""
    return _known(str(e.strerror))


def _settled_alive(t: paramiko.Transport | None, settle_s: float = 0.2) -> bool:
    """Whether the SSH transport is still up, asked after a failure.

    When the line drops, the caller may see the failure a moment before paramiko's reader
    thread notices and ends; waiting briefly for that thread tells a dead connection
    (transient) from a live one that answered with an error (permanent).
    """
    if t is None or not t.is_active():
        return False
    t.join(settle_s)  # returns at once when the reader thread ends; else after settle_s
    return t.is_active()


def _read_all(f: paramiko.SFTPFile, size: int) -> Iterator[bytes]:
    """The whole remote file in pieces of at most ``CHUNK`` bytes: the ``size`` bytes stat-ed
    through a steady pipeline of read requests (:mod:`sftp.readahead`; paramiko's own prefetch
    can turn itself off mid-file), then plain reads on to the end of the file as it is now, so
    a file that grew or shrank meanwhile reaches the caller's size check exactly as before."""
    pieces: list[bytes] = []
    held = total = 0
    for segment in read_pipelined(f, size):
        pieces.append(segment)
        held += len(segment)
        if held >= CHUNK:
            yield b"".join(pieces)
            total += held
            pieces, held = [], 0
    if pieces:
        yield b"".join(pieces)
        total += held
    f.seek(total)
    while chunk := f.read(CHUNK):
        yield chunk


Guard = Callable[[str, str], None]  # (step: "attempt" or "rename", temporary file name)


@dataclass(frozen=True, slots=True)
class _Target:
    """One upload: where it goes, what it must be, and the caller's exactly-once hooks."""

    final: str
    temp: str
    size: int
    digest: str
    guard: Guard | None
    marker: str | None
    taken_dirs: tuple[str, ...]


class _Attempt:
    """Per-call state shared by the attempts of one operation."""

    def __init__(self) -> None:
        self.number = 0
        self.sent = False  # a non-idempotent request (rename, remove) may have reached the server


class BankSftp:
    """An SFTP session to one bank. Use as a context manager (or call connect()/close()).

    ``sleep`` and ``rand`` (defaults ``time.sleep`` and ``random.random``) are the waiting and
    the jitter source of the retry policy; tests inject their own.
    """

    def __init__(
        self,
        endpoint: SftpEndpoint,
        *,
        sleep: Callable[[float], None] | None = None,
        rand: Callable[[], float] | None = None,
    ):
        self.endpoint = endpoint
        self.bank = endpoint.bank
        self.policy = endpoint.retry
        self._sleep = sleep or time.sleep
        self._rand = rand or random.random
        self._ssh: paramiko.SSHClient | None = None
        self._sftp: paramiko.SFTPClient | None = None
        self.sessions_opened = 0  # how many SSH sessions this client has set up

    # ------------------------------------------------------------------ connection

    def __enter__(self) -> BankSftp:
        return self  # the session opens at the first operation

    def __exit__(self, *exc) -> None:
        self.close()

    def _host_key_store(self, ssh: paramiko.SSHClient) -> None:
        ep = self.endpoint
        keys = ssh.get_host_keys()
        if ep.host_key:
            try:
                key = parse_public_key_line(ep.host_key)
            except ValueError as e:
                raise SessionFailed(self.bank, None, Phrase.of("sftp.pin_invalid", why=str(e))) from None
            names = {ep.host, f"[{ep.host}]:{ep.port}"}
            for name in names:
                keys.add(name, key.get_name(), key)
        elif ep.known_hosts_path is not None:
            try:
                ssh.load_host_keys(str(ep.known_hosts_path))
            except OSError as e:
                raise SessionFailed(self.bank, str(ep.known_hosts_path), Phrase.of(
                    "sftp.known_hosts_unreadable", cause=_known(e.strerror or str(e)))) from None
        else:
            raise SessionFailed(self.bank, None, Phrase("sftp.no_host_key"))

    def _secret(self, field_name: str) -> str | None:
        """The value of the environment variable the endpoint names for a secret, or None."""
        var = getattr(self.endpoint, field_name)
        if var is None:
            return None
        value = os.environ.get(var)
        if not value:
            raise AuthFailed(self.bank, None, Phrase.of(
                "sftp.secret_unset.passphrase" if field_name == "passphrase_env" else "sftp.secret_unset.password",
                var=var, setting=field_name))
        return value

    def _load_key(self) -> paramiko.PKey | None:
        ep = self.endpoint
        if ep.private_key_path is None:
            return None
        passphrase = self._secret("passphrase_env")
        try:
            return load_private_key(ep.private_key_path, passphrase)
        except (OSError, ValueError, TypeError, paramiko.SSHException) as e:
            # never include the exception text of a key parser: keep to the type
            why = _known(e.strerror) if isinstance(e, OSError) and e.strerror else type(e).__name__
            if passphrase is None and isinstance(e, (TypeError, paramiko.PasswordRequiredException)):
                why = Phrase("sftp.key.encrypted")
            elif passphrase is not None and isinstance(e, ValueError):
                why = Phrase("sftp.key.wrong_passphrase")
            raise AuthFailed(
                self.bank, str(ep.private_key_path), Phrase.of("sftp.key_unloadable", why=why)
            ) from None

    def _agent_has_keys(self) -> bool:
        agent = paramiko.Agent()
        try:
            return bool(agent.get_keys())
        finally:
            agent.close()

    def _connect_once(self) -> None:
        """Open one SSH session and its SFTP channel; raises a classified error."""
        ep = self.endpoint
        ssh = paramiko.SSHClient()
        ssh.set_missing_host_key_policy(_Reject(self.bank))
        self._host_key_store(ssh)
        pkey = self._load_key()
        password = self._secret("password_env")
        if ep.use_agent and pkey is None and password is None and not self._agent_has_keys():
            raise AuthFailed(self.bank, None, Phrase("sftp.agent_empty"))
        if pkey is None and password is None and not ep.use_agent:
            raise AuthFailed(self.bank, None, Phrase("sftp.no_credentials"))
        log.info("connecting to bank %s as %s", self.bank, ep.username)
        try:
            ssh.connect(
                ep.host,
                port=ep.port,
                username=ep.username,
                pkey=pkey,
                password=password,
                passphrase=None,
                timeout=ep.timeout_s,
                banner_timeout=ep.timeout_s,
                auth_timeout=ep.timeout_s,
                channel_timeout=ep.timeout_s,
                allow_agent=ep.use_agent,
                look_for_keys=False,
            )
            try:
                sftp = ssh.open_sftp()
            except _LOW_LEVEL as e:
                if self._transport_alive(ssh):  # the server answered: no SFTP for us
                    raise SessionFailed(
                        self.bank, None, Phrase.of("sftp.no_subsystem", cause=_describe(e))
                    ) from None
                raise
            sftp.get_channel().settimeout(ep.timeout_s)
        except SftpError:
            ssh.close()
            raise
        except paramiko.BadHostKeyException as e:
            ssh.close()
            expected, offered = fingerprint(e.expected_key), fingerprint(e.key)
            raise HostKeyMismatch(
                self.bank,
                None,
                Phrase.of("sftp.host_key_mismatch", offered_kind=e.key.get_name(), offered=offered,
                          pinned_kind=e.expected_key.get_name(), pinned=expected),
                expected_fingerprint=expected,
                offered_fingerprint=offered,
            ) from None
        except paramiko.AuthenticationException as e:
            alive = self._transport_alive(ssh)
            ssh.close()
            if "timeout" in str(e).lower():
                raise ServerUnavailable(self.bank, None, Phrase("sftp.auth_timed_out")) from None
            methods = tuple(
                m for m, on in ((Phrase("sftp.method.key"), pkey is not None),
                                (Phrase("sftp.method.agent"), ep.use_agent),
                                (Phrase("sftp.method.password"), password is not None)) if on
            )
            raise AuthFailed(self.bank, None, Phrase.of(
                "sftp.auth_refused" if alive else "sftp.auth_refused_closed",
                user=repr(ep.username), kind=type(e).__name__, methods=methods,
            )) from None
        except _LOW_LEVEL as e:
            alive = self._transport_alive(ssh)
            ssh.close()
            if is_transient(e, alive=alive):
                raise ServerUnavailable(self.bank, None, Phrase.of("sftp.cannot_connect", cause=_describe(e))) from None
            raise SessionFailed(self.bank, None, Phrase.of("sftp.no_session", cause=_describe(e))) from None
        self._ssh, self._sftp = ssh, sftp
        self.sessions_opened += 1
        log.info("connected to bank %s", self.bank)

    @staticmethod
    def _transport_alive(ssh: paramiko.SSHClient) -> bool:
        return _settled_alive(ssh.get_transport())

    def connect(self) -> None:
        """Open the session now (retrying transient failures); a no-op when already open."""
        self._run(Phrase("sftp.op.connect"), None, lambda attempt: None)

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
            raise ConnectionLost(self.bank, None, Phrase("sftp.not_connected"))
        return self._sftp

    @property
    def transport(self) -> paramiko.Transport | None:
        return self._ssh.get_transport() if self._ssh is not None else None

    def _alive(self) -> bool:
        """Whether the session still works (asked only after a failure; see _settled_alive)."""
        if self._sftp is None or not _settled_alive(self.transport):
            return False
        chan = self._sftp.get_channel()
        return not (chan.closed or chan.eof_received)

    # ------------------------------------------------------------------ retries

    def _classify(self, what: Phrase, path: str | None, e: BaseException) -> SftpError:
        """A low-level exception as a transient or permanent SftpError; ``what`` names the
        operation (``sftp.op.*``)."""
        if isinstance(e, SftpError):
            return e
        why = _describe(e)
        if is_transient(e, alive=self._alive()):
            return ConnectionLost(self.bank, path, Phrase.of("sftp.failed_lost", operation=what, cause=why))
        if isinstance(e, OSError) and not isinstance(e, TimeoutError):
            return RemoteRefused(self.bank, path, Phrase.of("sftp.failed", operation=what, cause=why))
        return TransferFailed(self.bank, path, Phrase.of("sftp.failed", operation=what, cause=why))

    def _run(self, what: Phrase, path: str | None, body: Callable[[_Attempt], T]) -> T:
        """Run ``body`` on an open session; retry transient failures per the endpoint's policy."""
        state = _Attempt()
        while True:
            state.number += 1
            try:
                try:
                    if self._sftp is None:
                        self._connect_once()
                    return body(state)
                except _LOW_LEVEL as e:
                    raise self._classify(what, path, e) from None
            except SftpError as e:
                if e.path is None and path is not None:
                    e.path = path
                    e.args = (e._message(),)  # noqa: SLF001 - our own class
                if not isinstance(e, TransientError):
                    if not isinstance(e, PermanentError):  # pragma: no cover - every leaf is one
                        log.error("bank %s: unclassified error treated as permanent: %s", self.bank, e)
                    log.error("%s (permanent, not retried)", e)
                    e.attempts = state.number
                    raise
                self.close()
                if state.number >= self.policy.attempts:
                    e.gave_up(state.number)
                    log.error("%s", e)
                    raise
                delay = self.policy.delay(state.number, self._rand)
                log.warning(
                    "%s (transient; attempt %d of %d, retrying in %.2f s)",
                    e, state.number, self.policy.attempts, delay,
                )
                self._sleep(delay)

    # ------------------------------------------------------------------ helpers

    def _stat(self, path: str) -> paramiko.SFTPAttributes | None:
        try:
            return self.sftp.stat(path)
        except OSError as e:
            if e.errno == errno.ENOENT:
                return None
            raise self._classify(Phrase("sftp.op.stat"), path, e) from None

    def _remote_sha256(self, path: str, size: int | None = None) -> tuple[int, str]:
        h = hashlib.sha256()
        n = 0
        with self.sftp.open(path, "rb") as f:
            if size is None:
                size = int(f.stat().st_size or 0)
            for chunk in _read_all(f, size):
                h.update(chunk)
                n += len(chunk)
        return n, h.hexdigest()

    def _fsync(self, f: paramiko.SFTPFile, path: str) -> None:
        """Ask the server to fsync (OpenSSH ``fsync@openssh.com``); best effort."""
        f.flush()
        try:
            self.sftp._request(CMD_EXTENDED, "fsync@openssh.com", f.handle)  # noqa: SLF001
        except OSError as e:
            if not self._alive():
                raise
            log.debug("bank %s: fsync of %s not supported (%s)", self.bank, path, e)

    def _makedirs(self, remote_dir: str) -> None:
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
                        raise self._classify(Phrase("sftp.op.mkdir"), cur, e) from None
            elif not stat_mod.S_ISDIR(st.st_mode or 0):
                raise TransferFailed(self.bank, cur, Phrase("sftp.not_a_folder"))

    def _discard(self, path: str) -> None:
        try:
            self.sftp.remove(path)
        except OSError as e:
            if e.errno != errno.ENOENT:
                log.warning("bank %s: could not remove %s: %s", self.bank, path, _describe(e))

    def _missing_folder(self, remote_dir: str, final: str, e: BaseException) -> SftpError:
        """The error of a failed upload; clearer when its folder does not exist."""
        err = self._classify(Phrase("sftp.op.upload"), final, e)
        if isinstance(e, FileNotFoundError) and isinstance(err, RemoteRefused):
            try:
                missing = self._stat(remote_dir) is None
            except SftpError:
                missing = False
            if missing:
                return RemoteRefused(self.bank, final, Phrase.of("sftp.no_such_folder", folder=remote_dir))
        return err

    # ------------------------------------------------------------------ operations

    def makedirs(self, remote_dir: str) -> None:
        """Create ``remote_dir`` and its parents when missing."""
        self._run(Phrase("sftp.op.mkdir"), remote_dir, lambda attempt: self._makedirs(remote_dir))

    def upload(
        self,
        local_path: Path,
        remote_dir: str,
        name: str,
        *,
        progress: Progress | None = None,
        guard: Guard | None = None,
        temp_tag: str = "",
        resume: str | None = None,
        marker: str | None = None,
        taken_dirs: tuple[str, ...] = (),
    ) -> Delivered:
        """Deliver ``local_path`` as ``remote_dir/name``: temp name, read-back, rename.

        Returns only once the file is under its final name with the size and SHA-256 of the
        local file. Idempotent: if ``name`` is already there with the same size and SHA-256,
        nothing is sent (``already_present``). Raises :class:`TargetExists` if it is there with
        different content (never overwritten), :class:`IncompleteTransfer` if the read-back
        differs, other :class:`PermanentError` at once, and the last :class:`TransientError`
        once the attempts are used up; in every case nothing is under the final name unless it
        is the complete file.

        Exactly once across crashes (the caller keeps the durable record):

        * ``guard(step, temp)`` runs before every attempt (``"attempt"``) and just before the
          rename is sent (``"rename"``, with the temporary file's name): the caller re-reads
          its lease and the file's state there, and records its intent to rename. If it
          raises, nothing more is sent and this call's own temporary file is removed.
        * ``temp_tag`` makes the temporary name this caller's own (``.NAME.TAG.part``), so an
          instance that lost its lease never touches another's temporary file.
        * Once a rename was sent — in an earlier process (``resume``: the temporary file named
          in the recorded intent) or in an earlier attempt of this call — nothing is written
          again: the bank's folders decide (:meth:`_settle`).
        * ``marker`` (a suffix such as ``".ok"``): an empty ``NAME.ok`` is left beside the file
          after the rename, evidence that it happened even once the bank has taken the file;
          ``taken_dirs`` are the folders where the bank moves the files it took.
        """
        local_path = Path(local_path)
        if "/" in name or name in ("", ".", "..") or name.startswith("."):
            raise TransferFailed(self.bank, name, Phrase("sftp.invalid_name"))
        final = posixpath.join(remote_dir, name)
        temp = posixpath.join(remote_dir, f".{name}.{temp_tag}.part" if temp_tag else f".{name}.part")
        try:
            size, digest = sha256_file(local_path)
        except OSError as e:
            raise TransferFailed(
                self.bank, str(local_path), Phrase.of("sftp.local_unreadable", cause=_system(e))
            ) from None
        target = _Target(final, temp, size, digest, guard, marker, taken_dirs)

        def attempt(state: _Attempt) -> Delivered:
            if guard is not None:
                try:
                    guard("attempt", temp)
                except BaseException:
                    if state.number > 1 and resume is None and not state.sent:
                        self._discard_quietly(temp)  # what an earlier attempt of ours left: no debris
                    raise
            try:
                if resume is not None:
                    return self._settle(replace(target, temp=posixpath.join(remote_dir, resume)), state)
                if state.sent:
                    return self._settle(target, state)
                try:
                    return self._upload_once(local_path, target, progress, state)
                except (*_LOW_LEVEL, SftpError):
                    raise
                except BaseException:  # the caller's progress callback or guard refused to go on
                    if not state.sent:
                        self._discard_quietly(temp)  # our own temporary copy: no debris at the bank
                    raise
            except _LOW_LEVEL as e:
                raise self._missing_folder(remote_dir, final, e) from None

        return self._run(Phrase("sftp.op.upload"), final, attempt)

    def _upload_once(self, local_path: Path, t: _Target, progress: Progress | None, state: _Attempt) -> Delivered:
        existing = self._stat(t.final)
        if existing is not None:
            return self._already_delivered(t.final, t.temp, existing, t.size, t.digest, state)

        again = f" (attempt {state.number})" if state.number > 1 else ""
        log.info("bank %s: uploading %s (%d bytes) to %s%s", self.bank, local_path, t.size, t.final, again)
        self._remove_stale_temps(t.final)
        faults.point("upload.before_temp")
        sent = 0
        try:
            src = open(local_path, "rb")
        except OSError as e:
            raise TransferFailed(
                self.bank, str(local_path), Phrase.of("sftp.local_unreadable", cause=_system(e))
            ) from None
        try:
            with src, self.sftp.open(t.temp, "wb") as dst:
                dst.set_pipelined(True)
                while True:
                    try:
                        chunk = src.read(CHUNK)
                    except OSError as e:
                        raise TransferFailed(
                            self.bank, str(local_path), Phrase.of("sftp.local_unreadable", cause=_system(e))
                        ) from None
                    if not chunk:
                        break
                    dst.write(chunk)
                    sent += len(chunk)
                    faults.point("upload.during_temp")
                    if progress is not None:
                        progress(sent, t.size)
                self._fsync(dst, t.temp)
        except OSError as e:
            if e.errno is None and self._alive():  # the server said "Failure": its disk, most often
                self._refused_write(t)
            raise
        got = self.sftp.stat(t.temp)
        if got.st_size != t.size:
            self._refused_write(t)  # a full volume shows here when the writes were pipelined
            raise IncompleteTransfer(
                self.bank, t.temp, Phrase.of("sftp.size_after_upload", size=got.st_size, expected=t.size)
            )
        # Verify the bytes before they get the final name: the bank may pick the file up
        # the moment it is renamed, and a bad copy must never appear under that name.
        n, remote_digest = self._remote_sha256(t.temp, t.size)
        if (n, remote_digest) != (t.size, t.digest):
            if not self._alive():
                raise ConnectionLost(self.bank, t.temp, Phrase.of("sftp.readback_short", got=n, size=t.size))
            self._discard(t.temp)
            raise IncompleteTransfer(
                self.bank,
                t.temp,
                Phrase.of("sftp.readback_differs", got=n, digest=remote_digest, size=t.size, sent=t.digest),
            )
        return self._rename_into_place(t, state, own_temp=True)

    def _rename_into_place(self, t: _Target, state: _Attempt, *, own_temp: bool) -> Delivered:
        """The one step that delivers: after the caller recorded its intent, rename the
        verified temporary file to the final name, then leave the marker."""
        if t.guard is not None:
            try:
                t.guard("rename", posixpath.basename(t.temp))
            except BaseException:
                if own_temp:  # fenced or superseded: leave no debris at the bank
                    self._discard(t.temp)
                raise
        faults.point("upload.before_rename")
        try:
            # SFTP v3 rename fails when the target exists (OpenSSH: link + unlink), so a file
            # delivered meanwhile by someone else is never replaced.
            state.sent = True
            self.sftp.rename(t.temp, t.final)
        except OSError as e:
            if self._alive() and (existing := self._stat(t.final)) is not None:
                return self._already_delivered(t.final, t.temp, existing, t.size, t.digest, state)
            raise self._classify(Phrase("sftp.op.rename"), t.final, e) from None
        faults.point("upload.after_rename")
        self._leave_marker(t)
        after = self._stat(t.final)
        if after is None:
            # The rename succeeded: the bank has taken the file already.
            log.warning("bank %s: %s was taken by the bank right after delivery", self.bank, t.final)
        elif after.st_size != t.size:
            raise IncompleteTransfer(
                self.bank, t.final, Phrase.of("sftp.size_after_rename", size=after.st_size, expected=t.size)
            )
        log.info("bank %s: delivered %s (%d bytes, sha256 %s)", self.bank, t.final, t.size, t.digest)
        return Delivered(t.final, t.size, t.digest, attempts=state.number)

    def _settle(self, t: _Target, state: _Attempt) -> Delivered:
        """A rename was sent and its outcome is unknown: decide from the bank's folders, never
        by sending again. The file under its final name (same bytes) or a marker or the file
        in a folder where the bank keeps what it took: delivered. The temporary copy still
        there, complete: the rename never happened, so it is sent now. None of these: only the
        bank knows (:class:`DeliveryUndecided`)."""
        existing = self._stat(t.final)
        if existing is not None:
            delivered = self._already_delivered(t.final, t.temp, existing, t.size, t.digest, state)
            if t.marker and self._stat(t.final + t.marker) is None:
                self._leave_marker(t)
            return delivered
        temp = self._stat(t.temp)
        if temp is not None and temp.st_size == t.size:
            n, remote_digest = self._remote_sha256(t.temp, t.size)
            if (n, remote_digest) == (t.size, t.digest):
                log.info("bank %s: %s is still waiting under %s; renaming it now", self.bank, t.final, t.temp)
                return self._rename_into_place(t, state, own_temp=False)
        name = posixpath.basename(t.final)
        if t.marker and self._stat(t.final + t.marker) is not None:
            log.info("bank %s: %s was delivered (its marker %s is there)", self.bank, t.final, name + t.marker)
            return Delivered(t.final, t.size, t.digest, already_present=True, attempts=state.number)
        for folder in t.taken_dirs:
            found = self._stat(posixpath.join(folder, name))
            if found is not None and found.st_size == t.size:
                n, remote_digest = self._remote_sha256(posixpath.join(folder, name), t.size)
                if (n, remote_digest) == (t.size, t.digest):
                    log.info("bank %s: %s was delivered and taken (found in %s)", self.bank, t.final, folder)
                    return Delivered(t.final, t.size, t.digest, already_present=True, attempts=state.number)
        where = ", ".join([posixpath.dirname(t.final), *t.taken_dirs])
        raise DeliveryUndecided(
            self.bank, t.final,
            Phrase.of("sftp.undecided", folders=where, digest=t.digest[:16], temp=posixpath.basename(t.temp)))

    def _refused_write(self, t: _Target) -> None:
        """The bank's server refused to write the temporary copy: remove what was written, and
        if its volume has no room for the file, say so (a transient error: retried later, it
        succeeds once the bank frees space). Otherwise the caller raises what it got."""
        self._discard(t.temp)
        free = self._free_bytes(posixpath.dirname(t.final) or ".")
        if free is not None and free < t.size:
            raise BankVolumeFull(self.bank, t.final, Phrase.of("sftp.volume_full", free=free, size=t.size))

    def _free_bytes(self, folder: str) -> int | None:
        """Bytes free for us in ``folder`` (OpenSSH's ``statvfs@openssh.com``), None if unknown."""
        try:
            _, msg = self.sftp._request(CMD_EXTENDED, "statvfs@openssh.com", folder)  # noqa: SLF001
            _bsize, frsize, _blocks, _bfree, bavail = (msg.get_int64() for _ in range(5))
        except Exception:  # noqa: BLE001 - not offered by every server
            return None
        return bavail * frsize

    def _discard_quietly(self, path: str) -> None:
        """Remove our own temporary copy on the way out of a refused call; best effort (the next
        fresh upload removes what is left)."""
        try:
            if self._sftp is None:
                self._connect_once()
            self._discard(path)
        except (*_LOW_LEVEL, SftpError) as e:
            log.warning("bank %s: could not remove %s: %s", self.bank, path, e)

    def _leave_marker(self, t: _Target) -> None:
        """Best effort: the delivery stands without it; a missing marker only leaves a later
        check less to go on."""
        if not t.marker:
            return
        try:
            self.sftp.open(t.final + t.marker, "wb").close()
        except _LOW_LEVEL as e:
            log.warning("bank %s: could not leave the marker %s: %s", self.bank, t.final + t.marker, _describe(e))

    def _remove_stale_temps(self, final: str) -> None:
        """Temporary copies of this file left by earlier attempts or by instances that died:
        only ever removed by a fresh upload, which runs only when no rename was recorded."""
        folder, name = posixpath.split(final)
        prefix = f".{name}."
        for entry in self.sftp.listdir(folder or "."):
            if entry.startswith(prefix) and entry.endswith(".part"):
                log.warning("bank %s: removing stale temp file %s", self.bank, entry)
                self._discard(posixpath.join(folder, entry))

    def _already_delivered(
        self, final: str, temp: str, st: paramiko.SFTPAttributes, size: int, digest: str,
        state: _Attempt,
    ) -> Delivered:
        if st.st_size == size:
            n, remote_digest = self._remote_sha256(final, size)
            if n != size and not self._alive():
                raise ConnectionLost(self.bank, final, Phrase.of("sftp.readback_short", got=n, size=size))
            if (n, remote_digest) == (size, digest):
                log.info("bank %s: %s already delivered with the same content", self.bank, final)
                if self._stat(temp) is not None:
                    self._discard(temp)
                return Delivered(final, size, digest, already_present=True, attempts=state.number)
            why = Phrase.of("sftp.differs.digest", theirs=remote_digest, ours=digest)
        else:
            why = Phrase.of("sftp.differs.size", theirs=st.st_size, ours=size)
        raise TargetExists(self.bank, final, Phrase.of("sftp.target_differs", why=why))

    def listdir(self, remote_dir: str) -> list[Entry]:
        def attempt(state: _Attempt) -> list[Entry]:
            return [
                Entry(
                    name=a.filename,
                    size=int(a.st_size or 0),
                    mtime=int(a.st_mtime or 0),
                    is_file=stat_mod.S_ISREG(a.st_mode or 0),
                )
                for a in self.sftp.listdir_attr(remote_dir)
            ]

        return self._run(Phrase("sftp.op.listing"), remote_dir, attempt)

    def list_ready(
        self,
        remote_dir: str,
        *,
        suffix: str | None = None,
        completion: Completion = "stable",
        previous: Mapping[str, Observation] | None = None,
        marker_suffix: str = MARKER_SUFFIX,
    ) -> ReadyListing:
        """Complete result files in ``remote_dir`` (see :mod:`sftp.readiness`).

        Under ``"stable"`` an empty file is never ready; under ``"marker"`` an empty file with
        its marker *is* returned (``size == 0``) so the caller can quarantine it.
        """
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
        """Fetch ``remote_path`` into ``local_path`` via a local temp file; verify the size.

        The local file appears only complete (same size as the server reports); an interrupted
        attempt removes its temp file, and transient failures are retried.
        """
        local_path = Path(local_path)
        temp = local_path.with_name(f".{local_path.name}.part")

        def attempt(state: _Attempt) -> Downloaded:
            try:
                return self._download_once(remote_path, local_path, temp, progress, state)
            except BaseException:
                temp.unlink(missing_ok=True)
                raise

        return self._run(Phrase("sftp.op.download"), remote_path, attempt)

    def _download_once(
        self, remote_path: str, local_path: Path, temp: Path, progress: Progress | None,
        state: _Attempt,
    ) -> Downloaded:
        st = self.sftp.stat(remote_path)
        expected = int(st.st_size or 0)
        h = hashlib.sha256()
        n = 0
        try:
            private_dir(local_path.parent)
            temp.unlink(missing_ok=True)
            dst = open_private(temp)
        except OSError as e:
            raise TransferFailed(self.bank, str(temp), Phrase.of("sftp.local_unwritable", cause=_system(e))) from None
        with self.sftp.open(remote_path, "rb") as src, dst:
            for chunk in _read_all(src, expected):
                try:
                    dst.write(chunk)
                except OSError as e:
                    raise TransferFailed(
                        self.bank, str(temp), Phrase.of("sftp.local_unwritable", cause=_system(e))
                    ) from None
                h.update(chunk)
                n += len(chunk)
                if progress is not None:
                    progress(n, expected)
            try:
                dst.flush()
                os.fsync(dst.fileno())
            except OSError as e:
                raise TransferFailed(
                    self.bank, str(temp), Phrase.of("sftp.local_unwritable", cause=_system(e))
                ) from None
        if n != expected:
            if not self._alive():
                raise ConnectionLost(self.bank, remote_path, Phrase.of("sftp.download_short", got=n, size=expected))
            raise IncompleteTransfer(
                self.bank, remote_path, Phrase.of("sftp.download_size", got=n, size=expected)
            )
        os.replace(temp, local_path)
        digest = h.hexdigest()
        log.info("bank %s: downloaded %s (%d bytes, sha256 %s) to %s",
                 self.bank, remote_path, n, digest, local_path)
        return Downloaded(n, digest, local_path, attempts=state.number)

    def move(self, remote_path: str, remote_dir: str, *, marker_suffix: str | None = MARKER_SUFFIX) -> str:
        """Move a processed file into ``remote_dir`` (created if missing); returns the new path.

        Refuses to overwrite (:class:`TargetExists`, "target exists"). A completion marker
        ``<file><marker_suffix>`` beside it is removed. Retried after a lost connection: if the
        rename had gone through, the file is found at its new place.
        """
        target = posixpath.join(remote_dir, posixpath.basename(remote_path))

        def attempt(state: _Attempt) -> str:
            self._makedirs(remote_dir)
            if self._stat(target) is not None:
                if state.sent and self._stat(remote_path) is None:
                    return target  # our earlier attempt moved it; its answer was lost
                raise TargetExists(self.bank, target, Phrase.of("sftp.archive_target_exists", path=remote_path))
            state.sent = True
            self.sftp.rename(remote_path, target)
            return target

        self._run(Phrase.of("sftp.op.move", folder=remote_dir), remote_path, attempt)
        if marker_suffix:
            self._run(Phrase("sftp.op.remove_marker"), remote_path + marker_suffix,
                      lambda state: self._discard(remote_path + marker_suffix))
        log.info("bank %s: moved %s to %s", self.bank, remote_path, target)
        return target

    def remove(self, remote_path: str, *, marker_suffix: str | None = MARKER_SUFFIX) -> None:
        """Delete a remote file (and its completion marker, if any)."""

        def attempt(state: _Attempt) -> None:
            try:
                state.sent = True
                self.sftp.remove(remote_path)
            except FileNotFoundError:
                if state.number == 1:
                    raise
                # an earlier attempt removed it; its answer was lost
            if marker_suffix:
                self._discard(remote_path + marker_suffix)

        self._run(Phrase("sftp.op.remove"), remote_path, attempt)
        log.info("bank %s: removed %s", self.bank, remote_path)
