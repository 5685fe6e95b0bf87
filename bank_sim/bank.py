"""A simulated agency bank working on local folders: payment files in, result files out.

    root/inbox       payment files arrive here (uploaded by the service under a temp name,
                     then renamed; dot-names and temp names are ignored)
    root/outbox      one result file per payment file, named by the bank profile's result
                     pattern (default RESULT_<stem><suffix>), written under a temp dot-name,
                     renamed, then followed by an empty <name>.done marker when the profile
                     says files are complete by marker
                     and, for a bank set up from a profile, a statement of the clearing
                     account after each answered file (the funding credited, one debit per
                     paid line), numbered by the profile's statement pattern
    root/clearing_balances.json   each clearing account's balance and last statement number
    root/funded_batches.json      the batches whose funding was credited: a re-issue's payment
                                  file brings no new money (the failed lines' money never left)
    root/processed   payment files that were answered
    root/rejected    payment files that could not be read, each with <name>.error.txt

A result file's header carries counts and sums by outcome before any record, so each payment
file is read twice: pass 1 counts, pass 2 writes. Nothing is held in memory per line.

Every paid record carries the bank's reference of the payment (``bank_ref``: 流水号, ISO 20022
AcctSvcrRef), ``outcomes.payment_ref`` of the bank code, seed, payment file and seq; the
statement's debit for the line carries the same reference. Failed records carry none.

Two misbehaviours of real banks can be switched on (both off by default; deterministic by
seed), each answering a payment file with one more result file, named by the result pattern
from the payment file's stem with a tag (``RESULT_PAY_B1_REREPORT.xml``,
``RESULT_PAY_B1_REPAY.xml`` with the default pattern), after the answer itself:

    fail={2, 5}          the lines named fail (with a reason drawn as for any failure),
                         whatever the failure rate: for tests that need a failure for sure

    rereport=True        the answer again (重报): the same records with the same references,
                         in a result file of its own id and name. No money moves.
    pay_twice={3, 7}     a second payment (重发) of the lines named, where the answer paid
    pay_twice_ppm=N      them, and of N parts per million of the paid lines (drawn from the
                         seed, batch and seq): a result file of just those lines, PAID with
                         the same amount under a new reference (``payment_ref(..., payment=2)``);
                         the money leaves the clearing account again, so a bank that writes
                         statements writes one more, debiting each such line once more.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import shutil
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from bank_formats.base import BankFormat, FormatError
from bank_sim.outcomes import DEFAULT_FAILURE_RATE_PPM, decide, paid_twice, ref_prefix
from domain.beijing import BEIJING
from domain.model import (
    EntrySide,
    FailureReason,
    PaymentFileHeader,
    PaymentOutcome,
    ResultFileHeader,
    ResultRecord,
    StatementEntry,
    StatementHeader,
)
from domain.reasons import LABEL_ZH
from durable import fsync_dir
from filesec import FileSecurityError
from filesec.keys import PartyKeys
from service.file_security import counterpart, is_signature_name, open_inbound, protect_outbound, signature_name
from service.profiles import BankProfile, FileNaming, SecurityKeys
from sftp.readiness import MARKER_SUFFIX, is_candidate_name

log = logging.getLogger("ykt.bank_sim")


__all__ = ["Rejected", "SimulatedBank", "party_keys"]


def party_keys(own: Path, peer: Path) -> SecurityKeys:
    """One party's key sets from two folders made by ``python -m filesec generate``: its own
    (signing and decryption) and its peer's (whose public keys it verifies and encrypts with).
    The bank's are ``party_keys(bank_folder, service_folder)``; the service's the other way round."""
    mine, theirs = PartyKeys.in_folder(Path(own)), PartyKeys.in_folder(Path(peer))
    return SecurityKeys(sign=mine.sign, decrypt=mine.decrypt, verify=theirs.verify, encrypt=theirs.encrypt)


class Rejected(Exception):
    """A payment file the bank will not answer; the message says why."""


@dataclass
class _Tally:
    count: int = 0
    total_fen: int = 0
    paid_count: int = 0
    paid_fen: int = 0
    failed_count: int = 0
    failed_fen: int = 0
    paid_nonzero: int = 0  # statement entries carry money; a line paid with 0 fen moves none
    twice_count: int = 0  # paid lines the bank pays a second time (pay_twice)
    twice_fen: int = 0
    twice_nonzero: int = 0


REREPORT_TAG = "_REREPORT"  # added to the payment file's stem to name the answer sent again
REPAY_TAG = "_REPAY"  # ... and to name the result file of the second payments


class SimulatedBank:
    def __init__(
        self,
        root: Path,
        fmt: BankFormat,
        seed: int,
        bank_code: str,
        inbox: str = "inbox",
        outbox: str = "outbox",
        failure_rate_ppm: int = DEFAULT_FAILURE_RATE_PPM,
        *,
        processed: str = "processed",
        rejected: str = "rejected",
        naming: FileNaming | None = None,
        write_marker: bool = True,
        own_codes: Mapping[str, FailureReason] | None = None,
        write_statements: bool = False,
        security: BankProfile | None = None,
        rereport: bool = False,
        pay_twice: Iterable[int] = (),
        pay_twice_ppm: int = 0,
        delivery_marker: str | None = ".ok",
        statement_format=None,
        fail: Iterable[int] = (),
    ):
        """``rereport``, ``pay_twice`` (seqs), ``pay_twice_ppm`` and ``fail`` (seqs): see the module docstring.
        ``delivery_marker``: the suffix of the marker the service leaves beside a payment file
        it delivered (the profile's); such markers are not payment files and leave the inbox
        with the file they mark."""
        self.root = Path(root)
        self.fmt = fmt
        self.seed = seed
        self.bank_code = bank_code
        self.failure_rate_ppm = failure_rate_ppm
        self.inbox = self.root / inbox
        self.outbox = self.root / outbox
        self.processed = self.root / processed
        self.rejected = self.root / rejected
        self.naming = naming or FileNaming()
        self.own_texts = _own_texts(own_codes or {})
        # a declared layout (bank_formats.layout) has payment and result files only
        # what its statements are written in: a profile's [statements] format, else its family
        self.statement_fmt = statement_format or fmt
        self.write_statements = write_statements and getattr(self.statement_fmt, "has_statements", True)
        self.ledger_file = self.root / "clearing_balances.json"
        self.write_marker = write_marker
        self.rereport = bool(rereport)
        self.pay_twice = frozenset(pay_twice)
        if not all(type(q) is int and q >= 1 for q in self.pay_twice):
            raise ValueError(f"pay_twice must name line seqs (integers of 1 or more), not "
                             f"{sorted(self.pay_twice, key=repr)!r}")
        if type(pay_twice_ppm) is not int or not 0 <= pay_twice_ppm <= 1_000_000:
            raise ValueError(f"pay_twice_ppm must be within 0..1000000, not {pay_twice_ppm!r}")
        self.pay_twice_ppm = pay_twice_ppm
        self.fail = frozenset(fail)
        self.delivery_marker = delivery_marker
        # The bank's side of file security (service.file_security.counterpart), or None: files
        # in the clear. Clear copies of secured files live only in the private staging folder.
        self.security = security if security is not None and security.security.required else None
        self.staging = self.root / ".staging"
        for d in (self.inbox, self.outbox, self.processed, self.rejected):
            d.mkdir(parents=True, exist_ok=True)

    @classmethod
    def for_profile(cls, root: Path, profile: BankProfile, seed: int, *, keys: SecurityKeys | None = None,
                    **kwargs) -> SimulatedBank:
        """The bank a profile describes: its format, folders, file names, failure codes and file
        security; ``keys`` are the bank's own key sets, needed when the profile demands security."""
        if profile.security.required and keys is None:
            raise ValueError(f"bank {profile.code} signs or encrypts files (its profile's [security]): "
                             "give the bank's key sets (sign, decrypt: the bank's; verify, encrypt: ours)")
        return cls(
            root, profile.bank_format, seed, profile.code,
            inbox=profile.inbox, outbox=profile.outbox, naming=profile.naming,
            write_marker=profile.completion == "marker", own_codes=profile.reason_codes,
            delivery_marker=profile.delivery_marker, statement_format=profile.statement_format,
            security=counterpart(profile, keys) if keys is not None else None, **{"write_statements": True, **kwargs},
        )

    # ------------------------------------------------------------------ naming

    def result_name(self, payment_name: str, tag: str = "") -> str:
        """The name of the answer to ``payment_name``; with a ``tag``, of another result file
        for it (the tag added to the payment file's stem, so the name still fits the pattern)."""
        if not tag:
            return self.naming.result_name(payment_name, self.fmt.file_suffix)
        path = Path(payment_name)
        name = self.naming.result_name(f"{path.stem}{tag}{path.suffix}", self.fmt.file_suffix)
        if name == self.result_name(payment_name):  # a pattern without {stem}
            own = Path(name)
            name = f"{own.stem}{tag}{own.suffix}"
        return name

    def pending(self) -> list[Path]:
        """Complete payment files waiting in the inbox, oldest name first."""
        out = []
        for entry in sorted(os.scandir(self.inbox), key=lambda e: e.name):
            if not (entry.is_file(follow_symlinks=False) and is_candidate_name(entry.name)):
                continue
            if self.security is not None and is_signature_name(self.security, entry.name):
                continue  # read with the file it signs
            if self.delivery_marker and entry.name.endswith(self.delivery_marker):
                continue  # the service's evidence of a delivery, taken with the file it marks
            out.append(Path(entry.path))
        return out

    # ------------------------------------------------------------------ processing

    def process_once(self) -> list[Path]:
        """Answer every complete payment file in the inbox; returns the result files written
        (for each payment file its answer, then the re-report and second payments, if any)."""
        written = []
        for path in self.pending():
            try:
                written += self._process(path)
            except Exception:  # noqa: BLE001 - one file must not stop the others
                log.exception("bank %s: could not process %s; will retry", self.bank_code, path.name)
                continue
        return written

    def process_file(self, path: Path) -> Path | None:
        """Answer one payment file; returns the result file, or None if it was rejected."""
        written = self._process(path)
        return written[0] if written else None

    def _process(self, path: Path) -> list[Path]:
        """Answer one payment file; the result files (the answer first), none if rejected."""
        name = path.name
        done = self.processed / name
        if done.exists():
            same = _sha256(done) == _sha256(path)
            self._reject(
                path,
                "duplicate submission: a file with this name and content was already processed"
                if same
                else "a different file with this name was already processed",
            )
            return []
        signature = self._signature_of(path)
        try:
            readable = self._open(path, signature)
        except FileSecurityError as e:
            self._reject(path, f"file security: {e}", signature)
            return []
        with tempfile.TemporaryFile() as spool:
            try:
                header, tally = self._count(readable, spool, name)
            except (Rejected, FormatError) as e:
                self._reject(path, str(e), signature)
                return []
            except Exception as e:  # noqa: BLE001 - unreadable in any other way
                self._reject(path, f"unreadable payment file: {type(e).__name__}: {e}", signature)
                return []
            finally:
                if readable != path:
                    readable.unlink(missing_ok=True)

            final = self.outbox / self.result_name(name)
            if final.exists():
                # Answered before a crash that kept the payment file in the inbox: same seed,
                # same answer; do not rewrite a file the service may be fetching.
                log.info("bank %s: %s already answered by %s", self.bank_code, name, final.name)
            else:
                self._write_result(spool, header, tally, final)
                if self.write_statements:
                    self._write_statement(spool, header, tally)
            self._mark_done(final)
            written = [final, *self._misbehave(spool, name, header, tally)]
        if signature is not None:
            os.replace(signature, self.processed / signature.name)
        os.replace(path, done)
        self._take_marker(path)
        fsync_dir(self.processed)
        log.info(
            "bank %s: answered %s with %s (%d paid, %d failed)",
            self.bank_code, name, final.name, tally.paid_count, tally.failed_count,
        )
        return written

    def _misbehave(self, spool: BinaryIO, name: str, header: PaymentFileHeader,
                   tally: _Tally) -> list[Path]:
        """The result files after the answer: the re-report and the second payments, as set up
        (each written once: one there already, from before a crash, is kept)."""
        written = []
        if self.rereport:
            again = self.outbox / self.result_name(name, REREPORT_TAG)
            if not again.exists():
                rheader = self._result_header(header, tally, REREPORT_TAG)
                spool.seek(0)
                self._write_result_file(again, rheader, _unspool(spool, tally.count), tally.count)
                log.info("bank %s: reported %s again in %s", self.bank_code, name, again.name)
            self._mark_done(again)
            written.append(again)
        if tally.twice_count:
            repay = self.outbox / self.result_name(name, REPAY_TAG)
            if not repay.exists():
                twice = _Tally(count=tally.twice_count, paid_count=tally.twice_count,
                               paid_fen=tally.twice_fen)
                rheader = self._result_header(header, twice, REPAY_TAG)
                spool.seek(0)
                self._write_result_file(repay, rheader, self._second_payments(spool, header, tally.count),
                                        tally.twice_count)
                if self.write_statements:
                    self._write_statement(spool, header, tally, second_payments=True)
                log.info("bank %s: paid %d lines of %s a second time (%s)", self.bank_code,
                         tally.twice_count, name, repay.name)
            self._mark_done(repay)
            written.append(repay)
        return written

    def _pays_twice(self, batch_id: str, seq: int) -> bool:
        return paid_twice(self.seed, batch_id, seq, self.pay_twice, self.pay_twice_ppm)

    def _second_payments(self, spool: BinaryIO, header: PaymentFileHeader, count: int) -> Iterator[ResultRecord]:
        """The lines paid a second time, each PAID again under the reference of its second payment."""
        prefix = ref_prefix(self.bank_code, self.seed, header.file_id, payment=2)
        for rec in _unspool(spool, count):
            if rec.outcome is PaymentOutcome.PAID and self._pays_twice(header.batch_id, rec.seq):
                yield replace(rec, bank_ref=f"{prefix}{rec.seq:010d}")

    def _signature_of(self, path: Path) -> Path | None:
        if self.security is None:
            return None
        signature = path.with_name(signature_name(self.security, path.name))
        return signature if signature.exists() else None

    def _open(self, path: Path, signature: Path | None) -> Path:
        """The payment file to read: verified and decrypted when the bank demands it."""
        if self.security is None:
            return path
        return open_inbound(self.security, path, signature, self.staging, name=path.name)

    def _count(self, path: Path, spool: BinaryIO, name: str) -> tuple[PaymentFileHeader, _Tally]:
        """Pass 1: read the whole file, check its control totals, decide and spool the outcomes.

        The outcomes go to a spool file rather than memory (a million lines must not be held)
        and rather than a second parse of the XML, which costs more than the spool.
        """
        tally = _Tally()
        seqs_ok = True
        twice = bool(self.pay_twice) or self.pay_twice_ppm > 0
        with open(path, "rb") as src:
            reader = self.fmt.read_payments(src, name)
            header = reader.header
            prefix = ref_prefix(self.bank_code, self.seed, header.file_id)
            last_seq = 0
            for line in reader:
                if line.seq <= last_seq:
                    seqs_ok = False
                last_seq = line.seq
                tally.count += 1
                tally.total_fen += line.amount_fen
                rate = 1_000_000 if line.seq in self.fail else self.failure_rate_ppm
                rec = decide(self.seed, header.batch_id, line, rate)
                if rec.reason in self.own_texts:
                    rec = _in_own_words(rec, *self.own_texts[rec.reason])
                paid = rec.outcome is PaymentOutcome.PAID
                pickle.dump(
                    (rec.seq, rec.outcome.value, rec.amount_fen, rec.account_no,
                     rec.reason.value if rec.reason else None, rec.bank_code, rec.bank_text,
                     f"{prefix}{rec.seq:010d}" if paid else ""),
                    spool, pickle.HIGHEST_PROTOCOL,
                )
                if paid:
                    tally.paid_count += 1
                    tally.paid_fen += rec.amount_fen
                    tally.paid_nonzero += rec.amount_fen > 0
                    if twice and self._pays_twice(header.batch_id, rec.seq):
                        tally.twice_count += 1
                        tally.twice_fen += rec.amount_fen
                        tally.twice_nonzero += rec.amount_fen > 0
                else:
                    tally.failed_count += 1
                    tally.failed_fen += rec.amount_fen
        problems = []
        if tally.count != header.count:
            problems.append(f"header says {header.count} lines, file has {tally.count}")
        if tally.total_fen != header.total_fen:
            problems.append(f"header says {header.total_fen} fen, lines add up to {tally.total_fen}")
        if not seqs_ok:
            problems.append("line sequence numbers are not strictly increasing")
        if problems:
            raise Rejected("control totals do not match: " + "; ".join(problems))
        return header, tally

    def _result_header(self, header: PaymentFileHeader, tally: _Tally, tag: str = "") -> ResultFileHeader:
        """The header of the answer, or with a ``tag`` of another result file for the same payment file."""
        digest = hashlib.sha256(
            f"{self.bank_code}|{self.seed}|{header.file_id}{'|' + tag if tag else ''}".encode()
        ).hexdigest()[:20].upper()
        return ResultFileHeader(
            file_id=f"R{digest}"[:35],
            original_file_id=header.file_id,
            batch_id=header.batch_id,
            created_at=datetime.now(BEIJING).replace(microsecond=0),
            count=tally.count,
            paid_count=tally.paid_count,
            paid_fen=tally.paid_fen,
            failed_count=tally.failed_count,
            failed_fen=tally.failed_fen,
        )

    def _write_result(self, spool: BinaryIO, header: PaymentFileHeader, tally: _Tally, final: Path) -> None:
        """Pass 2: stream the spooled records into a temp dot-file, fsync, rename."""
        spool.seek(0)
        self._write_result_file(final, self._result_header(header, tally), _unspool(spool, tally.count),
                                tally.count)

    def _write_result_file(self, final: Path, rheader: ResultFileHeader, records: Iterator[ResultRecord],
                           count: int) -> None:
        temp = self._temp_for(final)
        try:
            with open(temp, "wb") as out:
                written = self.fmt.write_results(out, rheader, records)
                out.flush()
                os.fsync(out.fileno())
            if written.count != count:
                raise RuntimeError(f"pass 2 wrote {written.count} records, pass 1 counted {count}")
            self._publish(temp, final)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise

    def _temp_for(self, final: Path) -> Path:
        """Where a file for the outbox is written first: a dot-name beside it, or, when the bank
        secures its files, the private staging folder (the clear file never enters the outbox)."""
        if self.security is None:
            return final.with_name(f".{final.name}.tmp")
        self.staging.mkdir(mode=0o700, exist_ok=True)
        return self.staging / final.name

    def _publish(self, temp: Path, final: Path) -> None:
        """Put a finished file in the outbox, signed and encrypted when the bank secures its files:
        its signature first, then the file, so the file never appears without its signature."""
        if self.security is None:
            os.rename(temp, final)
        else:
            sealed = self.staging / "sealed"
            for made in protect_outbound(self.security, temp, sealed):
                os.rename(made, final.with_name(made.name))
            temp.unlink(missing_ok=True)
            (sealed / f".{temp.name}.filesec.json").unlink(missing_ok=True)
        fsync_dir(self.outbox)

    def _write_statement(self, spool: BinaryIO, header: PaymentFileHeader, tally: _Tally, *,
                         second_payments: bool = False) -> Path:
        """The statement of the clearing account for this file: the batch's funding, credited in
        full with its first payment file (a re-issue brings none), and one debit per line paid,
        continuing the account's balance. With ``second_payments``: the statement after the
        lines paid a second time, one more debit for each."""
        balances = json.loads(self.ledger_file.read_text()) if self.ledger_file.exists() else {}
        funded_file = self.root / "funded_batches.json"
        funded = json.loads(funded_file.read_text()) if funded_file.exists() else []
        credit = 0 if header.batch_id in funded or second_payments else header.total_fen
        debit, debits = ((tally.twice_fen, tally.twice_nonzero) if second_payments
                         else (tally.paid_fen, tally.paid_nonzero))
        account = header.payer_account
        opening, number = balances.get(account, (0, 0))
        number += 1
        closing = opening + credit - debit
        now = datetime.now(BEIJING).replace(microsecond=0)
        sheader = StatementHeader(
            statement_id=f"S{header.file_id}{'-2' if second_payments else ''}"[:35], account=account,
            created_at=now, from_date=now.date(), to_date=now.date(), opening_balance_fen=opening,
            closing_balance_fen=closing, count=(credit > 0) + debits, credit_fen=credit,
            debit_fen=debit,
        )
        final = self.outbox / self.naming.statement_name(account, now.date(), number, self.statement_fmt.file_suffix)
        temp = self._temp_for(final)
        spool.seek(0)
        records = (self._second_payments(spool, header, tally.count) if second_payments
                   else _unspool(spool, tally.count))
        with open(temp, "wb") as out:
            self.statement_fmt.write_statement(out, sheader, _entries(records, header, credit, now.date()))
            out.flush()
            os.fsync(out.fileno())
        self._publish(temp, final)
        balances[account] = (closing, number)
        self.ledger_file.write_text(json.dumps(balances))
        funded_file.write_text(json.dumps(sorted({*funded, header.batch_id})))
        self._mark_done(final)
        return final

    def _mark_done(self, final: Path) -> None:
        if not self.write_marker:
            return
        marker = final.with_name(final.name + MARKER_SUFFIX)
        if not marker.exists():
            with open(marker, "wb") as f:
                os.fsync(f.fileno())
            fsync_dir(self.outbox)

    def _take_marker(self, path: Path) -> None:
        """The service's delivery marker leaves the inbox with the file it marks."""
        if self.delivery_marker:
            path.with_name(path.name + self.delivery_marker).unlink(missing_ok=True)

    def _reject(self, path: Path, why: str, signature: Path | None = None) -> None:
        target = self.rejected / path.name
        if target.exists():  # keep every rejected copy
            stamp = datetime.now().strftime("%Y%m%dT%H%M%S%f")
            target = self.rejected / f"{path.stem}.{stamp}{path.suffix}"
        if signature is not None:
            shutil.move(str(signature), target.with_name(target.name + signature.name[len(path.name):]))
        shutil.move(str(path), target)
        self._take_marker(path)
        note = target.with_name(target.name + ".error.txt")
        note.write_text(f"{path.name}: rejected by bank {self.bank_code}\n{why}\n", encoding="utf-8")
        log.warning("bank %s: rejected %s: %s", self.bank_code, path.name, why)

    # ------------------------------------------------------------------ loop

    def run_forever(self, interval_s: float, stop_event: threading.Event) -> None:
        log.info("bank %s: watching %s every %.1fs", self.bank_code, self.inbox, interval_s)
        while not stop_event.is_set():
            try:
                self.process_once()
            except Exception:  # noqa: BLE001 - keep the simulated bank up
                log.exception("bank %s: processing round failed", self.bank_code)
            stop_event.wait(interval_s)


def _own_texts(own_codes: Mapping[str, FailureReason]) -> dict[FailureReason, tuple[str, str]]:
    """The bank's own code for a reason, where its profile lists one (the first listed)."""
    texts: dict[FailureReason, tuple[str, str]] = {}
    for code, reason in own_codes.items():
        texts.setdefault(reason, (code, LABEL_ZH[reason]))
    return texts


def _in_own_words(rec: ResultRecord, code: str, text: str) -> ResultRecord:
    """Report a failure with a code only this bank uses: the format family cannot know it, so
    the record reads back as OTHER and the service classes it by the bank's profile."""
    return replace(rec, reason=FailureReason.OTHER, bank_code=code, bank_text=text)


def _entries(records: Iterable[ResultRecord], header: PaymentFileHeader, credit: int, day) -> Iterator[StatementEntry]:
    """The funding (when ``credit``), then a debit for each record paid with money, under the
    payment's reference."""
    n = 0
    if credit > 0:
        n += 1
        yield StatementEntry(n, EntrySide.CREDIT, credit, day, f"FUND-{header.file_id}"[:35],
                             batch_id=header.batch_id, counterparty_name=header.payer_name,
                             remark="财政资金划入")
    for rec in records:
        if rec.outcome is PaymentOutcome.PAID and rec.amount_fen > 0:
            n += 1
            yield StatementEntry(n, EntrySide.DEBIT, rec.amount_fen, day,
                                 rec.bank_ref or f"P{header.file_id}-{rec.seq}"[:35],
                                 batch_id=header.batch_id, line_seq=rec.seq,
                                 counterparty_account=rec.account_no, remark="惠民惠农补贴")


def _unspool(spool: BinaryIO, count: int) -> Iterator[ResultRecord]:
    for _ in range(count):
        seq, outcome, amount, account, reason, code, text, ref = pickle.load(spool)
        yield ResultRecord(seq, PaymentOutcome(outcome), amount, account,
                           FailureReason(reason) if reason else None, code, text, ref)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1024 * 1024):
            h.update(chunk)
    return h.hexdigest()
