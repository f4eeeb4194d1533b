"""French typography of the assistant's replies: no-break spaces where French rules want them.

Applied once, at the output boundary (:mod:`bot.channels.typeset_output`),
to every reply text and button title, whatever produced it (a domain
response, an action, a fallback):

- a narrow no-break space (U+202F) before ``;`` ``!`` ``?`` and inside
  « guillemets »;
- a no-break space (U+00A0) before ``:`` and between the groups of a French
  phone number (``04 77 49 35 35``, ``+33 4 77 49 35 35``), so that neither
  the punctuation nor half a number starts a new line.

An ordinary space already there is replaced; a missing one is added after a
word (``Bonjour!`` -> ``Bonjour !``). Web addresses and e-mail addresses are
left untouched (``https://mielmut.fr/?a=1``). The functions are idempotent:
typesetting a typeset text changes nothing.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Mapping

NNBSP = "\u202f"  # narrow no-break space (espace fine insécable)
NBSP = "\u00a0"  # no-break space (espace insécable)

# spaces that may stand where a no-break space belongs (not newlines)
_SPACES = "[ \t\u00a0\u202f\u2009]"

# protected from every rule: URLs, bare web domains and e-mail addresses
_PROTECTED_RE = re.compile(
    r"(?:https?://|mailto:|tel:)[^\s<>«»\"]+"  # URLs with a scheme
    r"|[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+"  # e-mail addresses
    r"|\bwww\.[\w\-]+(?:\.[\w\-]+)+(?:/[^\s<>«»\"]*)?",  # www.example.fr
    re.IGNORECASE,
)

# stands for a protected address while the rules run (a private-use character)
_PLACEHOLDER = "\ue000"

# French phone numbers: 0X XX XX XX XX, +33 X XX XX XX XX (spaces, dots or no-break spaces)
_PHONE_RE = re.compile(r"(?<![\w+])(?:\+33[ \u00a0]?[1-9]|0[1-9])(?:[ \u00a0\u202f.]\d{2}){4}(?!\d)")

_BEFORE_HIGH_RE = re.compile(_SPACES + r"*([;!?])")
_BEFORE_COLON_RE = re.compile(_SPACES + r"*:(?=\s|$)")
_AFTER_OPENING_RE = re.compile(r"«" + _SPACES + "*")
_BEFORE_CLOSING_RE = re.compile(_SPACES + "*»")


def _high_punctuation(match: re.Match[str]) -> str:
    start = match.start()
    text = match.string
    if start == 0 or text[start - 1] == "\n":
        return match.group(1)  # nothing before it on the line: no space to add
    return NNBSP + match.group(1)


def _colon(match: re.Match[str]) -> str:
    start = match.start()
    text = match.string
    if start == 0 or text[start - 1] == "\n":
        return ":"
    return NBSP + ":"


def _phone(match: re.Match[str]) -> str:
    return re.sub(r"[ \u202f]", NBSP, match.group(0))


def _typeset_plain(text: str) -> str:
    """The rules on a text that holds no URL or e-mail address."""
    text = _PHONE_RE.sub(_phone, text)
    # "?!" or "!!": one space before the first mark only
    text = _BEFORE_HIGH_RE.sub(_high_punctuation, text)
    text = re.sub(NNBSP + r"([;!?])" + NNBSP + r"(?=[;!?])", NNBSP + r"\1", text)
    text = re.sub(r"([;!?])" + NNBSP + r"(?=[;!?])", r"\1", text)
    text = _BEFORE_COLON_RE.sub(_colon, text)
    text = _AFTER_OPENING_RE.sub("«" + NNBSP, text)
    text = _BEFORE_CLOSING_RE.sub(NNBSP + "»", text)
    return text


def typeset(text: str) -> str:
    """``text`` with French no-break spaces; URLs and e-mail addresses unchanged."""
    if not text:
        return text
    kept: List[str] = []

    def _keep(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return _PLACEHOLDER  # a "word" for the rules, put back below

    plain = _PROTECTED_RE.sub(_keep, text.replace(_PLACEHOLDER, ""))
    typeset_text = _typeset_plain(plain)
    pieces = typeset_text.split(_PLACEHOLDER)
    return pieces[0] + "".join(address + piece for address, piece in zip(kept, pieces[1:], strict=True))


def typeset_message(message: Mapping[str, Any]) -> Dict[str, Any]:
    """A copy of a bot message (Rasa's dict) with its text and button titles typeset.

    Payloads, links and every other key are left as they are.
    """
    result = dict(message)
    if isinstance(result.get("text"), str):
        result["text"] = typeset(result["text"])
    buttons = result.get("buttons")
    if isinstance(buttons, list):
        result["buttons"] = [
            {**button, "title": typeset(button["title"])}
            if isinstance(button, Mapping) and isinstance(button.get("title"), str)
            else button
            for button in buttons
        ]
    return result


def plain_spaces(text: str) -> str:
    """``text`` with its no-break spaces turned back into ordinary spaces (for comparisons)."""
    return text.replace(NNBSP, " ").replace(NBSP, " ")


__all__ = ["NBSP", "NNBSP", "plain_spaces", "typeset", "typeset_message"]
