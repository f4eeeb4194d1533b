"""A fake Telegram Bot API server on 127.0.0.1 for the Telegram tests.

It answers ``/bot<token>/<method>`` like the real API (form or JSON
parameters, ``{"ok": true, "result": ...}`` answers, the real error shapes),
enforces the limits our channel must respect (4096 UTF-16 units of text,
64 bytes of ``callback_data``, non-empty text, well-formed HTML with links
of known schemes in HTML parse mode) and records every call so tests can
assert what the assistant sent (``Call.text``: what the member reads;
``Call.links()``: the links of an HTML message).  Updates queued with
:meth:`FakeBotApi.queue_update` are served by ``getUpdates`` with Telegram's
offset semantics; ``getUpdates`` is refused with 409 while a webhook is set.
"""

from __future__ import annotations

import html
import itertools
import json
import re
import threading
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Tuple
from urllib.parse import parse_qs

JSON_FIELDS = {"reply_markup", "allowed_updates", "link_preview_options", "reply_parameters", "entities"}
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Assistant test", "username": "assistant_test_bot"}


@dataclass
class Call:
    method: str
    params: Dict[str, Any]

    @property
    def raw_text(self) -> str:
        """The ``text`` parameter as sent (HTML in HTML parse mode)."""
        return str(self.params.get("text", ""))

    @property
    def text(self) -> str:
        """The text as the member sees it (HTML parse mode: tags removed, entities decoded)."""
        if self.params.get("parse_mode") == "HTML":
            return parse_html(self.raw_text)[0]
        return self.raw_text

    def links(self) -> List[Tuple[str, str]]:
        """``(link text, href)`` of an HTML-mode message."""
        return parse_html(self.raw_text)[1] if self.params.get("parse_mode") == "HTML" else []

    @property
    def chat_id(self) -> Any:
        return self.params.get("chat_id")

    def keyboard(self) -> List[List[Dict[str, Any]]]:
        markup = self.params.get("reply_markup") or {}
        return markup.get("inline_keyboard", [])

    def buttons(self) -> List[Dict[str, Any]]:
        return [button for row in self.keyboard() for button in row]


# Telegram's HTML parse mode: the tags it knows, and the link schemes this fake accepts
HTML_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "span", "blockquote"}
LINK_SCHEMES = ("http://", "https://", "tg://", "mailto:", "tel:")


class _TelegramHtml(HTMLParser):
    """Reads a text in Telegram's HTML parse mode: its visible text and its links, or an error."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.visible: List[str] = []
        self.links: List[Tuple[str, str]] = []
        self.open: List[Tuple[str, str | None, int]] = []
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: List[Tuple[str, str | None]]) -> None:
        if tag not in HTML_TAGS:
            self.error = f'Unsupported start tag "{tag}"'
            return
        href = dict(attrs).get("href") if tag == "a" else None
        if tag == "a" and not (href or "").startswith(LINK_SCHEMES):
            self.error = f'Unsupported URL protocol in "{href}"'
        self.open.append((tag, href, len("".join(self.visible))))

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1][0] != tag:
            self.error = f'Unmatched end tag "{tag}"'
            return
        _, href, start = self.open.pop()
        if tag == "a" and href is not None:
            self.links.append(("".join(self.visible)[start:], href))

    def handle_data(self, data: str) -> None:
        self.visible.append(data)


def parse_html(text: str) -> Tuple[str, List[Tuple[str, str]]]:
    """(visible text, [(link text, href)]) of an HTML-mode message; ApiError like Telegram's otherwise."""
    if re.search(r"&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)", text):
        raise ApiError(400, "Bad Request: can't parse entities: unsupported character entity")
    parser = _TelegramHtml()
    parser.feed(text)
    parser.close()
    if parser.error is None and parser.open:
        parser.error = f'Can\'t find end tag corresponding to start tag "{parser.open[-1][0]}"'
    if parser.error is not None:
        raise ApiError(400, f"Bad Request: can't parse entities: {parser.error}")
    return html.unescape("".join(parser.visible)), parser.links


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class ApiError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


class FakeBotApi:
    """The fake server; use as a context manager or call start()/stop()."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: List[Call] = []
        self.failing_chats: set[int] = set()
        self.webhook: Dict[str, Any] = {"url": "", "secret_token": None, "allowed_updates": None}
        self._updates: List[Dict[str, Any]] = []
        self._lock = threading.Condition()
        self._message_ids = itertools.count(1000)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # -- lifecycle

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        """What TELEGRAM_API_BASE_URL is set to (PTB appends the token)."""
        return f"http://127.0.0.1:{self.port}/bot"

    def start(self) -> FakeBotApi:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- test helpers

    def queue_update(self, update: Dict[str, Any]) -> None:
        with self._lock:
            self._updates.append(update)
            self._lock.notify_all()

    def pending_updates(self) -> List[Dict[str, Any]]:
        with self._lock:
            return list(self._updates)

    def calls_of(self, method: str, chat_id: int | None = None) -> List[Call]:
        with self._lock:
            calls = [c for c in self.calls if c.method == method]
        if chat_id is not None:
            calls = [c for c in calls if str(c.chat_id) == str(chat_id)]
        return calls

    def calls_for_chat(self, chat_id: int) -> List[Call]:
        with self._lock:
            return [c for c in self.calls if str(c.chat_id) == str(chat_id)]

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 30.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.05)
        return predicate()

    # -- the API

    def _record(self, method: str, params: Dict[str, Any]) -> None:
        with self._lock:
            self.calls.append(Call(method, params))

    def _message(self, chat_id: Any, text: str) -> Dict[str, Any]:
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if int(chat_id) > 0 else "group", "title": "Groupe"},
            "from": BOT_USER,
            "text": text,
        }

    def handle(self, method: str, params: Dict[str, Any]) -> Any:
        if method != "getUpdates":
            self._record(method, params)
        if method == "getMe":
            return BOT_USER
        if method == "sendMessage":
            chat_id = params.get("chat_id")
            text = params.get("text")
            if chat_id is None:
                raise ApiError(400, "Bad Request: chat_id is empty")
            if not isinstance(text, str) or not text.strip():
                raise ApiError(400, "Bad Request: message text is empty")
            if params.get("parse_mode") == "HTML":
                text = parse_html(text)[0]  # refused like Telegram when the HTML is wrong
            elif params.get("parse_mode") is not None:
                raise ApiError(400, f"Bad Request: unsupported parse_mode {params['parse_mode']!r}")
            if utf16_length(text) > 4096:
                raise ApiError(400, "Bad Request: message is too long")
            for row in (params.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    data = button.get("callback_data")
                    if data is not None and not 1 <= len(data.encode("utf-8")) <= 64:
                        raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                    if data is None and not button.get("url"):
                        raise ApiError(400, "Bad Request: can't parse inline keyboard button")
            if int(chat_id) in self.failing_chats:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            return self._message(chat_id, text)
        if method == "deleteMessage":
            # the Bot API deletes incoming messages of private chats (under 48 hours old)
            if params.get("chat_id") is None or not params.get("message_id"):
                raise ApiError(400, "Bad Request: message to delete not found")
            return True
        if method == "answerCallbackQuery":
            if not params.get("callback_query_id"):
                raise ApiError(400, "Bad Request: query is too old and response timeout expired")
            return True
        if method == "setWebhook":
            if not params.get("url"):
                raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
            self.webhook = {
                "url": params["url"],
                "secret_token": params.get("secret_token"),
                "allowed_updates": params.get("allowed_updates"),
            }
            if params.get("drop_pending_updates") in (True, "true", "True"):
                with self._lock:
                    self._updates.clear()
            return True
        if method == "deleteWebhook":
            self.webhook = {"url": "", "secret_token": None, "allowed_updates": None}
            return True
        if method == "getWebhookInfo":
            info: Dict[str, Any] = {
                "url": self.webhook["url"],
                "has_custom_certificate": False,
                "pending_update_count": len(self.pending_updates()),
            }
            if self.webhook["allowed_updates"]:
                info["allowed_updates"] = self.webhook["allowed_updates"]
            return info
        if method == "getUpdates":
            return self._get_updates(params)
        raise ApiError(404, "Not Found")

    def _get_updates(self, params: Dict[str, Any]) -> List[Dict[str, Any]]:
        if self.webhook["url"]:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        self._record("getUpdates", params)
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        wait = min(float(params.get("timeout") or 0), 2.0)
        deadline = time.monotonic() + wait
        with self._lock:
            while True:
                if offset:
                    # Telegram forgets every update below the offset: they are confirmed
                    self._updates = [u for u in self._updates if u["update_id"] >= offset]
                if self._updates or time.monotonic() >= deadline:
                    return self._updates[:limit]
                self._lock.wait(timeout=max(0.0, deadline - time.monotonic()))

    # -- HTTP plumbing

    def _handler_class(self) -> type:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature of the base class
                return

            def _reply(self, status: int, body: Dict[str, Any]) -> None:
                data = json.dumps(body).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _params(self) -> Dict[str, Any]:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8") if length else ""
                if "json" in (self.headers.get("Content-Type") or ""):
                    return json.loads(raw or "{}")
                params: Dict[str, Any] = {k: v[-1] for k, v in parse_qs(raw, keep_blank_values=True).items()}
                for key in JSON_FIELDS & params.keys():
                    params[key] = json.loads(params[key])
                if "chat_id" in params and str(params["chat_id"]).lstrip("-").isdigit():
                    params["chat_id"] = int(params["chat_id"])
                return params

            def do_POST(self) -> None:
                self._dispatch()

            def do_GET(self) -> None:
                self._dispatch()

            def _dispatch(self) -> None:
                prefix = f"/bot{api.token}/"
                if not self.path.startswith("/bot"):
                    self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                    return
                if not self.path.startswith(prefix):
                    self._reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                    return
                method = self.path[len(prefix) :].split("?", 1)[0]
                try:
                    result = api.handle(method, self._params())
                except ApiError as exc:
                    self._reply(exc.code, {"ok": False, "error_code": exc.code, "description": exc.description})
                    return
                self._reply(200, {"ok": True, "result": result})

        return Handler


# -- updates as Telegram sends them

_ids = itertools.count(int(time.time()) % 1_000_000 * 100)


def next_update_id() -> int:
    return next(_ids)


def chat(chat_id: int, chat_type: str = "private") -> Dict[str, Any]:
    if chat_type == "private":
        return {"id": chat_id, "type": "private", "first_name": "Camille"}
    return {"id": chat_id, "type": chat_type, "title": "Famille Martin"}


def user(user_id: int) -> Dict[str, Any]:
    return {"id": abs(user_id), "is_bot": False, "first_name": "Camille", "language_code": "fr"}


def message_update(chat_id: int, chat_type: str = "private", **content: Any) -> Dict[str, Any]:
    message = {
        "message_id": next(_ids) % 100_000,
        "date": int(time.time()),
        "chat": chat(chat_id, chat_type),
        "from": user(chat_id if chat_type == "private" else 777001),
    }
    message.update(content)
    return {"update_id": next_update_id(), "message": message}


def text_update(chat_id: int, text: str, chat_type: str = "private") -> Dict[str, Any]:
    update = message_update(chat_id, chat_type, text=text)
    if text.startswith("/"):
        command = text.split()[0]
        update["message"]["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return update


def callback_update(chat_id: int, data: str, chat_type: str = "private") -> Dict[str, Any]:
    return {
        "update_id": next_update_id(),
        "callback_query": {
            "id": f"cq-{next(_ids)}",
            "from": user(chat_id if chat_type == "private" else 777001),
            "chat_instance": f"ci-{chat_id}",
            "data": data,
            "message": {
                "message_id": next(_ids) % 100_000,
                "date": int(time.time()),
                "chat": chat(chat_id, chat_type),
                "from": BOT_USER,
                "text": "Que souhaitez-vous faire ?",
            },
        },
    }


_FILE = {"file_id": "AgACAgQAAxkBAAIB", "file_unique_id": "AQADBAAD"}

ATTACHMENTS: Dict[str, Dict[str, Any]] = {
    "photo": {"photo": [dict(_FILE, width=90, height=67, file_size=1200), dict(_FILE, width=800, height=600)]},
    "photo_with_caption": {
        "photo": [dict(_FILE, width=800, height=600)],
        "caption": "voici ma carte vitale",
    },
    "sticker": {
        "sticker": dict(_FILE, type="regular", width=512, height=512, is_animated=False, is_video=False, emoji="👍")
    },
    "voice": {"voice": dict(_FILE, duration=4, mime_type="audio/ogg")},
    "document": {"document": dict(_FILE, file_name="ordonnance.pdf", mime_type="application/pdf")},
    "video": {"video": dict(_FILE, width=640, height=360, duration=5)},
    "location": {"location": {"latitude": 45.43, "longitude": 4.39}},
}
