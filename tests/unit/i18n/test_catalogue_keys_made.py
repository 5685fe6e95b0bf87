"""Every place in the production code that makes catalogue words names a key with words and
exactly that key's arguments (tests/support/catalogue_scan.py says which calls make words).

A wrong argument only fails when the line runs, often on a file's rare fault or a setting's
rare mistake no test reaches; reading the source finds it for every line at once. The modules'
own tests (bank formats, sftp, file security, settings, keys) check what is particular to them.
"""
from __future__ import annotations

import pytest

import i18n
from i18n.stored import placeholders
from tests.support.catalogue_scan import Made, made_in, production_sources, refusal_classes


@pytest.fixture(scope="module")
def made() -> list[Made]:
    return list(made_in(production_sources()))


def test_every_message_made_in_the_source_has_words_and_exactly_their_arguments(made):
    """A stored message's key is written out (or passed on from words made elsewhere,
    ``said.key``); a phrase or a refusal may name its key by a code (``f"duty.{duty.value}"``:
    test_catalogue.py checks every code has words)."""
    assert len(made) > 1150  # every scan of the modules' own tests together found 1096 (1168 here when written)
    for m in made:
        if m.key is None:
            assert not m.stored or m.expression.endswith(".key"), \
                f"{m.where}: a stored message's key is not written out: {m.expression}"
            continue
        assert m.key in i18n.WORDS, f"{m.where}: no words for {m.key}"
        if m.names is not None:
            assert m.names == placeholders(m.key), f"{m.where}: {m.key} made with {sorted(m.names)}, its words " \
                                                   f"use {sorted(placeholders(m.key))}"


def test_every_kind_of_maker_is_found(made):
    """The scan reads each constructor of words (each key below is made by that one only): a
    stored message under both its names, a phrase of none, a refusal's subclasses, a profile's
    and a CSV mapping's own refusals."""
    assert {"booking.paid", "format.problem", "sftp.cause.eof", "sftp.setting.port", "calendar.not_a_date",
            "profile.missing", "format.csv.account_needed"} <= {m.key for m in made}
    assert {"Refused", "EndpointRefused", "CalendarDataError"} <= refusal_classes()
