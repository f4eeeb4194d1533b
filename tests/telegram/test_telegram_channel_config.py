"""The Telegram channel in a small Sanic server of its own, against the fake Bot API.

These cases need a configuration the shared assistant does not have (no
token, no secret) or a reply Rasa would never produce (10,000 characters,
a 100-byte button payload), so the channel's blueprint is mounted on a
Sanic app in this process and its ``on_new_message`` is a small stand-in for
Rasa's agent that records what reaches Rasa and answers through the real
``TelegramOutput``; a small in-memory stand-in for the tracker store keeps
the user messages and the buttons offered, which the channel reads to check
a button press.  Everything else (webhook checks, Update parsing, the PTB
Bot talking HTTP to the fake API) is the production code.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import urllib.error
import urllib.request
from collections import defaultdict
from types import SimpleNamespace
from typing import Any, Awaitable, Callable, Dict, Iterator, List

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import BotUttered, Event, UserUttered
from sanic import Sanic

from bot.channels.identity import client_key
from bot.channels.payloads import MAX_LENGTH, TRUNCATION_MARK, callback_data
from bot.channels.telegram import (
    EXPIRED_BUTTON_MESSAGE,
    SECRET_HEADER,
    TEXT_LIMIT,
    TelegramInput,
    looks_sensitive,
    split_text,
    text_length,
)
from bot.settings import TelegramSettings, reset_settings_cache
from tests.conftest import free_port
from tests.telegram.conftest import SECRET, TOKEN, WEBHOOK
from tests.telegram.fake_bot_api import FakeBotApi, callback_update, text_update

Reply = Callable[[UserMessage], Awaitable[None]]

# several Sanic apps in one process: Sanic's own test switch (keeps its start-up
# rewriting of the request handler re-entrant)
Sanic.test_mode = True
CLIENT_SECRET = "test-secret-key-0123456789"


class Conversations:
    """Stands in for Rasa's tracker store: ``retrieve`` gives the events of a conversation."""

    def __init__(self) -> None:
        self.events: Dict[str, List[Event]] = defaultdict(list)

    async def retrieve(self, sender_id: str) -> Any:
        events = self.events.get(sender_id)
        return SimpleNamespace(events=list(events)) if events else None

    def offer(self, sender_id: str, text: str, buttons: List[dict]) -> None:
        self.events[sender_id].append(BotUttered(text, data={"buttons": buttons}))


class ChannelServer:
    """A Sanic app serving only the Telegram channel, in a background thread."""

    _count = 0

    def __init__(self, channel: TelegramInput, reply: Reply | None = None) -> None:
        ChannelServer._count += 1
        self.channel = channel
        self.reply = reply
        self.received: List[UserMessage] = []
        self.conversations = Conversations()
        self.port = free_port()
        self.app = Sanic(f"telegram_test_{ChannelServer._count}")
        self.app.ctx.agent = SimpleNamespace(tracker_store=self.conversations)
        self.app.blueprint(channel.blueprint(self._on_new_message), url_prefix="/webhooks/telegram")
        self._loop = asyncio.new_event_loop()
        self._server: Any = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    async def _on_new_message(self, message: UserMessage) -> None:
        self.received.append(message)
        self.conversations.events[message.sender_id].append(UserUttered(message.text))
        if self.reply is not None:
            await self.reply(message)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def start() -> None:
            self._server = await self.app.create_server(
                host="127.0.0.1", port=self.port, return_asyncio_server=True, access_log=False
            )
            await self._server.startup()
            self._ready.set()

        self._loop.run_until_complete(start())
        self._loop.run_forever()

    def __enter__(self) -> ChannelServer:
        self._thread.start()
        assert self._ready.wait(30), "the test Sanic server did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        async def stop() -> None:
            self._server.close()
            await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def post(self, update: Any, secret: str | None = SECRET, raw: bytes | None = None) -> tuple:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{WEBHOOK}",
            data=raw if raw is not None else json.dumps(update).encode("utf-8"),
            headers=headers,
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")


@pytest.fixture()
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi(TOKEN) as fake:
        yield fake


def settings_for(api: FakeBotApi, secret: str | None = SECRET) -> TelegramSettings:
    return TelegramSettings(token=TOKEN, webhook_secret=secret, api_base_url=api.base_url)


@pytest.fixture()
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[pytest.MonkeyPatch]:
    """A clean environment for ``TelegramInput.from_credentials`` (it reads the settings)."""
    for key in ("TELEGRAM_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "TELEGRAM_API_BASE_URL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("ASSISTANT_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("ASSISTANT_SECRET_KEY", "test-secret-key-0123456789")
    reset_settings_cache()
    yield monkeypatch
    reset_settings_cache()


def test_without_a_token_the_channel_is_not_enabled(env, api, caplog):
    with caplog.at_level(logging.INFO, logger="bot.channels.telegram"):
        channel = TelegramInput.from_credentials(None)
    assert not channel.enabled
    assert "not enabled" in caplog.text
    with ChannelServer(channel) as server:
        status, body = server.post(text_update(5001, "bonjour"))
    assert status == 404
    assert "Telegram n'est pas configuré" in body["error"]
    assert server.received == []
    assert api.calls == []


@pytest.mark.parametrize("header", [SECRET, "", None, "anything"])
def test_without_a_secret_every_update_is_refused(env, api, caplog, header):
    env.setenv("TELEGRAM_TOKEN", TOKEN)
    env.setenv("TELEGRAM_API_BASE_URL", api.base_url)
    with caplog.at_level(logging.WARNING, logger="bot.channels.telegram"):
        channel = TelegramInput.from_credentials(None)
    assert channel.enabled
    assert "TELEGRAM_WEBHOOK_SECRET is not set" in caplog.text
    assert "unsafe" in caplog.text
    with ChannelServer(channel) as server:
        status, _ = server.post(text_update(5002, "bonjour"), secret=header)
    assert status == 403
    assert server.received == []
    assert api.calls == []


def test_start_up_and_refusals_make_no_network_call(api):
    channel = TelegramInput(settings_for(api), CLIENT_SECRET)
    with ChannelServer(channel) as server:
        assert server.post(text_update(5003, "bonjour"), secret="wrong")[0] == 403
        assert server.post(None, raw=b"{not json")[0] == 400
        assert server.post([1, 2])[0] == 400
        assert server.post({"no_update_id": True})[0] == 400
    assert api.calls == []
    assert server.received == []


def test_long_reply_is_split_and_a_long_button_payload_still_works(api):
    long_text = ("Voici le détail de vos garanties, ligne après ligne.\n" * 120).strip()  # ~6,300 chars
    long_payload = '/choose_service{"service": "' + "remboursements et prises en charge " * 3 + '"}'

    async def reply(message: UserMessage) -> None:
        if message.text == "/greet":
            buttons = [{"title": "Choisir", "payload": long_payload}]
            await message.output_channel.send_text_with_buttons(message.sender_id, long_text, buttons)
            server.conversations.offer(message.sender_id, long_text, buttons)
        else:
            await message.output_channel.send_text_message(message.sender_id, f"Choix reçu ({len(message.text)})")

    channel = TelegramInput(settings_for(api), CLIENT_SECRET)
    with ChannelServer(channel, reply) as server:
        assert server.post(text_update(5004, "/start")) == (200, {"ok": True})
        sent = api.calls_of("sendMessage", 5004)
        assert len(sent) == len(split_text(long_text)) >= 2
        assert all(text_length(call.text) <= TEXT_LIMIT for call in sent)
        assert "\n".join(call.text for call in sent).split() == long_text.split()
        assert [bool(call.keyboard()) for call in sent] == [False] * (len(sent) - 1) + [True]
        assert all(call.params.get("parse_mode") == "HTML" for call in sent)  # escaped, links only
        data = sent[-1].buttons()[0]["callback_data"]
        assert len(data.encode("utf-8")) <= 64

        press = callback_update(5004, data)
        assert server.post(press)[0] == 200
        assert server.received[-1].text == long_payload
        answered = api.calls_of("answerCallbackQuery")
        assert [c.params["callback_query_id"] for c in answered] == [press["callback_query"]["id"]]

        # the same button again, now that the member has answered: no longer active
        assert server.post(callback_update(5004, data))[0] == 200
        assert api.calls_of("sendMessage", 5004)[-1].text == EXPIRED_BUTTON_MESSAGE
        # an unknown hash: answered, and the member is told what to do
        assert server.post(callback_update(5004, "#" + "f" * 40))[0] == 200
        assert api.calls_of("sendMessage", 5004)[-1].text == EXPIRED_BUTTON_MESSAGE
        assert len(server.received) == 2
        assert len(api.calls_of("answerCallbackQuery")) == 3


def test_a_button_press_works_on_any_replica(api):
    """Nothing is kept in the channel: another process reading the same conversations takes the press."""
    long_payload = "/choose" + '{"service": "' + "tiers payant " * 6 + '"}'

    async def reply(message: UserMessage) -> None:
        if message.text == "/greet":
            buttons = [{"title": "Choisir", "payload": long_payload}, {"title": "Oui", "payload": "/affirm"}]
            await message.output_channel.send_text_with_buttons(message.sender_id, "Que choisissez-vous ?", buttons)
            first.conversations.offer(message.sender_id, "Que choisissez-vous ?", buttons)

    with ChannelServer(TelegramInput(settings_for(api), CLIENT_SECRET), reply) as first:
        assert first.post(text_update(5010, "/start"))[0] == 200
    keyboard = api.calls_of("sendMessage", 5010)[-1].buttons()
    with ChannelServer(TelegramInput(settings_for(api), CLIENT_SECRET)) as second:
        second.conversations = first.conversations
        second.app.ctx.agent.tracker_store = first.conversations
        assert second.post(callback_update(5010, keyboard[0]["callback_data"]))[0] == 200
    assert [m.text for m in second.received] == [long_payload]


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("/start", "/greet"),
        ("/restart", "restart"),
        ('/activate_account{"member_ref": "x"}', 'activate_account{"member_ref": "x"}'),
        ("/affirm", "affirm"),
        ("x" * 4000, "x" * MAX_LENGTH + TRUNCATION_MARK),
    ],
)
def test_typed_payload_syntax_reaches_rasa_as_plain_text(api, typed, sent):
    with ChannelServer(TelegramInput(settings_for(api), CLIENT_SECRET)) as server:
        server.conversations.offer("telegram:5011", "Voulez-vous ?", [{"title": "Oui", "payload": "/affirm"}])
        assert server.post(text_update(5011, typed))[0] == 200
    assert [m.text for m in server.received] == [sent]


@pytest.mark.parametrize("data", ["/restart", '/affirm{"member_ref": "x"}', "/activate_account", "#" + "0" * 40])
def test_forged_or_stale_callback_data_never_reaches_rasa(api, data):
    with ChannelServer(TelegramInput(settings_for(api), CLIENT_SECRET)) as server:
        server.conversations.offer("telegram:5012", "Voulez-vous ?", [{"title": "Oui", "payload": "/affirm"}])
        assert server.post(callback_update(5012, data))[0] == 200
    assert server.received == []
    assert [c.text for c in api.calls_of("sendMessage", 5012)] == [EXPIRED_BUTTON_MESSAGE]
    assert len(api.calls_of("answerCallbackQuery")) == 1


def test_messages_carry_the_client_key_of_the_chat(api):
    with ChannelServer(TelegramInput(settings_for(api), CLIENT_SECRET)) as server:
        server.conversations.offer("telegram:5013", "Voulez-vous ?", [{"title": "Oui", "payload": "/affirm"}])
        assert server.post(callback_update(5013, "/affirm"))[0] == 200
        assert server.post(text_update(5013, "bonjour"))[0] == 200
    assert [m.text for m in server.received] == ["/affirm", "bonjour"]
    for message in server.received:
        assert message.metadata == {
            "channel": "telegram",
            "chat_type": "private",
            "client": client_key(CLIENT_SECRET, "telegram:5013"),
        }


def test_a_failing_reply_is_logged_without_content_and_the_webhook_still_answers_200(api, caplog):
    async def reply(message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id, "Réponse confidentielle 0612345678")

    api.failing_chats.add(5005)
    channel = TelegramInput(settings_for(api), CLIENT_SECRET)
    with ChannelServer(channel, reply) as server, caplog.at_level(logging.WARNING):
        assert server.post(text_update(5005, "bonjour"))[0] == 200
        assert server.post(text_update(5006, "bonjour"))[0] == 200
    assert len(api.calls_of("sendMessage", 5005)) == 1
    assert len(api.calls_of("sendMessage", 5006)) == 1
    assert "sendMessage failed" in caplog.text
    assert "Forbidden" in caplog.text
    assert "confidentielle" not in caplog.text
    assert TOKEN not in caplog.text


def test_a_redelivered_update_is_handled_once(api):
    async def reply(message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id, "Bonjour !")

    channel = TelegramInput(settings_for(api), CLIENT_SECRET)
    update = text_update(5007, "bonjour")
    with ChannelServer(channel, reply) as server:
        assert server.post(update)[0] == 200
        assert server.post(update)[0] == 200
    assert len(server.received) == 1
    assert len(api.calls_of("sendMessage", 5007)) == 1


def test_a_crash_in_rasa_still_answers_200(api):
    async def reply(message: UserMessage) -> None:
        raise RuntimeError("boom")

    channel = TelegramInput(settings_for(api), CLIENT_SECRET)
    with ChannelServer(channel, reply) as server:
        assert server.post(text_update(5008, "bonjour")) == (200, {"ok": True})


@pytest.mark.parametrize(
    "custom, expected",
    [
        ({"text": "Texte personnalisé", "buttons": [{"title": "OK", "payload": "/affirm"}]}, "Texte personnalisé"),
        ({"widget": "carte"}, None),
    ],
)
def test_custom_payloads_with_text_are_shown_and_others_ignored(api, custom, expected):
    async def reply(message: UserMessage) -> None:
        await message.output_channel.send_response(message.sender_id, {"custom": dict(custom)})
        await message.output_channel.send_response(message.sender_id, {"image": "https://example.org/carte.png"})

    channel = TelegramInput(settings_for(api), CLIENT_SECRET)
    with ChannelServer(channel, reply) as server:
        assert server.post(text_update(5009, "bonjour"))[0] == 200
    texts = [call.text for call in api.calls_of("sendMessage", 5009)]
    assert texts == ([expected] if expected else []) + ["https://example.org/carte.png"]


def test_a_hashed_button_in_a_group_is_judged_on_its_payload_not_on_its_hash(api):
    # a long, harmless payload whose hashed callback data has a run of digits (which looks like a code)
    payload = next(
        p
        for p in ("/choose" + '{"service": "' + "tiers payant " * 6 + f'", "n": "{"x" * i}"}}' for i in range(100))
        if looks_sensitive(callback_data(p)) and not looks_sensitive(p)
    )
    with ChannelServer(TelegramInput(settings_for(api), CLIENT_SECRET)) as server:
        server.conversations.offer(
            "telegram:-5014", "Que choisissez-vous ?", [{"title": "Choisir", "payload": payload}]
        )
        assert server.post(callback_update(-5014, callback_data(payload), "group"))[0] == 200
    assert [m.text for m in server.received] == [payload]
