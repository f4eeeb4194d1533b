"""The Rasa server entry point validates action replies as Rasa does, only faster."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot.adapters.rasa_main import install_fast_action_validation


@pytest.fixture
def patched():
    original = RemoteAction._validate_action_result
    install_fast_action_validation()
    yield RemoteAction("action_x", None)
    RemoteAction._validate_action_result = original


@pytest.mark.parametrize(
    "reply",
    [
        {"events": [], "responses": []},
        {"events": [{"event": "slot", "name": "x", "value": 1}], "responses": [{"text": "Bonjour"}]},
    ],
)
def test_valid_replies_pass(patched, reply):
    assert patched._validate_action_result(reply) is True


@pytest.mark.parametrize(
    "reply",
    [
        {"events": [{"name": "x"}], "responses": []},  # an event without its type
        {"events": "not a list", "responses": []},
    ],
)
def test_invalid_replies_are_refused_with_rasa_s_message(patched, reply):
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        patched._validate_action_result(reply)
