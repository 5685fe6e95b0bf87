"""Leases with fencing tokens: how several service instances share the exchange work safely.

The database is the single source of truth. Each unit of exchange work — dispatching one batch
(``dispatch:<batch>``), polling one bank (``poll:<bank>``) — has a row in ``leases``. An
instance works on a unit only while it holds that row's lease: acquiring it sets the owner
(the instance id), ``lease_until`` and raises the row's fencing counter; the new value is the
holder's *fence*. Every transaction that changes something under a lease begins with
:meth:`Lease.check`, an update that succeeds only if owner and fence are still the holder's
(and renews the lease). An instance that stalled past its lease and was overtaken — paused,
cut off from the network, its clock wrong — therefore cannot change a file or book anything:
its check fails, it raises :class:`LeaseLost`, and its transaction rolls back.

Lease times only decide *when* another instance may take over (liveness); the fence decides
*who may write* (safety), so clock skew between hosts cannot double anything.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection

from ledger import store
from service.context import Context
from service.errors import ServiceError

log = logging.getLogger("ykt.lease")


class LeaseLost(ServiceError):
    """This instance no longer holds the lease it worked under; nothing was changed."""


def dispatch_unit(batch_id: str) -> str:
    return f"dispatch:{batch_id}"


def poll_unit(bank_code: str) -> str:
    return f"poll:{bank_code}"


@dataclass
class Lease:
    """A held lease: the unit's name, this instance and the fencing token it got."""

    ctx: Context
    name: str
    owner: str
    fence: int
    _renewed: float = field(default_factory=time.monotonic, repr=False)

    @property
    def ttl(self) -> timedelta:
        return timedelta(seconds=self.ctx.settings.lease_s)

    def check(self, conn: Connection, *, live: bool = False) -> None:
        """First statement of a transaction made under the lease: still ours? (and renew it).

        ``live``: also refuse a lease whose time ran out, even if nobody took it over yet —
        asked before anything is sent to a bank, by a process that may have been stopped.
        Raises :class:`LeaseLost` otherwise; the caller's transaction then rolls back.
        """
        now = self.ctx.clock()
        if not store.lease_renew(conn, self.name, self.owner, self.fence, now + self.ttl, now if live else None):
            held = store.get_lease(conn, self.name)
            by = f"{held.owner} (fence {held.fence})" if held is not None and held.owner else "nobody"
            log.warning("%s: lease lost (fence %d); now held by %s; changing nothing", self.name, self.fence, by)
            raise LeaseLost("error.lease.lost", unit=self.name, owner=self.owner, fence=self.fence, by=by)
        self._renewed = time.monotonic()

    def renew(self) -> None:
        """Extend the lease in a transaction of its own (raises :class:`LeaseLost`)."""
        with self.ctx.engine.begin() as conn:
            self.check(conn)

    def keep_alive(self) -> None:
        """Renew when a third of the lease time has passed since the last renewal: cheap
        enough to call from a progress callback."""
        if time.monotonic() - self._renewed >= self.ctx.settings.lease_s / 3:
            self.renew()

    def release(self) -> None:
        try:
            with self.ctx.engine.begin() as conn:
                store.lease_release(conn, self.name, self.owner, self.fence)
        except Exception as exc:  # noqa: BLE001 - released later (release_pending), or it runs out
            log.warning("%s: could not release the lease (%s); trying again at the next round",
                        self.name, exc)
            with _unreleased_lock:
                _unreleased.append(self)


_unreleased: list[Lease] = []  # leases whose release failed (database down, disk full)
_unreleased_lock = threading.Lock()


def release_pending() -> None:
    """Release the leases whose release failed before, so no unit waits for them to run out."""
    with _unreleased_lock:
        pending = list(_unreleased)
        _unreleased.clear()
    for lease in pending:
        lease.release()


def take_back_own(ctx: Context) -> list[str]:
    """At start: release every lease held under this instance's id. They were held by this
    instance's previous process, which is gone (or, if an operator started two processes under
    one id, is fenced by this: its next check fails). Without this a restarted instance would
    wait out its own predecessor's leases."""
    if not ctx.settings.instance_id:
        return []  # a generated id is new with every process: nothing can be ours
    with ctx.engine.begin() as conn:
        names = store.leases_release_owner(conn, ctx.instance_id)
    if names:
        log.info("instance %s: took back %d lease(s) of its previous process: %s", ctx.instance_id,
                 len(names), ", ".join(sorted(names)[:10]))
    return names


def acquire(ctx: Context, name: str) -> Lease | None:
    """Take the lease of a unit of work, or None when another instance holds it."""
    now = ctx.clock()
    with ctx.engine.begin() as conn:
        fence = store.lease_acquire(conn, name, ctx.instance_id, now,
                                    now + timedelta(seconds=ctx.settings.lease_s))
    if fence is None:
        return None
    log.debug("%s: lease taken by %s (fence %d)", name, ctx.instance_id, fence)
    return Lease(ctx, name, ctx.instance_id, fence)


def holder(ctx: Context, name: str) -> tuple[str | None, datetime | None]:
    """Who holds the lease now and until when (None, None when nobody does)."""
    with ctx.engine.connect() as conn:
        row = store.get_lease(conn, name)
    if row is None or row.owner is None:
        return None, None
    return row.owner, row.lease_until
