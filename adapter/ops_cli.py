"""``ykt keys rotate-signing|public`` and ``ykt backup``/``ykt restore``: the commands that look
after the report-signing keys and copy the ledger with its keys. Kept apart from
:mod:`adapter.cli` so those stay small; imports are inside the functions so ``ykt --help`` stays
quick."""
from __future__ import annotations

import json
import sys

from i18n import say


def init_signing(settings) -> None:
    """``ykt keys init``: the report-signing key set too, unless it exists (a report-signing.pem
    of the earlier kind beside it is taken in as key s1)."""
    from reports.signing import SigningKeys

    path = settings.signing_key_file
    if path.exists():
        print(say("cli.signing.kept", path=path))
        return
    legacy = settings.legacy_signing_key_file
    keys = SigningKeys.load_or_create(path, legacy)
    taken = say("cli.signing.taken_in", legacy=legacy) if legacy.exists() else ""
    print(say("cli.signing.wrote", path=path, taken=taken, current=keys.current_id))


def signing(args, settings) -> int:
    """``rotate-signing``: a new current key, the old ones kept; ``public``: the public key set."""
    from adapter import cli_errors
    from durable import write_atomic
    from i18n.library_words import said
    from reports.signing import SigningKeyError, SigningKeys, rotate_file

    path = settings.signing_key_file
    try:
        if args.action == "rotate-signing":
            keys = rotate_file(path)
            print(say("cli.signing.rotated", path=path, current=keys.current_id, keys=", ".join(keys.key_ids),
                      config=args.config))
            return 0
        keys = SigningKeys.load_or_create(path, settings.legacy_signing_key_file)
        text = json.dumps(keys.public_document(), indent=2) + "\n"
        if args.out is None:
            sys.stdout.write(text)
        else:
            write_atomic(args.out, text.encode("ascii"), mode=0o644)  # public: anyone may read it
            print(say("cli.signing.public", out=args.out, keys=", ".join(keys.key_ids), current=keys.current_id))
        return 0
    except SigningKeyError as exc:
        return cli_errors.refuse(say("cli.signing.refused", why=said(exc)))


def backup(args) -> int:
    from service import backup as backups
    from service import config as settings_file

    try:
        manifest, held = backups.backup(settings_file.load(args.config), args.out)
    except backups.BackupError as exc:
        return _refused("backup.refused.backup", exc)
    print(say("cli.backup.wrote", out=args.out, dialect=manifest["database"]["dialect"],
              revision=manifest["database"]["schema_revision"], keys=tuple(held)))
    print(say("cli.backup.keep"))
    return 0


def restore(args) -> int:
    from service import backup as backups
    from service import config as settings_file

    try:
        manifest, written = backups.restore(settings_file.load(args.config), args.archive)
    except backups.BackupError as exc:
        return _refused("backup.refused.restore", exc)
    print(say("cli.restore.done", archive=args.archive, made=manifest["created_at"]))
    for line in written:
        print(f"  {line.said()}")
    print(say("cli.restore.check", config=args.config))
    return 0


def _refused(key: str, exc) -> int:
    """A refused backup or restore (``BackupError``): each line of each problem on a line of its
    own, in the command's language; exit 2."""
    for problem in exc.problems:
        for line in problem.said().splitlines():
            print(f"ykt: {say(key, why=line)}", file=sys.stderr)
    return 2
