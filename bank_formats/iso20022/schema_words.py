"""libxml2's schema messages in catalogue words, so that a clerk reads why a file broke its
message's XML Schema in Chinese (issue 16 item 3).

libxml2 says each violation in one of a few fixed English sentences (``Element 'MsgId': [facet
'maxLength'] The value has a length of '40'; this exceeds the allowed maximum length of '35'.``).
:func:`said` takes one apart into the element (and attribute), the values it quotes and the kind
of violation, and gives it back as a :class:`~i18n.Phrase` whose English is the sentence byte for
byte; a sentence it does not know stays as it is (framed in Chinese by the caller). The element
names are the file's own (``MsgId``): they are where to look in the file, not words to translate.
"""
from __future__ import annotations

import re

from i18n import Phrase

_AT = r"Element '(?P<element>[^']+)'(?:, attribute '(?P<attribute>[^']+)')?: "
_V = r"'(?P<value>[^']*)'"
# (catalogue key, the sentence after the element): each key's English words rebuild the sentence
_KINDS: tuple[tuple[str, re.Pattern], ...] = tuple((key, re.compile(_AT + pattern, re.S)) for key, pattern in (
    ("format.iso.schema.not_expected", r"This element is not expected\. Expected is (?P<one>one of )?"
                                       r"\( (?P<expected>.*) \)\."),
    ("format.iso.schema.not_expected_here", r"This element is not expected\."),
    ("format.iso.schema.missing_child", r"Missing child element\(s\)\. Expected is (?P<one>one of )?"
                                        r"\( (?P<expected>.*) \)\."),
    ("format.iso.schema.atomic", _V + r" is not a valid value of the atomic type '(?P<type>[^']+)'\."),
    ("format.iso.schema.max_length", r"\[facet 'maxLength'\] The value has a length of '(?P<length>\d+)'; this "
                                     r"exceeds the allowed maximum length of '(?P<limit>\d+)'\."),
    ("format.iso.schema.min_length", r"\[facet 'minLength'\] The value has a length of '(?P<length>\d+)'; this "
                                     r"underruns the allowed minimum length of '(?P<limit>\d+)'\."),
    ("format.iso.schema.pattern", r"\[facet 'pattern'\] The value " + _V
                                  + r" is not accepted by the pattern '(?P<pattern>[^']*)'\."),
    ("format.iso.schema.enumeration", r"\[facet 'enumeration'\] The value " + _V
                                      + r" is not an element of the set (?P<allowed>\{.*\})\."),
    ("format.iso.schema.total_digits", r"\[facet 'totalDigits'\] The value " + _V
                                       + r" has more digits than are allowed \('(?P<limit>\d+)'\)\."),
    ("format.iso.schema.fraction_digits", r"\[facet 'fractionDigits'\] The value " + _V
                                          + r" has more fractional digits than are allowed \('(?P<limit>\d+)'\)\."),
    ("format.iso.schema.min_inclusive", r"\[facet 'minInclusive'\] The value " + _V
                                        + r" is less than the minimum value allowed \('(?P<limit>[^']*)'\)\."),
    ("format.iso.schema.attribute_missing", r"The attribute '(?P<name>[^']+)' is required but missing\."),
    ("format.iso.schema.attribute_not_allowed", r"The attribute '(?P<name>[^']+)' is not allowed\."),
    ("format.iso.schema.text_not_allowed", r"Character content other than whitespace is not allowed because the "
                                           r"content type is 'element-only'\."),
    ("format.iso.schema.no_root", r"No matching global declaration available for the validation root\."),
))


def said(message: str) -> Phrase | str:
    """libxml2's schema ``message`` (its namespace already left out) as catalogue words, or the
    message as it is when it is none of the sentences known here."""
    for key, pattern in _KINDS:
        m = pattern.fullmatch(message)
        if m is None:
            continue
        found = {k: v for k, v in m.groupdict().items() if k not in ("element", "attribute")}
        if "one" in found:
            found["one"] = Phrase.of("format.iso.schema.one_of" if found["one"] else "format.iso.schema.just")
        at = (Phrase.of("format.iso.schema.at", element=m["element"]) if m["attribute"] is None else
              Phrase.of("format.iso.schema.at_attribute", element=m["element"], attribute=m["attribute"]))
        phrase = Phrase.of(key, at=at, **found)
        if str(phrase) == message:  # the words rebuild the sentence, or they are not used
            return phrase
    return message
