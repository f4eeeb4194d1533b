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

from cryptography.fernet import Fernet, InvalidToken


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


def decrypt(secret_key: str, ciphertext: str) -> str:
    """Inverse of :func:`encrypt`; raises ``ValueError`` on a bad key or data."""
    try:
        return _fernet(secret_key).decrypt(ciphertext.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError) as exc:
        raise ValueError("cannot decrypt value (wrong ASSISTANT_SECRET_KEY?)") from exc


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
