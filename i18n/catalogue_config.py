"""Words of the start-up configuration errors: the settings file (service/config.py, ``config.*``)
and the bank profiles (service/profiles.py, ``profile.*``).

Each message's key is its stable code (``ykt --json`` prints it); ``{where}`` is the file and
the key (``config.where``, or ``config.where.env`` when an environment variable set it), so a
person reads which file, which key and why in either language. The English words are the
messages as they were before they had a Chinese twin. Values in ``{...}`` are data (file names,
keys, the value given) or a library's own words (``{detail}``, ``{why}``), shown as they are.

``setting_expects.*`` names what a setting takes (the schema's descriptions in service/config.py,
kept in English there for the README's table): a :class:`~i18n.Named` code, so the English
message keeps the description as it was and the Chinese one says it in Chinese.
"""
WORDS: dict[str, tuple[str, str]] = {
    # where a problem is
    "config.where": ("{file}：{setting}", "{file}: {setting}"),
    "config.where.env": ("{file}：{setting}（来自环境变量 {var}）", "{file}: {setting} (from {var})"),
    # the settings file as a whole
    "config.unusable": ("配置无法使用", "unusable settings"),
    "config.unreadable": ("{file}：无法读取或解析：{why}", "{file}: {why}"),
    "config.detail": ("{where}：{detail}", "{where}: {detail}"),
    # the schema
    "config.unknown_key": ("{where}：未知的键{hint}{guess}（可用的键：{valid}）",
                           "{where}: unknown key{hint}{guess} (valid: {valid})"),
    "config.did_you_mean": ("；是否应为 {name}？", "; did you mean {name}?"),
    "config.hint.bank_details": ("（银行的详细信息写在该银行的 profile 中）", " (bank details belong in its profile)"),
    "config.hint.password": ("（请写保存密码的环境变量名：password_env）",
                             " (name the environment variable that holds it: password_env)"),
    "config.hint.token": ("（配置中只保存令牌的 SHA-256：token_sha256）",
                          " (the settings hold only its SHA-256: token_sha256)"),
    "config.missing": ("{where}：缺少此项", "{where}: missing"),
    "config.expected": ("{where}：应为{what}，实际为 {got}", "{where}: expected {what}, got {got}"),
    "config.invalid": ("{where}：{detail}，实际为 {got}", "{where}: {detail}, got {got}"),
    # the environment
    "config.env.near": ("{where}：没有这个配置项；是否应为 {near}？", "{where}: no such setting; did you mean {near}?"),
    "config.env.unknown": ("{where}：没有配置项 {key}", "{where}: no such setting {key}"),
    "config.env.unknown_near": ("{where}：没有配置项 {key}；是否应为 {near}？",
                                "{where}: no such setting {key}; did you mean {near}?"),
    "config.env.table": ("{where}：{key} 是一个表，请逐项设置其中的键（{var}__KEY）",
                         "{where}: {key} is a table: set its keys one by one ({var}__KEY)"),
    "config.env.both": ("{file}：{var} 与 {file_var} 同时设置了，只能给一个",
                        "{file}: {var} and {file_var}: both set; give one"),
    "config.env.unreadable": ("{where}：无法读取 {path}：{why}", "{where}: cannot read {path}: {why}"),
    # banks
    "config.bank.profile": ("{where}：{problem}", "{where}: {problem}"),
    "config.bank.other_profile": ("{where}：该 profile 属于银行 {code}", "{where}: the profile is for bank {code}"),
    "config.bank.keys": ("{where}.{detail}", "{where}.{detail}"),
    "config.sftp.host_key_needed": ("{where}：须给出 host_key 或 known_hosts（绝不在首次连接时盲目信任）",
                                    "{where}: needs host_key or known_hosts (never trust on first use)"),
    # calendar
    "config.calendar.both": ("{where}：file 与 years 只能给一个", "{where}: give file or years, not both"),
    "config.calendar.file": ("{where}（{path}）：{detail}", "{where} ({path}): {detail}"),
    "config.calendar.years": ("{where}.{detail}", "{where}.{detail}"),
    # programs
    "config.program.needs_code": ("{where}：登记在册的项目须有代码（code = \"...\"，1 至 16 位 A-Z、0-9 和 _）",
                                  "{where}: a program in the registry needs a code "
                                  "(code = \"...\", 1 to 16 of A-Z, 0-9 and _)"),
    "config.program.default_code": ("{where}：[programs.default] 设定所有项目的策略，不是可登记的项目",
                                    "{where}: [programs.default] sets the policy of every program; "
                                    "it is not a program to register"),
    "config.program.missing": ("{where}：缺少此项：登记在册的项目须有 {keys}",
                               "{where}: missing: a registered program needs {keys}"),
    # auth
    "config.auth.no_file": ("{where}：没有文件 {path}", "{where}: no such file {path}"),
    "config.auth.tls_pair": ("{where}：缺少此项（tls_cert 与 tls_key 须同时给出）",
                             "{where}: missing (tls_cert and tls_key go together)"),
    "config.auth.client_ca": ("{where}：须先有 tls_cert 与 tls_key（客户端证书需要 TLS）",
                              "{where}: needs tls_cert and tls_key (client certificates need TLS)"),
    "config.auth.same_token": ("{where}：与用户 {user} 的令牌相同", "{where}: the same token as user {user}"),
    "config.auth.same_cn": ("{where}：{cn} 已是用户 {user} 的证书名", "{where}: {cn} is already user {user}"),
    "config.user.no_name": ("{where}：用户须有名字", "{where}: a user needs a name"),
    "config.user.role_or_roles": ("{where}：给出 role（或 roles，一个列表），二者只给一个",
                                  "{where}: give role (or roles, a list); one of them, not both"),
    "config.user.no_roles": ("{where}：应为角色名或非空的角色名列表",
                             "{where}: expected a role name or a non-empty list of them"),
    "config.user.unknown_role": ("{where}：未知角色 {role}（已知：{known}）", "{where}: unknown role {role} (known: {known})"),
    "config.user.no_credentials": ("{where}：缺少凭据：请给出 token_sha256 和/或 cert_cn",
                                   "{where}: missing credentials: give token_sha256 and/or cert_cn"),
    "config.user.token_sha256": ("{where}：应为 64 位十六进制数字，即令牌的 SHA-256（ykt token 会打印）；绝不能是令牌本身",
                                 "{where}: expected 64 hex digits, the SHA-256 of the token (ykt token prints one); "
                                 "never the token itself"),
    "config.user.cert_cn": ("{where}：应为该用户客户端证书的通用名（CN）",
                            "{where}: expected the common name of the user's client certificate"),
    "config.user.bank_needs_banks": ("{where}：BANK 用户须列出其代理的银行代码：banks = [\"CODE\", ...]（其他银行的数据它既看不到也不能提交）",
                                     "{where}: a BANK user needs the codes of the banks it acts for: "
                                     "banks = [\"CODE\", ...] (it sees and hands in nothing of any other bank)"),
    "config.user.banks_not_bank": ("{where}：只有 BANK 用户代理银行", "{where}: only a BANK user acts for banks"),
    "config.user.empty_bank": ("{where}：应为银行代码，却有一个是空的", "{where}: expected bank codes, got an empty one"),
    "config.user.unknown_bank": ("{where}：未知银行 {code}（已配置：{known}）", "{where}: unknown bank {code} (configured: {known})"),
    "config.none_configured": ("无", "none configured"),
    # serving: the address, the TLS files, the metrics address, the personal-data keys
    "config.listen.not_bound": ("无法在 {address} 监听：该地址无法绑定（不是本机的地址，或端口刚被占用）",
                                "cannot listen on {address}: no address there could be bound "
                                "(not an address of this host, or the port was just taken)"),
    "config.listen.host_port": ("无法在 {address} 监听：应为 主机:端口", "cannot listen on {address}: expected HOST:PORT"),
    "config.listen.failed": ("无法在 {address} 监听：{why}", "cannot listen on {address}: {why}"),
    "config.listen.in_use": ("无法在 {address} 监听：端口 {port} 已被占用（是否另有 ykt serve 在该端口运行？）",
                             "cannot listen on {address}: port {port} is in use (is another ykt serve running on it?)"),
    "config.auth.tls_unreadable": ("auth：无法读取 TLS 文件：{why}", "auth: cannot read a TLS file: {why}"),
    "config.metrics.host_port": ("metrics_address {address}：应为 主机:端口", "metrics_address {address}: expected HOST:PORT"),
    "config.metrics.listen": ("metrics_address {address}：无法在该地址监听：{why}",
                              "metrics_address {address}: cannot listen there: {why}"),
    "config.pii_keys": ("个人数据密钥：{detail}（请用以下命令生成：ykt keys init）",
                        "personal-data keys: {detail} (create them with: ykt keys init)"),
    # at start: the files and variables the settings name (check_start)
    "config.start.no_password_env": ("{where}：环境变量 {var} 未设置", "{where}: the environment variable {var} is not set"),
    "config.start.not_host_key": ("{where}：不是银行的公钥：{detail}", "{where}: not the bank's public key: {detail}"),
    "config.start.known_hosts_unreadable": ("{where}：无法读取 {path}：{why}", "{where}: cannot read {path}: {why}"),
    "config.start.known_hosts_no_key": ("{where}：{path} 中没有 {host} 的公钥", "{where}: {path} holds no key for {host}"),
    "config.start.no_private_key": ("{where}：没有文件 {path}", "{where}: no such file {path}"),
    "config.start.private_key": ("{where}：无法加载私钥 {path}：{why}", "{where}: cannot load the private key {path}: {why}"),
    "config.start.encrypted_key": ("私钥已加密，但未设置 passphrase_env", "the key is encrypted and no passphrase_env is set"),
    "config.start.no_login": ("{where}：无法登录：请给出 private_key、use_agent 或 password_env",
                              "{where}: no way to log in: give private_key, use_agent or password_env"),
    "config.start.pem": ("{where}：{problem}", "{where}: {problem}"),
    "config.start.pem_unreadable": ("无法读取 {path}：{why}", "cannot read {path}: {why}"),
    "config.start.pem_private": ("{path} 中不是未加密的 PEM 私钥（{why}）",
                                 "{path} does not hold an unencrypted PEM private key ({why})"),
    "config.start.pem_certs": ("{path} 中不是 PEM 证书（{why}）", "{path} does not hold PEM certificates ({why})"),
    "config.start.pii_keys": ("{where}：个人数据密钥：{detail}（请用以下命令生成：ykt keys init --config {file}）",
                              "{where}: personal-data keys: {detail} (create them with: ykt keys init --config {file})"),
    "config.start.key_readable": ("{where}：{path} 其他用户可读（权限 {mode}）；它保存私钥：chmod 600 {path}",
                                  "{where}: {path} is readable by others (mode {mode}); it holds a private key: "
                                  "chmod 600 {path}"),
    "config.start.key_in_data": ("{where}：{path} 位于数据目录 {data} 之内，备份或拷贝该目录时会连同打开它的密钥一起带走："
                                 "请把密钥放在别处（默认是配置文件旁的 keys/），或设置 keys_in_data_dir = true",
                                 "{where}: {path} lies inside the data folder {data}, which a backup or a copy would "
                                 "then carry with the keys that open it: keep keys apart (the default is keys/ beside "
                                 "the settings file), or set keys_in_data_dir = true"),
    "config.start.signing_key": ("报表签名密钥", "the report-signing key"),
    "config.start.signing_keys": ("报表签名密钥组", "the report-signing keys"),
    # bank profiles (service/profiles.py)
    "profile.unreadable": ("{file}：无法读取或解析：{why}", "{file}: {why}"),
    "profile.detail": ("{file}：{detail}", "{file}: {detail}"),
    "profile.unknown_table": ("{where}：未知的表；已知：{known}", "{where}: unknown table; known: {known}"),
    "profile.not_table": ("{where}：应为一个表", "{where}: expected a table"),
    "profile.missing": ("{where}：缺少此项", "{where}: missing"),
    "profile.text": ("{where}：应为非空字符串，实际为 {got}", "{where}: expected a non-empty string, got {got}"),
    "profile.choice": ("{where}：{got} 不是以下之一：{allowed}", "{where}: {got} is not one of {allowed}"),
    "profile.flag": ("{where}：应为 true 或 false，实际为 {got}", "{where}: expected true or false, got {got}"),
    "profile.days": ("{where}：应为不小于 1 的整数个工作日，实际为 {got}",
                     "{where}: expected a whole number of working days >= 1, got {got}"),
    "profile.seconds": ("{where}：应为 0 至 {most} 秒，实际为 {got}",
                        "{where}: expected a number of seconds from 0 to {most}, got {got}"),
    "profile.unknown_family": ("{where}：未知格式 {family}；已知：{known}", "{where}: unknown format {family}; known: {known}"),
    "profile.marker": ("{where}：{got} 不是 '.ok' 这样的文件名后缀", "{where}: {got} is not a file name suffix such as '.ok'"),
    "profile.statement_options": ("{where}：未知的键；格式 {name} 的选项写在 [statements.{name}] 中",
                                  "{where}: unknown key; the options of format {name} go in [statements.{name}]"),
    "profile.key_files": ("{where}：密钥文件属于部署，请写在配置文件的 [banks.CODE.keys] 中",
                          "{where}: key files are deployment: put them in the settings, [banks.CODE.keys]"),
    "profile.unknown_key": ("{where}：未知的键；已知：{known}", "{where}: unknown key; known: {known}"),
    "profile.cipher": ("{where}：此 cryptography/OpenSSL 版本不支持 {cipher}", "{where}: {cipher} is not available in this "
                       "cryptography/OpenSSL build"),
    "profile.cipher_ctr": ("{where}：此 cryptography/OpenSSL 版本不支持 {cipher}；可用 SM4-CTR + HMAC-SM3 变体",
                           "{where}: {cipher} is not available in this cryptography/OpenSSL build; the SM4-CTR + "
                           "HMAC-SM3 variant is"),
    "profile.suffix": ("{where}：应为 '.sig' 这样的文件名后缀（不含 '/'、前后无空格），实际为 {got}",
                       "{where}: expected a name suffix such as '.sig' (text without '/' or surrounding spaces), "
                       "got {got}"),
    "profile.suffix_or_empty": ("{where}：应为 '.sig' 这样的文件名后缀（不含 '/'、前后无空格，可为空），实际为 {got}",
                                "{where}: expected a name suffix such as '.sig' (text without '/' or surrounding "
                                "spaces, may be empty), got {got}"),
    "profile.same_suffix": ("{where}：须与 signature_suffix 不同", "{where}: must differ from signature_suffix"),
    "profile.not_pattern": ("{where}：不是文件名模式：{detail}", "{where}: not a name pattern: {detail}"),
    "profile.pattern_field": ("{where}：未知字段 {field}；可用：{allowed}", "{where}: unknown field {field}; allowed: {allowed}"),
    "profile.pattern_needs": ("{where}：须包含 {field}，使每个文件都有自己的名字",
                              "{where}: must contain {field} so that every file has its own name"),
    "profile.pattern_slash": ("{where}：文件名不能含有 '/'", "{where}: a file name cannot contain '/'"),
}

# What a setting takes, by the schema's English description (see the module's docstring)
_EXPECTS = {
    "1 to 16 of A-Z, 0-9 and _ (registers the program)": "1 至 16 位 A-Z、0-9 和 _（登记该项目）",
    "2, 4 or 6": "2、4 或 6",
    "64 hex digits (ykt token prints them)": "64 位十六进制数字（ykt token 会打印）",
    'HOST:PORT, e.g. "127.0.0.1:9464"': '主机:端口，如 "127.0.0.1:9464"',
    "a SQLAlchemy URL (sqlite:///... or postgresql+psycopg://...)":
        "SQLAlchemy 数据库地址（sqlite:///... 或 postgresql+psycopg://...）",
    "a host name or address": "主机名或地址",
    "a list": "列表",
    "a list of bank codes (BANK users: the banks they act for)": "银行代码列表（BANK 用户：其代理的银行）",
    "a list of program names whose approver may also fund a batch": "项目名列表（这些项目的审核人也可拨付资金）",
    "a list of role names": "角色名列表",
    "a number": "数字",
    "a port number (1-65535)": "端口号（1-65535）",
    "a positive number of bytes": "正的字节数",
    "a positive number of seconds": "正的秒数",
    "a role name": "角色名",
    "a string": "字符串",
    "a string of at most 128 characters": "不超过 128 个字符的字符串",
    "a table": "表",
    "a table (approver_may_fund)": "表（approver_may_fund）",
    "a table (file, or years)": "表（file 或 years）",
    "a table (host, port, username, ...)": "表（host、port、username 等）",
    "a table of [banks.CODE] tables": "由 [banks.CODE] 表组成的表",
    "a table of [programs.NAME] tables": "由 [programs.NAME] 表组成的表",
    "a table of [years.YYYY] tables": "由 [years.YYYY] 表组成的表",
    "a table of key set files (sign, decrypt, verify, encrypt)": "密钥组文件表（sign、decrypt、verify、encrypt）",
    "a table of users": "用户表",
    "a user name": "用户名",
    "a whole number of attempts": "整数次尝试",
    "a whole number of days from 0 to 3660": "0 至 3660 的整数天数",
    "an integer": "整数",
    "hold or reject": "hold 或 reject",
    "month, quarter or year": "month、quarter 或 year",
    "text or json": "text 或 json",
    "the bank's OpenSSH public-key line (ssh-ed25519 AAAA...)": "银行的 OpenSSH 公钥行（ssh-ed25519 AAAA...）",
    "the common name of the user's client certificate": "该用户客户端证书的通用名（CN）",
    "the department that runs the program": "主管该项目的部门",
    "the name of the environment variable holding the key's passphrase, never the passphrase":
        "保存私钥口令的环境变量名，绝不能是口令本身",
    "the name of the environment variable holding the password (letters, digits, underscore), never the password":
        "保存密码的环境变量名（字母、数字、下划线），绝不能是密码本身",
    "the path of a PEM file": "PEM 文件的路径",
    "the path of a TOML file": "TOML 文件的路径",
    "the path of a key set file (ours, private)": "密钥组文件的路径（本方私钥）",
    "the path of a key set file (the bank's, public)": "密钥组文件的路径（银行公钥）",
    "the path of a known_hosts file": "known_hosts 文件的路径",
    "the path of a private key file (OpenSSH or PEM)": "私钥文件的路径（OpenSSH 或 PEM）",
    "the path of the bank's profile (profiles/*.toml)": "银行 profile 的路径（profiles/*.toml）",
    "the path of the data folder": "数据目录的路径",
    "the path of the personal-data key file": "个人数据密钥文件的路径",
    "the standard per person in fen (no line above it)": "每人标准，单位分（任何一行不得超过）",
    "true or false": "true 或 false",
    "warn or hold": "warn 或 hold",
    "zh or en": "zh 或 en",
}
WORDS.update({f"setting_expects.{en}": (zh, en) for en, zh in _EXPECTS.items()})
