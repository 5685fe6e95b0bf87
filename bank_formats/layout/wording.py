"""The words a declared layout's problems are said in, and the writer's habits that go with them:
one small table per family, named by the declaration's ``wording``. The engine asks the table and
names no family.

``layout`` is the engine's own. ``delimited`` is what bank_formats.delimited said before its files
were declared, which its users (and tests) know: kept so that its messages did not change when the
engine took its files over.
"""
from __future__ import annotations

from dataclasses import dataclass

# what each control total counts, in a message
TOTAL_WORDS = {"count": "records", "paid_count": "paid records", "paid_fen": "fen paid",
               "failed_count": "failed records", "failed_fen": "fen failed"}


@dataclass(frozen=True, slots=True)
class Wording:
    separator: str  # a text that holds the delimiter ({sep!r} is the delimiter)
    line_break: str  # a text that holds CR or LF; "" to report it as any control character
    encoding_by_codec: bool  # the encoding in messages by its codec name ("gbk"), else its label ("GBK")
    formats_lower: bool  # a date's format in messages in lower case ("yyyy-mm-dd"), else as declared
    outcome_by_label: bool  # an outcome code field called by its label, its codes listed with what they
    # mean ("S paid, F failed"), else by its name with the codes alone
    checks_by_kind: bool  # a writer checks a record's seq, then numbers, codes and texts, an attribute
    # the record lacks "is missing" field by field; else field by field in their order
    counts_refused: bool  # a refused record whose amount is an int still counts in the totals checked
    # against the header (one whose outcome is neither paid nor failed does not), and a header that
    # cannot be written has no totals checked; else only the amounts a field could hold count
    counts_given: tuple[str, ...]  # the kinds of file whose count is said "N were given" by a writer
    records_total: str  # a writer's other total: {stated}, {what} (TOTAL_WORDS) and {actual}

    def written_total(self, kind: str, name: str, stated: int, actual: int) -> str:
        """A header's control total that the records given to a writer do not make."""
        if name == "total_fen":
            return f"header says {stated} fen, the lines add up to {actual}"
        if name == "count" and kind in self.counts_given:
            return f"header says {stated} {'lines' if kind == 'payments' else 'records'}, {actual} were given"
        return self.records_total.format(stated=stated, what=TOTAL_WORDS[name], actual=actual)


WORDINGS = {
    "layout": Wording(
        separator="holds {sep!r}, the field separator", line_break="", encoding_by_codec=False,
        formats_lower=False, outcome_by_label=False, checks_by_kind=False, counts_refused=False,
        counts_given=("payments",), records_total="header says {stated} {what}, the records give {actual}"),
    "delimited": Wording(
        separator="contains {sep!r}, the field separator; the format has no escaping",
        line_break="contains a line break (CR or LF); the format has no escaping", encoding_by_codec=True,
        formats_lower=True, outcome_by_label=True, checks_by_kind=True, counts_refused=True,
        counts_given=("payments", "results"), records_total="header says {stated} {what}, the records have {actual}"),
}
