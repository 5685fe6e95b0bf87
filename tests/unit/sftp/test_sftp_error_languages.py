"""The SFTP client's errors keep their English text byte for byte and carry catalogue words, so a
payment file's ``last_error`` and ``ykt files`` say them in Chinese by default and in English on
request (issue 16 item 3, H8).

``str(error)`` is the English the client always wrote (written here from its old f-strings); the
error's words (``error.phrase``), stored as a message the way service/dispatch.py stores a failed
upload, are said in Chinese by default and as that same English with "en". Errors made without a
server are raised for real; the others (a server's answers) are checked word by word against the
old sentences. Texts we have no words for (a library's other sentences) stay as they are.
"""
from __future__ import annotations

import errno
import re
import socket
from pathlib import Path

import paramiko
import pytest

import i18n
from i18n import Phrase, reset, use
from i18n.library_words import said as library_said
from i18n.stored import message, placeholders, shown
from sftp import BankSftp
from sftp.client import _describe
from sftp.endpoint import SftpEndpoint
from sftp.errors import (
    AuthFailed,
    HostKeyMismatch,
    PermanentError,
    ServerUnavailable,
    SessionFailed,
    TransferFailed,
)
from tests.support.catalogue_scan import made_in
from tests.support.sshd import free_port

ROOT = Path(__file__).resolve().parents[3]
HAN = re.compile(r"[\u4e00-\u9fff]")
PIN = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOsUXh0gkRxtkwDY7E4z2ENiEtxOHOh8IwtHvVLrOz6I"


def said(exc) -> tuple[str, str, str]:
    """(English text, stored words in the default language, stored words in English), stored as
    a failed upload's ``last_error`` is (``dispatch.upload_failed``, whose English is the error)."""
    stored = message("dispatch.upload_failed", error=exc.phrase)
    token = use(None)
    try:
        return str(exc), shown(stored), shown(stored, "en")
    finally:
        reset(token)


def raised(endpoint: SftpEndpoint, call=lambda bank: bank.connect()):
    with pytest.raises(Exception) as info:
        call(BankSftp(endpoint, sleep=lambda _s: None))
    return info.value


def endpoint(**overrides) -> SftpEndpoint:
    kw = dict(host="127.0.0.1", port=2222, username="ykt", private_key_path=None, host_key=PIN,
              retry_attempts=1)
    kw.update(overrides)
    return SftpEndpoint(**kw)


@pytest.fixture(autouse=True)
def _password(monkeypatch):
    monkeypatch.setenv("YKT_TEST_PW", "x")


# --------------------------------------------------------------------------- the frame


def test_an_error_is_said_with_its_bank_file_and_reason_and_the_attempts_it_took():
    e = ServerUnavailable("RCC01 (h:22)", "/inbox/PAY.xml", Phrase.of("sftp.cannot_connect",
                                                                      cause=Phrase("sftp.cause.refused")))
    e.gave_up(4)
    english, chinese, again = said(e)
    assert english == again == ("bank RCC01 (h:22) path /inbox/PAY.xml: cannot connect: Connection refused "
                                "(gave up after 4 attempts)")
    assert e.reason == "cannot connect: Connection refused (gave up after 4 attempts)"
    assert chinese == "上传失败：银行 RCC01 (h:22)，文件 /inbox/PAY.xml：无法连接：对方拒绝连接（端口上没有服务在监听）；" \
                      "已尝试 4 次，不再重试"


def test_an_error_without_a_file_and_a_reason_given_as_text_keep_their_words():
    e = SessionFailed("h:22", None, "something paramiko said")
    english, chinese, again = said(e)
    assert english == again == "bank h:22: something paramiko said"
    assert chinese == "上传失败：银行 h:22：something paramiko said"
    assert e.gave_up(1) is e and str(e) == english  # one attempt: nothing added


def test_the_words_are_what_a_reader_of_the_exception_gets():
    e = SessionFailed("h:22", None, Phrase("sftp.no_host_key"))
    assert library_said(e) == e.phrase and str(e.phrase) == str(e)


# --------------------------------------------------------------------------- raised without a server


def test_no_host_key_is_refused_in_both_languages():
    e = raised(endpoint(host_key=None))
    assert isinstance(e, SessionFailed)
    english, chinese, again = said(e)
    assert english == again == "bank 127.0.0.1:2222: no host key pinned and no known_hosts file configured; refusing"
    assert "既没有固定主机密钥" in chinese and "拒绝连接" in chinese


def test_an_invalid_pin_says_why_as_the_key_parser_wrote_it():
    e = raised(endpoint(host_key="ssh-ed25519"))
    english, chinese, _ = said(e)
    assert english.startswith("bank 127.0.0.1:2222: pinned host key is invalid: ")
    detail = english.removeprefix("bank 127.0.0.1:2222: pinned host key is invalid: ")
    assert chinese == f"上传失败：银行 127.0.0.1:2222：设置中固定的主机密钥（host_key）无效：{detail}"


def test_a_missing_known_hosts_file(tmp_path):
    path = tmp_path / "known_hosts"
    e = raised(endpoint(host_key=None, known_hosts_path=path))
    english, chinese, again = said(e)
    assert english == again == f"bank 127.0.0.1:2222 path {path}: cannot read known_hosts: No such file or directory"
    assert chinese.endswith(f"文件 {path}：无法读取 known_hosts 文件：文件或文件夹不存在")


def test_no_credentials_at_all():
    e = raised(endpoint())
    assert isinstance(e, AuthFailed)
    english, chinese, _ = said(e)
    assert english == "bank 127.0.0.1:2222: no private key, ssh-agent (use_agent) or password_env configured"
    assert chinese.endswith("没有配置私钥、ssh-agent（use_agent）或登录密码（password_env）")


@pytest.mark.parametrize(("setting", "english", "chinese"), [
    ("password_env", "password variable YKT_NO_SUCH_PW is not set (password_env)",
     "存放登录密码的环境变量 YKT_NO_SUCH_PW 没有设置（password_env）"),
    ("passphrase_env", "passphrase variable YKT_NO_SUCH_PW is not set (passphrase_env)",
     "存放私钥口令的环境变量 YKT_NO_SUCH_PW 没有设置（passphrase_env）"),
])
def test_a_secret_variable_that_is_not_set(tmp_path, monkeypatch, setting, english, chinese):
    monkeypatch.delenv("YKT_NO_SUCH_PW", raising=False)
    key = tmp_path / "id"  # the passphrase is looked for before the key is read; a password after
    key.write_text("not a key")
    e = raised(endpoint(private_key_path=key if setting == "passphrase_env" else None, **{setting: "YKT_NO_SUCH_PW"}))
    assert isinstance(e, AuthFailed)
    assert said(e) == (f"bank 127.0.0.1:2222: {english}", f"上传失败：银行 127.0.0.1:2222：{chinese}",
                       f"bank 127.0.0.1:2222: {english}")


def test_a_private_key_that_cannot_be_loaded(tmp_path):
    missing = tmp_path / "id_missing"
    english, chinese, _ = said(raised(endpoint(private_key_path=missing)))
    assert english == f"bank 127.0.0.1:2222 path {missing}: cannot load private key: No such file or directory"
    assert chinese.endswith("无法读取私钥：文件或文件夹不存在")
    garbage = tmp_path / "id_garbage"
    garbage.write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nnot base64 at all\n-----END OPENSSH PRIVATE KEY-----\n")
    english, chinese, _ = said(raised(endpoint(private_key_path=garbage)))
    kind = english.rsplit(": ", 1)[1]  # the parser's exception type only, never its text
    assert re.fullmatch(r"[A-Za-z]+", kind)
    assert chinese.endswith(f"无法读取私钥：{kind}")


def test_a_closed_port_is_refused_and_given_up_after_the_attempts():
    port = free_port()
    e = raised(endpoint(port=port, private_key_path=None, password_env="YKT_TEST_PW", retry_attempts=2),
               call=lambda bank: bank.upload(Path(__file__), "/inbox", "PAY.xml"))
    assert isinstance(e, ServerUnavailable)
    english, chinese, again = said(e)
    assert english == again == (f"bank 127.0.0.1:{port} path /inbox/PAY.xml: cannot connect: Connection refused "
                                "(gave up after 2 attempts)")
    assert chinese == (f"上传失败：银行 127.0.0.1:{port}，文件 /inbox/PAY.xml：无法连接：对方拒绝连接（端口上没有服务在监听）；"
                       "已尝试 2 次，不再重试")


def test_an_upload_refused_before_anything_is_sent(tmp_path):
    e = raised(endpoint(), call=lambda bank: bank.upload(tmp_path / "PAY.xml", "/inbox", ".PAY.xml"))
    assert isinstance(e, TransferFailed)
    assert said(e) == ("bank 127.0.0.1:2222 path .PAY.xml: invalid remote file name",
                       "上传失败：银行 127.0.0.1:2222，文件 .PAY.xml：远程文件名无效",
                       "bank 127.0.0.1:2222 path .PAY.xml: invalid remote file name")
    missing = tmp_path / "PAY.xml"
    e = raised(endpoint(), call=lambda bank: bank.upload(missing, "/inbox", "PAY.xml"))
    english, chinese, _ = said(e)
    assert english == f"bank 127.0.0.1:2222 path {missing}: cannot read local file: No such file or directory"
    assert chinese.endswith(f"文件 {missing}：无法读取本地文件：文件或文件夹不存在")


# --------------------------------------------------------------------------- the endpoint's settings


@pytest.mark.parametrize(("change", "english", "chinese"), [
    ({"port": 0}, "invalid SFTP port 0 for 127.0.0.1", "127.0.0.1 的 SFTP 端口 0 无效"),
    ({"port": "22"}, "invalid SFTP port '22' for 127.0.0.1", "127.0.0.1 的 SFTP 端口 '22' 无效"),
    ({"password_env": "hunter 2"},
     "password_env must be the name of an environment variable (letters, digits, underscore), not a secret",
     "password_env 应填写环境变量的名称（字母、数字、下划线），而不是密码或口令本身"),
    ({"passphrase_env": "1X"},
     "passphrase_env must be the name of an environment variable (letters, digits, underscore), not a secret",
     "passphrase_env 应填写环境变量的名称（字母、数字、下划线），而不是密码或口令本身"),
    ({"use_agent": "yes"}, "use_agent must be true or false, not 'yes'", "use_agent 只能是 true 或 false，不能是 'yes'"),
    ({"timeout_s": 0}, "timeout_s must be a positive number, not 0", "timeout_s 必须是正数，不能是 0"),
])
def test_a_settings_mistake_is_a_value_error_with_words(change, english, chinese):
    with pytest.raises(ValueError) as info:
        endpoint(**change)
    assert str(info.value) == english
    words = library_said(info.value)
    assert i18n.say(words.key, "zh", **dict(words.fields)) == chinese
    assert i18n.say(words.key, "en", **dict(words.fields)) == english
    assert "hunter" not in chinese


# --------------------------------------------------------------------------- a library's reasons


def _banner(inner: BaseException) -> paramiko.SSHException:
    """The exception paramiko raises when the server's first line cannot be read."""
    try:
        try:
            raise inner
        except Exception as e:  # noqa: BLE001 - as paramiko does
            raise paramiko.SSHException("Error reading SSH protocol banner" + str(e)) from None
    except paramiko.SSHException as exc:
        exc.__context__ = inner
        return exc


def _no_valid(*errors: OSError) -> paramiko.ssh_exception.NoValidConnectionsError:
    """paramiko's "every address failed", with the failure of each (none: it cannot make that itself)."""
    exc = paramiko.ssh_exception.NoValidConnectionsError({("10.0.0.9", 22): ConnectionRefusedError()})
    exc.errors = {(f"10.0.0.{i}", 22): e for i, e in enumerate(errors)}
    return exc


@pytest.mark.parametrize(("exc", "english", "chinese"), [
    (ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"), "Connection refused",
     "对方拒绝连接（端口上没有服务在监听）"),
    (TimeoutError(errno.ETIMEDOUT, "Connection timed out"), "Connection timed out", "连接超时"),
    (socket.timeout("timed out"), "timed out", "超时"),
    (OSError(errno.EHOSTUNREACH, "No route to host"), "No route to host", "无法到达对方主机（没有路由）"),
    (OSError(errno.ENETUNREACH, "Network is unreachable"), "Network is unreachable", "网络不通"),
    (socket.gaierror(socket.EAI_NONAME, "Name or service not known"), "Name or service not known",
     "无法解析主机名（没有这个名字）"),
    (socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution"),
     "Temporary failure in name resolution", "暂时无法解析主机名"),
    (ConnectionResetError(errno.ECONNRESET, "Connection reset by peer"), "Connection reset by peer", "连接被对方重置"),
    (EOFError(), "the server closed the connection (EOF)", "服务器关闭了连接（EOF）"),
    (_no_valid(), "no address reachable", "没有可以连接的地址"),
    (_no_valid(OSError(errno.EHOSTUNREACH, "No route to host"), ConnectionRefusedError(errno.ECONNREFUSED,
                                                                                        "Connection refused")),
     "Connection refused; No route to host", "对方拒绝连接（端口上没有服务在监听）；无法到达对方主机（没有路由）"),
    (_banner(EOFError()), "SSHException: Error reading SSH protocol banner", "读取服务器的 SSH 协议标识时出错"),
    (_banner(ConnectionResetError(errno.ECONNRESET, "Connection reset by peer")),
     "SSHException: Error reading SSH protocol banner[Errno 104] Connection reset by peer",
     "读取服务器的 SSH 协议标识时出错：连接被对方重置（系统错误号 104）"),
    (_banner(socket.timeout("timed out")), "SSHException: Error reading SSH protocol bannertimed out",
     "读取服务器的 SSH 协议标识时出错：超时"),
    (paramiko.ssh_exception.IncompatiblePeer("Incompatible ssh peer (no acceptable kex algorithm)"),
     "IncompatiblePeer: Incompatible ssh peer (no acceptable kex algorithm)",
     "与服务器无法商定共同的 SSH 算法或版本：Incompatible ssh peer (no acceptable kex algorithm)"),
    (paramiko.AuthenticationException("Authentication failed."), "AuthenticationException: Authentication failed.",
     "登录验证失败"),
    (paramiko.SSHException("No existing session"), "SSHException: No existing session", "SSH 会话不存在"),
    (OSError("Socket is closed"), "OSError: Socket is closed", "SSH 通道已关闭"),
    # an SFTP server's status texts (paramiko raises them as OSError, an errno for two of them)
    (FileNotFoundError(errno.ENOENT, "No such file"), "No such file", "文件或文件夹不存在"),
    (PermissionError(errno.EACCES, "Permission denied"), "Permission denied", "没有权限"),
    (OSError("Failure"), "OSError: Failure", "服务器报告操作失败（SFTP Failure，常见原因是磁盘已满或超出配额）"),
    (OSError("Operation unsupported"), "OSError: Operation unsupported", "服务器不支持这个操作"),
    (OSError(errno.ENOSPC, "No space left on device"), "No space left on device", "磁盘空间不足"),
])
def test_the_usual_reasons_of_the_system_paramiko_and_the_server_have_words(exc, english, chinese):
    words = _describe(exc)
    assert str(words) == english
    assert i18n.say(words.key, "zh", **dict(words.fields)) == chinese


@pytest.mark.parametrize(("exc", "text"), [
    (RuntimeError("boom"), "RuntimeError: boom"),
    (ValueError(), "ValueError"),
    (OSError(errno.EIO, "Input/output error"), "Input/output error"),
    (paramiko.SSHException("Server connection dropped: "), "SSHException: Server connection dropped: "),
])
def test_other_reasons_stay_as_their_text(exc, text):
    words = _describe(exc)
    assert str(words) == text
    stored = message("sftp.cannot_connect", cause=words)
    assert shown(stored, "en") == f"cannot connect: {text}"
    assert shown(stored, "zh") == f"无法连接：{text}"


# --------------------------------------------------------------------------- a server's answers


def _frame(reason: Phrase) -> tuple[str, str]:
    e = TransferFailed("RCC01 (10.1.2.3:22)", "/inbox/PAY_7.xml", reason)
    english, chinese, again = said(e)
    assert english == again
    head = "bank RCC01 (10.1.2.3:22) path /inbox/PAY_7.xml: "
    assert english.startswith(head) and chinese.startswith("上传失败：银行 RCC01 (10.1.2.3:22)，文件 /inbox/PAY_7.xml：")
    return english.removeprefix(head), chinese.removeprefix("上传失败：银行 RCC01 (10.1.2.3:22)，文件 /inbox/PAY_7.xml：")


DIGEST = "9f" * 32
OTHER = "a1" * 32
SAID_BY_THE_CLIENT = [  # (words as sftp/client.py makes them, its old English sentence, the Chinese)
    (Phrase.of("sftp.unknown_host", kind="ssh-ed25519", fingerprint="SHA256:q0Z", host="10.1.2.3"),
     "host key ssh-ed25519 SHA256:q0Z is not known for 10.1.2.3; pin it (host_key) or add it to known_hosts",
     "10.1.2.3 的主机密钥 ssh-ed25519 SHA256:q0Z 未经确认；请在设置中固定它（host_key）或把它加入 known_hosts 文件"),
    (Phrase.of("sftp.host_key_mismatch", offered_kind="ssh-rsa", offered="SHA256:AAA", pinned_kind="ssh-ed25519",
               pinned="SHA256:BBB"),
     "server presented host key ssh-rsa SHA256:AAA but ssh-ed25519 SHA256:BBB is pinned; possible man-in-the-middle, "
     "refusing",
     "服务器出示的主机密钥是 ssh-rsa SHA256:AAA，而固定的是 ssh-ed25519 SHA256:BBB；可能有人冒充银行的服务器（中间人攻击），拒绝连接"),
    (Phrase.of("sftp.key_unloadable", why=Phrase("sftp.key.encrypted")),
     "cannot load private key: the key is encrypted and no passphrase_env is configured",
     "无法读取私钥：私钥已加密，但没有配置存放口令的环境变量（passphrase_env）"),
    (Phrase.of("sftp.key_unloadable", why=Phrase("sftp.key.wrong_passphrase")),
     "cannot load private key: wrong passphrase or unreadable key (ValueError)",
     "无法读取私钥：口令错误，或私钥无法读取（ValueError）"),
    (Phrase("sftp.agent_empty"),
     "use_agent is set but no ssh-agent key is available (is SSH_AUTH_SOCK set and the key added?)",
     "设置了使用 ssh-agent（use_agent），但 ssh-agent 中没有可用的密钥（SSH_AUTH_SOCK 是否已设置？密钥是否已加入？）"),
    (Phrase("sftp.auth_timed_out"), "authentication timed out", "登录验证超时"),
    (Phrase.of("sftp.auth_refused", user="'ykt'", kind="AuthenticationException",
               methods=(Phrase("sftp.method.key"), Phrase("sftp.method.agent"), Phrase("sftp.method.password"))),
     "authentication as 'ykt' refused (AuthenticationException; tried key, ssh-agent, password)",
     "服务器拒绝以用户 'ykt' 登录（AuthenticationException；已尝试：私钥、ssh-agent、密码）"),
    (Phrase.of("sftp.auth_refused_closed", user="'ykt'", kind="BadAuthenticationType",
               methods=(Phrase("sftp.method.password"),)),
     "authentication as 'ykt' refused (BadAuthenticationType; tried password; the server closed the connection)",
     "服务器拒绝以用户 'ykt' 登录（BadAuthenticationType；已尝试：密码；服务器随后断开了连接）"),
    (Phrase.of("sftp.no_session", cause=Phrase("sftp.cause.eof")),
     "cannot open SFTP session: the server closed the connection (EOF)",
     "无法建立 SFTP 会话：服务器关闭了连接（EOF）"),
    (Phrase.of("sftp.no_subsystem", cause="ChannelException: (1, 'Administratively prohibited')"),
     "the server refused the SFTP subsystem: ChannelException: (1, 'Administratively prohibited')",
     "服务器不提供 SFTP 服务：ChannelException: (1, 'Administratively prohibited')"),
    (Phrase("sftp.not_connected"), "not connected", "尚未连接"),
    (Phrase.of("sftp.failed_lost", operation=Phrase("sftp.op.download"), cause=Phrase("sftp.cause.reset")),
     "download failed: connection lost (Connection reset by peer)", "下载失败：连接中断（连接被对方重置）"),
    (Phrase.of("sftp.failed", operation=Phrase("sftp.op.rename"), cause=Phrase("sftp.cause.permission_denied")),
     "rename into place failed: Permission denied", "改为正式文件名失败：没有权限"),
    (Phrase.of("sftp.failed", operation=Phrase.of("sftp.op.move", folder="/outbox/done"),
               cause=Phrase("sftp.cause.failure")),
     "move to /outbox/done failed: OSError: Failure",
     "移动文件（到 /outbox/done）失败：服务器报告操作失败（SFTP Failure，常见原因是磁盘已满或超出配额）"),
    (Phrase.of("sftp.failed", operation=Phrase("sftp.op.listing"), cause=Phrase("sftp.cause.no_such_file")),
     "listing failed: No such file", "列出文件夹内容失败：文件或文件夹不存在"),
    (Phrase.of("sftp.failed", operation=Phrase("sftp.op.remove_marker"), cause="OSError: Bad message"),
     "remove marker failed: OSError: Bad message", "删除完成标记文件失败：OSError: Bad message"),
    (Phrase("sftp.not_a_folder"), "exists and is not a directory", "此处已有同名文件，不是文件夹"),
    (Phrase.of("sftp.no_such_folder", folder="/inbox"), "upload failed: no such folder /inbox",
     "上传失败：文件夹 /inbox 不存在"),
    (Phrase.of("sftp.local_unwritable", cause=Phrase("sftp.cause.disk_full")),
     "cannot write local file: No space left on device", "无法写入本地文件：磁盘空间不足"),
    (Phrase.of("sftp.readback_short", got=65536, size=700000), "read-back cut short after 65536 of 700000 bytes",
     "回读核对时中断：只读回 65536 字节，共 700000 字节"),
    (Phrase.of("sftp.readback_differs", got=700000, digest=OTHER, size=700000, sent=DIGEST),
     f"read-back differs: 700000 bytes sha256 {OTHER}, sent 700000 bytes sha256 {DIGEST}",
     f"回读核对不一致：服务器上是 700000 字节（SHA-256 {OTHER}），发送的是 700000 字节（SHA-256 {DIGEST}）"),
    (Phrase.of("sftp.size_after_upload", size=4096, expected=700000), "size after upload is 4096, expected 700000",
     "上传后文件大小为 4096 字节，应为 700000 字节"),
    (Phrase.of("sftp.size_after_rename", size=0, expected=700000), "size after rename is 0, expected 700000",
     "改为正式文件名后文件大小为 0 字节，应为 700000 字节"),
    (Phrase.of("sftp.undecided", folders="/inbox, /inbox/taken", digest=DIGEST[:16], temp=".PAY_7.xml.3.part"),
     f"a rename into place was sent and the bank's folders (/inbox, /inbox/taken) show neither the file "
     f"(sha256 {DIGEST[:16]}…), nor its temporary copy .PAY_7.xml.3.part, nor a marker: ask the bank whether it "
     "has it, then mark it delivered or regenerate it; it is not sent again",
     f"改为正式文件名的请求已发出，但银行的文件夹（/inbox, /inbox/taken）中既没有这个文件（SHA-256 {DIGEST[:16]}…），"
     "也没有它的临时副本 .PAY_7.xml.3.part，也没有完成标记：请向银行确认是否已收到，再将它标记为已送达或重新生成；不会再次发送"),
    (Phrase.of("sftp.volume_full", free=1048576, size=3000000),
     "the bank's folder has no room: 1,048,576 bytes free, the file needs 3,000,000; the partial copy was removed "
     "and nothing is under the final name; tried again later",
     "银行服务器的文件夹空间不足：剩余 1,048,576 字节，文件需要 3,000,000 字节；不完整的副本已删除，正式文件名下没有任何文件；"
     "稍后会重试"),
    (Phrase.of("sftp.target_differs", why=Phrase.of("sftp.differs.digest", theirs=OTHER, ours=DIGEST)),
     f"a different file is already delivered under this name (sha256 {OTHER}, ours {DIGEST}); not overwriting",
     f"这个文件名下已有另一个已送达的文件（对方的 SHA-256 为 {OTHER}，我方为 {DIGEST}）；不覆盖"),
    (Phrase.of("sftp.target_differs", why=Phrase.of("sftp.differs.size", theirs=20001, ours=20000)),
     "a different file is already delivered under this name (20001 bytes, ours 20000); not overwriting",
     "这个文件名下已有另一个已送达的文件（对方 20001 字节，我方 20000 字节）；不覆盖"),
    (Phrase.of("sftp.archive_target_exists", path="/outbox/RET_7.xml"),
     "cannot archive /outbox/RET_7.xml: target exists", "无法归档 /outbox/RET_7.xml：目标文件夹中已有同名文件"),
    (Phrase.of("sftp.download_short", got=10, size=20), "download cut short after 10 of 20 bytes",
     "下载中断：只收到 10 字节，共 20 字节"),
    (Phrase.of("sftp.download_size", got=21, size=20), "downloaded 21 bytes but the server says 20",
     "下载到 21 字节，但服务器说文件有 20 字节"),
]


@pytest.mark.parametrize(("words", "english", "chinese"), SAID_BY_THE_CLIENT, ids=lambda v: getattr(v, "key", None))
def test_a_servers_answers_are_said_as_before_in_english_and_in_chinese(words, english, chinese):
    assert _frame(words) == (english, chinese)


# --------------------------------------------------------------------------- the source


def test_every_sftp_word_is_made_in_sftp():
    """(Each with exactly its arguments: tests/unit/i18n/test_catalogue_keys_made.py.)"""
    made = [m for m in made_in(sorted((ROOT / "sftp").glob("*.py"))) if m.key]
    assert len(made) > 40
    used = {m.key for m in made}
    unused = {key for key in i18n.WORDS if key.startswith("sftp.") and key not in used
              and not (key.startswith("sftp.cause.") and not placeholders(key))}  # found by their text
    assert unused == set(), unused


def test_every_chinese_word_is_chinese_and_every_english_word_is_not():
    for key, (zh, en) in i18n.WORDS.items():
        if key.startswith("sftp.") and key not in ("sftp.method.agent", "sftp.cause.and"):
            assert HAN.search(zh), key
            assert not HAN.search(en), key


def test_a_permanent_error_raised_at_once_keeps_one_attempt():
    e = raised(endpoint(host_key=None, retry_attempts=3))
    assert isinstance(e, PermanentError) and e.attempts == 1 and "已尝试" not in said(e)[1]


def test_a_host_key_mismatch_keeps_its_fingerprints():
    e = HostKeyMismatch("h:22", None, Phrase.of("sftp.host_key_mismatch", offered_kind="a", offered="SHA256:x",
                                                 pinned_kind="b", pinned="SHA256:y"),
                        expected_fingerprint="SHA256:y", offered_fingerprint="SHA256:x")
    assert e.expected_fingerprint == "SHA256:y" and "SHA256:x" in said(e)[1]
