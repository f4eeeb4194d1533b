"""Reading the member's answers during the SMIE-style registration.

Members answer in their own words (« mon numéro c'est 200 001 »,
« SMIE-4821 », « paul.durand@exemple.fr »): these functions pick the value
out of the message, or return None / an explanation when there is none.
Nothing here checks a value against the store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.identity.emails import parse_email
from bot.identity.errors import InvalidEmail
from bot.reply import Reply, render_text

ACTIVATION_CODE_LENGTH = 13

_DIGIT_GROUPS = re.compile(r"(?<=\d)[ .\-\u00a0](?=\d)")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-/]*[A-Za-z0-9]|[A-Za-z0-9]")
_LEAD_IN = re.compile(
    r"^\s*(?:(?:mon|le|ma|voici|c'?\s?est|il\s+s'agit\s+de)\s+)*"
    r"(?:(?:num[ée]ro|n°|no|code)(?:\s+d'?\s?(?:adh[ée]rent|acc[èe]s))?\s*)?"
    r"(?:est|c'?\s?est|:|=)?\s*",
    re.IGNORECASE,
)
_EMAIL_CANDIDATE = re.compile(r"[^\s<>()\[\],;:]+@[^\s<>()\[\],;:]+")


def _value_part(text: str) -> str:
    """``text`` without a lead-in such as « mon numéro d'adhérent est »."""
    cleaned = (text or "").strip().strip(".!?").strip()
    rest = _LEAD_IN.sub("", cleaned, count=1).strip()
    return rest or cleaned


def parse_adherent_number(text: str) -> str | None:
    """The adherent number in ``text`` (spaces inside it removed, upper case), or None.

    An adherent number is 4 to 20 letters, digits or dashes with at least 3
    digits (the letter shows it as printed, e.g. ``200001``).
    """
    value = _DIGIT_GROUPS.sub("", _value_part(text))
    candidates = [token for token in _TOKEN.findall(value) if sum(c.isdigit() for c in token) >= 3]
    if len(candidates) != 1:
        return None
    number = candidates[0].upper()
    return number if 4 <= len(number) <= 20 else None


def parse_access_code(text: str) -> str | None:
    """The access code in ``text`` as typed (e.g. ``SMIE-4821``), or None.

    A single word is taken as it is; in a sentence, the one word containing a
    digit.  The comparison with the store ignores case.
    """
    value = _value_part(text)
    if not value:
        return None
    if not re.search(r"\s", value):
        code = value
    else:
        candidates = [token for token in _TOKEN.findall(value) if any(c.isdigit() for c in token)]
        if len(candidates) != 1:
            return None
        code = candidates[0]
    return code if 4 <= len(code) <= 40 and not code.startswith("/") else None


def find_activation_code(text: str) -> str | None:
    """The 13-digit activation code of the confirmation e-mail in ``text``, or None.

    Spaces, dots and dashes between digits are ignored (« 1753 4468 98276 »).
    """
    joined = _DIGIT_GROUPS.sub("", text or "")
    runs = re.findall(r"(?<!\d)\d+(?!\d)", joined)
    codes = [run for run in runs if len(run) == ACTIVATION_CODE_LENGTH]
    return codes[0] if len(codes) == 1 else None


@dataclass(frozen=True)
class EmailReading:
    """An e-mail answer: the ``address`` when valid, else the ``refusal`` to say
    (a response of domain.yml, ``utter_refused_email_<reason>``).

    ``suggestion`` is set when the domain looks mistyped (« gmial.com »): the
    member confirms the address as typed or gives the corrected one (the
    refusal ``utter_refused_email_typo`` offers both as buttons).
    """

    address: str | None
    refusal: Reply | None = None
    typed: str | None = None  # the address as typed, when it looks mistyped
    suggestion: str | None = None

    @property
    def message(self) -> str | None:
        """The refusal's French sentence (rendered from domain.yml), None for a valid address."""
        return render_text(self.refusal) if self.refusal is not None else None


def read_email(text: str, confirmed: str | None = None) -> EmailReading:
    """Read an e-mail address from ``text``.

    ``confirmed`` is an address the member was asked to confirm (possible
    typo): typing it again accepts it as it is.
    """
    found = _EMAIL_CANDIDATE.search(text or "")
    raw = found.group(0).rstrip(".") if found else (text or "").strip()
    allow = confirmed is not None and raw.strip().lower() == confirmed.lower()
    try:
        return EmailReading(parse_email(raw, allow_unusual_domain=allow))
    except InvalidEmail as exc:
        if exc.reason == "typo":
            return EmailReading(None, exc.reply, typed=raw.strip(), suggestion=exc.suggestion)
        return EmailReading(None, exc.reply)
