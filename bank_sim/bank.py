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
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import BinaryIO

from bank_formats.base import BankFormat, FormatError
from bank_sim.outcomes import DEFAULT_FAILURE_RATE_PPM, decide
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

CHINA_TIME = timezone(timedelta(hours=8))

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
    ):
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
        self.write_statements = write_statements
        self.ledger_file = self.root / "clearing_balances.json"
        self.write_marker = write_marker
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
            write_statements=True, security=counterpart(profile, keys) if keys is not None else None, **kwargs,
        )

    # ------------------------------------------------------------------ naming

    def result_name(self, payment_name: str) -> str:
        return self.naming.result_name(payment_name, self.fmt.file_suffix)

    def pending(self) -> list[Path]:
        """Complete payment files waiting in the inbox, oldest name first."""
        out = []
        for entry in sorted(os.scandir(self.inbox), key=lambda e: e.name):
            if not (entry.is_file(follow_symlinks=False) and is_candidate_name(entry.name)):
                continue
            if self.security is not None and is_signature_name(self.security, entry.name):
                continue  # read with the file it signs
            out.append(Path(entry.path))
        return out

    # ------------------------------------------------------------------ processing

    def process_once(self) -> list[Path]:
        """Answer every complete payment file in the inbox; returns the result files written."""
        written = []
        for path in self.pending():
            try:
                result = self.process_file(path)
            except Exception:  # noqa: BLE001 - one file must not stop the others
                log.exception("bank %s: could not process %s; will retry", self.bank_code, path.name)
                continue
            if result is not None:
                written.append(result)
        return written

    def process_file(self, path: Path) -> Path | None:
        """Answer one payment file; returns the result file, or None if it was rejected."""
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
            return None
        signature = self._signature_of(path)
        try:
            readable = self._open(path, signature)
        except FileSecurityError as e:
            self._reject(path, f"file security: {e}", signature)
            return None
        with tempfile.TemporaryFile() as spool:
            try:
                header, tally = self._count(readable, spool, name)
            except (Rejected, FormatError) as e:
                self._reject(path, str(e), signature)
                return None
            except Exception as e:  # noqa: BLE001 - unreadable in any other way
                self._reject(path, f"unreadable payment file: {type(e).__name__}: {e}", signature)
                return None
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
        if signature is not None:
            os.replace(signature, self.processed / signature.name)
        os.replace(path, done)
        fsync_dir(self.processed)
        log.info(
            "bank %s: answered %s with %s (%d paid, %d failed)",
            self.bank_code, name, final.name, tally.paid_count, tally.failed_count,
        )
        return final

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
        with open(path, "rb") as src:
            reader = self.fmt.read_payments(src, name)
            header = reader.header
            last_seq = 0
            for line in reader:
                if line.seq <= last_seq:
                    seqs_ok = False
                last_seq = line.seq
                tally.count += 1
                tally.total_fen += line.amount_fen
                rec = decide(self.seed, header.batch_id, line, self.failure_rate_ppm)
                if rec.reason in self.own_texts:
                    rec = _in_own_words(rec, *self.own_texts[rec.reason])
                pickle.dump(
                    (rec.seq, rec.outcome.value, rec.amount_fen, rec.account_no,
                     rec.reason.value if rec.reason else None, rec.bank_code, rec.bank_text),
                    spool, pickle.HIGHEST_PROTOCOL,
                )
                if rec.outcome is PaymentOutcome.PAID:
                    tally.paid_count += 1
                    tally.paid_fen += rec.amount_fen
                    tally.paid_nonzero += rec.amount_fen > 0
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

    def _result_header(self, header: PaymentFileHeader, tally: _Tally) -> ResultFileHeader:
        digest = hashlib.sha256(
            f"{self.bank_code}|{self.seed}|{header.file_id}".encode()
        ).hexdigest()[:20].upper()
        return ResultFileHeader(
            file_id=f"R{digest}"[:35],
            original_file_id=header.file_id,
            batch_id=header.batch_id,
            created_at=datetime.now(CHINA_TIME).replace(microsecond=0),
            count=tally.count,
            paid_count=tally.paid_count,
            paid_fen=tally.paid_fen,
            failed_count=tally.failed_count,
            failed_fen=tally.failed_fen,
        )

    def _write_result(self, spool: BinaryIO, header: PaymentFileHeader, tally: _Tally, final: Path) -> None:
        """Pass 2: stream the spooled records into a temp dot-file, fsync, rename."""
        temp = self._temp_for(final)
        rheader = self._result_header(header, tally)
        spool.seek(0)
        try:
            with open(temp, "wb") as out:
                written = self.fmt.write_results(out, rheader, _unspool(spool, tally.count))
                out.flush()
                os.fsync(out.fileno())
            if written.count != tally.count:
                raise RuntimeError(f"pass 2 wrote {written.count} records, pass 1 counted {tally.count}")
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

    def _write_statement(self, spool: BinaryIO, header: PaymentFileHeader, tally: _Tally) -> Path:
        """The statement of the clearing account for this file: the batch's funding, credited in
        full with its first payment file (a re-issue brings none), and one debit per line paid,
        continuing the account's balance."""
        balances = json.loads(self.ledger_file.read_text()) if self.ledger_file.exists() else {}
        funded_file = self.root / "funded_batches.json"
        funded = json.loads(funded_file.read_text()) if funded_file.exists() else []
        credit = 0 if header.batch_id in funded else header.total_fen
        account = header.payer_account
        opening, number = balances.get(account, (0, 0))
        number += 1
        closing = opening + credit - tally.paid_fen
        now = datetime.now(CHINA_TIME).replace(microsecond=0)
        sheader = StatementHeader(
            statement_id=f"S{header.file_id}"[:35], account=account, created_at=now,
            from_date=now.date(), to_date=now.date(), opening_balance_fen=opening,
            closing_balance_fen=closing, count=(credit > 0) + tally.paid_nonzero, credit_fen=credit,
            debit_fen=tally.paid_fen,
        )
        final = self.outbox / self.naming.statement_name(account, now.date(), number, self.fmt.file_suffix)
        temp = self._temp_for(final)
        spool.seek(0)
        with open(temp, "wb") as out:
            self.fmt.write_statement(out, sheader, _entries(spool, header, credit, tally.count, now.date()))
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

    def _reject(self, path: Path, why: str, signature: Path | None = None) -> None:
        target = self.rejected / path.name
        if target.exists():  # keep every rejected copy
            stamp = datetime.now().strftime("%Y%m%dT%H%M%S%f")
            target = self.rejected / f"{path.stem}.{stamp}{path.suffix}"
        if signature is not None:
            shutil.move(str(signature), target.with_name(target.name + signature.name[len(path.name):]))
        shutil.move(str(path), target)
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


def _entries(spool: BinaryIO, header: PaymentFileHeader, credit: int, count: int, day) -> Iterator[StatementEntry]:
    n = 0
    if credit > 0:
        n += 1
        yield StatementEntry(n, EntrySide.CREDIT, credit, day, f"FUND-{header.file_id}"[:35],
                             batch_id=header.batch_id, counterparty_name=header.payer_name,
                             remark="财政资金划入")
    for rec in _unspool(spool, count):
        if rec.outcome is PaymentOutcome.PAID and rec.amount_fen > 0:
            n += 1
            yield StatementEntry(n, EntrySide.DEBIT, rec.amount_fen, day, f"P{header.file_id}-{rec.seq}"[:35],
                                 batch_id=header.batch_id, line_seq=rec.seq,
                                 counterparty_account=rec.account_no, remark="惠民惠农补贴")


def _unspool(spool: BinaryIO, count: int) -> Iterator[ResultRecord]:
    for _ in range(count):
        seq, outcome, amount, account, reason, code, text = pickle.load(spool)
        yield ResultRecord(seq, PaymentOutcome(outcome), amount, account,
                           FailureReason(reason) if reason else None, code, text)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1024 * 1024):
            h.update(chunk)
    return h.hexdigest()
