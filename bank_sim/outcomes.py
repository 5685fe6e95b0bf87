"""What the simulated bank does with each payment line. Pure and deterministic.

The outcome of a line depends only on (seed, batch id, line seq, account): re-running the
simulator on the same file gives the same result file, and tests can predict it; a line re-issued
with a corrected account is decided afresh, as a real bank would pay or refuse the new account.
Uses SHA-256, never the ``random`` module's global state.

Every payment the bank makes has its own reference (流水号, ISO 20022 AcctSvcrRef):
:func:`payment_ref` of (bank code, seed, payment file, line seq, which payment of the line it
is), so the same payment reported again carries the same reference and a second payment of
the line (重发) another one. Whether a line is paid twice is :func:`paid_twice`.
"""
from __future__ import annotations

import hashlib

from domain.model import FailureReason, PaymentLine, PaymentOutcome, ResultRecord

__all__ = ["BANK_TEXTS", "DEFAULT_FAILURE_RATE_PPM", "REASON_WEIGHTS", "decide", "paid_twice",
           "payment_ref", "ref_prefix"]

DEFAULT_FAILURE_RATE_PPM = 30_000  # 3 %

# How failures spread over reasons, in parts per 1000 of the failures.
REASON_WEIGHTS: tuple[tuple[FailureReason, int], ...] = (
    (FailureReason.ACCOUNT_NOT_FOUND, 340),
    (FailureReason.NAME_MISMATCH, 300),
    (FailureReason.ACCOUNT_CLOSED, 170),
    (FailureReason.ACCOUNT_FROZEN, 140),
    (FailureReason.ID_MISMATCH, 35),
    (FailureReason.CARD_LOST, 15),
)
assert sum(w for _, w in REASON_WEIGHTS) == 1000

# Bank-style texts; a real core-banking system is not consistent either.
BANK_TEXTS: dict[FailureReason, tuple[str, ...]] = {
    FailureReason.ACCOUNT_NOT_FOUND: ("账户不存在", "无此账户", "账号不存在"),
    FailureReason.NAME_MISMATCH: ("户名不符", "账户名称与账号不符"),
    FailureReason.ACCOUNT_CLOSED: ("账户已销户", "该账户已销户"),
    FailureReason.ACCOUNT_FROZEN: ("账户冻结", "账户已冻结"),
    FailureReason.ID_MISMATCH: ("证件号码不符",),
    FailureReason.CARD_LOST: ("卡片已挂失", "账户已挂失"),
}


def _draw(seed: int, batch_id: str, seq: int, account_no: str) -> bytes:
    return hashlib.sha256(f"ykt-bank-sim|{seed}|{batch_id}|{seq}|{account_no}".encode()).digest()


def decide(
    seed: int,
    batch_id: str,
    line: PaymentLine,
    failure_rate_ppm: int = DEFAULT_FAILURE_RATE_PPM,
) -> ResultRecord:
    """The bank's result for one line: PAID with the instructed amount, or FAILED with a reason.

    A line without an account number always fails as ACCOUNT_NOT_FOUND. ``bank_code`` is left
    empty so the result-file writer puts its own code for the reason.
    """
    if not 0 <= failure_rate_ppm <= 1_000_000:
        raise ValueError(f"failure_rate_ppm must be within 0..1000000, not {failure_rate_ppm}")
    h = _draw(seed, batch_id, line.seq, line.account_no)
    roll = int.from_bytes(h[0:8], "big") % 1_000_000
    reason: FailureReason | None = None
    if not line.account_no.strip():
        reason = FailureReason.ACCOUNT_NOT_FOUND
    elif roll < failure_rate_ppm:
        pick = int.from_bytes(h[8:12], "big") % 1000
        for candidate, weight in REASON_WEIGHTS:
            if pick < weight:
                reason = candidate
                break
            pick -= weight
    if reason is None:
        return ResultRecord(
            seq=line.seq,
            outcome=PaymentOutcome.PAID,
            amount_fen=line.amount_fen,
            account_no=line.account_no,
        )
    texts = BANK_TEXTS[reason]
    return ResultRecord(
        seq=line.seq,
        outcome=PaymentOutcome.FAILED,
        amount_fen=line.amount_fen,
        account_no=line.account_no,
        reason=reason,
        bank_code="",
        bank_text=texts[h[12] % len(texts)],
    )


def ref_prefix(bank_code: str, seed: int, file_id: str, payment: int = 1) -> str:
    """What the references of the ``payment``-th payments (1: the first) of the lines of
    payment file ``file_id`` begin with: 16 hex digits of SHA-256, the same for every line of
    the file, so that a reference costs no hash per line."""
    if type(payment) is not int or payment < 1:
        raise ValueError(f"payment must be 1 or more, not {payment!r}")
    digest = hashlib.sha256(f"ykt-bank-sim-ref|{bank_code}|{seed}|{file_id}|{payment}".encode())
    return digest.hexdigest()[:16].upper()


def payment_ref(bank_code: str, seed: int, file_id: str, seq: int, payment: int = 1) -> str:
    """The bank's reference of its ``payment``-th payment of line ``seq`` of payment file
    ``file_id`` (1: the payment it reports in its answer; 2: a second payment of the line).

    :func:`ref_prefix` and the seq in at least 10 digits, e.g. ``9F3C2A7B41D0E8650000000042``:
    26 characters (34 for the longest seq a file can carry), so it fits every format's field
    (ISO 20022 AcctSvcrRef is Max35Text, the fixed-width field 35 bytes); unique for each
    (bank, seed, file, payment) as far as 64 bits of SHA-256 are, and for each seq exactly.
    """
    return f"{ref_prefix(bank_code, seed, file_id, payment)}{seq:010d}"


def paid_twice(seed: int, batch_id: str, seq: int, seqs: frozenset[int] | set[int] = frozenset(),
               rate_ppm: int = 0) -> bool:
    """Whether the bank pays line ``seq`` a second time (a line it paid): when ``seqs`` names
    it, or for ``rate_ppm`` parts per million of the lines, drawn from (seed, batch, seq)."""
    if seq in seqs:
        return True
    if rate_ppm <= 0:
        return False
    h = hashlib.sha256(f"ykt-bank-sim-twice|{seed}|{batch_id}|{seq}".encode()).digest()
    return int.from_bytes(h[:8], "big") % 1_000_000 < rate_ppm
