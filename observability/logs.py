"""JSON logs and the request id.

``log_format = "json"`` (or ``ykt serve --log-json``) makes every log record one JSON object on
one line: ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``, ``thread``, and when
there is one ``request_id`` and ``exception`` (the traceback as text).

Personal numbers stay masked: the masking filter of :mod:`privacy.logmask` stays on the handler
and rewrites the record before any formatter sees it, and the JSON formatter masks the message
and traceback once more (for a handler added without the filter).

The request id: each gRPC call takes the caller's ``x-request-id`` metadata (printable ASCII,
at most 128 characters), or a new one, carries it in :data:`REQUEST_ID` while the call runs
(:func:`request_scope`), and sends it back in the trailing metadata; :class:`RequestIdFilter`
puts it on every record logged meanwhile as ``record.request_id`` (``"-"`` outside a call), so a
text format may show ``%(request_id)s`` too.
"""
from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import grpc

from privacy.logmask import PersonalDataFilter, mask_text

REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("ykt_request_id", default=None)
HEADER = "x-request-id"
_ACCEPTED = re.compile(r"[\x21-\x7e]{1,128}")  # printable ASCII, no spaces: safe to log and echo back


def request_id_from(metadata) -> str:
    """The caller's ``x-request-id`` if usable, else a new random one."""
    for key, value in metadata or ():
        if key.lower() == HEADER and isinstance(value, str) and _ACCEPTED.fullmatch(value):
            return mask_text(value)  # never a personal number, even one sent as an id
    return uuid.uuid4().hex


@contextmanager
def request_scope(request_id: str) -> Iterator[str]:
    token = REQUEST_ID.set(request_id)
    try:
        yield request_id
    finally:
        REQUEST_ID.reset(token)


class RequestIdFilter(logging.Filter):
    """Puts the current request id on each record (``record.request_id``, ``"-"`` when none)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (newlines in a message are escaped by JSON)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_text(record.getMessage()),
            "thread": record.threadName,
        }
        request_id = getattr(record, "request_id", None) or REQUEST_ID.get()
        if request_id and request_id != "-":
            entry["request_id"] = request_id
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = mask_text(record.exc_text)
        if record.stack_info:
            entry["stack"] = mask_text(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(json_lines: bool, logger: logging.Logger | None = None) -> None:
    """On every handler of ``logger`` (default: the root logger): the request id filter, the
    personal-data mask and, with ``json_lines``, the JSON formatter."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, RequestIdFilter) for f in handler.filters):
            handler.addFilter(RequestIdFilter())
        if not any(isinstance(f, PersonalDataFilter) for f in handler.filters):
            handler.addFilter(PersonalDataFilter())
        if json_lines:
            handler.setFormatter(JsonFormatter())



class RequestIdInterceptor(grpc.ServerInterceptor):
    """A gRPC server interceptor, first of all: every call runs in its request id's scope (so the
    authentication's log lines carry it too) and sends it back in the trailing metadata."""

    def intercept_service(self, continuation, handler_call_details):
        handler = continuation(handler_call_details)
        if handler is None:
            return None
        request_id = request_id_from(handler_call_details.invocation_metadata)
        kind = ("stream" if handler.request_streaming else "unary") + "_" + \
               ("stream" if handler.response_streaming else "unary")
        behavior = getattr(handler, kind)

        def scoped(request, context):
            context.set_trailing_metadata(((HEADER, request_id),))
            with request_scope(request_id):
                return behavior(request, context)

        return handler._replace(**{kind: scoped})
