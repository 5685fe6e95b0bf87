"""Real failures against a real OpenSSH sshd, said in both languages (issue 16 item 3, H8): a port
nobody listens on (refused), a client key the server does not accept (authentication refused), a
pinned host key that is not the server's (possible man-in-the-middle), a folder that does not exist.

``str(error)`` stays the English the client always wrote; its words, stored as a failed upload's
``last_error`` is (``dispatch.upload_failed``), are said in Chinese by default and as that English
with "en". The expected words are written from the fault made, not copied from output.
"""
from __future__ import annotations

import pytest

from i18n import reset, use
from i18n.stored import message, shown
from sftp import AuthFailed, BankSftp, HostKeyMismatch, RemoteRefused, ServerUnavailable
from sftp.keys import fingerprint, generate_ed25519, parse_public_key_line
from tests.support.sshd import free_port

pytestmark = [pytest.mark.timeout(60), pytest.mark.sshd]


def said(exc) -> tuple[str, str, str]:
    """(English text, the stored words in the default language, the stored words in English)."""
    stored = message("dispatch.upload_failed", error=exc.phrase)
    token = use(None)
    try:
        return str(exc), shown(stored), shown(stored, "en")
    finally:
        reset(token)


def failed(endpoint, call=lambda bank: bank.connect()):
    with pytest.raises(Exception) as info:
        call(BankSftp(endpoint, sleep=lambda _s: None))
    return info.value


def test_a_port_nobody_listens_on_is_refused(sshd_server):
    port = free_port()
    e = failed(sshd_server.endpoint(port=port, retry_attempts=3))
    assert isinstance(e, ServerUnavailable) and e.attempts == 3
    english, chinese, again = said(e)
    assert english == again == f"bank 127.0.0.1:{port}: cannot connect: Connection refused (gave up after 3 attempts)"
    assert chinese == f"上传失败：银行 127.0.0.1:{port}：无法连接：对方拒绝连接（端口上没有服务在监听）；已尝试 3 次，不再重试"


def test_a_client_key_the_server_does_not_know_is_refused(sshd_server, tmp_path):
    wrong = tmp_path / "wrong_key"
    generate_ed25519(wrong)
    e = failed(sshd_server.endpoint(private_key_path=wrong))
    assert isinstance(e, AuthFailed) and e.attempts == 1
    english, chinese, again = said(e)
    bank, user = f"127.0.0.1:{sshd_server.port}", repr(sshd_server.username)
    closed = english.endswith("; the server closed the connection)")  # whether sshd hung up at once
    assert english == again == (f"bank {bank}: authentication as {user} refused (AuthenticationException; tried key"
                                + ("; the server closed the connection)" if closed else ")"))
    assert chinese == (f"上传失败：银行 {bank}：服务器拒绝以用户 {user} 登录（AuthenticationException；已尝试：私钥"
                       + ("；服务器随后断开了连接）" if closed else "）"))
    assert wrong.read_text().splitlines()[1] not in english + chinese


def test_a_pinned_host_key_that_is_not_the_servers_is_refused(sshd_server, tmp_path):
    other = generate_ed25519(tmp_path / "other")
    e = failed(sshd_server.endpoint(host_key=other))
    assert isinstance(e, HostKeyMismatch)
    offered = parse_public_key_line(sshd_server.host_public_key_line)
    pinned = parse_public_key_line(other)
    assert (e.offered_fingerprint, e.expected_fingerprint) == (fingerprint(offered), fingerprint(pinned))
    english, chinese, again = said(e)
    bank = f"127.0.0.1:{sshd_server.port}"
    assert english == again == (f"bank {bank}: server presented host key {offered.get_name()} "
                                f"{fingerprint(offered)} but ssh-ed25519 {fingerprint(pinned)} is pinned; "
                                "possible man-in-the-middle, refusing")
    assert chinese == (f"上传失败：银行 {bank}：服务器出示的主机密钥是 {offered.get_name()} {fingerprint(offered)}，"
                       f"而固定的是 ssh-ed25519 {fingerprint(pinned)}；可能有人冒充银行的服务器（中间人攻击），拒绝连接")


def test_an_upload_into_a_folder_that_does_not_exist(sshd_server, tmp_path):
    local = tmp_path / "PAY_1.xml"
    local.write_bytes(b"<pay/>")
    folder = sshd_server.remote("no_such_folder")
    e = failed(sshd_server.endpoint(), call=lambda bank: bank.upload(local, folder, "PAY_1.xml"))
    assert isinstance(e, RemoteRefused)
    english, chinese, again = said(e)
    bank = f"127.0.0.1:{sshd_server.port}"
    assert english == again == f"bank {bank} path {folder}/PAY_1.xml: upload failed: no such folder {folder}"
    assert chinese == f"上传失败：银行 {bank}，文件 {folder}/PAY_1.xml：上传失败：文件夹 {folder} 不存在"
