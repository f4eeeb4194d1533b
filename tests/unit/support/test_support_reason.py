"""Why a conversation is handed to support, from literal event lists."""

from __future__ import annotations

import pytest

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
        (
            [user(), action("action_default_fallback"), {"event": "rewind"}, reason_slot("fallback")],
            "greet",
            "fallback",
        ),
        ([user(), reason_slot("activation_locked")], "inform", "activation_locked"),
        # a reason left from an earlier hand-off does not stick
        ([reason_slot("fallback"), user()], "request_human", "advisor_request"),
        ([user(), reason_slot("nonsense")], "complaint", "complaint"),
        # the activation's hand-offs (issue 12): the contact on file is not theirs, there is none,
        # or the code could not be sent
        ([user(), reason_slot("contact_not_theirs")], "deny", "contact_not_theirs"),
        ([user(), reason_slot("no_contact_on_file")], "inform", "no_contact_on_file"),
        ([user(), reason_slot("code_not_delivered")], None, "code_not_delivered"),
        ([reason_slot("contact_not_theirs"), user()], "greet", "other"),
    ],
)
def test_handoff_reason(events, intent, expected):
    assert handoff_reason(events, intent) == expected
