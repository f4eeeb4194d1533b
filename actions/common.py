"""Helpers shared by the action modules (no action here): blocking services
run in an executor, the counters kept in slots, saying a
:class:`bot.reply.Reply` (a response of domain.yml with its values), and
moving the conversation to a step (:mod:`bot.dialogue_step`)."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any, Callable

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import dialogue_step
from bot.reply import Reply


async def run_blocking(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a blocking service (SQL, SMTP) without stalling the action server."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, partial(function, *args, **kwargs))


def slot_count(tracker: Tracker, slot: str) -> int:
    """The number a counter slot holds (Rasa keeps it as a float); 0 when unset or unreadable."""
    try:
        return int(tracker.get_slot(slot) or 0)
    except (TypeError, ValueError):
        return 0


def client_key(tracker: Tracker) -> str:
    """Who is talking, for the per-client limits: the ``client`` the channel put in the
    message metadata (a keyed hash of the IP address for web and REST, set by the
    server, never by the caller), else the conversation id (Telegram: ``telegram:<chat id>``)."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    client = metadata.get("client") if isinstance(metadata, dict) else None
    if isinstance(client, str) and client:
        return f"client:{client}"
    return f"sender:{tracker.sender_id}"


def say(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    """Utter the response of domain.yml that ``reply`` names, with its values."""
    dispatcher.utter_message(response=reply.response, **reply.values)


def go_to(step: str | None) -> SlotSet:
    """The event that puts the conversation at ``step`` of :mod:`bot.dialogue_step` (None: no flow waits)."""
    ((slot, value),) = dialogue_step.at(step).items()
    return SlotSet(slot, value)


def step_of(tracker: Tracker) -> str | None:
    """The step of :mod:`bot.dialogue_step` the conversation is at."""
    return dialogue_step.current(tracker.slots)
