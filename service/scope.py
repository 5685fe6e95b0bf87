"""What a caller may see: a bank's user sees only its own banks' data.

A ``BANK`` user's settings entry names the bank codes it acts for (``[auth.users.NAME] banks``).
When it calls an RPC through its BANK role (it holds no other role the RPC allows), the call is
confined to those banks (:class:`Scope`):

* it hands in result files and statements for its own banks only (PERMISSION_DENIED naming
  the bank otherwise: the bank codes are no secret, the refusal leaks nothing);
* it reads a batch, its reports, balances and transactions only when the batch is its bank's
  and has been approved (instructed): the roster before approval is the department's. Any other
  batch is NOT_FOUND with the very words an unknown batch gets, so a bank cannot tell another
  bank's batch from none;
* its lists (batches, files, transactions, recoveries, balances) hold only its banks' rows;
  a filter naming another bank finds nothing;
* a report comes with the bank's copy (第三联) only;
* roster lines and their issues, the audit trail and the disclosure list are not the bank's at
  all: the role table (``adapter/auth.py``) refuses them to the BANK role.

Everyone else reads every bank (:data:`EVERY_BANK`).
"""
from __future__ import annotations

from dataclasses import dataclass

from domain.model import BatchStatus
from service.errors import NotFound, PermissionDenied

__all__ = ["EVERY_BANK", "INSTRUCTED", "Scope"]

#: Batch states a bank sees: approved, so instructed to it (or on the way to be).
INSTRUCTED = frozenset({BatchStatus.APPROVED.value, BatchStatus.FUNDED.value, BatchStatus.DISPATCHED.value,
                        BatchStatus.RESULTS_COMPLETE.value, BatchStatus.CLOSED.value})

BANK_PARTY = "BANK"  # the report copy a bank receives (reports.documents.PARTIES)


@dataclass(frozen=True)
class Scope:
    """The banks a call may see: ``None`` for every bank, else exactly these (maybe none)."""

    banks: frozenset[str] | None = None

    @property
    def bank_only(self) -> bool:
        return self.banks is not None

    def sees_bank(self, code: str) -> bool:
        return self.banks is None or code in self.banks

    def sees_batch(self, batch) -> bool:
        """A batch row (``bank_code``, ``status``) this call may read."""
        return self.banks is None or (batch.bank_code in self.banks and batch.status in INSTRUCTED)

    def batch(self, batch, batch_id: str):
        """``batch`` (a row or None) when visible; NOT_FOUND, as for no batch at all, otherwise."""
        if batch is None or not self.sees_batch(batch):
            raise NotFound("error.batch.none", batch=batch_id)
        return batch

    def hand_in(self, bank_code: str) -> None:
        """A file handed in as ``bank_code``: only for the caller's own banks."""
        if not self.sees_bank(bank_code):
            raise PermissionDenied("error.file.other_bank", banks=", ".join(sorted(self.banks or ())) or "(none)",
                                   bank=repr(bank_code))

    def report_party(self) -> str | None:
        """The one copy of a report this call gets (the bank's), or None for all three."""
        return BANK_PARTY if self.bank_only else None


EVERY_BANK = Scope()
