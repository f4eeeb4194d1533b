"""Redaction of conversation events before they are persisted.

Plain functions over Rasa's event dictionaries (no Rasa import) so they can
be tested on literal events: NIR numbers and codes are removed from user
text, parse data and slot values; a user message answering a question for a
secret (NIR, one-time code, access code, activation code) is replaced whole.
"""

from __future__ import annotations

import copy
from typing import Any, Dict, Iterable, Iterator, Tuple

from bot.privacy import mask_text

# slots whose value is a secret as typed (validators never keep them in clear,
# this is the second line of defence)
SECRET_SLOTS = frozenset({"otp_code", "access_code", "activation_code", "smie_code", "password"})
# slots asked for secrets: the user's answer to them is redacted entirely
SECRET_QUESTIONS = frozenset({"nir", "otp_code", "access_code", "activation_code", "smie_code"})
REDACTED = "[masqué]"
# opaque, signed references (bot.context.Context.member_ref) and keyed
# hashes (nir_hash: keyed_hash of the NIR, kept by the activation form): no
# personal data in clear, and masking their digits would break them for the
# next turn
OPAQUE_SLOTS = frozenset({"member_ref", "nir_hash"})
# tenant facts from the profile (support e-mail, sender...) are public: masking
# them would show "d***l@..." in the next turn's responses
PUBLIC_SLOT_PREFIX = "tenant_"


def _redact_text(text: str | None, whole: bool) -> str | None:
    if text is None:
        return None
    if whole and text.strip() and not text.startswith("/"):
        return REDACTED
    return mask_text(text)


def redact_event(event: Dict[str, Any], requested_slot: str | None) -> Dict[str, Any]:
    """A redacted copy of one event dict; ``requested_slot`` is the question it answers."""
    kind = event.get("event")
    if kind not in {"user", "slot", "bot"}:
        return event
    out = copy.deepcopy(event)
    if kind == "user":
        whole = requested_slot in SECRET_QUESTIONS
        out["text"] = _redact_text(out.get("text"), whole)
        parse = out.get("parse_data")
        if isinstance(parse, dict):
            if "text" in parse:
                parse["text"] = _redact_text(parse.get("text"), whole)
            for entity in parse.get("entities") or []:
                if isinstance(entity, dict) and isinstance(entity.get("value"), str):
                    entity["value"] = mask_text(entity["value"]) if not whole else REDACTED
    elif kind == "slot":
        name, value = out.get("name"), out.get("value")
        if name in SECRET_SLOTS and value is not None:
            out["value"] = REDACTED
        elif name in OPAQUE_SLOTS or str(name).startswith(PUBLIC_SLOT_PREFIX):
            pass
        elif isinstance(value, str):
            out["value"] = mask_text(value)
    elif kind == "bot":
        out["text"] = _redact_text(out.get("text"), False)
    return out


def redact_events(all_events: Iterable[Dict[str, Any]], start: int) -> Iterator[Tuple[int, Dict[str, Any]]]:
    """Yield ``(index, redacted_event)`` for events from ``start`` on.

    Walks every event to know which slot was requested when each user
    message arrived.
    """
    requested: str | None = None
    for index, event in enumerate(all_events):
        if index >= start:
            yield index, redact_event(event, requested)
        if event.get("event") == "slot" and event.get("name") == "requested_slot":
            requested = event.get("value")
        elif event.get("event") == "active_loop" and event.get("name") is None:
            requested = None
