"""Who may call what: the role table, and the server interceptor that enforces it.

Callers authenticate in one of two ways (users and their credentials are settings, see
``[auth]`` in :mod:`service.config` and :mod:`service.identity`):

* **Mutual TLS.** With ``client_ca`` set the server requires a client certificate signed by
  that CA (the TLS handshake refuses anything else). The certificate's subject common name is
  looked up among the users' ``cert_cn``.
* **Bearer token.** ``authorization: Bearer <token>`` request metadata; the settings hold only
  each token's SHA-256, compared in constant time. For local use, and for programs behind a
  shared client certificate.

If a call carries both and they name different users it is refused. A certificate whose CN is
no user does not identify anyone by itself: the call then needs a valid token. Nothing else
(request fields, other metadata) ever names the actor.

Then the role table :data:`RPC_ROLES` decides, **deny by default**: a DisbursementService RPC
missing from the table is refused to everyone (PERMISSION_DENIED), as is a role outside its
row. Without valid credentials every call but the gRPC health check is refused with
UNAUTHENTICATED. Server reflection is **restricted, not open**: it answers any authenticated
user, whatever the role, and nobody else. (Over mutual TLS even the health check needs a
certificate from the CA, since the handshake comes first; any CN will do.)

The interceptor hands the servicer a context carrying the :class:`Identity` and the call's
:class:`~service.scope.Scope`; :func:`identity_of` and :func:`scope_of` read them back
(``adapter.servicer._user``, ``_scope``). A call that a user may make only through its BANK role
is confined to the banks its settings entry names (see :mod:`service.scope`). Which *person* may
not do a thing after what they did before (the submitter approving, the approver funding) is
not a role's question: :mod:`domain.duties`. Tokens are never logged.
"""
from __future__ import annotations

import functools
import hmac
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import grpc

import i18n
from service.identity import AuthSettings, Role, User, token_sha256
from service.scope import EVERY_BANK, Scope

__all__ = ["RPC_ROLES", "AuthInterceptor", "Authenticator", "Identity", "Unauthenticated", "identity_of", "scope_of"]

log = logging.getLogger("ykt.auth")

CLERK, APPROVER, FINANCE, BANK, AUDITOR = Role.CLERK, Role.APPROVER, Role.FINANCE, Role.BANK, Role.AUDITOR
EVERYONE = (CLERK, APPROVER, FINANCE, BANK, AUDITOR)

SERVICE = "ykt.v1.DisbursementService"

# RPC of ykt.v1.DisbursementService -> the roles that may call it. One row per RPC; an RPC
# without a row is refused to everyone. A new RPC needs its row here (tests/e2e/test_auth.py
# checks every RPC of the service descriptor against this table through a real server).
RPC_ROLES: dict[str, tuple[Role, ...]] = {
    # a batch's life
    "SubmitBatch": (CLERK,),
    "ApproveBatch": (APPROVER,),
    "FundBatch": (FINANCE,),
    "DispatchBatch": (FINANCE,),
    "IngestResultFile": (BANK, FINANCE),
    "IngestStatementFile": (BANK, FINANCE),  # the bank's statement: stored, reconciled, never posted
    "CloseBatch": (FINANCE,),
    "ListLines": (CLERK, APPROVER, FINANCE, AUDITOR),
    "ReissueLines": (CLERK,),  # a change of who is paid waits for ApproveLineChanges (domain/duties.py)
    "ApproveLineChanges": (APPROVER,),  # never by whoever made the change or submitted the batch
    "RefuseLineChanges": (APPROVER,),
    "ListLineChanges": (CLERK, APPROVER, FINANCE, AUDITOR),
    "GiveUpLines": (APPROVER,),
    "AllowReissue": (APPROVER,),  # leave to re-issue a line the bank has not answered: a second person's
    # the exchange with the bank: operators act on payment files that did not go by SFTP
    "RegenerateFile": (FINANCE,),
    "MarkFileDelivered": (FINANCE,),
    # the roster: the department corrects and removes lines; its approver releases held ones
    "CorrectLines": (CLERK,),
    "RemoveLines": (CLERK,),
    "ReleaseLines": (APPROVER,),  # a review duty, not the clerk's who entered the line
    # stop list (停发): entered by the department, lifted by its approver
    "AddStopEntries": (CLERK,),
    "RevokeStopEntry": (APPROVER,),
    "QueryStopList": (CLERK, APPROVER, FINANCE, AUDITOR),  # by ID number: not the bank's business
    # reading; a BANK user reads only its own banks' approved batches (service/scope.py)
    "GetBatch": EVERYONE,
    "ListBatches": EVERYONE,
    "ListFiles": EVERYONE,
    # the roster's lines and issues, who did what to them: the department's, not the bank's
    "ListLineIssues": (CLERK, APPROVER, FINANCE, AUDITOR),
    "GetAuditTrail": (CLERK, APPROVER, FINANCE, AUDITOR),
    "GetReconciliation": EVERYONE,
    "ListExceptions": (CLERK, APPROVER, FINANCE, AUDITOR),
    "GetRefundReport": EVERYONE,
    # across batches, so across banks: not the bank's to read
    "GetAggregateReconciliation": (CLERK, APPROVER, FINANCE, AUDITOR),
    "GetMonthlyReport": (CLERK, APPROVER, FINANCE, AUDITOR),
    "VerifyReportCopy": EVERYONE,  # each party checks its own copy
    "GetBalances": EVERYONE,
    "ListTransactions": EVERYONE,
    "ListRecoveries": EVERYONE,
    "GetDisclosureList": (CLERK, APPROVER, FINANCE, AUDITOR),  # roster lines, for the public notice board
    # the bank's statements reconciled with the ledger: the accountants' and auditors' work
    "ListStatementFiles": (FINANCE, AUDITOR),
    "GetStatementReconciliation": (FINANCE, AUDITOR),
}

# Other services on the same server: open to anyone, or to any authenticated user.
OPEN = "open"  # anyone, no credentials needed
AUTHENTICATED = "authenticated"  # any authenticated user, whatever the role
OPEN_SERVICES = ("grpc.health.v1.Health",)
AUTHENTICATED_SERVICES = ("grpc.reflection.v1alpha.ServerReflection", "grpc.reflection.v1.ServerReflection")

BEARER_METADATA = "authorization"


class Unauthenticated(Exception):
    """Missing or invalid credentials; the message is safe to show the caller. Raised with a
    catalogue key (i18n/catalogue_errors.py) and its fields; ``str()`` is the English text."""

    def __init__(self, key: str, /, **fields):
        self.key, self.fields = key, fields
        super().__init__(i18n.say(key, "en", **fields))

    def said(self, lang: str | None = None) -> str:
        return i18n.say(self.key, lang, **self.fields)


@dataclass(frozen=True)
class Identity:
    """An authenticated caller: the user's name (the actor the ledger records) and roles."""

    user: str
    roles: frozenset[Role]
    via: str  # "certificate" or "token"
    banks: frozenset[str] = frozenset()  # a BANK user's banks

    def scope(self, allowed: tuple[Role, ...]) -> Scope:
        """What a call allowed to ``allowed`` roles may see: everything when the user holds one
        of them besides BANK, else (through BANK alone) only the user's own banks."""
        if Role.BANK in self.roles and not (self.roles & set(allowed)) - {Role.BANK}:
            return Scope(self.banks)
        return EVERY_BANK


class Authenticator:
    """Resolves a call's credentials (verified client certificate, bearer token) to a user."""

    def __init__(self, settings: AuthSettings):
        self._tokens: list[tuple[str, User]] = [(u.token_sha256, u) for u in settings.users.values()
                                                if u.token_sha256 is not None]
        self._cns: dict[str, User] = {u.cert_cn: u for u in settings.users.values() if u.cert_cn is not None}
        self.mutual_tls = settings.mutual_tls

    def identify(self, metadata: Sequence[tuple[str, Any]] | None, auth_context: Mapping[str, Sequence[bytes]]) -> Identity:
        cn = _common_name(auth_context)
        by_cert = self._cns.get(cn) if cn is not None else None
        token = _bearer(metadata)
        by_token = self._by_token(token) if token is not None else None
        if token is not None and by_token is None:
            raise Unauthenticated("error.auth.bad_token")
        if by_cert is not None and by_token is not None and by_cert.name != by_token.name:
            raise Unauthenticated("error.auth.mixed", cn=repr(cn))
        if by_cert is not None:
            return Identity(by_cert.name, by_cert.roles, "certificate", by_cert.banks)
        if by_token is not None:
            return Identity(by_token.name, by_token.roles, "token", by_token.banks)
        if cn is not None:
            raise Unauthenticated("error.auth.unknown_cert", cn=repr(cn))
        raise Unauthenticated("error.auth.none_or_cert" if self.mutual_tls else "error.auth.none")

    def _by_token(self, token: str) -> User | None:
        digest = token_sha256(token)
        found = None
        for known, user in self._tokens:  # every entry, in constant time each: no early exit
            if hmac.compare_digest(known, digest):
                found = user
        return found


def _common_name(auth_context: Mapping[str, Sequence[bytes]]) -> str | None:
    """The subject CN of the peer's certificate, if the TLS handshake verified one."""
    if b"ssl" not in auth_context.get("transport_security_type", ()):
        return None
    names = auth_context.get("x509_common_name") or ()
    return names[0].decode("utf-8", "replace") if names else None


def _bearer(metadata: Sequence[tuple[str, Any]] | None) -> str | None:
    values = [value for key, value in (metadata or ()) if key == BEARER_METADATA]
    if not values:
        return None
    if len(values) > 1:
        raise Unauthenticated("error.auth.two_headers")
    value = values[0].decode("latin-1") if isinstance(values[0], bytes) else values[0]
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("error.auth.not_bearer")
    return token.strip()


def rule_for(method: str) -> str | tuple[Role, ...] | None:
    """What ``/package.Service/Method`` needs: ``"open"``, ``"authenticated"``, the roles
    allowed, or None (refused: not in the table)."""
    service, _, name = method.lstrip("/").partition("/")
    if service in OPEN_SERVICES:
        return OPEN
    if service in AUTHENTICATED_SERVICES:
        return AUTHENTICATED
    if service == SERVICE:
        return RPC_ROLES.get(name)
    return None


class AuthenticatedContext:
    """The servicer context of an authenticated call: the gRPC context plus ``identity``."""

    def __init__(self, context: grpc.ServicerContext, identity: Identity, scope: Scope = EVERY_BANK):
        self._context = context
        self.identity = identity
        self.scope = scope

    def __getattr__(self, name: str):
        return getattr(self._context, name)


def identity_of(context) -> Identity:
    """The authenticated identity of a call that went through :class:`AuthInterceptor`."""
    identity = getattr(context, "identity", None)
    if not isinstance(identity, Identity):
        raise RuntimeError("no authenticated identity: the servicer must run behind adapter.auth.AuthInterceptor")
    return identity


def scope_of(context) -> Scope:
    """What the call may see (:mod:`service.scope`); set by :class:`AuthInterceptor`."""
    scope = getattr(context, "scope", None)
    if not isinstance(scope, Scope):
        raise RuntimeError("no scope: the servicer must run behind adapter.auth.AuthInterceptor")
    return scope


class AuthInterceptor(grpc.ServerInterceptor):
    """Authenticates every call and checks the role table before any handler runs."""

    def __init__(self, authenticator: Authenticator):
        self.authenticator = authenticator

    def intercept_service(self, continuation, handler_call_details):
        method = handler_call_details.method
        rule = rule_for(method)
        if rule == OPEN:
            return continuation(handler_call_details)
        handler = continuation(handler_call_details)
        if handler is None:  # no such method: still no answer without credentials
            return grpc.stream_stream_rpc_method_handler(self._guard(method, AUTHENTICATED, _unimplemented))
        guard = functools.partial(self._guard, method, rule)
        if handler.request_streaming and handler.response_streaming:
            return grpc.stream_stream_rpc_method_handler(
                guard(handler.stream_stream), handler.request_deserializer, handler.response_serializer)
        if handler.request_streaming:
            return grpc.stream_unary_rpc_method_handler(
                guard(handler.stream_unary), handler.request_deserializer, handler.response_serializer)
        if handler.response_streaming:
            return grpc.unary_stream_rpc_method_handler(
                guard(handler.unary_stream), handler.request_deserializer, handler.response_serializer)
        return grpc.unary_unary_rpc_method_handler(
            guard(handler.unary_unary), handler.request_deserializer, handler.response_serializer)

    def _guard(self, method: str, rule, behavior: Callable) -> Callable:
        def guarded(request, context):
            identity = self._admit(method, rule, context)
            scope = identity.scope(rule) if isinstance(rule, tuple) else EVERY_BANK
            return behavior(request, AuthenticatedContext(context, identity, scope))

        return guarded

    def _admit(self, method: str, rule, context) -> Identity:
        try:
            identity = self.authenticator.identify(context.invocation_metadata(), context.auth_context())
        except Unauthenticated as exc:
            log.warning("refused %s from %s: %s", method, context.peer(), exc)
            context.abort(grpc.StatusCode.UNAUTHENTICATED, exc.said())
        name = method.rsplit("/", 1)[-1]
        if rule is None:
            log.warning("refused %s to %s: not in the role table", method, identity.user)
            context.abort(grpc.StatusCode.PERMISSION_DENIED, i18n.say("error.auth.no_rule", method=name))
        if rule != AUTHENTICATED and not identity.roles & set(rule):
            needed = i18n.Each.of(lambda lang: i18n.say("error.auth.or", lang).join(r.value for r in rule))
            held = ", ".join(sorted(r.value for r in identity.roles))
            log.warning("refused %s to %s (%s): needs %s", method, identity.user, held, needed)
            context.abort(grpc.StatusCode.PERMISSION_DENIED,
                          i18n.say("error.auth.role", method=name, needed=needed, user=repr(identity.user), held=held))
        log.info("%s by %s (%s, %s)", method, identity.user, ",".join(sorted(identity.roles)), identity.via)
        return identity


def _unimplemented(request, context):
    context.abort(grpc.StatusCode.UNIMPLEMENTED, i18n.say("error.auth.no_method"))
