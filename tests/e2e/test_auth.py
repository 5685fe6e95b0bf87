"""Authentication and roles through a real gRPC server on a port: bearer tokens, mutual TLS,
the role table for every RPC of the service, and the ``ykt`` command's credentials."""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import tomllib

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from adapter import auth, certs
from adapter import server as grpc_server
from adapter.client import Client
from domain.model import BatchHeader
from domain.roster import generate_lines
from ledger.db import make_engine, migrate, sqlite_url
from privacy.cipher import FieldCipher
from privacy.keys import Keyring
from service.config import BankProfile, Settings
from service.context import Context
from service import config
from service.identity import AuthSettings, Role, User, issue_tokens, token_sha256
from tests.support.identities import TEST_AUTH, TOKENS, TestClient
from tests.support.sshd import free_port
from ykt.v1 import disbursement_pb2 as pb
from ykt.v1 import disbursement_pb2_grpc as pb_grpc

SERVICE = pb.DESCRIPTOR.services_by_name["DisbursementService"]
BANK = "RCB01"
REGION = "652301"
SINGLE_ROLE_USERS = {"clerk": Role.CLERK, "approver": Role.APPROVER, "finance": Role.FINANCE, "bank": Role.BANK,
                     "auditor": Role.AUDITOR}
DENIED = (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED)


@pytest.fixture
def serve(tmp_path):
    """``serve(auth)`` starts the service with these auth settings; returns its address."""
    started = []

    def start(auth_settings: AuthSettings) -> str:
        folder = tmp_path / f"service{len(started)}"
        folder.mkdir()
        engine = make_engine(sqlite_url(folder / "ledger.sqlite3"))
        migrate(engine)
        # the service speaks English: these tests read its English messages (Chinese: test_languages.py)
        settings = Settings(language="en", database_url=str(engine.url), data_dir=folder,
                            banks={BANK: BankProfile(code=BANK, name="某农村商业银行", format="iso20022")},
                            auth=auth_settings)
        server, port = grpc_server.build(Context(engine=engine, settings=settings,
                                                 cipher=FieldCipher(Keyring.generate())), "127.0.0.1:0")
        started.append((server, engine))
        return f"127.0.0.1:{port}"

    yield start
    for server, engine in started:
        server.stop(grace=None).wait()
        engine.dispose()


def _bearer(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"),)


def _raw_call(channel: grpc.Channel, method, metadata=()) -> grpc.StatusCode:
    """Call ``method`` with empty request bytes (the auth check comes before any parsing)."""
    path = f"/{SERVICE.full_name}/{method.name}"
    try:
        if method.client_streaming and method.server_streaming:
            list(channel.stream_stream(path)(iter([b""]), metadata=metadata, timeout=10))
        elif method.client_streaming:
            channel.stream_unary(path)(iter([b""]), metadata=metadata, timeout=10)
        elif method.server_streaming:
            list(channel.unary_stream(path)(b"", metadata=metadata, timeout=10))
        else:
            channel.unary_unary(path)(b"", metadata=metadata, timeout=10)
    except grpc.RpcError as err:
        return err.code()
    return grpc.StatusCode.OK


def _header(n: int, key: str, period: str = "2026-11") -> tuple[BatchHeader, list]:
    lines = list(generate_lines(n, seed=5, region=REGION))
    return BatchHeader(
        idempotency_key=key, program="耕地地力保护补贴", period=period, region=REGION, bank_code=BANK,
        payer_name="某县财政局", payer_account="15000012345678", control_count=n,
        control_total_fen=sum(ln.amount_fen for ln in lines),
    ), lines


def _trail(client: Client, batch_id: str) -> list[tuple[str, str]]:
    events = client.call("GetAuditTrail", pb.GetAuditTrailRequest(batch_id=batch_id)).events
    return [(e.action, e.actor) for e in events if e.seq == 0]


# --- the role table ------------------------------------------------------------------------------


def test_the_role_table_has_a_row_for_every_rpc_and_nothing_else():
    names = [m.name for m in SERVICE.methods]
    assert sorted(set(names) - set(auth.RPC_ROLES)) == [], "add the new RPC's row to adapter/auth.py RPC_ROLES"
    assert sorted(set(auth.RPC_ROLES) - set(names)) == [], "a row for an RPC the service does not have"
    for name, roles in auth.RPC_ROLES.items():
        assert roles and all(isinstance(r, Role) for r in roles), name


def test_every_rpc_refuses_every_role_outside_its_row_and_anyone_without_credentials(serve):
    users, tokens = issue_tokens(SINGLE_ROLE_USERS)
    address = serve(AuthSettings(users=users))
    with grpc.insecure_channel(address) as channel:
        for method in SERVICE.methods:
            allowed = auth.RPC_ROLES[method.name]
            assert _raw_call(channel, method) == grpc.StatusCode.UNAUTHENTICATED, method.name
            assert _raw_call(channel, method, _bearer("not-a-token")) == grpc.StatusCode.UNAUTHENTICATED, method.name
            for user, role in SINGLE_ROLE_USERS.items():
                code = _raw_call(channel, method, _bearer(tokens[user]))
                if role in allowed:
                    assert code not in DENIED, (method.name, role, code)
                else:
                    assert code == grpc.StatusCode.PERMISSION_DENIED, (method.name, role, code)


def test_an_rpc_missing_from_the_table_is_refused_to_everyone(serve, monkeypatch):
    monkeypatch.delitem(auth.RPC_ROLES, "ListBatches")
    users, tokens = issue_tokens(SINGLE_ROLE_USERS)
    address = serve(AuthSettings(users=users))
    for user in SINGLE_ROLE_USERS:
        client = Client(address, token=tokens[user])
        with pytest.raises(grpc.RpcError) as err:
            client.call("ListBatches", pb.ListBatchesRequest())
        assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
        assert "ListBatches is not in the role table" in err.value.details()
        client.close()


def test_permission_denied_names_the_role_needed(serve):
    client = TestClient(serve(TEST_AUTH), "clerk")
    with pytest.raises(grpc.RpcError) as err:
        client.call("FundBatch", pb.FundBatchRequest(batch_id="B-1", amount_fen=1))
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert err.value.details() == "FundBatch needs role FINANCE; user 'clerk' has CLERK"
    with pytest.raises(grpc.RpcError) as err:
        client.as_user("auditor").ingest(BANK, "r.xml", b"")
    assert err.value.details() == "IngestResultFile needs role BANK or FINANCE; user 'auditor' has AUDITOR"
    client.close()


# --- bearer tokens -------------------------------------------------------------------------------


@pytest.mark.parametrize(("metadata", "message"), [
    ((), "no credentials: send 'authorization: Bearer <token>' metadata"),
    (_bearer("wrong"), "the bearer token is not valid"),
    ((("authorization", "Basic Y2xlcms6cHc="),), "the authorization metadata must be 'Bearer <token>'"),
    ((("authorization", "Bearer "),), "the authorization metadata must be 'Bearer <token>'"),
    (_bearer(TOKENS["clerk"]) + _bearer(TOKENS["finance"]), "more than one authorization header"),
    ((("x-ykt-user", "finance"),), "no credentials"),  # the old unauthenticated header names nobody
], ids=["none", "wrong", "basic", "empty", "two", "old-header"])
def test_missing_or_invalid_credentials_are_unauthenticated(serve, metadata, message):
    with grpc.insecure_channel(serve(TEST_AUTH)) as channel:
        with pytest.raises(grpc.RpcError) as err:
            pb_grpc.DisbursementServiceStub(channel).ListBatches(pb.ListBatchesRequest(), metadata=metadata, timeout=10)
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert err.value.details().startswith(message)


def test_actions_record_the_authenticated_user_whatever_other_metadata_says(serve):
    client = TestClient(serve(TEST_AUTH), "clerk")
    header, lines = _header(5, "who")
    batch_id = client.submit(header, lines).batch_id
    approver = client.as_user("approver")
    spoof = (("x-ykt-user", "clerk"),)  # the old header, now meaningless: the approver is who the token says
    approver.stub.ApproveBatch(pb.ApproveBatchRequest(batch_id=batch_id), metadata=approver.metadata + spoof)
    batch = client.call("GetBatch", pb.GetBatchRequest(batch_id=batch_id))
    assert (batch.submitted_by, batch.approved_by) == ("clerk", "approver")
    assert _trail(client, batch_id) == [("SUBMIT", "clerk"), ("APPROVE", "approver")]
    client.close()


def test_the_submitter_cannot_approve_even_holding_both_roles(serve):
    lead = TestClient(serve(TEST_AUTH), "lead")  # CLERK and APPROVER
    header, lines = _header(5, "lead")
    batch_id = lead.submit(header, lines).batch_id
    with pytest.raises(grpc.RpcError) as err:
        lead.call("ApproveBatch", pb.ApproveBatchRequest(batch_id=batch_id))
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert "must be someone other than its submitter (lead)" in err.value.details()
    lead.as_user("approver").call("ApproveBatch", pb.ApproveBatchRequest(batch_id=batch_id))
    other, other_lines = _header(5, "lead-approves", period="2026-12")  # and the lead approves someone else's batch
    other_id = lead.as_user("clerk").submit(other, other_lines).batch_id
    assert lead.call("ApproveBatch", pb.ApproveBatchRequest(batch_id=other_id)).approved_by == "lead"
    lead.close()


def test_tokens_are_never_logged(serve, caplog):
    caplog.set_level(logging.DEBUG)
    client = TestClient(serve(TEST_AUTH), "clerk")
    client.call("ListBatches", pb.ListBatchesRequest())
    for token in ("a-wrong-token-0123456789", TOKENS["clerk"]):
        with pytest.raises(grpc.RpcError):
            client.with_token(token).call("FundBatch", pb.FundBatchRequest(batch_id="B-1", amount_fen=1))
    assert "refused" in caplog.text and "ListBatches by clerk" in caplog.text
    assert "a-wrong-token" not in caplog.text and TOKENS["clerk"] not in caplog.text
    assert TOKENS["clerk"] not in repr(client)
    client.close()


# --- health, reflection, unknown methods ---------------------------------------------------------


def test_only_the_health_check_answers_without_credentials(serve):
    address = serve(TEST_AUTH)
    with grpc.insecure_channel(address) as channel:
        reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
        assert reply.status == health_pb2.HealthCheckResponse.SERVING
        reflect = reflection_pb2_grpc.ServerReflectionStub(channel)
        request = reflection_pb2.ServerReflectionRequest(list_services="")
        with pytest.raises(grpc.RpcError) as err:
            list(reflect.ServerReflectionInfo(iter([request]), timeout=10))
        assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
        for user in ("auditor", "bank"):  # reflection: any authenticated user
            replies = reflect.ServerReflectionInfo(iter([request]), metadata=_bearer(TOKENS[user]), timeout=10)
            assert SERVICE.full_name in {s.name for r in replies for s in r.list_services_response.service}
        unknown = channel.unary_unary("/ykt.v1.Nothing/Here")
        with pytest.raises(grpc.RpcError) as err:
            unknown(b"", timeout=10)
        assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
        with pytest.raises(grpc.RpcError) as err:
            unknown(b"", metadata=_bearer(TOKENS["clerk"]), timeout=10)
        assert err.value.code() == grpc.StatusCode.UNIMPLEMENTED


# --- mutual TLS ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pki")
    paths = certs.write_set(folder, ("localhost", "127.0.0.1"), ("wang.clerk", "li.approver", "gateway"))
    stranger_ca = certs.make_ca("some other CA")
    certs.issue(stranger_ca, "wang.clerk").write(folder / "stranger.pem", folder / "stranger.key")
    paths.update(stranger=folder / "stranger.pem", stranger_key=folder / "stranger.key")
    return paths


def _mtls_settings(pki, users: dict[str, User]) -> AuthSettings:
    return AuthSettings(users=users, tls_cert=pki["server"], tls_key=pki["server_key"], client_ca=pki["ca"])


def _tls_client(address: str, pki, cn: str | None, token: str | None = None) -> Client:
    cert, key = (pki[cn], pki[f"{cn}_key"]) if cn else (None, None)
    return Client(address, token=token, tls=(pki["ca"], cert, key))


MTLS_USERS = {
    "wang": User("wang", frozenset({Role.CLERK}), cert_cn="wang.clerk"),
    "li": User("li", frozenset({Role.APPROVER}), cert_cn="li.approver"),
}


def test_mutual_tls_names_the_user_of_the_certificate(serve, pki):
    address = serve(_mtls_settings(pki, MTLS_USERS))
    wang, li = _tls_client(address, pki, "wang.clerk"), _tls_client(address, pki, "li.approver")
    header, lines = _header(5, "mtls")
    batch_id = wang.submit(header, lines).batch_id
    with pytest.raises(grpc.RpcError) as err:  # the certificate's user is a clerk, not an approver
        wang.call("ApproveBatch", pb.ApproveBatchRequest(batch_id=batch_id))
    assert err.value.details() == "ApproveBatch needs role APPROVER; user 'wang' has CLERK"
    assert li.call("ApproveBatch", pb.ApproveBatchRequest(batch_id=batch_id)).approved_by == "li"
    assert _trail(li, batch_id) == [("SUBMIT", "wang"), ("APPROVE", "li")]
    wang.close()
    li.close()


@pytest.mark.parametrize("who", ["another-ca", "no-certificate", "plaintext"])
def test_mutual_tls_refuses_the_handshake_without_a_certificate_of_the_ca(serve, pki, who):
    address = serve(_mtls_settings(pki, MTLS_USERS))
    if who == "another-ca":
        client = _tls_client(address, pki, "stranger")
    elif who == "no-certificate":
        client = _tls_client(address, pki, None)
    else:
        client = Client(address)
    for call in (lambda: client.call("ListBatches", pb.ListBatchesRequest(), timeout=10),
                 lambda: health_pb2_grpc.HealthStub(client.channel).Check(health_pb2.HealthCheckRequest(), timeout=10)):
        with pytest.raises(grpc.RpcError) as err:
            call()
        assert err.value.code() == grpc.StatusCode.UNAVAILABLE
    client.close()


def test_a_valid_certificate_of_no_user_identifies_nobody(serve, pki):
    users, tokens = issue_tokens({"finance-system": Role.FINANCE})
    address = serve(_mtls_settings(pki, {**MTLS_USERS, **users}))
    gateway = _tls_client(address, pki, "gateway")
    with pytest.raises(grpc.RpcError) as err:
        gateway.call("ListBatches", pb.ListBatchesRequest(), timeout=10)
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert err.value.details() == "the client certificate CN='gateway' is not a configured user"
    reply = health_pb2_grpc.HealthStub(gateway.channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
    assert reply.status == health_pb2.HealthCheckResponse.SERVING  # the handshake is all health needs
    # Behind a shared certificate, a token names the user.
    assert gateway.with_token(tokens["finance-system"]).call("ListBatches", pb.ListBatchesRequest()).batches == []
    # A certificate and a token of different users: refused.
    wang = _tls_client(address, pki, "wang.clerk", token=tokens["finance-system"])
    with pytest.raises(grpc.RpcError) as err:
        wang.call("ListBatches", pb.ListBatchesRequest(), timeout=10)
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert "belong to different users" in err.value.details()
    gateway.close()
    wang.close()


# --- the ykt command ------------------------------------------------------------------------------


def test_serve_with_mutual_tls_and_report_with_credentials_from_flags_or_environment(tmp_path, pki):
    users, tokens = issue_tokens({"finance-system": Role.FINANCE})
    (tmp_path / "ykt.toml").write_text(f"""
data_dir = "var"
[auth]
tls_cert = "{pki['server']}"
tls_key = "{pki['server_key']}"
client_ca = "{pki['ca']}"
[auth.users.wang]
role = "CLERK"
cert_cn = "wang.clerk"
[auth.users.finance-system]
role = "FINANCE"
token_sha256 = "{users['finance-system'].token_sha256}"
""", encoding="utf-8")
    cli = [sys.executable, "-m", "adapter.cli"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("YKT_")}
    assert subprocess.run(cli + ["keys", "init", "--config", str(tmp_path / "ykt.toml")], env=env,
                          capture_output=True, timeout=60).returncode == 0
    port = free_port()
    proc = subprocess.Popen(cli + ["serve", "--no-worker", "--config", str(tmp_path / "ykt.toml"),
                                   "--address", f"127.0.0.1:{port}"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def report(*flags, **extra_env):
        return subprocess.run(cli + ["report", "refund", "B-none", "--address", f"127.0.0.1:{port}",
                                     "--out", str(tmp_path), *flags],
                              env={**env, **extra_env}, capture_output=True, text=True, timeout=60)

    try:
        assert proc.stdout.readline().strip() == f"ykt serving on port {port}"
        by_flags = report("--ca", str(pki["ca"]), "--cert", str(pki["wang.clerk"]), "--key", str(pki["wang.clerk_key"]))
        assert by_flags.returncode == 3 and "NOT_FOUND" in by_flags.stderr  # authenticated, allowed, no such batch
        tls_env = dict(YKT_TLS_CA=str(pki["ca"]), YKT_TLS_CERT=str(pki["gateway"]), YKT_TLS_KEY=str(pki["gateway_key"]))
        by_env = report(**tls_env, YKT_TOKEN=tokens["finance-system"])
        assert by_env.returncode == 3 and "NOT_FOUND" in by_env.stderr, by_env.stderr
        token_file = tmp_path / "token"
        token_file.write_text(tokens["finance-system"] + "\n", encoding="utf-8")
        assert "NOT_FOUND" in report("--token-file", str(token_file), **tls_env).stderr
        nobody = report(**tls_env)
        assert nobody.returncode == 3 and "UNAUTHENTICATED" in nobody.stderr and "'gateway'" in nobody.stderr
        no_tls = report()
        assert no_tls.returncode == 4 and "UNAVAILABLE" in no_tls.stderr  # no TLS: no handshake, a connection failure
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert tokens["finance-system"] not in err


def test_certs_and_token_commands(tmp_path):
    cli = [sys.executable, "-m", "adapter.cli", "--lang", "en"]
    made = subprocess.run(cli + ["certs", "--out", str(tmp_path), "--client", "wang.clerk"],
                          capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    assert {p.name for p in tmp_path.iterdir()} == {"ca.pem", "ca.key", "server.pem", "server.key",
                                                    "wang.clerk.pem", "wang.clerk.key"}
    assert all((tmp_path / k).stat().st_mode & 0o077 == 0 for k in ("ca.key", "server.key", "wang.clerk.key"))
    ca_before = (tmp_path / "ca.pem").read_bytes()
    subprocess.run(cli + ["certs", "--out", str(tmp_path), "--client", "li"], check=True, capture_output=True, timeout=60)
    assert (tmp_path / "ca.pem").read_bytes() == ca_before and (tmp_path / "li.pem").exists()  # same CA, one more
    made = subprocess.run(cli + ["token", "wang", "--role", "approver"], capture_output=True, text=True, timeout=60)
    assert made.returncode == 0
    token = made.stderr.rsplit(" ", 1)[1].strip()
    settings = config.from_dict(tomllib.loads(made.stdout), base=tmp_path, source="snippet")
    assert settings.auth.users["wang"].token_sha256 == token_sha256(token)
    assert settings.auth.users["wang"].roles == {Role.APPROVER}
    assert token not in made.stdout  # the settings get the digest only
    teller = subprocess.run(cli + ["token", "teller", "--role", "BANK", "--bank", "RCB01"], capture_output=True,
                            text=True, timeout=60)
    assert teller.returncode == 0, teller.stderr
    assert tomllib.loads(teller.stdout)["auth"]["users"]["teller"]["banks"] == ["RCB01"]
    for refused in (["token", "teller", "--role", "BANK"], ["token", "wang", "--bank", "RCB01"]):
        made = subprocess.run(cli + refused, capture_output=True, text=True, timeout=60)
        assert made.returncode == 2 and "a BANK user needs --bank CODE" in made.stderr and made.stdout == ""
