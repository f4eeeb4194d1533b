"""The transcript of a conversation sent with a support ticket, masked.

:func:`transcript_lines` turns the tracker's events (plain dicts, as Rasa
serialises them) into lines such as ``"Adhérent : je n'arrive pas à ..."`` /
``"Assistant : ..."`` in the order they were said.  Every line goes through
:func:`bot.privacy.mask_text` (NIR, codes, e-mails, phones), and an answer to
a question for a secret (NIR, one-time code, access code, activation code)
is replaced whole, exactly as the tracker store does (events of the current
turn have not been through the store yet).  Button payloads (``/affirm``)
are written as the answer they stand for.
"""

from __future__ import annotations

from typing import Any, Iterable, List, Mapping

from bot.privacy import mask_text
from bot.privacy.events import REDACTED, SECRET_QUESTIONS

USER = "Adhérent"
BOT = "Assistant"
MAX_LINE = 600

_PAYLOADS = {
    "/affirm": "(bouton) oui",
    "/deny": "(bouton) non",
    "/stop": "(bouton) arrêter",
}


def _user_text(text: str, requested_slot: str | None) -> str:
    stripped = text.strip()
    if stripped.startswith("/"):
        return _PAYLOADS.get(stripped.split("{", 1)[0], "(bouton)")
    if requested_slot in SECRET_QUESTIONS:
        return REDACTED
    return mask_text(stripped)


def _one_line(text: str) -> str:
    flat = " / ".join(part.strip() for part in text.splitlines() if part.strip())
    return flat if len(flat) <= MAX_LINE else flat[: MAX_LINE - 1] + "…"


def transcript_lines(events: Iterable[Mapping[str, Any]]) -> List[str]:
    """Masked lines of what the member and the assistant said, oldest first."""
    lines: List[str] = []
    requested: str | None = None
    for event in events:
        kind = event.get("event")
        if kind == "slot" and event.get("name") == "requested_slot":
            requested = event.get("value")
        elif kind == "active_loop" and event.get("name") is None:
            requested = None
        elif kind == "user":
            text = event.get("text")
            if isinstance(text, str) and text.strip():
                lines.append(f"{USER} : {_one_line(_user_text(text, requested))}")
        elif kind == "bot":
            text = event.get("text")
            if isinstance(text, str) and text.strip():
                lines.append(f"{BOT} : {_one_line(mask_text(text))}")
    return lines
