"""Small text helpers shared by the identity parsers (accents, spaces)."""

from __future__ import annotations

import re
import unicodedata

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"})
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_SPACES = re.compile(r"\s+")


def strip_accents(text: str) -> str:
    """Remove diacritics and expand the French ligatures (é → e, œ → oe)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def fold(text: str) -> str:
    """Lower-case ASCII words separated by single spaces ("Côte-d'Or" → "cote d or")."""
    return _NON_ALNUM.sub(" ", strip_accents(text).casefold()).strip()


def squeeze(text: str) -> str:
    """Collapse runs of whitespace into one space and trim the ends."""
    return _SPACES.sub(" ", text).strip()


def shorten(text: str, limit: int = 40) -> str:
    """The member's input, trimmed for quoting in a message."""
    text = squeeze(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def safe_quote(text: str, limit: int = 40) -> str | None:
    """The input trimmed for quoting, or None when it holds 8 digits or more:
    it might be a NIR typed in the wrong field, which must never be echoed.

    Also None when the quote would hold « 0[ »: the quote is a value of a
    response of domain.yml, and Rasa's interpolator (which rewrites each
    ``{name}`` as ``{0[name]}``) gives up on a filled text containing it,
    showing the response with its ``{variables}``; the refusal then says it
    without the quote."""
    if sum(char.isdigit() for char in text) >= 8:
        return None
    quoted = shorten(text, limit)
    return None if "0[" in quoted else quoted
