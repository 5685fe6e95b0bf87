"""An embedded SFTP server (paramiko server mode) serving one directory as a simulated bank.

    server = EmbeddedSftpServer(root, authorized_keys=[client_pub_line], host_key_path=p)
    server.start()            # listens on 127.0.0.1:server.port
    ... server.host_public_key_line  # pin this in the client
    server.stop()

Clients see ``root`` as ``/``: every path is resolved under it, ``..`` cannot climb above it
and symlinks pointing outside are refused. Only public-key authentication is offered, against
the authorised keys given (a list of OpenSSH public-key lines, or an authorized_keys file that is
re-read at each login; a ``str`` that starts like a key line is taken as one key). Any user
name is accepted unless ``username`` is given. One thread per connection.
"""
from __future__ import annotations

import errno
import logging
import os
import socket
import threading
from collections.abc import Iterable
from pathlib import Path

import paramiko
from paramiko.sftp import SFTP_FAILURE, SFTP_OK, SFTP_OP_UNSUPPORTED, SFTP_PERMISSION_DENIED

from sftp.keys import generate_ed25519, load_private_key, parse_public_key_line, public_key_line

log = logging.getLogger("ykt.bank_sim.sftp")
_TRANSPORT_LOG = "ykt.bank_sim.transport"
logging.getLogger(_TRANSPORT_LOG).setLevel(logging.CRITICAL)

__all__ = ["EmbeddedSftpServer", "ChrootSftpInterface"]


_KEY_PREFIXES = ("ssh-", "ecdsa-sha2-", "sk-")


class _Escape(Exception):
    """A client path that would leave the served root."""


def _errno_status(e: OSError) -> int:
    return paramiko.SFTPServer.convert_errno(e.errno)


class _Handle(paramiko.SFTPHandle):
    def stat(self):
        try:
            return paramiko.SFTPAttributes.from_stat(os.fstat(self.readfile.fileno()))
        except OSError as e:
            return _errno_status(e)

    def chattr(self, attr):
        try:
            paramiko.SFTPServer.set_file_attr(self.filename, attr)
            return SFTP_OK
        except OSError as e:
            return _errno_status(e)

    def close(self):
        f = getattr(self, "writefile", None)
        if f is not None and not f.closed:
            try:
                f.flush()
                os.fsync(f.fileno())
            except OSError:
                pass
        super().close()


class ChrootSftpInterface(paramiko.SFTPServerInterface):
    """Maps SFTP requests onto the local directory ``root``; ``root`` is the client's ``/``."""

    def __init__(self, server, *args, root: str, **kwargs):
        super().__init__(server, *args, **kwargs)
        self.root = os.path.realpath(root)

    # -- path mapping

    def _virtual(self, path) -> str:
        if isinstance(path, bytes):
            path = path.decode("utf-8", "surrogateescape")
        parts: list[str] = []
        for part in path.split("/"):
            if part in ("", "."):
                continue
            if part == "..":
                if not parts:
                    raise _Escape(path)
                parts.pop()
            else:
                parts.append(part)
        return "/" + "/".join(parts)

    def _real(self, path, *, follow: bool = True) -> str:
        virtual = self._virtual(path)
        local = os.path.join(self.root, virtual.lstrip("/")) if virtual != "/" else self.root
        # symlinks (of the file itself when following, else of its parents) must stay inside
        check = os.path.realpath(local) if follow else os.path.join(
            os.path.realpath(os.path.dirname(local)), os.path.basename(local)
        )
        if check != self.root and not check.startswith(self.root + os.sep):
            raise _Escape(path)
        return local

    def _guard(self, fn, *args):
        try:
            return fn(*args)
        except _Escape as e:
            log.warning("refused path outside the bank root: %r", e.args[0])
            return SFTP_PERMISSION_DENIED
        except OSError as e:
            return _errno_status(e)

    # -- operations

    def canonicalize(self, path):
        try:
            return self._virtual(path)
        except _Escape:
            return "/"

    def open(self, path, flags, attr):
        def do():
            local = self._real(path)
            mode = getattr(attr, "st_mode", None) if attr is not None else None
            fd = os.open(local, flags | getattr(os, "O_BINARY", 0), mode if mode else 0o644)
            if flags & os.O_CREAT and attr is not None:
                attr._flags &= ~attr.FLAG_PERMISSIONS  # noqa: SLF001 - as paramiko's own stub
                paramiko.SFTPServer.set_file_attr(local, attr)
            if flags & os.O_WRONLY:
                fstr = "ab" if flags & os.O_APPEND else "wb"
            elif flags & os.O_RDWR:
                fstr = "a+b" if flags & os.O_APPEND else "r+b"
            else:
                fstr = "rb"
            f = os.fdopen(fd, fstr)
            h = _Handle(flags)
            h.filename = local
            h.readfile = f
            h.writefile = f
            return h

        return self._guard(do)

    def list_folder(self, path):
        def do():
            local = self._real(path)
            out = []
            for name in os.listdir(local):
                a = paramiko.SFTPAttributes.from_stat(os.lstat(os.path.join(local, name)))
                a.filename = name
                out.append(a)
            return out

        return self._guard(do)

    def stat(self, path):
        return self._guard(lambda: paramiko.SFTPAttributes.from_stat(os.stat(self._real(path))))

    def lstat(self, path):
        return self._guard(
            lambda: paramiko.SFTPAttributes.from_stat(os.lstat(self._real(path, follow=False)))
        )

    def remove(self, path):
        def do():
            os.remove(self._real(path, follow=False))
            return SFTP_OK

        return self._guard(do)

    def rename(self, oldpath, newpath):
        """SFTP v3 rename: fails if the target exists (as OpenSSH's server does)."""

        def do():
            old = self._real(oldpath, follow=False)
            new = self._real(newpath, follow=False)
            if os.path.lexists(new):
                return SFTP_FAILURE
            try:
                os.link(old, new)  # atomic "create if absent"
                os.unlink(old)
            except OSError as e:
                if e.errno in (errno.EPERM, errno.EXDEV, errno.ENOTSUP, errno.EMLINK) or os.path.isdir(old):
                    if os.path.lexists(new):
                        return SFTP_FAILURE
                    os.rename(old, new)
                else:
                    raise
            return SFTP_OK

        return self._guard(do)

    def posix_rename(self, oldpath, newpath):
        def do():
            os.replace(self._real(oldpath, follow=False), self._real(newpath, follow=False))
            return SFTP_OK

        return self._guard(do)

    def mkdir(self, path, attr):
        def do():
            local = self._real(path, follow=False)
            os.mkdir(local, 0o755)
            if attr is not None:
                paramiko.SFTPServer.set_file_attr(local, attr)
            return SFTP_OK

        return self._guard(do)

    def rmdir(self, path):
        def do():
            os.rmdir(self._real(path, follow=False))
            return SFTP_OK

        return self._guard(do)

    def chattr(self, path, attr):
        def do():
            paramiko.SFTPServer.set_file_attr(self._real(path), attr)
            return SFTP_OK

        return self._guard(do)

    def symlink(self, target_path, path):
        return SFTP_OP_UNSUPPORTED

    def readlink(self, path):
        return SFTP_OP_UNSUPPORTED


class _Auth(paramiko.ServerInterface):
    def __init__(self, server: EmbeddedSftpServer):
        self.server = server

    def get_allowed_auths(self, username):
        return "publickey"

    def check_auth_publickey(self, username, key):
        if self.server.username is not None and username != self.server.username:
            return paramiko.AUTH_FAILED
        wanted = (key.get_name(), key.asbytes())
        for k in self.server.authorized():
            if (k.get_name(), k.asbytes()) == wanted:
                return paramiko.AUTH_SUCCESSFUL
        log.info("refused public key %s for %r", key.get_name(), username)
        return paramiko.AUTH_FAILED

    def check_channel_request(self, kind, chanid):
        if kind == "session":
            return paramiko.OPEN_SUCCEEDED
        return paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED


class EmbeddedSftpServer:
    """A small SFTP-only server on 127.0.0.1 serving ``root`` (chrooted)."""

    def __init__(
        self,
        root: Path,
        *,
        authorized_keys: Iterable[str] | Path | str,
        host_key_path: Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        username: str | None = None,
    ):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.host = host
        self.username = username
        if isinstance(authorized_keys, str) and authorized_keys.lstrip().startswith(_KEY_PREFIXES):
            authorized_keys = [authorized_keys]  # one key line, not a file name
        if isinstance(authorized_keys, (str, Path)):
            self._authorized_path: Path | None = Path(authorized_keys)
            self._authorized: list[paramiko.PKey] = []
        else:
            self._authorized_path = None
            self._authorized = [parse_public_key_line(line) for line in authorized_keys if line.strip()]
        self.host_key = self._host_key(host_key_path)
        self._requested_port = port
        self.port: int = port
        self._sock: socket.socket | None = None
        self._accept_thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._transports: set[paramiko.Transport] = set()
        self._threads: set[threading.Thread] = set()

    @staticmethod
    def _host_key(path: Path | None) -> paramiko.PKey:
        if path is None:
            return _ephemeral()
        path = Path(path)
        if not path.exists():
            generate_ed25519(path, comment="ykt-bank-sim")
            log.info("generated host key %s", path)
        return load_private_key(path)

    @property
    def host_public_key_line(self) -> str:
        """The line a client pins as ``SftpEndpoint.host_key``."""
        return public_key_line(self.host_key)

    def authorize(self, public_key_line: str) -> None:
        """Accept one more client key (OpenSSH public-key line), or append it to the file."""
        key = parse_public_key_line(public_key_line)
        if self._authorized_path is None:
            self._authorized.append(key)
        else:
            with open(self._authorized_path, "a", encoding="utf-8") as f:
                f.write(public_key_line.strip() + "\n")

    def authorized(self) -> list[paramiko.PKey]:
        if self._authorized_path is None:
            return self._authorized
        keys = []
        try:
            text = self._authorized_path.read_text(encoding="utf-8")
        except OSError as e:
            log.error("cannot read authorized keys %s: %s", self._authorized_path, e.strerror)
            return []
        for line in text.splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                try:
                    keys.append(parse_public_key_line(line))
                except ValueError:
                    log.warning("skipping unreadable line in %s", self._authorized_path)
        return keys

    # -- lifecycle

    def start(self) -> EmbeddedSftpServer:
        if self._sock is not None:
            return self
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self._requested_port))
        sock.listen(16)
        sock.settimeout(0.2)
        self._sock = sock
        self.port = sock.getsockname()[1]
        self._stopping.clear()
        self._accept_thread = threading.Thread(
            target=self._accept_loop, name=f"bank-sftp-accept-{self.port}", daemon=True
        )
        self._accept_thread.start()
        log.info("embedded bank SFTP server on %s:%d serving %s", self.host, self.port, self.root)
        return self

    def __enter__(self) -> EmbeddedSftpServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _accept_loop(self) -> None:
        assert self._sock is not None
        while not self._stopping.is_set():
            try:
                conn, addr = self._sock.accept()
            except socket.timeout:
                continue
            except OSError:
                if self._stopping.is_set():
                    break
                raise
            t = threading.Thread(
                target=self._serve, args=(conn, addr), name=f"bank-sftp-{addr[1]}", daemon=True
            )
            with self._lock:
                self._threads.add(t)
            t.start()

    def _serve(self, conn: socket.socket, addr) -> None:
        transport = None
        try:
            conn.settimeout(None)
            transport = paramiko.Transport(conn)
            # A client hanging up is routine for a server; keep it out of the error log.
            transport.set_log_channel(_TRANSPORT_LOG)
            transport.add_server_key(self.host_key)
            transport.set_subsystem_handler(
                "sftp", paramiko.SFTPServer, ChrootSftpInterface, root=str(self.root)
            )
            with self._lock:
                if self._stopping.is_set():
                    return
                self._transports.add(transport)
            try:
                transport.start_server(server=_Auth(self))
            except (paramiko.SSHException, EOFError, OSError) as e:
                log.info("connection from %s failed: %s", addr, type(e).__name__)
                return
            # Sessions are served by the sftp subsystem handler; keep the accepted channels
            # referenced (a garbage-collected Channel closes itself).
            channels: list[paramiko.Channel] = []
            while transport.is_active() and not self._stopping.is_set():
                chan = transport.accept(0.5)
                if chan is not None:
                    channels.append(chan)
                channels = [c for c in channels if not c.closed]
        except Exception:  # noqa: BLE001 - one bad connection must not kill the server
            log.exception("connection from %s crashed", addr)
        finally:
            if transport is not None:
                transport.close()
                with self._lock:
                    self._transports.discard(transport)
            else:
                conn.close()
            with self._lock:
                self._threads.discard(threading.current_thread())

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        if self._sock is not None:
            try:
                self._sock.shutdown(socket.SHUT_RDWR)  # wakes the accept() at once on Linux
            except OSError:
                pass
            try:
                self._sock.close()
            finally:
                self._sock = None
        if self._accept_thread is not None:
            self._accept_thread.join(timeout)
            self._accept_thread = None
        with self._lock:
            transports = list(self._transports)
            threads = list(self._threads)
        for t in transports:
            t.close()
        for th in threads:
            th.join(timeout)
        log.info("embedded bank SFTP server on port %d stopped", self.port)


def _ephemeral() -> paramiko.PKey:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "host_ed25519"
        generate_ed25519(p)
        return load_private_key(p)
