"""Deterministic synthetic payment rosters for demos, tests and benchmarks.

:func:`generate_lines` streams :class:`~domain.model.PaymentLine` objects (it never builds a
list).  The same arguments always give the same lines (``random.Random(seed)``).  Every line
passes :func:`domain.validation.check_line` with no errors and no warnings, and the identity and
account numbers are unique within a roster: they are derived from the line's position through a
bijection (an affine map modulo the size of the number space), not drawn by chance, so
uniqueness holds for any ``n`` up to :data:`MAX_LINES`. ``start`` numbers the first line's
person in the seed's numbering: rosters of one seed and region over disjoint ranges
``[start, start + n)`` share no identity number and no account (distinct people for several
banks, or fresh accounts for a re-issue, however large).

* identity numbers: the given region, a birth date in 1945..2004 and a sequence code; valid
  check character.
* accounts: mostly 19-digit Luhn-valid bank cards starting ``622`` (``CARD``), some 19-digit
  social-security cards (``SOCIAL_SECURITY_CARD``) and some 17-digit passbooks (``PASSBOOK``).
* names: common surnames and given names, about 2% minority names with the middle dot, such as
  ``买买提·艾力``.
* mobile phone numbers, an address, the subsidy item and a remark.
* amounts: uniform in ``amount_range``, both ends included.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from functools import lru_cache
from math import gcd
from random import Random

from domain.idnumber import PROVINCE_CODES
from domain.model import AccountKind, PaymentLine

__all__ = ["MAX_LINES", "SUBSIDY_ITEMS", "generate_lines"]

SUBSIDY_ITEMS = (
    "耕地地力保护补贴",
    "实际种粮农民一次性补贴",
    "农机购置与应用补贴",
    "城乡居民基本养老保险待遇",
    "高龄津贴",
    "困难残疾人生活补贴",
    "重度残疾人护理补贴",
    "草原生态保护补助奖励",
    "生态公益林补偿",
    "农村最低生活保障金",
)

_SURNAMES = (
    "王王王王李李李李张张张张刘刘刘陈陈陈杨杨黄黄赵赵吴吴周周徐徐孙孙马马朱朱胡胡郭郭何何高高林罗郑梁谢宋"
    "唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹"
    "薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红娥玲芬燕辉建国志文海军斌鹏宇浩凯健俊帆帅旭"
    "宁博晨阳欣怡雪梅淑珍玉兰凤琴云莲秀兰春生德福荣贵明亮永忠宝山金花翠花成林长青海燕丽娟秋菊冬梅振华"
)
_MINORITY_GIVEN = (
    "买买提", "艾力", "阿不都", "热合曼", "吐尔逊", "艾尼瓦尔", "阿依古丽", "古丽娜尔", "麦麦提",
    "依明", "玉素甫", "阿布拉", "帕提古丽", "热依拉", "迪丽拜尔", "努尔兰", "哈力克", "吐尔洪",
    "阿力木", "叶尔兰", "别克", "巴合提", "加娜尔", "古丽",
)
_MINORITY_FATHER = (
    "艾力", "买买提", "吐尔逊", "阿不都拉", "玉山", "克依木", "肉孜", "司马义", "托合提", "赛买提",
    "吾斯曼", "热合木", "努尔", "卡德尔", "别克", "哈孜",
)
_MOBILE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "166", "173", "175", "176", "177", "178", "180",
    "181", "182", "183", "185", "186", "187", "188", "189", "191", "198", "199",
)
# (BIN, bank) for cards and social-security cards; repeated entries weight the choice.
_CARD_BANKS = (
    ("622848", "中国农业银行"),
    ("622848", "中国农业银行"),
    ("622848", "中国农业银行"),
    ("622848", "中国农业银行"),
    ("622188", "中国邮政储蓄银行"),
    ("622188", "中国邮政储蓄银行"),
    ("622202", "中国工商银行"),
    ("622700", "中国建设银行"),
)
_PASSBOOK_BANKS = (
    ("2907", "中国农业银行"),
    ("2907", "中国农业银行"),
    ("6011", "中国邮政储蓄银行"),
    ("3010", "农村信用合作联社"),
)
_TOWNS = ("东风", "红旗", "团结", "幸福", "新华", "和平", "建设", "胜利", "光明", "前进", "长胜", "永丰")
_VILLAGES = ("东湖", "西沟", "南坪", "北庄", "柳树", "杨家", "新村", "河滩", "沙梁", "红星", "三工", "五工")

_BIRTH_FIRST = date(1945, 1, 1)
_BIRTH_LAST = date(2004, 12, 31)
_BIRTH_DAYS = (_BIRTH_LAST - _BIRTH_FIRST).days + 1
_ID_SPACE = _BIRTH_DAYS * 1000  # (birth date, sequence code) pairs for one region
_ACCOUNT_SPACE = 10**12  # 12-digit account serials

#: The largest roster for which identity numbers (one region) stay unique.
MAX_LINES = _ID_SPACE

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_LUHN_DOUBLE = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def _weighted(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(c) * w for c, w in zip(digits, weights, strict=True))


@lru_cache(maxsize=1)
def _id_tables() -> tuple[list[str], list[int], list[str], list[int]]:
    births, birth_sums = [], []
    d = _BIRTH_FIRST
    for _ in range(_BIRTH_DAYS):
        s = d.strftime("%Y%m%d")
        births.append(s)
        birth_sums.append(_weighted(s, _ID_WEIGHTS[6:14]))
        d += timedelta(days=1)
    seqs = [f"{i:03d}" for i in range(1000)]
    seq_sums = [_weighted(s, _ID_WEIGHTS[14:17]) for s in seqs]
    return births, birth_sums, seqs, seq_sums


@lru_cache(maxsize=1)
def _luhn4() -> list[int]:
    """Luhn contribution of a 4-digit group whose last digit is doubled (right of the body)."""
    table = []
    for g in range(10_000):
        d0, d1, d2, d3 = g % 10, g // 10 % 10, g // 100 % 10, g // 1000
        table.append(_LUHN_DOUBLE[d0] + d1 + _LUHN_DOUBLE[d2] + d3)
    return table


def _luhn_prefix_sum(prefix: str) -> int:
    """Luhn contribution of ``prefix`` when 12 body digits and the check digit follow it.

    Its last digit is then 13th from the right of the body, so it is doubled.
    """
    total = 0
    for i, c in enumerate(reversed(prefix)):
        d = int(c)
        total += d if i % 2 else _LUHN_DOUBLE[d]
    return total


@lru_cache(maxsize=1)
def _addresses() -> list[str]:
    return [f"{t}镇{v}村{g}组" for t in _TOWNS for v in _VILLAGES for g in range(1, 10)]


def _coprime_multiplier(rng: Random, modulus: int) -> int:
    while True:
        a = rng.randrange(modulus // 3, 2 * modulus // 3)
        if gcd(a, modulus) == 1:
            return a


def generate_lines(
    n: int,
    seed: int = 0,
    region: str = "652301",
    amount_range: tuple[int, int] = (5_000, 150_000),
    *,
    subsidy_item: str = SUBSIDY_ITEMS[0],
    remark: str | None = None,
    passbook_share: float = 0.05,
    social_security_share: float = 0.03,
    minority_share: float = 0.02,
    start: int = 0,
) -> Iterator[PaymentLine]:
    """Stream ``n`` valid, unique payment lines with seq 1..n (see the module docstring).

    ``region`` is the 6-digit region code of every identity number; ``amount_range`` is
    ``(low, high)`` in fen, both included; ``remark`` defaults to the subsidy item; ``start``
    is the first line's person number (names, amounts and the like are drawn afresh for each
    ``start``; 0 gives the same roster as before the parameter existed).
    """
    if type(n) is not int or n < 0:
        raise ValueError("n must be an int >= 0")
    if type(start) is not int or start < 0:
        raise ValueError("start must be an int >= 0")
    if start + n > MAX_LINES:
        raise ValueError(f"start + n must be at most {MAX_LINES} for unique identity numbers in one region")
    if not (
        isinstance(region, str)
        and len(region) == 6
        and region.isascii()
        and region.isdigit()
        and region[:2] in PROVINCE_CODES
    ):
        raise ValueError("region must be 6 digits starting with a province code")
    lo, hi = amount_range
    if not (type(lo) is int and type(hi) is int and 1 <= lo <= hi):
        raise ValueError("amount_range must be two ints 1 <= low <= high")
    return _generate(
        n, seed, region, lo, hi, subsidy_item, subsidy_item if remark is None else remark,
        passbook_share, social_security_share, minority_share, start,
    )  # fmt: skip


def _generate(
    n: int,
    seed: int,
    region: str,
    lo: int,
    hi: int,
    item: str,
    remark: str,
    passbook_share: float,
    ssc_share: float,
    minority_share: float,
    start: int,
) -> Iterator[PaymentLine]:
    rng = Random(seed)
    rand = rng.random
    births, birth_sums, seqs, seq_sums = _id_tables()
    region_sum = _weighted(region, _ID_WEIGHTS[:6])
    # an identity number is heads[day] + tails[sq * 11 + residues[day]]: region and birth date,
    # then sequence code and check character (which depends on the residue of the head's digits)
    heads = [region + b for b in births]
    residues = [(region_sum + b) % 11 for b in birth_sums]
    tails = [seqs[sq] + _CHECK_CHARS[(r + seq_sums[sq]) % 11] for sq in range(1000) for r in range(11)]
    id_a, id_b = _coprime_multiplier(rng, _ID_SPACE), rng.randrange(_ID_SPACE)
    acct_a, acct_b = _coprime_multiplier(rng, _ACCOUNT_SPACE), rng.randrange(_ACCOUNT_SPACE)
    if start:  # same numbering of people, other draws for their names and amounts
        rand = Random(f"{seed}/{start}").random
    id_space, acct_space = _ID_SPACE, _ACCOUNT_SPACE
    luhn4 = _luhn4()
    # (BIN * 10**13, bank, Luhn sum of the BIN): the account is one int, turned into text once
    card_banks = [(int(b) * 10**13, name, _luhn_prefix_sum(b)) for b, name in _CARD_BANKS]
    n_card_banks = len(card_banks)
    passbook_banks = [(int(b) * 10**13, name) for b, name in _PASSBOOK_BANKS]  # branch, 0, serial
    n_passbook_banks = len(passbook_banks)
    surnames, n_surnames = _SURNAMES, len(_SURNAMES)
    given, n_given = _GIVEN, len(_GIVEN)
    m_given, n_m_given = _MINORITY_GIVEN, len(_MINORITY_GIVEN)
    m_father, n_m_father = _MINORITY_FATHER, len(_MINORITY_FATHER)
    phone_bases = [int(p) * 10**8 for p in _MOBILE_PREFIXES]
    n_phone_bases = len(phone_bases)
    addresses = _addresses()
    n_addresses = len(addresses)
    span = hi - lo + 1
    passbook_cut = passbook_share
    ssc_cut = passbook_share + ssc_share
    CARD, PASSBOOK, SSC = AccountKind.CARD, AccountKind.PASSBOOK, AccountKind.SOCIAL_SECURITY_CARD
    Line = PaymentLine

    for k in range(start, start + n):
        # identity number: (birth day, sequence code) from a bijection of k
        day, sq = divmod((id_a * k + id_b) % id_space, 1000)
        id_number = heads[day] + tails[sq * 11 + residues[day]]

        # account: a unique 12-digit serial from a bijection of k
        serial = (acct_a * k + acct_b) % acct_space
        r = rand()
        if r < passbook_cut:
            base, bank = passbook_banks[int(rand() * n_passbook_banks)]
            account_no = str(base + serial)
            kind = PASSBOOK
        else:
            base, bank, bin_sum = card_banks[int(rand() * n_card_banks)]
            g2, rest = divmod(serial, 100_000_000)
            g1, g0 = divmod(rest, 10_000)
            account_no = str(base + serial * 10 + -(bin_sum + luhn4[g0] + luhn4[g1] + luhn4[g2]) % 10)
            kind = SSC if r < ssc_cut else CARD

        # name
        if rand() < minority_share:
            name = m_given[int(rand() * n_m_given)] + "\u00b7" + m_father[int(rand() * n_m_father)]
        else:
            r = rand()
            name = surnames[int(r * n_surnames)] + given[int(rand() * n_given)]
            if r * 1000 % 1 < 0.7:  # reuses r's low digits: 70% two-character given names
                name += given[int(rand() * n_given)]

        phone = str(phone_bases[int(rand() * n_phone_bases)] + int(rand() * 100_000_000))
        address = addresses[int(rand() * n_addresses)]
        amount = lo + int(rand() * span)

        yield Line(k - start + 1, name, id_number, account_no, amount, kind, bank, item, remark, phone, address)
