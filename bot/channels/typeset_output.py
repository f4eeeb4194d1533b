"""The output boundary: every reply is typeset (French no-break spaces) once, here.

Rasa hands each bot message to its output channel's ``send_response``,
whatever produced it (a domain response uttered by a rule, a text or a
response sent by an action, a fallback). :class:`TypesetOutput` overrides
that one method to pass the message through :func:`bot.typography.typeset_message`
first; the output channels of our channels inherit it:

- :class:`TypesetCollectingOutputChannel`: the REST channel's replies
  (the web widget, ``bot chat``);
- :class:`TypesetQueueOutputChannel`: the same, streamed (``?stream=true``);
- ``bot.channels.telegram.TelegramOutput``: Telegram.

The tracker keeps the texts as written; only what the member receives is typeset.
"""

from __future__ import annotations

from typing import Any, Dict

from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel
from rasa.core.channels.rest import QueueOutputChannel

from bot.typography import typeset_message


class TypesetOutput(OutputChannel):
    """An output channel whose messages are typeset before they are sent."""

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        await super().send_response(recipient_id, typeset_message(message))


class TypesetCollectingOutputChannel(TypesetOutput, CollectingOutputChannel):
    """Rasa's collecting output channel (REST replies), typeset."""


class TypesetQueueOutputChannel(TypesetOutput, QueueOutputChannel):
    """Rasa's queue output channel (streamed REST replies), typeset."""


__all__ = ["TypesetCollectingOutputChannel", "TypesetOutput", "TypesetQueueOutputChannel"]
