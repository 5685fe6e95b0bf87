"""Which files in a bank's result folder are complete and may be fetched. Pure; no I/O.

A bank writes a result file over time; we must not fetch it half-written. Two conventions:

* ``"marker"``: the bank writes ``X`` and then an empty ``X.done``; ``X`` is ready once its
  marker exists. Markers themselves are never listed.
* ``"stable"``: ``X`` is ready once its (size, mtime) is the same as at the previous poll and
  it is not empty. The caller keeps the observations between polls::

      readiness = Readiness("stable", suffix=".xml")
      verdict = readiness.check(listing, previous=None)        # nothing ready yet
      verdict = readiness.check(listing2, previous=verdict.observations)

Empty files: under ``"stable"`` a zero-byte file is never ready, however long it stays (the bank
may have created it and not yet written). Under ``"marker"`` the bank has declared the file
complete, so a zero-byte file with its marker *is* ready and passed up with ``size == 0``: the
caller must not skip it silently but quarantine it (the service records it as an empty file).

In both modes dot-files and temporary names (``*.part``, ``*.tmp``) are ignored, as are
directories and anything not ending in ``suffix`` (when given).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

Completion = Literal["stable", "marker"]
Observation = tuple[int, int]  # (size, mtime)

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
    observations: dict[str, Observation] = field(default_factory=dict)

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
    """Answers which names of a listing are complete, for one completion convention."""

    def __init__(
        self,
        completion: Completion = "stable",
        *,
        suffix: str | None = None,
        marker_suffix: str = MARKER_SUFFIX,
    ):
        if completion not in ("stable", "marker"):
            raise ValueError(f"completion must be 'stable' or 'marker', not {completion!r}")
        self.completion = completion
        self.suffix = suffix
        self.marker_suffix = marker_suffix

    def check(
        self, listing: Iterable[Entry], previous: Mapping[str, Observation] | None = None
    ) -> Verdict:
        entries = list(listing)
        candidates = {
            e.name: e
            for e in entries
            if e.is_file and is_candidate_name(e.name, self.suffix, self.marker_suffix)
        }
        observations = {name: (e.size, e.mtime) for name, e in candidates.items()}
        if self.completion == "marker":
            markers = {
                e.name[: -len(self.marker_suffix)]
                for e in entries
                if e.is_file and e.name.endswith(self.marker_suffix)
            }
            ready = [candidates[n] for n in sorted(candidates) if n in markers]
        else:
            previous = previous or {}
            ready = []
            for name in sorted(candidates):
                e = candidates[name]
                seen = previous.get(name)
                if e.size > 0 and seen is not None and tuple(seen) == (e.size, e.mtime):
                    ready.append(e)
        return Verdict(ready=ready, observations=observations)


class ReadinessTracker:
    """A :class:`Readiness` that remembers the previous observations itself."""

    def __init__(self, completion: Completion = "stable", *, suffix: str | None = None,
                 marker_suffix: str = MARKER_SUFFIX):
        self.readiness = Readiness(completion, suffix=suffix, marker_suffix=marker_suffix)
        self.observations: dict[str, Observation] = {}

    def observe(self, listing: Iterable[Entry]) -> list[Entry]:
        verdict = self.readiness.check(listing, self.observations)
        self.observations = verdict.observations
        return verdict.ready
