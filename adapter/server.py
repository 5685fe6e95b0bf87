"""The gRPC server: the disbursement service plus health checking and reflection.

Every call goes through :class:`adapter.auth.AuthInterceptor`: only the health check answers
without credentials; reflection answers any authenticated user; the disbursement RPCs follow
the role table in :mod:`adapter.auth`. With ``[auth] tls_cert``/``tls_key`` the port speaks
TLS, and with ``client_ca`` it requires client certificates signed by that CA.

One server per port: gRPC sets ``SO_REUSEPORT`` by default, so a second server on a port in use
would bind it too and share the calls; here it is off, and a port in use fails the start with
:class:`AddressUnavailable` naming the address.
"""
from __future__ import annotations

import errno
import ipaddress
import logging
import socket
from concurrent import futures

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from adapter.auth import Authenticator, AuthInterceptor
from adapter.language import LanguageInterceptor
from adapter.servicer import DisbursementServicer
from i18n import Phrase
from i18n.library_words import said
from observability.logs import RequestIdInterceptor
from service.config import ConfigError
from service.context import Context
from service.identity import AuthSettings
from ykt.v1 import disbursement_pb2, disbursement_pb2_grpc

SERVICE_NAME = disbursement_pb2.DESCRIPTOR.services_by_name["DisbursementService"].full_name

log = logging.getLogger("ykt.grpc")
CALENDAR_WARNING_DAYS = 60  # warn at start-up when the official calendar ends sooner than this


class AddressUnavailable(ConfigError):
    """The address to serve on cannot be listened on (most often: another server holds the port)."""


def build(ctx: Context, address: str, max_workers: int = 8) -> tuple[grpc.Server, int]:
    """A started server bound to ``address`` ("127.0.0.1:0" picks a free port); returns it and its port."""
    _check_free(address)  # first: a port in use is the one thing to say (gRPC's own failure says less)
    auth = ctx.settings.auth
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=max_workers),
        # the request id first: the authentication's log lines carry it too (observability/logs.py);
        # then the call's language: the authentication's refusals are said in it (adapter/language.py)
        interceptors=[RequestIdInterceptor(), LanguageInterceptor(ctx.settings.language),
                      AuthInterceptor(Authenticator(auth))],
        options=[("grpc.max_receive_message_length", 64 * 1024 * 1024),
                 ("grpc.so_reuseport", 0)],  # one server per port: a second one fails to bind
    )
    disbursement_pb2_grpc.add_DisbursementServiceServicer_to_server(DisbursementServicer(ctx), server)
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection((SERVICE_NAME, health.SERVICE_NAME, reflection.SERVICE_NAME), server)
    if not auth.users:
        log.warning("no users in [auth]: every call but the health check will be refused")
    calendar = ctx.settings.calendar
    if calendar.days_left(ctx.clock()) < CALENDAR_WARNING_DAYS:
        log.warning("the official holiday calendar is known only to %s (%s): a batch whose payment deadline "
                    "falls after it cannot be funded; copy the next year's arrangement from the State "
                    "Council's notice into the settings' [calendar]", calendar.last, calendar.describe())
    try:
        if auth.tls:
            port = server.add_secure_port(address, server_credentials(auth))
        else:
            if not _is_loopback(address):
                log.warning("serving on %s without TLS: bearer tokens cross the network in clear; "
                            "set [auth] tls_cert and tls_key", address)
            port = server.add_insecure_port(address)
    except RuntimeError:  # gRPC could not bind: an address of no interface here, or a port just taken
        server.stop(None)
        raise AddressUnavailable(Phrase.of("config.listen.not_bound", address=address)) from None
    except ConfigError:
        server.stop(None)
        raise
    server.start()
    for name in ("", SERVICE_NAME):
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    return server, port


def server_credentials(auth: AuthSettings) -> grpc.ServerCredentials:
    """TLS with the server's key and certificate; with a client CA, client certificates are
    required and verified against it (never requested-but-unverified)."""
    try:
        key, cert = auth.tls_key.read_bytes(), auth.tls_cert.read_bytes()
        ca = auth.client_ca.read_bytes() if auth.client_ca else None
    except OSError as exc:
        raise ConfigError(Phrase.of("config.auth.tls_unreadable", why=said(exc))) from exc
    return grpc.ssl_server_credentials([(key, cert)], root_certificates=ca, require_client_auth=ca is not None)


def _check_free(address: str) -> None:
    """Raise :class:`AddressUnavailable` when ``address`` ("host:port") cannot be bound: bind a
    plain socket there as gRPC would (``SO_REUSEADDR``, no ``SO_REUSEPORT``) and let it go."""
    host, _, port_text = address.rpartition(":")
    host = host.strip("[]") or None
    try:
        port = int(port_text)
    except ValueError:
        raise AddressUnavailable(Phrase.of("config.listen.host_port", address=address)) from None
    if port == 0:
        return  # any free port
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise AddressUnavailable(Phrase.of("config.listen.failed", address=address, why=str(exc.strerror))) from None
    for family, kind, proto, _, sockaddr in infos:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(sockaddr)
            except OSError as exc:  # anything but "in use" is left to gRPC, which tries each address
                if exc.errno == errno.EADDRINUSE:
                    raise AddressUnavailable(Phrase.of("config.listen.in_use", address=address, port=port)) from None


def _is_loopback(address: str) -> bool:
    host = address.rsplit(":", 1)[0].strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
