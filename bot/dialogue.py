"""Small helpers that read a conversation: its event list (plain dicts) and
the member's answer to a yes/no question.

:data:`HOUSEKEEPING_ACTIONS` are the actions Rasa runs around every message
(listening, the session start; a nameless action event): they say nothing
to the member, so every reader of the events skips them (here, and the
forms of ``actions/activation.py``).

Kept free of Rasa imports so they are unit-tested on literal values.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from bot.activation.extract import yes_or_no

# ``action_extract_slots`` is not logged by Rasa 3.6, but events built by
# hand (tests, other Rasa versions) may carry it
HOUSEKEEPING_ACTIONS = frozenset({"action_listen", "action_extract_slots", "action_session_start", None})


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
        if name in HOUSEKEEPING_ACTIONS:
            continue
        if name == fallback_action:
            count += 1
            continue
        break
    return count


def last_action_before_user(events: Sequence[Mapping[str, Any]]) -> str | None:
    """The last action the assistant ran before the member's latest message.

    Used to take a « oui » as the answer to a question only when that
    question was the last thing asked (the registration's conditions of use
    and contact questions), not an older one left unanswered.
    """
    seen_user = False
    for event in reversed(events):
        kind = event.get("event")
        if kind == "user":
            if seen_user:
                return None
            seen_user = True
            continue
        if seen_user and kind == "action" and event.get("name") not in HOUSEKEEPING_ACTIONS:
            return str(event.get("name"))
    return None


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
