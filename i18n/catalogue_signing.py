"""Words of the report-signing keys' errors (reports/signing.py ``SigningKeyError``: ``signing.*``):
why ``ykt keys rotate-signing|public``, ``ykt backup`` or ``ykt report verify --public-key`` cannot use
a key set, said in the reader's language (``cli.signing.refused``, ``backup.signing_keys``).

The English words are the texts reports/signing.py wrote before they had a Chinese twin, byte for
byte (``str(error)`` is unchanged: scripts and tests read it). Values in ``{...}`` are data shown as
they are: the key set file's path or where the keys came from, key ids as Python writes them
(``'s2'``), lists of ids, a file's mode, a key's type name, and what a parser or the system wrote
(said in words where ``i18n.library_words`` knows them). No message ever holds a key.
"""
WORDS: dict[str, tuple[str, str]] = {
    # how ykt keys rotate-signing|public prints a refusal (adapter/ops_cli.py)
    "cli.signing.refused": ("报表签名密钥：{why}", "{why}"),
    # the keys themselves (SigningKeys)
    "signing.keys.none": ("{source}：没有签名密钥", "{source}: no signing keys"),
    "signing.keys.bad_id": ("{source}：密钥编号 {key_id} 不符合要求：应为 1 至 16 个字符，只能用 A-Z a-z 0-9 . _ -",
                            "{source}: key id {key_id} is not 1 to 16 characters from A-Z a-z 0-9 . _ -"),
    "signing.keys.current_not_held": ("{source}：当前密钥编号 {current} 不在密钥 {keys} 之中",
                                      "{source}: the current key id {current} is not among the keys {keys}"),
    "signing.keys.id_taken": ("{source}：密钥编号 {key_id} 已被使用；请另选一个",
                              "{source}: key id {key_id} is already in use; pick a new one"),
    # the key set document (JSON)
    "signing.document.not_json": ("{source}：不是签名密钥组（JSON）：{error}",
                                  "{source}: not a signing key set (JSON): {error}"),
    "signing.document.shape": ("{source}：签名密钥组只能有 'current' 和 'keys' 两项（密钥编号对应 base64 编码的密钥）",
                               "{source}: a signing key set holds exactly 'current' and 'keys' (ids to base64 keys)"),
    "signing.document.bad_key": ("{source}：密钥 {key_id} 不是 base64 编码的 32 字节 Ed25519 密钥",
                                 "{source}: key {key_id} is not base64 of a 32-byte Ed25519 key"),
    # the single key file of earlier versions (report-signing.pem)
    "signing.legacy.unreadable": ("{path}：无法读取报表签名密钥：{error}",
                                  "{path}: cannot read the report-signing key: {error}"),
    "signing.legacy.not_ed25519": ("{path}：报表签名密钥是 {kind}，不是 Ed25519",
                                   "{path}: the report-signing key is {kind}, not Ed25519"),
    # the public key set other parties verify with
    "signing.public.not_json": ("{source}：不是公钥组（JSON）：{error}", "{source}: not a public key set (JSON): {error}"),
    "signing.public.shape": ("{source}：公钥组应有 'keys'：密钥编号对应 PEM 格式的公钥",
                             "{source}: a public key set holds 'keys': key ids to PEM public keys"),
    # the key set file
    "signing.file.not_found": ("{path}：签名密钥组文件不存在", "{path}: signing key set not found"),
    "signing.file.cannot_open": ("{path}：无法打开签名密钥组文件：{why}", "{path}: cannot open the signing key set: {why}"),
    "signing.file.not_regular": ("{path}：签名密钥组文件不是普通文件", "{path}: the signing key set is not a regular file"),
    "signing.file.open_to_others": ("{path}：同组用户或其他用户也有权限访问该签名密钥组文件（权限 {mode}）；它只能由属主读取："
                                    "chmod 600 {path}",
                                    "{path}: the signing key set is open to group or others (mode {mode}); it must be "
                                    "readable by its owner only: chmod 600 {path}"),
}
