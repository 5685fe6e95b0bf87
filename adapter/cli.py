"""The ``ykt`` command: serve, demo, bank-sim, report, migrate."""
from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path

DEFAULT_ADDRESS = "127.0.0.1:50051"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ykt", description="one-card subsidy disbursement adapter")
    parser.add_argument("-v", "--verbose", action="store_true", help="log at INFO level")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("demo", help="run the whole flow on the embedded defaults")
    p.add_argument("--lines", type=int, default=1000, help="beneficiaries in the batch (default 1000)")
    p.add_argument("--seed", type=int, default=7, help="seed of the roster and the bank's outcomes")
    p.add_argument("--data-dir", type=Path, default=Path("var/demo"), help="wiped and reused (default var/demo)")

    p = sub.add_parser("serve", help="run the gRPC service and its worker")
    p.add_argument("--config", type=Path, required=True, help="TOML settings (see examples/ykt.toml)")
    p.add_argument("--address", default=DEFAULT_ADDRESS)
    p.add_argument("--no-worker", action="store_true", help="do not dispatch or poll banks in the background")

    p = sub.add_parser("migrate", help="create or upgrade the ledger schema")
    p.add_argument("--config", type=Path, required=True)

    p = sub.add_parser("keys", help="create or rotate the keys that seal personal data at rest")
    p.add_argument("action", choices=["init", "rotate"])
    p.add_argument("--config", type=Path, required=True)

    p = sub.add_parser("bank-sim", help="run a simulated agency bank with an embedded SFTP server")
    p.add_argument("--profile", type=Path, required=True, help="the bank profile it plays (e.g. profiles/RCC01.toml)")
    p.add_argument("--root", type=Path, required=True, help="the bank's folder (its inbox and outbox inside)")
    p.add_argument("--port", type=int, default=2222)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--authorized-keys", type=Path, required=True, help="public keys allowed to log in")
    p.add_argument("--host-key", type=Path, required=True, help="host key file (created if missing)")
    p.add_argument("--interval", type=float, default=1.0, help="seconds between inbox scans")

    p = sub.add_parser("report", help="fetch a batch's report and write it as JSON and text")
    p.add_argument("kind", choices=["reconciliation", "refund"])
    p.add_argument("batch_id")
    p.add_argument("--address", default=DEFAULT_ADDRESS)
    p.add_argument("--out", type=Path, default=Path("."))

    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    from service.config import ConfigError
    from service.profiles import ProfileError

    command = {"demo": _demo, "serve": _serve, "migrate": _migrate, "keys": _keys, "bank-sim": _bank_sim,
               "report": _report}[args.command]
    try:
        return command(args)
    except (ConfigError, ProfileError) as exc:
        print(f"ykt: {exc}", file=sys.stderr)
        return 2


def _demo(args) -> int:
    from adapter import demo

    return 0 if demo.run(args.data_dir, args.lines, args.seed).ok else 1


def _context(config: Path):
    from ledger.db import make_engine
    from service import config as settings_file
    from service.context import Context

    settings = settings_file.load(config)
    return Context(engine=make_engine(settings.database_url), settings=settings)


def _migrate(args) -> int:
    from ledger.db import make_engine, migrate
    from service import config as settings_file

    migrate(make_engine(settings_file.load(args.config).database_url))
    return 0


def _keys(args) -> int:
    """``init`` writes a new key file (never over an existing one); ``rotate`` adds a key and
    makes it current, keeping the old ones so sealed data still opens."""
    from privacy.errors import KeyringError
    from privacy.keys import Keyring, rotate_key_file
    from service import config as settings_file

    path = settings_file.load(args.config).key_file
    try:
        if args.action == "init":
            path.parent.mkdir(parents=True, exist_ok=True)
            Keyring.generate(path)
            print(f"wrote {path} (mode 0600); back it up: without it sealed data cannot be read")
        else:
            print(f"{path}: new current key {rotate_key_file(path)}")
    except KeyringError as exc:
        print(f"ykt: {exc}", file=sys.stderr)
        return 2
    return 0


def _serve(args) -> int:
    """Serve until SIGTERM or SIGINT, then let the worker finish its round and stop cleanly.

    The signals are blocked in every thread and taken synchronously with ``sigwait``: a Python
    handler that sets an Event can deadlock when it interrupts the main thread inside that same
    Event's lock.
    """
    from adapter import server
    from ledger.db import migrate
    from service.worker import Worker

    ctx = _context(args.config)
    migrate(ctx.engine)
    shutdown_signals = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, shutdown_signals)  # inherited by every thread below
    grpc_server, port = server.build(ctx, args.address)
    stop = threading.Event()
    worker = None
    if not args.no_worker:
        worker = threading.Thread(target=Worker(ctx).run_forever, args=(stop,), name="ykt-worker")
        worker.start()
    print(f"ykt serving on port {port}", flush=True)
    received = signal.sigwait(shutdown_signals)
    logging.getLogger("ykt").info("received %s, stopping", signal.Signals(received).name)
    stop.set()
    grpc_server.stop(grace=5).wait()
    if worker is not None:
        worker.join()
    return 0


def _bank_sim(args) -> int:
    import bank_sim
    from service.profiles import load_profile

    bank = bank_sim.SimulatedBank.for_profile(args.root, load_profile(args.profile), args.seed)
    bank_sim.run(bank, args.port, args.authorized_keys, args.host_key, args.interval)
    return 0


def _report(args) -> int:
    from adapter.client import Client
    from adapter.demo import write_report
    from ykt.v1 import disbursement_pb2 as pb

    import grpc

    client = Client(args.address)
    method = "GetReconciliation" if args.kind == "reconciliation" else "GetRefundReport"
    try:
        report = client.call(method, pb.GetReportRequest(batch_id=args.batch_id), timeout=600)
    except grpc.RpcError as exc:
        print(f"ykt: {exc.code().name}: {exc.details()}", file=sys.stderr)
        return 1
    as_json, as_text = write_report(report, args.out)
    print(report.text)
    print(f"written: {as_json} {as_text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
