"""The metrics endpoint: a port in use stops the start; a ledger that cannot be read is said so."""
from __future__ import annotations

import socket
import urllib.request
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine

from observability import metrics
from service.config import ConfigError
from service.context import utc_now


def _ctx(url: str):
    return SimpleNamespace(engine=create_engine(url), settings=SimpleNamespace(banks={}), clock=utc_now)


def test_a_port_in_use_is_refused_with_the_address():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ConfigError, match=f"metrics_address 127.0.0.1:{port}: cannot listen there"):
            metrics.start(_ctx("sqlite://"), f"127.0.0.1:{port}")


def test_an_unreadable_ledger_scrapes_as_down_not_as_an_error(tmp_path):
    server = metrics.start(_ctx(f"sqlite:///{tmp_path / 'missing' / 'no.sqlite3'}"), "127.0.0.1:0")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/metrics", timeout=10) as reply:
            text = reply.read().decode()
    finally:
        server.shutdown()
        server.server_close()
    assert "ykt_ledger_up 0.0" in text
    assert "ykt_batches{" not in text
    assert "ykt_worker_rounds_total" in text  # the process's own counters are there all the same
