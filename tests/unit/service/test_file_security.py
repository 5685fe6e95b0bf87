"""The bank profile's [security] applied to files: what we upload, what we accept from the bank,
and the key sets named in the settings ([banks.CODE.keys]), checked when the settings load.

The bank's side is played by the same adapter with a mirrored profile: the bank signs with its
keys and encrypts for ours, and opens what we send with its private keys.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from filesec import (
    BadSignature,
    DecryptionFailed,
    FileSecurityError,
    KeyFileError,
    MissingSignature,
    PolicyViolation,
    Truncated,
    UnknownKey,
    generate_keys,
    is_envelope,
    read_header,
)
from service import config
from service.file_security import (
    clear_name,
    is_signature_name,
    open_inbound,
    protect_outbound,
    signature_name,
    uploaded_name,
    with_settings_keys,
)
from service.profiles import Encryption, Signing, profile_from_dict

ROOT = Path(__file__).resolve().parents[3]
SFTP = {"host": "h", "port": 22, "username": "u", "host_key": "ssh-ed25519 AAAA"}


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    """Our keys and the bank's, each in an Ed25519/X25519 and an RSA variant."""
    root = tmp_path_factory.mktemp("keys")
    rsa = {"signing": "rsa-pss-sha256", "wrap": "rsa-oaep-sha256", "rsa_bits": 2048}
    return {"ours": generate_keys(root / "ours", "ykt-1"), "ours_rsa": generate_keys(root / "ours_rsa", "ykt-r1", **rsa),
            "bank": generate_keys(root / "bank", "ccb-1"), "bank_rsa": generate_keys(root / "bank_rsa", "ccb-r1", **rsa)}


def _profiles(keys, security: dict, *, sign_rsa=False, wrap_rsa=False, bank_sign_rsa=None, bank_wrap_rsa=None):
    """(our profile, the bank's mirrored profile) with key sets as the settings would name them."""
    bank_sign_rsa = sign_rsa if bank_sign_rsa is None else bank_sign_rsa
    bank_wrap_rsa = wrap_rsa if bank_wrap_rsa is None else bank_wrap_rsa
    ours_sign = keys["ours_rsa" if sign_rsa else "ours"]
    ours_dec = keys["ours_rsa" if bank_wrap_rsa else "ours"]
    bank_sign = keys["bank_rsa" if bank_sign_rsa else "bank"]
    bank_dec = keys["bank_rsa" if wrap_rsa else "bank"]
    raw = {"bank": {"code": "CCB01"}, "format": {"family": "delimited"}, "security": security}
    profile = profile_from_dict(raw, base=ROOT, source="p.toml")
    ours = with_settings_keys(profile, {"sign": str(ours_sign.sign), "decrypt": str(ours_dec.decrypt),
                                        "verify": str(bank_sign.verify), "encrypt": str(bank_dec.encrypt)}, Path)
    mirror = dict(security)
    mirror["verify_inbound"] = security.get("sign", "none") != "none"
    mirror["decrypt_inbound"] = security.get("encrypt", "none") != "none"
    if "sign" in security and security["sign"] != "none":
        mirror["sign"] = "rsa-pss-sha256" if bank_sign_rsa else "ed25519"
    if security.get("verify_inbound") and mirror.get("sign", "none") == "none":
        mirror["sign"] = "rsa-pss-sha256" if bank_sign_rsa else "ed25519"
    if security.get("decrypt_inbound") and mirror.get("encrypt", "none") == "none":
        mirror["encrypt"] = "sm4"
    bank_profile = profile_from_dict({**raw, "security": mirror}, base=ROOT, source="bank.toml")
    bank = with_settings_keys(bank_profile, {"sign": str(bank_sign.sign), "decrypt": str(bank_dec.decrypt),
                                             "verify": str(ours_sign.verify), "encrypt": str(ours_dec.encrypt)}, Path)
    return ours, bank


@pytest.fixture
def payment(tmp_path):
    path = tmp_path / "rendered" / "CCB_PAY_CCB01_20261102_B1.txt"
    path.parent.mkdir()
    path.write_bytes("序号|户名|账号|金额\r\n".encode("gb18030") + os.urandom(300_000))
    return path


COMBINATIONS = [(s, e) for s in Signing for e in Encryption]


@pytest.mark.parametrize("sign, encrypt", COMBINATIONS, ids=[f"{s}-{e}" for s, e in COMBINATIONS])
@pytest.mark.parametrize("digest", ["sha256", "sm3"])
def test_every_combination_round_trips_to_the_bank_and_back(keys, payment, tmp_path, sign, encrypt, digest):
    wrap_rsa = encrypt.value.startswith("rsa-oaep")
    ours, bank = _profiles(keys, {"sign": sign.value, "encrypt": encrypt.value, "digest": digest},
                           sign_rsa=sign is Signing.RSA_PSS_SHA256, wrap_rsa=wrap_rsa)
    files = protect_outbound(ours, payment, tmp_path / "outbound")
    if sign is Signing.NONE and encrypt is Encryption.NONE:
        assert files == [payment]
        assert not (tmp_path / "outbound").exists()
        return
    uploaded = files[-1]
    assert uploaded.name == payment.name  # encrypted_suffix is "" by default
    if sign is not Signing.NONE:
        assert [f.name for f in files] == [payment.name + ".sig", payment.name]  # signature first
        assert files[0].read_text().startswith(f"ykt-filesig/1\nalgorithm: {sign}\n")
        assert f"\ndigest: {digest}\n" in files[0].read_text()
    else:
        assert files == [uploaded]
    if encrypt is not Encryption.NONE:
        assert is_envelope(uploaded) and read_header(uploaded).cipher is encrypt.cipher
        assert read_header(uploaded).key_id == ("ccb-r1" if wrap_rsa else "ccb-1")
    else:
        assert uploaded == payment
    # the bank fetches the files and opens them
    got = tmp_path / "bank_in"
    got.mkdir()
    for f in files:
        shutil.copy(f, got / f.name)
    sig = got / signature_name(bank, uploaded.name)
    clear = open_inbound(bank, got / uploaded.name, sig if sig.exists() else None, tmp_path / "bank_clear")
    assert clear.read_bytes() == payment.read_bytes()


@pytest.mark.parametrize("sign_rsa, wrap_rsa", [(False, False), (True, True), (False, True), (True, False)])
def test_the_banks_signed_and_encrypted_results_open(keys, tmp_path, sign_rsa, wrap_rsa):
    ours, bank = _profiles(keys, {"verify_inbound": True, "decrypt_inbound": True, "digest": "sm3"},
                           bank_sign_rsa=sign_rsa, bank_wrap_rsa=wrap_rsa)
    result = tmp_path / "bank_out" / "CCB_RET_X.txt"
    result.parent.mkdir()
    result.write_bytes(b"RESULT|1|PAID\r\n" * 5000)
    sig, enc = protect_outbound(bank, result, tmp_path / "bank_up")
    clear = open_inbound(ours, enc, sig, tmp_path / "clear")
    assert clear == tmp_path / "clear" / "CCB_RET_X.txt"
    assert clear.read_bytes() == result.read_bytes()
    assert clear.stat().st_mode & 0o777 == 0o600


@pytest.fixture
def inbound(keys, tmp_path):
    """Our profile demanding signed, encrypted files from the bank, and one such file."""
    ours, bank = _profiles(keys, {"verify_inbound": True, "decrypt_inbound": True})
    result = tmp_path / "bank_out" / "CCB_RET_X.txt"
    result.parent.mkdir()
    result.write_bytes(os.urandom(3 << 20))
    sig, enc = protect_outbound(bank, result, tmp_path / "downloaded")
    return ours, bank, enc, sig, tmp_path / "clear"


def test_a_missing_signature_is_refused_naming_the_expected_file(inbound):
    ours, _, enc, _, out = inbound
    with pytest.raises(MissingSignature, match="CCB_RET_X.txt: bank CCB01 signs its files and no signature "
                                               "CCB_RET_X.txt.sig came with this one"):
        open_inbound(ours, enc, None, out)
    assert not out.exists()


def test_a_changed_byte_anywhere_is_refused_before_anything_is_decrypted(inbound):
    ours, _, enc, sig, out = inbound
    data = enc.read_bytes()
    for at in (5, data.index(b"\n\n") + 10, len(data) - 3):
        enc.write_bytes(data[:at] + bytes([data[at] ^ 1]) + data[at + 1:])
        with pytest.raises(BadSignature, match="digest differs from the signed one"):
            open_inbound(ours, enc, sig, out)
    enc.write_bytes(data)
    text = sig.read_bytes()
    sig.write_bytes(text.replace(b"size: ", b"size: 1"))
    with pytest.raises(BadSignature, match="does not verify"):
        open_inbound(ours, enc, sig, out)
    assert not out.exists() or not list(out.iterdir())


def test_a_signed_but_damaged_envelope_is_refused_and_leaves_no_clear_file(inbound, keys):
    """The bank signed a file it had cut short (say, its own disk filled): the signature holds,
    the envelope does not."""
    ours, bank, enc, sig, out = inbound
    data = enc.read_bytes()
    header = data.index(b"\n\n") + 2
    enc.write_bytes(data[:header + 2 * ((1 << 20) + 16)])  # the first two of four chunks
    sig.unlink()
    (sig2, _) = protect_outbound(_sign_only(bank), enc, enc.parent / "resigned")
    with pytest.raises(Truncated, match="CCB_RET_X.txt: the envelope ends after chunk 1"):
        open_inbound(ours, enc, sig2, out)
    assert list(out.iterdir()) == []
    enc.write_bytes(data[:header] + bytes([data[header] ^ 1]) + data[header + 1:])
    (sig3, _) = protect_outbound(_sign_only(bank), enc, enc.parent / "resigned2")
    with pytest.raises(DecryptionFailed, match="chunk 0 fails authentication"):
        open_inbound(ours, enc, sig3, out)
    assert list(out.iterdir()) == []


def _sign_only(profile):
    from dataclasses import replace
    return replace(profile, security=replace(profile.security, encrypt=Encryption.NONE))


def test_a_signature_for_another_name_is_refused_unless_the_bank_name_is_given(inbound, tmp_path):
    ours, _, enc, sig, out = inbound
    local = tmp_path / "dl.part"
    shutil.copy(enc, local)
    with pytest.raises(BadSignature, match="is for a file named 'CCB_RET_X.txt', not 'dl.part'"):
        open_inbound(ours, local, sig, out)
    assert open_inbound(ours, local, sig, out, name="CCB_RET_X.txt").name == "CCB_RET_X.txt"


def test_a_bank_key_we_do_not_hold_is_an_unknown_key(keys, tmp_path):
    ours, _ = _profiles(keys, {"verify_inbound": True})
    stranger = generate_keys(tmp_path / "stranger", "ccb-9")
    _, bank = _profiles({**keys, "bank": stranger}, {"verify_inbound": True})
    f = tmp_path / "R.txt"
    f.write_bytes(b"result")
    sig, _ = protect_outbound(bank, f, tmp_path / "up")
    with pytest.raises(UnknownKey, match="R.txt: made with key id 'ccb-9', which is not among the keys of") as caught:
        open_inbound(ours, f, sig, tmp_path / "clear")
    assert caught.value.key_id == "ccb-9"


def test_bank_key_rotation_old_and_new_signatures_verify(keys, tmp_path):
    folder = tmp_path / "bank"
    shutil.copytree(keys["bank"].sign.parent, folder)
    local = {**keys, "bank": type(keys["bank"]).in_folder(folder)}
    ours, bank = _profiles(local, {"verify_inbound": True})
    f = tmp_path / "R1.txt"
    f.write_bytes(b"result one")
    old_sig, _ = protect_outbound(bank, f, tmp_path / "up")
    generate_keys(folder, "ccb-2")  # the bank rotates; we add its new public key beside the old
    g = tmp_path / "R2.txt"
    g.write_bytes(b"result two")
    new_sig, _ = protect_outbound(bank, g, tmp_path / "up")
    assert "key-id: ccb-2" in new_sig.read_text()
    assert open_inbound(ours, f, old_sig, tmp_path / "clear") == f  # not encrypted: returned as is
    assert open_inbound(ours, g, new_sig, tmp_path / "clear") == g


def test_protection_is_demanded_both_ways(keys, tmp_path):
    ours, _ = _profiles(keys, {"decrypt_inbound": True})
    f = tmp_path / "R.txt"
    f.write_bytes(b"clear result")
    with pytest.raises(PolicyViolation, match="not encrypted, but bank CCB01 encrypts its files"):
        open_inbound(ours, f, None, tmp_path / "clear")
    relaxed, bank = _profiles(keys, {"encrypt": "x25519+aes-256-gcm"})
    assert open_inbound(relaxed, f, None, tmp_path / "clear") == f  # nothing demanded: as it is
    (enc,) = protect_outbound(bank, f, tmp_path / "up")  # the bank encrypts anyway: we can open it
    assert open_inbound(relaxed, enc, None, tmp_path / "clear").read_bytes() == b"clear result"
    bare = with_settings_keys(relaxed, {"encrypt": str(keys["bank"].encrypt)}, Path)
    with pytest.raises(PolicyViolation, match="encrypted, and no decryption keys are configured"):
        open_inbound(bare, enc, None, tmp_path / "clear")


def test_a_signature_that_came_though_not_demanded_is_still_checked(keys, tmp_path):
    ours, bank = _profiles(keys, {"sign": "none"})
    ours = with_settings_keys(ours, {"verify": str(keys["bank"].verify)}, Path)
    f = tmp_path / "R.txt"
    f.write_bytes(b"result")
    bank_signing = with_settings_keys(
        profile_from_dict({"bank": {"code": "CCB01"}, "format": {"family": "delimited"},
                           "security": {"sign": "ed25519"}}, base=ROOT), {"sign": str(keys["bank"].sign)}, Path)
    sig, _ = protect_outbound(bank_signing, f, tmp_path / "up")
    assert open_inbound(ours, f, sig, tmp_path / "clear") == f
    f.write_bytes(b"resul7")
    with pytest.raises(BadSignature):
        open_inbound(ours, f, sig, tmp_path / "clear")


def test_protecting_the_same_payload_again_returns_the_same_files(keys, payment, tmp_path):
    ours, _ = _profiles(keys, {"sign": "ed25519", "encrypt": "x25519+sm4-gcm", "digest": "sm3"})
    out = tmp_path / "outbound"
    first = protect_outbound(ours, payment, out)
    blobs = [f.read_bytes() for f in first]
    again = protect_outbound(ours, payment, out)
    assert again == first and [f.read_bytes() for f in again] == blobs  # a retried upload sends the same bytes
    payment.write_bytes(payment.read_bytes() + b"\r\n")
    changed = protect_outbound(ours, payment, out)
    assert [f.read_bytes() for f in changed] != blobs
    first[1].write_bytes(b"damaged")  # an output altered since: made afresh
    assert protect_outbound(ours, payment, out)[1].read_bytes() != b"damaged"
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [payment.name, payment.name + ".sig", f".{payment.name}.filesec.json"])


def test_names_and_suffixes(keys, payment, tmp_path):
    ours, bank = _profiles(keys, {"sign": "ed25519", "encrypt": "sm4", "signature_suffix": ".p7s",
                                  "encrypted_suffix": ".enc"})
    assert uploaded_name(ours, "A.txt") == "A.txt.enc" and clear_name(ours, "A.txt.enc") == "A.txt"
    assert clear_name(ours, "A.txt") == "A.txt" and clear_name(ours, ".enc") == ".enc"
    assert signature_name(ours, "A.txt.enc") == "A.txt.enc.p7s"
    assert is_signature_name(ours, "A.txt.enc.p7s") and not is_signature_name(ours, "A.txt.enc")
    files = protect_outbound(ours, payment, payment.parent)  # beside the payload: the suffix keeps them apart
    assert [f.name for f in files] == [payment.name + ".enc.p7s", payment.name + ".enc"]
    clear = open_inbound(bank, files[1], files[0], tmp_path / "bank")
    assert clear.name == payment.name and clear.read_bytes() == payment.read_bytes()


def test_an_encrypted_file_cannot_replace_its_clear_payload(keys, payment):
    ours, _ = _profiles(keys, {"encrypt": "x25519+aes-256-gcm"})
    with pytest.raises(ValueError, match="would replace the clear one"):
        protect_outbound(ours, payment, payment.parent)
    assert not is_envelope(payment)


def test_missing_keys_at_use_are_a_key_error_naming_the_setting(keys, payment, tmp_path):
    profile = profile_from_dict({"bank": {"code": "CCB01"}, "format": {"family": "delimited"},
                                 "security": {"sign": "ed25519"}}, base=ROOT)  # never went through the settings
    with pytest.raises(KeyFileError, match=r"bank CCB01: no sign key set is configured \(settings: "
                                           r"\[banks.CCB01.keys\] sign = ...\)") as caught:
        protect_outbound(profile, payment, tmp_path)
    assert isinstance(caught.value, FileSecurityError)


# -- the settings ------------------------------------------------------------------------------


def _settings(keys_table, profile="profiles/CCB01.toml"):
    bank = {"profile": str(ROOT / profile), "sftp": SFTP}
    if keys_table is not None:
        bank["keys"] = keys_table
    return config.from_dict({"banks": {"CCB01": bank}}, base=ROOT, source="s.toml")


def test_the_shipped_ccb01_profile_loads_with_its_keys_from_the_settings(keys, payment, tmp_path):
    table = {"sign": str(keys["ours"].sign), "decrypt": str(keys["ours"].decrypt),
             "verify": str(keys["bank"].verify), "encrypt": str(keys["bank"].encrypt)}
    ccb = _settings(table).bank("CCB01")
    assert (ccb.security.sign, ccb.security.encrypt, ccb.security.digest) == ("ed25519", "x25519+sm4-gcm", "sm3")
    assert ccb.security.keys.sign == keys["ours"].sign
    sig, enc = protect_outbound(ccb, payment, tmp_path / "out")
    assert read_header(enc).cipher == "sm4-gcm" and "digest: sm3" in sig.read_text()


def test_relative_key_paths_are_relative_to_the_settings_file(keys, tmp_path):
    shutil.copytree(keys["ours"].sign.parent, tmp_path / "k" / "ours")
    shutil.copytree(keys["bank"].sign.parent, tmp_path / "k" / "bank")
    settings = config.from_dict({"banks": {"CCB01": {"profile": str(ROOT / "profiles/CCB01.toml"), "sftp": SFTP,
                                                     "keys": {"sign": "k/ours/sign.keys.json",
                                                              "decrypt": "k/ours/decrypt.keys.json",
                                                              "verify": "k/bank/verify.keys.json",
                                                              "encrypt": "k/bank/encrypt.keys.json"}}}},
                                base=tmp_path, source="s.toml")
    assert settings.bank("CCB01").security.keys.verify == (tmp_path / "k/bank/verify.keys.json").resolve()


@pytest.mark.parametrize("change, message", [
    (lambda t, k: {}, "s.toml: banks.CCB01.keys.sign: missing: the profile signs outbound files "
                      "\\(security.sign = ed25519\\)"),
    (lambda t, k: {**t, "encrypt": None}, "banks.CCB01.keys.encrypt: missing: the profile encrypts outbound files"),
    (lambda t, k: {**t, "verify": None}, "banks.CCB01.keys.verify: missing: the bank signs its files"),
    (lambda t, k: {**t, "decrypt": None}, "banks.CCB01.keys.decrypt: missing: the bank encrypts its files"),
    (lambda t, k: {**t, "sign": str(k["ours_rsa"].sign)},
     "banks.CCB01.keys.sign: .*the current key 'ykt-r1' is rsa; security.sign = ed25519 needs ed25519"),
    (lambda t, k: {**t, "encrypt": str(k["bank_rsa"].encrypt)},
     "banks.CCB01.keys.encrypt: .*is rsa; security.encrypt = x25519\\+sm4-gcm needs x25519"),
    (lambda t, k: {**t, "verify": str(k["bank"].encrypt)}, "banks.CCB01.keys.verify: .*cannot verify signatures"),
    (lambda t, k: {**t, "decrypt": str(k["ours"].sign)}, "banks.CCB01.keys.decrypt: .*cannot encrypt or decrypt"),
    (lambda t, k: {**t, "sign": str(k["ours"].verify)}, "banks.CCB01.keys.sign: .*verify.keys.json: is read for private keys but is open"),
    (lambda t, k: {**t, "verify": "/nonexistent/v.json"}, "banks.CCB01.keys.verify: /nonexistent/v.json: key set not found"),
    (lambda t, k: {**t, "signing": "x"},
     "banks.CCB01.keys.signing: unknown key; did you mean .sign.\\? \\(valid: sign, decrypt, verify, encrypt\\)"),
    (lambda t, k: {**t, "sign": 3}, "banks.CCB01.keys.sign: expected the path of a key set file"),
    (lambda t, k: "keys.json", "banks.CCB01.keys: expected a table"),
], ids=lambda v: None if callable(v) else v.split(": ")[0 if v.startswith("banks") else 1][:40])
def test_a_key_setting_that_cannot_serve_the_profile_stops_the_service(keys, change, message):
    table = {"sign": str(keys["ours"].sign), "decrypt": str(keys["ours"].decrypt),
             "verify": str(keys["bank"].verify), "encrypt": str(keys["bank"].encrypt)}
    changed = change(table, keys)
    if isinstance(changed, dict):
        changed = {k: v for k, v in changed.items() if v is not None}
    with pytest.raises(config.ConfigError, match=message):
        _settings(changed)


def test_an_open_private_key_file_stops_the_service(keys, tmp_path):
    shutil.copytree(keys["ours"].sign.parent, tmp_path / "ours")
    os.chmod(tmp_path / "ours" / "ykt-1.sign.pem", 0o644)
    table = {"sign": str(tmp_path / "ours" / "sign.keys.json"), "decrypt": str(keys["ours"].decrypt),
             "verify": str(keys["bank"].verify), "encrypt": str(keys["bank"].encrypt)}
    with pytest.raises(config.ConfigError, match="banks.CCB01.keys.sign: .*ykt-1.sign.pem: is read for private keys "
                                                 "but is open to group or others \\(mode 0644\\)"):
        _settings(table)


def test_banks_demanding_nothing_need_no_keys():
    settings = config.from_dict({"banks": {"RCC01": {"profile": str(ROOT / "profiles/RCC01.toml"), "sftp": SFTP}}},
                                base=ROOT, source="s.toml")
    assert not settings.bank("RCC01").security.required
