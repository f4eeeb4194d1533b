"""Detectors of personal data in free text, for the redaction engine (:mod:`bot.privacy.redact`).

Each detector returns :class:`Span` objects (start, end, replacement); the
engine applies them in priority order, a later detector never touching text an
earlier one claimed.  A span whose replacement equals the original text
*keeps* that text (a public contact detail, a date, a ticket reference), so
no later detector masks it.

- :func:`number_runs` finds runs of digits in any grouping: digits joined by
  up to three separators (spaces, no-break spaces, dots, dashes, slashes,
  underscores, brackets), the letter A/B of Corsica right after a 2.  A NIR
  typed "1 80 10 42 123 456 78", "2-85-03-971-12-345-67", "1801 02A1 2345 6"
  is one run, whatever the grouping; :func:`classify_run` then decides
  what the run is: a phone number, a date, a NIR, a card, a code...
- :func:`password_spans` finds a password after "mot de passe", "mdp",
  "password" (and, when a password question is pending, any token that
  satisfies the password policy).
- e-mails, IBANs, ticket references and URLs with tokens have their own
  regular expressions.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, Iterator, List

from stdnum import iban as stdnum_iban
from stdnum import luhn

NIR_MASK = "[n° de sécurité sociale masqué]"
CODE_MASK = "[code masqué]"
NUMBER_MASK = "[numéro masqué]"
CARD_MASK = "[carte bancaire masquée]"
IBAN_MASK = "[IBAN masqué]"
PASSWORD_MASK = "[mot de passe masqué]"  # noqa: S105 - the mask, not a password
LINK_MASK = "[lien masqué]"

_DIGITS = frozenset("0123456789")
_CORSICA = frozenset("AaBb")
_MAX_SEPARATORS = 3


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    replacement: str


def is_separator(char: str) -> bool:
    """A character people put between groups of digits (never a new line)."""
    if char in "\r\n":
        return False
    return char.isspace() or char in ".-/_()\u2010\u2011\u2012\u2013\u2014\u2015"


def _is_letter(text: str, index: int) -> bool:
    return index < len(text) and text[index].isalpha()


def _corsica_letter(text: str, index: int, last: str) -> bool:
    """``text[index]`` is the A/B of 2A/2B: right after a 2, not the start of a word."""
    return last == "2" and text[index] in _CORSICA and not _is_letter(text, index + 1)


def number_runs(text: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of every run of digits in any grouping (see the module docstring)."""
    i, n = 0, len(text)
    while i < n:
        if text[i] not in _DIGITS:
            i += 1
            continue
        start, last = i, text[i]
        end = j = i + 1
        while j < n:
            char = text[j]
            if char in _DIGITS or _corsica_letter(text, j, last):
                last, j = char, j + 1
                end = j
                continue
            k = j
            while k < n and k - j < _MAX_SEPARATORS and is_separator(text[k]):
                k += 1
            if k > j and k < n and (text[k] in _DIGITS or _corsica_letter(text, k, last)):
                j = k
                continue
            break
        yield start, end
        i = end


def _groups(raw: str) -> tuple[List[str], set[str]]:
    groups: List[str] = []
    seps: set[str] = set()
    current = ""
    for char in raw:
        if char.isalnum():
            current += char
        else:
            seps.add(char)
            if current:
                groups.append(current)
                current = ""
    if current:
        groups.append(current)
    return groups, seps


def _day_month(day: str, month: str) -> bool:
    return len(day) <= 2 and len(month) <= 2 and 1 <= int(day) <= 31 and 1 <= int(month) <= 12


def _year4(year: str) -> bool:
    return len(year) == 4 and 1900 <= int(year) <= 2099


def is_date(raw: str) -> bool:
    """``12/03/1985``, ``12.03.1985``, ``1985-03-12``, ``12/03/85``, ``03/2025``, ``12/03``."""
    groups, seps = _groups(raw)
    if not groups or not all(g.isdigit() for g in groups):
        return False
    slash = seps == {"/"}
    if len(groups) == 3:
        a, b, c = groups
        if _day_month(a, b) and _year4(c):
            return True
        if _year4(a) and _day_month(c, b):
            return True
        return slash and _day_month(a, b) and len(c) == 2
    if len(groups) == 2 and slash:
        a, b = groups
        return _day_month(a, b) or (len(a) <= 2 and 1 <= int(a) <= 12 and _year4(b))
    return False


_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_VERSION = re.compile(r"\d(?:\.\d{1,3}){1,2}")


def is_log_number(text: str, start: int, end: int) -> bool:
    """A number software writes in its logs: an IPv4 address ("127.0.0.1"), a version
    ("3.5.17": at most 5 digits, so a dotted one-time code is not one) or a plain
    run of up to 5 digits (a port, an id, a count; one-time codes have 6 to 8 digits,
    and an access code such as ``SMIE-4821`` stays masked)."""
    raw = text[start:end]
    if _IPV4.fullmatch(raw) or (_VERSION.fullmatch(raw) and sum(c.isdigit() for c in raw) <= 5):
        return True
    return raw.isdigit() and len(raw) <= 5 and not _WORD_DASH_BEFORE.search(text[:start])


def _looks_like_nir(compact: str) -> bool:
    """13 or 15 characters shaped like a NIR (first digit 1-4, 7, 8; Corsica letters allowed)."""
    return len(compact) in (13, 15) and compact[0] in "123478"


def _phone_mask(digits: str) -> str:
    return "[téléphone masqué se terminant par " + digits[-2:] + "]"


_AMOUNT_AFTER = re.compile(r"\s?(?:€|eur\b|euros?\b)", re.IGNORECASE)
_WORD_DASH_BEFORE = re.compile(r"[A-Za-z]-$")
_MASKED_AFTER = re.compile(r"[ \u00a0]?(?:[Xx*]{2,}|[Xx*](?:[ \u00a0][Xx*])+)")


def classify_run(text: str, start: int, end: int, public_numbers: frozenset[str]) -> Span:
    """The span replacing (or keeping) the run ``text[start:end]``."""
    raw = text[start:end]
    compact = "".join(c for c in raw if c.isalnum()).upper()
    digits = "".join(c for c in raw if c in _DIGITS)
    plus = start > 0 and text[start - 1] == "+"
    if plus:
        start -= 1
        raw = text[start:end]
    if digits in public_numbers or ("33" + digits[1:] if digits.startswith("0") else None) in public_numbers:
        return Span(start, end, text[start:end])
    if (plus or digits.startswith("00")) and 8 <= len(digits) <= 17:
        return Span(start, end, _phone_mask(digits))
    if len(digits) == 10 and digits[0] == "0" and digits[1] != "0":
        return Span(start, end, _phone_mask(digits))
    if is_date(raw):
        return Span(start, end, raw)
    if compact != digits and len(compact) >= 9:
        return Span(start, end, NIR_MASK)  # Corsica letters: a NIR, partial or not
    if len(digits) >= 9:
        if len(digits) == 13 and raw == digits:
            return Span(start, end, CODE_MASK)  # 13 digits in a row: an activation code
        if _looks_like_nir(digits):
            return Span(start, end, NIR_MASK)
        if 13 <= len(digits) <= 19 and luhn.is_valid(digits):
            return Span(start, end, CARD_MASK)
        if len(digits) == 13:
            return Span(start, end, CODE_MASK)
        return Span(start, end, NUMBER_MASK)
    if len(digits) <= 3:
        return Span(start, end, raw)
    if len(digits) <= 7 and _MASKED_AFTER.match(text, end):
        return Span(start, end, raw)  # the visible part of a masked or example NIR: "1 80 10 42 XXX XXX XX"
    if len(digits) <= 7 and _AMOUNT_AFTER.match(text, end):
        return Span(start, end, raw)
    if len(digits) == 4 and _year4(digits) and not _WORD_DASH_BEFORE.search(text[:start]):
        return Span(start, end, raw)  # a year: support needs it
    return Span(start, end, CODE_MASK)


# --- regular-expression detectors ------------------------------------------

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
URL_RE = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
TICKET_RE = re.compile(r"(?<![A-Za-z0-9])[A-Z0-9]{1,8}-\d{4}-[2-9A-HJKMNP-TV-Z]{6}(?![A-Za-z0-9])")
_IBAN_RE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ \u00a0\-]?[A-Z0-9]){10,30}(?![A-Za-z0-9])")
_SEALED_RE = re.compile(r"sealed:[a-p]+")
_URL_SECRET = re.compile(r"[A-Za-z0-9_\-]{16,}")


def email_spans(text: str, mask: Callable[[str], str], public: frozenset[str]) -> Iterator[Span]:
    for m in EMAIL_RE.finditer(text):
        value = m.group(0)
        yield Span(m.start(), m.end(), value if value.lower() in public else mask(value))


def url_spans(text: str) -> Iterator[Span]:
    """Links are kept up to their path; a query string or a token-like segment is masked."""
    for m in URL_RE.finditer(text):
        url = m.group(0).rstrip(".,;:!?)»")
        base, _, query = url.partition("?")
        head, _, path = base.partition("://")
        host, _, rest = path.partition("/")
        segments = [
            LINK_MASK if _URL_SECRET.fullmatch(s) or any(c.isdigit() for c in s) else s for s in rest.split("/")
        ]
        out = f"{head}://{host}" + ("/" + "/".join(segments) if rest else "")
        if query:
            out += "?" + LINK_MASK
        yield Span(m.start(), m.start() + len(url), out)


def ticket_spans(text: str) -> Iterator[Span]:
    for m in TICKET_RE.finditer(text):
        yield Span(m.start(), m.end(), m.group(0))


def sealed_spans(text: str) -> Iterator[Span]:
    for m in _SEALED_RE.finditer(text):
        yield Span(m.start(), m.end(), m.group(0))


def iban_spans(text: str) -> Iterator[Span]:
    """IBANs (python-stdnum's check); an unchecked FR/MC IBAN shape is masked too."""
    for m in _IBAN_RE.finditer(text):
        value = m.group(0)
        compact = re.sub(r"[ \u00a0\-]", "", value).upper()
        if not any(c.isdigit() for c in compact[4:]):
            continue
        if stdnum_iban.is_valid(compact) or (compact[:2] in {"FR", "MC"} and len(compact) == 27):
            yield Span(m.start(), m.end(), IBAN_MASK)


# --- passwords ---------------------------------------------------------------

_PASSWORD_WORDS = re.compile(
    r"\b(?:mots?\s+de\s+passe|mdp|passwords?|pass|code\s+secret|mot\s+de\s+passe\s+provisoire)\b",
    re.IGNORECASE,
)
# words between "mot de passe" and the password itself
_LINK_WORDS = frozenset(
    "est c'est c’est sera serait était etait actuel actuellement nouveau ancien provisoire choisi "
    "mis : = - — c est était: est: reste vaut".split()
)
# after these the next token is the password whatever it looks like; after a verb ("est",
# "c'est"...) it must look like one ("mon mot de passe est bloqué" masks nothing): a
# password the policy accepts always mixes kinds of characters
_EXPLICIT = frozenset(": =".split())
_TOKEN = re.compile(r"\S+")
_TRAIL = "'\".,;!?»)]"
_LEAD = "'\"«([“"


def looks_like_password(token: str, min_kinds: int = 2) -> bool:
    """A token nobody types as a plain word: 6+ characters mixing ``min_kinds`` kinds
    of characters (lower case, inner capitals, digits, symbols other than ' and -)."""
    core = token.strip(_TRAIL + _LEAD)
    if len(core) < 6:
        return False
    kinds = sum(
        (
            any(c.islower() for c in core),
            any(c.isupper() for c in core[1:]),
            any(c.isdigit() for c in core),
            any(not c.isalnum() and c not in "'’-" for c in core),
        )
    )
    return kinds >= min_kinds and not core.startswith(("http", "sealed:", "[")) and not EMAIL_RE.fullmatch(core)


def _fold(word: str) -> str:
    return unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().lower()


def _satisfies(satisfies: Callable[[str], bool] | None, token: str) -> bool:
    """Whether the policy accepts ``token`` as typed, or without the punctuation that may end a
    sentence after it ("Aa0aaaa!" is a password whose special character is its last one)."""
    return satisfies is not None and (satisfies(token) or satisfies(token.strip(_TRAIL)))


def password_spans(text: str, pending: bool, satisfies: Callable[[str], bool] | None) -> Iterator[Span]:
    """Passwords after a password word; any password-like token when one was just asked for."""
    for m in _PASSWORD_WORDS.finditer(text):
        explicit = False
        for tok in _TOKEN.finditer(text, m.end()):
            word = tok.group(0).lower()
            if word in _LINK_WORDS or _fold(word).strip(":") in _LINK_WORDS:
                explicit = explicit or word in _EXPLICIT or word.endswith((":", "="))
                continue
            if word.startswith((":", "=")) and len(word) > 1:
                explicit = True
            value = tok.group(0)
            if explicit or looks_like_password(value) or _satisfies(satisfies, value):
                yield Span(tok.start(), tok.end(), PASSWORD_MASK)
            break
    if pending:
        for tok in _TOKEN.finditer(text):
            value = tok.group(0)
            if looks_like_password(value, 3) or _satisfies(satisfies, value):
                yield Span(tok.start(), tok.end(), PASSWORD_MASK)
