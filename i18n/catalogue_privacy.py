"""Words of the personal-data keys' errors (privacy/keys.py: ``privacy.*``): why the service will not
start, or a key file will not load, said in the reader's language (``config.pii_keys``,
``config.start.pii_keys``); and why a sealed value (privacy/cipher.py: ``sealed.value.*``) or a
sealed file (privacy/files.py: ``sealed.file.*``) does not open.

The English words are the texts privacy/keys.py, cipher.py and files.py wrote before they had a
Chinese twin, byte for byte (``str(error)`` is unchanged). Values in ``{...}`` are data shown as they
are: the key file's path or where the keys came from (``$YKT_PII_KEYS``), key ids as Python writes
them (``'k1'``), lists of ids or entries, sizes in bytes, a file's mode, environment variable names,
a parser's own text, format versions, a sealed file's path and chunk numbers (counted from 0). A
sealed value's field is named by its code in English, by its name (``sealed_field.*``) in Chinese.
No message ever holds a key, a plaintext or a ciphertext.
"""
WORDS: dict[str, tuple[str, str]] = {
    # the keys themselves (Keyring)
    "privacy.keyring.no_data_keys": ("{source}：没有数据密钥", "{source}: no data keys"),
    "privacy.keyring.bad_id": ("{source}：密钥编号 {key_id} 不符合要求：应为 1 至 16 个字符，只能用 A-Z a-z 0-9 . _ -",
                               "{source}: key id {key_id} is not 1 to 16 characters from A-Z a-z 0-9 . _ -"),
    "privacy.keyring.data_key_size": ("{source}：数据密钥 {key_id} 应为 {want} 字节（AES-256），实际为 {size} 字节",
                                      "{source}: data key {key_id} must be {want} bytes (AES-256), is {size} bytes"),
    "privacy.keyring.data_key_not_bytes": ("{source}：数据密钥 {key_id} 应为 {want} 字节（AES-256），实际不是字节数据",
                                           "{source}: data key {key_id} must be {want} bytes (AES-256), is not bytes"),
    "privacy.keyring.current_not_held": ("{source}：当前密钥编号 {current} 不在密钥 {keys} 之中",
                                         "{source}: the current key id {current} is not among the keys {keys}"),
    "privacy.keyring.index_key_size": ("{source}：索引密钥应为 {want} 字节，实际为 {size} 字节",
                                       "{source}: the index key must be {want} bytes, is {size} bytes"),
    "privacy.keyring.index_key_not_bytes": ("{source}：索引密钥应为 {want} 字节，实际不是字节数据",
                                            "{source}: the index key must be {want} bytes, is not bytes"),
    "privacy.keyring.index_key_reused": ("{source}：索引密钥不能与任何一个数据密钥相同",
                                         "{source}: the index key must differ from every data key"),
    "privacy.keyring.unknown_id": ("{source}：没有编号为 {key_id} 的数据密钥（现有：{keys}）",
                                   "{source}: no data key with id {key_id} (have {keys})"),
    "privacy.keyring.id_taken": ("{source}：密钥编号 {key_id} 已被使用；请另选一个",
                                 "{source}: key id {key_id} is already in use; pick a new one"),
    # the key file
    "privacy.file.exists": ("{path}：密钥文件已存在；拒绝覆盖", "{path}: a key file already exists; refusing to replace it"),
    "privacy.file.not_found": ("{path}：密钥文件不存在", "{path}: key file not found"),
    "privacy.file.cannot_open": ("{path}：无法打开密钥文件：{why}", "{path}: cannot open the key file: {why}"),
    "privacy.file.not_regular": ("{path}：密钥文件不是普通文件", "{path}: the key file is not a regular file"),
    "privacy.file.open_to_others": ("{path}：同组用户或其他用户也有权限访问该密钥文件（权限 {mode}）；它只能由属主读取："
                                    "chmod 600 {path}",
                                    "{path}: the key file is open to group or others (mode {mode}); it must be "
                                    "readable by its owner only: chmod 600 {path}"),
    "privacy.file.not_utf8": ("{path}：密钥文件不是 UTF-8 文本", "{path}: the key file is not UTF-8 text"),
    # the key document (JSON or TOML)
    "privacy.document.unparsable": ("{source}：密钥文档不是有效的 {format}：{error}",
                                    "{source}: the key document is not valid {format}: {error}"),
    "privacy.document.not_table": ("{source}：密钥文档应为一个表（TOML）或对象（JSON）",
                                   "{source}: the key document must be a table/object"),
    "privacy.document.unknown_entries": ("{source}：有无法识别的项 {unknown}；密钥文档只能有 {fields}",
                                         "{source}: unknown entries {unknown}; a key document has only {fields}"),
    "privacy.document.missing": ("{source}：缺少 {missing}", "{source}: missing {missing}"),
    "privacy.document.current_not_id": ("{source}：'current' 应为一个密钥编号（文本）",
                                        "{source}: 'current' must be a key id (text)"),
    "privacy.document.keys_not_map": ("{source}：'keys' 应把密钥编号对应到 base64 编码的密钥，且至少有一个",
                                      "{source}: 'keys' must map key ids to base64 keys, and hold at least one"),
    "privacy.document.not_text": ("{source}：{what} 应为 base64 文本", "{source}: {what} must be base64 text"),
    "privacy.document.not_base64": ("{source}：{what} 不是有效的 base64", "{source}: {what} is not valid base64"),
    "privacy.document.data_key": ("数据密钥 {key_id}", "data key {key_id}"),
    "privacy.document.index_key": ("索引密钥 'index_key'", "'index_key'"),
    # a sealed value (privacy/cipher.py); the field is the cipher's field name (``sealed_field.*``)
    "sealed_field.id": ("证件号码", "id"),
    "sealed_field.account": ("账号", "account"),
    "sealed_field.phone": ("手机号码", "phone"),
    "sealed_field.line_change": ("更正的发放明细", "line_change"),
    "sealed.value.malformed": ("{field}：不是加密值（长度不足，或格式版本为 {version}，而已知的格式版本为 {known}）",
                               "{field}: not a sealed value (too short, or format version {version} where {known} "
                               "is known)"),
    "sealed.value.no_version": ("{field}：不是加密值（长度不足，或没有格式版本；已知的格式版本为 {known}）",
                                "{field}: not a sealed value (too short, or format version missing where {known} "
                                "is known)"),
    "sealed.value.unknown_key": ("{field}：加密所用的密钥编号 {key_id} 不在 {source} 之中（现有：{keys}）",
                                 "{field}: sealed with key id {key_id}, which {source} does not hold (have {keys})"),
    "sealed.value.truncated": ("{field}：加密值不完整（被截断）", "{field}: sealed value truncated"),
    "sealed.value.tampered": ("{field}：加密值未通过认证：已被改动，或是为另一个字段加密的",
                              "{field}: sealed value does not authenticate: altered, or sealed for another field"),
    "sealed.value.not_sealed": ("不是加密值（长度不足，或格式版本未知）",
                                "not a sealed value (too short, or an unknown format version)"),
    # a sealed file (privacy/files.py): the kept copy of a payment, result or statement file
    "sealed.file.not_sealed": ("{source}：不是加密文件", "{source}: not a sealed file"),
    # {number}: how many chunks opened before the end came (the English says "after chunk N")
    "sealed.file.cut_short": ("{source}：加密文件读完 {number} 个数据块后就结束了（被截断）",
                              "{source}: cut short after chunk {number}"),
    "sealed.file.unopenable": ("{source}：数据块 {number} 无法解密（已被改动，或用的是另一个密钥）",
                               "{source}: chunk {number} does not open (altered, or another key)"),
    "sealed.file.trailing": ("{source}：最后一个数据块之后还有多余的数据", "{source}: data after the last chunk"),
    # where the keys come from
    "privacy.env.both": ("{file_var} 和 {keys_var} 都已设置；只能设置其中一个",
                         "both {file_var} and {keys_var} are set; set only one"),
    "privacy.env.neither": ("没有个人数据密钥：请把 {file_var} 设为密钥文件（python -m privacy generate PATH），"
                            "或把 {keys_var} 设为密钥文档",
                            "no keys for personal data: set {file_var} to a key file (python -m privacy generate "
                            "PATH) or {keys_var} to a key document"),
}
