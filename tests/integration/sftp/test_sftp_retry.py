"""Pure unit tests (no server): the retry policy, the transient/permanent classification and
the error classes."""
from __future__ import annotations

import errno
import inspect
import socket

import paramiko
import pytest

import sftp.errors as errors_module
from sftp import (
    BankSftp,
    ConnectFailed,
    PermanentError,
    RetryPolicy,
    ServerUnavailable,
    SftpEndpoint,
    SftpError,
    TransferError,
    TransientError,
    is_transient,
)
from sftp.retry import PERMANENT_ERRNOS, TRANSIENT_ERRNOS


def test_defaults():
    ep = SftpEndpoint("h", 22, "u", None)
    assert ep.retry == RetryPolicy(attempts=4, base_s=0.5, cap_s=10.0)


def test_full_jitter_exponential_backoff_with_cap():
    policy = RetryPolicy(attempts=8, base_s=0.5, cap_s=3.0)
    assert [policy.ceiling(n) for n in range(1, 8)] == [0.5, 1.0, 2.0, 3.0, 3.0, 3.0, 3.0]
    assert [policy.delay(n, lambda: 0.5) for n in range(1, 5)] == [0.25, 0.5, 1.0, 1.5]
    assert policy.delay(3, lambda: 0.0) == 0.0  # full jitter: anywhere from zero


def test_random_delays_stay_within_the_ceiling():
    import random

    policy = RetryPolicy()
    rng = random.Random(7)
    for n in range(1, 10):
        for _ in range(200):
            assert 0.0 <= policy.delay(n, rng.random) <= policy.ceiling(n) <= policy.cap_s


@pytest.mark.parametrize("bad", [dict(attempts=0), dict(attempts=1.5), dict(base_s=-1), dict(cap_s=-1)])
def test_bad_policy(bad):
    with pytest.raises(ValueError):
        RetryPolicy(**bad)


_KEY_A, _KEY_B = paramiko.RSAKey.generate(1024), paramiko.RSAKey.generate(1024)


def _nvc(*errs):
    return paramiko.ssh_exception.NoValidConnectionsError(
        {("127.0.0.1", 22 + i): e for i, e in enumerate(errs)}
    )


@pytest.mark.parametrize(
    "exc, alive, transient",
    [
        (ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"), False, True),
        (ConnectionResetError(errno.ECONNRESET, "Connection reset by peer"), True, True),
        (BrokenPipeError(errno.EPIPE, "Broken pipe"), True, True),
        (TimeoutError("timed out"), True, True),
        (socket.timeout(), True, True),
        (EOFError(), True, True),
        (OSError(errno.EHOSTUNREACH, "No route to host"), False, True),
        (_nvc(ConnectionRefusedError(errno.ECONNREFUSED, "refused")), False, True),
        (_nvc(ConnectionRefusedError(errno.ECONNREFUSED, "refused"), OSError(errno.EACCES, "x")), False, False),
        (socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution"), False, True),
        (socket.gaierror(socket.EAI_NONAME, "Name or service not known"), False, False),
        (OSError("Socket is closed"), False, True),  # the SSH channel was closed
        (paramiko.SSHException("Server connection dropped: "), False, True),
        (paramiko.SSHException("Error reading SSH protocol banner"), False, True),
        # known "connection gone" messages count even before the transport is marked dead
        (paramiko.SSHException("Server connection dropped: "), True, True),
        (OSError("Socket is closed"), True, True),
        (paramiko.SSHException("Channel closed."), True, True),
        (paramiko.SSHException("some protocol error"), True, False),
        (paramiko.SSHException("some protocol error"), False, True),
        # SFTP statuses over a working connection
        (PermissionError(errno.EACCES, "Permission denied"), True, False),
        (FileNotFoundError(errno.ENOENT, "No such file"), True, False),
        (OSError("Failure"), True, False),  # quota exceeded, disk full
        (OSError("Operation unsupported"), True, False),
        (PermissionError(errno.EACCES, "Permission denied"), False, False),  # the answer counts
        (paramiko.AuthenticationException("Authentication failed."), False, False),
        (paramiko.BadHostKeyException("h", _KEY_A, _KEY_B), False, False),
        (paramiko.ssh_exception.IncompatiblePeer("no acceptable kex"), False, False),
        (paramiko.ChannelException(1, "Administratively prohibited"), True, False),
        (ValueError("a bug"), False, False),
    ],
)
def test_classification(exc, alive, transient):
    assert is_transient(exc, alive=alive) is transient


def test_every_error_leaf_is_exactly_one_of_transient_and_permanent():
    leaves = [
        cls for _, cls in inspect.getmembers(errors_module, inspect.isclass)
        if issubclass(cls, SftpError) and cls not in (
            SftpError, TransientError, PermanentError, ConnectFailed, TransferError)
    ]
    assert len(leaves) >= 10
    for cls in leaves:
        assert issubclass(cls, TransientError) != issubclass(cls, PermanentError), cls
        assert issubclass(cls, ConnectFailed) != issubclass(cls, TransferError), cls
    assert set(TRANSIENT_ERRNOS).isdisjoint(PERMANENT_ERRNOS)


def test_gave_up_names_the_attempts():
    e = ServerUnavailable("RCC01 (h:22)", "/inbox/PAY.xml", "cannot connect: Connection refused")
    assert e.transient and e.attempts == 1
    e.gave_up(4)
    assert e.attempts == 4
    assert str(e) == ("bank RCC01 (h:22) path /inbox/PAY.xml: cannot connect: Connection refused "
                      "(gave up after 4 attempts)")


def test_no_credentials_fails_at_once_without_network():
    slept = []
    bank = BankSftp(SftpEndpoint("127.0.0.1", 9, "u", None, host_key=None, known_hosts_path=None),
                    sleep=slept.append)
    with pytest.raises(PermanentError, match="no host key pinned"):
        bank.connect()
    assert slept == []
