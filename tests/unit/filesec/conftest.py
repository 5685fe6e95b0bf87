"""Key pairs for the filesec tests: one party with Ed25519 + X25519 keys, one with RSA keys.

Generated and loaded once per session: RSA generation and loading (with its checks) are slow.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pytest

from filesec import KeySet, PartyKeys, generate_keys


@dataclass(frozen=True)
class Party:
    files: PartyKeys

    @cached_property
    def sign(self) -> KeySet:
        return KeySet.load(self.files.sign, private=True)

    @cached_property
    def verify(self) -> KeySet:
        return KeySet.load(self.files.verify, private=False)

    @cached_property
    def decrypt(self) -> KeySet:
        return KeySet.load(self.files.decrypt, private=True)

    @cached_property
    def encrypt(self) -> KeySet:
        return KeySet.load(self.files.encrypt, private=False)


@pytest.fixture(scope="session")
def modern(tmp_path_factory) -> Party:
    """Ed25519 signing key and X25519 encryption key, id ``m1``."""
    return Party(generate_keys(tmp_path_factory.mktemp("modern"), "m1"))


@pytest.fixture(scope="session")
def rsa_party(tmp_path_factory) -> Party:
    """RSA-PSS signing key and RSA-OAEP encryption key (2048 bits, for speed), id ``r1``."""
    return Party(generate_keys(tmp_path_factory.mktemp("rsa"), "r1", signing="rsa-pss-sha256",
                               wrap="rsa-oaep-sha256", rsa_bits=2048))


@pytest.fixture(params=["modern", "rsa_party"])
def party(request) -> Party:
    return request.getfixturevalue(request.param)
