"""Telegram end to end: signed updates into the really started assistant, replies read at the fake Bot API."""

from __future__ import annotations

import secrets

import pytest

from bot.channels.identity import client_key
from bot.channels.telegram import EXPIRED_BUTTON_MESSAGE, ONLY_TEXT_MESSAGE, PRIVATE_CHAT_ONLY_MESSAGE
from bot.tenants import load_tenant
from bot.typography import NBSP, plain_spaces
from tests.telegram.conftest import SECRET, TOKEN, post_update, tracker_events
from tests.telegram.fake_bot_api import ATTACHMENTS, callback_update, message_update, text_update

pytestmark = [pytest.mark.conversation, pytest.mark.slow]


def new_chat(group: bool = False) -> int:
    value = 10_000_000 + secrets.randbelow(900_000_000)
    return -value if group else value


def user_events(assistant, chat_id):
    return [data for name, data in tracker_events(assistant, f"telegram:{chat_id}") if name == "user"]


@pytest.mark.parametrize("typed", ["/start", "/start@assistant_test_bot", "bonjour"])
def test_start_greets_with_an_inline_keyboard(telegram_assistant, fake_api, typed):
    chat_id = new_chat()
    status, body = post_update(telegram_assistant, text_update(chat_id, typed))
    assert (status, body) == (200, {"ok": True})

    sent = fake_api.calls_of("sendMessage", chat_id)
    assert sent, "the assistant must answer on Telegram"
    greeting = next(call for call in sent if call.keyboard())
    assert "Bonjour" in greeting.text
    assert "Miel" in greeting.text and "SMIE" not in greeting.text
    assert [(b["text"], b["callback_data"]) for b in greeting.buttons()] == [
        ("Activer mon espace", "/activate_account"),
        ("Contacter Miel", "/contact"),
    ]
    for call in sent:
        assert call.params["parse_mode"] == "HTML"  # escaped text with links (fake_bot_api checks the HTML)
        assert call.params["link_preview_options"] == {"is_disabled": True}

    # the chat id is the conversation id, and Rasa knows where the message came from
    events = user_events(telegram_assistant, chat_id)
    assert events
    metadata = events[-1]["metadata"]
    assert (metadata["channel"], metadata["chat_type"]) == ("telegram", "private")
    # the per-client limits count this chat, under a keyed hash of its id
    assert metadata["client"] == client_key(telegram_assistant.env["ASSISTANT_SECRET_KEY"], f"telegram:{chat_id}")
    assert events[-1]["input_channel"] == "telegram"
    assert events[-1]["parse_data"]["intent"]["name"] == "greet"


def test_the_conversation_continues_in_the_same_chat(telegram_assistant, fake_api):
    chat_id = new_chat()
    post_update(telegram_assistant, text_update(chat_id, "/start"))
    post_update(telegram_assistant, text_update(chat_id, "merci beaucoup"))
    assert "plaisir" in fake_api.calls_of("sendMessage", chat_id)[-1].text
    assert len(user_events(telegram_assistant, chat_id)) == 2


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET.upper(), SECRET + " "])
def test_wrong_or_missing_secret_is_refused_and_nothing_processed(telegram_assistant, fake_api, secret):
    chat_id = new_chat()
    status, _ = post_update(telegram_assistant, text_update(chat_id, "bonjour"), secret=secret)
    assert status == 403
    assert fake_api.calls_for_chat(chat_id) == []
    assert tracker_events(telegram_assistant, f"telegram:{chat_id}") == []


def test_a_button_press_is_answered_and_taken_as_the_choice(telegram_assistant, fake_api):
    chat_id = new_chat()
    post_update(telegram_assistant, text_update(chat_id, "/start"))
    press = callback_update(chat_id, "/contact")
    assert post_update(telegram_assistant, press)[0] == 200

    methods = [(c.method, c.params.get("callback_query_id")) for c in fake_api.calls]
    answer_at = methods.index(("answerCallbackQuery", press["callback_query"]["id"]))
    reply = fake_api.calls_of("sendMessage", chat_id)[-1]
    assert fake_api.calls.index(reply) > answer_at, "the button is answered before the reply"
    phone = load_tenant("miel").phone
    assert phone is not None and phone.number in plain_spaces(reply.text)  # typeset: no-break spaces
    assert user_events(telegram_assistant, chat_id)[-1]["parse_data"]["intent"]["name"] == "contact"


@pytest.mark.parametrize("kind", sorted(ATTACHMENTS))
def test_non_text_messages_get_a_polite_text_only_answer(telegram_assistant, fake_api, kind):
    chat_id = new_chat()
    assert post_update(telegram_assistant, message_update(chat_id, **ATTACHMENTS[kind]))[0] == 200
    assert [c.text for c in fake_api.calls_of("sendMessage", chat_id)] == [ONLY_TEXT_MESSAGE]
    assert user_events(telegram_assistant, chat_id) == []


def test_service_messages_in_a_group_get_no_answer(telegram_assistant, fake_api):
    chat_id = new_chat(group=True)
    update = message_update(chat_id, "group", new_chat_members=[{"id": 42, "is_bot": False, "first_name": "Léa"}])
    assert post_update(telegram_assistant, update)[0] == 200
    assert fake_api.calls_for_chat(chat_id) == []


@pytest.mark.parametrize(
    "chat_type, typed",
    [
        ("group", "je veux activer mon compte"),
        ("supergroup", "Activation de mon espace svp"),
        ("group", "1 85 05 78 006 084 36"),
        ("group", "185057800608436"),
        ("supergroup", "voici mon code : 482913"),
        ("group", "@assistant_test_bot j'ai oublié mon mot de passe"),
    ],
)
def test_activation_in_a_group_is_sent_to_a_private_chat_and_nothing_is_stored(
    telegram_assistant, fake_api, chat_type, typed
):
    chat_id = new_chat(group=True)
    assert post_update(telegram_assistant, text_update(chat_id, typed, chat_type))[0] == 200
    assert [c.text for c in fake_api.calls_of("sendMessage", chat_id)] == [PRIVATE_CHAT_ONLY_MESSAGE]
    assert tracker_events(telegram_assistant, f"telegram:{chat_id}") == []


def test_the_activation_button_in_a_group_is_refused_too(telegram_assistant, fake_api):
    chat_id = new_chat(group=True)
    post_update(telegram_assistant, text_update(chat_id, "bonjour", "group"))
    stored = len(tracker_events(telegram_assistant, f"telegram:{chat_id}"))
    assert stored > 0, "a harmless message in a group is answered"
    assert user_events(telegram_assistant, chat_id)[-1]["metadata"]["chat_type"] == "group"

    press = callback_update(chat_id, "/activate_account", "group")
    assert post_update(telegram_assistant, press)[0] == 200
    assert fake_api.calls_of("answerCallbackQuery")[-1].params["callback_query_id"] == press["callback_query"]["id"]
    assert fake_api.calls_of("sendMessage", chat_id)[-1].text == PRIVATE_CHAT_ONLY_MESSAGE
    assert len(tracker_events(telegram_assistant, f"telegram:{chat_id}")) == stored


def test_a_typed_nir_in_a_private_chat_is_processed_but_never_stored_in_clear(telegram_assistant, fake_api):
    chat_id = new_chat()
    nir = "1 85 05 78 006 084 36"
    post_update(telegram_assistant, text_update(chat_id, "je veux activer mon compte"))
    post_update(telegram_assistant, text_update(chat_id, nir))
    assert fake_api.calls_of("sendMessage", chat_id), "the assistant answers in a private chat"
    stored = " ".join(str(data) for _, data in tracker_events(telegram_assistant, f"telegram:{chat_id}"))
    assert nir not in stored and nir.replace(" ", "") not in stored


def test_activation_starts_through_telegram(telegram_assistant, fake_api):
    chat_id = new_chat()
    post_update(telegram_assistant, text_update(chat_id, "/start"))
    post_update(telegram_assistant, callback_update(chat_id, "/activate_account"))
    replies = " ".join(c.text for c in fake_api.calls_of("sendMessage", chat_id)[1:])
    assert "sécurité sociale" in replies

    chat_id = new_chat()
    post_update(telegram_assistant, text_update(chat_id, "je veux activer mon compte"))
    replies = " ".join(c.text for c in fake_api.calls_of("sendMessage", chat_id))
    assert "sécurité sociale" in replies
    for call in fake_api.calls_of("sendMessage", chat_id):
        assert TOKEN not in call.text


@pytest.mark.parametrize("typed", ["/restart", '/activate_account{"member_ref": "x"}', "/session_start"])
def test_typed_payload_syntax_is_plain_text(telegram_assistant, fake_api, typed):
    chat_id = new_chat()
    post_update(telegram_assistant, text_update(chat_id, "/start"))
    assert post_update(telegram_assistant, text_update(chat_id, typed))[0] == 200
    assert fake_api.calls_of("sendMessage", chat_id)[-1].text, "the member gets an answer"
    events = tracker_events(telegram_assistant, f"telegram:{chat_id}")
    kinds = [name for name, _ in events]
    assert "restart" not in kinds
    assert kinds.count("session_started") == 1, "the conversation went on"
    last = [data for name, data in events if name == "user"][-1]
    assert last["text"] == typed.lstrip("/")
    assert last["parse_data"]["intent"]["name"] not in {"restart", "session_start"}
    assert not [data for name, data in events if name == "slot" and data.get("name") == "member_ref"]


def test_an_old_keyboard_is_no_longer_active(telegram_assistant, fake_api):
    chat_id = new_chat()
    post_update(telegram_assistant, text_update(chat_id, "/start"))
    post_update(telegram_assistant, text_update(chat_id, "merci beaucoup"))
    stored = len(user_events(telegram_assistant, chat_id))
    press = callback_update(chat_id, "/contact")
    assert post_update(telegram_assistant, press)[0] == 200
    assert fake_api.calls_of("answerCallbackQuery")[-1].params["callback_query_id"] == press["callback_query"]["id"]
    assert fake_api.calls_of("sendMessage", chat_id)[-1].text == EXPIRED_BUTTON_MESSAGE
    assert len(user_events(telegram_assistant, chat_id)) == stored


def test_contact_details_are_tappable_links_and_typeset(telegram_assistant, fake_api):
    miel = load_tenant("miel")
    chat_id = new_chat()
    post_update(telegram_assistant, text_update(chat_id, "comment je peux joindre la mutuelle ?"))
    sent = fake_api.calls_of("sendMessage", chat_id)
    assert sent, "the assistant must answer on Telegram"
    answer = sent[-1]
    assert answer.params["parse_mode"] == "HTML"
    links = dict((href, label) for label, href in answer.links())
    assert links.get(miel.phone.e164.replace("+", "tel:+")) == miel.phone.number.replace(" ", NBSP)
    assert links.get(f"mailto:{miel.support_email}") == miel.support_email
    # French typography: no line break inside the number or before « : »
    assert miel.phone.number.replace(" ", NBSP) in answer.text
    assert f"{NBSP}:" in answer.text and " :" not in answer.text
    for call in sent:
        assert "<script" not in call.raw_text


def test_a_site_address_is_a_link_and_markup_in_a_reply_is_escaped(telegram_assistant, fake_api):
    chat_id = new_chat()
    post_update(telegram_assistant, text_update(chat_id, "c'est quoi l'adresse de votre site internet ?"))
    answer = fake_api.calls_of("sendMessage", chat_id)[-1]
    assert ("https://mielmut.fr", "https://mielmut.fr") in answer.links()
    assert ("mielmut.fr", "https://mielmut.fr") in answer.links()
    # only the links are markup: everything else reaches the member as written
    assert answer.raw_text.count("<a ") == len(answer.links())


def test_to_html_output_is_accepted_by_the_fake_api_parser():
    from bot.channels.telegram import to_html
    from tests.telegram.fake_bot_api import parse_html

    text = f"<b>gras</b> & <i>tel</i> : 04{NBSP}77{NBSP}49{NBSP}35{NBSP}35, a&b@x.fr, https://ex.org/?a=1&b=2"
    visible, links = parse_html(to_html(text))
    assert visible == text
    assert ("https://ex.org/?a=1&b=2", "https://ex.org/?a=1&b=2") in links
    assert (f"04{NBSP}77{NBSP}49{NBSP}35{NBSP}35", "tel:+33477493535") in links
