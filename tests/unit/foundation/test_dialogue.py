"""Reading a conversation from raw events: consecutive fallbacks, the last question asked, yes/no answers."""

import pytest

from bot.dialogue import consecutive_fallbacks, last_action_before_user, yes_no_answer

FB = "action_default_fallback"


def act(name):
    return {"event": "action", "name": name}


def said(text="x"):
    return {"event": "user", "text": text}


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


@pytest.mark.parametrize(
    "events, expected",
    [
        ([act("action_registration_checked"), act("action_listen"), said("oui")], "action_registration_checked"),
        (
            [
                act("action_registration_checked"),
                act("action_listen"),
                said("?"),
                act("action_answer_faq"),
                act("action_listen"),
                said("oui"),
            ],
            "action_answer_faq",
        ),
        ([said("oui")], None),
        ([said("a"), said("oui")], None),
        (
            [act("action_registration_checked"), act("action_listen"), said("oui"), act("action_extract_slots")],
            "action_registration_checked",
        ),
        ([], None),
    ],
)
def test_last_action_before_user(events, expected):
    assert last_action_before_user(events) == expected


@pytest.mark.parametrize(
    "intent, text, expected",
    [
        ("affirm", None, True),
        ("deny", None, False),
        ("affirm", "non", True),  # the intent (a button, NLU) wins over the words
        ("deny", "oui", False),
        ("inform", None, None),  # no text given: only the intent is read
        (None, None, None),
        ("inform", "ouais c'est bien ça", True),
        ("greet", "Non, il y a une erreur", False),
        (None, "peut-être", None),
        ("inform", "", None),
    ],
)
def test_yes_no_answer(intent, text, expected):
    assert yes_no_answer(intent, text) is expected
