"""Fallback: ask to rephrase; after two misunderstandings in a row, offer a human."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from bot.dialogue import consecutive_fallbacks


class ActionDefaultFallback(Action):
    def name(self) -> str:
        return "action_default_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        previous = consecutive_fallbacks(tracker.events, self.name())
        if previous >= 1 and "action_offer_support" in domain.get("actions", []):
            # second misunderstanding in a row: offer a human instead
            return [
                UserUtteranceReverted(),
                SlotSet("support_reason", "fallback"),
                FollowupAction("action_offer_support"),
            ]
        dispatcher.utter_message(response="utter_default")
        return [UserUtteranceReverted()]
