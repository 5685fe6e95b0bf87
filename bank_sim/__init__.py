"""A simulated agency bank: an embedded SFTP server plus a loop answering payment files.

It is a package of its own because it plays the other party: it reads what the service writes
and writes what the service reads, from the same bank profiles, so every format is exercised
from both sides without a real bank.

    bank = SimulatedBank.for_profile(root, load_profile(Path("profiles/RCC01.toml")), seed=7)
    bank_sim.run(bank, 2222, authorized_keys, host_key_path, 1.0, stop)

or, without blocking::

    sim = bank_sim.start(bank, 0, authorized_keys, host_key_path)
    ... sim.port, sim.host_public_key_line ...
    sim.stop()
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bank_sim.bank import SimulatedBank
from bank_sim.outcomes import decide
from bank_sim.sftp_server import EmbeddedSftpServer

log = logging.getLogger("ykt.bank_sim")

__all__ = ["EmbeddedSftpServer", "RunningBank", "SimulatedBank", "decide", "run", "start"]


@dataclass
class RunningBank:
    server: EmbeddedSftpServer
    bank: SimulatedBank
    stop_event: threading.Event
    thread: threading.Thread = field(repr=False)

    @property
    def host(self) -> str:
        return self.server.host

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def host_public_key_line(self) -> str:
        return self.server.host_public_key_line

    def stop(self, timeout: float = 10.0) -> None:
        self.stop_event.set()
        self.thread.join(timeout)
        self.server.stop()


def start(
    bank: SimulatedBank,
    port: int,
    authorized_keys: Iterable[str] | Path | str,
    host_key_path: Path | None,
    interval_s: float = 1.0,
    stop_event: threading.Event | None = None,
    *,
    host: str = "127.0.0.1",
    username: str | None = None,
) -> RunningBank:
    """Serve ``bank``'s folder over SFTP and run its processing loop, in background threads."""
    server = EmbeddedSftpServer(
        bank.root, authorized_keys=authorized_keys, host_key_path=host_key_path, host=host, port=port,
        username=username,
    ).start()
    stop_event = stop_event or threading.Event()
    thread = threading.Thread(
        target=bank.run_forever, args=(interval_s, stop_event), name=f"bank-sim-{bank.bank_code}", daemon=True
    )
    thread.start()
    log.info(
        "simulated bank %s on %s:%d, root %s, host key %s",
        bank.bank_code, server.host, server.port, bank.root, server.host_public_key_line,
    )
    return RunningBank(server, bank, stop_event, thread)


def run(
    bank: SimulatedBank,
    port: int,
    authorized_keys: Iterable[str] | Path | str,
    host_key_path: Path | None,
    interval_s: float,
    stop_event: threading.Event | None = None,
    **kwargs,
) -> None:
    """Run the simulated bank until ``stop_event`` is set (or Ctrl-C when it is None)."""
    stop_event = stop_event or threading.Event()
    sim = start(bank, port, authorized_keys, host_key_path, interval_s, stop_event, **kwargs)
    try:
        while not stop_event.wait(0.5):
            pass
    except KeyboardInterrupt:
        log.info("simulated bank %s interrupted", bank.bank_code)
    finally:
        sim.stop()
