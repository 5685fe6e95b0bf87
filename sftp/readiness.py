"""Which files in a bank's result folder are complete and may be fetched. Pure; no I/O.

A bank writes a result file over time; we must not fetch it half-written. Two conventions:

* ``"marker"``: the bank writes ``X`` and then an empty ``X.done``; ``X`` is ready once its
  marker exists. Markers themselves are never listed.
* ``"stable"``: ``X`` is ready once it is not empty and its (size, mtime) has not changed over
  the *settle time* (``settle_s``): the caller says when each listing was taken (``now``, a
  monotonic clock in seconds), and ``X`` is ready at the first listing at least ``settle_s``
  after the first one that saw its current size and mtime. A bank writer that pauses for less
  than the settle time is never caught mid-file, however often we poll. The caller keeps the
  observations between polls::

      readiness = Readiness("stable", settle_s=5.0)
      verdict = readiness.check(listing, previous=None, now=time.monotonic())   # nothing yet
      verdict = readiness.check(listing2, previous=verdict.observations, now=time.monotonic())

  Without ``now`` (and with no settle time) ``X`` is ready once its (size, mtime) is the same
  as at the previous poll: the settle time is then whatever the poll interval is.

  Readiness only says the file *held still*; the caller still checks that it does not change
  while it is read (see :mod:`service.polling`) and, when it did, forgets what it saw of it
  (:meth:`ReadinessTracker.forget`) so the settle time starts again.

Empty files: under ``"stable"`` a zero-byte file is never ready, however long it stays (the bank
may have created it and not yet written). Under ``"marker"`` the bank has declared the file
complete, so a zero-byte file with its marker *is* ready and passed up with ``size == 0``: the
caller must not skip it silently but quarantine it (the service records it as an empty file).

In both modes dot-files and temporary names (``*.part``, ``*.tmp``) are ignored, as are
directories and anything not ending in ``suffix`` (when given).
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

Completion = Literal["stable", "marker"]
Observation = tuple[int, int]  # (size, mtime)
Sighting = tuple[int, int, float]  # (size, mtime, since): since = when this (size, mtime) was first seen

MARKER_SUFFIX = ".done"
TEMP_SUFFIXES = (".part", ".tmp", ".partial", ".filepart")

__all__ = [
    "MARKER_SUFFIX",
    "TEMP_SUFFIXES",
    "Completion",
    "Entry",
    "Observation",
    "Readiness",
    "ReadinessTracker",
    "Sighting",
    "Verdict",
    "is_candidate_name",
]


@dataclass(frozen=True, slots=True)
class Entry:
    """One name in a directory listing."""

    name: str
    size: int
    mtime: int
    is_file: bool = True


@dataclass(frozen=True, slots=True)
class Verdict:
    """The ready entries (sorted by name) and what to pass as ``previous`` next time."""

    ready: list[Entry]
    observations: dict[str, Observation | Sighting] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [e.name for e in self.ready]


def is_candidate_name(name: str, suffix: str | None = None, marker_suffix: str = MARKER_SUFFIX) -> bool:
    """True for a name that may be a result file: not hidden, not temporary, not a marker."""
    if not name or name.startswith(".") or name in (".", ".."):
        return False
    lowered = name.lower()
    if lowered.endswith(TEMP_SUFFIXES) or lowered.endswith(marker_suffix.lower()):
        return False
    if suffix is not None and not lowered.endswith(suffix.lower()):
        return False
    return True


class Readiness:
    """Answers which names of a listing are complete, for one completion convention.

    ``settle_s`` (``"stable"`` only): how long a file's size and mtime must hold still before it
    is ready; it needs ``now`` at every :meth:`check`. 0 with no ``now``: the previous poll's
    sighting is enough (the historical rule).
    """

    def __init__(
        self,
        completion: Completion = "stable",
        *,
        suffix: str | None = None,
        marker_suffix: str = MARKER_SUFFIX,
        settle_s: float = 0.0,
    ):
        if completion not in ("stable", "marker"):
            raise ValueError(f"completion must be 'stable' or 'marker', not {completion!r}")
        if isinstance(settle_s, bool) or not isinstance(settle_s, (int, float)) or not math.isfinite(settle_s) \
                or settle_s < 0:
            raise ValueError(f"settle_s must be a number of seconds >= 0, not {settle_s!r}")
        self.completion = completion
        self.suffix = suffix
        self.marker_suffix = marker_suffix
        self.settle_s = float(settle_s)

    def check(
        self,
        listing: Iterable[Entry],
        previous: Mapping[str, Observation | Sighting] | None = None,
        *,
        now: float | None = None,
    ) -> Verdict:
        entries = list(listing)
        candidates = {
            e.name: e
            for e in entries
            if e.is_file and is_candidate_name(e.name, self.suffix, self.marker_suffix)
        }
        if self.completion == "marker":
            markers = {
                e.name[: -len(self.marker_suffix)]
                for e in entries
                if e.is_file and e.name.endswith(self.marker_suffix)
            }
            ready = [candidates[n] for n in sorted(candidates) if n in markers]
            return Verdict(ready=ready, observations={n: (e.size, e.mtime) for n, e in candidates.items()})
        if now is None and self.settle_s > 0:
            raise ValueError("a settle time needs the time of the listing (now)")
        previous = previous or {}
        observations: dict[str, Observation | Sighting] = {}
        ready = []
        for name in sorted(candidates):
            e = candidates[name]
            seen = previous.get(name)
            unchanged = seen is not None and tuple(seen[:2]) == (e.size, e.mtime)
            if now is None:
                observations[name] = (e.size, e.mtime)
                settled = unchanged
            else:
                since = seen[2] if unchanged and len(seen) > 2 else now
                observations[name] = (e.size, e.mtime, since)
                settled = unchanged and now - since >= self.settle_s
            if e.size > 0 and settled:
                ready.append(e)
        return Verdict(ready=ready, observations=observations)


class ReadinessTracker:
    """A :class:`Readiness` that remembers the previous observations itself and times them
    with ``clock`` (monotonic seconds)."""

    def __init__(self, completion: Completion = "stable", *, suffix: str | None = None,
                 marker_suffix: str = MARKER_SUFFIX, settle_s: float = 0.0,
                 clock: Callable[[], float] = time.monotonic):
        self.readiness = Readiness(completion, suffix=suffix, marker_suffix=marker_suffix, settle_s=settle_s)
        self.clock = clock
        self.observations: dict[str, Observation | Sighting] = {}

    def observe(self, listing: Iterable[Entry]) -> list[Entry]:
        verdict = self.readiness.check(listing, self.observations, now=self.clock())
        self.observations = verdict.observations
        return verdict.ready

    def forget(self, name: str) -> None:
        """Forget what was seen of ``name`` (it changed while it was read): its settle time
        starts again at the next sighting."""
        self.observations.pop(name, None)
