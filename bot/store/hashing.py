"""Keyed hashes under which the store keeps secrets it must look up.

The store never holds a NIR or an access code in clear, only an
HMAC-SHA256 (``bot.security.keyed_hash``) under ``ASSISTANT_SECRET_KEY``:

- NIR: ``keyed_hash(secret, "nir", normalized)`` where ``normalized`` is the
  15-character form of ``bot.identity.parse_nir`` (no spaces, upper-case
  2A/2B);
- access code (SMIE-style letter): ``keyed_hash(secret, "access_code",
  code.strip().upper())``, so "smie-4821 " and "SMIE-4821" are the same code.

Changing the secret key makes every stored hash unusable: the member file
must then be imported again.
"""

from __future__ import annotations

from bot.security import constant_time_equal, keyed_hash

NIR_PURPOSE = "nir"
ACCESS_CODE_PURPOSE = "access_code"


def nir_hash(secret_key: str, normalized_nir: str) -> str:
    """Look-up hash of a NIR already normalized by ``parse_nir``."""
    return keyed_hash(secret_key, NIR_PURPOSE, normalized_nir)


def normalize_access_code(code: str) -> str:
    return code.strip().upper()


def access_code_hash(secret_key: str, code: str) -> str:
    """Hash of an access code as typed (surrounding spaces and case ignored)."""
    return keyed_hash(secret_key, ACCESS_CODE_PURPOSE, normalize_access_code(code))


def access_code_matches(secret_key: str, code: str, stored_hash: str | None) -> bool:
    """Constant-time check of a typed access code against a stored hash."""
    if not stored_hash:
        return False
    return constant_time_equal(access_code_hash(secret_key, code), stored_hash)
