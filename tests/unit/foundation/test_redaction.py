"""Redaction of conversation events before they reach the tracker database."""

from __future__ import annotations

import pytest

from bot.privacy.events import REDACTED, redact_event, redact_events

NIR = "1 80 10 42 123 456 78"


def user(text, **parse):
    return {"event": "user", "text": text, "parse_data": {"text": text, "entities": [], **parse}}


@pytest.mark.parametrize(
    "event, requested, forbidden",
    [
        (user(f"mon numéro est {NIR}"), None, "123 456"),
        (user("180104212345678"), None, "12345678"),
        (user("482913"), "otp_code", "482913"),
        (user("SMIE-4821"), "access_code", "4821"),
        ({"event": "slot", "name": "otp_code", "value": "482913"}, None, "482913"),
        ({"event": "slot", "name": "access_code", "value": "AB12"}, None, "AB12"),
        ({"event": "slot", "name": "note", "value": f"nir {NIR}"}, None, "456 78"),
    ],
)
def test_secrets_are_removed(event, requested, forbidden):
    redacted = redact_event(event, requested)
    assert forbidden not in str(redacted)
    assert event is not redacted


def test_other_events_are_untouched():
    event = {"event": "action", "name": "utter_greet"}
    assert redact_event(event, None) == event
    assert redact_event(user("bonjour"), None)["text"] == "bonjour"


def test_answer_to_a_secret_question_is_replaced_whole():
    assert redact_event(user("c'est 4821"), "otp_code")["text"] == REDACTED
    assert redact_event(user("/affirm"), "otp_code")["text"] == "/affirm"


def test_requested_slot_is_tracked_across_events():
    events = [
        {"event": "slot", "name": "requested_slot", "value": "otp_code"},
        user("123456"),
        {"event": "active_loop", "name": None},
        user("123456 bonjour"),
    ]
    out = dict(redact_events(events, start=0))
    assert out[1]["text"] == REDACTED
    assert out[3]["text"] != REDACTED
    assert len(out) == len(events)


def test_member_reference_survives_redaction():
    # digits of the signed reference must not be masked, or the next turn cannot use it
    event = {"event": "slot", "name": "member_ref", "value": "m1.12345.t4abc1.0123456789abcdef"}
    assert redact_event(event, None)["value"] == event["value"]


def test_only_events_from_start_are_yielded():
    events = [user("a"), user("b"), user("c")]
    assert [i for i, _ in redact_events(events, start=1)] == [1, 2]


def test_public_tenant_facts_and_opaque_references_are_kept():
    for name, value in [
        ("tenant_support_email", "digital.assistance-miel@malakoffhumanis.com"),
        ("tenant_sender", "nepasrepondre@assia.fr"),
        ("member_ref", "m1.12.abc.0123456789abcdef"),
    ]:
        event = {"event": "slot", "name": name, "value": value}
        assert redact_event(event, None)["value"] == value
