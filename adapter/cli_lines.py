"""``ykt lines``, ``ykt issues``, ``ykt audit`` and ``ykt disclosure``: a batch's lines, what the
department does about them, and what it shows the public.

::

    ykt lines list BATCH [--status S]                    the lines, masked, page by page (state by state)
    ykt lines correct BATCH FILE                          rejected or held lines sent again, corrected
    ykt lines remove|release|give-up BATCH SEQS --reason R
    ykt lines reissue BATCH FILE                          failed lines sent to the bank again (补发)
    ykt lines allow-reissue BATCH SEQS --reason R         an approver's leave to re-issue unanswered lines
    ykt lines changes BATCH [--state S]                   changes of who is paid
    ykt lines approve-change|refuse-change BATCH CHANGE_ID [--reason R]
    ykt issues BATCH [--open]                             every issue found about its lines
    ykt audit BATCH                                       who did what
    ykt disclosure BATCH                                  the public list (公示)

FILE holds the corrected lines, whole (the service shows people only masked data and takes a
correction as the line it replaces), as a roster does: an XLSX sheet, a CSV file or JSON lines,
read by the same reader as ``ykt batch submit`` (:mod:`adapter.roster_sheet`), with the 序号
(seq) of each line it corrects.
"""
from __future__ import annotations

import argparse
import itertools
from collections.abc import Callable
from pathlib import Path

import i18n
from adapter.cli_output import amount, emit, emit_json, pages, say, stream, stream_json, table, to_data, when
from i18n.library_words import briefly

LINE_STATUSES = ("PENDING", "PAID", "FAILED", "GIVEN_UP", "REFUNDED", "REJECTED", "HELD", "REMOVED")
CHANGE_STATES = ("PENDING", "APPROVED", "REFUSED")
PAGE = 1000  # the service's largest page


def add_parsers(sub, server_flags: Callable, json_flag: Callable) -> None:
    group = sub.add_parser("lines", help=say("cli.help.lines"))
    lines = group.add_subparsers(dest="lines_action", required=True, metavar="ACTION")

    p = lines.add_parser("list", help=say("cli.help.lines.list"))
    p.add_argument("batch_id")
    p.add_argument("--status", type=str.upper, choices=LINE_STATUSES, help=say("cli.help.lines.status"))
    server_flags(p), json_flag(p)
    p.set_defaults(run=list_lines)

    for name, method, what in (
            ("correct", "CorrectLines", say("cli.help.lines.correct")),
            ("reissue", "ReissueLines", say("cli.help.lines.reissue"))):
        p = lines.add_parser(name, help=what)
        p.add_argument("batch_id")
        p.add_argument("file", type=Path, help=say("cli.help.lines.file"))
        server_flags(p), json_flag(p)
        p.set_defaults(run=send_lines, method=method)

    for name, method, what in (
            ("remove", "RemoveLines", say("cli.help.lines.remove")),
            ("release", "ReleaseLines", say("cli.help.lines.release")),
            ("give-up", "GiveUpLines", say("cli.help.lines.give_up")),
            ("allow-reissue", "AllowReissue", say("cli.help.lines.allow_reissue"))):
        p = lines.add_parser(name, help=what)
        p.add_argument("batch_id")
        p.add_argument("seqs", type=seqs_of, help=say("cli.help.lines.seqs"))
        p.add_argument("--reason", required=True, help=say("cli.help.reason"))
        server_flags(p), json_flag(p)
        p.set_defaults(run=resolve_lines, method=method)

    p = lines.add_parser("changes", help=say("cli.help.lines.changes"))
    p.add_argument("batch_id")
    p.add_argument("--state", type=str.upper, choices=CHANGE_STATES)
    server_flags(p), json_flag(p)
    p.set_defaults(run=list_changes)

    for name, method, what in (("approve-change", "ApproveLineChanges", say("cli.help.lines.approve_change")),
                               ("refuse-change", "RefuseLineChanges", say("cli.help.lines.refuse_change"))):
        p = lines.add_parser(name, help=what)
        p.add_argument("batch_id")
        p.add_argument("change_id", type=int)
        p.add_argument("--reason", required=name == "refuse-change", default="", help=say("cli.help.why"))
        server_flags(p), json_flag(p)
        p.set_defaults(run=decide_change, method=method)

    p = sub.add_parser("issues", help=say("cli.help.issues"))
    p.add_argument("batch_id")
    p.add_argument("--open", action="store_true", help=say("cli.help.issues.open"))
    server_flags(p), json_flag(p)
    p.set_defaults(run=list_issues)

    p = sub.add_parser("audit", help=say("cli.help.audit"))
    p.add_argument("batch_id")
    server_flags(p), json_flag(p)
    p.set_defaults(run=audit_trail)

    p = sub.add_parser("disclosure", help=say("cli.help.disclosure"))
    p.add_argument("batch_id")
    server_flags(p), json_flag(p)
    p.set_defaults(run=disclosure)


def seqs_of(text: str) -> tuple[int, ...]:
    """``"3,7,10-12"`` → (3, 7, 10, 11, 12): line numbers as people write them."""
    seqs: list[int] = []
    try:
        for part in (p.strip() for p in text.split(",")):
            if not part:
                continue
            first, dash, last = part.partition("-")
            low, high = int(first), int(last if dash else first)
            if low < 1 or high < low or high - low >= 100_000:
                raise ValueError
            seqs += range(low, high + 1)
    except ValueError:
        raise argparse.ArgumentTypeError(say("cli.seqs.bad", text=text)) from None
    if not seqs:
        raise argparse.ArgumentTypeError(say("cli.seqs.bad", text=text))
    return tuple(dict.fromkeys(seqs))


def read_lines(path: Path) -> list:
    """Corrected lines from a sheet (XLSX, CSV) or JSON lines, read by the roster reader that
    ``ykt batch submit`` uses (:mod:`adapter.roster_sheet`: Chinese or English headers, yuan,
    GBK or UTF-8), as the API's PaymentLine messages. A correction names the line it replaces, so
    a sheet needs its 序号 (seq) column. Any cell that cannot be read is named by its row and
    nothing is sent (:class:`LinesFileError`)."""
    from adapter import convert
    from adapter.roster_check import describe
    from adapter.roster_sheet import ERROR, Roster, SheetError

    found, problems = [], []
    try:
        roster = Roster(path)
        for row in roster.rows():
            problems += [describe(p) for p in row.problems if p.severity == ERROR]
            found.append(convert.line_to_pb(row.line))
    except SheetError as exc:
        raise LinesFileError("\n".join(describe(p) for p in exc.problems)) from None
    except OSError as exc:
        raise LinesFileError(say("cli.file.unreadable", file=path, why=briefly(exc))) from None
    if roster.kind != "jsonl" and "seq" not in roster.columns:
        problems.insert(0, say("cli.file.no_seq", file=path))
    if problems:
        raise LinesFileError("\n".join(problems))
    if not found:
        raise LinesFileError(say("cli.file.empty", file=path))
    return found


class LinesFileError(ValueError):
    """A file of lines that cannot be read: refused before anything is sent (exit 2)."""


def list_lines(args, client) -> int:
    from ykt.v1 import disbursement_pb2 as pb

    c = client(args)

    def of_status(status: str):
        def fetch(after):
            got = list(c.call("ListLines", pb.ListLinesRequest(batch_id=args.batch_id, status=status, page_size=PAGE,
                                                                 after_seq=after or 0), timeout=120).lines)
            return got, (got[-1].seq if len(got) == PAGE else None)

        return pages(fetch)

    def every_page():  # the service lists one state at a time: without --status, each in turn
        for status in [args.status] if args.status else LINE_STATUSES:
            yield from of_status(status)

    if args.json:
        stream_json(every_page())
        return 0
    n = stream([say("cli.col.seq"), say("cli.col.line_status"), say("cli.col.amount_yuan"), say("cli.col.name"),
                say("cli.col.id_number"), say("cli.col.account_no"), say("cli.col.reason"),
                say("cli.col.follow_up"), say("cli.col.bank_reason")],
               (([ln.seq, i18n.name("line_status", ln.status), amount(ln.amount_fen), ln.name_masked,
                  ln.id_number_masked, ln.account_no_masked, i18n.name("reason", ln.reason) if ln.reason else "",
                  i18n.name("follow_up", ln.follow_up) if ln.follow_up else "", ln.bank_reason] for ln in page)
                for page in every_page()), right=(0, 2), widths=(6, 8, 12, 8, 18, 19, 10, 10))
    emit(say("cli.lines.count", n=n))
    return 0


def send_lines(args, client) -> int:
    from ykt.v1 import disbursement_pb2 as pb

    lines = read_lines(args.file)
    reply = client(args).call(args.method, pb.CorrectLinesRequest(batch_id=args.batch_id, lines=lines), timeout=600)
    if args.json:
        emit_json(to_data(reply))
        return 0
    if args.method == "CorrectLines":
        emit(format_outcome(reply))
    else:
        emit(format_reissue(args.batch_id, reply))
    return 0


def resolve_lines(args, client) -> int:
    from ykt.v1 import disbursement_pb2 as pb

    reply = client(args).call(args.method, pb.ResolveLinesRequest(batch_id=args.batch_id, seqs=args.seqs,
                                                                  reason=args.reason), timeout=300)
    if args.json:
        emit_json(to_data(reply))
        return 0
    emit(say(f"cli.lines.done.{args.method}", n=len(args.seqs), batch=args.batch_id))
    if isinstance(reply, pb.SubmitBatchResponse):
        emit(format_outcome(reply))
    else:
        from adapter.cli_batches import format_batch

        emit(format_batch(reply))
    return 0


def format_outcome(r) -> str:
    """A batch's standing after lines were sent, corrected, removed or released; its open issues."""
    out = [say("cli.outcome", batch=r.batch_id, status=i18n.name("batch_status", r.status),
               accepted=f"{r.accepted_count:,}", rejected=f"{r.rejected_count:,}", held=f"{r.held_count:,}",
               lines=f"{r.line_count:,}", total=amount(r.total_fen))]
    if r.issues:
        out.append(_issues_table(r.issues))
        if r.issue_count > len(r.issues):
            out.append(say("cli.issues.more", shown=len(r.issues), n=r.issue_count, batch=r.batch_id))
    return "\n".join(out)


def format_reissue(batch_id: str, r) -> str:
    out = []
    if r.HasField("file"):
        out.append(say("cli.reissue.file", batch=batch_id, file_id=r.file.file_id, name=r.file.name))
    if r.HasField("change"):
        ch = r.change
        waits = "cli.reissue.change" if ch.state == "PENDING" else "cli.change.decided"
        out.append(say(waits, change_id=ch.change_id, state=say(f"cli.change_state.{ch.state}")))
        out.append(_change_table([ch]))
    return "\n".join(out) or say("cli.reissue.nothing", batch=batch_id)


def _issues_table(issues) -> str:
    return table([say("cli.col.seq"), say("cli.col.severity"), say("cli.col.field"), say("cli.col.reason"),
                  say("cli.col.detail"), say("cli.col.other_line")],
                 ([i.seq, say(f"cli.severity.{i.severity}"), _field(i.field), i18n.name("problem", i.code), i.message,
                   f"{i.other_batch_id}#{i.other_seq}" if i.other_batch_id else ""] for i in issues), right=(0,))


def _field(field: str) -> str:
    """A line's field (``id_number``) by its name for people (证件号码)."""
    return i18n.name("field", field) if field else ""


def list_issues(args, client) -> int:
    from ykt.v1 import disbursement_pb2 as pb

    c = client(args)

    def fetch(after):
        page = c.call("ListLineIssues", pb.ListLineIssuesRequest(batch_id=args.batch_id, open_only=args.open,
                                                                 page_size=PAGE, after_issue_id=after or 0),
                      timeout=120)
        return list(page.issues), page.next_after_issue_id

    if args.json:
        stream_json(pages(fetch))
        return 0
    n = stream([say("cli.col.seq"), say("cli.col.severity"), say("cli.col.open"), say("cli.col.field"),
                say("cli.col.reason"), say("cli.col.detail"), say("cli.col.other_line")],
               (([i.seq, say(f"cli.severity.{i.severity}"), say("common.yes" if i.open else "common.no"), _field(i.field),
                  i18n.name("problem", i.code), i.message, f"{i.other_batch_id}#{i.other_seq}" if i.other_batch_id
                  else ""] for i in page) for page in pages(fetch)), right=(0,), widths=(4, 18, 6, 8, 18, 40))
    emit(say("cli.issues.count", n=n))
    return 0


def list_changes(args, client) -> int:
    from ykt.v1 import disbursement_pb2 as pb

    changes = client(args).call("ListLineChanges", pb.ListLineChangesRequest(
        batch_id=args.batch_id, state=args.state or ""), timeout=120).changes
    if args.json:
        emit_json([to_data(ch) for ch in changes])
        return 0
    emit(_change_table(changes) if changes else say("cli.changes.none", batch=args.batch_id))
    return 0


def _change_table(changes) -> str:
    rows = []
    for ch in changes:
        for item in ch.lines:
            before = " / ".join(x for x in (item.name_before, item.id_number_before, item.account_no_before) if x)
            after = " / ".join(x for x in (item.name_after, item.id_number_after, item.account_no_after) if x)
            rows.append([ch.change_id, say(f"cli.change_state.{ch.state}"), ch.requested_by, ch.decided_by,
                         item.seq, ",".join(_field(c) for c in item.changed), before, after, amount(item.amount_fen)])
    return table([say("cli.col.change"), say("cli.col.state"), say("cli.col.requested_by"),
                  say("cli.col.decided_by"), say("cli.col.seq"), say("cli.col.changed"), say("cli.col.before"),
                  say("cli.col.after"), say("cli.col.amount_yuan")], rows, right=(0, 4, 8))


def decide_change(args, client) -> int:
    from ykt.v1 import disbursement_pb2 as pb

    reply = client(args).call(args.method, pb.LineChangeRequest(batch_id=args.batch_id, change_id=args.change_id,
                                                                reason=args.reason), timeout=600)
    if args.json:
        emit_json(to_data(reply))
        return 0
    if args.method == "RefuseLineChanges":
        emit(say("cli.change.refused", change_id=args.change_id))
        emit(_change_table([reply]))
    else:
        emit(format_reissue(args.batch_id, reply))
    return 0


def audit_trail(args, client) -> int:
    from ykt.v1 import disbursement_pb2 as pb

    events = client(args).call("GetAuditTrail", pb.GetAuditTrailRequest(batch_id=args.batch_id), timeout=120).events
    if args.json:
        emit_json([to_data(e) for e in events])
        return 0
    emit(table([say("cli.col.time"), say("cli.col.actor"), say("cli.col.action"), say("cli.col.seq"),
                say("cli.col.detail")],
               ([when(e, "at"), e.actor, _action(e.action), e.seq or "", e.detail] for e in events),
               right=(3,)))
    emit(say("cli.audit.count", n=len(events)))
    return 0


def _action(code: str) -> str:
    """An audit action (``GIVE_UP_LINE``) by its name for people; an action without one as its code."""
    key = f"cli.audit_action.{code}"
    return say(key) if key in i18n.WORDS else code


def disclosure(args, client) -> int:
    """The public list page by page: its title from the first page, the sum as the rows pass."""
    from ykt.v1 import disbursement_pb2 as pb

    c = client(args)

    def lists():
        after = 0
        while True:
            page = c.call("GetDisclosureList", pb.GetDisclosureListRequest(batch_id=args.batch_id, page_size=PAGE,
                                                                            after_seq=after), timeout=120)
            yield page
            after = page.next_after_seq
            if not after:
                return

    pages = lists()
    if args.json:
        stream_json(page.items for page in pages)
        return 0
    first = next(pages)
    emit(say("cli.disclosure.title", batch=first.batch_id, program=first.program, period=first.period,
             region=first.region))
    total_fen = 0

    def rows(page):
        nonlocal total_fen
        for item in page.items:
            total_fen += item.amount_fen
            yield [item.seq, item.name, item.id_number, item.program, amount(item.amount_fen), item.paid_on]

    n = stream([say("cli.col.seq"), say("cli.col.name"), say("cli.col.id_number"), say("cli.col.program"),
                say("cli.col.amount_yuan"), say("cli.col.paid_on")],
               (rows(page) for page in itertools.chain([first], pages)), right=(0, 4), widths=(6, 6, 18, 16, 12, 10))
    emit(say("cli.disclosure.count", n=n, total=amount(total_fen)))
    return 0
