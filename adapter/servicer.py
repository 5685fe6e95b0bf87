"""The gRPC servicer: translates messages and calls the service layer, nothing more.

Errors from the service layer become gRPC status codes; INVALID_ARGUMENT carries a
``google.rpc.BadRequest`` naming each bad field (``lines[17].id_number``), and every refusal of
the catalogue a ``google.rpc.ErrorInfo`` with its stable reason. The message is in the call's
language (``accept-language``, else the ``language`` setting: adapter/language.py); the codes
and details are the same in every language.
"""
from __future__ import annotations

import functools
import logging

import grpc
from google.protobuf import any_pb2
from google.protobuf.message import Message
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

import i18n
from adapter import auth, convert, handed_in, language, line_change_rpc, statement_rpc
from domain import beijing
from domain.postings import bank_of
from i18n.stored import shown
from ledger import store
from observability import logs, metrics
from reports import verification
from service import (
    aggregate,
    batches,
    closing,
    disclosure,
    dispatch,
    ingest,
    monthly,
    reissue,
    reporting,
    retention,
    stoplist,
    submission,
)
from service.config import ConfigError, UnknownBank
from service.context import Context
from service.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidInput,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
    ServiceError,
    Unavailable,
    Violation,
    environmental,
)
from service.scope import INSTRUCTED
from ykt.v1 import disbursement_pb2 as pb
from ykt.v1 import disbursement_pb2_grpc as pb_grpc

log = logging.getLogger("ykt.grpc")

_CODES = {
    NotFound: code_pb2.NOT_FOUND,
    AlreadyExists: code_pb2.ALREADY_EXISTS,
    FailedPrecondition: code_pb2.FAILED_PRECONDITION,
    PermissionDenied: code_pb2.PERMISSION_DENIED,
    Unavailable: code_pb2.UNAVAILABLE,
    ResourceExhausted: code_pb2.RESOURCE_EXHAUSTED,
    InvalidInput: code_pb2.INVALID_ARGUMENT,
}


ERROR_DOMAIN = "ykt.v1"


def error_reason(key: str) -> str:
    """The stable reason a refusal's ``google.rpc.ErrorInfo`` carries for a message of the
    catalogue: ``error.batch.state`` → ``BATCH_STATE`` (the key without ``error.``, upper case)."""
    return key.removeprefix("error.").replace(".", "_").replace("-", "_").upper()


def _error_info(exc: ServiceError) -> list[any_pb2.Any]:
    """An ``ErrorInfo`` naming the refusal by its stable reason, with the message's fields (ids,
    states as codes) as metadata, for a keyed error; none for a plain-text one."""
    if exc.key is None:
        return []
    info = error_details_pb2.ErrorInfo(reason=error_reason(exc.key), domain=ERROR_DOMAIN,
                                       metadata={k: str(v) for k, v in exc.fields.items()})
    detail = any_pb2.Any()
    detail.Pack(info)
    return [detail]


def _status_of(exc: Exception) -> status_pb2.Status:
    """The status for a service error, its message in the call's language (:func:`i18n.current`).
    The details are the same in every language: a ``BadRequest`` (each bad field's path as sent,
    its description led by its code) first, then an ``ErrorInfo`` with the refusal's reason."""
    if isinstance(exc, InvalidInput):
        chinese = i18n.current() == "zh"
        bad = error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(
                    field=v.field,
                    description=f"{v.code}: {i18n.problem(v.field, v.code) if chinese else v.description}")
                for v in exc.violations
            ]
        )
        detail = any_pb2.Any()
        detail.Pack(bad)
        message = exc.said()
        if exc.total > len(exc.violations):
            message = i18n.say("error.showing", message=message, shown=len(exc.violations))
        return status_pb2.Status(code=code_pb2.INVALID_ARGUMENT, message=message, details=[detail, *_error_info(exc)])
    if isinstance(exc, UnknownBank):  # a request naming a bank the settings do not have
        said = ServiceError("error.bank.unknown", bank=repr(exc.code), known=exc.known)
        return status_pb2.Status(code=code_pb2.INVALID_ARGUMENT, message=said.said(), details=_error_info(said))
    if isinstance(exc, ConfigError):
        return status_pb2.Status(code=code_pb2.INVALID_ARGUMENT, message=str(exc))
    return status_pb2.Status(code=_CODES.get(type(exc), code_pb2.INTERNAL), message=exc.said(),
                             details=_error_info(exc))


def _rpc(method):
    """Map service errors to gRPC statuses; log and hide anything unexpected. The call's request
    id (the caller's ``x-request-id``, or a new one) is on every log record meanwhile and goes
    back in the trailing metadata (observability/logs.py)."""

    @functools.wraps(method)
    def wrapper(self, request, context):
        # set by logs.RequestIdInterceptor in the server; read here when the servicer runs without it
        request_id = logs.REQUEST_ID.get() or logs.request_id_from(context.invocation_metadata())
        echo = ((logs.HEADER, request_id),)
        context.set_trailing_metadata(echo)
        spoken = i18n.use(language.of_call(context.invocation_metadata(), self.ctx.settings.language))
        with logs.request_scope(request_id):
            try:
                if isinstance(request, Message):  # a unary call: every string within its cap (convert.TEXT_CAPS)
                    convert.check_sizes(request)
                return method(self, request, context)
            except (ServiceError, ConfigError) as exc:
                _abort(context, _status_of(exc), echo)
            except Exception as exc:
                known = environmental(exc)
                if known is not None:  # a full disk, a read-only folder, a lost connection: say so
                    log.warning("%s failed: %s", method.__name__, known)
                    _abort(context, _status_of(known), echo)
                log.exception("%s failed", method.__name__)
                context.abort(grpc.StatusCode.INTERNAL, i18n.say("error.internal"))
            finally:
                i18n.reset(spoken)

    return wrapper


def _abort(context, status: status_pb2.Status, echo) -> None:
    """Abort with ``status``, its details and the request id in the trailing metadata."""
    found = rpc_status.to_status(status)
    context.abort_with_status(found._replace(trailing_metadata=(*found.trailing_metadata, *echo)))


def _user(context) -> str:
    """Who acts: the user :mod:`adapter.auth` authenticated for this call (a verified client
    certificate or bearer token), recorded as submitter, approver, funder... The one place the
    servicer reads an identity; nothing in the request can name it."""
    return auth.identity_of(context).user


def _scope(context):
    """What the call may see: a bank's user only its own banks' data (service/scope.py)."""
    return auth.scope_of(context)


class DisbursementServicer(pb_grpc.DisbursementServiceServicer):
    def __init__(self, ctx: Context):
        self.ctx = ctx

    @_rpc
    def SubmitBatch(self, request_iterator, context):
        try:
            first = next(request_iterator, None)
        except grpc.RpcError:  # cancelled before the header was read
            return self._cancelled()
        if first is None and not context.is_active():  # gRPC may hand a cancel over as the stream's end
            return self._cancelled()
        if first is None or first.WhichOneof("part") != "header":
            raise InvalidInput("error.batch.first_message",
                               [Violation("header", "REQUIRED", "send the header first")])
        header = convert.header_from_pb(first.header, _user(context))
        totals: list[submission.Totals] = []  # the totals sent after the lines, if any

        def lines():
            for msg in request_iterator:
                part = msg.WhichOneof("part")
                if part == "header":
                    raise InvalidInput("error.batch.header_repeated",
                                       [Violation("header", "REPEATED", "one header per batch")])
                if totals or part != "lines" and (part != "totals" or header.control_count
                                                  or header.control_total_fen):
                    raise InvalidInput("error.batch.totals_last",
                                       [Violation("totals", "OUT_OF_PLACE",
                                                  "the totals follow the lines, last, and only when the header's are 0")])
                if part == "totals":
                    totals.append(submission.Totals(msg.totals.control_count, msg.totals.control_total_fen))
                    continue
                for line in msg.lines.lines:
                    yield convert.line_from_pb(line)

        try:
            with metrics.timed() as took:
                outcome = submission.submit(self.ctx, header, lines(), lambda: totals[0] if totals else None)
        except grpc.RpcError:  # raised by the request iterator: the client cancelled or went away
            return self._cancelled()
        metrics.submitted(outcome, took[0])
        return convert.outcome_to_pb(outcome)

    @staticmethod
    def _cancelled() -> pb.SubmitBatchResponse:
        """A stream the client cancelled (routine: ykt batch submit cancels at a wrong row) or
        went away from: nothing was stored (the batch's transaction rolled back, or never began).
        The request stream raises only then (the service calls no other RPC), though gRPC may
        still call the context active for a moment after."""
        log.info("SubmitBatch: the client cancelled the stream; nothing was stored")
        return pb.SubmitBatchResponse()  # never sent: the call is over

    @_rpc
    def GetBatch(self, request, context):
        row, by_status = batches.get(self.ctx, request.batch_id, _scope(context))
        return convert.batch_to_pb(row, by_status)

    @_rpc
    def ListBatches(self, request, context):
        size = convert.page_size(request.page_size)
        scope = _scope(context)
        with self.ctx.engine.connect() as conn:
            rows = store.list_batches(conn, request.status or None, size, request.page_token or None,
                                      banks=scope.banks, statuses=INSTRUCTED if scope.bank_only else None)
        return pb.ListBatchesResponse(
            batches=[convert.batch_to_pb(r) for r in rows],
            next_page_token=rows[-1].id if len(rows) == size else "",
        )

    @_rpc
    def ApproveBatch(self, request, context):
        return convert.batch_to_pb(batches.approve(self.ctx, request.batch_id, _user(context)))

    @_rpc
    def FundBatch(self, request, context):
        return convert.batch_to_pb(batches.fund(self.ctx, request.batch_id, request.amount_fen, _user(context)))

    @_rpc
    def DispatchBatch(self, request, context):
        return convert.file_to_pb(dispatch.dispatch(self.ctx, request.batch_id, _user(context)))

    @_rpc
    def IngestResultFile(self, request_iterator, context):
        f = handed_in.spool(self.ctx, request_iterator, _scope(context))
        with metrics.timed() as took:
            outcome = ingest.ingest_file(self.ctx, f.bank_code, f.path, f.name, actor=_user(context),
                                         signature=f.signature)
        metrics.booked(f.bank_code, outcome, took[0])
        retention.after_taking(self.ctx, f.bank_code, outcome.state, f.path, f.signature)
        return pb.IngestResultFileResponse(
            file=convert.file_to_pb(ingest.get_file(self.ctx, outcome.file_id)),
            booked_lines=outcome.booked_lines, booked_fen=outcome.booked_fen,
            problems=[shown(p) for p in outcome.problems],
        )

    @_rpc
    def ListFiles(self, request, context):
        size = convert.page_size(request.page_size)
        with self.ctx.engine.connect() as conn:
            rows = store.list_files(conn, request.batch_id or None, request.bank_code or None, size,
                                    state=request.state or None, after_id=request.after_file_id,
                                    banks=_scope(context).banks)
        return pb.ListFilesResponse(files=[convert.file_to_pb(r) for r in rows],
                                    next_after_file_id=rows[-1].id if len(rows) == size else 0)

    @_rpc
    def RegenerateFile(self, request, context):
        return convert.file_to_pb(dispatch.regenerate(self.ctx, request.file_id, request.reason, _user(context)))

    @_rpc
    def MarkFileDelivered(self, request, context):
        return convert.file_to_pb(dispatch.mark_delivered(self.ctx, request.file_id, request.reason, _user(context)))

    @_rpc
    def ListLines(self, request, context):
        size = convert.page_size(request.page_size)
        rows = batches.lines_in(self.ctx, request.batch_id, request.status, request.after_seq, size)
        return pb.ListLinesResponse(lines=[convert.line_row_to_pb(r) for r in rows])

    @_rpc
    def ReissueLines(self, request, context):
        corrected = [convert.line_from_pb(m) for m in request.lines]
        return line_change_rpc.reissued_to_pb(reissue.reissue(self.ctx, request.batch_id, corrected, _user(context)))

    @_rpc
    def ApproveLineChanges(self, request, context):
        return line_change_rpc.reissued_to_pb(reissue.approve_change(
            self.ctx, request.batch_id, request.change_id, _user(context)))

    @_rpc
    def RefuseLineChanges(self, request, context):
        return line_change_rpc.change_to_pb(reissue.refuse_change(
            self.ctx, request.batch_id, request.change_id, request.reason, _user(context)))

    @_rpc
    def ListLineChanges(self, request, context):
        return pb.ListLineChangesResponse(changes=[
            line_change_rpc.change_to_pb(r) for r in reissue.list_changes(self.ctx, request.batch_id, request.state)])

    @_rpc
    def AllowReissue(self, request, context):
        return convert.batch_to_pb(reissue.allow_reissue(
            self.ctx, request.batch_id, list(request.seqs), request.reason, _user(context)))

    @_rpc
    def ListExceptions(self, request, context):
        size = convert.page_size(request.page_size)
        rows, token = ingest.exceptions(self.ctx, request.batch_id, request.bank_code, request.page_token, size)
        return pb.ListExceptionsResponse(exceptions=[convert.exception_to_pb(r) for r in rows], next_page_token=token)

    @_rpc
    def GiveUpLines(self, request, context):
        return convert.batch_to_pb(reissue.give_up(
            self.ctx, request.batch_id, list(request.seqs), request.reason, _user(context)))

    @_rpc
    def CloseBatch(self, request, context):
        closing.close(self.ctx, request.batch_id, _user(context), allow_unreported=request.allow_unreported)
        return convert.report_to_pb(reporting.refund_report(self.ctx, request.batch_id))

    @_rpc
    def GetReconciliation(self, request, context):
        batches.get(self.ctx, request.batch_id, _scope(context))  # NOT_FOUND: another bank's, or none
        return line_change_rpc.report_for(reporting.reconciliation(self.ctx, request.batch_id), _scope(context))

    @_rpc
    def GetRefundReport(self, request, context):
        batches.get(self.ctx, request.batch_id, _scope(context))
        return line_change_rpc.report_for(reporting.refund_report(self.ctx, request.batch_id), _scope(context))

    @_rpc
    def GetAggregateReconciliation(self, request, context):
        return convert.report_to_pb(aggregate.aggregate_reconciliation(
            self.ctx, request.program, request.period, request.region))

    @_rpc
    def GetMonthlyReport(self, request, context):
        return convert.report_to_pb(monthly.monthly_report(self.ctx, request.program, request.region, request.month))

    @_rpc
    def VerifyReportCopy(self, request, context):
        verdict = verification.verify(request.content, reporting.public_keys(self.ctx), request.party,
                                      request.content_sha256, request.signature)
        return convert.verdict_to_pb(verdict)

    @_rpc
    def GetBalances(self, request, context):
        scope = _scope(context)
        if request.batch_id:
            batches.get(self.ctx, request.batch_id, scope)
        with self.ctx.engine.connect() as conn:
            rows = store.balances(conn, request.prefix, request.batch_id or None)
        if scope.bank_only:  # a bank sees its own accounts only
            rows = [(a, b) for a, b in rows if bank_of(a) is not None and scope.sees_bank(bank_of(a))]
        return pb.GetBalancesResponse(balances=[pb.Balance(account=a, balance_fen=b) for a, b in rows])

    @_rpc
    def ListTransactions(self, request, context):
        scope = _scope(context)
        if request.batch_id:
            batches.get(self.ctx, request.batch_id, scope)
        with self.ctx.engine.connect() as conn:
            rows = store.list_transactions(conn, request.batch_id or None, convert.page_size(request.page_size),
                                           banks=scope.banks)
        return pb.ListTransactionsResponse(transactions=[
            pb.LedgerTransaction(
                transaction_id=t.id, kind=t.kind, batch_id=t.batch_id or "", file_id=t.file_id or 0,
                memo=t.memo, created_at=convert.timestamp(t.created_at), posting_count=t.posting_count,
                amount_fen=t.debit_fen,
            )
            for t in rows
        ])

    @_rpc
    def ListLineIssues(self, request, context):
        size = convert.page_size(request.page_size)
        rows = submission.get_issues(self.ctx, request.batch_id, open_only=request.open_only,
                                     after_id=request.after_issue_id, limit=size)
        return pb.ListLineIssuesResponse(issues=[convert.issue_row_to_pb(r) for r in rows],
                                         next_after_issue_id=rows[-1].id if len(rows) == size else 0)

    @_rpc
    def CorrectLines(self, request, context):
        corrected = [convert.line_from_pb(m) for m in request.lines]
        return convert.outcome_to_pb(submission.correct_lines(self.ctx, request.batch_id, corrected, _user(context)))

    @_rpc
    def RemoveLines(self, request, context):
        return convert.outcome_to_pb(submission.remove_lines(
            self.ctx, request.batch_id, list(request.seqs), request.reason, _user(context)))

    @_rpc
    def ReleaseLines(self, request, context):
        return convert.outcome_to_pb(submission.release_lines(
            self.ctx, request.batch_id, list(request.seqs), request.reason, _user(context)))

    @_rpc
    def GetAuditTrail(self, request, context):
        batches.get(self.ctx, request.batch_id)  # NOT_FOUND for an unknown batch
        with self.ctx.engine.connect() as conn:
            events = store.audit_trail(conn, request.batch_id)
        return pb.GetAuditTrailResponse(events=[convert.audit_to_pb(e) for e in events])

    @_rpc
    def AddStopEntries(self, request, context):
        entries = stoplist.add_entries(self.ctx, [
            stoplist.StopRequest(e.id_number, e.kind, e.effective_from, e.effective_until, e.source, e.note)
            for e in request.entries
        ], _user(context))
        return pb.AddStopEntriesResponse(entries=[convert.stop_entry_to_pb(e) for e in entries])

    @_rpc
    def QueryStopList(self, request, context):
        rows = stoplist.query(self.ctx, request.id_number, request.active_on)
        return pb.QueryStopListResponse(entries=[convert.stop_entry_to_pb(e) for e in rows])

    @_rpc
    def RevokeStopEntry(self, request, context):
        return convert.stop_entry_to_pb(stoplist.revoke(self.ctx, request.entry_id, request.reason, _user(context)))

    @_rpc
    def ListRecoveries(self, request, context):
        found = stoplist.recoveries(self.ctx, convert.page_size(request.page_size), _scope(context).banks)
        return pb.ListRecoveriesResponse(recoveries=[convert.recovery_to_pb(r) for r in found],
                                         total_fen=sum(r.amount_fen for r in found))

    @_rpc
    def IngestStatementFile(self, request_iterator, context):
        return statement_rpc.ingest(self.ctx, request_iterator, _user(context), _scope(context))

    @_rpc
    def ListStatementFiles(self, request, context):
        return statement_rpc.list_files(self.ctx, request)

    @_rpc
    def GetStatementReconciliation(self, request, context):
        return statement_rpc.reconciliation(self.ctx, request)

    @_rpc
    def GetDisclosureList(self, request, context):
        batch, items = disclosure.page(self.ctx, request.batch_id, request.after_seq,
                                       convert.page_size(request.page_size))
        size = convert.page_size(request.page_size)
        return pb.DisclosureList(
            batch_id=batch.id, program=batch.program, period=batch.period, region=batch.region,
            items=[pb.DisclosureItem(seq=i.seq, name=i.name, id_number=i.id_masked, program=batch.program,
                                     amount_fen=i.amount_fen, paid_on=beijing.day_of(i.paid_at).isoformat())
                   for i in items],
            next_after_seq=items[-1].seq if len(items) == size else 0,
        )
