"""Session start: fill the tenant facts the responses use, carry slots over."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.tenants import current_tenant
from bot.tenants.facts import tenant_slot_values


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        events: List[EventType] = [SessionStarted()]
        tenant_values = tenant_slot_values(current_tenant())
        # carry over slots of the previous session, except the tenant facts
        # which are always refreshed from the profile
        for key, value in tracker.current_slot_values().items():
            if key not in tenant_values and key != "requested_slot" and value is not None:
                events.append(SlotSet(key, value))
        events.extend(SlotSet(key, value) for key, value in tenant_values.items())
        events.append(ActionExecuted("action_listen"))
        return events
