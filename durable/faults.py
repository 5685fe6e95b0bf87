"""Crash points: the instants where the fault tests kill or stop this process for real.

Exactly-once delivery is a promise about a process that dies at any instant, so the tests must
be able to make it die at a chosen one — with a real ``SIGKILL`` or ``SIGSTOP`` from the kernel,
not an exception the code could catch. ``point(name)`` marks such an instant; it does nothing
unless the environment variable ``YKT_FAULT`` names it, as ``NAME:kill`` or ``NAME:stop``. A
point fires once per process (a stopped process, continued, goes on as if nothing happened).
"""
from __future__ import annotations

import os
import signal

_SIGNALS = {"kill": signal.SIGKILL, "stop": signal.SIGSTOP}
_fired: set[str] = set()


def point(name: str) -> None:
    plan = os.environ.get("YKT_FAULT")
    if not plan:
        return
    where, _, action = plan.partition(":")
    if where != name or name in _fired:
        return
    _fired.add(name)
    os.kill(os.getpid(), _SIGNALS[action])
