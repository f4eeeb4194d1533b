"""The Rasa SDK actions of actions/faq.py, run with real trackers and a frozen clock.

The last test hands the action's messages to Rasa's own RemoteAction code
path, proving that ``utter_message(response="utter_faq/<key>")`` is rendered
by Rasa 3.6 with the tenant slots and the ``tenant_flow`` variation.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Dict, List

import pytest
from answers_helpers import ROOT, leaks, paris
from helpers.responses import rendered_message
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.faq import ActionAnswerContact, ActionAnswerFaq
from bot.settings import reset_settings_cache
from bot.tenants import load_tenant
from bot.tenants.facts import tenant_slot_values


@pytest.fixture
def configure(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Choose the tenant and freeze the clock (Paris local time) for the actions."""

    def _configure(tenant: str, at=None) -> None:
        monkeypatch.setenv("ASSISTANT_TENANT", tenant)
        monkeypatch.setenv("ASSISTANT_VAR_DIR", str(tmp_path))
        monkeypatch.setenv("ASSISTANT_SECRET_KEY", "k" * 32)
        if at is not None:
            clock = tmp_path / "clock"
            clock.write_text(at.isoformat(), encoding="utf-8")
            monkeypatch.setenv("ASSISTANT_CLOCK_FILE", str(clock))
        reset_settings_cache()

    yield _configure
    reset_settings_cache()


def _tracker(parse_data: Dict[str, Any], slots: Dict[str, Any] | None = None) -> Tracker:
    return Tracker(
        sender_id="test",
        slots=slots or {},
        latest_message=parse_data,
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def _parse(intent: str, key: str | None) -> Dict[str, Any]:
    data: Dict[str, Any] = {"text": "question", "intent": {"name": intent, "confidence": 0.9}, "response_selector": {}}
    if key:
        data["response_selector"][intent] = {
            "response": {"intent_response_key": f"{intent}/{key}", "utter_action": f"utter_{intent}/{key}"},
            "ranking": [],
        }
    return data


def _run(action, tracker: Tracker) -> tuple[List[Dict[str, Any]], list]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return dispatcher.messages, events


@pytest.mark.parametrize(
    ("tenant", "at", "key", "expected", "absent"),
    [
        ("miel", paris(2025, 3, 12, 10, 0), "telephone", ["04 77 49 35 35", "ouverte en ce moment"], ["fermée"]),
        ("miel", paris(2025, 3, 15, 11, 0), "telephone", ["fermée en ce moment", "rouvre lundi à 8h30"], []),
        ("miel", paris(2025, 3, 12, 19, 0), "horaires", ["rouvre demain à 8h30", "digital.assistance-miel@"], []),
        ("miel", paris(2025, 3, 12, 19, 0), None, ["Pour joindre Miel", "Charcot"], []),
        ("smie", paris(2025, 3, 12, 10, 0), "telephone", ["Je n'ai pas de numéro", "www.mutuellesmie.com"], ["04 77"]),
        ("smie", paris(2025, 3, 15, 11, 0), "adresse", ["Je n'ai pas d'adresse postale"], ["Charcot", "fermée"]),
    ],
)
def test_contact_action_uses_profile_and_clock(configure, tenant, at, key, expected, absent) -> None:
    configure(tenant, at)
    slots = tenant_slot_values(load_tenant(tenant))
    messages, events = _run(ActionAnswerContact(), _tracker(_parse("contact", key), slots))
    assert events == []
    assert len(messages) == 1
    assert messages[0]["response"].startswith("utter_answer_contact_")
    text = rendered_message(messages[0], load_tenant(tenant))["text"]
    for fragment in expected:
        assert fragment in text
    for fragment in absent:
        assert fragment not in text
    assert leaks(text, tenant) == []


@pytest.mark.parametrize(
    ("tenant", "key", "response", "text_fragment"),
    [
        ("miel", "kalixia", "utter_faq/kalixia", None),
        ("miel", "connexion", "utter_faq/connexion", None),
        ("smie", "connexion", "utter_faq/connexion", None),
        ("smie", "kalixia", "utter_answer_service_not_described", "n'est pas décrit"),
        ("smie", "services", "utter_answer_service_not_described", "www.mutuellesmie.com"),
        ("miel", "mot_de_passe_regles", "utter_answer_password_rules_nir_sms", "au moins 8 caractères"),
        ("miel", None, "utter_answer_rephrase", "reformuler"),
    ],
)
def test_faq_action_routes_the_selected_key(configure, tenant, key, response, text_fragment) -> None:
    configure(tenant)
    slots = tenant_slot_values(load_tenant(tenant))
    messages, events = _run(ActionAnswerFaq(), _tracker(_parse("faq", key), slots))
    answered = key is not None
    # slots already filled: nothing to set but the satisfaction question, asked after a real answer
    # once per conversation (actions/satisfaction.py)
    assert events == (
        [{"event": "slot", "timestamp": None, "name": "satisfaction_asked", "value": "answer"}] if answered else []
    )
    assert len(messages) == (2 if answered else 1)
    assert messages[0]["response"] == response
    if answered:
        assert messages[1]["response"] == "utter_satisfaction_ask_answer"
    if text_fragment:
        assert text_fragment in rendered_message(messages[0], load_tenant(tenant))["text"]
    # asked already in this conversation: the answer alone
    messages, events = _run(ActionAnswerFaq(), _tracker(_parse("faq", key), {**slots, "satisfaction_asked": "answer"}))
    assert events == [] and len(messages) == 1


def test_faq_action_fills_missing_tenant_slots(configure) -> None:
    configure("smie")
    messages, events = _run(ActionAnswerFaq(), _tracker(_parse("faq", "connexion")))
    values = tenant_slot_values(load_tenant("smie"))
    assert {(e["event"], e["name"], e["value"]) for e in events} == {("slot", k, v) for k, v in values.items()} | {
        ("slot", "satisfaction_asked", "answer")
    }
    assert messages[0]["tenant_space_path"] == values["tenant_space_path"]


def _said_by_rasa(messages: List[Dict[str, Any]], slots: Dict[str, Any]) -> List[Any]:
    """The bot messages Rasa's RemoteAction makes of an action's ``messages``, rendered
    with the domain's responses and a tracker holding ``slots``."""
    from rasa.core.actions.action import RemoteAction
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet as RasaSlotSet
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.load(str(ROOT / "domain.yml"))
    tracker = DialogueStateTracker.from_events("test", [], slots=domain.slots)
    for name, value in slots.items():
        tracker.update(RasaSlotSet(name, value))
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    return asyncio.run(RemoteAction._utter_responses(messages, CollectingOutputChannel(), nlg, tracker))


@pytest.mark.parametrize(
    ("tenant", "key", "expected"),
    [
        ("smie", "connexion", ["2 étapes", "5 minutes", "nepasrepondre@assia.fr"]),
        ("miel", "connexion", ["numéro d'adhérent", "mielmut.fr"]),
        ("miel", "carte_tiers_payant", ["Espace Affilié", "carte de tiers payant"]),
    ],
)
def test_rasa_renders_the_retrieval_response_named_by_the_action(configure, tenant, key, expected) -> None:
    configure(tenant)
    values = tenant_slot_values(load_tenant(tenant))
    messages, _ = _run(ActionAnswerFaq(), _tracker(_parse("faq", key), values))

    uttered = _said_by_rasa(messages, values)
    assert len(uttered) == 2  # the answer, then the satisfaction question (first answer of the conversation)
    assert uttered[1].metadata["utter_action"] == "utter_satisfaction_ask_answer"
    assert uttered[0].metadata["utter_action"] == f"utter_faq/{key}"
    for fragment in expected:
        assert fragment in uttered[0].text
    assert leaks(uttered[0].text, tenant) == []


def _parse_with_default_selector(intent: str, full_key: str, confidence: float) -> Dict[str, Any]:
    """Parse data as our one selector ("default") gives it: the top answer and its confidence."""
    return {
        "text": "question",
        "intent": {"name": intent, "confidence": 0.99},
        "response_selector": {
            "default": {
                "response": {"intent_response_key": full_key, "confidence": confidence},
                "ranking": [{"intent_response_key": full_key, "confidence": confidence}],
            }
        },
    }


def test_a_sure_faq_answer_wins_over_the_contact_intent(configure) -> None:
    # "c koi l'orientation santé" read as contact by DIET, the selector sure of faq/bien_etre
    configure("miel", paris(2025, 3, 12, 10, 0))
    tracker = _tracker(_parse_with_default_selector("contact", "faq/bien_etre", 0.61))
    messages, _ = _run(ActionAnswerContact(), tracker)
    # an answer of the guides: the satisfaction question follows it (once per conversation)
    assert [m.get("response") for m in messages] == ["utter_faq/bien_etre", "utter_satisfaction_ask_answer"]


def test_a_sure_contact_answer_wins_over_the_faq_intent(configure) -> None:
    configure("miel", paris(2025, 3, 12, 10, 0))
    tracker = _tracker(_parse_with_default_selector("faq", "contact/adresse", 0.8))
    messages, events = _run(ActionAnswerFaq(), tracker)
    assert messages[0]["response"] == "utter_answer_contact_adresse"
    # the tracker has no tenant slot yet: they come with the answer, and are set
    assert "33 rue des Docteurs Charcot" in rendered_message(messages[0])["text"]
    values = tenant_slot_values(load_tenant("miel"))
    assert {(e["event"], e["name"], e["value"]) for e in events} == {("slot", k, v) for k, v in values.items()}


def test_an_unsure_selector_leaves_the_intent_in_charge(configure) -> None:
    configure("miel", paris(2025, 3, 12, 10, 0))
    tracker = _tracker(_parse_with_default_selector("contact", "faq/bien_etre", 0.3))
    messages, _ = _run(ActionAnswerContact(), tracker)
    assert messages[0]["response"] == "utter_answer_contact_general_status"
    assert "Pour joindre Miel" in rendered_message(messages[0])["text"]


@pytest.mark.parametrize(
    ("tenant", "intent", "key", "at"),
    [
        ("miel", "contact", "telephone", paris(2025, 3, 15, 11, 0)),  # closed: status, phone, written ways
        ("miel", "contact", None, paris(2025, 3, 12, 10, 0)),  # every way, the line's status
        ("smie", "contact", "email", paris(2025, 3, 12, 10, 0)),
        ("miel", "faq", "mot_de_passe_regles", None),
        ("smie", "faq", "services", None),
    ],
)
def test_rasa_renders_the_profile_answer_named_by_the_action(configure, tenant, intent, key, at) -> None:
    configure(tenant, at)
    profile = load_tenant(tenant)
    values = tenant_slot_values(profile)
    action = ActionAnswerContact() if intent == "contact" else ActionAnswerFaq()
    messages, _ = _run(action, _tracker(_parse(intent, key), {**values, "satisfaction_asked": "answer"}))
    assert len(messages) == 1
    response, expected = messages[0]["response"], rendered_message(messages[0], profile)["text"]

    uttered = _said_by_rasa(messages, values)
    assert len(uttered) == 1 and uttered[0].metadata["utter_action"] == response
    # the member reads what the unit tests read (the slots, then the values the action gave)
    assert uttered[0].text == expected
    assert "{" not in uttered[0].text and leaks(uttered[0].text, tenant) == []
