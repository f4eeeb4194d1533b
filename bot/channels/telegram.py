"""Telegram channel: a Rasa input channel built on python-telegram-bot.

Telegram posts each update to ``POST /webhooks/telegram/webhook``; the
update is parsed with python-telegram-bot's ``Update`` and replies go out
through its ``Bot`` (``TELEGRAM_API_BASE_URL`` points it at a self-hosted
Bot API server, or at the fake one of the tests).

Security and robustness rules:

- every request must carry ``X-Telegram-Bot-Api-Secret-Token`` equal to
  ``TELEGRAM_WEBHOOK_SECRET`` (constant-time comparison), else 403 and
  nothing is processed.  Without a configured secret *every* update is
  refused (a webhook anyone can post to would let strangers talk in the
  name of any chat) and a warning is logged once at start;
- without ``TELEGRAM_TOKEN`` the channel is not enabled: the route answers
  404 and nothing touches the network;
- start-up needs no network: the ``Bot`` is created on the first update and
  never ``initialize()``-d (that would call ``getMe``);
- once an update is authenticated the answer is always 200, even when a
  reply fails (the error is logged without the message content), so
  Telegram does not redeliver it forever; redeliveries of an update already
  seen are ignored.

Behaviour: ``/start`` greets (sent to Rasa as ``/greet``), other texts go to
Rasa (a typed ``/something`` loses its slash so nobody injects intents or
entities by hand, and a text over ``bot.input_check.MAX_LENGTH`` is cut:
``bot.channels.payloads``).  Rasa buttons become inline keyboards; a press
is answered (``answerCallbackQuery``) and sent to Rasa as the button's
payload only while that button belongs to the assistant's latest answer,
read from the conversation in the shared tracker store, so any replica
takes it (``callback_data`` is the payload, or a hash of it beyond 64
bytes).  Long texts are split under Telegram's 4096-character limit;
photos, stickers, voice notes, documents... get a polite "text only"
answer.  Bot texts are typeset (French no-break spaces, ``bot.typography``)
and sent in HTML parse mode, escaped, with web addresses, e-mail addresses
and phone numbers as links (``https:``, ``mailto:``, ``tel:``; :func:`to_html`),
and with link previews off (Telegram's preview robot must not fetch
activation links).  The
conversation id is ``telegram:<chat id>`` (:func:`sender_id_for`), a
namespace the REST channel refuses (bot/channels/rest.py), so nobody can
write into a member's Telegram conversation over REST; each message carries
``metadata["client"]``, the keyed hash of ``telegram:<chat id>`` used by the
per-client limits (``bot.channels.identity``).  In a group,
anything that looks like activation, a NIR or a code is not forwarded to
Rasa (nothing stored): the member is asked to write in a private chat.

Privacy (docs/privacy.md): in a private chat, a member's message that
carries a NIR, a code or a password (:func:`carries_secret`: an answer to a
question for a secret, or text the redaction engine masks) is deleted from
the chat once the assistant has read it (``deleteMessage``), with a one-line
note; when a message starts an activation, the replies are preceded by a
one-line notice of what will be asked (:data:`ACTIVATION_NOTICES`).
"""

from __future__ import annotations

import hmac
import html
import logging
import re
import unicodedata
from collections import OrderedDict
from functools import partial
from typing import Any, Awaitable, Callable, Dict, FrozenSet, Iterable, List, Tuple
from urllib.parse import urlparse

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.request import HTTPXRequest

from bot.channels import payloads
from bot.channels.identity import CLIENT_METADATA_KEY, client_key
from bot.channels.typeset_output import TypesetOutput
from bot.links import find_links
from bot.privacy import CODE_MASK, IBAN_MASK, NIR_MASK, NUMBER_MASK, PASSWORD_MASK, mask_text
from bot.privacy.detectors import CARD_MASK
from bot.privacy.events import SECRET_QUESTIONS
from bot.settings import TelegramSettings, get_settings
from bot.typography import typeset

logger = logging.getLogger(__name__)

CHANNEL_NAME = "telegram"
# conversation ids of this channel; bot.channels.rest refuses them
SENDER_PREFIX = f"{CHANNEL_NAME}:"


def sender_id_for(chat_id: int | str) -> str:
    """The Rasa conversation id of a Telegram chat."""
    return f"{SENDER_PREFIX}{chat_id}"


WEBHOOK_PATH = "/webhooks/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
ALLOWED_UPDATES = ("message", "callback_query")
DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"

TEXT_LIMIT = 4096  # Telegram counts UTF-16 code units
CALLBACK_DATA_LIMIT = payloads.CALLBACK_DATA_LIMIT  # bytes

# the channel's own messages, typeset like every reply (bot.typography)
ONLY_TEXT_MESSAGE = typeset("Je ne peux lire que du texte : écrivez-moi votre question en quelques mots.")
PRIVATE_CHAT_ONLY_MESSAGE = typeset(
    "Pour votre sécurité, l'activation de votre espace se fait uniquement en conversation privée avec moi : "
    "écrivez-moi en message privé."
)
EXPIRED_BUTTON_MESSAGE = typeset("Ce bouton n'est plus actif. Écrivez-moi simplement ce que vous souhaitez faire.")
BUTTONS_ONLY_TEXT = typeset("Que souhaitez-vous faire ?")
NOT_CONFIGURED_MESSAGE = "Telegram n'est pas configuré sur ce serveur."
# privacy (issue 15): a private message carrying a secret is deleted once read
DELETED_MESSAGE_NOTE = typeset(
    "Pour votre sécurité, j'ai supprimé votre message de cette conversation : il contenait une donnée confidentielle."
)
# one line before the first question of an activation, per activation flow of the tenant
ACTIVATION_NOTICES = {
    "nir_sms": (
        "Pour activer votre espace, je vais vous demander votre numéro de sécurité sociale, votre date et "
        "votre département de naissance, vos nom et prénom, puis un code reçu par SMS : les messages "
        "contenant un numéro ou un code seront supprimés de cette conversation après lecture."
    ),
    "access_code_email": (
        "Pour activer votre espace, je vais vous demander votre numéro d'adhérent, votre code d'accès et "
        "votre adresse e-mail : les messages contenant un code seront supprimés de cette conversation après lecture."
    ),
}
ACTIVATION_FORMS = frozenset({"activation_form", "registration_form"})

# Telegram commands a member may type and what Rasa receives instead
COMMANDS = {"start": "/greet", "help": "/help", "aide": "/help"}

_COMMAND_RE = re.compile(r"^/([A-Za-z0-9_]{1,64})(?:@[A-Za-z0-9_]+)?(?:\s|$)")
_LEADING_MENTIONS_RE = re.compile(r"^(?:@[A-Za-z0-9_]{3,}\s*)+")
# a NIR (13-15 digits, spaced or not), an activation code or a 4-8 digit one-time code:
# any run of four digits or more, separators allowed
_DIGITS_RE = re.compile(r"(?<!\d)\d(?:[ .\-\u00a0]?\d){3,}(?!\d)")
# matched on lower-case text without accents; prefixes on purpose ("activer", "activation"...)
_SENSITIVE_WORDS_RE = re.compile(
    r"\b(?:activ|inscri|enregistr|mot de passe|mots de passe|mdp|password|identifiant|nir\b|secu\b"
    r"|securite sociale|code|compte|mon espace|espace (?:affilie|adherent|perso|en ligne)|connexion|connecter)"
)


def quiet_http_loggers() -> None:
    """httpx logs every URL at INFO and PTB logs its base URL at DEBUG: both contain the bot token."""
    for name in ("httpx", "httpcore", "telegram"):
        logging.getLogger(name).setLevel(logging.WARNING)


# --------------------------------------------------------------------------- pure helpers


def text_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def _hard_limit_index(text: str, limit: int) -> int:
    """Largest index ``i`` such that ``text[:i]`` is at most ``limit`` UTF-16 units long."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def split_text(text: str, limit: int = TEXT_LIMIT) -> List[str]:
    """Split ``text`` into messages of at most ``limit`` UTF-16 units.

    Cuts at the last paragraph break that fits, else the last line break,
    else the last space, and only as a last resort inside a word.  Whitespace
    at the cuts is dropped; empty text gives no message.
    """
    if limit < 2:
        raise ValueError("limit must be at least 2")
    rest = text.strip()
    chunks: List[str] = []
    while rest and text_length(rest) > limit:
        hard = _hard_limit_index(rest, limit)
        window = rest[: hard + 1]  # a separator right after the limit is a fine cut too
        cut = -1
        for separator in ("\n\n", "\n", " "):
            position = window.rfind(separator)
            if position > 0:
                cut = position
                break
        if cut <= 0:
            cut = hard
        chunk = rest[:cut].rstrip()
        if chunk:
            chunks.append(chunk)
        rest = rest[cut:].lstrip()
    if rest:
        chunks.append(rest)
    return chunks


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\s\u00a0]+", " ", folded.replace("’", "'"))


def looks_sensitive(text: str | None) -> bool:
    """True when a message looks like activation, a NIR, a code or credentials.

    Used in group chats only, where such messages are refused.  Greedy on
    purpose: a false positive costs a redirect to the private chat, a false
    negative would expose a member's data to a whole group.
    """
    if not text:
        return False
    if _DIGITS_RE.search(text):
        return True
    return bool(_SENSITIVE_WORDS_RE.search(_fold(text)))


def message_to_rasa_text(text: str) -> str:
    """What Rasa receives for a member's typed ``text``.

    Telegram commands of :data:`COMMANDS` map to fixed intents (``/start``
    greets); any other text in payload syntax is neutralised
    (``bot.channels.payloads.neutralise``: no leading slash), so a member
    cannot trigger an intent or set entities by typing Rasa's
    ``/intent{...}`` syntax: on Telegram buttons are pressed, never typed.
    Leading ``@bot`` mentions (group chats) are dropped, and an over-long
    text is cut (``payloads.cap_length``).
    """
    text = _LEADING_MENTIONS_RE.sub("", text.strip()).strip()
    match = _COMMAND_RE.match(text)
    if match and match.group(1).lower() in COMMANDS:
        return COMMANDS[match.group(1).lower()]
    return payloads.cap_length(payloads.neutralise(text))


def is_authorized(received: str | None, secret: str | None) -> bool:
    """The secret header matches the configured secret (never true without a secret)."""
    if not secret or received is None:
        return False
    return hmac.compare_digest(received.encode("utf-8"), secret.encode("utf-8"))


def api_urls(base_url: str | None) -> Tuple[str, str]:
    """PTB's ``base_url`` and ``base_file_url`` for ``TELEGRAM_API_BASE_URL``.

    The setting is the Bot API address up to ``/bot`` (the token follows),
    e.g. ``http://127.0.0.1:8081/bot``; ``/bot`` is added when missing.
    """
    if not base_url:
        return DEFAULT_API_BASE_URL, "https://api.telegram.org/file/bot"
    base = base_url.rstrip("/")
    if "{token}" in base:
        return base, base.replace("/bot{token}", "/file/bot{token}")
    if not base.endswith("/bot"):
        base += "/bot"
    return base, base[: -len("/bot")] + "/file/bot"


def api_host(base_url: str | None) -> str:
    """Host (and port) of the Bot API, for messages: never the token."""
    return urlparse(api_urls(base_url)[0]).netloc


def make_bot(settings: TelegramSettings, read_timeout: float = 15.0) -> Bot:
    """A PTB ``Bot`` for ``settings``; nothing is sent until a method is called."""
    base_url, base_file_url = api_urls(settings.api_base_url)
    return Bot(
        settings.token,
        base_url=base_url,
        base_file_url=base_file_url,
        request=HTTPXRequest(connection_pool_size=16, read_timeout=read_timeout, connect_timeout=10.0),
        get_updates_request=HTTPXRequest(connection_pool_size=1, read_timeout=read_timeout, connect_timeout=10.0),
    )


async def close_bot(bot: Bot) -> None:
    """Close the HTTP client of a bot that was never ``initialize()``-d.

    (Its ``getUpdates`` client is never used by the webhook, so it holds no connection.)
    """
    try:
        await bot.request.shutdown()
    except Exception:  # noqa: BLE001 - closing must never fail the caller
        logger.debug("telegram: closing the HTTP client failed", exc_info=True)


def describe_error(exc: BaseException, token: str | None = None) -> str:
    """A log-safe one-line description of a Telegram error (no token)."""
    description = f"{type(exc).__name__}: {exc}"[:300]
    if token:
        description = description.replace(token, "<token>")
    return description


def _is_web_link(value: Any) -> bool:
    return isinstance(value, str) and urlparse(value.strip()).scheme in {"http", "https"} and "://" in value


def build_keyboard(buttons: Iterable[Dict[str, Any]]) -> InlineKeyboardMarkup | None:
    """An inline keyboard, one button per row, for Rasa ``buttons``.

    A button with an http(s) ``url`` (or an http(s) payload) opens the link;
    every other button sends its payload back as ``callback_data``
    (``payloads.callback_data``: the payload, or ``#`` + its hash when it
    does not fit in 64 bytes).
    """
    rows: List[List[InlineKeyboardButton]] = []
    for button in buttons:
        if not isinstance(button, dict):
            continue
        payload = button.get("payload")
        url = button.get("url") if _is_web_link(button.get("url")) else None
        if url is None and _is_web_link(payload):
            url = payload
        title = str(button.get("title") or payload or url or "").strip()
        if not title:
            continue
        if url:
            rows.append([InlineKeyboardButton(title, url=str(url).strip())])
        elif payload:
            rows.append([InlineKeyboardButton(title, callback_data=payloads.callback_data(str(payload)))])
    return InlineKeyboardMarkup(rows) if rows else None


def carries_secret(text: str | None, requested_slot: str | None) -> bool:
    """A member's message that holds a NIR, a code or a password: an answer to a question
    for a secret, or text in which the redaction engine masks one."""
    if not text or text.startswith("/"):
        return False
    if requested_slot in SECRET_QUESTIONS:
        return True
    masked = mask_text(text)
    return any(mask in masked for mask in (NIR_MASK, CODE_MASK, PASSWORD_MASK, CARD_MASK, IBAN_MASK, NUMBER_MASK))


def activation_notice() -> str:
    """The one-line notice that opens an activation on Telegram, for the current tenant's flow."""
    from bot.tenants import current_tenant

    return ACTIVATION_NOTICES[current_tenant().activation_flow]


async def conversation_state(app: Any, sender_id: str) -> Tuple[str | None, str | None]:
    """``(requested slot, active form)`` of a stored conversation; (None, None) when unknown."""
    agent = getattr(getattr(app, "ctx", None), "agent", None)
    store = getattr(agent, "tracker_store", None)
    if store is None:
        return None, None
    try:
        tracker = await store.retrieve(sender_id)
    except Exception as error:  # noqa: BLE001 - the message is handled anyway
        logger.warning("telegram: the conversation could not be read (%s)", type(error).__name__)
        return None, None
    loop = getattr(tracker, "active_loop_name", None)
    get_slot = getattr(tracker, "get_slot", None)
    requested = get_slot("requested_slot") if loop and callable(get_slot) else None
    return (str(requested) if requested else None), (str(loop) if loop else None)


# --------------------------------------------------------------------------- output


def to_html(text: str) -> str:
    """``text`` for Telegram's HTML parse mode: escaped, with tappable links.

    Web addresses open the site, e-mail addresses a new e-mail (``mailto:``),
    phone numbers the dialler (``tel:+33...``), found by :func:`bot.links.find_links`;
    everything else is escaped text, so a reply can never carry markup of its own.
    """
    parts: List[str] = []
    last = 0
    for link in find_links(text):
        parts.append(html.escape(text[last : link.start], quote=False))
        parts.append(f'<a href="{html.escape(link.href, quote=True)}">{html.escape(link.label, quote=False)}</a>')
        last = link.end
    parts.append(html.escape(text[last:], quote=False))
    return "".join(parts)


def _refused_markup(exc: BadRequest) -> bool:
    """Whether the API refused the HTML itself ("can't parse entities", an unsupported link)."""
    message = str(exc).lower()
    return "entit" in message or "url" in message


class TelegramOutput(TypesetOutput):
    """Sends Rasa's replies with the Bot API; failures are logged, never raised.

    Replies are typeset (:class:`bot.channels.typeset_output.TypesetOutput`) and
    sent in HTML parse mode (:func:`to_html`); should the API refuse the HTML
    (``BadRequest``), the same text is sent again as plain text.
    """

    def __init__(self, bot: Bot, token: str | None = None) -> None:
        self.bot = bot
        self._token = token
        self.failures = 0
        # while True, replies are kept (in order) until flush(): a notice can go first
        self.buffering = False
        self._held: List[Tuple[str, str, InlineKeyboardMarkup | None]] = []

    async def flush(self) -> None:
        """Send the replies held while buffering, in order, and stop buffering."""
        self.buffering = False
        held, self._held = self._held, []
        for recipient_id, text, markup in held:
            await self._send_chunks(recipient_id, text, markup)

    async def delete_message(self, chat_id: int | str, message_id: int) -> bool:
        """Delete a message of the chat (the Bot API allows it for incoming private messages)."""
        return await self._call(
            "deleteMessage", lambda: self.bot.delete_message(chat_id=self._chat_id(str(chat_id)), message_id=message_id)
        )

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    @staticmethod
    def _chat_id(recipient_id: str) -> int | str:
        value = str(recipient_id)
        if value.startswith(SENDER_PREFIX):
            value = value[len(SENDER_PREFIX) :]
        return int(value) if re.fullmatch(r"-?\d+", value) else value

    async def _send_one(self, chat_id: int | str, text: str, markup: Any) -> Any:
        try:
            return await self.bot.send_message(
                chat_id=chat_id,
                text=to_html(text),
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        except BadRequest as exc:
            if not _refused_markup(exc):
                raise
            logger.warning("telegram: HTML message refused (%s), sent as plain text", describe_error(exc, self._token))
            return await self.bot.send_message(
                chat_id=chat_id,
                text=text,
                reply_markup=markup,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )

    async def _call(self, method: str, send: Callable[[], Awaitable[Any]]) -> bool:
        try:
            await send()
            return True
        except TelegramError as exc:
            self.failures += 1
            logger.warning("telegram: %s failed (%s)", method, describe_error(exc, self._token))
        except Exception as exc:  # noqa: BLE001 - a reply failure must not break the conversation
            self.failures += 1
            logger.warning("telegram: %s failed (%s)", method, describe_error(exc, self._token))
        return False

    async def _send_chunks(self, recipient_id: str, text: str, markup: InlineKeyboardMarkup | None) -> None:
        if self.buffering:
            self._held.append((recipient_id, text, markup))
            return
        chunks = split_text(text or "")
        if not chunks:
            if markup is None:
                return
            chunks = [BUTTONS_ONLY_TEXT]
        chat_id = self._chat_id(recipient_id)
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            ok = await self._call("sendMessage", partial(self._send_one, chat_id, chunk, markup if last else None))
            if not ok:
                return  # the chat is unreachable: do not hammer the API with the rest

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send_chunks(recipient_id, text, None)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._send_chunks(recipient_id, text, build_keyboard(buttons))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        if _is_web_link(image):
            await self._send_chunks(recipient_id, image.strip(), None)

    async def send_attachment(self, recipient_id: str, attachment: Any, **kwargs: Any) -> None:
        if _is_web_link(attachment):
            await self._send_chunks(recipient_id, str(attachment).strip(), None)

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        """Custom payloads with a ``text`` (and optional ``buttons``) are shown; others are not for Telegram."""
        if isinstance(json_message, dict) and isinstance(json_message.get("text"), str):
            raw = json_message.get("buttons")
            buttons: List[Dict[str, Any]] = [b for b in raw if isinstance(b, dict)] if isinstance(raw, list) else []
            await self._send_chunks(recipient_id, json_message["text"], build_keyboard(buttons))
        else:
            logger.debug("telegram: custom payload without text ignored")

    async def answer_callback_query(self, callback_query_id: str) -> None:
        await self._call("answerCallbackQuery", lambda: self.bot.answer_callback_query(callback_query_id))


# --------------------------------------------------------------------------- input


class TelegramInput(InputChannel):
    """Webhook for Telegram updates (``/webhooks/telegram/webhook``)."""

    def __init__(self, settings: TelegramSettings | None, secret_key: str | None = None) -> None:
        self.settings = settings
        self._secret_key = secret_key  # of the client keys; ASSISTANT_SECRET_KEY when not given
        self._bot: Bot | None = None
        self._seen: OrderedDict[int, None] = OrderedDict()

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> TelegramInput:
        if credentials:
            logger.warning("telegram: keys in credentials.yml are ignored; configure TELEGRAM_* variables instead")
        settings = get_settings().telegram
        quiet_http_loggers()
        if settings is None:
            logger.info("telegram: channel not enabled (TELEGRAM_TOKEN is not set)")
        elif not settings.webhook_secret:
            logger.warning(
                "telegram: TELEGRAM_WEBHOOK_SECRET is not set, every Telegram update will be refused "
                "(a webhook without a secret is unsafe)"
            )
        return cls(settings, get_settings().secret_key)

    @property
    def enabled(self) -> bool:
        return self.settings is not None

    def bot(self) -> Bot:
        """The Bot, created on first use (no network call at creation)."""
        if self.settings is None:
            raise RuntimeError("the Telegram channel is not enabled")
        if self._bot is None:
            self._bot = make_bot(self.settings)
        return self._bot

    def get_output_channel(self) -> OutputChannel | None:
        if self.settings is None:
            return None
        return TelegramOutput(self.bot(), self.settings.token)

    def _first_time(self, update_id: int) -> bool:
        if update_id in self._seen:
            return False
        self._seen[update_id] = None
        while len(self._seen) > 2000:
            self._seen.popitem(last=False)
        return True

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("telegram_webhook", __name__)

        @bp.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.enabled else "disabled"})

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if self.settings is None:
                return response.json({"ok": False, "error": NOT_CONFIGURED_MESSAGE}, status=404)
            if not is_authorized(request.headers.get(SECRET_HEADER), self.settings.webhook_secret):
                logger.warning("telegram: update refused (missing or wrong secret token)")
                return response.json({"ok": False, "error": "forbidden"}, status=403)
            try:
                data = request.json
                if not isinstance(data, dict):
                    raise ValueError("not an object")
                update = Update.de_json(data, self.bot())
            except Exception as exc:  # noqa: BLE001 - any malformed body is a 400
                logger.warning("telegram: malformed update refused (%s)", type(exc).__name__)
                return response.json({"ok": False, "error": "malformed update"}, status=400)
            if update is None or not self._first_time(update.update_id):
                return response.json({"ok": True})
            try:
                await self.handle_update(update, on_new_message, request.app)
            except Exception as exc:  # noqa: BLE001 - always 200 so Telegram does not redeliver forever
                logger.error(
                    "telegram: update %s could not be handled (%s)",
                    update.update_id,
                    type(exc).__name__,
                    exc_info=logger.isEnabledFor(logging.DEBUG),
                )
            return response.json({"ok": True})

        @bp.listener("after_server_stop")
        async def close(*_args: Any) -> None:
            if self._bot is not None:
                await close_bot(self._bot)

        return bp

    async def handle_update(
        self, update: Update, on_new_message: Callable[[UserMessage], Awaitable[Any]], app: Any = None
    ) -> None:
        """Dispatch one authenticated update (``app``: the Sanic app, whose agent holds the conversations)."""
        assert self.settings is not None
        output = TelegramOutput(self.bot(), self.settings.token)
        if update.callback_query is not None:
            await self._handle_callback(update, output, on_new_message, app)
        elif update.message is not None:
            await self._handle_message(update, output, on_new_message, app)
        else:
            logger.debug("telegram: update %s of another kind ignored", update.update_id)

    async def _handle_message(
        self,
        update: Update,
        output: TelegramOutput,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        app: Any = None,
    ) -> None:
        message = update.message
        assert message is not None
        chat = message.chat
        chat_id = str(chat.id)
        if message.text is None:
            if message.effective_attachment is not None:
                await output.send_text_message(chat_id, ONLY_TEXT_MESSAGE)
            # service messages (someone joined a group...) need no answer
            return
        text = message_to_rasa_text(message.text)
        if chat.type != "private" and (looks_sensitive(message.text) or looks_sensitive(text)):
            await output.send_text_message(chat_id, PRIVATE_CHAT_ONLY_MESSAGE)
            return
        before = await conversation_state(app, sender_id_for(chat_id))
        await self._to_rasa(text, chat_id, chat.type, output, on_new_message, app, before)
        if chat.type == "private" and carries_secret(message.text, before[0]):
            # read by the assistant: it has no reason to stay in the chat history
            if await output.delete_message(chat_id, message.message_id):
                await output.send_text_message(chat_id, DELETED_MESSAGE_NOTE)

    async def _handle_callback(
        self,
        update: Update,
        output: TelegramOutput,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        app: Any,
    ) -> None:
        query = update.callback_query
        assert query is not None
        await output.answer_callback_query(query.id)
        if query.message is None:
            return  # button of an inline-mode message: no chat to answer in
        chat = query.message.chat
        chat_id = str(chat.id)
        data = query.data
        offered: FrozenSet[str] = frozenset()
        if data and (data.startswith(payloads.CALLBACK_HASH_PREFIX) or payloads.needs_offered(data)):
            offered = await payloads.offered_in_conversation(app, sender_id_for(chat_id))
        payload = payloads.resolve_callback(data, offered)
        if payload is None:
            await output.send_text_message(chat_id, EXPIRED_BUTTON_MESSAGE)
            return
        if chat.type != "private" and looks_sensitive(payload):
            await output.send_text_message(chat_id, PRIVATE_CHAT_ONLY_MESSAGE)
            return
        before = await conversation_state(app, sender_id_for(chat_id))
        await self._to_rasa(payloads.cap_length(payload), chat_id, chat.type, output, on_new_message, app, before)

    async def _to_rasa(
        self,
        text: str,
        chat_id: str,
        chat_type: str,
        output: TelegramOutput,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        app: Any = None,
        before: Tuple[str | None, str | None] = (None, None),
    ) -> None:
        sender = sender_id_for(chat_id)
        client = client_key(self._secret_key or get_settings().secret_key, sender)
        output.buffering = True
        try:
            await on_new_message(
                UserMessage(
                    text,
                    output,
                    sender,
                    input_channel=CHANNEL_NAME,
                    metadata={"channel": CHANNEL_NAME, "chat_type": chat_type, CLIENT_METADATA_KEY: client},
                )
            )
            after = await conversation_state(app, sender)
            if after[1] in ACTIVATION_FORMS and before[1] != after[1]:
                output.buffering = False
                await output.send_text_message(chat_id, activation_notice())
        finally:
            await output.flush()
