"""Generate the Python gRPC code in ``ykt/`` from ``protos/``:  python -m adapter.protogen

``--check`` generates into a temporary folder and fails if the committed code differs, so a
proto change without regeneration is caught (tests/unit/test_protogen.py runs it).
"""
from __future__ import annotations

import argparse
import filecmp
import sys
import tempfile
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROTOS = ROOT / "protos"


def generate(out: Path) -> list[Path]:
    from grpc_tools import protoc

    sources = sorted(PROTOS.rglob("*.proto"))
    include = resources.files("grpc_tools") / "_proto"
    args = ["protoc", f"-I{PROTOS}", f"-I{include}", f"--python_out={out}", f"--pyi_out={out}",
            f"--grpc_python_out={out}", *map(str, sources)]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    generated = []
    for proto in sources:
        rel = proto.relative_to(PROTOS).with_suffix("")
        generated += [rel.with_name(rel.name + suffix) for suffix in ("_pb2.py", "_pb2.pyi", "_pb2_grpc.py")]
        for package in rel.parents[:-1]:
            (out / package / "__init__.py").touch()
            generated.append(package / "__init__.py")
    return sorted(set(generated))


def stale() -> list[str]:
    """Generated files that differ from what the protos produce now (empty when fresh)."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = generate(Path(tmp))
        return [str(rel) for rel in fresh
                if not (ROOT / rel).exists() or not filecmp.cmp(Path(tmp) / rel, ROOT / rel, shallow=False)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if the generated code is stale")
    if parser.parse_args().check:
        if bad := stale():
            sys.exit(f"generated code is stale: {', '.join(bad)}; run python -m adapter.protogen")
        print("generated code is up to date")
    else:
        for rel in generate(ROOT):
            print(rel)


if __name__ == "__main__":
    main()
