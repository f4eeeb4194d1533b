"""Why a conversation is handed to support, and the last question asked."""

from __future__ import annotations

import pytest

from bot.registration.state import last_action_before_user
from bot.support.reason import handoff_reason


def user(text="x"):
    return {"event": "user", "text": text}


def action(name):
    return {"event": "action", "name": name}


def reason_slot(value):
    return {"event": "slot", "name": "support_reason", "value": value}


@pytest.mark.parametrize(
    "events, intent, expected",
    [
        ([user()], "request_human", "advisor_request"),
        ([user()], "complaint", "complaint"),
        ([user()], "greet", "other"),
        ([user()], None, "other"),
        # second fallback: the message is reverted, the reason set after it wins
        ([user(), action("action_default_fallback"), {"event": "rewind"}, reason_slot("fallback")], "greet", "fallback"),
        ([user(), reason_slot("activation_locked")], "inform", "activation_locked"),
        # a reason left from an earlier hand-off does not stick
        ([reason_slot("fallback"), user()], "request_human", "advisor_request"),
        ([user(), reason_slot("nonsense")], "complaint", "complaint"),
    ],
)
def test_handoff_reason(events, intent, expected):
    assert handoff_reason(events, intent) == expected


@pytest.mark.parametrize(
    "events, expected",
    [
        ([action("action_registration_checked"), action("action_listen"), user("oui")], "action_registration_checked"),
        ([action("action_registration_checked"), action("action_listen"), user("?"), action("action_answer_faq"),
          action("action_listen"), user("oui")], "action_answer_faq"),
        ([user("oui")], None),
        ([user("a"), user("oui")], None),
        ([action("action_registration_checked"), action("action_listen"), user("oui"),
          action("action_extract_slots")], "action_registration_checked"),
        ([], None),
    ],
)
def test_last_action_before_user(events, expected):
    assert last_action_before_user(events) == expected
