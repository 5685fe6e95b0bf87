"""Envelopes: every cipher with every key wrap round-trips; a changed header, wrapped key or chunk,
reordered or dropped chunks, another recipient's key and unknown key ids are refused with the
right error, and no clear file is left behind when decryption fails."""
from __future__ import annotations

import io
import os

import pytest

from filesec import (
    Cipher,
    DecryptionFailed,
    EnvelopeHeader,
    KeyFileError,
    KeySet,
    MalformedEnvelope,
    PolicyViolation,
    Truncated,
    UnknownKey,
    Wrap,
    decrypt_file,
    decrypt_stream,
    encrypt_file,
    encrypt_stream,
    generate_keys,
    is_envelope,
    read_header,
)
from filesec.algorithms import cipher_available

CHUNK = 4096


def _encrypt(data: bytes, keys: KeySet, cipher: Cipher, chunk_size: int = CHUNK) -> bytes:
    out = io.BytesIO()
    encrypt_stream(io.BytesIO(data), out, keys, cipher=cipher, chunk_size=chunk_size)
    return out.getvalue()


def _decrypt(blob: bytes, keys: KeySet, **options) -> bytes:
    out = io.BytesIO()
    decrypt_stream(io.BytesIO(blob), out, keys, source="F.txt", **options)
    return out.getvalue()


def _layout(blob: bytes, cipher: Cipher, chunk_size: int = CHUNK) -> tuple[int, list[tuple[int, int]]]:
    """The header length and the (start, end) of every record."""
    start = blob.index(b"\n\n") + 2
    rec = chunk_size + cipher.tag_bytes
    records = []
    at = start
    while at < len(blob):
        records.append((at, min(at + rec, len(blob))))
        at += rec
    return start, records


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x80]) + data[at + 1:]


def test_the_sm_ciphers_are_available_with_this_openssl():
    """Recorded in the report: SM4-GCM works here; the CTR + HMAC-SM3 variant is for builds without it."""
    assert all(cipher_available(c) for c in Cipher)


@pytest.mark.parametrize("cipher", list(Cipher))
@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 17])
def test_every_cipher_and_wrap_round_trips_at_chunk_boundaries(party, cipher, size):
    data = os.urandom(size)
    blob = _encrypt(data, party.encrypt, cipher)
    header, records = _layout(blob, cipher)
    assert len(records) == max(1, -(-size // CHUNK))  # an empty file is one empty final chunk
    assert len(blob) == header + size + len(records) * cipher.tag_bytes
    assert _decrypt(blob, party.decrypt) == data


def test_the_header_is_the_documented_text(modern, rsa_party):
    x = EnvelopeHeader.read(io.BytesIO(_encrypt(b"abc", modern.encrypt, Cipher.SM4_GCM)))[1].decode()
    lines = x.split("\n")
    assert lines[:4] == ["ykt-fileenc/1", "cipher: sm4-gcm", "wrap: x25519-hkdf-sha256", "key-id: m1"]
    assert [ln.split(":")[0] for ln in lines[4:7]] == ["ephemeral", "wrapped-key", "chunk-size"]
    assert lines[6] == f"chunk-size: {CHUNK}" and lines[7:] == ["", ""]
    r = EnvelopeHeader.read(io.BytesIO(_encrypt(b"abc", rsa_party.encrypt, Cipher.AES_256_GCM)))[0]
    assert (r.wrap, r.ephemeral, len(r.wrapped_key)) == (Wrap.RSA_OAEP_SHA256, None, 256)


def test_each_file_gets_its_own_content_key(modern):
    a, b = _encrypt(b"same", modern.encrypt, Cipher.AES_256_GCM), _encrypt(b"same", modern.encrypt, Cipher.AES_256_GCM)
    assert a != b and a[-20:] != b[-20:]


@pytest.mark.parametrize("cipher", list(Cipher))
def test_one_changed_byte_of_a_chunk_fails_that_chunk(party, cipher):
    data = os.urandom(3 * CHUNK + 100)
    blob = _encrypt(data, party.encrypt, cipher)
    _, records = _layout(blob, cipher)
    for i, (start, end) in enumerate(records):
        for at in (start, (start + end) // 2, end - 1):  # content and tag
            with pytest.raises(DecryptionFailed, match=f"chunk {i} fails authentication") as caught:
                _decrypt(_flip(blob, at), party.decrypt)
            assert type(caught.value) is DecryptionFailed and caught.value.file == "F.txt"


@pytest.mark.parametrize("cipher", list(Cipher))
def test_one_changed_byte_of_the_header_is_refused(party, cipher):
    blob = _encrypt(os.urandom(CHUNK + 5), party.encrypt, cipher)
    header_len, _ = _layout(blob, cipher)
    for at in range(header_len):
        with pytest.raises((DecryptionFailed, UnknownKey)):
            _decrypt(_flip(blob, at), party.decrypt)
    # a wrapped key altered in its base64 text (still valid base64): the key no longer unwraps
    text = blob[:header_len].decode()
    line = next(ln for ln in text.split("\n") if ln.startswith("wrapped-key: "))
    value = line[len("wrapped-key: "):]
    swapped = value[:10] + ("A" if value[10] != "A" else "B") + value[11:]
    with pytest.raises(DecryptionFailed, match="does not unwrap with our key"):
        _decrypt(blob.replace(value.encode(), swapped.encode()), party.decrypt)


def test_a_header_of_another_chunk_size_fails_authentication(modern):
    """The header is bound into every chunk: changing chunk-size (a valid value) is caught."""
    blob = _encrypt(os.urandom(100), modern.encrypt, Cipher.AES_256_GCM, chunk_size=4096)
    with pytest.raises(DecryptionFailed, match="chunk 0 fails authentication"):
        _decrypt(blob.replace(b"chunk-size: 4096", b"chunk-size: 4097"), modern.decrypt)


@pytest.mark.parametrize("cipher", list(Cipher))
def test_dropping_the_last_chunk_is_truncation(party, cipher):
    blob = _encrypt(os.urandom(3 * CHUNK + 100), party.encrypt, cipher)
    _, records = _layout(blob, cipher)
    with pytest.raises(Truncated, match="ends after chunk 2, which is not its final chunk"):
        _decrypt(blob[:records[-1][0]], party.decrypt)
    with pytest.raises(Truncated, match="before any chunk"):
        _decrypt(blob[:records[0][0]], party.decrypt)
    with pytest.raises(Truncated, match="inside its header"):
        _decrypt(blob[:records[0][0] - 30], party.decrypt)
    with pytest.raises(Truncated, match="inside chunk 3"):
        _decrypt(blob[:records[-1][0] + 3], party.decrypt)
    # cut inside the last chunk: it fails authentication (cannot tell a cut from a change there)
    with pytest.raises(DecryptionFailed, match="chunk 3 fails authentication"):
        _decrypt(blob[:-1], party.decrypt)


def test_an_exact_multiple_of_the_chunk_size_loses_its_final_chunk_detectably(modern):
    blob = _encrypt(os.urandom(2 * CHUNK), modern.encrypt, Cipher.AES_256_GCM)
    _, records = _layout(blob, Cipher.AES_256_GCM)
    assert len(records) == 2
    with pytest.raises(Truncated):
        _decrypt(blob[:records[1][0]], modern.decrypt)


@pytest.mark.parametrize("cipher", list(Cipher))
def test_reordered_duplicated_or_appended_chunks_are_refused(party, cipher):
    blob = _encrypt(os.urandom(3 * CHUNK + 100), party.encrypt, cipher)
    _, r = _layout(blob, cipher)
    head = blob[:r[0][0]]
    chunk = [blob[s:e] for s, e in r]
    for order in ([1, 0, 2, 3], [0, 2, 1, 3], [0, 1, 1, 3], [0, 0, 1, 2, 3]):
        with pytest.raises(DecryptionFailed):
            _decrypt(head + b"".join(chunk[i] for i in order), party.decrypt)
    with pytest.raises(DecryptionFailed):  # anything after the final chunk
        _decrypt(blob + b"\x00", party.decrypt)


def test_an_unknown_recipient_key_id_is_a_clear_error(modern, rsa_party):
    blob = _encrypt(b"for the RSA party", rsa_party.encrypt, Cipher.AES_256_GCM)
    with pytest.raises(UnknownKey) as caught:
        _decrypt(blob, modern.decrypt)
    assert caught.value.key_id == "r1" and caught.value.file == "F.txt"
    assert "made with key id 'r1', which is not among the keys of" in str(caught.value)


def test_an_envelope_for_another_key_with_the_same_id_does_not_open(modern, tmp_path):
    other = generate_keys(tmp_path / "other", "m1")
    blob = _encrypt(b"secret", KeySet.load(other.encrypt, private=False), Cipher.SM4_GCM)
    with pytest.raises(DecryptionFailed, match="does not unwrap with our key 'm1'"):
        _decrypt(blob, modern.decrypt)


def test_a_wrap_that_does_not_fit_our_key_is_refused(modern, tmp_path):
    rsa_keys = generate_keys(tmp_path / "r", "m1", signing="rsa-pss-sha256", wrap="rsa-oaep-sha256", rsa_bits=2048)
    blob = _encrypt(b"secret", KeySet.load(rsa_keys.encrypt, private=False), Cipher.AES_256_GCM)
    with pytest.raises(DecryptionFailed, match="uses rsa-oaep-sha256 but our key 'm1' is a x25519-hkdf-sha256 key"):
        _decrypt(blob, modern.decrypt)


def test_rotation_old_envelopes_open_while_the_old_key_is_kept(tmp_path):
    folder = tmp_path / "ours"
    generate_keys(folder, "e2025")
    old = _encrypt(b"old file", KeySet.load(folder / "encrypt.keys.json", private=False), Cipher.AES_256_GCM)
    files = generate_keys(folder, "e2026")
    new = _encrypt(b"new file", KeySet.load(files.encrypt, private=False), Cipher.AES_256_GCM)
    assert EnvelopeHeader.read(io.BytesIO(new))[0].key_id == "e2026"
    keys = KeySet.load(files.decrypt, private=True)
    assert (_decrypt(old, keys), _decrypt(new, keys)) == (b"old file", b"new file")


def test_a_cipher_outside_the_profiles_is_a_policy_violation(modern):
    blob = _encrypt(b"x", modern.encrypt, Cipher.AES_256_GCM)
    with pytest.raises(PolicyViolation, match="encrypted with aes-256-gcm; the profile accepts sm4-gcm"):
        _decrypt(blob, modern.decrypt, ciphers=["sm4-gcm"])


@pytest.mark.parametrize("mangle, why", [
    (lambda b: b"PK\x03\x04" + b, "does not start with 'ykt-fileenc/1'"),
    (lambda b: b.replace(b"cipher: aes-256-gcm", b"cipher: des-cbc"), "unknown cipher 'des-cbc'"),
    (lambda b: b.replace(b"wrap: x25519-hkdf-sha256", b"wrap: sm2"), "unknown key wrap 'sm2'"),
    (lambda b: b.replace(b"chunk-size: 4096", b"chunk-size: 999999999"), "chunk-size must be"),
    (lambda b: b.replace(b"chunk-size: 4096", b"chunk-size: 04096"), "chunk-size must be"),
    (lambda b: b.replace(b"key-id: m1", b"key-id: m/1"), "key id is not"),
    (lambda b: b.replace(b"\nephemeral: ", b"\nephemeral: *"), "ephemeral is not base64"),
    (lambda b: b.replace(b"wrap: x25519-hkdf-sha256\n", b""), "unknown key wrap"),
    (lambda b: b.replace(b"key-id: m1\n", b"key-id: m1\nkey-id: m1\n"), "appears twice"),
    (lambda b: b.replace(b"key-id: m1\n", b"note: hello\nkey-id: m1\n"), "expected the header lines"),
    (lambda b: b.replace(b"key-id: m1", b"key-id m1"), "is not 'name: value'"),
    (lambda b: b.replace(b"\n\n", b"\n" + b"x" * 9000 + b"\n\n", 1), "longer than"),
])
def test_a_malformed_envelope_says_what_is_wrong(modern, mangle, why):
    blob = _encrypt(b"data" * 100, modern.encrypt, Cipher.AES_256_GCM)
    with pytest.raises(MalformedEnvelope, match=why):
        _decrypt(mangle(blob), modern.decrypt)


def test_files_decrypt_atomically_and_leave_nothing_on_failure(modern, tmp_path):
    src = tmp_path / "PAY.txt"
    data = os.urandom(5 * CHUNK)
    src.write_bytes(data)
    enc = tmp_path / "out" / "PAY.txt"
    enc.parent.mkdir()
    header = encrypt_file(src, enc, modern.encrypt, cipher="sm4-gcm", chunk_size=CHUNK)
    assert is_envelope(enc) and not is_envelope(src) and not is_envelope(tmp_path / "missing")
    assert read_header(enc) == header
    clear = tmp_path / "clear" / "PAY.txt"
    clear.parent.mkdir()
    decrypt_file(enc, clear, modern.decrypt)
    assert clear.read_bytes() == data and (clear.stat().st_mode & 0o777) == 0o600
    clear.unlink()
    blob = enc.read_bytes()
    enc.write_bytes(blob[:-1])  # the last chunk fails only after four good chunks were written
    with pytest.raises(DecryptionFailed) as caught:
        decrypt_file(enc, clear, modern.decrypt)
    assert caught.value.file == "PAY.txt"
    assert list(clear.parent.iterdir()) == []  # no clear file, no temporary file
    _, records = _layout(blob, Cipher.SM4_GCM)
    enc.write_bytes(blob[:records[-1][0]])
    with pytest.raises(Truncated):
        decrypt_file(enc, clear, modern.decrypt, source="REMOTE.txt")
    assert list(clear.parent.iterdir()) == []


def test_keys_must_fit_their_use(modern, rsa_party):
    with pytest.raises(KeyFileError, match="is for x25519-hkdf-sha256, not the rsa-oaep-sha256 demanded"):
        encrypt_stream(io.BytesIO(b""), io.BytesIO(), modern.encrypt, wrap="rsa-oaep-sha256")
    with pytest.raises(KeyFileError, match="cannot encrypt"):
        encrypt_stream(io.BytesIO(b""), io.BytesIO(), modern.verify)  # an Ed25519 key
    blob = _encrypt(b"x", modern.encrypt, Cipher.AES_256_GCM)
    with pytest.raises(KeyFileError, match="needs our private keys"):
        _decrypt(blob, modern.encrypt)
    with pytest.raises(ValueError, match="chunk_size"):
        encrypt_stream(io.BytesIO(b""), io.BytesIO(), modern.encrypt, chunk_size=0)
