"""The gRPC servicer: translates messages and calls the service layer, nothing more.

Errors from the service layer become gRPC status codes; INVALID_ARGUMENT carries a
``google.rpc.BadRequest`` naming each bad field (``lines[17].id_number``).
"""
from __future__ import annotations

import functools
import logging
import tempfile
from pathlib import Path

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from adapter import convert
from ledger import store
from service import batches, closing, dispatch, ingest, reporting
from service.config import ConfigError
from service.context import Context
from service.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidInput,
    NotFound,
    PermissionDenied,
    ServiceError,
    Unavailable,
    Violation,
)
from ykt.v1 import disbursement_pb2 as pb
from ykt.v1 import disbursement_pb2_grpc as pb_grpc

log = logging.getLogger("ykt.grpc")

USER_METADATA = "x-ykt-user"  # who acts; authentication comes with issue 4
_CODES = {
    NotFound: code_pb2.NOT_FOUND,
    AlreadyExists: code_pb2.ALREADY_EXISTS,
    FailedPrecondition: code_pb2.FAILED_PRECONDITION,
    PermissionDenied: code_pb2.PERMISSION_DENIED,
    Unavailable: code_pb2.UNAVAILABLE,
    InvalidInput: code_pb2.INVALID_ARGUMENT,
}


def _status_of(exc: Exception) -> status_pb2.Status:
    if isinstance(exc, InvalidInput):
        bad = error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(field=v.field, description=f"{v.code}: {v.description}")
                for v in exc.violations
            ]
        )
        detail = any_pb2.Any()
        detail.Pack(bad)
        shown = f" (showing {len(exc.violations)})" if exc.total > len(exc.violations) else ""
        return status_pb2.Status(code=code_pb2.INVALID_ARGUMENT, message=f"{exc}{shown}", details=[detail])
    if isinstance(exc, ConfigError):
        return status_pb2.Status(code=code_pb2.INVALID_ARGUMENT, message=str(exc))
    return status_pb2.Status(code=_CODES.get(type(exc), code_pb2.INTERNAL), message=str(exc))


def _rpc(method):
    """Map service errors to gRPC statuses; log and hide anything unexpected."""

    @functools.wraps(method)
    def wrapper(self, request, context):
        try:
            return method(self, request, context)
        except (ServiceError, ConfigError) as exc:
            context.abort_with_status(rpc_status.to_status(_status_of(exc)))
        except Exception:
            log.exception("%s failed", method.__name__)
            context.abort(grpc.StatusCode.INTERNAL, "internal error; see the service log")

    return wrapper


def _user(context) -> str:
    return dict(context.invocation_metadata()).get(USER_METADATA, "")


class DisbursementServicer(pb_grpc.DisbursementServiceServicer):
    def __init__(self, ctx: Context):
        self.ctx = ctx

    @_rpc
    def SubmitBatch(self, request_iterator, context):
        first = next(request_iterator, None)
        if first is None or first.WhichOneof("part") != "header":
            raise InvalidInput("the first message of SubmitBatch must carry the header",
                               [Violation("header", "REQUIRED", "send the header first")])
        header = convert.header_from_pb(first.header, _user(context))

        def lines():
            for msg in request_iterator:
                if msg.WhichOneof("part") != "lines":
                    raise InvalidInput("only line chunks may follow the header",
                                       [Violation("header", "REPEATED", "one header per batch")])
                for line in msg.lines.lines:
                    yield convert.line_from_pb(line)

        outcome = batches.submit(self.ctx, header, lines())
        return pb.SubmitBatchResponse(
            batch_id=outcome.batch_id, replayed=outcome.replayed, line_count=outcome.line_count,
            total_fen=outcome.total_fen,
            warnings=[pb.LineIssue(seq=w.seq, field=w.field, code=w.code, message=w.message)
                      for w in outcome.warnings],
        )

    @_rpc
    def GetBatch(self, request, context):
        row, by_status = batches.get(self.ctx, request.batch_id)
        return convert.batch_to_pb(row, by_status)

    @_rpc
    def ListBatches(self, request, context):
        size = min(request.page_size or 100, 1000)
        with self.ctx.engine.connect() as conn:
            rows = store.list_batches(conn, request.status or None, size, request.page_token or None)
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
        return convert.file_to_pb(dispatch.dispatch(self.ctx, request.batch_id))

    @_rpc
    def IngestResultFile(self, request_iterator, context):
        first = next(request_iterator, None)
        if first is None or first.WhichOneof("part") != "start":
            raise InvalidInput("the first message must name the bank and file",
                               [Violation("start", "REQUIRED", "send start first")])
        start = first.start
        self.ctx.settings.bank(start.bank_code)
        name = Path(start.file_name).name
        if not name:
            raise InvalidInput("file name missing", [Violation("start.file_name", "REQUIRED", "a file name")])
        folder = self.ctx.settings.data_dir / "inbound" / start.bank_code
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix="handed-in-", suffix=f"_{name}", delete=False) as out:
            for msg in request_iterator:
                out.write(msg.data)
        outcome = ingest.ingest_file(self.ctx, start.bank_code, Path(out.name), name)
        return pb.IngestResultFileResponse(
            file=convert.file_to_pb(ingest.get_file(self.ctx, outcome.file_id)),
            booked_lines=outcome.booked_lines, booked_fen=outcome.booked_fen, problems=outcome.problems,
        )

    @_rpc
    def ListFiles(self, request, context):
        with self.ctx.engine.connect() as conn:
            rows = store.list_files(conn, request.batch_id or None, request.bank_code or None,
                                    min(request.page_size or 1000, 10000))
        return pb.ListFilesResponse(files=[convert.file_to_pb(r) for r in rows])

    @_rpc
    def CloseBatch(self, request, context):
        closing.close(self.ctx, request.batch_id, _user(context), allow_unreported=request.allow_unreported)
        return convert.report_to_pb(reporting.refund_report(self.ctx, request.batch_id))

    @_rpc
    def GetReconciliation(self, request, context):
        return convert.report_to_pb(reporting.reconciliation(self.ctx, request.batch_id))

    @_rpc
    def GetRefundReport(self, request, context):
        return convert.report_to_pb(reporting.refund_report(self.ctx, request.batch_id))

    @_rpc
    def GetBalances(self, request, context):
        with self.ctx.engine.connect() as conn:
            rows = store.balances(conn, request.prefix, request.batch_id or None)
        return pb.GetBalancesResponse(balances=[pb.Balance(account=a, balance_fen=b) for a, b in rows])

    @_rpc
    def ListTransactions(self, request, context):
        with self.ctx.engine.connect() as conn:
            rows = store.list_transactions(conn, request.batch_id or None, min(request.page_size or 100, 10000))
        return pb.ListTransactionsResponse(transactions=[
            pb.LedgerTransaction(
                transaction_id=t.id, kind=t.kind, batch_id=t.batch_id or "", file_id=t.file_id or 0,
                memo=t.memo, created_at=convert.timestamp(t.created_at), posting_count=t.posting_count,
                amount_fen=t.debit_fen,
            )
            for t in rows
        ])

