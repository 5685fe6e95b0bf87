"""The gRPC server: the disbursement service plus health checking and reflection."""
from __future__ import annotations

from concurrent import futures

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from adapter.servicer import DisbursementServicer
from service.context import Context
from ykt.v1 import disbursement_pb2, disbursement_pb2_grpc

SERVICE_NAME = disbursement_pb2.DESCRIPTOR.services_by_name["DisbursementService"].full_name


def build(ctx: Context, address: str, max_workers: int = 8) -> tuple[grpc.Server, int]:
    """A started server bound to ``address`` ("127.0.0.1:0" picks a free port); returns it and its port."""
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=max_workers),
        options=[("grpc.max_receive_message_length", 64 * 1024 * 1024)],
    )
    disbursement_pb2_grpc.add_DisbursementServiceServicer_to_server(DisbursementServicer(ctx), server)
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection((SERVICE_NAME, health.SERVICE_NAME, reflection.SERVICE_NAME), server)
    port = server.add_insecure_port(address)
    server.start()
    for name in ("", SERVICE_NAME):
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    return server, port
