"""Masking of personal data in free text (transcripts, error messages, logs).

``mask_text(text)`` replaces, in this order: e-mail addresses (kept as
``m***t@example.org``), 13-digit activation codes (13 digits in a row), NIR
numbers (with or without spaces, Corsican 2A/2B), phone numbers (French
national and international forms, last two digits kept), any other run of 9
digits or more, and
standalone runs of 4 to 8 digits (one-time codes, access codes, years and
postal codes alike: the support team never needs them from a transcript).

It is deliberately greedy: a false positive costs a little readability, a
false negative leaks a secret.
"""

from __future__ import annotations

import re

from bot.security import mask_email

NIR_MASK = "[n° de sécurité sociale masqué]"
CODE_MASK = "[code masqué]"
NUMBER_MASK = "[numéro masqué]"

_SEP = r"[ .\-\u00a0]?"
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
# sex, year, month, department (2 digits, 2A/2B), commune, order, optional key
_NIR_RE = re.compile(
    rf"(?<![0-9A-Za-z])[1-478]{_SEP}\d{{2}}{_SEP}\d{{2}}{_SEP}(?:\d{{2}}|2[ABab]){_SEP}"
    rf"\d{{3}}{_SEP}\d{{3}}(?:{_SEP}\d{{2}})?(?![0-9])"
)
_INTL_PHONE_RE = re.compile(
    r"(?<![0-9A-Za-z])(?:\+|00)\d{1,3}(?:[ .\-\u00a0]?\(?0?\)?)?(?:[ .\-\u00a0]?\d){6,13}(?!\d)"
)
_FR_PHONE_RE = re.compile(rf"(?<![0-9])0[1-9](?:{_SEP}\d{{2}}){{4}}(?![0-9])")
_CODE13_RE = re.compile(r"(?<![0-9])\d{13}(?![0-9])")
_LONG_NUMBER_RE = re.compile(r"(?<![0-9])\d{9,}(?![0-9])")
_SHORT_CODE_RE = re.compile(r"(?<![0-9])\d{4,8}(?![0-9])")


def _mask_phone_match(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return "[téléphone masqué se terminant par " + digits[-2:] + "]"


def mask_text(text: str | None) -> str:
    """``text`` with NIR, codes, e-mail addresses and phone numbers masked."""
    if not text:
        return ""
    out = _EMAIL_RE.sub(lambda m: mask_email(m.group(0)), text)
    out = _CODE13_RE.sub(CODE_MASK, out)  # before the NIR: 13 digits in a row is an activation code
    out = _NIR_RE.sub(NIR_MASK, out)
    out = _INTL_PHONE_RE.sub(_mask_phone_match, out)
    out = _FR_PHONE_RE.sub(_mask_phone_match, out)
    out = _LONG_NUMBER_RE.sub(NUMBER_MASK, out)
    out = _SHORT_CODE_RE.sub(CODE_MASK, out)
    return out
