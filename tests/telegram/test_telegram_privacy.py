"""Telegram privacy (issue 15), against the fake Bot API: a private message
carrying a NIR, a code or a password is deleted once read (``deleteMessage``)
with a one-line note, and activation starts with a one-line notice of what
will be asked."""

from __future__ import annotations

import secrets

import pytest

from bot.channels.telegram import ACTIVATION_NOTICES, DELETED_MESSAGE_NOTE
from tests.telegram.conftest import post_update, tracker_events
from tests.telegram.fake_bot_api import callback_update, text_update

pytestmark = [pytest.mark.conversation, pytest.mark.slow]


def new_chat() -> int:
    return 10_000_000 + secrets.randbelow(900_000_000)


def _sent_texts(fake_api, chat_id):
    return [call.text for call in fake_api.calls_of("sendMessage", chat_id)]


def _deleted(fake_api, chat_id):
    return [int(call.params["message_id"]) for call in fake_api.calls_of("deleteMessage", chat_id)]


def test_activation_starts_with_a_notice_then_a_typed_nir_is_deleted(telegram_assistant, fake_api):
    chat_id = new_chat()
    post_update(telegram_assistant, text_update(chat_id, "/start"))
    before = len(_sent_texts(fake_api, chat_id))
    post_update(telegram_assistant, callback_update(chat_id, "/activate_account"))
    replies = _sent_texts(fake_api, chat_id)[before:]
    assert replies[0] == ACTIVATION_NOTICES["nir_sms"], replies
    assert len(replies) >= 2 and "sécurité sociale" in replies[-1]  # then the first question

    update = text_update(chat_id, "2 85 03 971 12 345 67")
    post_update(telegram_assistant, update)
    assert _deleted(fake_api, chat_id) == [update["message"]["message_id"]]
    assert _sent_texts(fake_api, chat_id)[-1] == DELETED_MESSAGE_NOTE
    stored = str(tracker_events(telegram_assistant, f"telegram:{chat_id}"))
    assert "12 345" not in stored and "1234567" not in stored.replace(" ", "")


@pytest.mark.parametrize(
    "typed",
    ["mon numéro 1.85.05.2A.006.084.91", "le code 48 29 13 ne marche pas", "mon mot de passe est Soleil!2025"],
)
def test_a_message_with_a_secret_is_deleted_once_read(telegram_assistant, fake_api, typed):
    chat_id = new_chat()
    update = text_update(chat_id, typed)
    assert post_update(telegram_assistant, update)[0] == 200
    assert _deleted(fake_api, chat_id) == [update["message"]["message_id"]]
    texts = _sent_texts(fake_api, chat_id)
    assert texts[-1] == DELETED_MESSAGE_NOTE and len(texts) >= 2  # the assistant answered first


def test_an_ordinary_message_stays(telegram_assistant, fake_api):
    chat_id = new_chat()
    post_update(telegram_assistant, text_update(chat_id, "Quels sont vos horaires ?"))
    assert _deleted(fake_api, chat_id) == []
    assert DELETED_MESSAGE_NOTE not in _sent_texts(fake_api, chat_id)
    assert not any(text == ACTIVATION_NOTICES["nir_sms"] for text in _sent_texts(fake_api, chat_id))
