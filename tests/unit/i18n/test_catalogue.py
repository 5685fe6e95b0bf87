"""Every code people see has a Chinese and an English name, and the catalogues hold no accidents."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import i18n
from bank_formats import carriage
from domain import eligibility, text, validation
from domain.booking import Disposition
from domain.duties import Duty, Part
from domain.eligibility import StopKind
from domain.model import AccountKind, BatchStatus, FailureReason, FileState, LineStatus
from domain.reasons import FollowUp
from domain.statement_match import BreakKind
from reports.discrepancies import DiscrepancyClass
from service.identity import Role
from service.statements import StatementState

ENUMS = {
    "batch_status": BatchStatus,
    "line_status": LineStatus,
    "file_state": FileState,
    "statement_state": StatementState,
    "account_kind": AccountKind,
    "reason": FailureReason,
    "follow_up": FollowUp,
    "disposition": Disposition,
    "discrepancy": DiscrepancyClass,
    "break": BreakKind,
    "duty": Duty,
    "part": Part,
    "role": Role,
    "stop_kind": StopKind,
}

# The checks the reports compute (service/reporting.py, aggregate.py, monthly.py), written out here
# from the reports' content so a new check without a name fails below.
CHECKS = [
    "every_transaction_sums_to_zero", "roster_equals_submission", "instruction_equals_accepted_lines",
    "funded_equals_instruction", "funded_equals_paid_refunded_outstanding", "bank_paid_equals_ledger_paid",
    "bank_due_back_equals_ledger_due_back", "closed_clearing_is_zero", "outcome_adds_up_to_instruction",
    "surplus_equals_refund", "items_sum_to_refund", "due_back_listed", "every_batch_passes_its_checks",
    "outstanding_equals_funded_less_paid_and_refunded", "outstanding_lines_not_negative",
]

HAN = re.compile(r"[\u4e00-\u9fff]")


def _both(key: str) -> None:
    assert key in i18n.WORDS, f"no words for {key}"
    zh, en = i18n.WORDS[key]
    assert HAN.search(zh), f"{key}: the Chinese {zh!r} has no Chinese character"
    assert en.strip() and not HAN.search(en), f"{key}: the English {en!r} is empty or Chinese"


@pytest.mark.parametrize("kind", sorted(ENUMS))
def test_every_member_of_every_code_enum_has_a_chinese_and_an_english_name(kind):
    for member in ENUMS[kind]:
        _both(f"{kind}.{member.value}")
        assert i18n.name(kind, member.value, "zh") == i18n.WORDS[f"{kind}.{member.value}"][0]
        assert i18n.name(kind, member.value, "en") == i18n.WORDS[f"{kind}.{member.value}"][1]


def test_the_reports_own_codes_and_checks_have_names():
    for code in ("NO_RESULT", "PAID_SHORT"):
        _both(f"reason.{code}")
    _both("follow_up.ASK_BANK")
    for check in CHECKS:
        _both(f"check.{check}")


def test_the_reports_checks_are_the_named_ones():
    """The keys of every ``"checks": {...}`` table in the reports' source are in CHECKS (so named)."""
    root = Path(__file__).resolve().parents[3]
    written = set()
    for module in ("reporting.py", "aggregate.py", "monthly.py"):
        tree = ast.parse((root / "service" / module).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values):
                    if isinstance(key, ast.Constant) and key.value == "checks" and isinstance(value, ast.Dict):
                        written |= {k.value for k in value.keys if isinstance(k, ast.Constant)}
    assert len(written) == len(CHECKS) and written == set(CHECKS), written ^ set(CHECKS)


def test_every_problem_code_has_a_chinese_and_an_english_description():
    codes = (set(validation.REASON_CODES) | set(text.TEXT_CODES) | set(carriage.CARRIAGE_CODES)
             | set(eligibility.STOP_CODES) | set(eligibility.ONE_CARD_CODES)
             | {eligibility.DUPLICATE_PAYMENT, eligibility.REGION_OUTSIDE, eligibility.FIELD_TOO_LONG,
                "PROGRAM_UNKNOWN", "PERIOD_FORMAT", "STANDARD_NOT_REGISTERED"})
    for code in codes:
        _both(f"problem.{code}")


def test_named_codes_read_as_the_references_write_them():
    """A few names checked against what the paper forms say (not against the catalogue)."""
    assert i18n.name("discrepancy", "OVER", "zh") == "多发"
    assert i18n.name("discrepancy", "DUPLICATE", "zh") == "重发"
    assert i18n.name("discrepancy", "MISSED", "zh") == "漏发"
    assert i18n.name("discrepancy", "LATE", "zh") == "迟发"
    assert i18n.name("reason", "NAME_MISMATCH", "zh") == "户名不符"
    assert i18n.name("batch_status", "CLOSED", "en") == "closed"
    assert i18n.name("line_status", "UNHEARD_OF", "zh") == "UNHEARD_OF"  # a code nobody named: as it is


def test_no_placeholder_differs_between_the_two_languages():
    fields = re.compile(r"{(\w*)")
    for key, (zh, en) in i18n.WORDS.items():
        assert sorted(fields.findall(zh)) == sorted(fields.findall(en)), key


def _checks_written_in_the_source():
    """(code, field) of every Violation(field, code, ...), LineError(seq, field, code, ...) and
    Refusal(field, code, ...) in service/, adapter/ and domain/ whose parts are written as literals
    (a field path by its last literal part: ``f"lines[{seq}].amount_fen"`` → ``amount_fen``)."""
    root = Path(__file__).resolve().parents[3]
    found = []
    for folder in ("service", "adapter", "domain"):
        for path in sorted((root / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                    continue
                where = {"Violation": (0, 1), "Refusal": (0, 1), "LineError": (1, 2)}.get(node.func.id)
                if where is None or len(node.args) <= where[1]:
                    continue
                field, code = node.args[where[0]], node.args[where[1]]
                if isinstance(field, ast.JoinedStr):
                    field = field.values[-1]
                name = field.value.rsplit(".", 1)[-1] if isinstance(field, ast.Constant) else None
                found.append((code.value if isinstance(code, ast.Constant) else None,
                              name if name and name.isidentifier() else None, f"{path.name}:{node.lineno}"))
    return found


def test_every_problem_code_and_field_the_service_writes_has_words():
    found = _checks_written_in_the_source()
    assert len(found) > 60  # the scan found the checks (about 90 when written)
    for code, field, where in found:
        if code is not None:
            _both(f"problem.{code}")
        if field is not None:
            assert f"field.{field}" in i18n.WORDS, f"{where}: no words for the field {field}"


def test_the_labels_in_signed_content_are_the_catalogues_words_unchanged():
    """A report's content (signed, digested) carries these labels; they come from the catalogue
    now, and a change of the catalogue's words must not change what earlier reports said."""
    from domain.statement_match import LABELS as BREAKS
    from reports.discrepancies import LABELS as CLASSES
    assert {k.value: v for k, v in CLASSES.items()} == {
        "OVER": "多发 over-payment", "MISSED": "漏发 missed payment", "DUPLICATE": "重发 duplicate payment",
        "LATE": "迟发 late payment"}
    assert {k.value: v for k, v in BREAKS.items()} == {
        "STATEMENT_ONLY": "对账单有、账簿无 on the statement, not in the ledger",
        "LEDGER_ONLY": "账簿有、对账单无 in the ledger, not on the statement",
        "AMOUNT_MISMATCH": "金额不符 amount differs",
        "DATE_MISMATCH": "日期不符 booked on dates too far apart",
        "STATEMENT_UNBALANCED": "对账单自身不平 statement does not add up",
        "BALANCE_GAP": "余额不连续 opening is not the previous closing",
        "BALANCE_MISMATCH": "余额不符 closing balance differs from the ledger"}


def test_the_reasons_chinese_names_are_the_words_banks_write():
    """domain.reasons.LABEL_ZH (what the simulated bank writes beside its codes, as banks do) comes
    from the catalogue: the bank's words, written here from the banks' own forms."""
    from domain.reasons import LABEL_ZH
    assert {r.value: text for r, text in LABEL_ZH.items()} == {
        "ACCOUNT_NOT_FOUND": "账户不存在", "NAME_MISMATCH": "户名不符", "ACCOUNT_CLOSED": "账户已销户",
        "ACCOUNT_FROZEN": "账户冻结", "ID_MISMATCH": "证件号码不符", "CARD_LOST": "卡已挂失或换卡", "OTHER": "其他原因"}
