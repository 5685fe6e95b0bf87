"""Fixed-width GBK text files: the layout rural and city commercial banks use for 代发 files.

    fmt = FixedWidthGbkFormat()                        # GBK, records end with CRLF
    fmt = FixedWidthGbkFormat(encoding="gb18030", line_ending="\\n")
    fmt = FixedWidthGbkFormat(amount_style="yuan")     # amounts as 000000001234.56
    fmt.write_payments(out, header, lines)             # 代发文件 (the service)
    reader = fmt.read_payments(src)                    # (the bank simulator)
    fmt.write_results(out, result_header, records)     # 回盘文件 (the bank simulator)
    reader = fmt.read_results(src)                     # (the service)
    fmt.write_statement(out, stmt_header, entries)     # 对账单 (the bank simulator)
    reader = fmt.read_statement(src)                   # (the service)
    fmt.detect(first_bytes)                            # "payments", "results", "statement"

A file is one record per line: a header record ``H`` on line 1, then one detail record ``D``
per payment line, result or statement entry. Every record of a kind has the same length in
BYTES of the file's encoding (GBK by default: an ASCII character is 1 byte, a Chinese
character 2 bytes; GB18030 also has 4-byte characters), and ends with the line ending (CRLF by
default, or LF). The one exception is the result file's detail record, which comes in two
lengths: 164 bytes, or 259 with the bank's reference (银行流水号) and the beneficiary's name
(户名) at its end (see "Bank references" below).

Field types::

    A   the record type, one ASCII letter
    N   a non-negative integer: ASCII digits, right-aligned, zero-padded
    M   an amount, never negative, in the format's amount_style, right-aligned, zero-padded:
          "fen" (the default)  whole fen, all digits: 15 bytes hold 0..999999999999999 fen
          "yuan"               yuan, a point and exactly two decimals, e.g. 000000001234.56:
                               15 bytes hold 0..999999999999.99 yuan (one digit fewer)
        Both are read with integer arithmetic; an amount is never a float.
    S   a signed amount (a balance): "+" or "-", then an M amount in the remaining bytes;
        zero is written "+"
    X   text in the file's encoding, left-aligned, padded with spaces (0x20)
    C   a code: ASCII letters and digits, left-aligned, padded with spaces
    D   a date: YYYYMMDD
    T   a date and time to the second, and its UTC offset: YYYYMMDDHHMMSS+HHMM (or -HHMM);
        five spaces instead of the offset for a date and time without a time zone

Payment file (代发文件), header record (PaymentFileHeader), 615 bytes::

    pos  width type field                note
      1      1 A    record_type          "H"
      2     35 X    batch_id             required
     37     35 X    file_id              required
     72     34 X    payer_account        required
    106    140 X    payer_name           required
    246     35 X    bank_code            required
    281     10 N    count                number of D records
    291     18 M    total_fen            sum of their amount_fen
    309     19 T    created_at
    328      8 D    requested_date
    336    280 X    purpose

Payment file, detail record (PaymentLine), 485 bytes::

    pos  width type field                note
      1      1 A    record_type          "D"
      2     10 N    seq                  1 or more; increasing from record to record
     12     34 X    account_no           required
     46     60 X    name                 required
    106     15 M    amount_fen
    121     32 X    id_number            required
    153      1 C    account_kind         1 CARD, 2 PASSBOOK, 3 SOCIAL_SECURITY_CARD
    154     60 X    bank_name
    214     40 X    subsidy_item
    254     60 X    remark
    314     20 X    phone
    334    120 X    address
    454     32 X    household_no

Result file (回盘文件), header record (ResultFileHeader), 191 bytes::

    pos  width type field                note
      1      1 A    record_type          "H"
      2     35 X    file_id              required
     37     35 X    original_file_id     required
     72     35 X    batch_id             required
    107     19 T    created_at
    126     10 N    count                number of D records = paid_count + failed_count
    136     10 N    paid_count           records with status 0000
    146     18 M    paid_fen             sum of their amount_fen
    164     10 N    failed_count         records with any other status
    174     18 M    failed_fen           sum of their amount_fen

Result file, detail record (ResultRecord), 164 bytes::

    pos  width type field                note
      1      1 A    record_type          "D"
      2     10 N    seq                  1 or more; increasing from record to record
     12     34 X    account_no
     46     15 M    amount_fen
     61      4 C    status_code          0000 paid; anything else is the bank's failure code
     65    100 X    bank_text            the bank's reason text (失败原因), kept verbatim

Result file, detail record with the bank's reference (ResultRecord with a bank_ref or a
name), 259 bytes::

    pos  width type field                note
      1      1 A    record_type          "D"
      2     10 N    seq                  1 or more; increasing from record to record
     12     34 X    account_no
     46     15 M    amount_fen
     61      4 C    status_code          0000 paid; anything else is the bank's failure code
     65    100 X    bank_text            the bank's reason text (失败原因), kept verbatim
    165     35 X    bank_ref             银行流水号: the bank's own reference of the payment
    200     60 X    name                 户名: the beneficiary's name as the bank states it

Bank references: the result record of this layout had no serial number field, and neither a
version (in the header or in the records) nor reserved space a new field could take without
changing what old files mean. So the two fields are added at the END of the detail record,
and the record's length says which layout it has: a reader takes a 164-byte detail record as
before (``bank_ref`` and ``name`` read back empty) and a 259-byte one with the two fields, record
by record, so every file written before stays readable and reads as it did. The writer writes
a record that carries neither a ``bank_ref`` nor a ``name`` in 164 bytes, byte for byte as
before, and one that carries either in 259 (a file may hold both: a bank that numbers only its
payments leaves failures without a reference). The header is unchanged (191 bytes), so
``detect`` and everything else that looks at the header see no difference. ``bank_ref`` is at
most 35 bytes (ISO 20022's AcctSvcrRef is Max35Text), ``name`` 60 (as in the payment file).

Status codes (the bank's own codes, kept verbatim as ResultRecord.bank_code)::

    0000  PAID                                   (bank_code reads back empty)
    1001  FAILED  ACCOUNT_NOT_FOUND  账户不存在
    1002  FAILED  NAME_MISMATCH      户名不符
    1003  FAILED  ACCOUNT_CLOSED     账户已销户
    1004  FAILED  ACCOUNT_FROZEN     账户冻结
    1005  FAILED  ID_MISMATCH        证件号码不符
    1006  FAILED  CARD_LOST          卡已挂失/换卡
    9999  FAILED  OTHER              其他 (what the writer puts for OTHER without a bank code)
    any other code: FAILED, OTHER, with the code and the text kept verbatim

Writing a failed record: with an empty ``bank_code`` the code of its reason is written (a
record without a reason is written as OTHER, 9999); a ``bank_code`` is written as it is when
it reads back as the record's reason (so "E042" only with OTHER). A paid record has an empty
``bank_code`` and no reason. ``bank_text`` is written as it is, for paid records too.

Statement (对账单) of the agency clearing account, header record (StatementHeader),
193 bytes::

    pos  width type field                note
      1      1 A    record_type          "H"
      2     35 X    statement_id         required
     37     35 X    account              required
     72     19 T    created_at
     91      8 D    from_date
     99      8 D    to_date              not before from_date
    107     19 S    opening_balance_fen
    126     19 S    closing_balance_fen  = opening + credit_fen - debit_fen
    145     10 N    count                number of D records
    155     18 M    credit_fen           sum of the amount_fen of side C
    173     18 M    debit_fen            sum of the amount_fen of side D
    191      3 C    currency             ISO 4217, three capital letters

Statement, detail record (StatementEntry),
389 bytes::

    pos  width type field                note
      1      1 A    record_type          "D"
      2     10 N    seq                  the record's position: 1, 2, 3 ...
     12      1 C    side                 C CREDIT (into the account), D DEBIT (out of it)
     13     15 M    amount_fen           more than 0
     28      8 D    booking_date
     36     35 X    reference            required
     71     35 X    batch_id
    106     10 N    line_seq             1 or more; spaces when the entry is for no one line
    116    140 X    counterparty_name
    256     34 X    counterparty_account
    290    100 X    remark

A statement's balances are signed fen, a credit balance positive. Its header must balance:
closing_balance_fen = opening_balance_fen + credit_fen - debit_fen; its entries must add up to
count, credit_fen and debit_fen; an entry's seq is its position (1 for line 2 of the file), so
an entry lost or moved in between is caught; its amount is more than 0. The writer checks all
of that too and computes nothing: every total is the caller's to state and the file's to prove.
The WrittenFile of a statement gives credits plus debits as ``total_fen``.

Rules both ways:

* A text may be empty unless it is required; it must be encodable in the file's encoding, hold
  no control character (U+0000-U+001F, U+007F) and not end with a space (the padding), and
  its encoded bytes must fit the field. A value that does not fit is an error, never cut.
* Numbers must fit their field: seq up to 9999999999, count up to 9999999999, amounts as the
  field type M says (amount_fen of 15 bytes up to 999999999999999 fen, 9,999,999,999,999.99
  yuan, in the fen style), totals and balances of 18 bytes.
* Date-times are kept to the second: the writer drops fractions of a second. A time zone's
  offset must be a whole number of minutes; aware date-times are written in their own offset.

The writers check every line, write the records that are right, and raise one FormatError at
the end listing every problem (``where`` = "line N (seq S)", N being the record's line in the
file), including a header whose count and totals do not match the lines; the caller writes to
a temporary file. The readers stream the file in pieces of 256 KiB (constant memory), parse the
header record when ``read_*`` is called (FormatError at once when it is wrong) and yield the
records that are right; at the end of iteration they raise one FormatError listing every
problem (``where`` = "line N", the physical line; ``field`` = the field name above, or
``record`` / ``line_ending`` for the record as a whole), including control totals that do not
match the records (the header's count is how a file cut at a record boundary is caught). An
OSError of the source is raised as it is. Statements are read and written the same way.

``detect`` tells the kind of a file from its first bytes (at most DETECT_BYTES): the first
record is an "H" of exactly the length of that kind's header (615, 191 or 193 bytes), ending
with this format's line ending, holding no control byte and digits in its N and D fields, and
what follows it, if anything, begins with "D". It answers None for anything else, whatever it is given, and never raises.

Payment and result files are written and read by the declared-layout engine
(:mod:`bank_formats.layout`) from this family's declaration,
``bank_formats/layout/builtin/fixed_width_gbk.toml``, with the format's encoding, line ending and
amount style applied to it (``bank_formats.layout.declaration.shipped``): the tables above are that
declaration's. The statement is not declared (a declaration has payment and result records only)
and stays with this package.

The package: ``layout`` (the layouts above taken from the declaration, the statement's, the code
tables, the amount styles), ``fields`` (problems, dates, text caches), ``format`` (the format
object: options, the statement's field encoding, detection; payment and result files through the
declaration), ``readers`` (what the statement reader is built on), ``statements`` (the statement
writer and reader).
"""
from bank_formats.fixed_width_gbk.format import FixedWidthGbkFormat
from bank_formats.fixed_width_gbk.layout import (
    AMOUNT_STYLES,
    CODE_TO_REASON,
    MAX_AMOUNT,
    MAX_SEQ,
    PAYMENT_DETAIL,
    PAYMENT_HEADER,
    REASON_TO_CODE,
    RESULT_DETAIL,
    RESULT_DETAIL_REF,
    RESULT_HEADER,
    STATEMENT_DETAIL,
    STATEMENT_HEADER,
    Layout,
    reason_for_code,
)
from bank_formats.fixed_width_gbk.statements import StatementFileReader

__all__ = [
    "AMOUNT_STYLES",
    "CODE_TO_REASON",
    "MAX_AMOUNT",
    "MAX_SEQ",
    "PAYMENT_DETAIL",
    "PAYMENT_HEADER",
    "REASON_TO_CODE",
    "RESULT_DETAIL",
    "RESULT_DETAIL_REF",
    "RESULT_HEADER",
    "STATEMENT_DETAIL",
    "STATEMENT_HEADER",
    "FixedWidthGbkFormat",
    "Layout",
    "StatementFileReader",
    "reason_for_code",
]
