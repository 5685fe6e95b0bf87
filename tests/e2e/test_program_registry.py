"""The program registry through the real gRPC server (issue 14 item 3): with programs registered
in the settings, a batch names one of them, its period has the program's form, and no line may
exceed the registered standard whatever the header says. A refused header stores nothing."""
from __future__ import annotations

from dataclasses import replace

import grpc
import pytest
from grpc_status import rpc_status
from google.rpc import error_details_pb2
from sqlalchemy import func, select

from adapter import server as grpc_server
from domain.model import BatchHeader
from domain.roster import generate_lines
from ledger.db import make_engine, migrate, sqlite_url
from ledger.schema import batches, lines as lines_table
from privacy.cipher import FieldCipher
from privacy.keys import Keyring
from service import config
from service.config import BankProfile
from service.context import Context
from tests.support.identities import TEST_AUTH, TestClient

BANK = "RCB01"
REGION = "652301"
SETTINGS = {
    "data_dir": "var",
    "programs": {
        "高龄津贴": {"code": "GLJT", "department": "县民政局", "period": "month", "standard_fen": 10000},
        "耕地地力保护补贴": {"code": "GDDL", "department": "县农业农村局", "period": "year", "one_card": "reject"},
    },
}


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("registry")
    engine = make_engine(sqlite_url(tmp / "ledger.sqlite3"))
    migrate(engine)
    loaded = config.from_dict(SETTINGS, base=tmp)
    settings = replace(loaded, database_url=str(engine.url), auth=TEST_AUTH,
                       banks={BANK: BankProfile(code=BANK, name="某农村商业银行", format="iso20022")})
    ctx = Context(engine=engine, settings=settings, cipher=FieldCipher(Keyring.generate()))
    server, port = grpc_server.build(ctx, "127.0.0.1:0")
    client = TestClient(f"127.0.0.1:{port}", "clerk")
    yield ctx, client
    client.close()
    server.stop(grace=None).wait()


def _header(rows, program: str, period: str, key: str, **changes) -> BatchHeader:
    return BatchHeader(idempotency_key=key, program=program, period=period, region=REGION, bank_code=BANK,
                       payer_name="某县财政局", payer_account="15000012345678", control_count=len(rows),
                       control_total_fen=sum(r.amount_fen for r in rows), **changes)


def _counts(ctx) -> tuple[int, int]:
    with ctx.engine.connect() as conn:
        return (conn.execute(select(func.count()).select_from(batches)).scalar_one(),
                conn.execute(select(func.count()).select_from(lines_table)).scalar_one())


def _violations(err: grpc.RpcError) -> dict[str, str]:
    out = {}
    for detail in rpc_status.from_call(err).details:
        bad = error_details_pb2.BadRequest()
        detail.Unpack(bad)
        out.update({v.field: v.description.split(":")[0] for v in bad.field_violations})
    return out


def _rows(n: int, seed: int, amount: int):
    return [replace(r, amount_fen=amount) for r in generate_lines(n, seed=seed, region=REGION)]


@pytest.mark.parametrize("program, period, changes, expected", [
    ("老年补贴", "2026-11", {}, {"header.program": "PROGRAM_UNKNOWN"}),
    ("高龄津贴", "2026-13", {}, {"header.period": "PERIOD_FORMAT"}),
    ("高龄津贴", "2026", {}, {"header.period": "PERIOD_FORMAT"}),
    ("耕地地力保护补贴", "2026-11", {}, {"header.period": "PERIOD_FORMAT"}),
    ("高龄津贴", "2026-11", {"max_amount_fen": 20000}, {"header.max_amount_fen": "STANDARD_NOT_REGISTERED"}),
])
def test_a_header_the_registry_refuses_stores_nothing(api, program, period, changes, expected):
    ctx, client = api
    rows = _rows(3, seed=5, amount=5000)
    before = _counts(ctx)
    with pytest.raises(grpc.RpcError) as refused:
        client.submit(_header(rows, program, period, f"bad-{program}-{period}-{changes}", **changes), rows)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert _violations(refused.value) == expected
    assert _counts(ctx) == before


def test_the_registered_standard_is_the_ceiling_whatever_the_header_leaves_out(api):
    ctx, client = api
    rows = _rows(3, seed=6, amount=10000)
    rows[1] = replace(rows[1], amount_fen=10001)
    reply = client.submit(_header(rows, "高龄津贴", "2026-11", "gljt-1"), rows)  # no standard in the header
    assert [(i.seq, i.code) for i in reply.issues] == [(rows[1].seq, "AMOUNT_ABOVE_STANDARD")]
    with ctx.engine.connect() as conn:
        assert conn.execute(select(batches.c.max_amount_fen).where(batches.c.id == reply.batch_id)).scalar_one() == 10000


def test_a_registered_program_of_its_period_form_is_taken(api):
    _ctx, client = api
    rows = _rows(2, seed=7, amount=123456)  # no registered standard: any positive amount
    reply = client.submit(_header(rows, "耕地地力保护补贴", "2026", "gddl-2026"), rows)
    assert reply.accepted_count == 2 and not reply.issues


@pytest.mark.parametrize("table, message", [
    ({"code": "GLJT", "period": "month"}, "programs.X.department: missing: a registered program needs department"),
    ({"code": "GLJT", "department": "d"}, "programs.X.period: missing"),
    ({"period": "month"}, "programs.X.period: a program in the registry needs a code"),
    ({"code": "gljt", "department": "d", "period": "month"}, "programs.X.code"),
    ({"code": "G", "department": "d", "period": "week"}, "programs.X.period"),
    ({"code": "G", "department": "d", "period": "month", "standard_fen": 0}, "programs.X.standard_fen"),
])
def test_a_malformed_registry_entry_is_refused_at_load(tmp_path, table, message):
    with pytest.raises(config.ConfigError) as refused:
        config.from_dict({"programs": {"X": table}}, base=tmp_path)
    assert any(message in p for p in refused.value.problems), refused.value.problems
