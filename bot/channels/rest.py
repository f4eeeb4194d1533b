"""REST channel: ``POST /webhooks/rest/webhook`` with checked requests.

Rasa's own REST channel takes any ``sender``: whoever reaches it could write
into another member's conversation by sending its id, a missing sender lands
every caller in one shared ``default`` conversation, a body that is not a
JSON object ends in a traceback, a typed ``/intent{"slot": ...}`` chooses
the intent and entities, and a failure is logged with the member's message
in clear.  This channel keeps Rasa's URL, request and reply format
(``{"sender": "...", "message": "..."}`` → the list of bot messages,
``?stream=true`` too) and:

- issues conversation ids: ``POST /webhooks/rest/session`` answers
  ``{"sender": "web-<32 hex>.<signature>"}`` (``bot.channels.identity``:
  an HMAC under ``ASSISTANT_SECRET_KEY``, nothing stored, any replica
  sharing the key accepts it);
- refuses, with a French ``{"error": "..."}`` and HTTP 400, a body that is
  not a JSON object, a missing or empty ``sender``, one longer than
  :data:`MAX_SENDER_LENGTH` or with control characters, a ``message`` that
  is not text and a ``metadata`` that is not an object;
- refuses with HTTP 403 a sender in a namespace another channel owns
  (:data:`RESERVED_PREFIXES`: ``telegram:`` conversations belong to the
  Telegram channel) and any sender the server did not issue (unsigned or
  forged);
- cuts an over-long message and turns payload syntax the assistant did not
  offer into plain text (``bot.channels.payloads``);
- sets ``metadata["client"]``, the keyed hash of the client's IP address
  (``X-Forwarded-For`` read only behind ``ASSISTANT_TRUSTED_PROXIES``),
  replacing whatever the caller sent under that key;
- logs a failure without the message text and answers with an apology;
- erases a conversation on request: ``POST /webhooks/rest/forget`` with
  ``{"sender": "web-…"}`` (a signed id: only its holder can ask) deletes
  every stored event of it (:func:`bot.privacy.conversations.forget_conversation`)
  and answers ``{"forgotten": true, "message": "..."}`` (the widget's
  "Effacer la conversation").
- typesets every reply (French no-break spaces, ``bot.channels.typeset_output``).
"""

from __future__ import annotations

import asyncio
import logging
from asyncio import CancelledError, Queue
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, FrozenSet, List

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import payloads
from bot.channels.identity import (
    CLIENT_METADATA_KEY,
    client_ip,
    client_key,
    is_signed_sender,
    new_sender,
    parse_networks,
)
from bot.channels.telegram import SENDER_PREFIX as TELEGRAM_SENDER_PREFIX
from bot.channels.typeset_output import TypesetCollectingOutputChannel, TypesetQueueOutputChannel
from bot.privacy.conversations import forget_conversation
from bot.settings import get_settings
from bot.typography import typeset

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/rest/webhook"
SESSION_PATH = "/webhooks/rest/session"
FORGET_PATH = "/webhooks/rest/forget"
MAX_SENDER_LENGTH = 128
# conversation ids that only another channel may use
RESERVED_PREFIXES = (TELEGRAM_SENDER_PREFIX,)

NOT_JSON_OBJECT = 'La requête doit être un objet JSON : {"sender": "...", "message": "..."}.'
NO_SENDER = "Indiquez un identifiant de conversation (« sender ») : un texte non vide."
BAD_SENDER = (
    f"L'identifiant de conversation (« sender ») doit faire au plus {MAX_SENDER_LENGTH} caractères, "
    "sans caractère de contrôle."
)
RESERVED_SENDER = "Cet identifiant de conversation est réservé à un autre canal : choisissez-en un autre."
UNSIGNED_SENDER = (
    "Cet identifiant de conversation n'a pas été délivré par ce service : "
    f"demandez-en un nouveau (POST {SESSION_PATH}) et recommencez."
)
BAD_MESSAGE = "Le message (« message ») doit être un texte."
FORGOTTEN = "Votre conversation a été effacée, y compris sur notre serveur."
FORGET_FAILED = "La conversation n'a pas pu être effacée sur notre serveur. Réessayez dans quelques instants."
BAD_METADATA = "Les métadonnées (« metadata ») doivent être un objet JSON."
FAILURE_REPLY = (
    "Désolé, un incident technique m'empêche de vous répondre. Réessayez dans quelques instants ; "
    "si cela se reproduit, contactez votre mutuelle."
)


@dataclass(frozen=True)
class RestRequest:
    """A checked REST request, or the refusal to send back."""

    sender: str = ""
    message: str = ""
    metadata: Dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    status: int = 200


def check_rest_body(body: Any, secret_key: str) -> RestRequest:
    """Check a decoded JSON body of ``POST /webhooks/rest/webhook``.

    The sender must have been issued under ``secret_key``; the caller's
    ``metadata`` comes back without a ``client`` key (the server sets it).
    """
    if not isinstance(body, dict):
        return RestRequest(error=NOT_JSON_OBJECT, status=400)
    sender = body.get("sender")
    if not isinstance(sender, str) or not sender.strip():
        return RestRequest(error=NO_SENDER, status=400)
    if len(sender) > MAX_SENDER_LENGTH or any(ord(char) < 32 or ord(char) == 127 for char in sender):
        return RestRequest(error=BAD_SENDER, status=400)
    if sender.lower().startswith(RESERVED_PREFIXES):
        return RestRequest(error=RESERVED_SENDER, status=403)
    if not is_signed_sender(secret_key, sender):
        return RestRequest(error=UNSIGNED_SENDER, status=403)
    message = body.get("message", "")
    if message is None:
        message = ""
    if not isinstance(message, str):
        return RestRequest(error=BAD_MESSAGE, status=400)
    metadata = body.get("metadata")
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        return RestRequest(error=BAD_METADATA, status=400)
    metadata = {key: value for key, value in metadata.items() if key != CLIENT_METADATA_KEY}
    return RestRequest(sender=sender, message=message, metadata=metadata)


def request_client_key(request: Request, secret_key: str, trusted_proxies: tuple[str, ...]) -> str:
    """``metadata["client"]`` of a web or REST request: the keyed hash of the client's IP."""
    forwarded = request.headers.getall("x-forwarded-for", []) if trusted_proxies else []
    return client_key(secret_key, client_ip(request.ip, forwarded, parse_networks(trusted_proxies)))


class RestChannel(RestInput):
    """Rasa's REST channel (same name, URL and replies) with checked requests and issued sender ids."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    @staticmethod
    async def on_message_wrapper(
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        text: str,
        queue: Queue,
        sender_id: str,
        input_channel: str,
        metadata: Dict[str, Any] | None,
    ) -> None:
        """Rasa's streamed replies (``?stream=true``), typeset like the others."""
        collector = TypesetQueueOutputChannel(queue)
        await on_new_message(UserMessage(text, collector, sender_id, input_channel=input_channel, metadata=metadata))
        await queue.put("DONE")

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("bot_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/session", methods=["POST"])
        async def session(request: Request) -> HTTPResponse:
            return response.json(
                {"sender": new_sender(get_settings().secret_key)}, headers={"Cache-Control": "no-store"}
            )

        @webhook.route("/forget", methods=["POST"])
        async def forget(request: Request) -> HTTPResponse:
            settings = get_settings()
            checked = check_rest_body(_json_body(request), settings.secret_key)
            if checked.error is not None:
                return response.json({"error": checked.error}, status=checked.status)
            deleted = await forget_stored_conversation(request.app, checked.sender)
            if deleted is None:
                return response.json({"error": FORGET_FAILED}, status=503)
            logger.info("rest: a conversation was erased at the member's request (%d events)", deleted)
            return response.json({"forgotten": True, "message": FORGOTTEN}, headers={"Cache-Control": "no-store"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> Any:
            settings = get_settings()
            checked = check_rest_body(_json_body(request), settings.secret_key)
            if checked.error is not None:
                if checked.status == 403:
                    reason = "reserved" if checked.error == RESERVED_SENDER else "not issued"
                    logger.info("rest: sender refused (%s)", reason)
                return response.json({"error": checked.error}, status=checked.status)
            offered: FrozenSet[str] = frozenset()
            if payloads.needs_offered(checked.message):
                offered = await payloads.offered_in_conversation(request.app, checked.sender)
            message = payloads.prepare(checked.message, offered)
            metadata = {
                **checked.metadata,
                CLIENT_METADATA_KEY: request_client_key(request, settings.secret_key, settings.trusted_proxies),
            }
            input_channel = self.name()
            if request.args.get("stream", "false").lower() == "true":
                return response.stream(
                    self.stream_response(on_new_message, message, checked.sender, input_channel, metadata),
                    content_type="text/event-stream",
                )
            collector = TypesetCollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(message, collector, checked.sender, input_channel=input_channel, metadata=metadata)
                )
            except CancelledError:
                logger.error("rest: the message timed out (text not logged)")
            except Exception as error:  # noqa: BLE001 - the member gets an apology, not a 500
                logger.error("rest: the message could not be handled: %s (text not logged)", type(error).__name__)
                return response.json(_apology(checked.sender, collector.messages))
            return response.json(collector.messages)

        return webhook


def _json_body(request: Request) -> Any:
    """The request's JSON body, or None when it is not JSON (Sanic raises on undecodable JSON)."""
    try:
        return request.json
    except Exception:  # noqa: BLE001 - any decoding failure is "no body", answered by check_rest_body
        return None


async def forget_stored_conversation(app: Any, sender_id: str) -> int | None:
    """Delete the stored events of ``sender_id`` from the agent's SQL tracker store:
    how many were deleted, None when there is no such store or it fails (logged)."""
    agent = getattr(getattr(app, "ctx", None), "agent", None)
    store = getattr(agent, "tracker_store", None)
    for _ in range(5):  # Rasa wraps the configured store (AwaitableTrackerStore, FailSafeTrackerStore)
        if store is None or hasattr(store, "engine"):
            break
        store = getattr(store, "_tracker_store", None)
    engine = getattr(store, "engine", None)
    if engine is None:
        logger.warning("rest: no SQL tracker store to erase a conversation from")
        return None
    try:
        return await asyncio.get_running_loop().run_in_executor(None, forget_conversation, engine, sender_id)
    except Exception as error:  # noqa: BLE001 - the member gets a French message, not a 500
        logger.error("rest: a conversation could not be erased (%s)", type(error).__name__)
        return None


def _apology(sender: str, already_sent: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [*already_sent, {"recipient_id": sender, "text": typeset(FAILURE_REPLY)}]


__all__ = [
    "MAX_SENDER_LENGTH",
    "RESERVED_PREFIXES",
    "SESSION_PATH",
    "WEBHOOK_PATH",
    "RestChannel",
    "RestRequest",
    "check_rest_body",
    "request_client_key",
]
