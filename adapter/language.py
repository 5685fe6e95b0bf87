"""The language of a gRPC call: the caller's ``accept-language`` metadata, else the service's
``language`` setting (Chinese unless set otherwise).

:class:`LanguageInterceptor` runs every call in its language (``i18n.use``), so whatever the call
says to people — a refusal by :mod:`adapter.auth`, a use case's error, names in a report — is in
that language; the codes machines read (status codes, ``google.rpc`` details) never change.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import grpc

import i18n

HEADER = "accept-language"


def of_call(metadata: Sequence[tuple[str, Any]] | None, default: str = i18n.DEFAULT) -> str:
    """The language a call asked for in its first ``accept-language`` metadata, else ``default``."""
    for key, value in metadata or ():
        if key == HEADER:
            text = value.decode("latin-1") if isinstance(value, bytes) else value
            return i18n.language(text, default)
    return i18n.language(None, default)


class LanguageInterceptor(grpc.ServerInterceptor):
    """Each call runs with :func:`i18n.current` set to its language (before authentication, whose
    refusals are said in it too)."""

    def __init__(self, default: str = i18n.DEFAULT):
        self.default = i18n.language(default)

    def intercept_service(self, continuation, handler_call_details):
        handler = continuation(handler_call_details)
        if handler is None:
            return None
        lang = of_call(handler_call_details.invocation_metadata, self.default)
        kind = ("stream" if handler.request_streaming else "unary") + "_" + \
               ("stream" if handler.response_streaming else "unary")
        behavior = getattr(handler, kind)

        def spoken(request, context):
            token = i18n.use(lang)
            try:
                return behavior(request, context)
            finally:
                i18n.reset(token)

        return handler._replace(**{kind: spoken})
