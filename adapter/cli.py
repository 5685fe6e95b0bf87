"""The ``ykt`` command: a command for every task a person does, grouped by who does it
(batch, lines, issues, stop, files, statement, exceptions, audit, disclosure, ledger, report), and the
operator's commands (serve, demo, bank-sim, migrate, verify, keys, backup, restore, token, certs).

The people's commands live in small modules (:mod:`adapter.cli_batches`, :mod:`adapter.cli_lines`,
:mod:`adapter.cli_files`, :mod:`adapter.cli_stop`, :mod:`adapter.cli_ledger`, :mod:`adapter.report_cli`);
each subcommand sets ``run(args, client_factory)``. Words for people go through :mod:`i18n` in the language of
``--lang`` (or ``YKT_LANG``; Chinese by default), which is also sent to the service as
``accept-language``; ``--json`` gives scripts codes and integer fen. Exit codes: see
:mod:`adapter.cli_errors`.

Commands that call the server take credentials from flags or the environment: a bearer token
from ``--token-file`` or ``YKT_TOKEN`` (never a command-line argument: other users could read it
in the process list), and for TLS ``--ca``/``--cert``/``--key`` or ``YKT_TLS_CA``,
``YKT_TLS_CERT``, ``YKT_TLS_KEY``. ``ykt serve`` takes its own (TLS files, users) from the
``[auth]`` settings.
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from pathlib import Path

import i18n
from adapter import cli_argparse, cli_batches, cli_files, cli_ledger, cli_lines, cli_stop, report_cli
from adapter.cli_files import format_exceptions, format_files  # noqa: F401  (the demo prints them)
from i18n import say
from i18n.library_words import briefly, said

DEFAULT_ADDRESS = "127.0.0.1:50051"


def _credential_flags(p: argparse.ArgumentParser, default=None) -> None:
    p.add_argument("--token-file", type=Path, default=default, help=say("cli.help.token_file"))
    p.add_argument("--ca", type=Path, default=default, help=say("cli.help.ca"))
    p.add_argument("--cert", type=Path, default=default, help=say("cli.help.cert"))
    # dest tls_key: a command's own --key (batch submit's idempotency key) must not be taken for it
    key = "--tls-key" if "--key" in p._option_string_actions else "--key"
    p.add_argument(key, dest="tls_key", type=Path, default=default, help=say("cli.help.key"))
    p.add_argument("--server-name", default=default, help=say("cli.help.server_name"))


def _server_flags(p: argparse.ArgumentParser, suppress: bool = False) -> None:
    """The address, the credentials and ``--lang``; ``suppress`` on an action whose group has
    them too, so that flags given before the action word are not reset by its defaults."""
    p.add_argument("--address", default=argparse.SUPPRESS if suppress else DEFAULT_ADDRESS,
                   help=say("cli.help.address", default=DEFAULT_ADDRESS))
    _credential_flags(p, argparse.SUPPRESS if suppress else None)
    _lang_flag(p)


def _lang_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", choices=("zh", "en"), default=argparse.SUPPRESS,
                   help=say("cli.help.lang"))


def _json_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                   help=say("cli.help.json"))




def main(argv: list[str] | None = None) -> int:
    """Run ``ykt`` in the language asked for (``--lang``, else ``YKT_LANG``), set before the
    parsers are built (their help is words too) and put back afterwards, with argparse's own
    words, so that a caller in the same process (a test, the demo) keeps its own."""
    asked = _lang_of(sys.argv[1:] if argv is None else argv)
    language = i18n.use(asked)
    argparse_words = cli_argparse.install()  # argparse's own words ("usage:", "invalid choice") in that language
    try:
        return _main(argv, asked)
    finally:
        cli_argparse.restore(argparse_words)
        i18n.reset(language)


def _main(argv: list[str] | None, asked: str | None) -> int:
    parser = argparse.ArgumentParser(prog="ykt", description=say("cli.help.ykt"),
                                     epilog=say("cli.help.roles") + "\n\n" + say("cli.help.epilog"),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-v", "--verbose", action="store_true", help=say("cli.help.verbose"))
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}", help=say("cli.help.version"))
    parser.add_argument("--lang", choices=("zh", "en"), default=None,
                        help=say("cli.help.lang"))
    parser.add_argument("--json", action="store_true", default=False,
                        help=say("cli.help.json"))
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    cli_batches.add_parsers(sub, _server_flags, _json_flag)
    cli_lines.add_parsers(sub, _server_flags, _json_flag)
    cli_stop.add_parsers(sub, _server_flags, _json_flag)
    cli_files.add_parsers(sub, _server_flags, _json_flag)
    cli_ledger.add_parsers(sub, _server_flags, _json_flag)

    p = sub.add_parser("demo", help=say("cli.help.demo"))
    p.add_argument("--lines", type=_demo_lines, default=1000, metavar="N",
                   help=say("cli.help.demo.lines"))
    p.add_argument("--seed", type=int, default=7, help=say("cli.help.demo.seed"))
    p.add_argument("--data-dir", type=Path, default=Path("var/demo"), help=say("cli.help.demo.data_dir"))

    p = sub.add_parser("serve", help=say("cli.help.serve"))
    p.add_argument("--config", type=Path, required=True, help=say("cli.help.config"))
    p.add_argument("--address", default=DEFAULT_ADDRESS)
    p.add_argument("--no-worker", action="store_true", help=say("cli.help.serve.no_worker"))
    p.add_argument("--log-json", action="store_true", help=say("cli.help.serve.log_json"))

    p = sub.add_parser("migrate", help=say("cli.help.migrate"))
    p.add_argument("--config", type=Path, required=True)

    p = sub.add_parser("verify", help=say("cli.help.verify"))
    p.add_argument("--config", type=Path, required=True)

    p = sub.add_parser("keys", help=say("cli.help.keys"))
    p.add_argument("action", choices=["init", "rotate", "rotate-signing", "public"])
    p.add_argument("--config", type=Path, required=True)
    p.add_argument("--out", type=Path, help=say("cli.help.keys.out"))

    p = sub.add_parser("backup", help=say("cli.help.backup"))
    p.add_argument("--config", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True, help=say("cli.help.backup.out"))

    p = sub.add_parser("restore", help=say("cli.help.restore"))
    p.add_argument("--config", type=Path, required=True)
    p.add_argument("archive", type=Path)

    p = sub.add_parser("bank-sim", help=say("cli.help.bank_sim"))
    p.add_argument("--profile", type=Path, required=True, help=say("cli.help.bank_sim.profile"))
    p.add_argument("--root", type=Path, required=True, help=say("cli.help.bank_sim.root"))
    p.add_argument("--port", type=int, default=2222)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--authorized-keys", type=Path, required=True, help=say("cli.help.bank_sim.authorized_keys"))
    p.add_argument("--host-key", type=Path, required=True, help=say("cli.help.bank_sim.host_key"))
    p.add_argument("--interval", type=float, default=1.0, help=say("cli.help.bank_sim.interval"))
    p.add_argument("--keys", type=Path, help=say("cli.help.bank_sim.keys"))
    p.add_argument("--service-keys", type=Path, help=say("cli.help.bank_sim.service_keys"))
    p.add_argument("--rereport", action="store_true", help=say("cli.help.bank_sim.rereport"))
    p.add_argument("--pay-twice", type=_seqs, default=(), metavar="SEQS",
                   help=say("cli.help.bank_sim.pay_twice"))
    p.add_argument("--pay-twice-ppm", type=int, default=0, metavar="N",
                   help=say("cli.help.bank_sim.pay_twice_ppm"))

    p = sub.add_parser("report", help=say("cli.help.report"))
    report_cli.add_parsers(p, _server_flags)

    for name, method, what in (("regenerate-file", "RegenerateFile", say("cli.help.regenerate_file")),
                               ("mark-delivered", "MarkFileDelivered", say("cli.help.mark_delivered"))):
        cli_files.file_action_flags(sub.add_parser(name, help=what), _server_flags, _json_flag, method)

    p = sub.add_parser("token", help=say("cli.help.token"))
    p.add_argument("user", help=say("cli.help.token.user"))
    p.add_argument("--role", default="CLERK", help=say("cli.help.token.role"))
    p.add_argument("--bank", action="append", default=[], metavar="CODE",
                   help=say("cli.help.token.bank"))

    p = sub.add_parser("certs", help=say("cli.help.certs"))
    p.add_argument("--out", type=Path, required=True, help=say("cli.help.certs.out"))
    p.add_argument("--server-name", action="append", dest="server_names",
                   help=say("cli.help.certs.server_name"))
    p.add_argument("--client", action="append", default=[], help=say("cli.help.certs.client"))

    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    from privacy import logmask

    logmask.install()  # no ID, account or phone number reaches a log in the clear
    from service.config import ConfigError
    from service.profiles import ProfileError

    if hasattr(args, "run"):
        command = lambda args: args.run(args, _client)  # noqa: E731
    else:
        command = {"demo": _demo, "serve": _serve, "migrate": _migrate, "verify": _verify, "keys": _keys,
                   "bank-sim": _bank_sim, "report": _report, "token": _token, "certs": _certs, "backup": _backup,
                   "restore": _restore}[args.command]
    return _guarded(command, args, (ConfigError, ProfileError), asked)


def _lang_of(argv: list[str]) -> str | None:
    """The language asked for by ``--lang X`` (or ``--lang=X``) anywhere in the words, else
    ``YKT_LANG``."""
    for i, word in enumerate(argv):
        if word == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if word.startswith("--lang="):
            return word.partition("=")[2]
    return os.environ.get("YKT_LANG")


def _guarded(command, args, settings_errors: tuple[type[Exception], ...], asked: str | None = None) -> int:
    """Run a command; a mistake or failure is said in one line or a few, never as a traceback
    (unless ``-v`` asks for one): bad settings, profile or credentials (``settings_errors``, exit 2,
    one line per problem, in the language ``asked`` for, else the settings' own: see
    :func:`adapter.cli_errors.settings_refused`), a refused or failed call (exit 3 or 4, adapter.cli_errors), a file that
    cannot be read (2), a reader that stopped reading (``| head``), Ctrl-C."""
    import grpc

    from adapter import cli_errors
    from adapter.cli_lines import LinesFileError

    try:
        code = command(args)
        sys.stdout.flush()  # here, where a reader gone away (``| head``) is caught, not at exit
        return code
    except settings_errors as exc:
        return cli_errors.settings_refused(exc, asked, as_json=getattr(args, "json", False))
    except grpc.RpcError as exc:
        return cli_errors.report(exc, as_json=getattr(args, "json", False))
    except LinesFileError as exc:
        return cli_errors.refuse(str(exc))
    except BrokenPipeError:
        # the reader has all it wanted (``ykt files list | head -1``): stop quietly; point stdout
        # at nothing so that the interpreter's last flush does not complain either
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("", file=sys.stderr)
        return cli_errors.INTERRUPTED
    except OSError as exc:
        if exc.filename is None:  # not about a file the person named: see below
            return _unexpected(exc, args)
        return cli_errors.refuse(i18n.say("cli.file.unusable", file=exc.filename, why=briefly(exc)))
    except NotImplementedError as exc:
        return cli_errors.refuse(str(exc))
    except Exception as exc:
        return _unexpected(exc, args)


def _unexpected(exc: Exception, args) -> int:
    """Something no one foresaw: one line and exit 4, or the traceback with ``-v``."""
    from adapter import cli_errors

    if args.verbose:
        raise exc
    print("ykt: " + i18n.say("cli.error.unexpected", what=f"{type(exc).__name__}: {exc}"), file=sys.stderr)
    return cli_errors.FAILED


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("ykt-adapter")
    except metadata.PackageNotFoundError:
        return "(not installed)"


def _demo_lines(text: str) -> int:
    """``ykt demo --lines N``: a whole number from 1 to 1,000,000 (the demo's own limit)."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give a whole number of lines, e.g. 100000") from None
    if not 1 <= n <= 1_000_000:
        raise argparse.ArgumentTypeError(f"{text!r}: the demo runs 1 to 1,000,000 lines per bank")
    return n


def _seqs(text: str) -> tuple[int, ...]:
    """``"3,7"`` → (3, 7): line numbers given on the command line."""
    try:
        seqs = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give line numbers separated by commas, e.g. 3,7") from None
    if any(seq < 1 for seq in seqs):
        raise argparse.ArgumentTypeError(f"{text!r}: line numbers start at 1")
    return seqs


def _demo(args) -> int:
    from adapter import demo

    return 0 if demo.run(args.data_dir, args.lines, args.seed).ok else 1


def _context(config: Path, check_files: bool = False):
    from ledger.db import make_engine
    from service import config as settings_file
    from service.context import Context

    settings = settings_file.load(config)
    if check_files:  # every file and variable the settings name, before anything starts
        settings_file.check_start(settings)
    return Context(engine=make_engine(settings.database_url), settings=settings)


def _migrate(args) -> int:
    from ledger.db import make_engine, migrate
    from service import config as settings_file

    migrate(make_engine(settings_file.load(args.config).database_url))
    return 0


def _verify(args) -> int:
    """Exit 0 when everything holds, 1 naming the first break on one line: a damaged, truncated
    or missing database is a break too, never a traceback."""
    from ledger import journal
    from service import config as settings_file

    report = journal.verify_url(settings_file.load(args.config).database_url)
    if report.database:
        print(i18n.say("cli.verify.database", database=report.database))
    if report.walked:
        print(i18n.say("cli.verify.counts", entries=report.entries, transactions=report.transactions,
                       batches=report.batches))
    if report.ok:
        print(i18n.say("cli.verify.ok"))
        return 0
    print(i18n.say("cli.verify.broken", n=len(report.breaks), first=_plain(report.breaks[0])))
    for found in report.breaks[1:]:
        print(i18n.say("cli.verify.then", found=_plain(found)))
    return 1


def _plain(found) -> str:
    """A break on one line in the command's language, whatever its text holds (SQLite's own
    reports have newlines)."""
    words = found.words()
    text = words.said() if isinstance(words, i18n.Phrase) else words
    return " ".join(text.split())


def _keys(args) -> int:
    """``init`` writes a new key file (never over an existing one) and the report-signing key
    set unless it exists; ``rotate`` adds a key and makes it current, keeping the old ones so
    sealed data still opens; ``rotate-signing`` and ``public``: see :mod:`adapter.ops_cli`."""
    from adapter import cli_errors, ops_cli
    from privacy.errors import KeyringError
    from privacy.keys import Keyring, rotate_key_file
    from reports.signing import SigningKeyError
    from service import config as settings_file

    if args.action in ("rotate-signing", "public"):
        return ops_cli.signing(args, settings_file.load(args.config))
    path = settings_file.load(args.config).key_file
    try:
        if args.action == "init":
            path.parent.mkdir(parents=True, exist_ok=True)
            Keyring.generate(path)
            print(i18n.say("cli.keys.wrote", path=path))
            ops_cli.init_signing(settings_file.load(args.config))
            _init_sftp_keys(settings_file.load(args.config))
        else:
            print(i18n.say("cli.keys.rotated", path=path, key=rotate_key_file(path)))
    except KeyringError as exc:
        return cli_errors.refuse(i18n.say("cli.keys.refused", why=said(exc)))
    except SigningKeyError as exc:  # init makes the signing key set too
        return cli_errors.refuse(i18n.say("cli.signing.refused", why=said(exc)))
    return 0


def _init_sftp_keys(settings) -> None:
    """The SFTP keys the settings name and that do not exist yet: made (Ed25519, 0600), and the
    public key printed to give the bank."""
    from sftp.keys import generate_ed25519

    made = set()
    for code, bank in settings.banks.items():
        path = bank.sftp.private_key_path if bank.sftp is not None else None
        if path is None or path.exists() and path not in made:
            continue
        if path not in made:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            line = generate_ed25519(path, comment=f"ykt@{settings.instance_id or 'ykt'}")
            made.add(path)
            print(i18n.say("cli.keys.sftp_wrote", path=path, line=line))
        print(i18n.say("cli.keys.sftp_bank", bank=code, path=path))


def _backup(args) -> int:
    from adapter import ops_cli

    return ops_cli.backup(args)


def _restore(args) -> int:
    from adapter import ops_cli

    return ops_cli.restore(args)


def _serve(args) -> int:
    """Serve until SIGTERM or SIGINT, then let the worker finish its round and stop cleanly.

    The signals are blocked in every thread and taken synchronously with ``sigwait``: a Python
    handler that sets an Event can deadlock when it interrupts the main thread inside that same
    Event's lock.
    """
    from observability import logs
    from service.config import ConfigError

    logs.configure(json_lines=args.log_json)  # JSON from the first line on when asked on the command line
    ctx = _context(args.config, check_files=True)
    try:
        return _serving(args, ctx)
    except ConfigError as exc:  # the address, the metrics address: said as the settings' own problems are
        exc.language = exc.language or ctx.settings.language
        raise


def _serving(args, ctx) -> int:
    """``ykt serve`` with settings that loaded and passed the start checks."""
    from adapter import server
    from ledger.db import migrate
    from observability import logs, metrics
    from service.worker import Worker

    logs.configure(json_lines=args.log_json or ctx.settings.log_format == "json")
    migrate(ctx.engine)
    shutdown_signals = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, shutdown_signals)  # inherited by every thread below
    metrics_server = metrics.start(ctx, ctx.settings.metrics_address) if ctx.settings.metrics_address else None
    grpc_server, port = server.build(ctx, args.address)
    stop = threading.Event()
    worker = None
    if not args.no_worker:
        worker = threading.Thread(target=Worker(ctx).run_forever, args=(stop,), name="ykt-worker")
        worker.start()
    print(f"ykt serving on port {port}", flush=True)
    if metrics_server is not None:
        host, metrics_port = metrics_server.server_address[:2]
        print(f"ykt metrics on http://{host}:{metrics_port}/metrics", flush=True)
    received = signal.sigwait(shutdown_signals)
    logging.getLogger("ykt").info("received %s, stopping", signal.Signals(received).name)
    stop.set()
    grpc_server.stop(grace=5).wait()
    if worker is not None:
        worker.join()
    if metrics_server is not None:
        metrics_server.shutdown()
    return 0


def _bank_sim(args) -> int:
    import bank_sim
    from bank_sim.bank import party_keys
    from service.profiles import load_profile

    keys = None
    if args.keys or args.service_keys:
        if not (args.keys and args.service_keys):
            raise SystemExit(i18n.say("cli.bank_sim.keys_together"))
        keys = party_keys(args.keys, args.service_keys)
    bank = bank_sim.SimulatedBank.for_profile(args.root, load_profile(args.profile), args.seed, keys=keys,
                                              rereport=args.rereport, pay_twice=args.pay_twice,
                                              pay_twice_ppm=args.pay_twice_ppm)
    bank_sim.run(bank, args.port, args.authorized_keys, args.host_key, args.interval)
    return 0


def _report(args) -> int:
    return report_cli.run(args, _client)


def _client(args):
    """A client with the credentials of the flags, else of the environment."""
    from adapter.client import Client
    from service.config import ConfigError

    def pick(flag: Path | None, env: str) -> Path | None:
        return flag if flag is not None else (Path(os.environ[env]) if os.environ.get(env) else None)

    try:
        token = args.token_file.read_text(encoding="utf-8").strip() if args.token_file else os.environ.get("YKT_TOKEN")
    except OSError as exc:
        raise ConfigError(i18n.say("cli.credentials.token_file", why=exc)) from None
    if not args.address.strip():
        raise ConfigError(i18n.say("cli.credentials.no_address"))
    ca, cert, key = pick(args.ca, "YKT_TLS_CA"), pick(args.cert, "YKT_TLS_CERT"), pick(args.tls_key, "YKT_TLS_KEY")
    if (cert is None) != (key is None):
        raise ConfigError(i18n.say("cli.credentials.cert_and_key"))
    if cert is not None and ca is None:
        raise ConfigError(i18n.say("cli.credentials.needs_ca"))
    try:
        tls = (ca.read_bytes(), cert.read_bytes() if cert else None, key.read_bytes() if key else None) if ca else None
    except OSError as exc:
        raise ConfigError(i18n.say("cli.credentials.tls_files", why=exc)) from None
    return Client(args.address, token=token or None, tls=tls, server_name=args.server_name, language=i18n.current())


def _token(args) -> int:
    """Print a fresh token (shown once: hand it to the user) and the settings lines holding its SHA-256."""
    import json
    import re

    from service.identity import Role, new_token, token_sha256

    try:
        role = Role(args.role.upper())
    except ValueError:
        print("ykt: " + i18n.say("cli.token.unknown_role", role=args.role, known=", ".join(Role)), file=sys.stderr)
        return 2
    if (role is Role.BANK) != bool(args.bank):
        print("ykt: " + i18n.say("cli.token.bank_user"), file=sys.stderr)
        return 2
    token = new_token()
    key = args.user if re.fullmatch(r"[A-Za-z0-9_-]+", args.user) else json.dumps(args.user, ensure_ascii=False)
    print(i18n.say("cli.token.made", user=args.user) + f" {token}", file=sys.stderr)  # the token last: one word
    banks = f"banks = {json.dumps(sorted(set(args.bank)))}\n" if args.bank else ""
    print(f'[auth.users.{key}]\nrole = "{role}"\n{banks}token_sha256 = "{token_sha256(token)}"')
    return 0


def _certs(args) -> int:
    from adapter import certs

    paths = certs.write_set(args.out, tuple(args.server_names or ("localhost", "127.0.0.1")), tuple(args.client))
    for name, path in paths.items():
        print(f"{name:<12} {path}")
    print(i18n.say("cli.certs.settings"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
