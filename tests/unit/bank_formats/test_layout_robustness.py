"""Declared layouts: damaged files raise only FormatError; a wrong declaration names its key.

Sample files (the JZ8602 specification's example, JZ8602 reports, the shipped layouts' golden
files read through their declarations) are cut at every offset, have bytes flipped and are
re-encoded; reading them either succeeds or raises :class:`FormatError`, never anything else.
"""
from __future__ import annotations

import io
import random

import pytest

from bank_formats.base import FormatError
from bank_formats.layout import LayoutFormat, builtin, declaration_from_dict
from tests.unit.bank_formats import test_delimited_samples as D
from tests.unit.bank_formats import test_fixed_width_gbk_support as F
from tests.unit.bank_formats.test_layout_jz8602 import FMT as JZ
from tests.unit.bank_formats.test_layout_jz8602 import SPEC, report, spec_example

FIXED = LayoutFormat(declaration="fixed_width_gbk")
UTF8 = LayoutFormat(declaration="delimited")


def samples() -> list[tuple[str, LayoutFormat, str, str, bytes]]:
    """(id, format, kind, file name, bytes)."""
    out = [("fixed-payments", FIXED, "payments", "p.txt", F.golden("payments_valid.txt")),
           ("fixed-results", FIXED, "results", "r.txt", F.golden("results_valid.txt")),
           ("delimited-payments", UTF8, "payments", "p.txt", D.golden("payments_utf8.txt")),
           ("delimited-results", UTF8, "results", "r.txt", D.golden("results_utf8.txt"))]
    if SPEC.exists():
        out.append(("jz-payments", JZ, "payments", "5020121.txt",
                    "".join(x + "\r\n" for x in spec_example()).encode("gbk")))
        out.append(("jz-report", JZ, "results", "HP_B1.txt",
                    report("成功", [("1", "6217000000000000001", "王伟", 10001, 0, "0"),
                                    ("2", "6217000000000000002", "艾力·买买提", 2, 0, "1"),
                                    ("3", "41001234567890", "燚堃喆", 12345678901, 5, "0")])))
    return out


SAMPLES = samples()


def outcome(fmt, kind, name, data) -> str:
    """"ok" or "refused"; anything but a FormatError fails the test."""
    try:
        reader = getattr(fmt, f"read_{kind}")(io.BytesIO(data), name)
        for _ in reader:
            pass
    except FormatError as exc:
        assert exc.problems and all(p.where and p.field for p in exc.problems), exc
        return "refused"
    return "ok"


def line_ends(data: bytes) -> set[int]:
    return {i + 1 for i, b in enumerate(data) if b == 0x0A}


@pytest.mark.parametrize("sample", SAMPLES, ids=[s[0] for s in SAMPLES])
def test_a_file_cut_anywhere_but_after_a_line_is_refused(sample):
    _, fmt, kind, name, data = sample
    ends = line_ends(data)
    # a trailer (the digest line) may go without its line ending: only those bytes missing is fine
    whole = {len(data.rstrip(b"\r\n"))} if fmt._files[kind].trailer is not None else set()
    for cut in range(len(data)):
        got = outcome(fmt, kind, name, data[:cut])
        if cut not in ends and cut not in whole:
            assert got == "refused", cut
    # cut after a whole line: refused wherever the file states its count or has a trailer
    states_count = "count" in fmt.stated_in_file(kind)
    for cut in sorted(ends)[:-1]:
        got = outcome(fmt, kind, name, data[:cut])
        if states_count:
            assert got == "refused", cut


@pytest.mark.parametrize("sample", SAMPLES, ids=[s[0] for s in SAMPLES])
def test_flipped_bytes_and_other_encodings_raise_only_format_errors(sample):
    _, fmt, kind, name, data = sample
    rnd = random.Random(f"{sample[0]}")
    for _ in range(400):
        spoiled = bytearray(data)
        for _ in range(rnd.randint(1, 4)):
            i = rnd.randrange(len(spoiled))
            spoiled[i] = rnd.choice([spoiled[i] ^ (1 << rnd.randrange(8)), 0x00, 0x0A, 0x0D, 0x7C, 0x80, 0xFF, 0x20])
        outcome(fmt, kind, name, bytes(spoiled))
    text = data.decode(fmt.encoding)
    for encoding in ("utf-8", "utf-16", "gb18030", "latin-1"):
        try:
            other = text.encode(encoding)
        except UnicodeEncodeError:
            continue
        got = outcome(fmt, kind, name, other)
        if encoding == "utf-16" or (encoding == "utf-8" and fmt.encoding != "utf-8" and not text.isascii()):
            assert got == "refused", encoding


def test_nothing_and_junk_are_refused():
    for _, fmt, kind, name, _data in SAMPLES:
        for junk in (b"", b"\n", b"\x00" * 50, b"<?xml version='1.0'?><Document/>\n", b"\xff\xfe" + b"x" * 600):
            assert outcome(fmt, kind, name, junk) == "refused", junk


# --- declarations: mistakes name the key ---------------------------------------------------------


def _error(change) -> str:
    raw = builtin("fixed_width_gbk")
    change(raw)
    with pytest.raises(ValueError) as info:
        declaration_from_dict(raw)
    return str(info.value)


def test_a_start_that_does_not_follow_the_widths_is_named():
    def change(raw):
        raw["payments"]["detail"]["fields"][3]["start"] = 47
    assert _error(change) == ("payments.detail.fields[3].start: the field starts at byte 46 (the widths before it "
                              "add up to 45), not 47")


@pytest.mark.parametrize("change, expected", [
    (lambda r: r["payments"]["detail"]["fields"][2].update(name="acount_no"),
     "payments.detail.fields[2].name: 'acount_no' is not a field of a payments detail"),
    (lambda r: r["payments"]["detail"]["fields"][1].pop("width"),
     "payments.detail.fields[1].width: missing"),
    (lambda r: r["payments"]["detail"]["fields"].__setitem__(1, {"type": "filler", "width": 10}),
     "payments.detail: declares no seq"),
    (lambda r: r["results"]["detail"]["fields"][4].update(paid="9999"),
     "results.detail.fields[4].paid: a status field states"),
    (lambda r: r["results"]["detail"]["fields"][4].update(unknown="guess"),
     "results.detail.fields[4].unknown: 'guess' is not failed or refuse"),
    (lambda r: r["results"]["detail"]["fields"][3].update(unknown="refuse"),
     "results.detail.fields[3].unknown: only a status field has codes that may be unknown"),
    (lambda r: r["results"]["reasons"].update({"1007": "BROKE"}), "results.reasons.1007: 'BROKE' is not a failure"),
    (lambda r: r["payments"]["detail"]["fields"][6]["codes"].pop("PASSBOOK"),
     "payments.detail.fields[6].codes: no code for PASSBOOK"),
    (lambda r: r["payments"]["detail"]["fields"][4].update(unit="jiao"), "payments.detail.fields[4].unit: 'jiao'"),
    (lambda r: r["payments"].update(layout="csv"), "payments.layout: 'csv' is not one of fixed, delimited"),
    (lambda r: r.update(encoding="big5"), "encoding: 'big5' is not one of"),
    (lambda r: r["payments"]["detail"]["fields"][2].update(widht=34), "payments.detail.fields[2].widht: unknown key"),
    (lambda r: r["payments"]["detail"]["fields"][5].update(optional=True),
     "payments.detail.fields[5].optional: only the last fields of a record may be optional"),
    (lambda r: r["results"].update(name="(?P<batch>"), "results.name: not a regular expression"),
    (lambda r: r["results"].update(name="(?P<batch>.*)"), "results.name: group 'batch' is not a header field"),
    # the file-level settings the delimited family's declaration uses, refused on a fixed layout or mistyped
    (lambda r: r["payments"].update(blank_lines="keep"), "payments.blank_lines: 'keep' is not skip or refuse"),
    (lambda r: r["payments"].update(numbers="counted"),
     "payments.numbers: 'counted' is not plain or counted (counted: delimited layouts)"),
    (lambda r: r["payments"].update(seq_in="line"), "payments.seq_in: 'line' is not where or message"),
    (lambda r: r["results"].update(wording="bank"), "results.wording: 'bank' is not layout or delimited"),
    (lambda r: r["results"].update(lines="loose"), "results.lines: 'loose' is not records or strict"),
    (lambda r: r["results"].update(lines="strict"),
     "results.lines: strict lines need a delimited layout with one header record and a digest trailer"),
    (lambda r: r["results"].update(max_line=100), "results.max_line: expected bytes from 1024 to 67108864, got 100"),
])
def test_a_wrong_declaration_names_the_key_and_why(change, expected):
    assert _error(change).startswith(expected)


def test_a_profile_with_a_wrong_layout_is_refused_naming_the_file(tmp_path):
    from service.profiles import ProfileError, load_profile

    text = (SPEC.parents[3] / "main" / "profiles" / "JZ8602.toml").read_text(encoding="utf-8")
    bad = tmp_path / "JZ8602.toml"
    bad.write_text(text.replace('{ name = "seq", min_width = 2 }', '{ name = "seq", min_width = -2 }'),
                   encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load_profile(bad)
    assert str(info.value).startswith(f"{bad}: format: payments.detail.fields[0].min_width: expected a whole number")
