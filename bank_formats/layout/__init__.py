"""Bank file layouts as configuration: a fixed-width or delimited layout declared field by field.

A Chinese agency bank's 代发/代扣 files are text records in the bank's own layout. Instead of a
module per bank, its profile declares the layout (``[format] family = "layout"``), and the
declaration is compiled into a reader and a writer when the profile is loaded::

    [format]
    family = "layout"
    encoding = "gbk"              # gbk | gb18030 | utf-8
    line_ending = "CRLF"          # CRLF | LF
    values = { unit = "1046" }    # constants that template lines name

    [format.payments]             # and/or [format.results]
    layout = "delimited"          # fixed | delimited
    delimiter = "|"               # (delimited)
    trailing_delimiter = true     # every record ends with the delimiter: 1|2|3|
    name = '^HP_(?P<batch_id>.+?)(?:-R(?P<round>[0-9]+))?\\.txt$'   # header values from the name
    [[format.payments.header]]    # header records, in order (one table or an array of tables)
    fields = [ { value = "1" }, { name = "requested_date", format = "YYYYMMDD" }, ... ]
    [format.payments.detail]      # the record of each payment line or result
    fields = [ { name = "seq", min_width = 2 }, { name = "name" }, ... ]
    [format.payments.trailer]     # an optional last record: control totals, a digest
    [format.results.reasons]      # the bank's failure codes: "1001" = "ACCOUNT_NOT_FOUND"

A field (one inline table) has ``name``, the model field it fills (``seq``, ``account_no``,
``amount_fen``, ``status`` or ``outcome``, ``bank_ref``...; the header's ``count``,
``total_fen``, ``batch_id``...); or none, for a constant (``value = "H"``, checked when read), a
``filler`` (``type = "filler"``: anything read, ``value`` written) or a ``digest`` (trailer).
Its ``type`` follows from the name (text, int, amount, date, datetime, code, status) and is
spelled by ``width`` (bytes of the encoding: exact in a fixed layout, at most in a delimited
one), ``start`` (1-based byte, fixed; checked against the widths before it), ``align`` (left
for texts, right for numbers), ``pad`` (" ", or "0" for right-aligned numbers), ``required``,
``unit`` ("fen" or "yuan": a point and two decimals, integer arithmetic only), ``format``
(dates ``YYYYMMDD`` / ``YYYY-MM-DD``, date-times ``YYYYMMDDhhmmss+hhmm`` / ``iso``), ``codes``
(an enum's value -> the file's code, e.g. ``{ CARD = "1" }``), ``paid``/``other`` (a status
field's codes for paid and for a failure without a code of its own), ``unknown`` (a status code
neither of them nor in ``reasons``: ``"failed"``, the bank's own failure code, or ``"refuse"``,
the record refused, for a bank whose specification gives no codes), ``optional`` (trailing
fields only records that carry a value have, told apart by length or field count) and
``min_width`` (a delimited number zero-padded to at least this many digits). A header or
trailer record may instead be a ``line`` template (``line = "[{unit}]批量代理业务{report}记录"``)
for title lines: literal text with ``{name}`` values (header fields are read from it; constants
from ``values`` are written).

A layout without our ids takes them from the file's name: a ``name`` pattern's groups are
header fields, and ``batch_id`` with ``round`` (the re-issue number our payment file names carry,
``{batch}-R{round}``) give the id of our payment file (``file_id`` of a payment file,
``original_file_id`` of a result file), which is how the service ties a result file to what it
sent. A layout whose header states no count (and totals) is read in two passes of a seekable
file, the first counting; such a file cut after a whole line cannot be told from a complete one.
Empty lines are skipped and listed in the reader's ``skipped`` (BLANK_LINE), unless the file's
table says ``blank_lines = "refuse"`` (every line a record: an empty one is a wrong record). A
field's ``label`` is what problems call it when that is not its model name (``status_code``).
A fixed layout's line ending is the declared one (with CRLF a record ending with LF alone is
reported); a delimited layout's lines may end with either.

A delimited file's table may also say, for a family whose users know its rules and words:
``numbers = "counted"`` (at most 18 digits, leading zeros counted, 16 before a yuan amount's
point; "count -1 is outside 0..999999999999999999"), ``seq_in = "message"`` (a writer's problem
at "line N" with "seq S: " in front of the message), ``wording`` (a table of ``wording``, the
module: the words of problems and the writer's habits that go with them; ``"layout"``, the
engine's own, or ``"delimited"``, bank_formats.delimited's: "the records have", "contains '|', the
field separator; the format has no escaping"; a writer checks a record's seq, numbers, codes and
then texts, an attribute the record lacks "is missing" field by field) and
``lines = "strict"`` with ``max_line`` (``strict``: the header on line 1 only, the digest trailer
found wherever it is and ending the file, its algorithm the agreed one and 64 hex digits, a file
without it "incomplete", undecodable bytes named by their field, a UTF-8 byte order mark taken, a
bad header reported after the whole file was read).

Which field is the sequence number, the account, the amount, the status and the bank's
reference is said by the names; the loader refuses a declaration without seq and amount_fen
(and account_no for payments, a status or outcome for results), with a message naming the key
path. The two layouts the product ships as modules are declared in ``builtin/`` and can be
used as ``declaration = "fixed_width_gbk"`` / ``"delimited"``: through them this engine writes
the modules' files byte for byte (tests/unit/bank_formats/test_layout_builtin.py). The
registry's ``fixed_width_gbk`` and ``delimited`` write and read their payment and result files
through this engine (their declarations with the format's options applied,
``declaration.shipped``); their statements stay in the modules (declarations have no statement
records).

Modules: ``declaration`` (the data and its loader), ``codecs`` (one field's read and write),
``records`` (a record compiled into fast functions), ``files`` (readers and writers),
``wording`` (the words of problems, a table per family),
``strict`` (the reader of strict delimited lines),
``format`` (the format object).
"""
from bank_formats.layout.declaration import Declaration, builtin, builtin_names, declaration_from_dict

__all__ = ["Declaration", "LayoutFormat", "builtin", "builtin_names", "declaration_from_dict"]


def __getattr__(name: str):
    # the format (and the readers it imports) loads on first use, so that the shipped modules can
    # take their layouts from bank_formats.layout.declaration without importing them back
    if name == "LayoutFormat":
        from bank_formats.layout.format import LayoutFormat

        return LayoutFormat
    raise AttributeError(name)
