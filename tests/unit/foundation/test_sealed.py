"""Sealed slot values: readable back with the key, intact through the redaction."""

from __future__ import annotations

import pytest

from bot.privacy import mask_text
from bot.privacy.events import redact_event
from bot.sealed import is_sealed, seal, unseal

KEY = "k" * 32


@pytest.mark.parametrize(
    "value",
    ["paul.durand@example.com", "200001", "SMIE-4821", "1 80 10 42 218 123 33", "é à ç", ""],
)
def test_round_trip_and_nothing_in_clear(value):
    sealed = seal(KEY, value)
    assert is_sealed(sealed)
    assert unseal(KEY, sealed) == value
    if value:
        assert value not in sealed
    assert not any(char.isdigit() for char in sealed[len("sealed:") :])
    assert "@" not in sealed


@pytest.mark.parametrize("value", ["paul.durand@example.com", "200001"])
def test_the_tracker_store_redaction_leaves_a_sealed_value_intact(value):
    sealed = seal(KEY, value)
    assert mask_text(sealed) == sealed
    event = {"event": "slot", "name": "registration_email", "value": sealed}
    assert unseal(KEY, redact_event(event, None)["value"]) == value


@pytest.mark.parametrize(
    "value",
    [
        None,
        42,
        "",
        "paul.durand@example.com",
        "p***l@example.com",
        "sealed:",
        "sealed:abc",
        "sealed:zz",
        "sealed:" + "ab" * 40,
        seal("another-key-" + "x" * 20, "200001"),
    ],
)
def test_anything_else_unseals_to_none(value):
    assert unseal(KEY, value) is None


def test_a_tampered_value_is_refused():
    sealed = seal(KEY, "200001")
    flipped = sealed[:-3] + ("a" if sealed[-3] != "a" else "b") + sealed[-2:]
    assert unseal(KEY, flipped) is None
