"""Pure helpers of the Telegram channel: splitting, group-chat guard, commands, buttons, secrets, URLs."""

from __future__ import annotations

import pytest

from bot.channels.payloads import MAX_LENGTH, TRUNCATION_MARK, resolve_callback
from bot.channels.telegram import (
    CALLBACK_DATA_LIMIT,
    TEXT_LIMIT,
    api_urls,
    build_keyboard,
    describe_error,
    is_authorized,
    looks_sensitive,
    message_to_rasa_text,
    split_text,
    text_length,
)
from bot.channels.telegram_cli import check_webhook_url
from bot.cli import CliError

LOREM = "Votre espace en ligne vous permet de suivre vos remboursements et de télécharger vos documents. "


@pytest.mark.parametrize(
    "text, limit, expected",
    [
        ("", 10, []),
        ("   \n ", 10, []),
        ("bonjour", 10, ["bonjour"]),
        ("x" * 10, 10, ["x" * 10]),
        ("x" * 11, 10, ["x" * 10, "x"]),
        ("un deux trois quatre", 10, ["un deux", "trois", "quatre"]),
        ("ligne un\nligne deux", 12, ["ligne un", "ligne deux"]),
        ("para un.\n\nPara deux, longue", 20, ["para un.", "Para deux, longue"]),
        # a space right after the limit is a clean cut
        ("abcdefghij klm", 10, ["abcdefghij", "klm"]),
        # emoji count as two UTF-16 units, as Telegram counts them
        ("😀" * 6, 10, ["😀" * 5, "😀"]),
        ("ab😀cd", 3, ["ab", "😀c", "d"]),
    ],
)
def test_split_text_cuts_at_natural_boundaries(text, limit, expected):
    assert split_text(text, limit) == expected


@pytest.mark.parametrize(
    "text",
    [
        LOREM * 100,
        ("Première ligne assez longue.\n" * 400),
        ("§ " + "mot " * 30 + "\n\n") * 60,
        "a" * 10_000,
        "é😀" * 3000,
        "x" * TEXT_LIMIT,
        "x" * (TEXT_LIMIT + 1),
    ],
    ids=["sentences", "lines", "paragraphs", "one-word", "emoji", "exactly-limit", "limit-plus-one"],
)
def test_split_text_keeps_every_word_under_telegram_limit(text, limit=TEXT_LIMIT):
    chunks = split_text(text)
    assert chunks
    assert all(0 < text_length(chunk) <= TEXT_LIMIT for chunk in chunks)
    assert "".join("".join(chunks).split()) == "".join(text.split())
    if text_length(text.strip()) <= TEXT_LIMIT:
        assert chunks == [text.strip()]
    else:
        assert len(chunks) >= 2


def test_split_text_prefers_paragraphs_to_lines_and_words():
    first = ("Premier paragraphe. " * 150).strip()  # ~3000 chars
    second = "Deuxième paragraphe.\n" + "ligne " * 300
    chunks = split_text(first + "\n\n" + second)
    assert chunks[0] == first


@pytest.mark.parametrize(
    "text, sensitive",
    [
        ("je veux activer mon compte", True),
        ("Activation de mon espace", True),
        ("ACTIVER", True),
        ("comment faire mon inscription ?", True),
        ("j'ai oublié mon mot de passe", True),
        ("mon numéro de sécurité sociale", True),
        ("1 85 05 78 006 084 36", True),
        ("185057800608436", True),
        ("2 90 12 2A 123 456", True),
        ("1.85.05.78.006.084", True),
        ("mon code est 482913", True),
        ("4829", True),
        ("/activate_account", True),
        ("je n'arrive pas à me connecter", True),
        ("bonjour", False),
        ("quels sont vos horaires ?", False),
        ("merci beaucoup", False),
        ("/contact", False),
        ("/greet", False),
        ("comment joindre la mutuelle", False),
        ("j'ai 3 enfants", False),
        ("", False),
        (None, False),
    ],
)
def test_group_chat_guard_spots_activation_nir_and_codes(text, sensitive):
    assert looks_sensitive(text) is sensitive


@pytest.mark.parametrize(
    "typed, sent",
    [
        ("/start", "/greet"),
        ("/start@assistant_test_bot", "/greet"),
        ("/start campagne-2024", "/greet"),
        ("/START", "/greet"),
        ("/help", "/help"),
        ("/aide", "/help"),
        ("bonjour", "bonjour"),
        ("  bonjour  ", "bonjour"),
        ("@assistant_test_bot bonjour", "bonjour"),
        # typed intents and entities are not Rasa syntax any more: buttons are pressed, never typed
        ('/activate_account{"nir": "185057800608436"}', 'activate_account{"nir": "185057800608436"}'),
        ("/affirm", "affirm"),
        ("/restart", "restart"),
        ("/greet", "greet"),
        ("//restart", "restart"),
        ("/ /restart", "restart"),
        ("@assistant_test_bot /restart", "restart"),
        ("/", ""),
        ("/startx", "startx"),
        # over-long texts are cut, still recognisably too long
        ("a" * 4000, "a" * MAX_LENGTH + TRUNCATION_MARK),
        ("/" + "a" * 4000, "a" * MAX_LENGTH + TRUNCATION_MARK),
    ],
)
def test_typed_text_to_rasa(typed, sent):
    assert message_to_rasa_text(typed) == sent


def test_keyboard_from_rasa_buttons():
    long_payload = "/inform" + "x" * 100
    markup = build_keyboard(
        [
            {"title": "Activer mon espace", "payload": "/activate_account"},
            {"title": "Le site", "url": "https://example.org/espace"},
            {"title": "Lien en payload", "payload": "https://example.org/aide"},
            {"title": "Long", "payload": long_payload},
            {"title": "Dangereux", "url": "javascript:alert(1)", "payload": "/contact"},
            {"title": "", "payload": ""},
            "not a button",
        ]
    )
    rows = markup.to_dict()["inline_keyboard"]
    assert [len(row) for row in rows] == [1, 1, 1, 1, 1]
    buttons = [row[0] for row in rows]
    assert buttons[0] == {"text": "Activer mon espace", "callback_data": "/activate_account"}
    assert buttons[1] == {"text": "Le site", "url": "https://example.org/espace"}
    assert buttons[2] == {"text": "Lien en payload", "url": "https://example.org/aide"}
    # stateless: the long payload is found again among the buttons the conversation offered
    assert len(buttons[3]["callback_data"].encode("utf-8")) <= CALLBACK_DATA_LIMIT
    assert resolve_callback(buttons[3]["callback_data"], {long_payload}) == long_payload
    assert resolve_callback(buttons[3]["callback_data"], set()) is None
    assert buttons[4] == {"text": "Dangereux", "callback_data": "/contact"}
    assert build_keyboard([]) is None


@pytest.mark.parametrize(
    "received, secret, ok",
    [
        ("s3cret", "s3cret", True),
        ("s3cret ", "s3cret", False),
        ("S3CRET", "s3cret", False),
        ("", "s3cret", False),
        (None, "s3cret", False),
        ("s3cret", None, False),
        ("", None, False),
        (None, None, False),
        ("é", "s3cret", False),
    ],
)
def test_secret_header_check(received, secret, ok):
    assert is_authorized(received, secret) is ok


@pytest.mark.parametrize(
    "setting, base, files",
    [
        (None, "https://api.telegram.org/bot", "https://api.telegram.org/file/bot"),
        ("http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/file/bot"),
        ("http://127.0.0.1:8081", "http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/file/bot"),
        ("https://tg.example.org/api/", "https://tg.example.org/api/bot", "https://tg.example.org/api/file/bot"),
        (
            "https://tg.example.org/bot{token}/x",
            "https://tg.example.org/bot{token}/x",
            "https://tg.example.org/file/bot{token}/x",
        ),
    ],
)
def test_api_base_url_setting(setting, base, files):
    assert api_urls(setting) == (base, files)


@pytest.mark.parametrize(
    "url, api, ok",
    [
        ("https://assistant.example.org/webhooks/telegram/webhook", None, True),
        ("http://assistant.example.org/webhooks/telegram/webhook", None, False),
        ("http://localhost:5005/webhooks/telegram/webhook", None, False),
        ("http://127.0.0.1:5005/webhooks/telegram/webhook", "http://127.0.0.1:8081/bot", True),
        ("http://127.0.0.1:5005/webhooks/telegram/webhook", "http://localhost:8081/bot", True),
        ("http://10.0.0.5:5005/webhooks/telegram/webhook", "https://tg.example.org/bot", False),
        ("https://user:pw@assistant.example.org/webhooks/telegram/webhook", None, False),
        ("ftp://assistant.example.org/x", None, False),
        ("assistant.example.org/webhooks", None, False),
    ],
)
def test_webhook_address_must_be_https_unless_the_api_is_local(url, api, ok):
    if ok:
        assert check_webhook_url(url, api) == url
    else:
        with pytest.raises(CliError):
            check_webhook_url(url, api)


def test_errors_are_described_without_the_token():
    token = "123456:SECRET-token"
    text = describe_error(RuntimeError(f"POST https://api.telegram.org/bot{token}/sendMessage failed"), token)
    assert token not in text
    assert "RuntimeError" in text
