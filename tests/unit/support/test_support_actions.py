"""The support actions' own decisions, run with real Rasa SDK trackers."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.responses import rendered_message
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import client_key
from actions.support import ActionOfferSupport, ValidateSupportForm, known_email, read_email_answer
from bot.context import reset_context
from bot.sealed import seal, unseal
from bot.settings import reset_settings_cache

KEY = "k" * 32


@pytest.fixture(autouse=True)
def configure(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("ASSISTANT_TENANT", "miel")
    monkeypatch.setenv("ASSISTANT_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setenv("ASSISTANT_SECRET_KEY", KEY)
    monkeypatch.setenv("ASSISTANT_CLOCK_FILE", str(tmp_path / "clock"))
    (tmp_path / "clock").write_text("2025-11-24T09:00:00+00:00", encoding="utf-8")
    reset_settings_cache()
    reset_context()
    yield
    reset_context()
    reset_settings_cache()


def tracker(slots=None, intent="greet", text="x", events=None, metadata=None, sender="unit") -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}}
    if metadata is not None:
        latest["metadata"] = metadata
    return Tracker(
        sender_id=sender,
        slots=slots or {},
        latest_message=latest,
        events=events or [],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


@pytest.mark.parametrize(
    "slots, expected",
    [
        ({}, None),
        ({"registration_email": seal(KEY, "paul@example.org")}, "paul@example.org"),
        ({"email": seal(KEY, "marie@example.org")}, "marie@example.org"),
        ({"email": "marie@example.org"}, "marie@example.org"),
        ({"email": "m***e@example.org"}, None),  # masked by the tracker store: unusable
        ({"email": seal("other-key-" + "x" * 22, "marie@example.org")}, None),
        ({"registration_email": seal(KEY, "a@example.org"), "email": seal(KEY, "b@example.org")}, "a@example.org"),
    ],
)
def test_known_email(slots, expected):
    assert known_email(tracker(slots)) == expected


@pytest.mark.parametrize(
    "intent, events, reason",
    [
        ("request_human", [], "advisor_request"),
        ("complaint", [], "complaint"),
        (
            "greet",
            [{"event": "user", "text": "x"}, {"event": "slot", "name": "support_reason", "value": "fallback"}],
            "fallback",
        ),
    ],
)
async def test_offer_sets_the_reason_and_the_dialogue_step(intent, events, reason):
    dispatcher = CollectingDispatcher()
    result = await ActionOfferSupport().run(dispatcher, tracker(intent=intent, events=events), {})
    assert SlotSet("support_reason", reason) in result
    assert SlotSet("dialogue_step", "support.offer") in result
    (said,) = dispatcher.messages
    message = rendered_message(said)
    assert "04 77 49 35 35" in message["text"] and [b["payload"] for b in message["buttons"]] == ["/affirm", "/deny"]


@pytest.mark.parametrize(
    "value, intent, slots, expected",
    [
        ("/affirm", "affirm", {"registration_email": seal(KEY, "paul@example.org")}, "paul@example.org"),
        ("jean@example.org", "inform", {"registration_email": seal(KEY, "paul@example.org")}, "jean@example.org"),
        ("/affirm", "affirm", {}, None),
        ("pas d'adresse", "inform", {}, None),
    ],
)
def test_support_email_is_sealed_and_the_known_one_confirmed_by_yes(value, intent, slots, expected):
    from bot.sealed import unseal

    dispatcher = CollectingDispatcher()
    out = ValidateSupportForm().validate_support_email(value, dispatcher, tracker(slots, intent, value), {})
    if expected is None:
        assert out["support_email"] is None and dispatcher.messages
    else:
        assert out["support_email"] != expected and unseal(KEY, out["support_email"]) == expected


@pytest.mark.parametrize(
    "value, intent, expected",
    [("/affirm", "affirm", "yes"), ("non", "deny", "no"), ("peut-être", "inform", None), ("yes", "inform", "yes")],
)
def test_support_confirm(value, intent, expected):
    out = ValidateSupportForm().validate_support_confirm(value, CollectingDispatcher(), tracker(intent=intent), {})
    assert out == {"support_confirm": expected}


@pytest.mark.parametrize(
    "metadata, sender, expected",
    [
        ({"client": "3f9a0c"}, "web-123", "client:3f9a0c"),  # set by the server (keyed hash of the IP)
        (None, "web-123", "sender:web-123"),
        ({}, "telegram:42", "sender:telegram:42"),
        ({"client": ""}, "web-123", "sender:web-123"),
        ({"client": 12}, "web-123", "sender:web-123"),
        ("pas un objet", "web-123", "sender:web-123"),
    ],
)
def test_client_key_for_the_per_client_limits(metadata, sender, expected):
    assert client_key(tracker(metadata=metadata, sender=sender)) == expected


def test_a_mistyped_address_is_asked_again_with_its_two_buttons():
    dispatcher = CollectingDispatcher()
    address, extra = read_email_answer(dispatcher, tracker(intent="inform"), "paul@gmial.com")
    assert address is None and unseal(KEY, extra["email_unusual"]) == "paul@gmial.com"
    (said,) = dispatcher.messages
    assert said["response"] == "utter_refused_email_typo" and said["text"] is None
    message = rendered_message(said)
    assert message["text"].startswith("Vouliez-vous dire paul@gmail.com ? Si votre adresse est bien paul@gmial.com")
    assert message["buttons"] == [
        {"title": "Oui, paul@gmial.com", "payload": "/affirm"},
        {"title": "paul@gmail.com", "payload": "paul@gmail.com"},
    ]


def test_an_address_without_at_sign_is_refused_with_its_reason():
    dispatcher = CollectingDispatcher()
    assert read_email_answer(dispatcher, tracker(intent="inform"), "paul") == (None, {})
    (said,) = dispatcher.messages
    assert rendered_message(said) == {
        "text": "Il manque le signe @ dans votre adresse e-mail : merci de l'indiquer en entier, "
        "par exemple marie.dupont@exemple.fr.",
        "buttons": [],
    }
