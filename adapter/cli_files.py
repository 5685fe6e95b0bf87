"""``ykt files``, ``ykt exceptions`` and ``ykt statement``: the files exchanged with the banks,
what their answers held beyond paid and failed, and the banks' statements.

::

    ykt files [list] [--bank B] [--batch B] [--state S]     every file, per bank, with its history
    ykt files regenerate ID --reason R                       render a payment file anew and queue it
    ykt files mark-delivered ID --reason R                   it reached the bank another way
    ykt files hand-in FILE --bank B [--signature SIG]        a result file that came outside SFTP
    ykt exceptions [--bank B] [--batch B]
    ykt statement [show] --file-id ID | --bank B --account A --from DAY [--to DAY]
    ykt statement hand-in FILE --bank B                      a statement that came outside SFTP
    ykt statement list [--bank B] [--state S]

The older spellings ``ykt regenerate-file`` and ``ykt mark-delivered`` stay (the operations
guide names them), as do ``ykt files --bank B`` and ``ykt statement --file-id ID`` without an
action word.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import i18n
from adapter.cli_output import amount, emit, emit_json, pages, say, table, to_data, when
from adapter.reading_report_pb import reading_notes

FILE_STATES = ("GENERATED", "UPLOADING", "FAILED", "DELIVERED", "ACKNOWLEDGED", "RECEIVED", "BOOKED",
               "QUARANTINED", "DUPLICATE")
STATEMENT_STATES = ("STORED", "DUPLICATE", "QUARANTINED")
CHUNK = 1 << 20


def add_parsers(sub, server_flags: Callable, json_flag: Callable) -> None:
    group = sub.add_parser("files", help=say("cli.help.files"))
    _list_flags(group, None)
    server_flags(group), json_flag(group)
    group.set_defaults(run=list_files)
    files = group.add_subparsers(dest="files_action", metavar="ACTION")
    p = files.add_parser("list", help=say("cli.help.files.list"))
    _list_flags(p, argparse.SUPPRESS)
    server_flags(p, suppress=True), json_flag(p)
    for name, method, what in (
            ("regenerate", "RegenerateFile", say("cli.help.files.regenerate")),
            ("mark-delivered", "MarkFileDelivered", say("cli.help.files.mark_delivered"))):
        p = files.add_parser(name, help=what)
        file_action_flags(p, server_flags, json_flag, method)
    p = files.add_parser("hand-in", help=say("cli.help.files.hand_in"))
    _hand_in_flags(p, server_flags, json_flag, "IngestResultFile")

    p = sub.add_parser("exceptions", help=say("cli.help.exceptions"))
    p.add_argument("--bank", help=say("cli.help.only_bank"))
    p.add_argument("--batch", help=say("cli.help.only_batch"))
    server_flags(p), json_flag(p)
    p.set_defaults(run=list_exceptions)

    group = sub.add_parser("statement", help=say("cli.help.statement"))
    _reconcile_flags(group, None)
    server_flags(group), json_flag(group)
    group.set_defaults(run=show_statement)
    statements = group.add_subparsers(dest="statement_action", metavar="ACTION")
    p = statements.add_parser("show", help=say("cli.help.statement.show"))
    _reconcile_flags(p, argparse.SUPPRESS)
    server_flags(p, suppress=True), json_flag(p)
    p = statements.add_parser("hand-in", help=say("cli.help.statement.hand_in"))
    _hand_in_flags(p, server_flags, json_flag, "IngestStatementFile")
    p = statements.add_parser("list", help=say("cli.help.statement.list"))
    p.add_argument("--bank", help=say("cli.help.only_bank"))
    p.add_argument("--state", type=str.upper, choices=STATEMENT_STATES)
    server_flags(p), json_flag(p)
    p.set_defaults(run=list_statements)


def file_action_flags(p, server_flags, json_flag, method: str) -> None:
    p.add_argument("file_id", type=int)
    p.add_argument("--reason", required=True, help=say("cli.help.reason"))
    server_flags(p), json_flag(p)
    p.set_defaults(run=file_action, method=method)


def _list_flags(p, default) -> None:
    """On the group (``ykt files --bank B``) and on ``list``: SUPPRESS there, so that a flag given
    before the action word is not reset by the action's own default."""
    p.add_argument("--bank", default=default, help=say("cli.help.files.bank"))
    p.add_argument("--batch", default=default, help=say("cli.help.files.batch"))
    p.add_argument("--state", default=default, type=str.upper, choices=FILE_STATES, help=say("cli.help.files.state"))


def _reconcile_flags(p, default) -> None:
    p.add_argument("--file-id", type=int, default=default,
                   help=say("cli.help.statement.file_id"))
    p.add_argument("--bank", default=default, help=say("cli.help.statement.bank"))
    p.add_argument("--account", default=default, help=say("cli.help.statement.account"))
    p.add_argument("--from", dest="from_date", default=default,
                   help=say("cli.help.statement.from"))
    p.add_argument("--to", dest="to_date", default=default, help=say("cli.help.statement.to"))
    p.add_argument("--out", type=Path, default=default, help=say("cli.help.statement.out"))


def _hand_in_flags(p, server_flags, json_flag, method: str) -> None:
    p.add_argument("file", type=Path)
    p.add_argument("--bank", required=True, help=say("cli.help.hand_in.bank"))
    p.add_argument("--name", help=say("cli.help.hand_in.name"))
    if method == "IngestResultFile":
        p.add_argument("--signature", type=Path, help=say("cli.help.hand_in.signature"))
    server_flags(p), json_flag(p)
    p.set_defaults(run=hand_in, method=method)


def list_files(args, client) -> int:
    """Every file exchanged with each bank, page by page, grouped by bank."""
    from ykt.v1 import disbursement_pb2 as pb

    c = client(args)

    def fetch(after):
        page = c.call("ListFiles", pb.ListFilesRequest(
            bank_code=args.bank or "", batch_id=args.batch or "", state=args.state or "",
            after_file_id=after or 0, page_size=1000), timeout=120)
        return page.files, page.next_after_file_id

    found = [f for part in pages(fetch) for f in part]
    if args.json:
        emit_json([to_data(f) for f in found])
        return 0
    emit(format_files(found))
    return 0


def format_files(files) -> str:
    """Per bank, one row per file and its history beneath."""
    if not files:
        return say("cli.files.none")
    out = []
    for bank in sorted({f.bank_code for f in files}):
        rows, notes = [], {}
        for f in (f for f in files if f.bank_code == bank):
            batch = f.batch_id or (f"({f.claimed_batch_id}?)" if f.claimed_batch_id else "-")
            rows.append([f.file_id, say(f"cli.direction.{f.direction}"), batch, i18n.name("file_state", f.state),
                         f.attempts, (f.sha256 or "-")[:16], f"{f.size:,}", f.name])
            notes[len(rows) - 1] = _file_notes(f)
        shown = table([say("cli.col.file"), say("cli.col.direction"), say("cli.col.batch"), say("cli.col.state"),
                       say("cli.col.attempts"), say("cli.col.sha256"), say("cli.col.bytes"), say("cli.col.file_name")],
                      rows, right=(0, 4, 6)).splitlines()
        out.append(say("cli.files.bank", bank=bank))
        out += ["  " + line for line in shown[:2]]
        for i, line in enumerate(shown[2:]):
            out.append("  " + line)
            out += [f"      {note}" for note in notes[i]]
    return "\n".join(out)


def _file_notes(f) -> list[str]:
    notes = []
    if f.last_error:
        notes.append(say("cli.files.last_error", error=f.last_error))
    if f.state == "FAILED":
        notes.append(say("cli.files.next_attempt", at=when(f, "next_attempt_at")) if f.HasField("next_attempt_at")
                     else say("cli.files.waits_for_operator"))
    if f.HasField("delivered_at"):
        notes.append(say("cli.files.delivered", at=when(f, "delivered_at"), by=f.delivered_by or "?"))
    if f.HasField("acknowledged_at"):
        notes.append(say("cli.files.acknowledged", at=when(f, "acknowledged_at")))
    if f.HasField("archived_at"):
        notes.append(say("cli.files.archived", at=when(f, "archived_at")))
    if f.duplicate_of:
        notes.append(say("cli.files.duplicate_of", file_id=f.duplicate_of))
    if f.part_of:
        notes.append(say("cli.files.part_of", file_id=f.part_of))
    if f.lease_owner:
        notes.append(say("cli.files.lease", owner=f.lease_owner, until=when(f, "lease_until")))
    if f.handled_by:
        notes.append(say("cli.files.handled_by", by=f.handled_by, fence=f.fence))
    notes += reading_notes(f)  # what was read and skipped (issue 15 item 5)
    return notes


def file_action(args, client) -> int:
    from ykt.v1 import disbursement_pb2 as pb

    request = (pb.RegenerateFileRequest if args.method == "RegenerateFile" else pb.MarkFileDeliveredRequest)(
        file_id=args.file_id, reason=args.reason)
    reply = client(args).call(args.method, request, timeout=600)
    if args.json:
        emit_json(to_data(reply))
        return 0
    emit(say(f"cli.files.done.{args.method}", file_id=reply.file_id))
    emit(format_files([reply]))
    return 0


def hand_in(args, client) -> int:
    """Stream a file the bank handed over another way to the service, a megabyte at a time."""
    from ykt.v1 import disbursement_pb2 as pb

    signature = args.signature.read_bytes() if getattr(args, "signature", None) else b""
    with args.file.open("rb") as f:  # opened before the call: a missing file sends nothing
        def requests() -> Iterator[pb.IngestResultFileRequest]:
            yield pb.IngestResultFileRequest(start=pb.IngestResultFileRequest.Start(
                bank_code=args.bank, file_name=args.name or args.file.name, signature=signature))
            while chunk := f.read(CHUNK):
                yield pb.IngestResultFileRequest(data=chunk)

        c = client(args)
        reply = getattr(c.stub, args.method)(requests(), metadata=c.metadata, timeout=600)
    if args.json:
        emit_json(to_data(reply))
        return 0
    if args.method == "IngestResultFile":
        emit(say("cli.handin.result", name=reply.file.name, state=i18n.name("file_state", reply.file.state),
                 lines=f"{reply.booked_lines:,}", amount=amount(reply.booked_fen)))
        emit(format_files([reply.file]))
    else:
        emit(say("cli.handin.statement", name=reply.file.name, state=i18n.name("statement_state", reply.file.state)))
        emit(_statements_table([reply.file]))
    for problem in reply.problems:
        emit(f"  {problem}")
    return 0


def list_exceptions(args, client) -> int:
    """The exceptions of booked result files, page by page, oldest first."""
    from ykt.v1 import disbursement_pb2 as pb

    c = client(args)

    def fetch(token):
        page = c.call("ListExceptions", pb.ListExceptionsRequest(
            bank_code=args.bank or "", batch_id=args.batch or "", page_size=1000, page_token=token or ""), timeout=120)
        return page.exceptions, page.next_page_token

    found = [e for part in pages(fetch) for e in part]
    if args.json:
        emit_json([to_data(e) for e in found])
        return 0
    emit(format_exceptions(found))
    return 0


def format_exceptions(found, per_kind: int | None = None) -> str:
    """One row per record, its detail beneath; with ``per_kind``, at most that many of each
    kind and how many more there are."""
    if not found:
        return say("cli.exceptions.none")
    rows, details, shown = [], [], {}
    for e in found:
        shown[e.kind] = shown.get(e.kind, 0) + 1
        if per_kind is not None and shown[e.kind] > per_kind:
            continue
        rows.append([e.file_id, e.record, e.batch_id, e.seq, i18n.name("disposition", e.kind),
                     i18n.name("disposition", e.outcome), amount(e.amount_fen), amount(e.due_back_fen), e.label])
        details.append(f"{e.file_name} ({when(e, 'received_at')}): {e.detail}")
    lines = table([say("cli.col.file"), say("cli.col.record"), say("cli.col.batch"), say("cli.col.seq"),
                   say("cli.col.kind"), say("cli.col.bank_says"), say("cli.col.amount_yuan"),
                   say("cli.col.due_back_yuan"), say("cli.col.label")], rows, right=(0, 1, 3, 6, 7)).splitlines()
    out = lines[:2]
    for line, detail in zip(lines[2:], details, strict=True):
        out += [line, f"    {detail}"]
    out += [say("cli.exceptions.more", n=f"{n - per_kind:,}", kind=i18n.name("disposition", kind))
            for kind, n in shown.items() if per_kind is not None and n > per_kind]
    out.append(say("cli.exceptions.count", n=f"{len(found):,}", due=amount(sum(e.due_back_fen for e in found))))
    return "\n".join(out)


def show_statement(args, client) -> int:
    """The statement reconciliation, printed; exit 1 when it lists breaks."""
    from adapter.cli_errors import FOUND
    from ykt.v1 import disbursement_pb2 as pb

    if not (args.file_id or (args.bank and args.account and args.from_date)):
        print("ykt: " + say("cli.statement.which"), file=sys.stderr)
        return 2
    request = pb.GetStatementReconciliationRequest(
        statement_file_id=args.file_id or 0, bank_code=args.bank or "", account=args.account or "",
        from_date=args.from_date or "", to_date=args.to_date or args.from_date or "")
    reply = client(args).call("GetStatementReconciliation", request, timeout=300)
    if args.out:
        args.out.write_text(reply.content_json, encoding="utf-8")
    if args.json:
        emit_json(to_data(reply))
    else:
        emit(format_reconciliation(reply))
    return 0 if reply.clean else FOUND


def format_reconciliation(reply) -> str:
    """A clearing account's statements against the ledger, for people: the statements, the
    balances in yuan, the verdict, then every break by its name."""
    import json

    content = json.loads(reply.content_json)
    out = [say("cli.statement.title", bank=content["bank_code"], account=content["account"],
               start=content["from_date"], end=content["to_date"])]
    out.append(table([say("cli.col.statement"), say("cli.col.file"), say("cli.col.file_name"), say("cli.col.from"),
                      say("cli.col.to"), say("cli.col.entries"), say("cli.col.opening_yuan"),
                      say("cli.col.closing_yuan")],
                     ([st["statement_id"], st["file_id"], st["name"], st["from_date"], st["to_date"],
                       f"{st['entries']:,}", amount(st["opening_fen"]), amount(st["closing_fen"])]
                      for st in content["statements"]), right=(1, 5, 6, 7)))
    out.append(say("cli.statement.balances", opening=amount(reply.opening_fen), closing=amount(reply.closing_fen),
                   ledger=amount(reply.ledger_balance_fen), matched=f"{reply.matched_entries:,}",
                   unexplained=amount(reply.unexplained_fen)))
    out.append(say("cli.statement.clean" if reply.clean else "cli.statement.breaks")
               + say("cli.statement.in_balance" if reply.in_balance else "cli.statement.not_in_balance"))
    if reply.breaks:
        out.append(table([say("cli.col.kind"), say("cli.col.where"), say("cli.col.batch"), say("cli.col.seq"),
                          say("cli.col.day"), say("cli.col.statement_yuan"), say("cli.col.ledger_yuan"),
                          say("cli.col.detail")],
                         ([i18n.name("break", b.kind),
                           f"{b.statement_id}#{b.entry_seq}" if b.entry_seq else (b.statement_id or say("cli.ledger")),
                           b.batch_id, b.line_seq or "", b.day, amount(b.statement_fen), amount(b.ledger_fen), b.detail]
                          for b in reply.breaks), right=(3, 5, 6)))
    return "\n".join(out)


def list_statements(args, client) -> int:
    from ykt.v1 import disbursement_pb2 as pb

    c = client(args)

    def fetch(after):
        page = c.call("ListStatementFiles", pb.ListStatementFilesRequest(
            bank_code=args.bank or "", state=args.state or "", page_size=1000, after_file_id=after or 0), timeout=120)
        return page.files, page.next_after_file_id

    found = [f for part in pages(fetch) for f in part]
    if args.json:
        emit_json([to_data(f) for f in found])
        return 0
    emit(_statements_table(found) if found else say("cli.statements.none"))
    return 0


def _statements_table(files) -> str:
    """The statements as a table, then what each one's reading left out (issue 15 item 5)."""
    out = [_statement_rows(files)]
    for f in files:
        notes = reading_notes(f)
        if notes and (f.reading_report.skipped_count or f.reading_report.notes):
            out.append(say("cli.statements.reading", file_id=f.file_id))
            out += [f"    {note}" for note in notes]
    return "\n".join(out)


def _statement_rows(files) -> str:
    return table([say("cli.col.file"), say("cli.col.bank"), say("cli.col.state"), say("cli.col.account"),
                  say("cli.col.from"), say("cli.col.to"), say("cli.col.entries"), say("cli.col.opening_yuan"),
                  say("cli.col.closing_yuan"), say("cli.col.file_name"), say("cli.col.last_error")],
                 ([f.file_id, f.bank_code, i18n.name("statement_state", f.state), f.account, f.from_date, f.to_date,
                   f"{f.entry_count:,}", amount(f.opening_balance_fen), amount(f.closing_balance_fen), f.name,
                   f.last_error] for f in files), right=(0, 6, 7, 8))
