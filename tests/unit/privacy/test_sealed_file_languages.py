"""Why a sealed file (privacy/files.py: a kept copy of a payment, result or statement file) or a
sealed value (privacy/cipher.py: a ledger field) does not open, said in the reader's language
(issue 16 item 3): Chinese by default, English on request, the English byte for byte what the
modules always wrote. The errors carry their words (``SealedDataError.phrase``, read by
``i18n.library_words.said`` wherever one is shown); a sealed value's field is named in Chinese.

The expected words are written here from each fault (a file that was never sealed, a file cut
after its first chunk, a byte changed in its second chunk, bytes added after its end; a value
altered, sealed with a key the keyring lacks, empty, of an unknown format version, cut short),
not copied from output.
"""
from __future__ import annotations

import pytest

import privacy.files
from privacy.cipher import ID, PHONE, FieldCipher
from privacy.errors import MalformedBlobError, SealedDataError, TamperedBlobError, UnknownKeyIdError
from privacy.files import open_sealed, seal_file
from privacy.keys import Keyring
from tests.support.error_words import refused

KEYRING = Keyring({"k1": b"k" * 32}, "k1", b"i" * 32, source="pii-keys.json")
CHUNK = 4  # small chunks (the module's is 1 MiB), so a file of 10 bytes is three chunks
HEADER = 8 + 1 + 2 + 7  # YKTSEAL1, the key id's length and the id (k1), the random prefix
CHUNK_SIZE = 4 + CHUNK + 16  # a whole chunk: its length, its ciphertext and its tag




@pytest.fixture
def sealed(tmp_path, monkeypatch) -> bytes:
    """The file "0123456789" sealed in chunks of 4 bytes."""
    monkeypatch.setattr(privacy.files, "CHUNK", CHUNK)
    (tmp_path / "paid.txt").write_bytes(b"0123456789")
    seal_file(KEYRING, tmp_path / "paid.txt", tmp_path / "paid.txt.sealed")
    return (tmp_path / "paid.txt.sealed").read_bytes()


def opening(path) -> SealedDataError:
    with pytest.raises(SealedDataError) as caught:
        b"".join(open_sealed(KEYRING, path))
    return caught.value


def test_a_file_that_was_never_sealed(tmp_path):
    path = tmp_path / "paid.txt"
    path.write_bytes(b"0123456789")
    refused(opening(path), f"{path}: not a sealed file", f"{path}：不是加密文件")


def test_a_file_cut_after_its_first_chunk(sealed, tmp_path):
    path = tmp_path / "cut.sealed"
    path.write_bytes(sealed[:HEADER + CHUNK_SIZE])
    # one chunk opened, then the end: "after chunk 1" (a count, where "chunk 1 does not open" is the second)
    refused(opening(path), f"{path}: cut short after chunk 1", f"{path}：加密文件读完 1 个数据块后就结束了（被截断）")


def test_a_byte_changed_in_the_second_chunk(sealed, tmp_path):
    path = tmp_path / "changed.sealed"
    at = HEADER + CHUNK_SIZE + 6  # inside the second chunk's ciphertext
    path.write_bytes(sealed[:at] + bytes([sealed[at] ^ 1]) + sealed[at + 1:])
    refused(opening(path), f"{path}: chunk 1 does not open (altered, or another key)",
            f"{path}：数据块 1 无法解密（已被改动，或用的是另一个密钥）")


def test_bytes_after_the_last_chunk(sealed, tmp_path):
    path = tmp_path / "longer.sealed"
    path.write_bytes(sealed + b"x")
    refused(opening(path), f"{path}: data after the last chunk", f"{path}：最后一个数据块之后还有多余的数据")


def test_a_sealed_value_altered_names_the_field_in_chinese():
    blob = FieldCipher(KEYRING).seal(ID, "110101199003074514")
    with pytest.raises(TamperedBlobError) as caught:
        FieldCipher(KEYRING).open(ID, blob[:-1] + bytes([blob[-1] ^ 1]))
    refused(caught.value, "id: sealed value does not authenticate: altered, or sealed for another field",
            "证件号码：加密值未通过认证：已被改动，或是为另一个字段加密的")


def test_a_value_sealed_with_a_key_the_keyring_lacks():
    newer = KEYRING.rotated("k2")
    blob = FieldCipher(newer).seal(PHONE, "13800138000")
    with pytest.raises(UnknownKeyIdError) as caught:
        FieldCipher(KEYRING).open(PHONE, blob)
    refused(caught.value, "phone: sealed with key id 'k2', which pii-keys.json does not hold (have ['k1'])",
            "手机号码：加密所用的密钥编号 'k2' 不在 pii-keys.json 之中（现有：['k1']）")


@pytest.mark.parametrize(("blob", "english", "chinese"), [
    (b"", "id: not a sealed value (too short, or format version missing where 1 is known)",
     "证件号码：不是加密值（长度不足，或没有格式版本；已知的格式版本为 1）"),
    (bytes([9]) + b"\x02k1" + b"n" * 40, "id: not a sealed value (too short, or format version 9 where 1 is known)",
     "证件号码：不是加密值（长度不足，或格式版本为 9，而已知的格式版本为 1）"),
    (bytes([1]) + b"\x02k1" + b"n" * 27, "id: sealed value truncated", "证件号码：加密值不完整（被截断）"),
])
def test_a_value_that_is_no_sealed_value(blob, english, chinese):
    with pytest.raises(MalformedBlobError) as caught:
        FieldCipher(KEYRING).open(ID, blob)
    refused(caught.value, english, chinese)


def test_the_key_id_of_something_that_is_no_sealed_value():
    with pytest.raises(MalformedBlobError) as caught:
        FieldCipher.key_id_of(b"\x01")
    refused(caught.value, "not a sealed value (too short, or an unknown format version)",
            "不是加密值（长度不足，或格式版本未知）")
