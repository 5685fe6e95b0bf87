"""A TCP proxy on 127.0.0.1 that breaks chosen connections at an exact byte count.

    proxy = FaultProxy(sshd.host, sshd.port).start()
    proxy.cut_next(upstream_after=600_000)       # the next connection is reset after 600 kB
    ep = sshd.endpoint(port=proxy.port)           # the pinned host key is the server's
    ...
    proxy.stop()

Faults apply to connections in the order they arrive, one planned fault per new connection;
connections without a plan are forwarded untouched.

* ``cut_next(upstream_after=N)`` / ``downstream_after=N``: forward exactly N bytes in that
  direction (client to server / server to client), then reset both ends (RST, as when a line
  drops or a firewall kills the flow);
* ``stall_next(downstream_after=N)``: after N bytes, keep the connection open but forward
  nothing more either way (what a dead route looks like: only a timeout notices).

``connections`` counts accepted connections; ``faults`` records what was done to which
(``Fault(index, kind, direction, at)``).
"""
from __future__ import annotations

import select
import socket
import struct
import threading
from dataclasses import dataclass

__all__ = ["Fault", "FaultProxy"]


@dataclass(frozen=True)
class Fault:
    connection: int  # 1-based index of the connection
    kind: str  # "cut" or "stall"
    direction: str  # "upstream" (client -> server) or "downstream"
    at: int  # bytes forwarded in that direction when it happened


@dataclass
class _Plan:
    kind: str
    upstream_after: int | None
    downstream_after: int | None


class FaultProxy:
    def __init__(self, target_host: str, target_port: int, host: str = "127.0.0.1"):
        self.target = (target_host, target_port)
        self.host = host
        self.port = 0
        self.connections = 0
        self.faults: list[Fault] = []
        self._plans: list[_Plan] = []
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._open: set[socket.socket] = set()

    # -------------------------------------------------------------- plans

    def cut_next(self, *, upstream_after: int | None = None, downstream_after: int | None = None) -> None:
        self._plan("cut", upstream_after, downstream_after)

    def stall_next(self, *, upstream_after: int | None = None, downstream_after: int | None = None) -> None:
        self._plan("stall", upstream_after, downstream_after)

    def _plan(self, kind: str, up: int | None, down: int | None) -> None:
        if up is None and down is None:
            raise ValueError("say after how many bytes (upstream_after or downstream_after)")
        with self._lock:
            self._plans.append(_Plan(kind, up, down))

    # -------------------------------------------------------------- lifecycle

    def start(self) -> FaultProxy:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, 0))
        sock.listen(16)
        sock.settimeout(0.2)
        self._sock = sock
        self.port = sock.getsockname()[1]
        t = threading.Thread(target=self._accept_loop, name=f"fault-proxy-{self.port}", daemon=True)
        t.start()
        self._threads.append(t)
        return self

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        with self._lock:
            for s in list(self._open):
                _close(s)
        for t in self._threads:
            t.join(5)

    # -------------------------------------------------------------- forwarding

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._sock.accept()
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                break
            with self._lock:
                self.connections += 1
                index = self.connections
                plan = self._plans.pop(0) if self._plans else None
            t = threading.Thread(target=self._serve, args=(client, index, plan), daemon=True)
            self._threads.append(t)
            t.start()

    def _serve(self, client: socket.socket, index: int, plan: _Plan | None) -> None:
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            _abort(client)
            return
        client.settimeout(None)
        upstream.settimeout(None)
        with self._lock:
            self._open.update((client, upstream))
        limits = {
            "upstream": plan.upstream_after if plan else None,
            "downstream": plan.downstream_after if plan else None,
        }
        done = {"upstream": 0, "downstream": 0}
        peer = {client: (upstream, "upstream"), upstream: (client, "downstream")}
        stalled = False
        try:
            while not self._stop.is_set():
                readable, _, _ = select.select([client, upstream], [], [], 0.2)
                for src in readable:
                    try:
                        data = src.recv(65536)
                    except OSError:
                        return
                    if not data:
                        return
                    if stalled:
                        continue  # swallow everything: nothing gets through any more
                    dst, direction = peer[src]
                    limit = limits[direction]
                    if limit is not None and done[direction] + len(data) >= limit:
                        data = data[: limit - done[direction]]
                        if data:
                            dst.sendall(data)
                        done[direction] += len(data)
                        with self._lock:
                            self.faults.append(Fault(index, plan.kind, direction, done[direction]))
                        if plan.kind == "cut":
                            return
                        stalled = True
                        continue
                    dst.sendall(data)
                    done[direction] += len(data)
        except (OSError, ValueError):  # ValueError: stop() closed a socket under select()
            return
        finally:
            with self._lock:
                self._open.discard(client)
                self._open.discard(upstream)
            _abort(client)
            _abort(upstream)


def _abort(s: socket.socket) -> None:
    """Close with a reset (SO_LINGER 0), as a dropped line or a killed flow looks."""
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    _close(s)


def _close(s: socket.socket) -> None:
    try:
        s.close()
    except OSError:
        pass
