"""Values a conversation must remember across turns without keeping them in clear.

The tracker store redacts every event before writing it
(:mod:`bot.privacy.events`): e-mail addresses and runs of digits in slot
values come back masked on the next turn.  A form that needs, two turns
later, the adherent number or the e-mail address the member typed keeps it
*sealed*: encrypted with the application key (Fernet, authenticated) and
written with letters only, so the redaction leaves it intact and the
database never holds it in clear.

``seal(key, value)`` -> ``"sealed:" + letters``; ``unseal(key, sealed)`` ->
the value, or None for anything that is not a valid sealed value under
``key`` (a masked value, a value sealed with another key, garbage).
"""

from __future__ import annotations

from bot.security import decrypt, encrypt

PREFIX = "sealed:"
_LETTERS = "abcdefghijklmnop"  # one letter per half byte: no digit, no "@"
_INDEX = {letter: index for index, letter in enumerate(_LETTERS)}


def _to_letters(data: bytes) -> str:
    return "".join(_LETTERS[byte >> 4] + _LETTERS[byte & 0x0F] for byte in data)


def _from_letters(text: str) -> bytes | None:
    if len(text) % 2 or any(char not in _INDEX for char in text):
        return None
    return bytes((_INDEX[text[i]] << 4) | _INDEX[text[i + 1]] for i in range(0, len(text), 2))


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def seal(secret_key: str, value: str) -> str:
    """``value`` encrypted under ``secret_key``, as letters only."""
    return PREFIX + _to_letters(encrypt(secret_key, value).encode("ascii"))


def unseal(secret_key: str, value: object) -> str | None:
    """The value sealed in ``value``; None when it is not a valid sealed value."""
    if not isinstance(value, str) or not is_sealed(value) or len(value) > 20_000:
        return None
    raw = _from_letters(value[len(PREFIX) :])
    if raw is None:
        return None
    try:
        return decrypt(secret_key, raw.decode("ascii"))
    except (ValueError, UnicodeDecodeError):
        return None
