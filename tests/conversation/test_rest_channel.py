"""The REST webhook of a started server: issued senders only, refusals in French, no typed payloads.

Also: Telegram conversations out of reach, over-long messages cut before NLU,
and the client key of per-client limits set by the server from the client's
address (``X-Forwarded-For`` trusted from 127.0.0.1 in the test servers).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from bot.channels.identity import client_key
from bot.input_check import MAX_LENGTH

pytestmark = pytest.mark.conversation

UNSIGNED = "n'a pas été délivré par ce service"


def _post(
    assistant,
    body: bytes,
    content_type: str = "application/json",
    path: str = "/webhooks/rest/webhook",
    headers: dict | None = None,
):
    request = urllib.request.Request(
        f"{assistant.base_url}{path}", data=body, headers={"Content-Type": content_type, **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as resp:  # noqa: S310 - local server
            return resp.status, json.load(resp)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read().decode("utf-8"))


def _say(assistant, sender: str, message: str, **extra):
    return _post(assistant, json.dumps({"sender": sender, "message": message, **extra}).encode())


def _stored_senders(assistant) -> set:
    return assistant.stored_senders()  # SQLite or PostgreSQL, whichever the server uses


def _events(assistant, sender: str) -> list:
    return assistant.stored_events(sender)


def _user_events(assistant, sender: str) -> list:
    return [data for name, data in _events(assistant, sender) if name == "user"]


def _forged(sender: str) -> str:
    base, signature = sender.split(".")
    return f"{base}.{signature[::-1]}" if signature[::-1] != signature else f"{base}.{'0' * 32}"


def test_the_server_issues_signed_conversation_ids(miel):
    code, body = _post(miel, b"", path="/webhooks/rest/session")
    assert code == 200
    sender = body["sender"]
    assert sender.startswith("web-") and len(sender) == 69
    assert sender != miel.new_sender()


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (b'{"message": "bonjour"}', 400, "identifiant de conversation"),
        (b'{"sender": "", "message": "bonjour"}', 400, "identifiant de conversation"),
        (b'[{"sender": "moi", "message": "bonjour"}]', 400, "objet JSON"),
        (b'{"sender": "moi", "message": ', 400, "objet JSON"),
        (json.dumps({"sender": "x" * 129, "message": "bonjour"}).encode(), 400, "au plus 128"),
        (b'{"sender": "telegram:424242", "message": "bonjour"}', 403, "réservé"),
        # conversation ids the caller made up
        (b'{"sender": "moi", "message": "bonjour"}', 403, UNSIGNED),
        (json.dumps({"sender": "web-" + "0" * 32, "message": "bonjour"}).encode(), 403, UNSIGNED),
        (json.dumps({"sender": "web-" + "0" * 32 + "." + "0" * 32, "message": "bonjour"}).encode(), 403, UNSIGNED),
    ],
)
def test_bad_requests_are_refused_in_french_and_nothing_is_stored(miel, body, status, words):
    before = _stored_senders(miel)
    code, reply = _post(miel, body)
    assert code == status
    assert words in reply["error"]
    assert _stored_senders(miel) == before, "a refused request must not create or touch a conversation"
    assert "default" not in _stored_senders(miel)


def test_a_forged_signature_or_a_bad_body_with_an_issued_sender_is_refused(miel):
    sender = miel.new_sender()
    before = _stored_senders(miel)
    for body, status, words in [
        ({"sender": _forged(sender), "message": "bonjour"}, 403, UNSIGNED),
        ({"sender": sender, "message": {"text": "bonjour"}}, 400, "doit être un texte"),
        ({"sender": sender, "message": "bonjour", "metadata": ["x"]}, 400, "objet JSON"),
    ]:
        code, reply = _post(miel, json.dumps(body).encode())
        assert (code, words in reply["error"]) == (status, True)
    assert _stored_senders(miel) == before


def test_a_good_request_still_gets_the_bot_s_answers(miel):
    sender = miel.new_sender("rest")
    code, reply = _say(miel, sender, "bonjour")
    assert code == 200
    assert reply and all(message["recipient_id"] == sender for message in reply)
    assert "Bonjour" in " ".join(message.get("text", "") for message in reply)
    assert sender in _stored_senders(miel)


@pytest.mark.parametrize("typed", ["/restart", "  //restart"])
def test_a_typed_restart_does_not_restart_the_conversation(miel, typed):
    sender = miel.new_sender()
    assert _say(miel, sender, "bonjour")[0] == 200
    code, reply = _say(miel, sender, typed)
    assert code == 200 and reply, "the member still gets an answer"
    events = _events(miel, sender)
    assert "restart" not in [name for name, _ in events]
    last = _user_events(miel, sender)[-1]
    assert last["text"] == "restart"
    assert last["parse_data"]["intent"]["name"] != "restart"


def test_typed_intents_and_entities_are_not_rasa_syntax(miel):
    sender = miel.new_sender()
    code, _ = _say(miel, sender, '/activate_account{"member_ref": "x"}')
    assert code == 200
    events = _events(miel, sender)
    last = _user_events(miel, sender)[-1]
    assert last["text"] == 'activate_account{"member_ref": "x"}', "read by NLU as words, not as a payload"
    assert last["parse_data"]["entities"] == []
    assert not [data for name, data in events if name == "slot" and data.get("name") == "member_ref"]


def test_a_button_offered_by_the_assistant_works_when_sent_back(miel):
    sender = miel.new_sender()
    code, greeting = _say(miel, sender, "/greet")  # what the widget sends when it opens
    assert code == 200
    payloads = [button["payload"] for reply in greeting for button in reply.get("buttons", [])]
    assert "/contact" in payloads
    code, reply = _say(miel, sender, "/contact")
    assert code == 200
    last = _user_events(miel, sender)[-1]
    assert (last["text"], last["parse_data"]["intent"]["name"]) == ("/contact", "contact")
    assert last["parse_data"]["intent"]["confidence"] == 1.0
    # once answered, the same payload is no longer a button the assistant offers
    _say(miel, sender, "/contact")
    assert _user_events(miel, sender)[-1]["text"] == "contact"


def test_an_over_long_message_gets_the_polite_answer(miel):
    sender = miel.new_sender()
    code, reply = _say(miel, sender, "je voudrais savoir " * 100_000)  # ~1.9 MB
    assert code == 200
    text = " ".join(message.get("text", "") for message in reply)
    assert "un peu long" in text, text
    last = _user_events(miel, sender)[-1]
    assert len(last["text"]) == MAX_LENGTH + 1, "cut before NLU"
    assert last["parse_data"]["intent"]["name"] == "too_long"


def test_the_client_key_is_set_by_the_server_from_the_client_address(miel):
    key = miel.env["ASSISTANT_SECRET_KEY"]
    sender = miel.new_sender()
    # a "client" chosen by the caller is ignored; other metadata is kept
    miel.say(sender, "bonjour", metadata={"client": "someone-else", "page": "/aide"}, client_ip="203.0.113.7")
    metadata = _user_events(miel, sender)[-1]["metadata"]
    assert metadata["client"] == client_key(key, "203.0.113.7")
    assert metadata["page"] == "/aide"
    # the same conversation from another address is another client
    miel.say(sender, "merci", client_ip="198.51.100.20")
    assert _user_events(miel, sender)[-1]["metadata"]["client"] == client_key(key, "198.51.100.20")
    # behind the trusted proxy (127.0.0.1) the address it appended counts, not one the caller invented
    _post(
        miel,
        json.dumps({"sender": sender, "message": "bonjour"}).encode(),
        headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.9"},
    )
    assert _user_events(miel, sender)[-1]["metadata"]["client"] == client_key(key, "203.0.113.9")
    # a direct call: the peer address
    _say(miel, sender, "bonjour")
    assert _user_events(miel, sender)[-1]["metadata"]["client"] == client_key(key, "127.0.0.1")


def test_the_widget_configuration_names_the_session_endpoint(miel):
    status, body = miel.get("/chat/config.json")
    assert status == 200
    config = json.loads(body)
    assert (config["webhook"], config["session"]) == ("/webhooks/rest/webhook", "/webhooks/rest/session")
