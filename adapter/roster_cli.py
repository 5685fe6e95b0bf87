"""``ykt batch template`` and ``ykt batch submit FILE``: rosters from Excel (issue 16 item 2).

::

    ykt batch template [--out roster-template.xlsx]
    ykt batch submit FILE --program P --period YYYY-MM --region R --bank B --payer-name N
                          --payer-account A [--key K] [--control-count N --control-total YUAN]
                          [--max-amount YUAN] [--result PATH] [--check-only] [--json]

FILE is an XLSX sheet, a CSV file (UTF-8 with or without BOM, or GBK/GB18030) or JSON lines
(:mod:`adapter.roster_sheet` reads all three). ``submit`` reads the file once: it checks every
row with the domain's own checks (:class:`domain.validation.BatchChecker`, the service's field
widths) and shows every problem with its row number. **Rows travel to the service while later
rows are still being checked, and nothing is stored unless all pass**: SubmitBatch is opened
first, its header's control count and total left to the end (:mod:`adapter.roster_stream`);
each chunk of checked lines goes out as soon as it is full, and the service checks and stores
it in a transaction it commits only when the stream ends with the totals, which are sent only
once the whole sheet passed (the department's ``--control-count``/``--control-total``, when
given, checked here against the rows). At the first wrong row the call is cancelled: the
service rolls back, nothing is stored or visible to anyone, and the idempotency key stays free
for the corrected sheet; the check goes on to the last row to list every problem. Checking
first and sending after made the command about twice as slow as the service (the check of a
100,000-row sheet costs about as much CPU as storing it). The lines go out as checked
(:mod:`adapter.roster_spool`), with a progress bar (rows, rate, time left); once
the service answers, the command fetches every issue it found (ListLineIssues: the service
also screens against other batches and the stop list, which no local check can) and writes a
result sheet: each row accepted, rejected or held, with the reasons in Chinese
(:mod:`adapter.roster_result`; its rows are rendered as the lines go out, and only the outcome
of the lines the service found something about again afterwards).

A refused sheet's problems are also written to ``FILE-problems.xlsx`` beside it (replacing the
one an earlier check wrote), one row per problem, for a sheet with many to be worked through
in Excel.

The idempotency key defaults to a digest of the file's bytes and the header, so submitting the
same file twice gives the first submission's batch back (the service answers it as a replay).

Exit codes (as the rest of ``ykt``): 0 sent, every row accepted or held; 1 sent, and rows were
rejected (correct or remove them: see the result sheet); 2 refused here, nothing stored (a wrong
row, an unreadable file, a bad option); 3 refused by the service, nothing stored; 4 the service
or the connection failed.

Kept apart from :mod:`adapter.cli` (which owns the ``batch`` group and calls
:func:`add_parsers`); imports are inside the functions so that ``ykt --help`` stays quick.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

EXIT_OK, EXIT_REJECTED, EXIT_REFUSED_HERE, EXIT_REFUSED_THERE, EXIT_FAILED = 0, 1, 2, 3, 4
ISSUE_PAGE = 1000  # issues fetched per ListLineIssues call (the service's largest page)
WARNINGS_SHOWN = 200  # warnings printed one by one; all of them go to the problems sheet


def add_parsers(batch_subparsers, server_flags: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``template`` and ``submit`` to the ``batch`` group's subparsers; ``server_flags`` adds
    the address and credential flags. Each parser sets ``roster_action``; the CLI then calls
    :func:`run` with the parsed arguments and its client factory. Help texts are said in the
    run's language (the CLI reads ``--lang`` before it builds the parsers)."""
    from i18n import say

    def h(key: str) -> str:
        return say(f"roster.help.{key}")

    p = batch_subparsers.add_parser("template", help=h("template"))
    p.add_argument("--out", type=Path, default=Path("roster-template.xlsx"), help=h("out"))
    p.set_defaults(roster_action="template")

    p = batch_subparsers.add_parser("submit", help=h("submit"))
    p.add_argument("file", type=Path, help=h("file"))
    for flag in ("program", "period", "region", "bank", "payer-name", "payer-account"):
        p.add_argument(f"--{flag}", required=True, help=h(flag))
    p.add_argument("--key", help=h("key"))
    p.add_argument("--control-count", type=int, help=h("control-count"))
    p.add_argument("--control-total", help=h("control-total"))
    p.add_argument("--max-amount", help=h("max-amount"))
    p.add_argument("--result", type=Path, help=h("result"))
    p.add_argument("--check-only", action="store_true", help=h("check-only"))
    p.add_argument("--json", action="store_true", help=h("json"))
    server_flags(p)
    p.set_defaults(roster_action="submit")


def run(args, client: Callable) -> int:
    """``client(args)`` makes the gRPC client from the flags (:func:`adapter.cli._client`)."""
    if args.roster_action == "template":
        return _template(args)
    return _submit(args, client)


# --- template ---------------------------------------------------------------------------------


def _template(args) -> int:
    from adapter import roster_template
    from i18n import say

    if args.out.exists():
        print(f"ykt: {say('roster.file_exists', path=args.out)}", file=sys.stderr)
        return EXIT_REFUSED_HERE
    roster_template.write(args.out)
    print(say("roster.template_written", path=args.out))
    return EXIT_OK


# --- submit -----------------------------------------------------------------------------------


def _submit(args, client: Callable) -> int:
    from adapter import roster_check
    from adapter.roster_sheet import Roster, SheetError, yuan_to_fen
    from i18n import say

    err = sys.stderr
    try:
        max_fen = yuan_to_fen(args.max_amount) if args.max_amount else None
        stated_total = yuan_to_fen(args.control_total) if args.control_total else None
    except ValueError as exc:
        option = "--max-amount" if args.max_amount and _bad_yuan(args.max_amount) else "--control-total"
        print(f"ykt: {say('roster.bad_option', option=option, why=exc)}", file=err)
        return EXIT_REFUSED_HERE
    if max_fen is not None and max_fen <= 0:
        print(f"ykt: {say('roster.bad_option', option='--max-amount', why=say('roster.not_positive', value=args.max_amount))}",
              file=err)
        return EXIT_REFUSED_HERE
    result_path = args.result or args.file.with_name(args.file.stem + "-result.xlsx")
    if not args.check_only and result_path.exists():
        print(f"ykt: {say('roster.file_exists', path=result_path)}", file=err)
        return EXIT_REFUSED_HERE
    try:
        roster = Roster(args.file)
        key = args.key or roster_check.default_key(roster_check.file_digest(args.file), args)
    except SheetError as exc:
        return _sheet_refused(args, exc)
    except OSError as exc:
        return _file_refused(args.file, exc)
    if args.check_only:
        return _check_and_submit(args, roster, max_fen, stated_total, None, result_path)
    from adapter import roster_result
    from adapter.roster_stream import Stream
    from domain.model import BatchHeader
    from i18n import current

    # the totals follow the lines (0 here): the rows go out as they pass, the totals once all did
    header = BatchHeader(idempotency_key=key, program=args.program, period=args.period, region=args.region,
                         bank_code=args.bank, payer_name=args.payer_name, payer_account=args.payer_account,
                         control_count=0, control_total_fen=0, max_amount_fen=max_fen)
    try:  # the result sheet's rows wait beside it (before anything is sent: a folder that is not there)
        prepared = roster_result.Prepared(result_path.parent, current())
    except OSError as exc:
        return _file_refused(result_path, exc)
    api = client(args)
    stream = Stream(api, header)
    try:
        return _check_and_submit(args, roster, max_fen, stated_total, (api, stream, prepared), result_path)
    finally:
        stream.cancel()  # anything but a commit (a wrong row, an exception, ^C): nothing is stored
        prepared.close()


def _check_and_submit(args, roster, max_fen, stated_total, sending, result_path) -> int:
    """Check every row, showing every problem; with ``sending`` (the client, the open
    :class:`~adapter.roster_stream.Stream` and the result sheet's
    :class:`~adapter.roster_result.Prepared` rows) the rows go out as they pass, and the roster
    is committed, its issues fetched and the result sheet written once all did."""
    from adapter import roster_check
    from adapter.roster_sheet import SheetError
    from adapter.roster_spool import Spool
    from domain.money import yuan
    from i18n import current, say

    as_json = getattr(args, "json", False)
    out = _Quiet() if as_json else sys.stdout  # --json: one object at the end, nothing else on stdout
    err = sys.stderr
    stream, prepared = sending[1:] if sending else (None, None)
    try:
        with _progress() as progress:
            tick = _ticker(progress, say("roster.checking"), lambda: roster.rows_estimate)
            spool = None
            if stream is not None:
                spool = Spool(stream)
                spool.each = prepared.add
            report = roster_check.check(roster, max_amount_fen=max_fen, control_count=args.control_count,
                                        control_total_fen=stated_total, tick=tick, spool=spool)
            tick.finish()
    except SheetError as exc:
        return _sheet_refused(args, exc)
    except OSError as exc:
        return _file_refused(args.file, exc)
    for p in roster.notes:
        print(roster_check.describe(p), file=out)
    warnings_shown = 0
    for p in report.problems:  # every error; warnings up to WARNINGS_SHOWN, the rest in the problems sheet
        if p.severity != "error":
            warnings_shown += 1
            if warnings_shown > WARNINGS_SHOWN:
                continue
        print(roster_check.describe(p), file=out)
    if warnings_shown > WARNINGS_SHOWN and not report.errors:
        problems_path = args.file.with_name(args.file.stem + "-problems.xlsx")
        roster_check.write_problems(problems_path, roster.notes + report.problems, lang=current())
        print(say("roster.more_warnings", count=warnings_shown - WARNINGS_SHOWN, path=problems_path), file=out)
    if roster.blank_rows:
        print(say("roster.blank_rows", count=roster.blank_rows), file=out)
    for row in report.examples:
        print(say("roster.example_skipped", row=row), file=out)
    for row, kind, text in roster.skipped:
        print(say(f"roster.skipped.{kind}", row=row, text=text), file=out)
    if report.warnings:
        print(say("roster.warned", warnings=report.warnings), file=out)
    if report.errors:
        problems_path = args.file.with_name(args.file.stem + "-problems.xlsx")
        roster_check.write_problems(problems_path, roster.notes + report.problems, lang=current())
        if as_json:
            return _json_refusal(roster.notes + report.problems, [str(problems_path)])
        print(say("roster.refused", errors=report.errors, rows=report.rows_wrong), file=err)
        print(say("roster.problems_written", path=problems_path), file=err)
        return EXIT_REFUSED_HERE
    if not report.count:
        print(say("roster.empty"), file=err)
        return EXIT_REFUSED_HERE
    print(say("roster.checked", count=report.count, total=yuan(report.total_fen)), file=out)
    if stream is None:
        if as_json:
            _json_out({"checked": True, "line_count": report.count, "total_fen": report.total_fen,
                       "warnings": report.warnings})
        return EXIT_OK
    return _committed(args, sending[0], stream, prepared, report, result_path, out)


def _committed(args, api, stream, prepared, report, result_path, out) -> int:
    """Every row passed: the totals end the stream and the service commits the roster; then its
    issues are fetched and the result sheet written (its rows were rendered, ``prepared``, as the
    lines went out)."""
    import grpc

    from adapter import roster_result
    from domain.money import yuan
    from i18n import current, name, say

    as_json = getattr(args, "json", False)
    try:
        with _progress() as progress:
            stream.commit(report.count, report.total_fen)
            waiting = progress.add_task(say("roster.waiting"), total=None)
            response = stream.answer()
            progress.update(waiting, total=1, completed=1)
            tick = _ticker(progress, say("roster.fetching"), response.issue_count) if response.issue_count else None
            issues = fetch_issues(api, response.batch_id, response.issue_count, tick)
            if tick is not None:
                tick.finish()
            tick = _ticker(progress, say("roster.writing"), report.count)
            roster_result.write(result_path, prepared, response, issues, args.file.name, tick=tick, lang=current())
            tick.finish()
    except grpc.RpcError as exc:
        return _rpc_failed(exc)
    if response.replayed:
        print(say("roster.replayed"), file=out)
    print(say("roster.submitted", batch=response.batch_id, status=name("batch_status", response.status),
              accepted=response.accepted_count, rejected=response.rejected_count, held=response.held_count,
              count=response.line_count, total=yuan(response.total_fen)), file=out)
    print(say("roster.result_written", path=result_path), file=out)
    if as_json:
        _json_out({"batch_id": response.batch_id, "status": response.status, "replayed": response.replayed,
                   "line_count": response.line_count, "total_fen": response.total_fen,
                   "accepted_count": response.accepted_count, "rejected_count": response.rejected_count,
                   "held_count": response.held_count, "issue_count": response.issue_count,
                   "result": str(result_path)})
    if response.rejected_count:
        print(say("roster.correct_hint"), file=out)
        return EXIT_REJECTED
    return EXIT_OK


def _sheet_refused(args, exc) -> int:
    """A file that cannot be read as a roster: its problems, exit 2."""
    from adapter import roster_check

    if getattr(args, "json", False):
        return _json_refusal(exc.problems, [])
    for p in exc.problems:
        print(roster_check.describe(p), file=sys.stderr)
    return EXIT_REFUSED_HERE


def _file_refused(path: Path, exc: OSError) -> int:
    """A file that cannot be read or written here (the roster, the result sheet's folder): the
    path and the system's reason, exit 2."""
    print(f"ykt: {path}: {exc.strerror or exc}", file=sys.stderr)
    return EXIT_REFUSED_HERE


class _Quiet:
    """stdout under ``--json``: the human lines go nowhere."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


def _json_out(obj: dict) -> None:
    import json

    print(json.dumps(obj, ensure_ascii=False))


def _json_refusal(problems, files: list[str]) -> int:
    """A roster refused here, for scripts: stderr holds one JSON ``error`` with every problem
    (row, seq, column, field, code, severity, message); exit 2."""
    import json

    print(json.dumps({"error": {"code": "ROSTER_REFUSED", "exit_code": EXIT_REFUSED_HERE, "files": files,
                                "problems": [{"row": p.row, "seq": p.seq, "column": p.column, "field": p.field,
                                              "code": p.code, "severity": p.severity, "message": p.message}
                                             for p in problems]}}, ensure_ascii=False), file=sys.stderr)
    return EXIT_REFUSED_HERE


def _bad_yuan(text: str) -> bool:
    from adapter.roster_sheet import yuan_to_fen

    try:
        yuan_to_fen(text)
    except ValueError:
        return True
    return False


def fetch_issues(api, batch_id: str, expected: int, tick=None) -> dict[int, list]:
    """Every issue the service found in the batch, by seq, paged through ListLineIssues."""
    from ykt.v1 import disbursement_pb2 as pb

    found: dict[int, list] = {}
    if not expected:
        return found
    after = 0
    while True:
        page = api.call("ListLineIssues", pb.ListLineIssuesRequest(batch_id=batch_id, page_size=ISSUE_PAGE,
                                                                   after_issue_id=after), timeout=120)
        for issue in page.issues:
            found.setdefault(issue.seq, []).append(issue)
            if tick is not None:
                tick()
        if not page.next_after_issue_id:
            return found
        after = page.next_after_issue_id


def _rpc_failed(exc) -> int:
    import grpc

    from i18n import say

    refused = exc.code() in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION,
                             grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.UNAUTHENTICATED,
                             grpc.StatusCode.NOT_FOUND, grpc.StatusCode.ALREADY_EXISTS, grpc.StatusCode.OUT_OF_RANGE)
    detail = f"{exc.code().name}: {exc.details() or ''}"
    print(f"ykt: {say('roster.server_refused' if refused else 'roster.server_error', detail=detail)}",
          file=sys.stderr)
    for field, description in _violations(exc):
        print(f"  {field}: {description}", file=sys.stderr)
    return EXIT_REFUSED_THERE if refused else EXIT_FAILED


def _violations(exc) -> list[tuple[str, str]]:
    try:
        from google.rpc import error_details_pb2
        from grpc_status import rpc_status

        status = rpc_status.from_call(exc)
    except (ValueError, AttributeError):
        return []
    found = []
    for detail in status.details if status is not None else ():
        bad = error_details_pb2.BadRequest()
        if detail.Unpack(bad):
            found += [(v.field, v.description) for v in bad.field_violations]
    return found


# --- progress ---------------------------------------------------------------------------------


def _progress():
    """A progress display on stderr: rows done of all, rows a second, time left and taken. On a
    terminal it redraws itself; elsewhere (a pipe, a test) it prints nothing."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    from i18n import say

    class Rate(ProgressColumn):
        def render(self, task) -> Text:
            speed = task.finished_speed or task.speed
            return Text(say("roster.rate", rate=f"{speed:,.0f}" if speed else "-"))

    console = Console(stderr=True)
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), Rate(),
                    TimeRemainingColumn(), TimeElapsedColumn(), console=console, disable=not console.is_terminal,
                    refresh_per_second=4)


def _ticker(progress, description: str, total, every: int = 500):
    """A function to call once a row (or with the rows done); it moves the bar every ``every``
    rows (rich's bookkeeping costs microseconds a call: not a row's worth). ``total`` is the
    rows expected, or a function giving them once known (an XLSX sheet says after it is opened)."""
    known = total() if callable(total) else total
    task = progress.add_task(description, total=known)
    count = 0
    shown = 0

    def tick(rows: int = 1) -> None:
        nonlocal count, shown, known
        count += rows
        if count - shown >= every:
            shown = count
            if known is None and callable(total):
                known = total()
            progress.update(task, completed=count, total=known)

    tick.finish = lambda: progress.update(task, completed=count, total=count)  # type: ignore[attr-defined]
    return tick
