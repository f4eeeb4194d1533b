"""Why a conversation is being handed to support, from its events (plain dicts).

The hand-off is reached four ways: « parler à un conseiller »
(``request_human``), an explicit complaint (``complaint``), two
misunderstandings in a row (the fallback sets ``support_reason=fallback``
then forces the offer) and a blocked registration (the registration sets
``support_reason=activation_locked``).  A ``support_reason`` set since the
member's last message wins; otherwise the last message's intent decides.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

REASONS = (
    "advisor_request",
    "fallback",
    "activation_locked",
    "contact_not_theirs",
    "no_contact_on_file",
    "code_not_delivered",
    "complaint",
    "other",
)
_BY_INTENT = {"request_human": "advisor_request", "complaint": "complaint"}


def handoff_reason(events: Sequence[Mapping[str, Any]], latest_intent: str | None) -> str:
    """One of :data:`REASONS`."""
    for event in reversed(events):
        kind = event.get("event")
        if kind == "user":
            break
        if kind == "slot" and event.get("name") == "support_reason" and event.get("value") in REASONS:
            return str(event["value"])
    return _BY_INTENT.get(latest_intent or "", "other")
