"""Whole files sealed under the personal-data keys (privacy.files): what goes in comes out, and
any change, cut or foreign key is refused."""
from __future__ import annotations

import os

import pytest

from privacy.errors import SealedDataError
from privacy.files import CHUNK, open_sealed, seal_file
from privacy.keys import Keyring


@pytest.fixture(scope="module")
def keyring():
    return Keyring.generate()


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 12345])
def test_a_sealed_file_opens_to_the_same_bytes(keyring, tmp_path, size):
    data = os.urandom(size)
    (tmp_path / "f").write_bytes(data)
    seal_file(keyring, tmp_path / "f", tmp_path / "f.sealed")
    assert oct((tmp_path / "f.sealed").stat().st_mode & 0o777) == "0o600"
    if size >= 16:  # a random 16-byte run cannot appear in the sealed file by chance
        assert data[:16] not in (tmp_path / "f.sealed").read_bytes()
    assert b"".join(open_sealed(keyring, tmp_path / "f.sealed")) == data


def test_a_rotated_keyring_still_opens_older_files(keyring, tmp_path):
    (tmp_path / "f").write_bytes(b"roster")
    seal_file(keyring, tmp_path / "f", tmp_path / "f.sealed")
    assert b"".join(open_sealed(keyring.rotated(), tmp_path / "f.sealed")) == b"roster"


def _sealed(keyring, tmp_path, size=2 * CHUNK + 10) -> bytes:
    (tmp_path / "f").write_bytes(os.urandom(size))
    seal_file(keyring, tmp_path / "f", tmp_path / "f.sealed")
    return (tmp_path / "f.sealed").read_bytes()


def test_a_changed_byte_a_cut_and_an_extra_chunk_are_refused(keyring, tmp_path):
    blob = _sealed(keyring, tmp_path)
    header = 8 + 1 + len(keyring.current_id) + 7
    first = header + 4 + CHUNK + 16  # the first chunk, with its length and tag
    cases = {
        "changed": blob[:100] + bytes([blob[100] ^ 1]) + blob[101:],
        "cut after a whole chunk": blob[:first],
        "cut mid-chunk": blob[:-5],
        "data after the end": blob + b"x",
        "chunks swapped": blob[:header] + blob[first:2 * first - header] + blob[header:first] + blob[2 * first - header:],
    }
    for name, bad in cases.items():
        (tmp_path / "bad").write_bytes(bad)
        with pytest.raises(SealedDataError):
            b"".join(open_sealed(keyring, tmp_path / "bad"))
            pytest.fail(f"{name}: opened")


def test_another_keyring_cannot_open_it(keyring, tmp_path):
    _sealed(keyring, tmp_path, 10)
    with pytest.raises(Exception, match="k1|does not open|no data key"):
        b"".join(open_sealed(Keyring.generate(), tmp_path / "f.sealed"))


def test_sealing_never_replaces_an_existing_file(keyring, tmp_path):
    (tmp_path / "f").write_bytes(b"x")
    (tmp_path / "f.sealed").write_bytes(b"keep me")
    with pytest.raises(FileExistsError):
        seal_file(keyring, tmp_path / "f", tmp_path / "f.sealed")
    assert (tmp_path / "f.sealed").read_bytes() == b"keep me"
