"""Small helpers that read a conversation: its event list (plain dicts) and
the member's answer to a yes/no question.

Kept free of Rasa imports so they are unit-tested on literal values.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from bot.activation.extract import yes_or_no

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


def yes_no_answer(intent: str | None, text: str | None = None) -> bool | None:
    """The answer to a yes/no question: True for the ``affirm`` intent, False
    for ``deny``; with another intent, what the words of ``text`` say
    ("ouais", "c'est bien ça") when it is given, else None (no answer).
    """
    if intent == "affirm":
        return True
    if intent == "deny":
        return False
    return None if text is None else yes_or_no(text)
