"""Answers to the member's questions: FAQ (retrieval intent ``faq``) and contact.

Thin Rasa SDK actions; the decisions live in :mod:`bot.answers`.
``action_answer_faq`` utters the domain response ``utter_faq/<key>`` chosen
by the ResponseSelector (Rasa renders it with the tenant slots and the
``tenant_flow`` variations), unless the profile must answer instead
(``utter_answer_*``, chosen by :func:`bot.answers.faq.answer_faq`).
The first FAQ answer of a conversation is followed by the satisfaction
question (:mod:`actions.satisfaction`); a contact answer (phone, hours) is not.
``action_answer_contact`` says the contact answer that
:func:`bot.answers.contact.contact_answer` chooses from the profile and the
clock (opening hours are checked against ``bot.clock.now()``).  Every answer
is a ``domain.yml`` response said with its values (:func:`actions.common.say`);
the tenant slots a tracker does not have yet are given with it and set.
When the response selector is sure of an answer of the other retrieval
intent (``bot.answers.selection.confident_other_answer``), that answer is given.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import say
from actions.satisfaction import ask_once
from bot.answers.contact import contact_answer
from bot.answers.faq import FAQ_KEYS, answer_faq
from bot.answers.selection import confident_other_answer, selected_key
from bot.clock import now
from bot.reply import Reply
from bot.tenants import Tenant, current_tenant
from bot.tenants.facts import tenant_slot_values


def _missing_tenant_slots(tracker: Tracker, tenant: Tenant) -> Dict[str, Any]:
    """Tenant slots not filled yet (e.g. a tracker created before session start)."""
    values = tenant_slot_values(tenant)
    return {name: value for name, value in values.items() if tracker.get_slot(name) is None}


def _say(dispatcher: CollectingDispatcher, tracker: Tracker, tenant: Tenant, reply: Reply) -> List[EventType]:
    """Say ``reply``; the tenant slots missing from the tracker fill its placeholders and are set."""
    missing = _missing_tenant_slots(tracker, tenant)
    say(dispatcher, Reply(reply.response, {**missing, **reply.values}))
    return [SlotSet(name, value) for name, value in missing.items()]


def _utter_faq(dispatcher: CollectingDispatcher, tracker: Tracker, key: str | None) -> List[EventType]:
    tenant = current_tenant()
    events = _say(dispatcher, tracker, tenant, answer_faq(tenant, key))
    if key in FAQ_KEYS:  # an answer, not « pouvez-vous reformuler ? »
        events += ask_once(dispatcher, tracker, "answer")
    return events


def _utter_contact(dispatcher: CollectingDispatcher, tracker: Tracker, key: str | None) -> List[EventType]:
    tenant = current_tenant()
    return _say(dispatcher, tracker, tenant, contact_answer(tenant, key, now()))


class ActionAnswerFaq(Action):
    def name(self) -> str:
        return "action_answer_faq"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        other = confident_other_answer(tracker.latest_message, "faq")
        if other is not None:
            return _utter_contact(dispatcher, tracker, other[1])
        return _utter_faq(dispatcher, tracker, selected_key(tracker.latest_message, "faq"))


class ActionAnswerContact(Action):
    def name(self) -> str:
        return "action_answer_contact"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        other = confident_other_answer(tracker.latest_message, "contact")
        if other is not None:
            return _utter_faq(dispatcher, tracker, other[1])
        return _utter_contact(dispatcher, tracker, selected_key(tracker.latest_message, "contact"))
