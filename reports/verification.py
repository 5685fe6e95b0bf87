"""Checking a copy of an issued report: is this the content the service signed?

Two things are checked, separately, so the answer says exactly which fails: the content's
SHA-256 (recomputed from its canonical form) against the digest the copy carries, and the
copy's Ed25519 signature over that digest against the service's public keys — the ones the
verifier trusts, never one shipped inside the file being checked; the key id the signature
carries picks the key (:mod:`reports.signing`), so copies signed before a rotation still verify. The copies differ only by
their party label; the signature binds the content, not the label.

The input is either a JSON export of the report (:mod:`reports.exports.jsonfile`, one or more
copies with their digests and signatures) or a report's bare content JSON with the digest and
signature given apart. Used by the VerifyReportCopy RPC and offline by ``ykt report verify``.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from reports.documents import PARTY_NAMES, canonical
from reports.exports import jsonfile
from reports.signing import PublicKeys, signature_problem

_HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class CopyVerdict:
    party: str
    problems: tuple[str, ...]

    @property
    def valid(self) -> bool:
        return not self.problems


@dataclass(frozen=True, slots=True)
class Verdict:
    kind: str  # the report's title in its content
    computed_sha256: str  # of the content's canonical form; empty when the content could not be read
    copies: tuple[CopyVerdict, ...]
    problems: tuple[str, ...]  # about the input as a whole: unreadable, no copy to check

    @property
    def valid(self) -> bool:
        return not self.problems and bool(self.copies) and all(c.valid for c in self.copies)

    def lines(self) -> list[str]:
        """The verdict as people read it: one line per problem, or per good copy."""
        out = [f"FAIL: {p}" for p in self.problems]
        for c in self.copies:
            out += [f"{c.party}: ok"] if c.valid else [f"{c.party}: FAIL: {p}" for p in c.problems]
        return out


def verify(data: bytes, public_keys: PublicKeys, party: str = "", digest: str = "", signature: str = "") -> Verdict:
    """Verify an export (``party`` picks one of its copies; empty: all) or bare content
    (``party``, ``digest`` and ``signature`` of the copy required) against ``public_keys``: one
    PEM, or PEMs by key id (:func:`reports.signing.signature_problem`)."""
    try:
        parsed = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return _unreadable(f"the content is not UTF-8 text (byte {exc.start}): it was altered or is no report")
    except json.JSONDecodeError as exc:
        return _unreadable(f"the content is not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})")
    if jsonfile.is_export(parsed):
        if digest or signature:
            return _unreadable("an export carries its own digests and signatures; give no digest or signature "
                               "with it")
        return _export(parsed, public_keys, party)
    if not isinstance(parsed, dict):
        return _unreadable("the content is not a JSON object")
    missing = [name for name, value in (("party", party), ("digest", digest), ("signature", signature)) if not value]
    if missing:
        return _unreadable(f"bare report content needs the copy's {', '.join(missing)}")
    computed = hashlib.sha256(canonical(parsed)).hexdigest()
    return Verdict(_kind(parsed), computed, (_copy(party, digest, signature, computed, public_keys),), ())


def _export(parsed: dict, public_keys: PublicKeys, party: str) -> Verdict:
    try:
        doc = jsonfile.read(parsed)
    except jsonfile.NotAnExport as exc:
        return _unreadable(str(exc))
    computed = hashlib.sha256(doc.canonical).hexdigest()
    copies = [c for c in doc.copies if not party or c.party == party]
    if not copies:
        held = ", ".join(c.party for c in doc.copies) or "none"
        return Verdict(_kind(doc.content), computed, (), (f"the file holds no copy for party {party!r} (it holds {held})",))
    problems = ()
    if doc.digest and doc.digest != computed:
        problems = (f"the file's content_sha256 {doc.digest} is not the content's SHA-256 {computed}: "
                    "the content was altered after it was issued",)
    verdicts = tuple(_copy(c.party, c.digest, c.signature, computed, public_keys) for c in copies)
    return Verdict(_kind(doc.content), computed, verdicts, problems)


def _copy(party: str, digest: str, signature: str, computed: str, public_keys: PublicKeys) -> CopyVerdict:
    problems = []
    if party not in PARTY_NAMES:
        problems.append(f"unknown party {party!r} (the copies are {', '.join(PARTY_NAMES)})")
    if not _HEX64.fullmatch(digest):
        problems.append(f"the copy's digest {digest!r} is not a SHA-256 in lower-case hex")
    elif digest != computed:
        problems.append(f"the content's SHA-256 is {computed}, the copy says {digest}: "
                        "the content is not what this copy was issued with")
    wrong = signature_problem(public_keys, digest, signature)
    if wrong:
        problems.append(wrong)
    return CopyVerdict(party, tuple(problems))


def _kind(content: dict) -> str:
    return str(content.get("report", ""))


def _unreadable(problem: str) -> Verdict:
    return Verdict("", "", (), (problem,))
