"""Exit codes of ``ykt`` and what a refused or failed call says to the person who made it.

A script must tell "my request was wrong" (fix the input; trying again changes nothing) from
"the service or the network failed" (try again later), so each has its own exit code:

    0  done
    1  done, and the check found something (ykt verify: a break; ykt statement: breaks)
    2  refused here before anything was sent: usage, a missing or unreadable file, bad settings
    3  refused by the service: the request was read and refused (INVALID_ARGUMENT,
       FAILED_PRECONDITION, PERMISSION_DENIED, UNAUTHENTICATED, NOT_FOUND, ALREADY_EXISTS,
       OUT_OF_RANGE)
    4  the service or the connection failed (UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL, ...)
  130  interrupted (Ctrl-C)

The status code's name and the details' stable codes (``lines[3].id_number``,
``ID_CHECKSUM``) are printed as they are: they are what a person quotes to support.
"""
from __future__ import annotations

import sys

import grpc

import i18n

DONE, FOUND, USAGE, REFUSED, FAILED, INTERRUPTED = 0, 1, 2, 3, 4, 130

_REFUSED = frozenset({
    grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.PERMISSION_DENIED,
    grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.NOT_FOUND, grpc.StatusCode.ALREADY_EXISTS,
    grpc.StatusCode.OUT_OF_RANGE,
})


def exit_code(exc: grpc.RpcError) -> int:
    """3 for a request the service read and refused, 4 for anything else (a server or network
    failure: UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL, UNKNOWN, RESOURCE_EXHAUSTED, ABORTED...)."""
    return REFUSED if exc.code() in _REFUSED else FAILED


def explain(exc: grpc.RpcError) -> list[str]:
    """The lines a person reads for a failed call: what kind of failure, the service's message,
    then each field it names (the google.rpc BadRequest details), one per line."""
    code = exc.code()
    kind = "cli.error.refused" if code in _REFUSED else "cli.error.failed"
    lines = [i18n.say(kind, code=code.name, detail=exc.details() or "")]
    for field, description in _violations(exc):
        lines.append(f"  {field}: {description}")
    return lines


def _violations(exc: grpc.RpcError) -> list[tuple[str, str]]:
    """The BadRequest field violations the status carries, if any."""
    try:
        from google.rpc import error_details_pb2
        from grpc_status import rpc_status

        status = rpc_status.from_call(exc)
    except (ValueError, AttributeError):  # not a call's error, or its details unreadable
        return []
    found = []
    for detail in status.details if status is not None else ():
        bad = error_details_pb2.BadRequest()
        if detail.Unpack(bad):
            found += [(v.field, v.description) for v in bad.field_violations]
    return found


def report(exc: grpc.RpcError, as_json: bool = False) -> int:
    """Print why the call failed on stderr; the exit code for it. With ``as_json`` (``--json``) a
    script reads it as data: the status code, the message and each field violation's code."""
    if as_json:
        import json

        violations = [{"field": field, "description": description} for field, description in _violations(exc)]
        print(json.dumps({"error": {"code": exc.code().name, "exit_code": exit_code(exc), "message": exc.details(),
                                    "violations": violations}}, ensure_ascii=False), file=sys.stderr)
        return exit_code(exc)
    for line in explain(exc):
        print(f"ykt: {line}", file=sys.stderr)
    return exit_code(exc)


def settings_refused(exc: Exception, asked: str | None, as_json: bool = False) -> int:
    """Settings or a bank profile that cannot be used (``service.config.ConfigError``,
    ``service.profiles.ProfileError``): one line per problem naming the file, the key and why;
    exit code 2. The language: the one asked for (``--lang``, else ``YKT_LANG``), else the
    settings' own ``language`` setting when it could be read (``YKT_LANGUAGE``, else the file's
    key; the setting comes from the very settings being refused, so it counts only when the
    person asked for none), else Chinese. With ``as_json`` each problem comes with its stable
    code (``config.unknown_key``, ``profile.choice``...)."""
    lang = i18n.language(asked) if asked else (getattr(exc, "language", None) or i18n.DEFAULT)
    if hasattr(exc, "codes"):  # the settings: several problems
        lines, codes = list(exc.said(lang)), list(exc.codes)
    elif hasattr(exc, "code"):  # a profile: one
        lines, codes = [exc.said(lang)], [exc.code]
    else:
        lines, codes = [str(exc)], ["config.text"]
    if as_json:
        import json

        print(json.dumps({"error": {"code": "SETTINGS", "exit_code": USAGE, "problems": [
            {"code": code, "message": line} for code, line in zip(codes, lines)]}}, ensure_ascii=False),
            file=sys.stderr)
        return USAGE
    for problem in lines:
        for line in problem.splitlines() or [""]:
            print(f"ykt: {line}", file=sys.stderr)
    return USAGE


def refuse(message: str) -> int:
    """A request refused here, before anything was sent: say why; exit code 2."""
    print(f"ykt: {message}", file=sys.stderr)
    return USAGE
