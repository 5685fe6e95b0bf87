"""Messages the ledger stores (i18n/stored.py): a code and its arguments, said in the reader's
language when read; older plain texts shown as they are; nothing a reader is shown can crash.

Every stored message has an example here; each is said in both languages and must show every
argument it was given (an unused placeholder, or one without an argument, fails). That every
place in the source makes a message of a key with words and exactly that key's arguments is
test_catalogue_keys_made.py's.
"""
from __future__ import annotations

import json
import re

import pytest

import i18n
from i18n import Named, Phrase
from i18n.catalogue_stored import WORDS as STORED
from i18n.stored import as_phrase, fit, message, messages, shown

HAN = re.compile(r"[\u4e00-\u9fff]")

# Example arguments of every stored message: texts and numbers distinct enough to be found in
# what is said; codes as Named (their Chinese name in Chinese, the code in English); parts as Phrase.
LINE = Phrase.of("booking.why.not_in_batch", seq=907)
EXAMPLES: dict[str, dict] = {
    "booking.same_payment_again": {"seq": 901, "ref": "REF-A1"},
    "booking.contradicts_file": {"seq": 902, "status": Named("line_status", "PAID"),
                                 "disposition": Named("disposition", "PAID_OVER")},
    "booking.paid_but": {"why": LINE},
    "booking.failed_but": {"why": Phrase.of("booking.why.never_instructed", seq=903,
                                            status=Named("line_status", "REJECTED"))},
    "booking.why.not_in_batch": {"seq": 904},
    "booking.why.never_instructed": {"seq": 905, "status": Named("line_status", "HELD")},
    "booking.paid_not_ours": {"mismatch": Phrase.of("booking.why.other_account", seq=906)},
    "booking.failed_not_ours": {"mismatch": Phrase.of("booking.why.other_person", seq=908)},
    "booking.why.other_account": {"seq": 909},
    "booking.why.other_person": {"seq": 910},
    "booking.failed_earlier_round": {"round": 3, "seq": 911},
    "booking.failed": {},
    "booking.failed_again": {"seq": 912},
    "booking.paid_then_failed": {"seq": 913},
    "booking.nothing_more": {"seq": 914, "status": Named("line_status", "GIVEN_UP")},
    "booking.paid": {},
    "booking.paid_after_failure": {},
    "booking.paid_short": {"amount": 7001, "instructed": 9002, "unpaid": 2001},
    "booking.paid_short_after_failure": {"amount": 7003, "instructed": 9004, "unpaid": 2003},
    "booking.paid_over": {"amount": 9105, "instructed": 9006, "excess": 99},
    "booking.paid_over_after_failure": {"amount": 9107, "instructed": 9008, "excess": 98},
    "booking.second_payment": {"seq": 915, "ref": "REF-B2", "first": "REF-B1"},
    "booking.paid_again_no_ref": {"seq": 916},
    "ingest.duplicate": {"file": 41, "name": "RET_41.xml"},
    "ingest.duplicate_empty": {"file": 42, "name": "RET_42.xml"},
    "ingest.file_security": {"error": "signature does not verify"},
    "ingest.empty": {},
    "ingest.unreadable_header": {"error": "ValueError: no header line"},
    "ingest.unreadable": {"error": "KeyError: 'amount'"},
    "ingest.batch_unknown": {"batch": "B2026X", "file": "'B2026XP0'"},
    "ingest.other_bank": {"batch": "B2026Y", "owner": "ABC01", "bank": "RCC01"},
    "ingest.not_sent": {"file": "'B2026ZP7'", "batch": "B2026Z"},
    "ingest.unattributed": {"count": 2, "batches": "B2026V, B2026W"},
    "ingest.part_problem": {"batch": "B2026W", "file": 12, "problem": "line 3: amount: not a number"},
    "ingest.not_answerable": {"batch": "B2026W", "status": Named("batch_status", "CLOSED")},
    "ingest.record_exception": {"record": 17, "seq": 917, "disposition": Named("disposition", "REREPORT"),
                                "detail": Phrase.of("booking.failed_again", seq=917)},
    "ingest.exceptions": {"counts": [Phrase.of("ingest.exception_count", count=5, kind=Named("disposition",
                                                                                               "CONFLICT"))]},
    "ingest.exception_count": {"count": 6, "kind": Named("disposition", "PAID_SHORT")},
    "ingest.answered_first": {"name": "RET_43.xml"},
    "dispatch.unexpected": {"error": "RuntimeError: boom"},
    "dispatch.unwritable": {"count": 25},
    "dispatch.bytes_differ": {"digest": "ab12cd34ef56ab12", "recorded": "0011223344556677"},
    "dispatch.upload_failed": {"error": "connection reset by peer"},
    "dispatch.upload_refused": {"error": "permission denied: /in"},
    "dispatch.not_sent": {"why": Phrase.of("error.env.full", where=Phrase.of("place.data"), cause="ENOSPC")},
    "statement.duplicate": {"file": 51, "name": "STMT_51.xml"},
    "statement.empty": {"name": "STMT_52.xml"},
    "statement.unreadable": {"name": "STMT_53.xml", "error": "ValueError: bad tag"},
    "statement.currency": {"name": "STMT_54.xml", "currency": "USD"},
    "statement.other_content": {"name": "STMT_55.xml", "statement": "S-55", "account": "6222****0055", "file": 56,
                                "other": "STMT_56.xml"},
    "statement.format_problem": {"name": "STMT_57.xml", "problem": "line 3: amount: not a number"},
    "statement.no_reason": {},
    "audit.reason": {"reason": "duplicate of line 4 per the township"},
    "audit.submit": {"count": 301, "fen": 4500301},
    "audit.approve": {"count": 302, "fen": 4500302},
    "audit.approve_held": {"count": 303, "fen": 4500303, "held": 2},
    "audit.fund": {"fen": 4500304},
    "audit.dispatch": {"name": "DF_RCC01_B1.txt"},
    "audit.regenerate": {"file": 61, "name": "DF_61.txt", "state": Named("file_state", "FAILED"), "attempts": 4,
                         "was": Phrase.of("audit.never_uploaded"), "digest": "feedbeef00112233",
                         "reason": "the bank lost it"},
    "audit.was_sha256": {"digest": "99aa88bb77cc66dd"},
    "audit.never_uploaded": {},
    "audit.mark_delivered": {"file": 62, "name": "DF_62.txt", "state": Named("file_state", "UPLOADING"),
                             "attempts": 5, "actor": "ops-li", "reason": "handed over on a USB key"},
    "audit.book_results": {"file": 63, "name": "RET_63.xml", "count": 304, "fen": 4500305},
    "audit.book_results_exceptions": {"file": 64, "name": "RET_64.xml", "count": 305, "fen": 4500306,
                                      "exceptions": [Phrase.of("ingest.exception_count", count=7,
                                                               kind=Named("disposition", "SECOND_PAYMENT"))]},
    "audit.stop_add": {"entry": 71, "id_number": "6523**********0011", "kind": Named("stop_kind", "DECEASED"),
                       "start": "2026-11-01", "source": "civil affairs list 11"},
    "audit.stop_revoke": {"entry": 72, "reason": "entered by mistake"},
    "audit.corrected": {},
    "audit.change_requested": {"change": 81, "what": Phrase.of("audit.reissue_changed",
                                                               fields=[Named("field", "account_no")])},
    "audit.reissue_as_is": {},
    "audit.reissue_changed": {"fields": [Named("field", "name"), Named("field", "account_no")]},
    "audit.change_approved": {"change": 82, "requester": "clerk-wang", "file": 83},
    "audit.change_refused": {"change": 84, "requester": "clerk-zhao", "reason": "account not verified"},
    "audit.reissue": {"why": Phrase.of("audit.reissue.corrected"), "file": 85},
    "audit.reissue_approved": {"why": Phrase.of("audit.reissue.unanswered"), "approver": "approver-liu",
                               "file": 86},
    "audit.reissue.unanswered": {},
    "audit.reissue.corrected": {},
    "audit.leave": {"reason": "bank confirmed no debit"},
    "audit.given_up": {"reason": "beneficiary emigrated"},
    "detail.due_record": {"file": 91, "record": 92, "detail": Phrase.of("booking.paid_over", amount=9300,
                                                                         instructed=9000, excess=300)},
    "detail.paid_late": {"paid_on": "2026-12-03", "due": "2026-11-28"},
    "detail.concerns_this_batch": {},
    "detail.concerns_unknown_batch": {"batch": "B2026Q"},
    "detail.concerns_no_batch": {},
}


def _expected_parts(value, lang: str) -> list[str]:
    """What saying ``value`` in ``lang`` must show: its text, its code's name (Chinese) or code
    (English), and the same of a part's own arguments."""
    if isinstance(value, Named):
        return [i18n.name(value.kind, value.code, "zh") if lang == "zh" else value.code]
    if isinstance(value, Phrase):
        return [part for _, v in value.fields for part in _expected_parts(v, lang)]
    if isinstance(value, list):
        return [part for v in value for part in _expected_parts(v, lang)]
    return [str(value)]


def test_every_stored_message_has_an_example():
    assert set(EXAMPLES) == set(STORED), set(EXAMPLES) ^ set(STORED)


@pytest.mark.parametrize("key", sorted(STORED))
def test_every_stored_message_is_said_in_both_languages_with_all_its_arguments(key):
    args = EXAMPLES[key]
    stored = message(key, **args)
    assert json.loads(stored)["m"] == key
    for lang in ("zh", "en"):
        said = shown(stored, lang)
        assert "{" not in said and "}" not in said, (lang, said)  # no placeholder left unfilled
        for part in (p for value in args.values() for p in _expected_parts(value, lang)):
            assert part in said, f"{key} in {lang}: {part!r} not shown in {said!r}"
    if HAN.search(i18n.WORDS[key][0]):
        assert HAN.search(shown(stored, "zh"))
    assert not HAN.search(shown(stored, "en")), shown(stored, "en")
    for name in args:  # leaving any argument out is refused where the message is made
        with pytest.raises(ValueError, match="arguments"):
            message(key, **{k: v for k, v in args.items() if k != name})
    with pytest.raises(ValueError, match="arguments"):
        message(key, **args, unused=1)


def test_the_english_words_are_the_sentences_stored_before():
    """Readers of English see what the ledger stored before messages (written from the old
    f-strings of domain/booking.py and service/ingest.py)."""
    said = shown(message("booking.paid_over_after_failure", amount=1200, instructed=1000, excess=200), "en")
    assert said == "paid 1200 fen, 200 fen more than the 1000 instructed after it was reported failed"
    said = shown(message("booking.paid_but", why=Phrase.of("booking.why.never_instructed", seq=4,
                                                            status=Named("line_status", "REJECTED"))), "en")
    assert said == "paid, but line 4 is REJECTED, never instructed to be paid"
    assert shown(message("ingest.exceptions", counts=[
        Phrase.of("ingest.exception_count", count=1, kind=Named("disposition", "CONFLICT")),
        Phrase.of("ingest.exception_count", count=2, kind=Named("disposition", "PAID_SHORT"))]), "en") \
        == "1 CONFLICT, 2 PAID_SHORT"


def test_chinese_names_codes_and_joins_lists():
    stored = message("ingest.exceptions", counts=[
        Phrase.of("ingest.exception_count", count=1, kind=Named("disposition", "CONFLICT")),
        Phrase.of("ingest.exception_count", count=2, kind=Named("disposition", "PAID_SHORT"))])
    conflict, short = i18n.name("disposition", "CONFLICT", "zh"), i18n.name("disposition", "PAID_SHORT", "zh")
    assert shown(stored, "zh") == f"例外：{conflict} 1 笔、{short} 2 笔"


def test_a_plain_text_stored_before_messages_is_shown_as_it_is():
    for legacy in ("batch B1 belongs to bank ABC01, not RCC01", "[line 3] amount: not a number",
                   "{not json", '{"other": "json"}', '["a", 1]', "[]x"):
        assert shown(legacy, "zh") == shown(legacy, "en") == legacy
    assert shown(None) == shown("") == ""


def test_an_unknown_code_or_broken_arguments_are_shown_as_code_and_arguments_never_a_crash():
    assert shown('{"m":"ingest.gone_since","a":{"batch":"B9","n":3}}', "zh") == 'ingest.gone_since {"batch":"B9","n":3}'
    assert shown('{"m":"ingest.gone_since"}', "en") == "ingest.gone_since"
    # a message whose arguments changed since it was stored: its code and what it has
    assert shown('{"m":"ingest.other_bank","a":{"batch":"B9"}}', "en") == 'ingest.other_bank {"batch":"B9"}'
    assert shown('{"m":"booking.paid_short","a":{"amount":1,"instructed":2,"unpaid":1,"more":4}}', "en") \
        == 'booking.paid_short {"amount":1,"instructed":2,"unpaid":1,"more":4}'
    # an argument that is a part nobody has words for
    assert shown('{"m":"booking.paid_but","a":{"why":{"m":"booking.why.gone"}}}', "en") == "paid, but booking.why.gone"


def test_several_parts_are_said_in_order_with_plain_texts_among_them():
    stored = messages([message("ingest.empty"), "line 3: amount: not a number", message("statement.no_reason")])
    assert shown(stored, "en") == ("empty file (0 bytes): no header and no records; line 3: amount: not a number; "
                                   "no reason recorded")
    assert shown(stored, "zh") == "空文件（0 字节）：没有表头，也没有记录；line 3: amount: not a number；未记录原因"
    assert messages([stored, message("ingest.empty")]).count('"ingest.empty"') == 2  # a list joins flat


def test_a_message_inside_a_message_is_said_in_the_readers_language():
    detail = message("booking.failed_again", seq=5)
    stored = message("ingest.record_exception", record=2, seq=5, disposition=Named("disposition", "REREPORT"),
                     detail=as_phrase(detail))
    assert shown(stored, "en") == "record 2 (line 5): REREPORT: line 5 failed before; reported failed again"
    assert shown(stored, "zh") == (f"第 2 条记录（第 5 行）：{i18n.name('disposition', 'REREPORT', 'zh')}："
                                   "第 5 行此前已失败；再次报失败")
    assert as_phrase("a plain sentence") == "a plain sentence"


def test_the_call_language_is_the_default():
    stored = message("ingest.empty")
    token = i18n.use("en")
    try:
        assert shown(stored) == "empty file (0 bytes): no header and no records"
    finally:
        i18n.reset(token)
    assert shown(stored) == "空文件（0 字节）：没有表头，也没有记录"


def test_a_message_too_long_for_its_column_keeps_its_form():
    stored = message("booking.second_payment", seq=3, ref="R" * 64, first=", ".join(f"REF{i:03}" for i in range(40)))
    short = fit(stored, 200)
    assert len(short) == 200 and json.loads(short)["m"] == "booking.second_payment"
    assert shown(short, "en").startswith("line 3 paid again under bank reference RRRR")
    assert "…" in shown(short, "en")
    assert fit(stored, 10_000) == stored
    assert fit("plain " * 100, 50) == ("plain " * 100)[:50]


def test_a_text_json_escapes_is_shortened_by_what_it_takes_in_the_column():
    """Each '"' takes two characters in the JSON: the detail keeps as many as the column holds,
    not the column's width less the excess counted twice."""
    stored = message("ingest.unreadable", error='"' * 300)
    short = fit(stored, 200)
    assert json.loads(short)["a"]["error"] == '"' * json.loads(short)["a"]["error"].count('"') + "…"
    assert 199 <= len(short) <= 200  # (one more '"' would take two characters)


def test_parts_with_nothing_left_to_shorten_keep_their_form_and_are_said_in_words():
    stored = messages([message("ingest.empty")] * 40)
    short = fit(stored, 200)
    parts = json.loads(short)
    assert len(short) <= 200 and parts == [{"m": "ingest.empty"}] * len(parts) and parts
    assert shown(short, "en").startswith("empty file (0 bytes)") and "{" not in shown(short, "en")
    only = message("ingest.exceptions", counts=[Phrase.of("ingest.exception_count", count=n,
                                                          kind=Named("disposition", "CONFLICT")) for n in range(30)])
    assert len(only) > 300 and json.loads(fit(only, 300)) == {"m": "ingest.exceptions"}


def test_a_message_of_an_unknown_key_or_an_unstorable_value_is_refused():
    with pytest.raises(ValueError, match="no words"):
        message("ingest.nobody_wrote_this")
    with pytest.raises(TypeError):
        message("audit.fund", fen=1.5)

