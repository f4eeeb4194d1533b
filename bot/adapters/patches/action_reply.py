"""Checks the action server's replies against Rasa's schema, at a fraction of the cost.

Rasa 3.6 checks every reply of the action server with
``jsonschema.validate(result, RemoteAction.action_response_format_spec())``.
That call builds a new validator and re-checks the schema each time, then
tries every event of the reply against each of the 23 event schemas of the
schema's ``oneOf`` (one per event type, told apart by ``"event": {"const":
...}``). On our 2-core machine that was 30 ms per custom action, then still
7 ms for a session start (a dozen ``slot`` events) once the validator was
built once (bench/README.md).

:class:`ActionReplyValidator` gives the same verdict: the reply is checked
against the schema without the ``oneOf``, then each event against the one
event schema its ``event`` names. The consts are distinct, so "exactly one
of" is "the one whose const matches"; an event whose type matches none is
refused, as ``oneOf`` refuses it. Invalid replies raise the same
:class:`jsonschema.ValidationError` with Rasa's message.

Patch ``action_reply`` (:mod:`bot.adapters.patches`): replaces the private
``RemoteAction._validate_action_result``; reads
``RemoteAction.action_response_format_spec()`` and ``DOCS_BASE_URL``
(docs/upgrading-rasa.md).
"""

from __future__ import annotations

import copy
from typing import Any, Dict, Mapping

from jsonschema import ValidationError
from jsonschema.validators import validator_for

from bot.adapters.patches import rasa_version_supported

RASA_VERSION = "3.6.x"

RASA_HINT = (
    ". Failed to validate Action server response from API, make sure your response from the "
    "Action endpoint is valid. For more information about the format visit {docs}/custom-actions"
)


class ActionReplyValidator:
    """Validates action server replies against Rasa's response schema."""

    def __init__(self, schema: Mapping[str, Any], docs_url: str = "") -> None:
        validator_class = validator_for(schema)
        validator_class.check_schema(schema)
        self._full = validator_class(schema)
        self._hint = RASA_HINT.format(docs=docs_url)
        outer = copy.deepcopy(dict(schema))
        items = outer.get("properties", {}).get("events", {}).get("items", {})
        variants = items.pop("oneOf", None) if isinstance(items, dict) else None
        self._by_event: Dict[str, Any] | None = None
        if variants is not None:
            by_event: Dict[str, Any] = {}
            for variant in variants:
                event_type = variant.get("properties", {}).get("event", {}).get("const")
                if not isinstance(event_type, str) or event_type in by_event:
                    return  # not the shape we know: validate with the full schema
                by_event[event_type] = validator_class(variant)
            self._by_event = by_event
            self._outer = validator_class(outer)

    def validate(self, reply: Any) -> None:
        """Raise :class:`ValidationError` (with Rasa's hint) if ``reply`` is invalid."""
        try:
            self._validate(reply)
        except ValidationError as error:
            error.message += self._hint
            raise

    def _validate(self, reply: Any) -> None:
        if self._by_event is None:
            self._full.validate(reply)
            return
        self._outer.validate(reply)
        events = reply.get("events") if isinstance(reply, dict) else None
        if not isinstance(events, list):
            return  # absent: allowed by the schema; any other type was refused above
        for event in events:
            variant = self._by_event.get(event["event"])
            if variant is None:
                raise ValidationError(f"{event!r} is not valid under any of the given schemas")
            variant.validate(event)


def install_fast_action_validation() -> ActionReplyValidator:
    """Make Rasa's ``RemoteAction`` validate replies with one :class:`ActionReplyValidator`."""
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    validator = ActionReplyValidator(RemoteAction.action_response_format_spec(), DOCS_BASE_URL)

    def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
        validator.validate(result)
        return True

    # a marker attribute on the function (is_installed reads it); functions are not typed as having it
    _validate_action_result._bot_fast_validation = True  # type: ignore[attr-defined]
    RemoteAction._validate_action_result = _validate_action_result
    return validator


def is_installed() -> bool:
    from rasa.core.actions.action import RemoteAction

    return getattr(RemoteAction._validate_action_result, "_bot_fast_validation", False)


def install(rasa_version: str | None = None) -> bool:
    """The patch: :func:`install_fast_action_validation` once, on the Rasa versions it was written for."""
    if not rasa_version_supported(__name__, RASA_VERSION, rasa_version):
        return False
    if not is_installed():
        install_fast_action_validation()
    return True


__all__ = ["RASA_VERSION", "ActionReplyValidator", "install", "install_fast_action_validation", "is_installed"]
