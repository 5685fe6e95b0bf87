"""Translation between protobuf messages and the domain's records and database rows."""
from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from domain.model import AccountKind, BatchHeader, PaymentLine
from reports.documents import Document
from reports.text import render
from ykt.v1 import disbursement_pb2 as pb

_KINDS = {
    pb.ACCOUNT_KIND_UNSPECIFIED: AccountKind.CARD,
    pb.ACCOUNT_KIND_CARD: AccountKind.CARD,
    pb.ACCOUNT_KIND_PASSBOOK: AccountKind.PASSBOOK,
    pb.ACCOUNT_KIND_SOCIAL_SECURITY_CARD: AccountKind.SOCIAL_SECURITY_CARD,
}
_KINDS_OUT = {v: k for k, v in _KINDS.items() if k != pb.ACCOUNT_KIND_UNSPECIFIED}


def header_from_pb(h: pb.BatchHeader, submitted_by: str) -> BatchHeader:
    return BatchHeader(
        idempotency_key=h.idempotency_key,
        program=h.program,
        period=h.period,
        region=h.region,
        bank_code=h.bank_code,
        payer_name=h.payer_name,
        payer_account=h.payer_account,
        control_count=h.control_count,
        control_total_fen=h.control_total_fen,
        submitted_by=submitted_by,
        max_amount_fen=h.max_amount_fen or None,
    )


def header_to_pb(h: BatchHeader) -> pb.BatchHeader:
    return pb.BatchHeader(
        idempotency_key=h.idempotency_key, program=h.program, period=h.period, region=h.region,
        bank_code=h.bank_code, payer_name=h.payer_name, payer_account=h.payer_account,
        control_count=h.control_count, control_total_fen=h.control_total_fen,
        max_amount_fen=h.max_amount_fen or 0,
    )


def line_from_pb(m: pb.PaymentLine) -> PaymentLine:
    return PaymentLine(
        seq=m.seq, name=m.name, id_number=m.id_number, account_no=m.account_no,
        amount_fen=m.amount_fen, account_kind=_KINDS.get(m.account_kind, AccountKind.CARD),
        bank_name=m.bank_name, subsidy_item=m.subsidy_item, remark=m.remark, phone=m.phone,
        address=m.address, household_no=m.household_no,
    )


def line_to_pb(ln: PaymentLine) -> pb.PaymentLine:
    return pb.PaymentLine(
        seq=ln.seq, name=ln.name, id_number=ln.id_number, account_no=ln.account_no,
        amount_fen=ln.amount_fen, account_kind=_KINDS_OUT[ln.account_kind], bank_name=ln.bank_name,
        subsidy_item=ln.subsidy_item, remark=ln.remark, phone=ln.phone, address=ln.address,
        household_no=ln.household_no,
    )


def timestamp(moment: datetime | None) -> Timestamp | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite hands back naive datetimes; the service writes UTC
        moment = moment.replace(tzinfo=UTC)
    ts = Timestamp()
    ts.FromDatetime(moment)
    return ts


def batch_to_pb(row, by_status: dict[str, tuple[int, int]] | None = None) -> pb.Batch:
    return pb.Batch(
        batch_id=row.id, program=row.program, period=row.period, region=row.region,
        bank_code=row.bank_code, status=row.status, line_count=row.line_count,
        total_fen=row.total_fen, funded_fen=row.funded_fen, submitted_by=row.submitted_by,
        approved_by=row.approved_by or "", created_at=timestamp(row.created_at),
        funded_at=timestamp(row.funded_at), dispatched_at=timestamp(row.dispatched_at),
        closed_at=timestamp(row.closed_at),
        payment_due=row.payment_due.isoformat() if row.payment_due else "",
        lines_by_status=[
            pb.StatusTotal(status=s, count=n, fen=f) for s, (n, f) in sorted((by_status or {}).items())
        ],
    )


def file_to_pb(row) -> pb.ExchangedFile:
    return pb.ExchangedFile(
        file_id=row.id, direction=row.direction, bank_code=row.bank_code, batch_id=row.batch_id or "",
        name=row.name, remote_path=row.remote_path or "", sha256=row.sha256 or "", size=row.size or 0,
        state=row.state, duplicate_of=row.duplicate_of or 0, attempts=row.attempts,
        last_error=row.last_error or "", line_count=row.line_count or 0,
        created_at=timestamp(row.created_at), updated_at=timestamp(row.updated_at),
    )


def report_to_pb(doc: Document) -> pb.Report:
    return pb.Report(
        kind=doc.kind,
        batch_id=doc.content["batch"]["id"],
        content_json=doc.canonical.decode("utf-8"),
        content_sha256=doc.digest,
        copies=[pb.ReportCopy(party=c.party, label=c.label, content_sha256=c.digest, signature=c.signature)
                for c in doc.copies],
        public_key_pem=doc.public_key_pem,
        text=render(doc),
    )
