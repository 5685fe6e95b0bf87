"""Apply a bank profile's ``[security]`` to the files exchanged with the bank (issue 5).

What the bank demands is in its profile (``[security]``: ``sign``, ``encrypt``, ``digest``,
``verify_inbound``, ``decrypt_inbound``, ``signature_suffix``, ``encrypted_suffix``; see
:class:`service.profiles.FileSecurity`). The **keys** are deployment, like the SFTP key, so they
are in the settings, one key set file (:mod:`filesec.keys`) per purpose, relative to the
settings file::

    [banks.CCB01.keys]
    sign = "keys/ykt/sign.keys.json"           # our private signing keys (mode 0600)
    decrypt = "keys/ykt/decrypt.keys.json"     # our private decryption keys (mode 0600)
    verify = "keys/CCB01/verify.keys.json"     # the bank's public signing keys
    encrypt = "keys/CCB01/encrypt.keys.json"   # the bank's public encryption keys

Each key set demanded by the profile must be there, load, and hold keys of the right kind, or the
settings do not load (:func:`with_settings_keys`). Key sets are read again for every file, so a
rotated key set (a new current key added) takes effect without a restart.

Outbound (:func:`protect_outbound`): encrypt the payment file for the bank's current encryption
key, then sign what is uploaded (encrypt-then-sign: the bank can check the signature before it
decrypts). The files to upload come back in upload order: **the signature first**, then the
payload, so that by the time the bank sees a complete payload its signature is already there.
Protecting the same payload again with the same settings returns the files already made (the
payload's SHA-256 is recorded in ``.NAME.filesec.json`` beside them): encryption is randomised, and
a retried dispatch must upload the very bytes it may already have delivered.

Inbound (:func:`open_inbound`): verify the bank's signature (``NAME`` + ``signature_suffix``,
:func:`signature_name`), then decrypt; returns the clear file. Anything wrong raises a
:class:`filesec.FileSecurityError` naming the file and why: quarantine the file and book nothing.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from durable import private_dir, write_atomic
from filesec import (
    FileSecurityError,
    KeyFileError,
    KeySet,
    MissingSignature,
    PolicyViolation,
    decrypt_file,
    encrypt_file,
    is_envelope,
    key_kind,
    verify_file,
    write_signature,
)
from i18n import Phrase, Refused
from i18n.library_words import said
from service.profiles import BankProfile, Encryption, SecurityKeys, Signing

__all__ = [
    "check_keys",
    "clear_name",
    "counterpart",
    "is_signature_name",
    "open_inbound",
    "protect_outbound",
    "signature_name",
    "uploaded_name",
    "with_settings_keys",
]

_PRIVATE = {"sign": True, "decrypt": True, "verify": False, "encrypt": False}


# -- names -------------------------------------------------------------------------------------


def signature_name(profile: BankProfile, name: str) -> str:
    """The name of the signature file that goes with the file ``name`` (``NAME.sig``)."""
    return name + profile.security.signature_suffix


def is_signature_name(profile: BankProfile, name: str) -> bool:
    """Whether ``name`` is a signature file's name (to leave it alone when listing the bank's files)."""
    return name.endswith(profile.security.signature_suffix) and len(name) > len(profile.security.signature_suffix)


def uploaded_name(profile: BankProfile, name: str) -> str:
    """The name under which the payment file ``name`` is uploaded (with ``encrypted_suffix`` when encrypted)."""
    sec = profile.security
    return name + sec.encrypted_suffix if sec.encrypt is not Encryption.NONE else name


def clear_name(profile: BankProfile, name: str) -> str:
    """The name of the clear file of the encrypted file ``name`` (without ``encrypted_suffix``)."""
    suffix = profile.security.encrypted_suffix
    return name[: -len(suffix)] if suffix and name.endswith(suffix) and len(name) > len(suffix) else name


def counterpart(profile: BankProfile, keys: SecurityKeys) -> BankProfile:
    """The profile as the bank itself applies it, with the bank's own key sets: what we sign it
    verifies, what we encrypt it decrypts, and it signs and encrypts what we expect signed and
    encrypted. The bank simulator runs on it, through the same functions as the service."""
    sec = profile.security
    return profile.with_keys(keys) if not sec.required else replace(profile, security=replace(
        sec,
        sign=(sec.sign if sec.sign is not Signing.NONE else Signing.ED25519) if sec.verify_inbound else Signing.NONE,
        encrypt=sec.encrypt if sec.decrypt_inbound else Encryption.NONE,
        verify_inbound=sec.sign is not Signing.NONE,
        decrypt_inbound=sec.encrypt is not Encryption.NONE,
        keys=keys,
    ))


# -- keys --------------------------------------------------------------------------------------


def with_settings_keys(profile: BankProfile, table: Any, path_of: Callable[[str], Path]) -> BankProfile:
    """The profile with its ``[banks.CODE.keys]`` table from the settings, checked.

    ``path_of`` resolves a path relative to the settings file. Raises ``ValueError`` whose message
    starts with the key (``keys.sign: ...``), with its words (a ``Refused``, i18n/catalogue_filesec.py);
    the settings loader prefixes file and bank.
    """
    if table is None:
        table = {}
    if not isinstance(table, Mapping):
        raise Refused("filesec.settings.not_table")
    unknown = sorted(set(table) - set(SecurityKeys.NAMES))
    if unknown:
        raise Refused("filesec.settings.unknown", name=unknown[0], known=", ".join(SecurityKeys.NAMES))
    paths = {}
    for name in SecurityKeys.NAMES:
        value = table.get(name)
        if value is None:
            continue
        if not isinstance(value, str) or not value.strip():
            raise Refused("filesec.settings.not_path", name=name, value=repr(value))
        paths[name] = path_of(value)
    profile = profile.with_keys(SecurityKeys(**paths))
    check_keys(profile)
    return profile


def check_keys(profile: BankProfile) -> None:
    """Check that every key set the profile's demands need is configured, loads, and fits.

    ``ValueError`` naming ``keys.NAME`` and why (a :class:`filesec.KeyFileError`'s words inside).
    """
    sec = profile.security
    needs = {
        "sign": (sec.sign is not Signing.NONE, Phrase.of("filesec.settings.needs.sign", sign=str(sec.sign))),
        "encrypt": (sec.encrypt is not Encryption.NONE,
                    Phrase.of("filesec.settings.needs.encrypt", encrypt=str(sec.encrypt))),
        "verify": (sec.verify_inbound, Phrase.of("filesec.settings.needs.verify")),
        "decrypt": (sec.decrypt_inbound, Phrase.of("filesec.settings.needs.decrypt")),
    }
    for name in SecurityKeys.NAMES:
        path = getattr(sec.keys, name)
        needed, why = needs[name]
        if path is None:
            if needed:
                raise Refused("filesec.settings.missing", name=name, why=why)
            continue
        try:
            keys = KeySet.load(path, private=_PRIVATE[name])
            _check_kinds(profile, name, keys)
        except FileSecurityError as exc:
            raise Refused("filesec.settings.key_set", name=name, error=said(exc)) from None


def _check_kinds(profile: BankProfile, name: str, keys: KeySet) -> None:
    sec = profile.security
    if name == "sign":
        kinds = keys.kinds() - {"ed25519", "rsa"}
        if kinds:
            raise KeyFileError(keys.source, Phrase.of("filesec.kinds.cannot_sign", kind=sorted(kinds)[0]))
        if sec.sign is not Signing.NONE:
            kind = key_kind(keys.current)
            want = "ed25519" if sec.sign is Signing.ED25519 else "rsa"
            if kind != want:
                raise KeyFileError(keys.source, Phrase.of("filesec.kinds.sign_needs", key_id=repr(keys.current_id),
                                                          kind=kind, sign=str(sec.sign), want=want))
    elif name == "verify":
        kinds = keys.kinds() - {"ed25519", "rsa"}
        if kinds:
            raise KeyFileError(keys.source, Phrase.of("filesec.kinds.cannot_verify", kind=sorted(kinds)[0]))
    else:
        kinds = keys.kinds() - {"x25519", "rsa"}
        if kinds:
            raise KeyFileError(keys.source, Phrase.of("filesec.kinds.cannot_encrypt", kind=sorted(kinds)[0]))
        if name == "encrypt" and sec.encrypt is not Encryption.NONE:
            kind = key_kind(keys.current)
            wrap = sec.encrypt.wrap
            want = None if wrap is None else ("rsa" if wrap.value.startswith("rsa") else "x25519")
            if want is not None and kind != want:
                raise KeyFileError(keys.source, Phrase.of("filesec.kinds.encrypt_needs",
                                                          key_id=repr(keys.current_id), kind=kind,
                                                          encrypt=str(sec.encrypt), want=want))


def _keys(profile: BankProfile, name: str, file: str) -> KeySet:
    path = getattr(profile.security.keys, name)
    if path is None:
        raise KeyFileError(file, Phrase.of("filesec.bank.no_key_set", bank=profile.code, name=name))
    return KeySet.load(path, private=_PRIVATE[name])


# -- outbound ----------------------------------------------------------------------------------


def protect_outbound(profile: BankProfile, payload: Path, out_dir: Path) -> list[Path]:
    """The files to upload for ``payload``, in upload order, made as the bank's profile demands.

    * nothing demanded: ``[payload]`` (nothing is written);
    * encryption: the envelope ``out_dir/NAME+encrypted_suffix`` (``out_dir`` must then differ
      from the payload's folder when the suffix is empty, or the clear file would be replaced);
    * signing: ``out_dir/UPLOADED+signature_suffix`` over the file as uploaded (the envelope when
      encrypting, else the payload itself, which stays where it is).

    Order: ``[signature, payload]`` — upload the signature first. Calling again for the same
    payload bytes with unchanged settings and keys returns the same files without remaking them.
    Raises :class:`filesec.FileSecurityError` (:class:`filesec.KeyFileError` for missing or broken
    keys); never leaves a partial file.
    """
    sec = profile.security
    payload = Path(payload)
    if sec.sign is Signing.NONE and sec.encrypt is Encryption.NONE:
        return [payload]
    out_dir = Path(out_dir)
    private_dir(out_dir)
    encrypting = sec.encrypt is not Encryption.NONE
    target = out_dir / uploaded_name(profile, payload.name) if encrypting else payload
    if encrypting and _same_file(target, payload):
        raise Refused("filesec.bank.replaces_clear", name=payload.name)
    enc_keys = _keys(profile, "encrypt", payload.name) if encrypting else None
    sign_keys = _keys(profile, "sign", payload.name) if sec.sign is not Signing.NONE else None
    signature = out_dir / signature_name(profile, target.name) if sign_keys is not None else None
    outputs = [p for p in (signature, target) if p is not None]

    manifest = out_dir / f".{payload.name}.filesec.json"
    size, digest = _sha256(payload)
    made = {
        "payload": {"name": payload.name, "size": size, "sha256": digest},
        "security": {"sign": str(sec.sign), "encrypt": str(sec.encrypt), "cipher": str(sec.encrypt.cipher),
                     "digest": str(sec.digest), "sign_key": sign_keys.current_id if sign_keys else None,
                     "encrypt_key": enc_keys.current_id if enc_keys else None},
    }
    reused = _reuse(manifest, made, outputs, payload)
    if reused is not None:
        return reused
    manifest.unlink(missing_ok=True)
    if enc_keys is not None:
        encrypt_file(payload, target, enc_keys, cipher=sec.encrypt.cipher, wrap=sec.encrypt.wrap)
    if sign_keys is not None:
        write_signature(target, signature, sign_keys, digest=sec.digest, algorithm=sec.sign.algorithm)
    made["outputs"] = {p.name: _sha256(p)[1] for p in outputs if p != payload}
    write_atomic(manifest, (json.dumps(made, indent=2, sort_keys=True) + "\n").encode("utf-8"))
    return outputs


def _reuse(manifest: Path, made: dict, outputs: list[Path], payload: Path) -> list[Path] | None:
    """The outputs recorded in ``manifest`` if they were made from the same payload, settings and
    keys and are unchanged since; None otherwise (then they are made afresh)."""
    try:
        recorded = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(recorded, dict) or any(recorded.get(k) != v for k, v in made.items()):
        return None
    files = recorded.get("outputs")
    if not isinstance(files, dict):
        return None
    for path in outputs:
        if path == payload:
            continue  # signing only: the payload itself, already compared by its digest
        if not isinstance(files.get(path.name), str) or not path.is_file() or _sha256(path)[1] != files[path.name]:
            return None
    return outputs


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _sha256(path: Path) -> tuple[int, str]:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as src:
        while chunk := src.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return size, h.hexdigest()


# -- inbound -----------------------------------------------------------------------------------


def open_inbound(profile: BankProfile, path: Path, signature: Path | None, out_dir: Path, *,
                 name: str | None = None) -> Path:
    """Verify, then decrypt, a file from the bank; returns the path of the clear file.

    ``signature`` is the file ``signature_name(profile, name)`` fetched beside it, or None if
    there was none. ``name`` is the file's name at the bank (default: ``path``'s name); the
    signature must be for that name. When the profile says the bank signs (``verify_inbound``), a
    missing or bad signature is refused; a signature that came anyway is checked whenever the
    bank's verify keys are configured. When the file is an envelope it is decrypted (with
    ``decrypt_inbound`` it must be one) into ``out_dir/CLEAR_NAME`` (mode 0600), which appears
    only once the whole envelope authenticated; a file that is not encrypted is returned as it
    is, not copied. Raises :class:`filesec.FileSecurityError`: quarantine, book nothing.
    """
    sec = profile.security
    path = Path(path)
    name = path.name if name is None else name
    if signature is None:
        if sec.verify_inbound:
            raise MissingSignature(name, Phrase.of("filesec.bank.no_signature", bank=profile.code,
                                                   signature=signature_name(profile, name)))
    elif sec.verify_inbound or sec.keys.verify is not None:
        verify_file(path, signature, _keys(profile, "verify", name), digests=[sec.digest], name=name)
    enveloped = is_envelope(path)
    if not enveloped:
        if sec.decrypt_inbound:
            raise PolicyViolation(name, Phrase.of("filesec.bank.not_encrypted", bank=profile.code))
        return path
    if not sec.decrypt_inbound and sec.keys.decrypt is None:
        raise PolicyViolation(name, Phrase.of("filesec.bank.no_decrypt_keys", bank=profile.code))
    out_dir = Path(out_dir)
    private_dir(out_dir)
    clear = out_dir / clear_name(profile, name)
    if _same_file(clear, path):
        raise Refused("filesec.bank.replaces_encrypted", name=name)
    decrypt_file(path, clear, _keys(profile, "decrypt", name), source=name)
    return clear
