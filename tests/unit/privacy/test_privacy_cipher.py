"""Field cipher: round trips, field binding, tamper detection, rotation and blind indexes."""
from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from privacy import (
    ACCOUNT,
    ID,
    INDEX_BYTES,
    PHONE,
    FieldCipher,
    Keyring,
    MalformedBlobError,
    PrivacyError,
    SealedDataError,
    TamperedBlobError,
    UnknownKeyIdError,
    normalize,
)

ID_NUMBER = "11010519491231002X"
ACCOUNT_NO = "6222021234567890123"
PHONE_NO = "13812345678"
SAMPLES = {ID: ID_NUMBER, ACCOUNT: ACCOUNT_NO, PHONE: PHONE_NO}


@pytest.fixture(scope="module")
def keyring() -> Keyring:
    return Keyring.generate()


@pytest.fixture(scope="module")
def cipher(keyring) -> FieldCipher:
    return FieldCipher(keyring)


@pytest.mark.parametrize("field", [ID, ACCOUNT, PHONE, "name", "stop.note"])
@pytest.mark.parametrize("value", [ID_NUMBER, ACCOUNT_NO, PHONE_NO, "", "张三", "买买提·艾力", "a\x00b", "😀"])
def test_round_trip(cipher, field, value) -> None:
    blob = cipher.seal(field, value)
    assert isinstance(blob, bytes)
    assert cipher.open(field, blob) == value
    assert cipher.open(field, bytearray(blob)) == value  # drivers may hand back other buffers
    assert cipher.open(field, memoryview(blob)) == value


def test_blob_layout(cipher) -> None:
    blob = cipher.seal(ID, ID_NUMBER)
    assert blob[0] == 1 and blob[1] == 2 and blob[2:4] == b"k1"
    assert len(blob) == 2 + 2 + 12 + len(ID_NUMBER) + 16
    assert FieldCipher.key_id_of(blob) == "k1"


def test_every_seal_uses_a_fresh_nonce(cipher) -> None:
    blobs = {cipher.seal(ID, ID_NUMBER) for _ in range(50)} | set(cipher.seal_many(ID, [ID_NUMBER] * 50))
    assert len(blobs) == 100
    assert len({b[4:16] for b in blobs}) == 100


def test_ciphertext_reveals_neither_the_number_nor_its_digits(cipher) -> None:
    digits = ID_NUMBER[:17]
    pieces = [ID_NUMBER, ID_NUMBER.lower(), digits, ID_NUMBER[6:14], ID_NUMBER[-6:]]
    for blob in [cipher.seal(ID, ID_NUMBER) for _ in range(20)] + cipher.seal_many(ID, [ID_NUMBER] * 20):
        for piece in pieces:
            assert piece.encode("ascii") not in blob
            assert piece.encode("utf-16-le") not in blob
            assert piece.lower() not in blob.hex()  # how databases print binary columns
    index = cipher.index(ID, ID_NUMBER)
    assert digits.encode() not in index and ID_NUMBER[6:14] not in index.hex()


# -- field binding and tampering --------------------------------------------------------------


@pytest.mark.parametrize(("sealed_as", "opened_as"), [(ACCOUNT, ID), (ID, ACCOUNT), (PHONE, ID), (ID, "id2")])
def test_a_value_sealed_for_one_field_does_not_open_as_another(cipher, sealed_as, opened_as) -> None:
    blob = cipher.seal(sealed_as, SAMPLES.get(sealed_as, ID_NUMBER))
    with pytest.raises(TamperedBlobError, match=f"^{opened_as}: .*sealed for another field"):
        cipher.open(opened_as, blob)


def test_flipping_any_bit_of_any_byte_is_detected(cipher) -> None:
    blob = cipher.seal(ID, ID_NUMBER)
    for position in range(len(blob)):
        for mask in (0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80):
            damaged = bytearray(blob)
            damaged[position] ^= mask
            with pytest.raises(SealedDataError) as caught:
                cipher.open(ID, bytes(damaged))
            assert ID_NUMBER not in str(caught.value)


def test_truncated_or_extended_blobs_are_refused(cipher) -> None:
    blob = cipher.seal(ACCOUNT, ACCOUNT_NO)
    for length in range(len(blob)):
        with pytest.raises(SealedDataError):
            cipher.open(ACCOUNT, blob[:length])
    with pytest.raises(TamperedBlobError):
        cipher.open(ACCOUNT, blob + b"\0")


def test_malformed_and_wrong_types(cipher) -> None:
    with pytest.raises(MalformedBlobError, match="format version 2"):
        cipher.open(ID, b"\x02" + cipher.seal(ID, ID_NUMBER)[1:])
    with pytest.raises(MalformedBlobError, match="missing"):
        cipher.open(ID, b"")
    with pytest.raises(TypeError):
        cipher.open(ID, "not bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        cipher.seal(ID, 110105194912310020)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        cipher.index(ID, None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="field name"):
        cipher.seal("id\x00", ID_NUMBER)
    with pytest.raises(ValueError, match="field name"):
        cipher.index("", ID_NUMBER)


def test_unknown_key_id(cipher) -> None:
    other = FieldCipher(Keyring.generate(key_id="elsewhere"))
    with pytest.raises(UnknownKeyIdError, match="key id 'elsewhere'") as caught:
        cipher.open(ID, other.seal(ID, ID_NUMBER))
    assert caught.value.key_id == "elsewhere"
    # the same id with another key is no help: authentication fails
    with pytest.raises(TamperedBlobError):
        cipher.open(ID, FieldCipher(Keyring.generate()).seal(ID, ID_NUMBER))


def test_errors_share_one_base() -> None:
    for error in (TamperedBlobError, UnknownKeyIdError, MalformedBlobError):
        assert issubclass(error, SealedDataError) and issubclass(error, PrivacyError)


# -- rotation ---------------------------------------------------------------------------------


def test_rotation_keeps_old_values_readable_and_indexes_stable(keyring, cipher) -> None:
    old_blobs = {field: cipher.seal(field, value) for field, value in SAMPLES.items()}
    rotated = FieldCipher(keyring.rotated())
    for field, value in SAMPLES.items():
        assert rotated.open(field, old_blobs[field]) == value
        new_blob = rotated.seal(field, value)
        assert FieldCipher.key_id_of(new_blob) == "k2"
        assert FieldCipher.key_id_of(old_blobs[field]) == "k1"
        assert rotated.index(field, value) == cipher.index(field, value)
        assert rotated.index_many(field, [value]) == cipher.index_many(field, [value])
        with pytest.raises(UnknownKeyIdError):  # a service still on the old key file must reload
            cipher.open(field, new_blob)


def test_reseal_moves_old_values_to_the_current_key(keyring, cipher) -> None:
    old = cipher.seal(ID, ID_NUMBER)
    rotated = FieldCipher(keyring.rotated())
    new = rotated.reseal(ID, old)
    assert FieldCipher.key_id_of(new) == "k2" and rotated.open(ID, new) == ID_NUMBER
    assert rotated.reseal(ID, new) == new  # already current: unchanged
    with pytest.raises(TamperedBlobError):
        rotated.reseal(ACCOUNT, new)  # still authenticated
    retired = FieldCipher(Keyring({"k2": rotated.keyring.data_key("k2")}, "k2", keyring.index_key))
    assert retired.open(ID, new) == ID_NUMBER


# -- blind indexes ----------------------------------------------------------------------------


def test_index_is_deterministic_and_16_bytes(cipher, keyring) -> None:
    a = cipher.index(ID, ID_NUMBER)
    assert len(a) == INDEX_BYTES == 16
    assert a == cipher.index(ID, ID_NUMBER) == FieldCipher(keyring).index(ID, ID_NUMBER)


def test_index_is_hmac_sha256_with_the_index_key(cipher, keyring) -> None:
    for field, value in SAMPLES.items():
        message = b"ykt/blind-index/v1\x00" + field.encode() + b"\x00" + value.encode()
        expected = hmac.new(keyring.index_key, message, hashlib.sha256).digest()[:16]
        assert cipher.index(field, value) == expected


def test_same_value_in_different_fields_gives_different_indexes(cipher) -> None:
    value = "622202123456789012"
    indexes = {cipher.index(field, value) for field in (ID, ACCOUNT, PHONE, "other")}
    assert len(indexes) == 4


def test_index_depends_on_the_index_key_only(keyring) -> None:
    a = FieldCipher(keyring)
    other_index_key = FieldCipher(Keyring.generate())
    same_index_other_data = FieldCipher(Keyring({"x": bytes(range(32))}, "x", keyring.index_key))
    assert a.index(ID, ID_NUMBER) != other_index_key.index(ID, ID_NUMBER)
    assert a.index(ID, ID_NUMBER) == same_index_other_data.index(ID, ID_NUMBER)


@pytest.mark.parametrize(
    ("field", "variants"),
    [
        (ID, ["11010519491231002X", "11010519491231002x", " 110105 19491231 002X ", "１１０１０５１９４９１２３１００２Ｘ"]),
        (ACCOUNT, ["6222021234567890123", "6222 0212 3456 7890 123", "6222-0212-3456-7890-123", "６２２２０２１２３４５６７８９０１２３"]),
        (PHONE, ["13812345678", "138 1234 5678", "138-1234-5678", "+86 138 1234 5678", "008613812345678", "+8613812345678"]),
        ("name", ["张三", " 张三 ", "张三\t"]),
    ],
)
def test_index_normalizes_what_people_type(cipher, field, variants) -> None:
    assert len({cipher.index(field, v) for v in variants}) == 1
    assert len(set(cipher.index_many(field, variants))) == 1


def test_normalization_does_not_merge_different_numbers(cipher) -> None:
    assert cipher.index(ID, "110105194912310021") != cipher.index(ID, "11010519491231002X")
    assert cipher.index(ACCOUNT, "6222021234567890123") != cipher.index(ACCOUNT, "6222021234567890124")
    assert cipher.index("name", "张三") != cipher.index("name", "张 三")


# -- many at once -----------------------------------------------------------------------------


def test_many_helpers_agree_with_single_calls(cipher) -> None:
    values = [ID_NUMBER, None, "", "张三", ID_NUMBER.lower()]
    sealed = cipher.seal_many(ID, values)
    assert sealed[1] is None and all(isinstance(b, bytes) for i, b in enumerate(sealed) if i != 1)
    assert cipher.open_many(ID, sealed) == values
    assert [cipher.open(ID, b) if b is not None else None for b in sealed] == values
    assert cipher.index_many(ID, values) == [None if v is None else cipher.index(ID, v) for v in values]
    assert cipher.seal_many(PHONE, iter(["13812345678", None]))[1] is None  # any iterable
    assert cipher.seal_many(ID, []) == [] and cipher.index_many(ID, []) == [] and cipher.open_many(ID, []) == []


def test_many_helpers_refuse_wrong_types(cipher) -> None:
    with pytest.raises(TypeError, match="not int"):
        cipher.seal_many(ID, [ID_NUMBER, 5])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="not int"):
        cipher.index_many(ID, [ID_NUMBER, 5])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="one value"):
        cipher.seal_many(ID, ID_NUMBER)
    with pytest.raises(TypeError, match="one value"):
        cipher.index_many(ID, ID_NUMBER)
    with pytest.raises(TamperedBlobError):
        cipher.open_many(ACCOUNT, cipher.seal_many(ID, [ID_NUMBER]))


def test_repr_shows_no_key_material(cipher, keyring) -> None:
    text = repr(cipher)
    assert "k1" in text and keyring.current_key.hex() not in text and str(keyring.current_key) not in text


# -- properties -------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(field=st.sampled_from([ID, ACCOUNT, PHONE, "name"]), value=st.text())
def test_round_trip_any_text(cipher, field, value) -> None:
    assert cipher.open(field, cipher.seal(field, value)) == value
    assert cipher.open_many(field, cipher.seal_many(field, [value])) == [value]


@settings(max_examples=200, deadline=None)
@given(value=st.text(st.characters(codec=None, exclude_categories=())))
def test_round_trip_even_lone_surrogates(cipher, value) -> None:
    assert cipher.open("name", cipher.seal("name", value)) == value
    assert len(cipher.index("name", value)) == 16


@settings(max_examples=300, deadline=None)
@given(field=st.sampled_from([ID, ACCOUNT, PHONE, "name"]), value=st.text())
def test_normalization_is_idempotent(cipher, field, value) -> None:
    once = normalize(field, value)
    assert normalize(field, once) == once
    assert cipher.index(field, value) == cipher.index(field, once)


@settings(max_examples=100, deadline=None)
@given(value=st.text(min_size=1), other=st.sampled_from([ACCOUNT, PHONE, "name"]))
def test_any_value_is_bound_to_its_field(cipher, value, other) -> None:
    with pytest.raises(TamperedBlobError):
        cipher.open(other, cipher.seal(ID, value))


@settings(max_examples=300, deadline=None)
@given(field=st.sampled_from([ID, ACCOUNT, PHONE, "name"]),
       values=st.lists(st.one_of(st.none(), st.text(), st.from_regex(r"[0-9A-Za-z]{1,20}", fullmatch=True))))
def test_index_many_agrees_with_index(cipher, field, values) -> None:
    """index_many's shortcut for plain ASCII gives exactly what normalization gives."""
    assert cipher.index_many(field, values) == [None if v is None else cipher.index(field, v) for v in values]
