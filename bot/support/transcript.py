"""The transcript of a conversation sent with a support ticket, masked.

:func:`transcript_lines` turns the tracker's events (plain dicts, as Rasa
serialises them) into lines such as ``"Adhérent : je n'arrive pas à ..."`` /
``"Assistant : ..."`` in the order they were said.  Every line goes through
:func:`bot.privacy.mask_text` (NIR, codes, passwords, e-mails, phones; the
mutuelle's own contact details and dates stay readable), and an answer to
a question for a secret (NIR, one-time code, access code, activation code)
is replaced whole, exactly as the tracker store does
(:class:`bot.privacy.events.ConversationState`) (events of the current
turn have not been through the store yet).  Button payloads (``/affirm``)
are written as the answer they stand for.
"""

from __future__ import annotations

from typing import Any, Iterable, List, Mapping

from bot.privacy import mask_text
from bot.privacy.events import ConversationState

USER = "Adhérent"
BOT = "Assistant"
MAX_LINE = 600

_PAYLOADS = {
    "/affirm": "(bouton) oui",
    "/deny": "(bouton) non",
    "/stop": "(bouton) arrêter",
}


def _user_text(text: str, state: ConversationState) -> str:
    stripped = text.strip()
    if stripped.startswith("/"):
        return _PAYLOADS.get(stripped.split("{", 1)[0], "(bouton)")
    return str(state.redact({"event": "user", "text": stripped})["text"])


def _one_line(text: str) -> str:
    flat = " / ".join(part.strip() for part in text.splitlines() if part.strip())
    return flat if len(flat) <= MAX_LINE else flat[: MAX_LINE - 1] + "…"


def transcript_lines(events: Iterable[Mapping[str, Any]]) -> List[str]:
    """Masked lines of what the member and the assistant said, oldest first."""
    lines: List[str] = []
    state = ConversationState()
    for event in events:
        kind = event.get("event")
        if kind == "user":
            text = event.get("text")
            if isinstance(text, str) and text.strip():
                lines.append(f"{USER} : {_one_line(_user_text(text, state))}")
        elif kind == "bot":
            text = event.get("text")
            if isinstance(text, str) and text.strip():
                lines.append(f"{BOT} : {_one_line(mask_text(text))}")
        state.follow(dict(event))
    return lines
