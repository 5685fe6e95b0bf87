"""Translation between protobuf messages and the domain's records and database rows, and the
limits every request meets before anything reads it (issue 14 item 8).

Limits: every string field of a request has a length cap (:data:`TEXT_CAPS`, else
:data:`TEXT_CAP` characters), far above what the rules allow (a name has at most 20
characters, a remark 140), so that no value is ever parsed, converted or stored at any length:
:func:`check_sizes` walks a request, :func:`line_from_pb` and :func:`header_from_pb` check the
roster's fields as they stream in. Too long is ``INVALID_ARGUMENT`` ``TOO_LONG`` naming the
field (``lines[17].id_number``); the request changes nothing. A page holds 1 to
:data:`MAX_PAGE` items, :data:`DEFAULT_PAGE` when the request says 0 (:func:`page_size`).
"""
from __future__ import annotations

import json
from datetime import datetime

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

import i18n
from adapter.reading_report_pb import reading_to_pb
from domain import beijing
from domain.booking import Disposition
from domain.masking import mask_name
from domain.model import AccountKind, BatchHeader, FailureReason, PaymentLine
from domain.reasons import follow_up
from i18n.stored import shown
from reports.documents import Copy, Document
from reports.text import render
from reports.verification import Verdict
from service.errors import InvalidInput, Violation
from ykt.v1 import disbursement_pb2 as pb

# --- limits ------------------------------------------------------------------------------------

TOO_LONG = "TOO_LONG"
OUT_OF_RANGE = "OUT_OF_RANGE"
TEXT_CAP = 1024  # characters of a string field not in TEXT_CAPS
# Caps by field name (the same name means the same thing in every message): identifiers and
# numbers 64, a few short codes less, free texts TEXT_CAP, reasons and notes 2,000.
TEXT_CAPS = {
    "batch_id": 64, "bank_code": 64, "status": 32, "state": 32, "page_token": 256, "idempotency_key": 256,
    "program": 256, "period": 64, "region": 64, "month": 32, "payer_name": 512, "payer_account": 64,
    "name": 64, "id_number": 64, "account_no": 64, "phone": 64, "household_no": 64, "account": 64,
    "kind": 32, "effective_from": 32, "effective_until": 32, "active_on": 32, "from_date": 32, "to_date": 32,
    "party": 64, "content_sha256": 128, "prefix": 256, "file_name": 255, "reason": 2000, "note": 2000,
}
SIGNATURE_CAP = 64 * 1024  # bytes of a handed-in file's detached signature
DEFAULT_PAGE, MAX_PAGE = 100, 1000


def _too_long(field: str, size: int, cap: int, unit: str = "characters") -> Violation:
    return Violation(field, TOO_LONG, f"{field}: {size} {unit}, at most {cap}")


def check_sizes(msg: Message, prefix: str = "") -> None:
    """Refuse a request holding a string longer than its cap (every such field named, at most
    20); nothing of it has been read yet."""
    bad: list[Violation] = []
    _walk_sizes(msg, prefix, bad)
    if bad:
        raise InvalidInput("error.request.too_long", bad[:20], total=len(bad), count=len(bad))


def _walk_sizes(msg: Message, prefix: str, bad: list[Violation]) -> None:
    for fd, value in msg.ListFields():
        name = f"{prefix}{fd.name}"
        if fd.message_type is not None:
            if fd.is_repeated:
                if fd.message_type.GetOptions().map_entry:
                    continue  # no maps in requests
                for i, item in enumerate(value):
                    _walk_sizes(item, f"{name}[{i}].", bad)
            else:
                _walk_sizes(value, f"{name}.", bad)
        elif fd.type == fd.TYPE_STRING:
            cap = TEXT_CAPS.get(fd.name, TEXT_CAP)
            for i, text in enumerate(value if fd.is_repeated else (value,)):
                if len(text) > cap:
                    bad.append(_too_long(f"{name}[{i}]" if fd.is_repeated else name, len(text), cap))


def page_size(requested: int) -> int:
    """The page a List call returns: ``requested`` items (1 to MAX_PAGE), DEFAULT_PAGE for 0."""
    if requested == 0:
        return DEFAULT_PAGE
    if not 1 <= requested <= MAX_PAGE:
        raise InvalidInput("error.request.page_size",
                           [Violation("page_size", OUT_OF_RANGE,
                                      f"page_size: {requested} is not 1 to {MAX_PAGE:,} (0: {DEFAULT_PAGE})")],
                           most=f"{MAX_PAGE:,}", default=DEFAULT_PAGE)
    return requested


_KINDS = {
    pb.ACCOUNT_KIND_UNSPECIFIED: AccountKind.CARD,
    pb.ACCOUNT_KIND_CARD: AccountKind.CARD,
    pb.ACCOUNT_KIND_PASSBOOK: AccountKind.PASSBOOK,
    pb.ACCOUNT_KIND_SOCIAL_SECURITY_CARD: AccountKind.SOCIAL_SECURITY_CARD,
}
_KINDS_OUT = {v: k for k, v in _KINDS.items() if k != pb.ACCOUNT_KIND_UNSPECIFIED}


def header_from_pb(h: pb.BatchHeader, submitted_by: str) -> BatchHeader:
    check_sizes(h, "header.")
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


_NUMBER_CAP = TEXT_CAPS["id_number"]  # name, id_number, account_no, phone, household_no: 64 each
assert all(TEXT_CAPS[f] == _NUMBER_CAP for f in ("name", "id_number", "account_no", "phone", "household_no"))


def line_from_pb(m: pb.PaymentLine) -> PaymentLine:
    """The line of a request, refused (TOO_LONG, the whole request) when a text is over its cap."""
    name, id_number, account_no, phone, household_no = m.name, m.id_number, m.account_no, m.phone, m.household_no
    bank_name, subsidy_item, remark, address = m.bank_name, m.subsidy_item, m.remark, m.address
    if (len(name) > _NUMBER_CAP or len(id_number) > _NUMBER_CAP or len(account_no) > _NUMBER_CAP
            or len(phone) > _NUMBER_CAP or len(household_no) > _NUMBER_CAP or len(bank_name) > TEXT_CAP
            or len(subsidy_item) > TEXT_CAP or len(remark) > TEXT_CAP or len(address) > TEXT_CAP):
        check_sizes(m, f"lines[{m.seq}].")
    return PaymentLine(
        seq=m.seq, name=name, id_number=id_number, account_no=account_no,
        amount_fen=m.amount_fen,
        # an unknown kind is kept as sent and rejected by the line checks (ACCOUNT_KIND)
        account_kind=_KINDS.get(m.account_kind, f"ACCOUNT_KIND_{m.account_kind}"),
        bank_name=bank_name, subsidy_item=subsidy_item, remark=remark, phone=phone,
        address=address, household_no=household_no,
    )


def line_to_pb(ln: PaymentLine) -> pb.PaymentLine:
    return pb.PaymentLine(**line_fields(ln))


def line_fields(ln: PaymentLine) -> dict[str, object]:
    """A line's fields as the RPC's PaymentLine takes them; ``chunk.lines.add(**line_fields(ln))``
    fills a chunk in place (a PaymentLine made first is copied into it)."""
    return dict(
        seq=ln.seq, name=ln.name, id_number=ln.id_number, account_no=ln.account_no,
        amount_fen=ln.amount_fen, account_kind=_KINDS_OUT[ln.account_kind], bank_name=ln.bank_name,
        subsidy_item=ln.subsidy_item, remark=ln.remark, phone=ln.phone, address=ln.address,
        household_no=ln.household_no,
    )


def timestamp(moment: datetime | None) -> Timestamp | None:
    if moment is None:
        return None
    ts = Timestamp()
    ts.FromDatetime(beijing.aware(moment))
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


def exception_to_pb(row) -> pb.BankException:
    kind = Disposition(row.disposition)
    return pb.BankException(
        file_id=row.file_id, file_name=row.file_name, record=row.ordinal + 1, batch_id=row.batch_id, seq=row.seq,
        outcome=row.outcome, amount_fen=row.amount_fen, bank_ref=row.bank_ref or "", kind=kind.value,
        label=i18n.name("disposition", kind.value), detail=shown(row.detail), due_back_fen=row.due_fen, bank_code=row.bank_code,
        received_at=timestamp(row.received_at),
    )


def file_to_pb(row) -> pb.ExchangedFile:
    """A ``files`` row; with ``lease_owner``/``lease_until`` when listed with its unit's lease."""
    return pb.ExchangedFile(
        file_id=row.id, direction=row.direction, bank_code=row.bank_code, batch_id=row.batch_id or "",
        name=row.name, remote_path=row.remote_path or "", sha256=row.sha256 or "", size=row.size or 0,
        state=row.state, duplicate_of=row.duplicate_of or 0, attempts=row.attempts,
        last_error=shown(row.last_error), line_count=row.line_count or 0,
        created_at=timestamp(row.created_at), updated_at=timestamp(row.updated_at),
        next_attempt_at=timestamp(row.next_attempt_at), delivered_at=timestamp(row.delivered_at),
        delivered_by=row.delivered_by or "", acknowledged_at=timestamp(row.acknowledged_at),
        rendered_at=timestamp(row.rendered_at), handled_by=row.handled_by or "", fence=row.fence or 0,
        lease_owner=getattr(row, "lease_owner", None) or "",
        lease_until=timestamp(getattr(row, "lease_until", None)),
        claimed_batch_id=row.claimed_batch_id or "", archived_at=timestamp(row.archived_at),
        message_id=row.message_id or "", reading_report=reading_to_pb(getattr(row, "reading_report", None)),
        part_of=getattr(row, "part_of", None) or 0,
    )


def report_to_pb(doc: Document) -> pb.Report:
    return pb.Report(
        kind=doc.kind,
        batch_id=doc.content.get("batch", {}).get("id", ""),
        content_json=doc.canonical.decode("utf-8"),
        content_sha256=doc.digest,
        copies=[pb.ReportCopy(party=c.party, label=c.label, content_sha256=c.digest, signature=c.signature)
                for c in doc.copies],
        public_key_pem=doc.public_key_pem,
        text=render(doc),
    )


def document_from_pb(report: pb.Report) -> Document:
    """The issued document a Report message carries, for exporting it where it was fetched."""
    return Document(report.kind, json.loads(report.content_json), report.content_json.encode("utf-8"),
                    report.content_sha256,
                    tuple(Copy(c.party, c.label, c.content_sha256, c.signature) for c in report.copies),
                    report.public_key_pem)


def verdict_to_pb(v: Verdict) -> pb.VerifyReportCopyResponse:
    return pb.VerifyReportCopyResponse(
        valid=v.valid, computed_sha256=v.computed_sha256, kind=v.kind, problems=list(v.problems),
        copies=[pb.CopyVerdict(party=c.party, valid=c.valid, problems=list(c.problems)) for c in v.copies],
    )


def _day(d) -> str:
    return d.isoformat() if d is not None else ""


def issue_message(i) -> str:
    """A roster line's problem for people, in the call's language: in English the checker's own
    sentence (the line, the field and the detail, e.g. the expected check character); in Chinese
    the line, the field's name, what its code means, and the other line it points at."""
    if i18n.current() != "zh":
        return i.message
    text = i18n.problem(f"lines[{i.seq}].{i.field}" if i.seq else i.field, i.code)
    if i.other_seq and i.other_batch_id:
        text += i18n.say("where.other_batch_line", batch=i.other_batch_id, seq=i.other_seq)
    elif i.other_seq:
        text += i18n.say("where.other_line", seq=i.other_seq)
    return text


def issue_to_pb(i, *, issue_id: int = 0, open_: bool = True) -> pb.LineIssue:
    return pb.LineIssue(seq=i.seq, field=i.field, code=i.code, message=issue_message(i), severity=i.severity,
                        other_batch_id=i.other_batch_id or "", other_seq=i.other_seq or 0,
                        open=open_, issue_id=issue_id)


def line_row_to_pb(r) -> pb.LineView:
    reason = FailureReason(r.reason) if r.reason else None
    return pb.LineView(
        seq=r.seq, status=r.status, amount_fen=r.amount_fen, name_masked=mask_name(r.name),
        id_number_masked=r.id_masked or "", account_no_masked=r.account_masked or "",
        reason=r.reason or "", follow_up=follow_up(reason).value if reason else "",
        bank_reason=" ".join(filter(None, [r.bank_reason_code, r.bank_reason_text])),
    )


def issue_row_to_pb(r) -> pb.LineIssue:
    return issue_to_pb(r, issue_id=r.id, open_=bool(r.open))


def outcome_to_pb(o) -> pb.SubmitBatchResponse:
    t = o.tally
    return pb.SubmitBatchResponse(
        batch_id=o.batch_id, replayed=o.replayed, line_count=o.line_count, total_fen=o.total_fen,
        status=o.status, accepted_count=t.accepted, rejected_count=t.rejected, held_count=t.held,
        issues=[issue_to_pb(i) for i in t.issues], issue_count=t.issue_count,
    )


def stop_entry_to_pb(e) -> pb.StopEntry:
    return pb.StopEntry(
        entry_id=e.id, id_number=e.id_masked, kind=e.kind, effective_from=_day(e.effective_from),
        effective_until=_day(e.effective_until), source=e.source, note=e.note, created_by=e.created_by,
        created_at=timestamp(e.created_at), revoked_by=e.revoked_by or "", revoked_at=timestamp(e.revoked_at),
    )


def recovery_to_pb(r) -> pb.Recovery:
    return pb.Recovery(batch_id=r.batch_id, seq=r.seq, name=r.name, id_number=r.id_masked,
                       account_no=r.account_masked, amount_fen=r.amount_fen, paid_on=_day(r.paid_on),
                       stop=stop_entry_to_pb(r.stop))


def audit_to_pb(e) -> pb.AuditEvent:
    return pb.AuditEvent(at=timestamp(e.at), actor=e.actor, action=e.action, batch_id=e.batch_id or "",
                         seq=e.seq or 0, detail=shown(e.detail))
