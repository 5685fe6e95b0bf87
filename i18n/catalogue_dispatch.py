"""Words of a payment file that could not be sent, stored as its ``last_error`` (i18n/stored.py)
by service/dispatch.py besides those of catalogue_stored.py: ``dispatch.*``.

A payment file the bank's format refuses to write is stored as this frame followed by the
writer's first problems, each a stored problem (``format.problem``), so that ``ykt files`` and
ListFiles say why in the reader's language. Values in ``{...}`` are data shown as they are.
"""
WORDS: dict[str, tuple[str, str]] = {
    "dispatch.unwritable": ("付款文件无法按银行的格式写出（{count} 个问题）；未发送任何内容",
                            "the payment file cannot be written in the bank's format ({count} problems); nothing "
                            "was sent"),
}
