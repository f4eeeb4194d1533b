"""Where the registration stands, read from the conversation's events (plain dicts)."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

_IGNORED = {"action_listen", "action_extract_slots", "action_session_start", None}


def last_action_before_user(events: Sequence[Mapping[str, Any]]) -> str | None:
    """The last action the assistant ran before the member's latest message.

    Used to accept the conditions of use only when the « oui » answers the
    question just asked, not an older one left unanswered.
    """
    seen_user = False
    for event in reversed(events):
        kind = event.get("event")
        if kind == "user":
            if seen_user:
                return None
            seen_user = True
            continue
        if seen_user and kind == "action" and event.get("name") not in _IGNORED:
            return str(event.get("name"))
    return None
