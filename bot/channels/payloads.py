"""What a channel lets through to Rasa: payload syntax, button presses, length.

Rasa reads a message starting with ``/`` as a ready-made NLU result
(``/restart``, ``/intent{"slot": "value"}``): whoever can type it chooses the
intent and the entities.  Every channel (REST and the web widget, Telegram)
passes member text through this module first:

- a text in payload syntax is kept as a payload only when it is one of the
  **buttons the assistant offered since the member's last message** (read
  from the conversation in the tracker store, which every replica shares),
  or an entry payload a channel sends to open a conversation
  (:data:`ENTRY_PAYLOADS`: the widget's and Telegram's ``/greet``);
- any other text in payload syntax is neutralised (:func:`neutralise`): its
  leading slashes go, so NLU reads plain words;
- a message longer than :data:`MAX_LENGTH` is cut to that length plus an
  ellipsis before NLU sees it, so the InputGuard (``bot.input_check``) still
  answers it with the polite "too long" reply and NLU never chews through
  megabytes.

:func:`prepare` does both, in that order.

Telegram's inline keyboards carry ``callback_data`` of at most 64 bytes:
:func:`callback_data` uses the payload itself when it fits, else ``#`` and a
hash of the payload, which :func:`resolve_callback` finds again among the
buttons offered in the conversation — no per-process map, so any replica
can take the press.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any, FrozenSet, Iterable, Mapping

from rasa.shared.constants import INTENT_MESSAGE_PREFIX

from bot.input_check import MAX_LENGTH

logger = logging.getLogger(__name__)

PAYLOAD_PREFIX = INTENT_MESSAGE_PREFIX  # "/"
# payloads a channel itself sends to open a conversation; harmless (a greeting)
ENTRY_PAYLOADS: FrozenSet[str] = frozenset({"/greet"})

CALLBACK_DATA_LIMIT = 64  # bytes, Telegram's limit for callback_data
CALLBACK_HASH_PREFIX = "#"
_CALLBACK_HASH_HEX = 40


TRUNCATION_MARK = "…"


def cap_length(text: str, limit: int = MAX_LENGTH) -> str:
    """``text`` cut to ``limit`` characters and an ellipsis when it is longer than ``limit``.

    Lengths are counted as Rasa sees the text (stripped).  The result is one
    character over the limit and ends with the ellipsis, not white space that
    Rasa would strip, so the InputGuard still classifies the message as too
    long and the member gets the polite answer.
    """
    stripped = text.strip()
    if len(stripped) <= limit:
        return text
    return stripped[:limit] + TRUNCATION_MARK


def is_payload_syntax(text: str | None) -> bool:
    """True when Rasa would read ``text`` as a payload (after its own ``strip``)."""
    return text is not None and text.strip().startswith(PAYLOAD_PREFIX)


def needs_offered(text: str | None) -> bool:
    """True when :func:`screen` needs the offered payloads to decide on ``text``.

    (Payload syntax other than an entry payload: only then is the
    conversation read.)
    """
    return text is not None and is_payload_syntax(text) and text.strip() not in ENTRY_PAYLOADS


def neutralise(text: str) -> str:
    """``text`` as plain words: no leading slash left once Rasa strips it.

    Rasa strips the text (``UserMessage`` and ``RegexMessageHandler`` both use
    ``str.strip``) and then tests ``startswith("/")``: slashes and white space
    are removed from the start until neither is left.
    """
    text = text.strip()
    while text.startswith(PAYLOAD_PREFIX):
        text = text.lstrip(PAYLOAD_PREFIX).strip()
    return text


def _event_kind(event: Any) -> str | None:
    if isinstance(event, Mapping):
        return event.get("event")
    return getattr(event, "type_name", None)


def _event_buttons(event: Any) -> Iterable[Any]:
    data = event.get("data") if isinstance(event, Mapping) else getattr(event, "data", None)
    buttons = data.get("buttons") if isinstance(data, Mapping) else None
    return buttons if isinstance(buttons, list) else []


def offered_payloads(events: Iterable[Any]) -> FrozenSet[str]:
    """Payloads of the buttons the bot sent since the member's last message.

    ``events`` are Rasa events (objects or their dicts), oldest first.
    """
    offered: set[str] = set()
    for event in reversed(list(events)):
        kind = _event_kind(event)
        if kind == "user":
            break
        if kind == "bot":
            for button in _event_buttons(event):
                payload = button.get("payload") if isinstance(button, Mapping) else None
                if isinstance(payload, str) and payload.strip():
                    offered.add(payload.strip())
    return frozenset(offered)


async def offered_in_conversation(app: Any, sender_id: str) -> FrozenSet[str]:
    """:func:`offered_payloads` of a conversation, read from the agent's tracker store.

    Nothing is offered when the server has no agent or store yet, the
    conversation does not exist, or the store fails (logged, never raised).
    """
    agent = getattr(getattr(app, "ctx", None), "agent", None)
    store = getattr(agent, "tracker_store", None)
    if store is None:
        return frozenset()
    try:
        tracker = await store.retrieve(sender_id)
    except Exception as error:  # noqa: BLE001 - the payload is then taken as plain text
        logger.warning("channels: the conversation could not be read to check a payload (%s)", type(error).__name__)
        return frozenset()
    return offered_payloads(tracker.events) if tracker is not None else frozenset()


def screen(text: str, offered: Iterable[str] = ()) -> str:
    """What Rasa receives for a member's ``text``.

    A text in payload syntax stays a payload only when it is an offered
    button payload or an entry payload; otherwise it is neutralised.  Other
    texts are left as they are.
    """
    if not is_payload_syntax(text):
        return text
    payload = text.strip()
    if payload in ENTRY_PAYLOADS or payload in set(offered):
        return payload
    return neutralise(payload)


def prepare(text: str, offered: Iterable[str] = ()) -> str:
    """What Rasa receives for a member's ``text``: :func:`screen` then :func:`cap_length`."""
    return cap_length(screen(text, offered))


def callback_data(payload: str) -> str:
    """Telegram ``callback_data`` (at most 64 bytes) for a button payload."""
    if len(payload.encode("utf-8")) <= CALLBACK_DATA_LIMIT and not payload.startswith(CALLBACK_HASH_PREFIX):
        return payload
    return CALLBACK_HASH_PREFIX + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:_CALLBACK_HASH_HEX]


def resolve_callback(data: str | None, offered: Iterable[str]) -> str | None:
    """The payload of a pressed Telegram button, or ``None`` when it is no longer valid.

    A hashed ``callback_data`` must match a button offered since the member's
    last message; so must any payload in payload syntax (a pressed button
    is a payload only while it is the current question).  Plain-text
    payloads are what the member could type and need no check.
    """
    if not data:
        return None
    offered = frozenset(offered)
    if data.startswith(CALLBACK_HASH_PREFIX):
        return next((payload for payload in offered if callback_data(payload) == data), None)
    if is_payload_syntax(data):
        payload = data.strip()
        return payload if payload in offered or payload in ENTRY_PAYLOADS else None
    return data


__all__ = [
    "CALLBACK_DATA_LIMIT",
    "CALLBACK_HASH_PREFIX",
    "ENTRY_PAYLOADS",
    "MAX_LENGTH",
    "callback_data",
    "cap_length",
    "is_payload_syntax",
    "needs_offered",
    "neutralise",
    "offered_in_conversation",
    "offered_payloads",
    "prepare",
    "resolve_callback",
    "screen",
]
