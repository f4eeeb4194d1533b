"""Satisfaction question (issue 16): asked once per conversation, recorded in the conversation.

:func:`ask_once` is called by the actions that end something useful
(``action_complete_activation`` after the two e-mails, ``action_answer_faq``
after an answer of the member guides): the first of them in a
conversation utters the question with its two buttons and sets
``satisfaction_asked`` to the topic; later ones ask nothing, and nothing is
asked while a form is running.  ``action_record_satisfaction`` (rules in
``data/rules/satisfaction.yml``) stores the press in the ``satisfaction``
slot, which ``python -m bot report`` counts (:mod:`bot.report`).
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.report.steps import SATISFACTION_INTENTS, SATISFACTION_QUESTIONS, SATISFACTION_SLOT, SATISFACTION_TOPIC_SLOT


def ask_once(dispatcher: CollectingDispatcher, tracker: Tracker, topic: str) -> List[EventType]:
    """Ask the question about ``topic`` unless it was asked in this conversation or a form runs."""
    if topic not in SATISFACTION_QUESTIONS or tracker.get_slot(SATISFACTION_TOPIC_SLOT):
        return []
    if topic == "answer" and tracker.active_loop.get("name"):
        return []  # a question asked in the middle of a form: not now
    dispatcher.utter_message(response=SATISFACTION_QUESTIONS[topic])
    return [SlotSet(SATISFACTION_TOPIC_SLOT, topic)]


class ActionRecordSatisfaction(Action):
    """The member pressed « Oui, merci » or « Pas vraiment »: record it and thank them."""

    def name(self) -> str:
        return "action_record_satisfaction"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        rating = SATISFACTION_INTENTS.get(str(intent))
        if rating is None or not tracker.get_slot(SATISFACTION_TOPIC_SLOT):
            return []
        dispatcher.utter_message(
            response="utter_satisfaction_thanks" if rating == "helpful" else "utter_satisfaction_sorry"
        )
        if tracker.get_slot(SATISFACTION_SLOT):
            return []  # one answer per conversation: the first one counts
        return [SlotSet(SATISFACTION_SLOT, rating)]
