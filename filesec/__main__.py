"""``python -m filesec``: make and inspect the key sets of file signing and encryption.

    python -m filesec generate FOLDER KEY_ID [--rsa] [--rsa-bits 3072] [--not-current]
    python -m filesec show KEYSET [--private]

``generate`` makes a signing and an encryption key pair (Ed25519 + X25519, or RSA-PSS + RSA-OAEP
with ``--rsa``) and adds them to the four key sets in FOLDER (created, mode 0700): ``sign`` and
``decrypt`` (private, mode 0600) stay here; ``verify`` and ``encrypt`` (public) go to the other
party. Run it again with a new KEY_ID to rotate. ``show`` lists a key set's ids, kinds and the
current key; it never prints key material.
"""
from __future__ import annotations

import argparse
import sys

from filesec.errors import FileSecurityError
from filesec.keys import KeySet, generate_keys, key_kind


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m filesec", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="make key pairs and add them to the key sets in FOLDER")
    gen.add_argument("folder")
    gen.add_argument("key_id")
    gen.add_argument("--rsa", action="store_true", help="RSA-PSS and RSA-OAEP instead of Ed25519 and X25519")
    gen.add_argument("--rsa-bits", type=int, default=3072)
    gen.add_argument("--not-current", action="store_true", help="add the keys without making them current yet")
    show = sub.add_parser("show", help="list the keys of a key set (ids and kinds only)")
    show.add_argument("key_set")
    show.add_argument("--private", action="store_true", help="the key set holds private keys")
    args = parser.parse_args(argv)
    try:
        if args.command == "generate":
            files = generate_keys(args.folder, args.key_id,
                                  signing="rsa-pss-sha256" if args.rsa else "ed25519",
                                  wrap="rsa-oaep-sha256" if args.rsa else "x25519-hkdf-sha256",
                                  rsa_bits=args.rsa_bits, make_current=not args.not_current)
            print(f"keep (private): {files.sign}  {files.decrypt}")
            print(f"give the other party (public): {files.verify}  {files.encrypt}")
        else:
            keys = KeySet.load(args.key_set, private=args.private)
            try:
                current = keys.current_id
            except FileSecurityError:
                current = None
            for key_id in keys.key_ids:
                mark = " (current)" if key_id == current else ""
                print(f"{key_id}\t{key_kind(keys.get(key_id, args.key_set))}{mark}")
    except FileSecurityError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
