"""Counting consecutive fallbacks from raw events."""

import pytest

from bot.dialogue import consecutive_fallbacks

FB = "action_default_fallback"


def act(name):
    return {"event": "action", "name": name}


@pytest.mark.parametrize(
    "events, expected",
    [
        ([], 0),
        ([act("action_listen")], 0),
        ([act(FB), act("action_listen")], 1),
        ([act(FB), act("action_listen"), {"event": "user"}, act(FB), act("action_listen")], 2),
        ([act(FB), act("action_listen"), act("utter_greet"), act("action_listen")], 0),
        ([act("utter_greet"), act(FB), act("action_listen")], 1),
    ],
)
def test_consecutive_fallbacks(events, expected):
    assert consecutive_fallbacks(events, FB) == expected
