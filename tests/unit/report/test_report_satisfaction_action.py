"""The satisfaction question and its record (actions/satisfaction.py) on real Rasa SDK trackers."""

from __future__ import annotations

import asyncio
from typing import Any, Dict

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.satisfaction import ActionRecordSatisfaction, ask_once


def _tracker(slots: Dict[str, Any] | None = None, intent: str | None = None, loop: str | None = None) -> Tracker:
    return Tracker(
        sender_id="s",
        slots=slots or {},
        latest_message={"intent": {"name": intent}} if intent else {},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": loop} if loop else {},
        latest_action_name="action_listen",
    )


@pytest.mark.parametrize(
    "topic, slots, loop, asked",
    [
        ("answer", {}, None, "utter_satisfaction_ask_answer"),
        ("activation", {}, None, "utter_satisfaction_ask_activation"),
        ("answer", {"satisfaction_asked": "activation"}, None, None),  # once per conversation
        ("answer", {}, "activation_form", None),  # not in the middle of a form
        ("activation", {}, "activation_code_form", "utter_satisfaction_ask_activation"),
        ("other", {}, None, None),
    ],
)
def test_ask_once(topic, slots, loop, asked):
    dispatcher = CollectingDispatcher()
    events = ask_once(dispatcher, _tracker(slots, loop=loop), topic)
    assert [m["response"] for m in dispatcher.messages] == ([asked] if asked else [])
    assert [(e["name"], e["value"]) for e in events] == ([("satisfaction_asked", topic)] if asked else [])


@pytest.mark.parametrize(
    "intent, slots, response, stored",
    [
        ("rate_helpful", {"satisfaction_asked": "answer"}, "utter_satisfaction_thanks", "helpful"),
        ("rate_not_helpful", {"satisfaction_asked": "activation"}, "utter_satisfaction_sorry", "not_helpful"),
        (
            "rate_not_helpful",
            {"satisfaction_asked": "answer", "satisfaction": "helpful"},
            "utter_satisfaction_sorry",
            None,
        ),
        ("rate_helpful", {}, None, None),  # never asked
        ("greet", {"satisfaction_asked": "answer"}, None, None),
    ],
)
def test_record(intent, slots, response, stored):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionRecordSatisfaction().run(dispatcher, _tracker(slots, intent), {}))
    assert [m["response"] for m in dispatcher.messages] == ([response] if response else [])
    assert [(e["name"], e["value"]) for e in events] == ([("satisfaction", stored)] if stored else [])
