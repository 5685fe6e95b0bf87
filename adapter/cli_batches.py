"""``ykt batch``: what the department and finance do with a whole batch.

::

    ykt batch list [--status S]                  every batch the user may see, newest last
    ykt batch show BATCH                         one batch: its figures and lines by status
    ykt batch approve BATCH                      a second person approves it (APPROVER)
    ykt batch fund BATCH [--amount YUAN]         finance moves the money (default: the batch total)
    ykt batch dispatch BATCH                     the payment file to the bank now (the worker also does it)
    ykt batch close BATCH [--allow-unreported]   refund the surplus and close; prints the report
    ykt batch submit FILE / ykt batch template   rosters (adapter/roster_cli.py)

Each subcommand sets ``run``; :mod:`adapter.cli` calls it with the parsed arguments and its
client factory, and turns a refused call into its exit code (:mod:`adapter.cli_errors`).
"""
from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from adapter.cli_output import amount, emit, emit_json, pages, say, table, to_data, when

BATCH_STATUSES = ("NEEDS_CORRECTION", "SUBMITTED", "APPROVED", "FUNDED", "DISPATCHED", "RESULTS_COMPLETE", "CLOSED")


def add_parsers(sub, server_flags: Callable[[argparse.ArgumentParser], None],
                json_flag: Callable[[argparse.ArgumentParser], None]) -> None:
    """The ``batch`` group: ``sub`` is the CLI's subparsers."""
    group = sub.add_parser("batch", help=say("cli.help.batch"))
    batch = group.add_subparsers(dest="batch_action", required=True, metavar="ACTION")

    p = batch.add_parser("list", help=say("cli.help.batch.list"))
    p.add_argument("--status", type=str.upper, choices=BATCH_STATUSES, help=say("cli.help.batch.status"))
    server_flags(p), json_flag(p)
    p.set_defaults(run=list_batches)

    p = batch.add_parser("show", help=say("cli.help.batch.show"))
    p.add_argument("batch_id")
    server_flags(p), json_flag(p)
    p.set_defaults(run=show_batch)

    p = batch.add_parser("approve", help=say("cli.help.batch.approve"))
    p.add_argument("batch_id")
    server_flags(p), json_flag(p)
    p.set_defaults(run=approve_batch)

    p = batch.add_parser("fund", help=say("cli.help.batch.fund"))
    p.add_argument("batch_id")
    p.add_argument("--amount", type=fen_of, help=say("cli.help.batch.amount"))
    server_flags(p), json_flag(p)
    p.set_defaults(run=fund_batch)

    p = batch.add_parser("dispatch", help=say("cli.help.batch.dispatch"))
    p.add_argument("batch_id")
    server_flags(p), json_flag(p)
    p.set_defaults(run=dispatch_batch)

    p = batch.add_parser("close", help=say("cli.help.batch.close"))
    p.add_argument("batch_id")
    p.add_argument("--allow-unreported", action="store_true",
                   help=say("cli.help.batch.allow_unreported"))
    server_flags(p), json_flag(p)
    p.set_defaults(run=close_batch)

    _rosters(batch, server_flags)


def _rosters(batch, server_flags) -> None:
    """``batch template`` and ``batch submit``, written by the roster module (issue 16 item 2);
    the CLI works without them while it is not there."""
    try:
        from adapter import roster_cli
    except ImportError:
        return
    roster_cli.add_parsers(batch, server_flags)
    for name in ("template", "submit"):
        if name in batch.choices:
            batch.choices[name].set_defaults(run=lambda args, client: roster_cli.run(args, client))


def fen_of(text: str) -> int:
    """``"12,345.6"`` yuan → 1234560 fen, exactly (Decimal, never float); more than two decimals
    or anything not a number is refused at the command line."""
    try:
        value = Decimal(text.replace(",", "").strip())
    except InvalidOperation:
        raise argparse.ArgumentTypeError(say("cli.amount.bad", text=text)) from None
    fen = value * 100
    if not value.is_finite() or fen != fen.to_integral_value() or value <= 0:
        raise argparse.ArgumentTypeError(say("cli.amount.bad", text=text))
    return int(fen)


def list_batches(args, client) -> int:
    from ykt.v1 import disbursement_pb2 as pb

    c = client(args)

    def fetch(token):
        page = c.call("ListBatches", pb.ListBatchesRequest(status=args.status or "", page_size=1000,
                                                           page_token=token or ""), timeout=120)
        return page.batches, page.next_page_token

    found = [b for part in pages(fetch) for b in part]
    if args.json:
        emit_json([to_data(b) for b in found])
        return 0
    if not found:
        emit(say("cli.batch.none"))
        return 0
    emit(table([say("cli.col.batch"), say("cli.col.status"), say("cli.col.program"), say("cli.col.period"),
                say("cli.col.region"), say("cli.col.bank"), say("cli.col.lines"), say("cli.col.total_yuan"),
                say("cli.col.funded_yuan"), say("cli.col.created")],
               ([b.batch_id, _status(b.status), b.program, b.period, b.region, b.bank_code, f"{b.line_count:,}",
                 amount(b.total_fen), amount(b.funded_fen), when(b, "created_at")] for b in found),
               right=(6, 7, 8)))
    emit(say("cli.batch.count", n=len(found), total=amount(sum(b.total_fen for b in found))))
    return 0


def show_batch(args, client) -> int:
    from ykt.v1 import disbursement_pb2 as pb

    batch = client(args).call("GetBatch", pb.GetBatchRequest(batch_id=args.batch_id), timeout=60)
    return _print_batch(args, batch)


def _print_batch(args, batch, headline: str | None = None) -> int:
    if args.json:
        emit_json(to_data(batch))
        return 0
    if headline:
        emit(headline)
    emit(format_batch(batch))
    return 0


def format_batch(b) -> str:
    """One batch for people: its figures as label/value pairs, then its lines by status."""
    pairs = [("cli.col.batch", b.batch_id), ("cli.col.status", _status(b.status)), ("cli.col.program", b.program),
             ("cli.col.period", b.period), ("cli.col.region", b.region), ("cli.col.bank", b.bank_code),
             ("cli.col.lines", f"{b.line_count:,}"), ("cli.col.total_yuan", amount(b.total_fen)),
             ("cli.col.funded_yuan", amount(b.funded_fen)), ("cli.col.submitted_by", b.submitted_by),
             ("cli.col.approved_by", b.approved_by), ("cli.col.payment_due", b.payment_due),
             ("cli.col.created", when(b, "created_at")), ("cli.col.funded_at", when(b, "funded_at")),
             ("cli.col.dispatched_at", when(b, "dispatched_at")), ("cli.col.closed_at", when(b, "closed_at"))]
    shown = [(say(key), value) for key, value in pairs if value]
    width = max(_width(label) for label, _ in shown)
    out = [label + " " * (width - _width(label)) + "  " + str(value) for label, value in shown]
    if b.lines_by_status:
        out.append("")
        out.append(table([say("cli.col.line_status"), say("cli.col.lines"), say("cli.col.amount_yuan")],
                         ([_line_status(t.status), f"{t.count:,}", amount(t.fen)] for t in b.lines_by_status),
                         right=(1, 2)))
    return "\n".join(out)


def approve_batch(args, client) -> int:
    from ykt.v1 import disbursement_pb2 as pb

    batch = client(args).call("ApproveBatch", pb.ApproveBatchRequest(batch_id=args.batch_id), timeout=120)
    return _print_batch(args, batch, say("cli.batch.approved", batch=batch.batch_id))


def fund_batch(args, client) -> int:
    from ykt.v1 import disbursement_pb2 as pb

    c = client(args)
    fen = args.amount
    if fen is None:  # the total as the service holds it, not as this user remembers it
        fen = c.call("GetBatch", pb.GetBatchRequest(batch_id=args.batch_id), timeout=60).total_fen
    batch = c.call("FundBatch", pb.FundBatchRequest(batch_id=args.batch_id, amount_fen=fen), timeout=300)
    return _print_batch(args, batch, say("cli.batch.funded", batch=batch.batch_id, amount=amount(fen)))


def dispatch_batch(args, client) -> int:
    from adapter.cli_files import format_files
    from ykt.v1 import disbursement_pb2 as pb

    sent = client(args).call("DispatchBatch", pb.DispatchBatchRequest(batch_id=args.batch_id), timeout=600)
    if args.json:
        emit_json(to_data(sent))
        return 0
    emit(say("cli.batch.dispatched", batch=args.batch_id, name=sent.name))
    emit(format_files([sent]))
    return 0


def close_batch(args, client) -> int:
    from ykt.v1 import disbursement_pb2 as pb

    report = client(args).call("CloseBatch", pb.CloseBatchRequest(
        batch_id=args.batch_id, allow_unreported=args.allow_unreported), timeout=600)
    if args.json:
        data = to_data(report)
        data["content"] = json.loads(report.content_json) if report.content_json else None
        del data["content_json"]
        emit_json(data)
        return 0
    emit(say("cli.batch.closed", batch=args.batch_id))
    emit(report.text)
    return 0


def _status(code: str) -> str:
    import i18n

    return i18n.name("batch_status", code)


def _line_status(code: str) -> str:
    import i18n

    return i18n.name("line_status", code)


def _width(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(text)
