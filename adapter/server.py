"""The gRPC server: the disbursement service plus health checking and reflection.

Every call goes through :class:`adapter.auth.AuthInterceptor`: only the health check answers
without credentials; reflection answers any authenticated user; the disbursement RPCs follow
the role table in :mod:`adapter.auth`. With ``[auth] tls_cert``/``tls_key`` the port speaks
TLS, and with ``client_ca`` it requires client certificates signed by that CA.
"""
from __future__ import annotations

import ipaddress
import logging
from concurrent import futures

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from adapter.auth import AuthInterceptor, Authenticator
from adapter.servicer import DisbursementServicer
from service.config import ConfigError
from service.context import Context
from service.identity import AuthSettings
from ykt.v1 import disbursement_pb2, disbursement_pb2_grpc

SERVICE_NAME = disbursement_pb2.DESCRIPTOR.services_by_name["DisbursementService"].full_name

log = logging.getLogger("ykt.grpc")
CALENDAR_WARNING_DAYS = 60  # warn at start-up when the official calendar ends sooner than this


def build(ctx: Context, address: str, max_workers: int = 8) -> tuple[grpc.Server, int]:
    """A started server bound to ``address`` ("127.0.0.1:0" picks a free port); returns it and its port."""
    auth = ctx.settings.auth
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=max_workers),
        interceptors=[AuthInterceptor(Authenticator(auth))],
        options=[("grpc.max_receive_message_length", 64 * 1024 * 1024)],
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
    if auth.tls:
        port = server.add_secure_port(address, server_credentials(auth))
    else:
        if not _is_loopback(address):
            log.warning("serving on %s without TLS: bearer tokens cross the network in clear; "
                        "set [auth] tls_cert and tls_key", address)
        port = server.add_insecure_port(address)
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
        raise ConfigError(f"auth: cannot read a TLS file: {exc}") from exc
    return grpc.ssl_server_credentials([(key, cert)], root_certificates=ca, require_client_auth=ca is not None)


def _is_loopback(address: str) -> bool:
    host = address.rsplit(":", 1)[0].strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
