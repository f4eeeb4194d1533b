"""The REST webhook of a started server: refusals in French, Telegram conversations out of reach."""

from __future__ import annotations

import json
import sqlite3
import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.conversation


def _post(assistant, body: bytes, content_type: str = "application/json"):
    request = urllib.request.Request(
        f"{assistant.base_url}/webhooks/rest/webhook", data=body, headers={"Content-Type": content_type}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as resp:  # noqa: S310 - local server
            return resp.status, json.load(resp)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read().decode("utf-8"))


def _stored_senders(assistant) -> set:
    with sqlite3.connect(assistant.env["ASSISTANT_TRACKER_DATABASE_URL"][len("sqlite:///"):]) as db:
        return {row[0] for row in db.execute("select distinct sender_id from events")}


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (b'{"message": "bonjour"}', 400, "identifiant de conversation"),
        (b'{"sender": "", "message": "bonjour"}', 400, "identifiant de conversation"),
        (b'[{"sender": "moi", "message": "bonjour"}]', 400, "objet JSON"),
        (b'{"sender": "moi", "message": ', 400, "objet JSON"),
        (b'{"sender": "moi", "message": {"text": "bonjour"}}', 400, "doit être un texte"),
        (json.dumps({"sender": "x" * 129, "message": "bonjour"}).encode(), 400, "au plus 128"),
        (b'{"sender": "telegram:424242", "message": "bonjour"}', 403, "réservé"),
    ],
)
def test_bad_requests_are_refused_in_french_and_nothing_is_stored(miel, body, status, words):
    before = _stored_senders(miel)
    code, reply = _post(miel, body)
    assert code == status
    assert words in reply["error"]
    assert _stored_senders(miel) == before, "a refused request must not create or touch a conversation"
    assert "default" not in _stored_senders(miel)


def test_a_good_request_still_gets_the_bot_s_answers(miel):
    sender = miel.new_sender("rest")
    code, reply = _post(miel, json.dumps({"sender": sender, "message": "bonjour"}).encode())
    assert code == 200
    assert reply and all(message["recipient_id"] == sender for message in reply)
    assert "Bonjour" in " ".join(message.get("text", "") for message in reply)
    assert sender in _stored_senders(miel)
