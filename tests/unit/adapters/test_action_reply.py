"""Action server replies are validated as Rasa does (same verdict as
``jsonschema.validate`` on Rasa's schema), only faster."""

from __future__ import annotations

import jsonschema
import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot.adapters.patches.action_reply import ActionReplyValidator, install_fast_action_validation

SCHEMA = RemoteAction.action_response_format_spec()

VALID = [
    {"events": [], "responses": []},
    {},
    {"responses": [{"text": "Bonjour"}]},
    {"events": [{"event": "slot", "name": "x", "value": 1}], "responses": [{"text": "Bonjour"}]},
    {
        "events": [
            {"event": "session_started"},
            {"event": "slot", "name": "tenant_name", "value": "Miel"},
            {"event": "action", "name": "action_listen"},
        ]
    },
    {"events": [{"event": "bot", "text": "Bonjour", "data": {}, "metadata": None, "timestamp": None}]},
    {"events": [{"event": "active_loop", "name": None}, {"event": "followup", "name": "utter_greet"}]},
    {"events": [{"event": "user", "text": "oui", "parse_data": {"intent": {"name": "affirm", "confidence": 1.0}}}]},
]

INVALID = [
    {"events": [{"name": "x"}], "responses": []},  # an event without its type
    {"events": "not a list", "responses": []},
    {"events": [{"event": "no_such_event"}]},  # a type no schema describes
    {"events": [{"event": "slot", "value": 1}]},  # a slot event without its name
    {"events": [{"event": "slot", "name": 3, "value": 1}]},  # a name that is not a string
    {"events": [{"event": 42}]},
    {"events": ["slot"]},
    {"events": [], "responses": ["Bonjour"]},  # a response that is not an object
    {"events": [{"event": "slot", "name": "x", "value": 1, "timestamp": "hier"}]},
    {"events": [{"event": "slot", "name": "x", "value": 1}, {"event": "user", "text": 5}]},  # the second one is wrong
    "not an object",
]


def _rasa_verdict(reply) -> bool:
    try:
        jsonschema.validate(reply, SCHEMA)
    except ValidationError:
        return False
    return True


@pytest.fixture(scope="module")
def validator() -> ActionReplyValidator:
    return ActionReplyValidator(SCHEMA, "https://rasa.com/docs/rasa")


@pytest.mark.parametrize("reply", VALID)
def test_valid_replies_pass_as_with_jsonschema(validator, reply):
    assert _rasa_verdict(reply) is True
    validator.validate(reply)


@pytest.mark.parametrize("reply", INVALID)
def test_invalid_replies_are_refused_as_with_jsonschema(validator, reply):
    assert _rasa_verdict(reply) is False
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        validator.validate(reply)


def test_a_schema_of_another_shape_is_validated_whole():
    schema = {"type": "object", "properties": {"events": {"type": "array", "items": {"oneOf": [{"type": "string"}]}}}}
    validator = ActionReplyValidator(schema)
    validator.validate({"events": ["x"]})
    with pytest.raises(ValidationError):
        validator.validate({"events": [1]})


@pytest.fixture
def patched():
    original = RemoteAction._validate_action_result
    install_fast_action_validation()
    yield RemoteAction("action_x", None)
    RemoteAction._validate_action_result = original


@pytest.mark.parametrize("reply", VALID[:3])
def test_rasa_uses_it_for_valid_replies(patched, reply):
    assert patched._validate_action_result(reply) is True


@pytest.mark.parametrize("reply", INVALID[:3])
def test_rasa_uses_it_for_invalid_replies(patched, reply):
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        patched._validate_action_result(reply)
