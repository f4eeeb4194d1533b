"""What the REST channel accepts: issued senders only, Telegram conversations out of reach, checked metadata."""

from __future__ import annotations

import pytest

from bot.channels.identity import new_sender
from bot.channels.payloads import MAX_LENGTH
from bot.channels.rest import (
    BAD_MESSAGE,
    BAD_METADATA,
    BAD_SENDER,
    MAX_SENDER_LENGTH,
    NO_SENDER,
    NOT_JSON_OBJECT,
    RESERVED_SENDER,
    UNSIGNED_SENDER,
    check_rest_body,
)
from bot.channels.telegram import TelegramOutput, sender_id_for

KEY = "test-secret-key-0123456789"
SENDER = new_sender(KEY)


@pytest.mark.parametrize(
    ("body", "message", "metadata"),
    [
        ({"sender": SENDER, "message": "bonjour"}, "bonjour", {}),
        ({"sender": SENDER, "message": ""}, "", {}),
        ({"sender": SENDER, "message": None}, "", {}),
        ({"sender": SENDER}, "", {}),
        ({"sender": SENDER, "message": "<b>salut</b>"}, "<b>salut</b>", {}),
        ({"sender": SENDER, "message": "😀"}, "😀", {}),
        ({"sender": SENDER, "message": "oui", "metadata": None}, "oui", {}),
        ({"sender": SENDER, "message": "oui", "metadata": {"page": "/aide"}}, "oui", {"page": "/aide"}),
        # the client key is the server's to set
        ({"sender": SENDER, "message": "oui", "metadata": {"client": "moi", "a": 1}}, "oui", {"a": 1}),
        # the length cap and payload screening come next (bot.channels.payloads.prepare)
        ({"sender": SENDER, "message": "x" * (MAX_LENGTH + 1)}, "x" * (MAX_LENGTH + 1), {}),
        ({"sender": SENDER, "message": "/restart"}, "/restart", {}),
    ],
)
def test_accepted_bodies(body, message, metadata):
    checked = check_rest_body(body, KEY)
    assert (checked.error, checked.status, checked.sender) == (None, 200, SENDER)
    assert (checked.message, checked.metadata) == (message, metadata)


def _forged(sender: str) -> str:
    base, signature = sender.split(".")
    return f"{base}.{'0' if signature[0] != '0' else '1'}{signature[1:]}"


@pytest.mark.parametrize(
    ("body", "error", "status"),
    [
        (None, NOT_JSON_OBJECT, 400),
        ([{"sender": SENDER, "message": "oui"}], NOT_JSON_OBJECT, 400),
        ("bonjour", NOT_JSON_OBJECT, 400),
        ({"message": "bonjour"}, NO_SENDER, 400),
        ({"sender": "", "message": "bonjour"}, NO_SENDER, 400),
        ({"sender": "   ", "message": "bonjour"}, NO_SENDER, 400),
        ({"sender": 123456, "message": "bonjour"}, NO_SENDER, 400),
        ({"sender": "x" * (MAX_SENDER_LENGTH + 1), "message": "bonjour"}, BAD_SENDER, 400),
        ({"sender": "moi\nautre", "message": "bonjour"}, BAD_SENDER, 400),
        ({"sender": SENDER + "\x00", "message": "bonjour"}, BAD_SENDER, 400),
        ({"sender": "telegram:123456789", "message": "bonjour"}, RESERVED_SENDER, 403),
        ({"sender": "Telegram:123456789", "message": "bonjour"}, RESERVED_SENDER, 403),
        # senders the server did not issue
        ({"sender": "moi", "message": "bonjour"}, UNSIGNED_SENDER, 403),
        ({"sender": "web-" + "a" * 32, "message": "bonjour"}, UNSIGNED_SENDER, 403),
        ({"sender": _forged(SENDER), "message": "bonjour"}, UNSIGNED_SENDER, 403),
        ({"sender": new_sender("another-secret-key-000"), "message": "bonjour"}, UNSIGNED_SENDER, 403),
        ({"sender": SENDER.upper(), "message": "bonjour"}, UNSIGNED_SENDER, 403),
        ({"sender": " " + SENDER, "message": "bonjour"}, UNSIGNED_SENDER, 403),
        ({"sender": SENDER, "message": ["bonjour"]}, BAD_MESSAGE, 400),
        ({"sender": SENDER, "message": 42}, BAD_MESSAGE, 400),
        ({"sender": SENDER, "message": "oui", "metadata": ["client", "x"]}, BAD_METADATA, 400),
        ({"sender": SENDER, "message": "oui", "metadata": "client"}, BAD_METADATA, 400),
    ],
)
def test_refused_bodies_get_a_french_reason(body, error, status):
    checked = check_rest_body(body, KEY)
    assert (checked.error, checked.status) == (error, status)


@pytest.mark.parametrize(
    ("chat_id", "sender", "back"),
    [(123456789, "telegram:123456789", 123456789), ("-100200300", "telegram:-100200300", -100200300)],
)
def test_telegram_conversations_live_in_the_reserved_namespace(chat_id, sender, back):
    assert sender_id_for(chat_id) == sender
    assert check_rest_body({"sender": sender, "message": "oui"}, KEY).status == 403
    assert TelegramOutput._chat_id(sender) == back
