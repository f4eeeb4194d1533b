"""REST channel: ``POST /webhooks/rest/webhook`` with checked sender ids.

Rasa's own REST channel takes any ``sender``: whoever reaches it could write
into a Telegram member's conversation by sending that chat's id, a missing
sender lands every caller in one shared ``default`` conversation, a body
that is not a JSON object ends in a traceback, and a failure is logged with
the member's message in clear. This channel keeps Rasa's URL, request and
reply format (``{"sender": "...", "message": "..."}`` → the list of bot
messages, ``?stream=true`` too) and:

- refuses, with a French message and HTTP 400, a body that is not a JSON
  object, a missing or empty ``sender``, one longer than
  :data:`MAX_SENDER_LENGTH` or with control characters, and a ``message``
  that is not text;
- refuses with HTTP 403 a sender in a namespace another channel owns
  (:data:`RESERVED_PREFIXES`: ``telegram:`` conversations belong to the
  Telegram channel);
- logs a failure without the message text and answers with an apology.
"""

from __future__ import annotations

import logging
from asyncio import CancelledError
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.telegram import SENDER_PREFIX as TELEGRAM_SENDER_PREFIX

logger = logging.getLogger(__name__)

MAX_SENDER_LENGTH = 128
# conversation ids that only another channel may use
RESERVED_PREFIXES = (TELEGRAM_SENDER_PREFIX,)

NOT_JSON_OBJECT = "La requête doit être un objet JSON : {\"sender\": \"...\", \"message\": \"...\"}."
NO_SENDER = "Indiquez un identifiant de conversation (« sender ») : un texte non vide."
BAD_SENDER = (
    f"L'identifiant de conversation (« sender ») doit faire au plus {MAX_SENDER_LENGTH} caractères, "
    "sans caractère de contrôle."
)
RESERVED_SENDER = "Cet identifiant de conversation est réservé à un autre canal : choisissez-en un autre."
BAD_MESSAGE = "Le message (« message ») doit être un texte."
FAILURE_REPLY = (
    "Désolé, un incident technique m'empêche de vous répondre. Réessayez dans quelques instants ; "
    "si cela se reproduit, contactez votre mutuelle."
)


@dataclass(frozen=True)
class RestRequest:
    """A checked REST request, or the refusal to send back."""

    sender: str = ""
    message: str = ""
    error: str | None = None
    status: int = 200


def check_rest_body(body: Any) -> RestRequest:
    """Check a decoded JSON body of ``POST /webhooks/rest/webhook``."""
    if not isinstance(body, dict):
        return RestRequest(error=NOT_JSON_OBJECT, status=400)
    sender = body.get("sender")
    if not isinstance(sender, str) or not sender.strip():
        return RestRequest(error=NO_SENDER, status=400)
    if len(sender) > MAX_SENDER_LENGTH or any(ord(char) < 32 or ord(char) == 127 for char in sender):
        return RestRequest(error=BAD_SENDER, status=400)
    if sender.lower().startswith(RESERVED_PREFIXES):
        return RestRequest(error=RESERVED_SENDER, status=403)
    message = body.get("message", "")
    if message is None:
        message = ""
    if not isinstance(message, str):
        return RestRequest(error=BAD_MESSAGE, status=400)
    return RestRequest(sender=sender, message=message)


class RestChannel(RestInput):
    """Rasa's REST channel (same name, URL and replies) with checked requests."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("bot_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> Any:
            try:
                body = request.json
            except Exception:  # noqa: BLE001 - Sanic refuses undecodable JSON with an exception
                body = None
            checked = check_rest_body(body)
            if checked.error is not None:
                return response.json({"error": checked.error}, status=checked.status)
            input_channel = self._extract_input_channel(request)
            metadata = self.get_metadata(request)
            if request.args.get("stream", "false").lower() == "true":
                return response.stream(
                    self.stream_response(on_new_message, checked.message, checked.sender, input_channel, metadata),
                    content_type="text/event-stream",
                )
            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(checked.message, collector, checked.sender, input_channel=input_channel,
                                metadata=metadata)
                )
            except CancelledError:
                logger.error("rest: the message timed out (text not logged)")
            except Exception as error:  # noqa: BLE001 - the member gets an apology, not a 500
                logger.error("rest: the message could not be handled: %s (text not logged)", type(error).__name__)
                return response.json(_apology(checked.sender, collector.messages))
            return response.json(collector.messages)

        return webhook


def _apology(sender: str, already_sent: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [*already_sent, {"recipient_id": sender, "text": FAILURE_REPLY}]


__all__ = ["MAX_SENDER_LENGTH", "RESERVED_PREFIXES", "RestChannel", "RestRequest", "check_rest_body"]
