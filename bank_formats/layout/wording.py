"""The words a declared layout's problems are said in, and the writer's habits that go with them:
one small table per family, named by the declaration's ``wording``. The engine asks the table and
names no family.

``layout`` is the engine's own. ``delimited`` is what bank_formats.delimited said before its files
were declared, which its users (and tests) know: kept so that its messages did not change when the
engine took its files over.

A table's texts are catalogue keys, so that people read the problems in their language (the
English words are the texts these tables held before, byte for byte). A table added at run time
(a bank's own family) may hold its own English texts instead, said as they are: a text that is no
catalogue key is such a text.
"""
from __future__ import annotations

from dataclasses import dataclass

from i18n import WORDS, Phrase


@dataclass(frozen=True, slots=True)
class Wording:
    separator: str  # a text that holds the delimiter ({sep}: the delimiter quoted; a text's own: {sep!r})
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
    records_total: str  # a writer's other total: {stated}, {what} (a format.total.* phrase) and {actual}

    def written_total(self, kind: str, name: str, stated: int, actual: int) -> Phrase | str:
        """A header's control total that the records given to a writer do not make."""
        if name == "total_fen":
            return Phrase.of("format.lines_fen_differs", stated=stated, actual=actual)
        if name == "count" and kind in self.counts_given:
            key = "format.iso.lines_given" if kind == "payments" else "format.iso.records_given"
            return Phrase.of(key, stated=stated, given=actual)
        what = Phrase.of(f"format.total.{name}")
        if self.records_total in WORDS:
            return Phrase.of(self.records_total, stated=stated, what=what, actual=actual)
        return self.records_total.format(stated=stated, what=what, actual=actual)


WORDINGS = {
    "layout": Wording(
        separator="format.engine.holds_separator", line_break="", encoding_by_codec=False,
        formats_lower=False, outcome_by_label=False, checks_by_kind=False, counts_refused=False,
        counts_given=("payments",), records_total="format.total_differs"),
    "delimited": Wording(
        separator="format.engine.contains_separator", line_break="format.layouts.has_line_break",
        encoding_by_codec=True, formats_lower=True, outcome_by_label=True, checks_by_kind=True, counts_refused=True,
        counts_given=("payments", "results"), records_total="format.total_have"),
}
