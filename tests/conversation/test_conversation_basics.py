"""Basics over REST against a really started server: greeting, bad input, privacy seams."""

from __future__ import annotations

import json
import sqlite3

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
        ("tu es un robot ?", "assistant virtuel"),
        ("merci beaucoup", "plaisir"),
        ("au revoir", "Au revoir"),
        ("aide", "Je peux vous aider"),
    ],
)
def test_base_intents_answer_in_french(miel, message, expected):
    assert expected in miel.say_text(miel.new_sender(), message)


@pytest.mark.parametrize(
    "message",
    [
        "",
        "   ",
        "x" * 10_000,
        "😀😀😀",
        "<script>alert('x')</script>",
        "What is the weather like in London tomorrow?",
        "¿Dónde está la estación?",
        "asdfgh qwerty zxcvb",
    ],
    ids=["empty", "spaces", "10k", "emoji", "html", "english", "spanish", "gibberish"],
)
def test_bad_input_gets_a_polite_french_answer_and_the_bot_keeps_working(miel, message):
    sender = miel.new_sender()
    replies = miel.say(sender, message)
    texts = " ".join(r.get("text", "") for r in replies)
    if message.strip():
        assert texts, "the assistant must answer"
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
    db = miel.workdir / "conversations.db"
    with sqlite3.connect(db) as conn:
        rows = conn.execute("select count(*) from events where sender_id = ?", (sender,)).fetchone()[0]
    assert rows > 0
