"""Bank profiles: the shipped samples load, and every mistake names the file and the key."""
from datetime import date
from pathlib import Path

import pytest

import bank_formats
from domain.model import FailureReason
from filesec import Cipher, Digest, Wrap
from service.profiles import (
    DEFAULT_SETTLE_S,
    Encryption,
    FileNaming,
    ProfileError,
    SecurityKeys,
    Signing,
    load_profile,
    profile_from_dict,
)

ROOT = Path(__file__).resolve().parents[3]
SHIPPED = sorted((ROOT / "profiles").glob("*.toml"))


def test_at_least_three_profiles_ship_covering_every_format_family():
    profiles = [load_profile(p) for p in SHIPPED]
    assert len(profiles) >= 3
    assert {p.format for p in profiles} == set(bank_formats.names())
    assert all(p.code == path.stem for p, path in zip(profiles, SHIPPED, strict=True))


def test_a_profile_sets_up_its_format_family_with_its_options():
    rcc = load_profile(ROOT / "profiles" / "RCC01.toml")
    assert (rcc.bank_format.encoding, rcc.bank_format.line_ending) == ("gbk", "\r\n")
    psbc = load_profile(ROOT / "profiles" / "PSBC01.toml")
    assert (psbc.bank_format.encoding, psbc.bank_format.digest, psbc.bank_format.line_ending) == ("gbk", "sm3", "\n")
    assert (psbc.archive, psbc.completion, psbc.settle_s) == (None, "stable", 5.0)
    assert rcc.reason_codes == {"2001": FailureReason.ACCOUNT_FROZEN, "2002": FailureReason.CARD_LOST}


def test_file_names_follow_the_profile_and_the_banks_files_are_recognised():
    naming = FileNaming(payment="DF_{bank}_{date}_{batch}{suffix}", result="HP_{stem}{suffix}",
                        statement="DZD_{account}_{date}_{seq}{suffix}")
    pay = naming.payment_name("RCC01", "B26110001", date(2026, 11, 2), ".txt")
    assert pay == "DF_RCC01_20261102_B26110001.txt"
    assert naming.result_name(pay, ".txt") == "HP_DF_RCC01_20261102_B26110001.txt"
    assert naming.is_result("HP_DF_RCC01_20261102_B26110001.txt", ".txt")
    assert not naming.is_result("HP_DF_RCC01_20261102_B26110001.xml", ".txt")
    assert not naming.is_result("DZD_6228_20261102_0001.txt", ".txt")
    assert naming.is_statement(naming.statement_name("6228", date(2026, 11, 2), 1, ".txt"), ".txt")
    assert naming.statement_name("6228", date(2026, 11, 2), 1, ".txt") == "DZD_6228_20261102_0001.txt"


def test_the_settle_time_is_read_from_the_folders_table_with_a_default():
    assert profile_from_dict(_raw(), Path(".")).settle_s == DEFAULT_SETTLE_S == 5.0
    assert profile_from_dict(_raw(folders={"completion": "stable", "settle_s": 12}), Path(".")).settle_s == 12.0
    assert profile_from_dict(_raw(folders={"completion": "stable", "settle_s": 0.5}), Path(".")).settle_s == 0.5
    assert profile_from_dict(_raw(folders={"completion": "stable", "settle_s": 0}), Path(".")).settle_s == 0.0


@pytest.mark.parametrize("name", [
    "HP_../../../../x.txt",  # fnmatch's * matches '/': the name of issue 14
    "HP_a/b.txt",
    "HP_..\\..\\x.txt",
    "HP_x\x00.txt",
    "HP_x\n.txt",
    "HP_..x.txt",
])
def test_a_name_that_is_not_a_plain_file_name_is_never_the_banks_file(name):
    naming = FileNaming(result="HP_{stem}{suffix}", statement="DZD_{seq}{suffix}")
    assert not naming.is_result(name, ".txt")
    assert not naming.is_statement(name.replace("HP_", "DZD_"), ".txt")
    assert naming.is_result("HP_x.txt", ".txt") and naming.is_statement("DZD_x.txt", ".txt")


def _raw(**tables):
    raw = {"bank": {"code": "X1"}, "format": {"family": "delimited"}}
    for name, table in tables.items():
        raw[name] = {**raw.get(name, {}), **table}
    return raw


@pytest.mark.parametrize("tables, message", [
    ({"bank": {"code": ""}}, "p.toml: bank.code: expected a non-empty string"),
    ({"format": {"family": "telex"}}, "p.toml: format.family: unknown format 'telex'"),
    ({"format": {"encoding": "big5"}}, "p.toml: format: encoding"),
    ({"format": {"line_ending": "CR"}}, "p.toml: format.line_ending: 'CR' is not one of 'CRLF', 'LF'"),
    ({"format": {"colour": "red"}}, "p.toml: format: "),
    ({"files": {"payment": "PAY_{batch}_{when}{suffix}"}}, "p.toml: files.payment: unknown field {when}"),
    ({"files": {"payment": "PAY{suffix}"}}, "p.toml: files.payment: must contain {batch}"),
    ({"files": {"result": "R_{batch}"}}, "p.toml: files.result: unknown field {batch}"),
    ({"files": {"payment": "a/{batch}"}}, "p.toml: files.payment: a file name cannot contain '/'"),
    ({"folders": {"completion": "soon"}}, "p.toml: folders.completion: 'soon' is not one of"),
    ({"folders": {"settle_s": -1}}, "p.toml: folders.settle_s: expected a number of seconds from 0 to 3600, got -1"),
    ({"folders": {"settle_s": "5"}}, "p.toml: folders.settle_s: expected a number of seconds"),
    ({"folders": {"settle_s": True}}, "p.toml: folders.settle_s: expected a number of seconds"),
    ({"folders": {"settle_s": 3601}}, "p.toml: folders.settle_s: expected a number of seconds"),
    ({"folders": {"settle_s": float("nan")}}, "p.toml: folders.settle_s: expected a number of seconds"),
    ({"security": {"sign": "md5"}}, "p.toml: security.sign: 'md5' is not one of"),
    ({"deadlines": {"payment_days": 0}}, "p.toml: deadlines.payment_days: expected a whole number"),
    ({"reason_codes": {"R9": "BROKE"}}, "p.toml: reason_codes.R9: 'BROKE' is not a failure reason"),
    ({"signing": {}}, "p.toml: signing: unknown table"),
    ({"security": {"encrypt": "sm2"}}, "p.toml: security.encrypt: 'sm2' is not one of"),
    ({"security": {"digest": "md5"}}, "p.toml: security.digest: 'md5' is not one of 'sha256', 'sm3'"),
    ({"security": {"decrypt_inbound": "yes"}}, "p.toml: security.decrypt_inbound: expected true or false"),
    ({"security": {"signature_suffix": ""}}, "p.toml: security.signature_suffix: expected a name suffix"),
    ({"security": {"signature_suffix": "/sig"}}, "p.toml: security.signature_suffix: expected a name suffix"),
    ({"security": {"encrypted_suffix": 1}}, "p.toml: security.encrypted_suffix: expected a name suffix"),
    ({"security": {"encrypted_suffix": ".sig"}}, "p.toml: security.encrypted_suffix: must differ from signature_suffix"),
    ({"security": {"sign_keys": "k.json"}}, "p.toml: security.sign_keys: key files are deployment: put them in the "
                                            "settings, [banks.CODE.keys]"),
    ({"security": {"verify": "k.json"}}, "p.toml: security.verify: key files are deployment"),
    ({"security": {"sigh": "ed25519"}}, "p.toml: security.sigh: unknown key; known: sign, encrypt"),
])
def test_a_mistake_in_a_profile_names_the_file_and_the_key(tables, message):
    with pytest.raises(ProfileError) as caught:
        profile_from_dict(_raw(**tables), base=ROOT, source="p.toml")
    assert message in str(caught.value)


def test_security_requirements_are_read():
    p = profile_from_dict(_raw(security={"sign": "ed25519", "encrypt": "sm4", "verify_inbound": True}),
                          base=ROOT, source="p.toml")
    assert (p.security.sign, p.security.encrypt, p.security.verify_inbound) == (Signing.ED25519, Encryption.SM4, True)
    assert p.security.required
    assert not profile_from_dict(_raw(), base=ROOT).security.required


def test_new_security_keys_are_read_with_their_defaults():
    p = profile_from_dict(_raw(security={"sign": "rsa-pss-sha256", "encrypt": "rsa-oaep+sm4-ctr+hmac-sm3",
                                         "digest": "sm3", "decrypt_inbound": True, "signature_suffix": ".p7s",
                                         "encrypted_suffix": ".enc"}), base=ROOT, source="p.toml")
    sec = p.security
    assert (sec.sign, sec.encrypt, sec.digest, sec.verify_inbound, sec.decrypt_inbound) == (
        Signing.RSA_PSS_SHA256, Encryption.RSA_OAEP_SM4CTR_HMAC_SM3, Digest.SM3, False, True)
    assert (sec.signature_suffix, sec.encrypted_suffix) == (".p7s", ".enc")
    assert (sec.encrypt.wrap, sec.encrypt.cipher) == (Wrap.RSA_OAEP_SHA256, Cipher.SM4_CTR_HMAC_SM3)
    assert sec.keys == SecurityKeys()  # keys come from the settings
    plain = profile_from_dict(_raw(), base=ROOT).security
    assert (plain.digest, plain.decrypt_inbound, plain.signature_suffix, plain.encrypted_suffix) == (
        Digest.SHA256, False, ".sig", "")
    assert profile_from_dict(_raw(security={"decrypt_inbound": True}), base=ROOT).security.required


@pytest.mark.parametrize("value, wrap, cipher", [
    ("rsa-oaep+aes-256-gcm", Wrap.RSA_OAEP_SHA256, Cipher.AES_256_GCM),
    ("x25519+aes-256-gcm", Wrap.X25519_HKDF_SHA256, Cipher.AES_256_GCM),
    ("rsa-oaep+sm4-gcm", Wrap.RSA_OAEP_SHA256, Cipher.SM4_GCM),
    ("x25519+sm4-gcm", Wrap.X25519_HKDF_SHA256, Cipher.SM4_GCM),
    ("x25519+sm4-ctr+hmac-sm3", Wrap.X25519_HKDF_SHA256, Cipher.SM4_CTR_HMAC_SM3),
    ("sm4", None, Cipher.SM4_GCM),  # the bank's key decides the wrap; GCM where OpenSSL has it
])
def test_each_encryption_names_its_key_wrap_and_cipher(value, wrap, cipher):
    encrypt = profile_from_dict(_raw(security={"encrypt": value}), base=ROOT).security.encrypt
    assert (encrypt.wrap, encrypt.cipher) == (wrap, cipher)


def test_a_cipher_this_openssl_lacks_is_refused_at_load(monkeypatch):
    import service.profiles as profiles

    monkeypatch.setattr(profiles, "cipher_available", lambda c: c is not Cipher.SM4_GCM)
    with pytest.raises(ProfileError, match="p.toml: security.encrypt: sm4-gcm is not available in this "
                                           "cryptography/OpenSSL build; the SM4-CTR \\+ HMAC-SM3 variant is"):
        profile_from_dict(_raw(security={"encrypt": "x25519+sm4-gcm"}), base=ROOT, source="p.toml")
    sm4 = profile_from_dict(_raw(security={"encrypt": "sm4"}), base=ROOT).security.encrypt
    assert sm4.cipher is Cipher.SM4_CTR_HMAC_SM3


def test_the_city_commercial_bank_demands_the_national_algorithms_both_ways():
    ccb = load_profile(ROOT / "profiles" / "CCB01.toml")
    sec = ccb.security
    assert (sec.sign, sec.encrypt, sec.digest) == (Signing.ED25519, Encryption.X25519_SM4GCM, Digest.SM3)
    assert sec.verify_inbound and sec.decrypt_inbound and sec.required
    assert (ccb.bank_format.encoding, ccb.bank_format.digest) == ("gb18030", "sm3")
    for other in ("ABC01", "PSBC01", "RCC01"):
        assert not load_profile(ROOT / "profiles" / f"{other}.toml").security.required
