"""``ykt report``: fetch a report and export it, or verify a copy of one.

::

    ykt report reconciliation BATCH   [--format json,txt,pdf,xlsx,csv|all] [--party P] [--out DIR]
    ykt report refund BATCH           [same]
    ykt report aggregate --program P --period YYYY-MM --region R   [same]
    ykt report monthly --program P --region R --month YYYY-MM      [same]
    ykt report verify FILE [--public-key KEYS] [--party P] [--digest D --signature S]

Reports are exported where they are fetched, from the signed content the server sent. ``verify``
checks a JSON export (or a bare content file with ``--digest`` and ``--signature``): with
``--public-key`` offline, against those keys (``ykt keys public``, or one PEM); without it the
server checks, against its own keys.
Kept apart from :mod:`adapter.cli` so the report commands stay in one small place; imports are
inside the functions so that ``ykt --help`` stays quick.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from i18n import say
from i18n.library_words import briefly, said

DEFAULT_FORMATS = "json,txt"


def add_parsers(report: argparse.ArgumentParser, server_flags: Callable[[argparse.ArgumentParser], None]) -> None:
    """The ``report`` subcommands; ``server_flags`` adds the address and credential flags."""
    sub = report.add_subparsers(dest="report_kind", required=True)
    for kind, what in (("reconciliation", say("cli.help.report.reconciliation")),
                       ("refund", say("cli.help.report.refund"))):
        p = sub.add_parser(kind, help=what)
        p.add_argument("batch_id")
        _export_flags(p, server_flags)
    p = sub.add_parser("aggregate", help=say("cli.help.report.aggregate"))
    p.add_argument("--program", required=True)
    p.add_argument("--period", required=True)
    p.add_argument("--region", required=True)
    _export_flags(p, server_flags)
    p = sub.add_parser("monthly", help=say("cli.help.report.monthly"))
    p.add_argument("--program", required=True)
    p.add_argument("--region", required=True)
    p.add_argument("--month", required=True, help=say("cli.help.report.month"))
    _export_flags(p, server_flags)
    p = sub.add_parser("verify", help=say("cli.help.report.verify"))
    p.add_argument("file", type=Path, help=say("cli.help.report.verify_file"))
    p.add_argument("--public-key", type=Path, help=say("cli.help.report.public_key"))
    p.add_argument("--party", default="", help=say("cli.help.report.verify_party"))
    p.add_argument("--digest", default="", help=say("cli.help.report.digest"))
    p.add_argument("--signature", default="", help=say("cli.help.report.signature"))
    server_flags(p)


def _export_flags(p: argparse.ArgumentParser, server_flags) -> None:
    p.add_argument("--format", default=DEFAULT_FORMATS,
                   help=say("cli.help.report.format", default=DEFAULT_FORMATS))
    p.add_argument("--party", help=say("cli.help.report.party"))
    p.add_argument("--out", type=Path, default=Path("."), help=say("cli.help.report.out"))
    server_flags(p)


def run(args, client: Callable) -> int:
    """``client(args)`` makes the gRPC client from the flags (:func:`adapter.cli._client`)."""
    import grpc

    try:
        if args.report_kind == "verify":
            return _verify(args, client)
        return _fetch_and_export(args, client)
    except grpc.RpcError as exc:  # exit 3 refused, 4 failed (adapter/cli_errors.py)
        from adapter.cli_errors import report

        return report(exc)


def _fetch_and_export(args, client) -> int:
    from dataclasses import replace
    from datetime import UTC, datetime

    from adapter.convert import document_from_pb
    from domain import beijing
    from reports import exports
    from reports.documents import for_party
    from reports.exports.pdf import FontMissing
    from ykt.v1 import disbursement_pb2 as pb

    names = list(exports.FORMATS) if args.format == "all" else [f.strip() for f in args.format.split(",") if f.strip()]
    unknown = [n for n in names if n not in exports.FORMATS]
    if unknown or not names:
        print("ykt: " + say("cli.report.unknown_format", formats=", ".join(unknown) or "-",
                            known=", ".join(exports.FORMATS)), file=sys.stderr)
        return 2
    method, request = {
        "reconciliation": lambda: ("GetReconciliation", pb.GetReportRequest(batch_id=args.batch_id)),
        "refund": lambda: ("GetRefundReport", pb.GetReportRequest(batch_id=args.batch_id)),
        "aggregate": lambda: ("GetAggregateReconciliation", pb.GetAggregateReportRequest(
            program=args.program, period=args.period, region=args.region)),
        "monthly": lambda: ("GetMonthlyReport", pb.GetMonthlyReportRequest(
            program=args.program, region=args.region, month=args.month)),
    }[args.report_kind]()
    report = client(args).call(method, request, timeout=600)
    # The Report message carries no time of issue (it is outside the signed content): the copy is
    # issued to this user now, and its exports say so in Beijing time.
    doc = replace(document_from_pb(report), issued_at=beijing.local(datetime.now(UTC)).isoformat(timespec="seconds"))
    if args.party:
        try:
            doc = for_party(doc, args.party.upper())
        except ValueError as exc:
            print(f"ykt: {exc}", file=sys.stderr)
            return 2
    written = []
    for name in names:
        try:
            written.append(exports.export(doc, name, args.out))
        except FontMissing as exc:
            print(f"ykt: {exc}", file=sys.stderr)
            return 2
    print(report.text)
    print(say("cli.report.written", files=" ".join(str(p) for p in written)))
    return 0


def _verify(args, client) -> int:
    from reports.signing import SigningKeyError, public_keys_from_text
    from reports.verification import CopyVerdict, Verdict, verify
    from ykt.v1 import disbursement_pb2 as pb

    try:
        data = args.file.read_bytes()
        public_key = (public_keys_from_text(args.public_key.read_text(encoding="ascii"), str(args.public_key))
                      if args.public_key is not None else None)
    except SigningKeyError as exc:
        print(f"ykt: {say('cli.signing.refused', why=said(exc))}", file=sys.stderr)
        return 2
    except (OSError, UnicodeDecodeError) as exc:
        name = getattr(exc, "filename", None) or (args.public_key if isinstance(exc, UnicodeDecodeError) else args.file)
        print(f"ykt: {say('cli.file.unreadable', file=name, why=briefly(exc))}", file=sys.stderr)
        return 2
    if public_key is not None:
        verdict = verify(data, public_key, args.party.upper(), args.digest, args.signature)
        against = say("cli.report.against_file", path=args.public_key)
    else:
        reply = client(args).call("VerifyReportCopy", pb.VerifyReportCopyRequest(
            content=data, party=args.party.upper(), content_sha256=args.digest, signature=args.signature),
            timeout=120)
        verdict = Verdict(reply.kind, reply.computed_sha256,
                          tuple(CopyVerdict(c.party, tuple(c.problems)) for c in reply.copies), tuple(reply.problems))
        against = say("cli.report.against_server", address=args.address)
    print(say("cli.report.checked", file=args.file, kind=verdict.kind or "report",
              sha256=verdict.computed_sha256 or "-", against=against))
    for line in verdict.lines():
        print(f"  {line}")
    print("VALID" if verdict.valid else "NOT VALID")
    return 0 if verdict.valid else 1
