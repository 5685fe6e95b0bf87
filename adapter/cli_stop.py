"""``ykt stop``: the stop list (停发名单) of people who must not be paid from a day on.

::

    ykt stop add ID_NUMBER --kind K --from DAY [--until DAY] --source S [--note N]
    ykt stop query ID_NUMBER [--active-on DAY]
    ykt stop revoke ENTRY_ID --reason R
    ykt stop recoveries                      payments booked after a stop took effect (追回)

The ID number is typed by the person who read the notice; the service answers with it masked.
"""
from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date

import i18n
from adapter.cli_output import amount, emit, emit_json, say, table, to_data, when

STOP_KINDS = ("DECEASED", "IMPRISONED", "INELIGIBLE")
PAGE = 1000  # the service's largest page


def add_parsers(sub, server_flags: Callable, json_flag: Callable) -> None:
    group = sub.add_parser("stop", help=say("cli.help.stop"))
    stop = group.add_subparsers(dest="stop_action", required=True, metavar="ACTION")

    p = stop.add_parser("add", help=say("cli.help.stop.add"))
    p.add_argument("id_number")
    p.add_argument("--kind", type=str.upper, choices=STOP_KINDS, required=True, help=say("cli.help.stop.kind"))
    p.add_argument("--from", dest="effective_from", type=day, required=True, help=say("cli.help.stop.from"))
    p.add_argument("--until", dest="effective_until", type=day, default="",
                   help=say("cli.help.stop.until"))
    p.add_argument("--source", required=True, help=say("cli.help.stop.source"))
    p.add_argument("--note", default="")
    server_flags(p), json_flag(p)
    p.set_defaults(run=add_entry)

    p = stop.add_parser("query", help=say("cli.help.stop.query"))
    p.add_argument("id_number")
    p.add_argument("--active-on", type=day, default="", help=say("cli.help.stop.active_on"))
    server_flags(p), json_flag(p)
    p.set_defaults(run=query_entries)

    p = stop.add_parser("revoke", help=say("cli.help.stop.revoke"))
    p.add_argument("entry_id", type=int)
    p.add_argument("--reason", required=True)
    server_flags(p), json_flag(p)
    p.set_defaults(run=revoke_entry)

    p = stop.add_parser("recoveries", help=say("cli.help.stop.recoveries"))
    server_flags(p), json_flag(p)
    p.set_defaults(run=recoveries)


def day(text: str) -> str:
    """A calendar day as YYYY-MM-DD, checked here so a typo is refused before anything is sent."""
    if not text:  # the flag's default: no day
        return ""
    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(say("cli.day.bad", text=text)) from None


def add_entry(args, client) -> int:
    from ykt.v1 import disbursement_pb2 as pb

    entry = pb.StopEntryInput(id_number=args.id_number.strip(), kind=args.kind, effective_from=args.effective_from,
                              effective_until=args.effective_until, source=args.source, note=args.note)
    reply = client(args).call("AddStopEntries", pb.AddStopEntriesRequest(entries=[entry]), timeout=120)
    if args.json:
        emit_json([to_data(e) for e in reply.entries])
        return 0
    emit(say("cli.stop.added", n=len(reply.entries)))
    emit(format_entries(reply.entries))
    return 0


def query_entries(args, client) -> int:
    from ykt.v1 import disbursement_pb2 as pb

    reply = client(args).call("QueryStopList", pb.QueryStopListRequest(id_number=args.id_number.strip(),
                                                                       active_on=args.active_on), timeout=120)
    if args.json:
        emit_json([to_data(e) for e in reply.entries])
        return 0
    emit(format_entries(reply.entries) if reply.entries else say("cli.stop.none"))
    return 0


def revoke_entry(args, client) -> int:
    from ykt.v1 import disbursement_pb2 as pb

    entry = client(args).call("RevokeStopEntry", pb.RevokeStopEntryRequest(entry_id=args.entry_id,
                                                                           reason=args.reason), timeout=120)
    if args.json:
        emit_json(to_data(entry))
        return 0
    emit(say("cli.stop.revoked", entry_id=entry.entry_id))
    emit(format_entries([entry]))
    return 0


def format_entries(entries) -> str:
    return table([say("cli.col.entry"), say("cli.col.id_number"), say("cli.col.kind"), say("cli.col.from"),
                  say("cli.col.until"), say("cli.col.source"), say("cli.col.note"), say("cli.col.created_by"),
                  say("cli.col.revoked")],
                 ([e.entry_id, e.id_number, i18n.name("stop_kind", e.kind), e.effective_from, e.effective_until,
                   e.source, e.note, f"{e.created_by} {when(e, 'created_at')}",
                   f"{e.revoked_by} {when(e, 'revoked_at')}" if e.revoked_by else ""] for e in entries), right=(0,))


def recoveries(args, client) -> int:
    from ykt.v1 import disbursement_pb2 as pb

    reply = client(args).call("ListRecoveries", pb.ListRecoveriesRequest(page_size=PAGE), timeout=120)
    if args.json:
        emit_json(to_data(reply))
        return 0
    if not reply.recoveries:
        emit(say("cli.recoveries.none"))
        return 0
    emit(table([say("cli.col.batch"), say("cli.col.seq"), say("cli.col.name"), say("cli.col.id_number"),
                say("cli.col.account_no"), say("cli.col.amount_yuan"), say("cli.col.paid_on")],
               ([r.batch_id, r.seq, r.name, r.id_number, r.account_no, amount(r.amount_fen), r.paid_on]
                for r in reply.recoveries), right=(1, 5)))
    emit(say("cli.recoveries.count", n=len(reply.recoveries), total=amount(reply.total_fen)))
    if len(reply.recoveries) == PAGE:  # the service answers one page, oldest first, and no more
        emit(say("cli.first_page", n=PAGE))
    return 0
