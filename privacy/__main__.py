"""Key files from the command line; prints key ids, never key material.

    python -m privacy generate KEYFILE [--key-id k1]   a new key file, mode 0600 (refuses to overwrite)
    python -m privacy rotate KEYFILE [--key-id ID]     add a data key and make it current
    python -m privacy show KEYFILE                     the key ids and the current one
"""
from __future__ import annotations

import argparse
import sys

from privacy.errors import PrivacyError
from privacy.keys import Keyring, rotate_key_file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m privacy", description="Manage personal-data key files.")
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="write a new key file (mode 0600)")
    gen.add_argument("path")
    gen.add_argument("--key-id", default="k1")
    rot = sub.add_parser("rotate", help="add a new data key and make it current")
    rot.add_argument("path")
    rot.add_argument("--key-id", default=None)
    show = sub.add_parser("show", help="print the key ids")
    show.add_argument("path")
    args = parser.parse_args(argv)
    try:
        if args.command == "generate":
            keyring = Keyring.generate(args.path, key_id=args.key_id)
            print(f"{args.path}: new key file, current key {keyring.current_id}")
        elif args.command == "rotate":
            print(f"{args.path}: current key is now {rotate_key_file(args.path, args.key_id)}")
        else:
            keyring = Keyring.load(args.path)
            print(f"{args.path}: current key {keyring.current_id}; keys {', '.join(keyring.key_ids)}")
    except PrivacyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
