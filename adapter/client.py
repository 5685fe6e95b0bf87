"""A small client over the generated stub, used by the CLI, the demo, tests and benchmarks.

Credentials: a bearer ``token`` (sent as ``authorization: Bearer ...`` metadata on every call)
and/or ``tls=(ca, cert, key)``: the CA that signed the server's certificate, and this client's
certificate and key for mutual TLS (``cert``/``key`` may be None for server-only TLS). Each item
is a path or PEM bytes.
"""
from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

import grpc

from adapter import convert
from adapter.auth import BEARER_METADATA
from domain.model import BatchHeader, PaymentLine
from ykt.v1 import disbursement_pb2 as pb
from ykt.v1 import disbursement_pb2_grpc as pb_grpc

CHUNK_LINES = 2000  # lines per streamed message: well under gRPC's 4 MB message limit
# A refund report itemizes every unpaid line: tens of MB for a million-line batch.
MAX_RECEIVE = 256 * 1024 * 1024

Pem = str | Path | bytes


class Client:
    def __init__(self, address: str, token: str | None = None,
                 tls: tuple[Pem, Pem | None, Pem | None] | None = None, server_name: str | None = None,
                 language: str | None = None):
        """``server_name`` overrides the name the server's certificate must carry (default: the
        host of ``address``); ``language`` (``zh``, ``en``) is sent on every call as
        ``accept-language``, the language of the service's messages to people."""
        self.address = address
        limits = [("grpc.max_receive_message_length", MAX_RECEIVE)]
        if tls is None:
            self.channel = grpc.insecure_channel(address, options=limits)
        else:
            ca, cert, key = tls
            if (cert is None) != (key is None):
                raise ValueError("a client certificate needs its key, and a key its certificate")
            credentials = grpc.ssl_channel_credentials(_pem(ca), _pem(key), _pem(cert))
            options = limits + ([("grpc.ssl_target_name_override", server_name)] if server_name else [])
            self.channel = grpc.secure_channel(address, credentials, options=options)
        self.stub = pb_grpc.DisbursementServiceStub(self.channel)
        self._token = token
        self._language = language

    def with_token(self, token: str | None) -> Client:
        """The same connection (and client certificate, if any) with another bearer token."""
        other = copy.copy(self)
        other._token = token
        return other

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.address!r}, token={'***' if self._token else None})"

    @property
    def metadata(self) -> tuple[tuple[str, str], ...]:
        token = ((BEARER_METADATA, f"Bearer {self._token}"),) if self._token else ()
        return token + ((("accept-language", self._language),) if self._language else ())

    def call(self, method: str, request, **kwargs):
        return getattr(self.stub, method)(request, metadata=self.metadata, **kwargs)

    def submit(self, header: BatchHeader, lines: Iterable[PaymentLine], timeout: float | None = None):
        return self.stub.SubmitBatch(_submit_requests(header, lines), metadata=self.metadata, timeout=timeout)

    def ingest(self, bank_code: str, name: str, data: bytes, chunk: int = 1 << 20):
        def requests():
            yield pb.IngestResultFileRequest(start=pb.IngestResultFileRequest.Start(bank_code=bank_code, file_name=name))
            for start in range(0, len(data), chunk):
                yield pb.IngestResultFileRequest(data=data[start : start + chunk])

        return self.stub.IngestResultFile(requests(), metadata=self.metadata)

    def ingest_statement(self, bank_code: str, name: str, data: bytes, chunk: int = 1 << 20):
        """Hand in a bank statement (streamed like a result file)."""
        def requests():
            yield pb.IngestResultFileRequest(start=pb.IngestResultFileRequest.Start(bank_code=bank_code, file_name=name))
            for start in range(0, len(data), chunk):
                yield pb.IngestResultFileRequest(data=data[start : start + chunk])

        return self.stub.IngestStatementFile(requests(), metadata=self.metadata)

    def close(self) -> None:
        self.channel.close()


def _pem(item: Pem | None) -> bytes | None:
    if item is None or isinstance(item, bytes):
        return item
    return Path(item).read_bytes()


def _submit_requests(header: BatchHeader, lines: Iterable[PaymentLine]) -> Iterator[pb.SubmitBatchRequest]:
    yield pb.SubmitBatchRequest(header=convert.header_to_pb(header))
    it = iter(lines)
    while chunk := list(islice(it, CHUNK_LINES)):
        yield pb.SubmitBatchRequest(lines=pb.LineChunk(lines=[convert.line_to_pb(ln) for ln in chunk]))
