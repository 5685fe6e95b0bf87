"""Every refusal the service raises for people is a message of the catalogue, so it can be said in
Chinese and English: the first argument of each ``NotFound(...)``, ``InvalidInput(...)``... raised
in service/ and adapter/ is a key of i18n (an f-string only as ``f"error.…{x}"`` naming keys that
all exist), never a text written in place."""
from __future__ import annotations

import ast
from pathlib import Path

import i18n

ROOT = Path(__file__).resolve().parents[3]
ERRORS = {"NotFound", "AlreadyExists", "FailedPrecondition", "PermissionDenied", "Unavailable", "ResourceExhausted",
          "InvalidInput", "Unauthenticated", "LeaseLost", "Superseded"}


def _raised(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ERRORS and node.args:
            yield node


def test_every_refusal_raised_in_the_service_is_a_catalogue_key():
    written, missing, keys = [], [], 0
    for folder in ("service", "adapter"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for call in _raised(tree):
                first = call.args[0]
                where = f"{path.relative_to(ROOT)}:{call.lineno}"
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    keys += 1
                    if first.value not in i18n.WORDS:
                        missing.append(f"{where}: {first.value!r}")
                elif isinstance(first, ast.JoinedStr):
                    head = first.values[0]
                    prefix = head.value if isinstance(head, ast.Constant) else ""
                    if not prefix.startswith("error.") or not any(k.startswith(prefix) for k in i18n.WORDS):
                        written.append(f"{where}: an f-string")
                    keys += 1
                elif isinstance(first, ast.IfExp):  # one of two keys
                    for branch in (first.body, first.orelse):
                        keys += 1
                        if not (isinstance(branch, ast.Constant) and branch.value in i18n.WORDS):
                            missing.append(f"{where}: {ast.unparse(branch)[:60]}")
                else:
                    written.append(f"{where}: {ast.unparse(first)[:60]}")
    assert not missing, "keys with no words:\n" + "\n".join(missing)
    assert not written, "texts written in place of a key:\n" + "\n".join(written)
    assert keys > 80  # the scan found the raises (about 90 when written)

