"""libxml2's schema messages said in Chinese (bank_formats/iso20022/schema_words.py, issue 16
item 3): each sentence libxml2 writes for a kind of violation, got from the published ISO 20022
schema by validating a file we wrote with one fault put in, keeps its English byte for byte and
reads in Chinese as written here; a sentence not known stays as it is."""
from __future__ import annotations

import io
import re

import pytest
from lxml import etree

from bank_formats.iso20022 import Iso20022Format
from bank_formats.iso20022.schema_words import said
from i18n import Phrase, say
from tests.unit.bank_formats.iso20022_support import SAMPLE_ENTRIES, SAMPLE_RECORDS, SAMPLE_RESULT_HEADER
from tests.unit.bank_formats.iso20022_support import SAMPLE_STATEMENT_HEADER, SCHEMA_DIR

PAIN002 = "urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"
CAMT053 = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"


def _results() -> bytes:
    out = io.BytesIO()
    Iso20022Format(SCHEMA_DIR).write_results(out, SAMPLE_RESULT_HEADER, SAMPLE_RECORDS)
    return out.getvalue()


def _statement() -> bytes:
    out = io.BytesIO()
    Iso20022Format(SCHEMA_DIR).write_statement(out, SAMPLE_STATEMENT_HEADER, SAMPLE_ENTRIES)
    return out.getvalue()


def _first_error(data: bytes, xsd: str, namespace: str) -> str:
    """libxml2's first schema message for ``data``, its namespace left out as the readers do."""
    schema = etree.XMLSchema(etree.parse(str(SCHEMA_DIR / xsd)))
    assert not schema.validate(etree.fromstring(data))
    return schema.error_log[0].message.replace("{" + namespace + "}", "")


def _sub(pattern: bytes, new: bytes, data: bytes) -> bytes:
    changed = re.sub(pattern, new, data, count=1)
    assert changed != data
    return changed


CASES = [  # (fault, file, libxml2's sentence as it starts, the Chinese a clerk reads)
    ("an element renamed", lambda: _results().replace(b"<MsgId>", b"<Msgid>", 1).replace(b"</MsgId>", b"</Msgid>", 1),
     "Element 'Msgid': This element is not expected. Expected is ( MsgId ).",
     "元素 Msgid：此处不应出现该元素，应为 MsgId"),
    ("an element after the end", lambda: _results().replace(b"</Document>", b"<Extra/></Document>"),
     "Element 'Extra': This element is not expected.",
     "元素 Extra：此处不应出现该元素"),
    ("a required child left out", lambda: _sub(rb"<CreDtTm>[^<]*</CreDtTm>", b"", _results()),
     "Element 'GrpHdr': Missing child element(s). Expected is ( CreDtTm ).",
     "元素 GrpHdr：缺少下级元素，应有 CreDtTm"),
    ("a date that is no date", lambda: _sub(rb"<CreDtTm>[^<]*</CreDtTm>", b"<CreDtTm>yesterday</CreDtTm>", _results()),
     "Element 'CreDtTm': 'yesterday' is not a valid value of the atomic type 'ISODateTime'.",
     "元素 CreDtTm：值 'yesterday' 不符合类型 ISODateTime 的格式"),
    ("a text too long", lambda: _sub(rb"<MsgId>[^<]*</MsgId>", b"<MsgId>" + b"X" * 40 + b"</MsgId>", _results()),
     "Element 'MsgId': [facet 'maxLength'] The value has a length of '40'; this exceeds the allowed maximum length "
     "of '35'.",
     "元素 MsgId：长度为 40，超过允许的最大长度 35"),
    ("a text empty", lambda: _sub(rb"<MsgId>[^<]*</MsgId>", b"<MsgId></MsgId>", _results()),
     "Element 'MsgId': [facet 'minLength'] The value has a length of '0'; this underruns the allowed minimum length "
     "of '1'.",
     "元素 MsgId：长度为 0，不足允许的最小长度 1"),
    ("a currency in small letters", lambda: _results().replace(b'Ccy="CNY"', b'Ccy="cny"', 1),
     "Element 'InstdAmt', attribute 'Ccy': [facet 'pattern'] The value 'cny' is not accepted by the pattern "
     "'[A-Z]{3,3}'.",
     "元素 InstdAmt 的属性 Ccy：值 'cny' 不符合规定的格式（[A-Z]{3,3}）"),
    ("a currency left out", lambda: _results().replace(b' Ccy="CNY"', b"", 1),
     "Element 'InstdAmt': The attribute 'Ccy' is required but missing.",
     "元素 InstdAmt：缺少必需的属性 Ccy"),
    ("an attribute the schema has not", lambda: _results().replace(b"<MsgId>", b'<MsgId foo="1">', 1),
     "Element 'MsgId', attribute 'foo': The attribute 'foo' is not allowed.",
     "元素 MsgId 的属性 foo：不允许有属性 foo"),
    ("an amount of 21 digits",
     lambda: _sub(rb"(<InstdAmt[^>]*>)[^<]*(</InstdAmt>)", rb"\g<1>12345678901234567890.5\g<2>", _results()),
     "Element 'InstdAmt': [facet 'totalDigits'] The value '12345678901234567890.5' has more digits than are "
     "allowed ('18').",
     "元素 InstdAmt：值 '12345678901234567890.5' 的位数超过允许的 18 位"),
    ("an amount of six decimals", lambda: _sub(rb"(<InstdAmt[^>]*>)[^<]*(</InstdAmt>)", rb"\g<1>1.123456\g<2>",
                                               _results()),
     "Element 'InstdAmt': [facet 'fractionDigits'] The value '1.123456' has more fractional digits than are "
     "allowed ('5').",
     "元素 InstdAmt：值 '1.123456' 的小数位数超过允许的 5 位"),
    ("a negative amount", lambda: _sub(rb"(<InstdAmt[^>]*>)[^<]*(</InstdAmt>)", rb"\g<1>-5\g<2>", _results()),
     "Element 'InstdAmt': [facet 'minInclusive'] The value '-5' is less than the minimum value allowed ('0').",
     "元素 InstdAmt：值 '-5' 小于允许的最小值 0"),
    ("text where only elements belong", lambda: _results().replace(b"<GrpHdr>", b"<GrpHdr>abc", 1),
     "Element 'GrpHdr': Character content other than whitespace is not allowed because the content type is "
     "'element-only'.",
     "元素 GrpHdr：此元素只应包含下级元素，不应有文字"),
    ("a root the message has not", lambda: _results().replace(b"<Document", b"<Documnt", 1).replace(
        b"</Document>", b"</Documnt>"),
     "Element 'Documnt': No matching global declaration available for the validation root.",
     "元素 Documnt：不是本报文的根元素（报文类型或命名空间不对）"),
]


@pytest.mark.parametrize("fault, make, english, chinese", CASES, ids=[c[0] for c in CASES])
def test_each_kind_of_schema_message_keeps_its_english_and_reads_in_chinese(fault, make, english, chinese):
    message = _first_error(make(), "pain.002.001.10.xsd", PAIN002)
    assert message == english
    phrase = said(message)
    assert isinstance(phrase, Phrase)
    assert str(phrase) == english
    assert say(phrase.key, "zh", **dict(phrase.fields)) == chinese


def test_a_value_outside_a_codes_list():
    data = _sub(rb"<CdtDbtInd>DBIT</CdtDbtInd>", b"<CdtDbtInd>DEBT</CdtDbtInd>", _statement())
    message = _first_error(data, "camt.053.001.08.xsd", CAMT053)
    assert message == ("Element 'CdtDbtInd': [facet 'enumeration'] The value 'DEBT' is not an element of the set "
                       "{'CRDT', 'DBIT'}.")
    phrase = said(message)
    assert str(phrase) == message
    assert say(phrase.key, "zh", **dict(phrase.fields)) == "元素 CdtDbtInd：值 'DEBT' 不在允许的取值 {'CRDT', 'DBIT'} 之中"


@pytest.mark.parametrize("message", [
    "Element 'X': something libxml2 may say one day.",
    "Element 'X': This element is not expected. Expected is ( A ). And more.",
    "not about an element at all",
])
def test_a_sentence_not_known_stays_as_it_is(message):
    assert said(message) == message
