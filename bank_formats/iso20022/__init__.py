"""The ISO 20022 format family: pain.001 payment files, pain.002 result files, camt.053 statements.

    fmt = Iso20022Format(schema_dir=Path("schemas"))   # or None: no schema validation
    fmt = Iso20022Format(payments="pain.001.001.03", results="pain.002.001.03",
                         statements="camt.053.001.02")  # a bank on the older versions
    fmt.write_payments(out, header, lines)             # pain.001 (the service)
    reader = fmt.read_payments(src)                    # pain.001 (the bank simulator)
    fmt.write_results(out, result_header, records)     # pain.002 (the bank simulator)
    reader = fmt.read_results(src)                     # pain.002 (the service)
    fmt.write_statement(out, stmt_header, entries)     # camt.053 (the bank simulator)
    reader = fmt.read_statement(src)                   # camt.053 (the service)
    fmt.detect(head)                                   # "payments", "results", "statement"

Which version of each message a bank speaks is a keyword option (a bank profile passes it
through ``bank_formats.get("iso20022", schema_dir=..., payments=..., ...)``):

    payments     pain.001.001.09 (default), pain.001.001.03
    results      pain.002.001.10 (default), pain.002.001.03; or camt.054 (any version, e.g.
                 "camt.054.001.08", or "camt054"): the bank confirms payments with debit
                 notifications instead (read by ``NotificationResultReader``, written by
                 the bank simulator as such a notification, see ``camt054``)
    statements   camt.053.001.08 (default), camt.053.001.02

Reading what banks send (issue 15): the writers' own layout in the configured version is read
by the fast strict readers below; any other file of the messages the family knows goes to a
tolerant reader that follows the schema rather than our writer (``status_report`` for pain.002
v03-v14 and national variants such as SIX's ``.ch.02``, ``account_entries`` for camt.052,
camt.053 and camt.054 v02-v13), with or without a namespace, in UTF-8 or ISO-8859-1 (and its
kin, transcoded). The tolerant readers list what they read and did not yield in ``skipped``
(NOT_FINAL, FOREIGN_CURRENCY, OTHER_ACCOUNT, ...); the strict pain.002 reader skips statuses
still in progress likewise (NOT_FINAL), the other strict readers skip nothing. A result source may be a pain.002 or a camt.054 whatever ``results``
says: the file says which it is.

Writers stream: one line of text per transaction or entry, put together from its values
escaped for XML exactly as lxml's serializer would (children unqualified under a
default-namespace ``Document``, so the namespace is declared once), and raise FormatError at the
end when a value cannot be written (a text XML 1.0 cannot carry, named with its line and field)
or the control totals in the header do not match. Readers stream and clear what they have
read. With a ``schema_dir`` they parse with ``etree.iterparse`` and validate while parsing
against the configured version's schema in it, named as published (``pain.001.001.03.xsd``,
...); the schemas of the configured versions are loaded when the format is made, so a missing
one shows at once. Without one, the lines laid out exactly as the writers write them are taken
by a regular expression instead of the XML parser, which still checks everything else
(``_common.FastStream`` says why that reads every file as the parser alone would; a line the
expression does not take, or the reader does not accept, is parsed as usual, and the problems
are the same, line numbers and all). The field mappings are documented in
:mod:`~bank_formats.iso20022.pain001`, :mod:`~bank_formats.iso20022.pain002` and
:mod:`~bank_formats.iso20022.camt053`.

Hostile files: the readers take UTF-8 (a file declared in another encoding that writes ASCII as
ASCII, such as ISO-8859-1 or GBK, is transcoded to UTF-8 first, ``_tolerant.opened``), and
every byte is looked at before the parser gets it (``_common._Guarded``): a DOCTYPE, an entity or other markup declaration, a processing
instruction or a reference to an entity other than the five XML predefines, anywhere in the
file outside comments and CDATA sections, is refused there (FormatError naming its line, byte
and kind), so the parser never sees a DTD (libxml2 with a schema plugged in crashes on
entities a DTD declares). The parser runs with DTD loading and network access off (without a
schema entity substitution too; with one lxml 6.1 then stops reporting errors, see
``EventStream``). Records and header elements are taken only at their paths from the root.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from bank_formats.base import DETECT_BYTES, FileKind, Refused, WrittenFile
from bank_formats.carriage import Carriage, TextField
from bank_formats.iso20022._common import (
    CODE_TO_REASON,
    MAX_FEN,
    PAIN001_V03,
    REASON_TO_CODE,
    VARIANTS,
    XML_DECLARATION,
    Variant,
    format_amount,
    load_schema,
    parse_amount,
    variant_of_namespace,
)
from bank_formats.iso20022._tolerant import VERSIONS, identify, opened
from bank_formats.iso20022.account_entries import NotificationResultReader, TolerantStatementReader
from bank_formats.iso20022.camt053 import Camt053Reader, write_statement
from bank_formats.iso20022.camt054 import DEFAULT_VERSION as DEFAULT_CAMT054
from bank_formats.iso20022.camt054 import write_notification
from bank_formats.iso20022.pain001 import ADDRESS_LINE, ADDRESS_LINES, Pain001Reader, write_payments
from bank_formats.iso20022.pain002 import Pain002Reader, write_results
from bank_formats.iso20022.status_report import TolerantPain002Reader
from domain.model import (
    PaymentFileHeader,
    PaymentLine,
    ResultFileHeader,
    ResultRecord,
    StatementEntry,
    StatementHeader,
)

__all__ = [
    "CODE_TO_REASON",
    "REASON_TO_CODE",
    "Camt053Reader",
    "Iso20022Format",
    "Pain001Reader",
    "Pain002Reader",
    "format_amount",
    "parse_amount",
]


def _variant(option: str, name: object, kind: FileKind) -> Variant:
    """The known version ``name`` of the option's message; ValueError naming both otherwise."""
    variant = VARIANTS.get(name) if isinstance(name, str) else None
    if variant is None or variant.kind != kind:
        known = ", ".join(v.name for v in VARIANTS.values() if v.kind == kind)
        raise Refused("format.iso.option_version", option=option, name=repr(name), known=known)
    return variant


def _schema(schema_dir: Path | None, option: str, variant: Variant) -> etree.XMLSchema | None:
    if schema_dir is None:
        return None
    try:
        return load_schema(schema_dir, variant.xsd)
    except (OSError, etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
        raise Refused("format.iso.option_schema", option=option, version=variant.name,
                      path=str(Path(schema_dir) / variant.xsd), error=str(exc)) from exc


class Iso20022Format:
    """pain.001 out, pain.002 and camt.053 back, in the versions chosen; see the module doc."""

    name = "iso20022"
    file_suffix = ".xml"

    def __init__(self, schema_dir: Path | None = None, *, payments: str = "pain.001.001.09",
                 results: str = "pain.002.001.10", statements: str = "camt.053.001.08") -> None:
        self.schema_dir = Path(schema_dir) if schema_dir is not None else None
        self.payments = _variant("payments", payments, "payments")
        # a bank confirming with camt.054 notifications: read as results, see the module doc
        self.notifications = _camt054(results)  # the camt.054 version, or None
        if self.notifications:
            results = "pain.002.001.10"
        self.results = _variant("results", results, "results")
        self.statements = _variant("statements", statements, "statement")
        # Loaded now (once per process and directory) so a bad configuration shows at once.
        self._schema001 = _schema(self.schema_dir, "payments", self.payments)
        self._schema002 = _schema(self.schema_dir, "results", self.results)
        self._schema053 = _schema(self.schema_dir, "statements", self.statements)

    def carriage(self) -> Carriage:
        """What a pain.001 of the configured version carries: UTF-8, so every character but
        those XML 1.0 cannot (which no carriage takes); each text within its schema type's
        length in characters (Max35Text, Max140Text, the address's seven lines of 70, the remark
        in pieces of 140); the phone in the characters of PhoneNumber; the purpose Max35Text in
        pain.001.001.03 (CtgyPurp/Prtry), else Max140Text (see :mod:`bank_formats.carriage`)."""
        made = self.__dict__.get("_carriage")
        if made is None:
            purpose = 35 if self.payments == PAIN001_V03 else 140
            made = self._carriage = Carriage(
                family=self.name, encoding="utf-8", encoding_label="UTF-8", in_bytes=False,
                line=[TextField("name", 140, True, label="Cdtr/Nm"),
                      TextField("id_number", 35, True, label="Cdtr/Id/PrvtId/Othr/Id"),
                      TextField("account_no", 34, True, label="CdtrAcct/Id/Othr/Id"),
                      TextField("bank_name", 140, label="CdtrAgt/FinInstnId/Nm"),
                      TextField("subsidy_item", 35, label="Purp/Prtry"),
                      TextField("remark", None, label="RmtInf/Ustrd"),
                      TextField("phone", 30, allowed=r"[0-9()+\-]+", allowed_text="digits and ()+-",
                                label="CtctDtls/MobNb"),
                      TextField("address", ADDRESS_LINE * ADDRESS_LINES, label="PstlAdr/AdrLine"),
                      TextField("household_no", 35, label="Cdtr/Id/PrvtId/Othr/Id")],
                header=[TextField("file_id", 35, True, label="GrpHdr/MsgId"),
                        TextField("batch_id", 35, True, label="PmtInf/PmtInfId"),
                        TextField("payer_name", 140, True, label="Dbtr/Nm"),
                        TextField("payer_account", 34, True, label="DbtrAcct/Id/Othr/Id"),
                        TextField("bank_code", 35, True, label="DbtrAgt/FinInstnId/Othr/Id"),
                        TextField("purpose", purpose, label="CtgyPurp/Prtry" if purpose == 35 else "InstrForDbtrAgt")],
                max_amount_fen=MAX_FEN, max_total_fen=MAX_FEN, max_count=10**15 - 1)
        return made

    def write_payments(
        self, out: BinaryIO, header: PaymentFileHeader, lines: Iterable[PaymentLine]
    ) -> WrittenFile:
        return write_payments(out, header, lines, variant=self.payments)

    def read_payments(self, src: BinaryIO, name: str = "<payment file>") -> Pain001Reader:
        return Pain001Reader(src, name, self._schema001, self.payments)

    def write_results(
        self, out: BinaryIO, header: ResultFileHeader, records: Iterable[ResultRecord]
    ) -> WrittenFile:
        if self.notifications:
            return write_notification(out, header, records, self.notifications)
        return write_results(out, header, records, variant=self.results, answers=self.payments)

    def read_results(self, src: BinaryIO, name: str = "<result file>", batch_id: str | None = None):
        """The result file's reader: the strict one for our own layout in the configured
        version, else a tolerant one for the message the file holds (pain.002 or camt.054;
        with ``results`` camt.054, a camt.052/053 is read as notifications too).

        ``batch_id``: the batch to read from a notification naming several (its reader's
        ``other_batches``); ValueError for a file that is no notification."""
        source, head, message = opened(src)
        if message is not None and (message.name == "camt.054"
                                    or (self.notifications and message.kind == "statement")):
            return NotificationResultReader(source, name, message, batch_id)
        if batch_id is not None:
            raise Refused("format.iso.one_batch_notification", name=name)
        if message is not None and message.name == "pain.002" and not _ours(head, self.results, "CstmrPmtStsRpt"):
            return TolerantPain002Reader(source, name, message)
        return _skips_nothing(Pain002Reader(source, name, self._schema002, self.results,
                                            self.payments))

    def write_statement(
        self, out: BinaryIO, header: StatementHeader, entries: Iterable[StatementEntry]
    ) -> WrittenFile:
        return write_statement(out, header, entries, variant=self.statements)

    def read_statement(self, src: BinaryIO, name: str = "<statement>"):
        """The statement's reader: strict for our own camt.053 layout in the configured version,
        tolerant for any camt.052, camt.053 or camt.054 otherwise."""
        source, head, message = opened(src)
        if (message is not None and message.kind == "statement"
                and not _ours(head, self.statements, "BkToCstmrStmt")):
            return TolerantStatementReader(source, name, message)
        return _skips_nothing(Camt053Reader(source, name, self._schema053, self.statements))

    def detect(self, head: bytes) -> FileKind | None:
        """The kind of ISO 20022 file ``head`` starts, from its root element's namespace.

        Any version the family knows is recognized, configured or not, so that a bank's file
        in an unexpected version is routed to a reader that says precisely what is wrong with
        it; the other versions and variants the tolerant readers read too (``_tolerant.identify``:
        the body names the message, a namespace must agree); camt.054 is "results" for a bank
        configured to confirm with notifications, else "statement". None for anything else:
        not XML, another root element, a foreign namespace.
        """
        variant = variant_of_namespace(_root_namespace(head[:DETECT_BYTES]))
        if variant is not None:
            return variant.kind
        message = identify(head[:DETECT_BYTES])
        if message is None:
            return None
        if message.name == "camt.054" and self.notifications:
            return "results"
        return message.kind


def _root_namespace(head: bytes) -> str | None:
    """The namespace of the root element, when it is a ``Document`` and ``head`` is XML so far."""
    try:
        parser = etree.XMLPullParser(events=("start",), resolve_entities=False,
                                     no_network=True, load_dtd=False)
        parser.feed(head)
        for _, el in parser.read_events():
            qname = etree.QName(el)
            return qname.namespace if qname.localname == "Document" else None
    except Exception:  # noqa: BLE001 - garbage in, None out: detect never raises
        return None
    return None


def _camt054(name: object) -> str | None:
    """The camt.054 version a ``results`` option names ("camt054" is the default one), None for
    anything else; ValueError for a camt.054 version not read."""
    if name == "camt054":
        return DEFAULT_CAMT054
    if not (isinstance(name, str) and name.startswith("camt.054.")):
        return None
    m = re.fullmatch(r"camt\.054\.001\.([0-9]{2})", name)
    if m is None or int(m.group(1)) not in VERSIONS["camt.054"]:
        raise Refused("format.iso.option_camt054", name=repr(name))
    return name


def _ours(head: bytes, variant: Variant, body: str) -> bool:
    """Whether ``head`` starts as our writers start a file of ``variant``: the strict reader's
    (fast) case; a bank's own file in the same version goes to the tolerant reader."""
    return head.startswith(f'{XML_DECLARATION}<Document xmlns="{variant.namespace}">\n<{body}>\n'
                           .encode())


def _skips_nothing(reader):
    """A strict reader skips no record but statuses still in progress (pain.002, listed in its
    own ``skipped``); it refuses what it does not take: its reading report is otherwise empty."""
    if not hasattr(reader, "skipped"):
        reader.skipped = []
    return reader
