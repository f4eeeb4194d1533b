"""What the REST channel accepts, and how Telegram conversation ids are kept out of its reach."""

from __future__ import annotations

import pytest

from bot.channels.rest import (
    BAD_MESSAGE,
    BAD_SENDER,
    MAX_SENDER_LENGTH,
    NO_SENDER,
    NOT_JSON_OBJECT,
    RESERVED_SENDER,
    check_rest_body,
)
from bot.channels.telegram import TelegramOutput, sender_id_for


@pytest.mark.parametrize(
    ("body", "sender", "message"),
    [
        ({"sender": "web-" + "a" * 32, "message": "bonjour"}, "web-" + "a" * 32, "bonjour"),
        ({"sender": "moi", "message": ""}, "moi", ""),
        ({"sender": "moi", "message": None}, "moi", ""),
        ({"sender": "moi"}, "moi", ""),
        ({"sender": "x" * MAX_SENDER_LENGTH, "message": "<b>salut</b>"}, "x" * MAX_SENDER_LENGTH, "<b>salut</b>"),
        ({"sender": "tél-é", "message": "😀"}, "tél-é", "😀"),
        ({"sender": "mytelegram:1", "message": "oui"}, "mytelegram:1", "oui"),
    ],
)
def test_accepted_bodies(body, sender, message):
    checked = check_rest_body(body)
    assert (checked.error, checked.status, checked.sender, checked.message) == (None, 200, sender, message)


@pytest.mark.parametrize(
    ("body", "error", "status"),
    [
        (None, NOT_JSON_OBJECT, 400),
        ([{"sender": "moi", "message": "oui"}], NOT_JSON_OBJECT, 400),
        ("bonjour", NOT_JSON_OBJECT, 400),
        ({"message": "bonjour"}, NO_SENDER, 400),
        ({"sender": "", "message": "bonjour"}, NO_SENDER, 400),
        ({"sender": "   ", "message": "bonjour"}, NO_SENDER, 400),
        ({"sender": 123456, "message": "bonjour"}, NO_SENDER, 400),
        ({"sender": "x" * (MAX_SENDER_LENGTH + 1), "message": "bonjour"}, BAD_SENDER, 400),
        ({"sender": "moi\nautre", "message": "bonjour"}, BAD_SENDER, 400),
        ({"sender": "moi\x00", "message": "bonjour"}, BAD_SENDER, 400),
        ({"sender": "telegram:123456789", "message": "bonjour"}, RESERVED_SENDER, 403),
        ({"sender": "Telegram:123456789", "message": "bonjour"}, RESERVED_SENDER, 403),
        ({"sender": "moi", "message": ["bonjour"]}, BAD_MESSAGE, 400),
        ({"sender": "moi", "message": 42}, BAD_MESSAGE, 400),
    ],
)
def test_refused_bodies_get_a_french_reason(body, error, status):
    checked = check_rest_body(body)
    assert (checked.error, checked.status) == (error, status)


@pytest.mark.parametrize(
    ("chat_id", "sender", "back"),
    [(123456789, "telegram:123456789", 123456789), ("-100200300", "telegram:-100200300", -100200300)],
)
def test_telegram_conversations_live_in_the_reserved_namespace(chat_id, sender, back):
    assert sender_id_for(chat_id) == sender
    assert check_rest_body({"sender": sender, "message": "oui"}).status == 403
    assert TelegramOutput._chat_id(sender) == back
