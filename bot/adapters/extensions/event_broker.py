"""Event broker wrapper that publishes only redacted events.

Rasa streams conversation events to an event broker when ``endpoints.yml``
configures one.  Two guards keep secrets off it:

- the redacting tracker store (:mod:`.tracker_store`) publishes the events
  it has just redacted, whatever broker is configured;
- this wrapper, for every other publisher (``rasa export``...): configure
  the real broker under ``inner`` and every event it is given goes through
  :mod:`bot.privacy.events` first, following each conversation (which
  question each message answers) as the store does::

    event_broker:
      type: bot.adapters.extensions.event_broker.RedactingEventBroker
      inner:
        type: sql
        url: postgresql+psycopg2://...
"""

from __future__ import annotations

from asyncio import AbstractEventLoop
from collections import OrderedDict
from typing import Any, Dict, Iterable

from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig

from bot.privacy.events import ConversationState

MAX_CONVERSATIONS = 10_000  # conversations followed at once (oldest forgotten first)


class RedactingEventBroker(EventBroker):
    """Redact each event, then hand it to the configured broker."""

    def __init__(self, inner: EventBroker) -> None:
        self.inner = inner
        self._states: OrderedDict[str, ConversationState] = OrderedDict()

    @classmethod
    async def from_endpoint_config(
        cls, broker_config: EndpointConfig, event_loop: AbstractEventLoop | None = None
    ) -> RedactingEventBroker | None:
        config = broker_config.kwargs.get("inner")
        if not isinstance(config, dict) or not config.get("type"):
            raise ValueError("RedactingEventBroker: configure the real broker under 'inner' (with its 'type')")
        inner = await EventBroker.create(EndpointConfig.from_dict(config), event_loop)
        return cls(inner) if inner is not None else None

    def _state(self, sender: str) -> ConversationState:
        state = self._states.pop(sender, None) or ConversationState()
        self._states[sender] = state
        while len(self._states) > MAX_CONVERSATIONS:
            self._states.popitem(last=False)
        return state

    def publish(self, event: Dict[str, Any]) -> None:
        state = self._state(str(event.get("sender_id")))
        redacted = state.redact(event)
        state.follow(event)
        self.inner.publish(redacted)

    def is_ready(self) -> bool:
        return self.inner.is_ready()

    async def close(self) -> None:
        await self.inner.close()


def publish_redacted(broker: EventBroker | None, sender_id: str, events: Iterable[Dict[str, Any]]) -> None:
    """Publish events already redacted (by the tracker store) to ``broker``, as Rasa's stream does."""
    if broker is None:
        return
    for data in events:
        broker.publish({"sender_id": sender_id, **data})


__all__ = ["RedactingEventBroker", "publish_redacted"]
