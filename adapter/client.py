"""A small client over the generated stub, used by the CLI, the demo, tests and benchmarks."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

import grpc

from adapter import convert
from adapter.servicer import USER_METADATA
from domain.model import BatchHeader, PaymentLine
from ykt.v1 import disbursement_pb2 as pb
from ykt.v1 import disbursement_pb2_grpc as pb_grpc

CHUNK_LINES = 2000  # lines per streamed message: well under gRPC's 4 MB message limit


class Client:
    def __init__(self, address: str, user: str = ""):
        self.channel = grpc.insecure_channel(address)
        self.stub = pb_grpc.DisbursementServiceStub(self.channel)
        self.user = user

    def as_user(self, user: str) -> Client:
        other = Client.__new__(Client)
        other.channel, other.stub, other.user = self.channel, self.stub, user
        return other

    @property
    def metadata(self) -> tuple[tuple[str, str], ...]:
        return ((USER_METADATA, self.user),)

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

    def close(self) -> None:
        self.channel.close()


def _submit_requests(header: BatchHeader, lines: Iterable[PaymentLine]) -> Iterator[pb.SubmitBatchRequest]:
    yield pb.SubmitBatchRequest(header=convert.header_to_pb(header))
    it = iter(lines)
    while chunk := list(islice(it, CHUNK_LINES)):
        yield pb.SubmitBatchRequest(lines=pb.LineChunk(lines=[convert.line_to_pb(ln) for ln in chunk]))
