"""``ykt ledger``: what the double-entry ledger holds, for finance and auditors.

::

    ykt ledger balances [--prefix P] [--batch B]     each account's balance in yuan
    ykt ledger transactions --batch B                 a batch's ledger transactions

Read-only views of GetBalances and ListTransactions; the ledger is moved only by the batch's
own steps (fund, book, close).
"""
from __future__ import annotations

from collections.abc import Callable

import i18n
from adapter.cli_output import amount, emit, emit_json, say, table, to_data, when

PAGE = 1000  # the service's largest page


def add_parsers(sub, server_flags: Callable, json_flag: Callable) -> None:
    group = sub.add_parser("ledger", help=say("cli.help.ledger"))
    ledger = group.add_subparsers(dest="ledger_action", required=True, metavar="ACTION")
    p = ledger.add_parser("balances", help=say("cli.help.ledger.balances"))
    p.add_argument("--prefix", default="", help=say("cli.help.ledger.prefix"))
    p.add_argument("--batch", default="", help=say("cli.help.ledger.batch"))
    server_flags(p), json_flag(p)
    p.set_defaults(run=balances)
    p = ledger.add_parser("transactions", help=say("cli.help.ledger.transactions"))
    p.add_argument("--batch", required=True)
    server_flags(p), json_flag(p)
    p.set_defaults(run=transactions)


def balances(args, client) -> int:
    from ykt.v1 import disbursement_pb2 as pb

    reply = client(args).call("GetBalances", pb.GetBalancesRequest(prefix=args.prefix, batch_id=args.batch),
                              timeout=120)
    if args.json:
        emit_json([to_data(b) for b in reply.balances])
        return 0
    emit(table([say("cli.col.account"), say("cli.col.balance_yuan")],
               ([b.account, amount(b.balance_fen)] for b in reply.balances), right=(1,)))
    emit(say("cli.ledger.accounts", n=len(reply.balances)))
    return 0


def transactions(args, client) -> int:
    from ykt.v1 import disbursement_pb2 as pb

    reply = client(args).call("ListTransactions", pb.ListTransactionsRequest(batch_id=args.batch, page_size=PAGE),
                              timeout=120)
    if args.json:
        emit_json([to_data(t) for t in reply.transactions])
        return 0
    emit(table([say("cli.col.time"), say("cli.col.kind"), say("cli.col.amount_yuan"), say("cli.col.postings"),
                say("cli.col.file"), say("cli.col.memo"), say("cli.col.transaction")],
               ([when(t, "created_at"), i18n.name("transaction_kind", t.kind), amount(t.amount_fen),
                 t.posting_count, t.file_id or "", t.memo, t.transaction_id] for t in reply.transactions),
               right=(2, 3, 4)))
    emit(say("cli.ledger.transactions", n=len(reply.transactions)))
    if len(reply.transactions) == PAGE:  # the service answers one page and no more
        emit(say("cli.first_page", n=PAGE))
    return 0
