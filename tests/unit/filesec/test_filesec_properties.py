"""Properties: any bytes, any chunk size, any cipher and wrap decrypt to themselves; any one
changed byte of an envelope or of a signed file is refused."""
from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from filesec import BadSignature, Cipher, DecryptionFailed, FileSecurityError, decrypt_stream, encrypt_stream, sign_file
from filesec import verify_file

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _round_trip(data: bytes, party, cipher: Cipher, chunk_size: int) -> tuple[bytes, bytes]:
    blob = io.BytesIO()
    encrypt_stream(io.BytesIO(data), blob, party.encrypt, cipher=cipher, chunk_size=chunk_size)
    out = io.BytesIO()
    decrypt_stream(io.BytesIO(blob.getvalue()), out, party.decrypt)
    return blob.getvalue(), out.getvalue()


@SETTINGS
@given(data=st.binary(max_size=6000), chunk_size=st.integers(1, 2048), cipher=st.sampled_from(list(Cipher)),
       rsa=st.booleans())
def test_encrypt_then_decrypt_is_the_identity(modern, rsa_party, data, chunk_size, cipher, rsa):
    party = rsa_party if rsa else modern
    blob, back = _round_trip(data, party, cipher, chunk_size)
    assert back == data
    records = max(1, -(-len(data) // chunk_size))
    assert len(blob) == blob.index(b"\n\n") + 2 + len(data) + records * cipher.tag_bytes


@SETTINGS
@given(data=st.binary(min_size=1, max_size=3000), chunk_size=st.integers(1, 700), cipher=st.sampled_from(list(Cipher)),
       where=st.floats(0, 1, exclude_max=True), bit=st.integers(0, 7))
def test_any_changed_byte_of_an_envelope_is_refused(modern, data, chunk_size, cipher, where, bit):
    blob, _ = _round_trip(data, modern, cipher, chunk_size)
    at = int(where * len(blob))
    bad = bytearray(blob)
    bad[at] ^= 1 << bit
    try:
        decrypt_stream(io.BytesIO(bytes(bad)), io.BytesIO(), modern.decrypt)
    except FileSecurityError as exc:  # DecryptionFailed, or UnknownKey for a changed key id
        if at >= blob.index(b"\n\n") + 2:
            assert isinstance(exc, DecryptionFailed)
    else:
        raise AssertionError(f"a change at byte {at} of {len(blob)} went unnoticed")


@SETTINGS
@given(data=st.binary(max_size=3000), at=st.integers(0, 2999), rsa=st.booleans())
def test_any_changed_byte_of_a_signed_file_is_refused(modern, rsa_party, tmp_path_factory, data, at, rsa):
    party = rsa_party if rsa else modern
    path = tmp_path_factory.mktemp("p") / "F.txt"
    path.write_bytes(data)
    sig = sign_file(path, party.sign).to_bytes()
    assert verify_file(path, sig, party.verify).size == len(data)
    if data:
        bad = bytearray(data)
        bad[at % len(data)] ^= 0xFF
        path.write_bytes(bytes(bad))
        try:
            verify_file(path, sig, party.verify)
        except BadSignature:
            pass
        else:
            raise AssertionError("a changed byte went unnoticed")
