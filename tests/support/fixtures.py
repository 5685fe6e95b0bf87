"""Pytest fixtures for SFTP banks: a real OpenSSH sshd and the embedded bank server.

Register in tests/conftest.py with ``pytest_plugins = ["tests.support.fixtures"]``.

* ``sshd_server``: a real ``/usr/sbin/sshd`` on 127.0.0.1 (fails, never skips, if missing)
* ``embedded_sftp_server``: ``bank_sim.sftp_server.EmbeddedSftpServer``
* ``sftp_bank``: parametrised over both ("openssh", "embedded")

Each server object has ``host, port, username, client_key_path, host_public_key_line,
root_dir, inbox, outbox`` (remote paths), ``remote(*parts)`` (remote path under the root),
``local(remote_path)`` (the local file behind it), ``endpoint(**overrides)`` and ``stop()``.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from sftp.endpoint import SftpEndpoint
from tests.support.embedded import EmbeddedBank, start_embedded
from tests.support.sshd import SshdServer, SshdUnavailable, start_sshd

__all__ = ["embedded_sftp_server", "endpoint_for", "sftp_bank", "sshd_server"]

BankServer = SshdServer | EmbeddedBank


def endpoint_for(server: BankServer, **overrides) -> SftpEndpoint:
    """An :class:`SftpEndpoint` pinned to ``server``'s host key with the test client key."""
    return server.endpoint(**overrides)


def _start_sshd(tmp_dir) -> SshdServer:
    try:
        return start_sshd(tmp_dir)
    except SshdUnavailable as e:
        pytest.fail(str(e), pytrace=False)


@pytest.fixture
def sshd_server(tmp_path) -> Iterator[SshdServer]:
    server = _start_sshd(tmp_path)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def embedded_sftp_server(tmp_path) -> Iterator[EmbeddedBank]:
    server = start_embedded(tmp_path)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=[pytest.param("openssh", marks=pytest.mark.sshd), "embedded"])
def sftp_bank(request, tmp_path) -> Iterator[BankServer]:
    server = _start_sshd(tmp_path) if request.param == "openssh" else start_embedded(tmp_path)
    try:
        yield server
    finally:
        server.stop()
