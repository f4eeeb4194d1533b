"""Basics over REST against a really started server: greeting, bad input, privacy seams."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.conversation


def test_server_uses_the_redacting_tracker_store(miel):
    status, body = miel.get("/health")
    assert status == 200
    health = json.loads(body)
    assert health["tracker_store"] == "bot.adapters.extensions.tracker_store.RedactingTrackerStore"
    assert health["tenant"] == "miel"


@pytest.mark.parametrize(
    "message, expected",
    [
        ("bonjour", "Bonjour"),
        ("Bonjour !", "Bonjour"),
        ("est-ce que je discute avec un robot ?", "assistant virtuel"),
        ("merci beaucoup", "plaisir"),
        ("au revoir", "Au revoir"),
        ("aide", "Je peux vous aider"),
    ],
)
def test_base_intents_answer_in_french(miel, message, expected):
    assert expected in miel.say_text(miel.new_sender(), message)


# what each kind of unusable message gets: the reason, in French, and what to write instead
UNREADABLE = ("Je n'ai pas pu lire votre message", "« activer mon compte »")
TOO_LONG = ("Votre message est un peu long", "résumer votre demande")
FRENCH_ONLY = ("Je ne comprends que le français", "« activer mon compte »")
NOT_UNDERSTOOD = ("Pouvez-vous reformuler", "activer votre espace")


@pytest.mark.parametrize(
    "message, expected",
    [
        ("", UNREADABLE),
        ("   ", UNREADABLE),
        ("x" * 10_000, TOO_LONG),
        ("😀😀😀", UNREADABLE),
        ("<script>alert('x')</script>", UNREADABLE),
        ("What is the weather like in London tomorrow?", FRENCH_ONLY),
        ("¿Dónde está la estación?", FRENCH_ONLY),
        ("asdfgh qwerty zxcvb", NOT_UNDERSTOOD),
    ],
    ids=["empty", "spaces", "10k", "emoji", "html", "english", "spanish", "gibberish"],
)
def test_bad_input_gets_a_polite_french_answer_and_the_bot_keeps_working(miel, message, expected):
    sender = miel.new_sender()
    replies = miel.say(sender, message)
    texts = " ".join(r.get("text", "") for r in replies)
    reason, next_step = expected
    assert reason in texts and next_step in texts, texts
    assert "<script>" not in texts
    assert "Traceback" not in texts
    # still working afterwards
    assert "Bonjour" in miel.say_text(sender, "bonjour")


def test_tenant_name_comes_from_the_profile(miel):
    text = miel.say_text(miel.new_sender(), "bonjour")
    assert "Miel" in text
    assert "SMIE" not in text


def test_conversations_are_persisted_in_our_database(miel):
    sender = miel.new_sender("persist")
    miel.say(sender, "bonjour")
    events = miel.stored_events(sender)  # SQLite or PostgreSQL, whichever the server uses
    assert [data["text"] for name, data in events if name == "user"] == ["bonjour"]
    assert any(name == "bot" for name, _ in events)
