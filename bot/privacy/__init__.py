"""Masking of personal data in free text (transcripts, error messages, logs, reports).

``mask_text(text)`` is the public entry point of the redaction engine
(:mod:`bot.privacy.redact`, detectors in :mod:`bot.privacy.detectors`): NIR
numbers in any grouping (Corsica 2A/2B, overseas 97x/98x, with or without
key), one-time and activation codes with or without separators, passwords
after "mot de passe"/"mdp", IBANs, card numbers, e-mail addresses (kept as
``m***t@example.org``) and phone numbers (last two digits kept) are masked;
dates, years, amounts, ticket references, department names and the
mutuelle's own contact details stay readable.

Conversation events are redacted by :mod:`bot.privacy.events`, with the
context of the conversation (which question the message answers).
"""

from __future__ import annotations

from bot.privacy.detectors import CODE_MASK, IBAN_MASK, NIR_MASK, NUMBER_MASK, PASSWORD_MASK
from bot.privacy.redact import redact_text


def mask_text(text: str | None) -> str:
    """``text`` with NIR, codes, passwords, bank numbers, e-mail addresses and phone numbers masked."""
    return redact_text(text)


__all__ = ["CODE_MASK", "IBAN_MASK", "NIR_MASK", "NUMBER_MASK", "PASSWORD_MASK", "mask_text"]
