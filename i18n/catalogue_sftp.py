"""Words of the bank SFTP client's errors (sftp/errors.py, sftp/client.py, sftp/endpoint.py: ``sftp.*``),
stored with a payment file as its ``last_error`` and shown by ``ykt files`` in the reader's language.

An error is said as its frame (``sftp.error``: the bank, the file, why) around its reason; a reason
retried until the attempts ran out carries ``sftp.gave_up``. The English words are the texts the
client wrote before it had a Chinese twin, byte for byte (``str(error)`` is unchanged: logs, tests
and a few checks read it). Values in ``{...}`` are data shown as they are: the bank's name and
address, paths, sizes in bytes, SHA-256 values and fingerprints, key types, a library's own text.

``sftp.cause.*`` are the sentences of the system, of paramiko and of an SFTP server (its status
texts: "No such file", "Failure") as they reach the client; sftp/client.py uses them only for a text
that is exactly their English, any other text is shown as it is.
"""
WORDS: dict[str, tuple[str, str]] = {
    # the frame of every error, and the attempts it took
    "sftp.error": ("银行 {bank}，文件 {path}：{reason}", "bank {bank} path {path}: {reason}"),
    "sftp.error.no_path": ("银行 {bank}：{reason}", "bank {bank}: {reason}"),
    "sftp.gave_up": ("{reason}；已尝试 {attempts} 次，不再重试", "{reason} (gave up after {attempts} attempts)"),
    # the server's host key
    "sftp.unknown_host": ("{host} 的主机密钥 {kind} {fingerprint} 未经确认；请在设置中固定它（host_key）或把它加入 "
                          "known_hosts 文件",
                          "host key {kind} {fingerprint} is not known for {host}; pin it (host_key) or add it to "
                          "known_hosts"),
    "sftp.pin_invalid": ("设置中固定的主机密钥（host_key）无效：{why}", "pinned host key is invalid: {why}"),
    "sftp.known_hosts_unreadable": ("无法读取 known_hosts 文件：{cause}", "cannot read known_hosts: {cause}"),
    "sftp.no_host_key": ("既没有固定主机密钥（host_key），也没有配置 known_hosts 文件；拒绝连接",
                         "no host key pinned and no known_hosts file configured; refusing"),
    "sftp.host_key_mismatch": ("服务器出示的主机密钥是 {offered_kind} {offered}，而固定的是 {pinned_kind} {pinned}；"
                               "可能有人冒充银行的服务器（中间人攻击），拒绝连接",
                               "server presented host key {offered_kind} {offered} but {pinned_kind} {pinned} is "
                               "pinned; possible man-in-the-middle, refusing"),
    # our credentials
    "sftp.secret_unset.passphrase": ("存放私钥口令的环境变量 {var} 没有设置（{setting}）",
                                     "passphrase variable {var} is not set ({setting})"),
    "sftp.secret_unset.password": ("存放登录密码的环境变量 {var} 没有设置（{setting}）",
                                   "password variable {var} is not set ({setting})"),
    "sftp.key_unloadable": ("无法读取私钥：{why}", "cannot load private key: {why}"),
    "sftp.key.encrypted": ("私钥已加密，但没有配置存放口令的环境变量（passphrase_env）",
                           "the key is encrypted and no passphrase_env is configured"),
    "sftp.key.wrong_passphrase": ("口令错误，或私钥无法读取（ValueError）", "wrong passphrase or unreadable key (ValueError)"),
    "sftp.agent_empty": ("设置了使用 ssh-agent（use_agent），但 ssh-agent 中没有可用的密钥（SSH_AUTH_SOCK 是否已设置？"
                         "密钥是否已加入？）",
                         "use_agent is set but no ssh-agent key is available (is SSH_AUTH_SOCK set and the key "
                         "added?)"),
    "sftp.no_credentials": ("没有配置私钥、ssh-agent（use_agent）或登录密码（password_env）",
                            "no private key, ssh-agent (use_agent) or password_env configured"),
    "sftp.auth_timed_out": ("登录验证超时", "authentication timed out"),
    "sftp.auth_refused": ("服务器拒绝以用户 {user} 登录（{kind}；已尝试：{methods}）",
                          "authentication as {user} refused ({kind}; tried {methods})"),
    "sftp.auth_refused_closed": ("服务器拒绝以用户 {user} 登录（{kind}；已尝试：{methods}；服务器随后断开了连接）",
                                 "authentication as {user} refused ({kind}; tried {methods}; the server closed the "
                                 "connection)"),
    "sftp.method.key": ("私钥", "key"),
    "sftp.method.agent": ("ssh-agent", "ssh-agent"),
    "sftp.method.password": ("密码", "password"),
    # setting up the session
    "sftp.cannot_connect": ("无法连接：{cause}", "cannot connect: {cause}"),
    "sftp.no_session": ("无法建立 SFTP 会话：{cause}", "cannot open SFTP session: {cause}"),
    "sftp.no_subsystem": ("服务器不提供 SFTP 服务：{cause}", "the server refused the SFTP subsystem: {cause}"),
    "sftp.not_connected": ("尚未连接", "not connected"),
    # an operation that failed, and the operations
    "sftp.failed": ("{operation}失败：{cause}", "{operation} failed: {cause}"),
    "sftp.failed_lost": ("{operation}失败：连接中断（{cause}）", "{operation} failed: connection lost ({cause})"),
    "sftp.op.connect": ("连接", "connect"),
    "sftp.op.upload": ("上传", "upload"),
    "sftp.op.download": ("下载", "download"),
    "sftp.op.listing": ("列出文件夹内容", "listing"),
    "sftp.op.stat": ("查看文件信息", "stat"),
    "sftp.op.mkdir": ("创建文件夹", "mkdir"),
    "sftp.op.rename": ("改为正式文件名", "rename into place"),
    "sftp.op.move": ("移动文件（到 {folder}）", "move to {folder}"),
    "sftp.op.remove": ("删除文件", "remove"),
    "sftp.op.remove_marker": ("删除完成标记文件", "remove marker"),
    # what the client found
    "sftp.not_a_folder": ("此处已有同名文件，不是文件夹", "exists and is not a directory"),
    "sftp.no_such_folder": ("上传失败：文件夹 {folder} 不存在", "upload failed: no such folder {folder}"),
    "sftp.invalid_name": ("远程文件名无效", "invalid remote file name"),
    "sftp.local_unreadable": ("无法读取本地文件：{cause}", "cannot read local file: {cause}"),
    "sftp.local_unwritable": ("无法写入本地文件：{cause}", "cannot write local file: {cause}"),
    "sftp.readback_short": ("回读核对时中断：只读回 {got} 字节，共 {size} 字节",
                            "read-back cut short after {got} of {size} bytes"),
    "sftp.readback_differs": ("回读核对不一致：服务器上是 {got} 字节（SHA-256 {digest}），发送的是 {size} 字节"
                              "（SHA-256 {sent}）",
                              "read-back differs: {got} bytes sha256 {digest}, sent {size} bytes sha256 {sent}"),
    "sftp.size_after_upload": ("上传后文件大小为 {size} 字节，应为 {expected} 字节",
                               "size after upload is {size}, expected {expected}"),
    "sftp.size_after_rename": ("改为正式文件名后文件大小为 {size} 字节，应为 {expected} 字节",
                               "size after rename is {size}, expected {expected}"),
    "sftp.undecided": ("改为正式文件名的请求已发出，但银行的文件夹（{folders}）中既没有这个文件（SHA-256 {digest}…），"
                       "也没有它的临时副本 {temp}，也没有完成标记：请向银行确认是否已收到，再将它标记为已送达或重新生成；"
                       "不会再次发送",
                       "a rename into place was sent and the bank's folders ({folders}) show neither the file "
                       "(sha256 {digest}…), nor its temporary copy {temp}, nor a marker: ask the bank whether it "
                       "has it, then mark it delivered or regenerate it; it is not sent again"),
    "sftp.volume_full": ("银行服务器的文件夹空间不足：剩余 {free:,} 字节，文件需要 {size:,} 字节；不完整的副本已删除，"
                         "正式文件名下没有任何文件；稍后会重试",
                         "the bank's folder has no room: {free:,} bytes free, the file needs {size:,}; the partial "
                         "copy was removed and nothing is under the final name; tried again later"),
    "sftp.target_differs": ("这个文件名下已有另一个已送达的文件（{why}）；不覆盖",
                            "a different file is already delivered under this name ({why}); not overwriting"),
    "sftp.differs.digest": ("对方的 SHA-256 为 {theirs}，我方为 {ours}", "sha256 {theirs}, ours {ours}"),
    "sftp.differs.size": ("对方 {theirs} 字节，我方 {ours} 字节", "{theirs} bytes, ours {ours}"),
    "sftp.archive_target_exists": ("无法归档 {path}：目标文件夹中已有同名文件", "cannot archive {path}: target exists"),
    "sftp.download_short": ("下载中断：只收到 {got} 字节，共 {size} 字节", "download cut short after {got} of {size} bytes"),
    "sftp.download_size": ("下载到 {got} 字节，但服务器说文件有 {size} 字节",
                           "downloaded {got} bytes but the server says {size}"),
    # the endpoint's settings (sftp/endpoint.py)
    "sftp.setting.port": ("{host} 的 SFTP 端口 {port} 无效", "invalid SFTP port {port} for {host}"),
    "sftp.setting.env_name": ("{setting} 应填写环境变量的名称（字母、数字、下划线），而不是密码或口令本身",
                              "{setting} must be the name of an environment variable (letters, digits, underscore), "
                              "not a secret"),
    "sftp.setting.use_agent": ("use_agent 只能是 true 或 false，不能是 {value}",
                               "use_agent must be true or false, not {value}"),
    "sftp.setting.timeout": ("timeout_s 必须是正数，不能是 {value}", "timeout_s must be a positive number, not {value}"),
    # why, as the system, paramiko or the server said it (exactly these English texts)
    "sftp.cause.and": ("{first}；{more}", "{first}; {more}"),
    "sftp.cause.os": ("{cause}（系统错误号 {errno}）", "[Errno {errno}] {cause}"),
    "sftp.cause.no_address": ("没有可以连接的地址", "no address reachable"),
    "sftp.cause.refused": ("对方拒绝连接（端口上没有服务在监听）", "Connection refused"),
    "sftp.cause.connection_timed_out": ("连接超时", "Connection timed out"),
    "sftp.cause.timed_out": ("超时", "timed out"),
    "sftp.cause.no_route": ("无法到达对方主机（没有路由）", "No route to host"),
    "sftp.cause.network_unreachable": ("网络不通", "Network is unreachable"),
    "sftp.cause.reset": ("连接被对方重置", "Connection reset by peer"),
    "sftp.cause.aborted": ("连接被中止", "Software caused connection abort"),
    "sftp.cause.broken_pipe": ("连接已断开（Broken pipe）", "Broken pipe"),
    "sftp.cause.name_unknown": ("无法解析主机名（没有这个名字）", "Name or service not known"),
    "sftp.cause.name_temporary": ("暂时无法解析主机名", "Temporary failure in name resolution"),
    "sftp.cause.eof": ("服务器关闭了连接（EOF）", "the server closed the connection (EOF)"),
    "sftp.cause.banner": ("读取服务器的 SSH 协议标识时出错", "SSHException: Error reading SSH protocol banner"),
    "sftp.cause.banner_because": ("读取服务器的 SSH 协议标识时出错：{detail}",
                                  "SSHException: Error reading SSH protocol banner{detail}"),
    "sftp.cause.incompatible": ("与服务器无法商定共同的 SSH 算法或版本：{detail}", "IncompatiblePeer: {detail}"),
    "sftp.cause.auth_failed": ("登录验证失败", "AuthenticationException: Authentication failed."),
    "sftp.cause.no_session": ("SSH 会话不存在", "SSHException: No existing session"),
    "sftp.cause.session_inactive": ("SSH 会话已断开", "SSHException: SSH session not active"),
    "sftp.cause.channel_timeout": ("打开 SSH 通道超时", "SSHException: Timeout opening channel."),
    "sftp.cause.channel_closed": ("SSH 通道已关闭", "OSError: Socket is closed"),
    "sftp.cause.no_such_file": ("文件或文件夹不存在", "No such file"),
    "sftp.cause.no_such_file_or_folder": ("文件或文件夹不存在", "No such file or directory"),
    "sftp.cause.permission_denied": ("没有权限", "Permission denied"),
    "sftp.cause.failure": ("服务器报告操作失败（SFTP Failure，常见原因是磁盘已满或超出配额）", "OSError: Failure"),
    "sftp.cause.unsupported": ("服务器不支持这个操作", "OSError: Operation unsupported"),
    "sftp.cause.disk_full": ("磁盘空间不足", "No space left on device"),
    "sftp.cause.read_only": ("文件系统是只读的", "Read-only file system"),
    "sftp.cause.is_a_folder": ("这是一个文件夹，不是文件", "Is a directory"),
}
