"""Small helpers that read a conversation's event list (plain dicts).

Kept free of Rasa imports so they are unit-tested on literal event lists.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

_IGNORED_ACTIONS = {"action_listen", "action_session_start", None}


def consecutive_fallbacks(events: Iterable[Mapping[str, Any]], fallback_action: str) -> int:
    """How many times ``fallback_action`` ran in a row, most recent first.

    Any other bot action (a real answer) breaks the run; listening and
    session starts do not.
    """
    count = 0
    for event in reversed(list(events)):
        if event.get("event") != "action":
            continue
        name = event.get("name")
        if name in _IGNORED_ACTIONS:
            continue
        if name == fallback_action:
            count += 1
            continue
        break
    return count
