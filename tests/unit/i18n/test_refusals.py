"""Service refusals said in both languages: the English is what the service always said (and
what domain.duties writes), the Chinese names the same place, people and parts."""
from __future__ import annotations

import itertools

from sqlalchemy.exc import OperationalError

import i18n
from domain import duties
from domain.duties import BARRED, Duty, Part
from i18n import Phrase
from service.errors import NotFound, duty_refused, environmental


def test_a_duty_refusal_in_english_is_the_domains_sentence_for_every_duty_and_history():
    for duty in Duty:
        for parts in itertools.chain.from_iterable(itertools.combinations(sorted(BARRED[duty]), n)
                                                   for n in range(1, len(BARRED[duty]) + 1)):
            history = {part: ["wang", "li"] for part in parts}
            refused = duty_refused(Phrase.of("where.batch", batch="B1"), duty, "wang", history)
            assert str(refused) == f"batch B1: {duties.refusal(duty, 'wang', history)}"
            assert refused.said("zh").startswith("批次 B1：用户 'wang' 不得")
        assert duty_refused(Phrase.of("where.batch", batch="B1"), duty, "zhao", {p: ["wang"] for p in Part}) is None


def test_a_duty_refusal_in_chinese_names_the_duty_and_each_part_with_its_people():
    refused = duty_refused(Phrase.of("where.batch_change", batch="B1", change=7), Duty.APPROVE_LINE_CHANGE, "li",
                           {Part.CHANGED: ["li"], Part.SUBMITTED: ["li", "zhang"]})
    assert refused.said("zh") == "批次 B1 变更 7：用户 'li' 不得审核收款人变更：须由报送人（li, zhang）和变更申请人（li）以外的人办理"
    anonymous = duty_refused(Phrase.of("where.batch", batch="B1"), Duty.FUND_BATCH, "", {})
    assert (anonymous.said("zh"), str(anonymous)) == ("批次 B1：未认证的用户不得拨付批次资金",
                                                      "batch B1: nobody may fund the batch anonymously")


def test_a_full_disk_or_a_lost_database_in_both_languages():
    full = environmental(OSError(28, "No space left on device", "/var/lib/ykt/outbound/x"))
    assert str(full) == ("the service's folder of /var/lib/ykt/outbound/x is full (No space left on device); nothing "
                         "was changed: free space there, the work is taken up again by itself")
    assert full.said("zh") == ("服务存放 /var/lib/ykt/outbound/x 的文件夹已满（磁盘空间已满）；未做任何修改："
                               "请清理空间，工作会自动继续")
    lost = environmental(OperationalError("SELECT 1", {}, Exception("connection refused\nmore")))
    assert lost.said("zh") == "账簿数据库无法连接（connection refused）；未做任何修改：恢复后请重试"
    assert str(lost) == "the ledger's database cannot be reached (connection refused); nothing was changed: try again once it is back"


def test_a_keyed_error_is_said_in_the_context_language_and_stays_english_as_text():
    error = NotFound("error.batch.none", batch="B9")
    token = i18n.use("zh")
    try:
        assert (error.said(), str(error)) == ("没有批次 B9", "no batch B9")
    finally:
        i18n.reset(token)
    assert error.said("en") == "no batch B9"
    plain = NotFound("something written in place")  # not a key: shown as it is in any language
    assert plain.key is None and plain.said("zh") == "something written in place"
