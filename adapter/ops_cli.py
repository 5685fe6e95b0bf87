"""``ykt keys rotate-signing|public`` and ``ykt backup``/``ykt restore``: the commands that look
after the report-signing keys and copy the ledger with its keys. Kept apart from
:mod:`adapter.cli` so those stay small; imports are inside the functions so ``ykt --help`` stays
quick."""
from __future__ import annotations

import json
import sys


def init_signing(settings) -> None:
    """``ykt keys init``: the report-signing key set too, unless it exists (a report-signing.pem
    of the earlier kind beside it is taken in as key s1)."""
    from reports.signing import SigningKeys

    path = settings.signing_key_file
    if path.exists():
        print(f"{path}: report-signing keys already there, left as they are")
        return
    legacy = settings.legacy_signing_key_file
    keys = SigningKeys.load_or_create(path, legacy)
    taken = f", taking in {legacy} as key s1" if legacy.exists() else ""
    print(f"wrote {path} (mode 0600){taken}: report-signing keys, current {keys.current_id}; "
          "give the other parties `ykt keys public`")


def signing(args, settings) -> int:
    """``rotate-signing``: a new current key, the old ones kept; ``public``: the public key set."""
    from durable import write_atomic
    from reports.signing import SigningKeyError, SigningKeys, rotate_file

    path = settings.signing_key_file
    try:
        if args.action == "rotate-signing":
            keys = rotate_file(path)
            print(f"{path}: new current report-signing key {keys.current_id} (keys {', '.join(keys.key_ids)}); "
                  "copies signed before still verify. Give the other parties the new public keys: "
                  f"ykt keys public --config {args.config} --out FILE")
            return 0
        keys = SigningKeys.load_or_create(path, settings.legacy_signing_key_file)
        text = json.dumps(keys.public_document(), indent=2) + "\n"
        if args.out is None:
            sys.stdout.write(text)
        else:
            write_atomic(args.out, text.encode("ascii"), mode=0o644)  # public: anyone may read it
            print(f"wrote {args.out}: the report-signing public keys {', '.join(keys.key_ids)} (current "
                  f"{keys.current_id}); others verify with: ykt report verify FILE --public-key {args.out}")
        return 0
    except SigningKeyError as exc:
        print(f"ykt: {exc}", file=sys.stderr)
        return 2


def backup(args) -> int:
    from service import backup as backups
    from service import config as settings_file

    try:
        manifest = backups.backup(settings_file.load(args.config), args.out)
    except backups.BackupError as exc:
        print(f"ykt: backup: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.out} (mode 0600): the {manifest['database']['dialect']} ledger at revision "
          f"{manifest['database']['schema_revision']} and {', '.join(manifest['keys'])}.")
    print("It holds the keys that open the ledger's personal data and sign reports: keep it as you keep "
          "the keys (encrypted, offline), never beside the ledger's own copies.")
    return 0


def restore(args) -> int:
    from service import backup as backups
    from service import config as settings_file

    try:
        manifest, written = backups.restore(settings_file.load(args.config), args.archive)
    except backups.BackupError as exc:
        for line in str(exc).splitlines():
            print(f"ykt: restore: {line}", file=sys.stderr)
        return 2
    print(f"restored {args.archive} (made {manifest['created_at']}):")
    for line in written:
        print(f"  {line}")
    print(f"now check it: ykt verify --config {args.config}")
    return 0
