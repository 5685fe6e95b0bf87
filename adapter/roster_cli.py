"""``ykt batch template`` and ``ykt batch submit FILE``: rosters from Excel (issue 16 item 2).

::

    ykt batch template [--out roster-template.xlsx]
    ykt batch submit FILE --program P --period YYYY-MM --region R --bank B --payer-name N
                          --payer-account A [--key K] [--control-count N --control-total YUAN]
                          [--max-amount YUAN] [--result PATH] [--check-only]

FILE is an XLSX sheet, a CSV file (UTF-8 with or without BOM, or GBK/GB18030) or JSON lines.
The sheet is checked locally first, with the domain's own checks; every problem is shown with its
row number and nothing is sent while any row is wrong. Kept apart from :mod:`adapter.cli` (which
owns the ``batch`` group and calls :func:`add_parsers`); imports are inside the functions so that
``ykt --help`` stays quick.
"""
from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

# exit codes: 0 sent (every row accepted or held), 1 server error, 2 refused input (nothing sent),
# 3 sent but the service rejected rows (see the result sheet)
EXIT_OK, EXIT_SERVER, EXIT_REFUSED, EXIT_REJECTED = 0, 1, 2, 3


def add_parsers(batch_subparsers, server_flags: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``template`` and ``submit`` to the ``batch`` group's subparsers; ``server_flags`` adds
    the address and credential flags. Each parser sets ``roster_action``; the CLI then calls
    :func:`run` with the parsed arguments and its client factory."""
    p = batch_subparsers.add_parser("template", help="write an XLSX roster template (columns and one example row)")
    p.add_argument("--out", type=Path, default=Path("roster-template.xlsx"),
                   help="the file to write (default roster-template.xlsx; never over an existing file)")
    p.set_defaults(roster_action="template")

    p = batch_subparsers.add_parser("submit", help="check a roster (XLSX, CSV or JSON lines) locally, then submit it")
    p.add_argument("file", type=Path, help="the roster: .xlsx, .csv (UTF-8 or GBK) or .jsonl")
    p.add_argument("--program", required=True, help="subsidy program code")
    p.add_argument("--period", required=True, help="e.g. 2026-11")
    p.add_argument("--region", required=True, help="6-digit administrative division code")
    p.add_argument("--bank", required=True, help="the agency bank's code")
    p.add_argument("--payer-name", required=True, help="the paying account's name")
    p.add_argument("--payer-account", required=True, help="the paying account")
    p.add_argument("--key", help="idempotency key (default: derived from the file's content and the header)")
    p.add_argument("--control-count", type=int, help="the roster's stated line count (default: counted)")
    p.add_argument("--control-total", help="the roster's stated total in yuan (default: summed)")
    p.add_argument("--max-amount", help="the program's standard per line in yuan (default: none)")
    p.add_argument("--result", type=Path, help="the result sheet (default: FILE's name with -result.xlsx beside it)")
    p.add_argument("--check-only", action="store_true", help="check the roster locally and send nothing")
    server_flags(p)
    p.set_defaults(roster_action="submit")


def run(args, client: Callable) -> int:
    """``client(args)`` makes the gRPC client from the flags (:func:`adapter.cli._client`)."""
    raise NotImplementedError("ykt batch template/submit: being written (issue 16 item 2)")
