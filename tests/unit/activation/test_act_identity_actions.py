"""The identity actions of the activation (actions/activation.py), run with real Rasa SDK trackers.

The recap before the match, corrections at the recap, department
suggestions, a failed match that keeps the values, and a locked member
handed to support with the verified member on the conversation.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Dict, List

import pytest
from helpers.members import SECRET_KEY, add_member
from helpers.responses import rendered_message
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.activation import (
    ActionAskIdentityConfirmed,
    ActionCheckIdentity,
    ValidateActivationForm,
)
from bot.sealed import seal, unseal
from bot.security import keyed_hash

NIR = "1801042218123"  # body; the key is computed by helpers.nir
DOMAIN: Dict[str, Any] = {
    "actions": ["action_offer_support"],
    "forms": {
        "activation_form": {
            "required_slots": ["nir", "birth_date", "birth_department", "last_name", "first_name", "identity_confirmed"]
        }
    },
    "slots": {},
}


@pytest.fixture(autouse=True)
def context(ctx, monkeypatch: pytest.MonkeyPatch):
    """``get_context()`` of the actions returns the test's context (its store)."""
    monkeypatch.setattr("bot.context._context", ctx)
    return ctx


def _slots(**changes: Any) -> Dict[str, Any]:
    slots: Dict[str, Any] = {
        "nir": "1 80 10 42 *** *** **",
        "nir_hash": "h",
        "birth_date": seal(SECRET_KEY, "1980-10-14"),
        "birth_department": "42",
        "last_name": "Le Gal",
        "first_name": "Marie-Hélène",
        "identity_confirmed": None,
        "requested_slot": "identity_confirmed",
        "dialogue_step": "activation.identity",
    }
    slots.update(changes)
    return slots


def tracker(slots: Dict[str, Any], text: str = "", intent: str = "inform") -> Tracker:
    events: List[Dict[str, Any]] = [
        {"event": "action", "name": "activation_form"},
        {"event": "user", "text": text},
    ]
    return Tracker(
        sender_id="unit-identity",
        slots=dict(slots),
        latest_message={"text": text, "intent": {"name": intent, "confidence": 0.99}},
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": "activation_form"},
        latest_action_name="action_listen",
    )


def _set(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {e["name"]: e.get("value") for e in events if e.get("event") == "slot"}


def _texts(dispatcher: CollectingDispatcher) -> List[str]:
    return [m.get("response") or m.get("text") or "" for m in dispatcher.messages]


async def _validate(slots: Dict[str, Any], text: str, intent: str = "inform"):
    dispatcher = CollectingDispatcher()
    events = await ValidateActivationForm().run(dispatcher, tracker(slots, text, intent), DOMAIN)
    return _set(events), dispatcher


async def test_yes_to_the_recap_confirms():
    slots, dispatcher = await _validate(_slots(), "oui", "affirm")
    assert slots["identity_confirmed"] is True
    assert dispatcher.messages == []  # nothing said: the match answers


async def test_no_to_the_recap_asks_which_value():
    slots, dispatcher = await _validate(_slots(), "non", "deny")
    assert slots["identity_confirmed"] is None and slots["identity_recap"] == "which"
    assert dispatcher.messages == []  # the recap question says it (one message)


async def test_a_name_corrected_in_own_words_at_the_recap():
    slots, dispatcher = await _validate(_slots(), "non, c'est Le Gall avec deux L", "deny")
    assert slots["last_name"] == "Le Gall" and slots.get("identity_confirmed") is None
    assert slots["identity_recap"] == "corrected"
    assert dispatcher.messages == []  # no « C'est corrigé » bubble before the recap


async def test_a_part_of_the_date_corrected_alone_merges_with_the_date():
    slots, _ = await _validate(_slots(), "ah non le jour c'est le 12", "deny")
    assert unseal(SECRET_KEY, slots["birth_date"]) == "1980-10-12"


async def test_a_year_that_disagrees_with_the_nir_is_refused_and_kept_for_the_next_correction():
    slots, dispatcher = await _validate(_slots(), "l'année c'est 1988", "deny")
    assert slots["birth_date"] is None and unseal(SECRET_KEY, slots["birth_date_refused"]) == "1988-10-14"
    assert "1980" in rendered_message(dispatcher.messages[0])["text"]


async def test_an_unclear_answer_to_the_recap():
    slots, dispatcher = await _validate(_slots(), "euh peut-être", "inform")
    assert slots["identity_confirmed"] is None and slots["identity_recap"] == "unclear"
    assert dispatcher.messages == []


async def test_yes_with_the_values_of_a_failed_match_is_not_a_new_check():
    base = _slots()
    probe = tracker(base)
    from actions.activation import _draft_hash

    slots, _ = await _validate(_slots(identity_checked=seal(SECRET_KEY, _draft_hash(probe))), "oui", "affirm")
    assert slots["identity_confirmed"] is None and slots["identity_recap"] == "mismatch"


async def test_yes_to_several_department_suggestions_asks_which_then_the_second():
    slots = _slots(
        nir="1 80 10 29 *** *** **",
        birth_department=None,
        requested_slot="birth_department",
        department_suggestions=seal(SECRET_KEY, json.dumps(["29", "38"])),
    )
    set_, dispatcher = await _validate(slots, "oui", "affirm")
    assert set_["birth_department"] is None
    assert _texts(dispatcher) == ["utter_activation_department_which"]
    set_, dispatcher = await _validate(slots, "le premier", "inform")
    assert set_["birth_department"] == "29" and set_["department_suggestions"] is None


async def test_a_department_name_not_understood_keeps_its_suggestions():
    slots = _slots(birth_department=None, requested_slot="birth_department")
    set_, dispatcher = await _validate(slots, "finister", "inform")
    assert set_["birth_department"] is None
    assert json.loads(unseal(SECRET_KEY, set_["department_suggestions"])) == ["29", "38"]
    assert "Finistère (29)" in rendered_message(dispatcher.messages[0])["text"]


async def test_a_city_gives_its_department():
    slots = _slots(nir="1 80 10 69 *** *** **", birth_department=None, requested_slot="birth_department")
    set_, _ = await _validate(slots, "Lyon", "inform")
    assert set_["birth_department"] == "69"


async def test_a_year_slip_keeps_the_nir_and_asks_the_date_then_the_year_alone_fixes_it():
    slots = _slots(birth_date=None, requested_slot="birth_date")
    set_, dispatcher = await _validate(slots, "14/10/1990", "inform")
    assert set_["birth_date"] is None and set_.get("nir", slots["nir"]) == slots["nir"]  # the NIR is kept
    assert "naissance en 1980" in rendered_message(dispatcher.messages[0])["text"]
    refused = set_["birth_date_refused"]
    slots.update(birth_date_refused=refused)
    set_, dispatcher = await _validate(slots, "ah c'est 1980 pardon", "inform")
    assert unseal(SECRET_KEY, set_["birth_date"]) == "1980-10-14"


async def test_the_recap_shows_only_what_was_typed():
    dispatcher = CollectingDispatcher()
    await ActionAskIdentityConfirmed().run(dispatcher, tracker(_slots()), DOMAIN)
    [message] = dispatcher.messages
    assert message["response"] == "utter_activation_recap"
    facts = message["facts"]
    assert "1 80 10 42 *** *** **" in facts and "14/10/1980" in facts and "Loire (42)" in facts
    assert "Le Gal" in facts and "Marie-Hélène" in facts


async def test_a_failed_match_keeps_the_values_and_the_recap_names_them(ctx, engine):
    add_member(engine, last_name="Le Gall", first_name="Marie-Hélène", birth_date=date(1980, 10, 14))
    slots = _slots(nir_hash=keyed_hash(SECRET_KEY, "nir", "2800342999999"), requested_slot=None)
    events = await ActionCheckIdentity().run(CollectingDispatcher(), tracker(slots), DOMAIN)
    set_ = _set(events)
    assert "last_name" not in set_ and "birth_date" not in set_  # kept for the correction
    assert set_["activation_match_failures"] == 1.0 and set_["identity_checked"]
    assert events[-1] == {"event": "followup", "name": "activation_form", "timestamp": None}
    slots.update(set_)
    dispatcher = CollectingDispatcher()
    await ActionAskIdentityConfirmed().run(dispatcher, tracker(slots), DOMAIN)
    [message] = dispatcher.messages
    assert message["response"] == "utter_activation_no_match" and "Le Gal" in message["facts"]
    assert message["attempts_left"] == "2 essais"


async def test_a_locked_member_is_handed_over_verified_without_talk_of_attempts(ctx, engine):
    member = add_member(engine, status="locked")
    slots = _slots(
        nir_hash=keyed_hash(SECRET_KEY, "nir", member.nir),
        birth_date=seal(SECRET_KEY, member.birth_date.isoformat()),
        last_name=member.last_name,
        first_name=member.first_name,
        birth_department=member.birth_department,
        requested_slot=None,
    )
    dispatcher = CollectingDispatcher()
    events = await ActionCheckIdentity().run(dispatcher, tracker(slots), DOMAIN)
    set_ = _set(events)
    assert ctx.member_id(set_["member_ref"]) == member.id  # the ticket will name the member
    assert set_["support_reason"] == "account_locked"
    assert events[-1]["name"] == "action_offer_support"
    assert dispatcher.messages == []  # the hand-off says it, once


async def test_the_code_reset_by_the_send_is_not_taken_for_a_wrong_code():
    """« oui » to the contact on file: the code form starts; no « Le code comporte 6 chiffres »."""
    from actions.activation import ValidateActivationCodeForm

    events = [
        {"event": "user", "text": "oui", "parse_data": {"intent": {"name": "affirm", "confidence": 1.0}}},
        {"event": "action", "name": "activation_contact_form"},
        {"event": "action", "name": "action_send_activation_code"},
        # the send's resets are the last events when Rasa validates at the form's activation
        {"event": "slot", "name": "otp_code", "value": None},
        {"event": "slot", "name": "dialogue_step", "value": "activation.code"},
    ]
    code_tracker = Tracker(
        sender_id="unit-code",
        slots={"otp_code": None, "requested_slot": None, "member_ref": "ref", "dialogue_step": "activation.code"},
        latest_message={"text": "oui", "intent": {"name": "affirm", "confidence": 1.0}},
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": "activation_code_form"},
        latest_action_name="action_send_activation_code",
    )
    dispatcher = CollectingDispatcher()
    domain = {"forms": {"activation_code_form": {"required_slots": ["otp_code"]}}, "slots": {}}
    await ValidateActivationCodeForm().run(dispatcher, code_tracker, domain)
    assert dispatcher.messages == []


async def test_a_greeting_with_identity_values_is_read_as_an_answer():
    """« bonjour, … dans le finister, … »: nothing the member typed is dropped silently."""
    slots = _slots(nir=None, nir_hash=None, birth_date=None, birth_department=None, last_name=None, first_name=None)
    slots["requested_slot"] = "nir"
    text = "bonjour, je suis née le 08/03/1975 dans le finister, Le Gall Marie-Hélène"
    set_, dispatcher = await _validate(slots, text, "greet")
    assert set_["last_name"] == "Le Gall" and set_["first_name"] == "Marie-Hélène"
    assert unseal(SECRET_KEY, set_["birth_date"]) == "1975-03-08"
    assert set_["birth_department"] is None  # not understood: said, with suggestions
    assert any("Finistère (29)" in (rendered_message(m)["text"] or "") for m in dispatcher.messages)
