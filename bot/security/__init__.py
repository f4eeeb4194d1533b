"""Secrets handling: keyed hashes, encryption at rest, tokens and masking.

Nothing sensitive (NIR, one-time codes, tokens, passwords) is stored or logged
in clear; these helpers are the only way the rest of the code turns a secret
into something storable.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


def _key_bytes(secret_key: str, purpose: str) -> bytes:
    return hmac.new(secret_key.encode("utf-8"), f"assistant:{purpose}".encode(), hashlib.sha256).digest()


def keyed_hash(secret_key: str, purpose: str, value: str) -> str:
    """HMAC-SHA256 of ``value`` under a key derived for ``purpose`` (hex)."""
    return hmac.new(_key_bytes(secret_key, purpose), value.encode("utf-8"), hashlib.sha256).hexdigest()


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def _fernet(secret_key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_key_bytes(secret_key, "encryption")))


def encrypt(secret_key: str, plaintext: str) -> str:
    """Authenticated encryption (Fernet) for values that must be read back."""
    return _fernet(secret_key).encrypt(plaintext.encode("utf-8")).decode("ascii")


def reading_keys(secret_key: str) -> tuple[str, ...]:
    """``secret_key`` and, when it is the configured current key, the older keys still
    accepted for reading (``ASSISTANT_SECRET_KEYS_PREVIOUS``, key rotation), newest first."""
    try:
        from bot.settings import get_settings

        settings = get_settings()
    except Exception:  # noqa: BLE001 - no usable settings: the given key only
        return (secret_key,)
    return settings.secret_keys if settings.secret_key == secret_key else (secret_key,)


def decrypt(secret_key: str, ciphertext: str) -> str:
    """Inverse of :func:`encrypt`, under ``secret_key`` or an older key still accepted
    for reading (:func:`reading_keys`); raises ``ValueError`` on a bad key or data."""
    try:
        return (
            MultiFernet([_fernet(key) for key in reading_keys(secret_key)])
            .decrypt(ciphertext.encode("ascii"))
            .decode("utf-8")
        )
    except (InvalidToken, ValueError) as exc:
        raise ValueError("cannot decrypt value (wrong ASSISTANT_SECRET_KEY?)") from exc


def reencrypt(keys: tuple[str, ...], ciphertext: str) -> str | None:
    """``ciphertext`` encrypted under ``keys[0]``, read with any of ``keys`` (key rotation);
    None when no key reads it."""
    try:
        plain = MultiFernet([_fernet(key) for key in keys]).decrypt(ciphertext.encode("ascii"))
    except (InvalidToken, ValueError):
        return None
    return _fernet(keys[0]).encrypt(plain).decode("ascii")


def new_token(nbytes: int = 32) -> str:
    """A URL-safe random token for links."""
    return secrets.token_urlsafe(nbytes)


def mask_email(email: str) -> str:
    """``marie.dupont@example.org`` -> ``m***t@example.org``."""
    local, _, domain = email.partition("@")
    if not domain:
        return "***"
    if len(local) <= 2:
        shown = local[:1] + "***"
    else:
        shown = f"{local[0]}***{local[-1]}"
    return f"{shown}@{domain}"


def mask_phone(e164: str) -> str:
    """``+33612345678`` -> ``+33 ******* 78``: keep the country code (``+262`` for
    La Réunion, as phonenumbers reads it) and the last 2 digits."""
    digits = e164.lstrip("+")
    if len(digits) < 6:
        return "***"
    country = _country_code(digits)
    rest = digits[len(country) :]
    return f"+{country} {'*' * (len(rest) - 2)} {rest[-2:]}"


def _country_code(digits: str) -> str:
    import phonenumbers

    try:
        code = str(phonenumbers.parse("+" + digits, None).country_code)
    except phonenumbers.NumberParseException:
        return digits[:2]
    return code if digits.startswith(code) else digits[:2]
