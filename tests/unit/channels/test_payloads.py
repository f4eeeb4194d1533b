"""Payload syntax, button presses and the length cap (bot.channels.payloads)."""

from __future__ import annotations

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.nlu.training_data.message import Message

from bot.channels.payloads import (
    CALLBACK_DATA_LIMIT,
    MAX_LENGTH,
    TRUNCATION_MARK,
    callback_data,
    cap_length,
    is_payload_syntax,
    needs_offered,
    neutralise,
    offered_payloads,
    prepare,
    resolve_callback,
    screen,
)
from bot.input_check import TOO_LONG, classify_input

OFFERED = frozenset({"/affirm", "/deny", '/choose{"service": "tiers payant"}'})


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        # offered buttons and the greeting channels send stay payloads
        ("/affirm", "/affirm"),
        ("  /deny \n", "/deny"),
        ('/choose{"service": "tiers payant"}', '/choose{"service": "tiers payant"}'),
        ("/greet", "/greet"),
        # anything else in payload syntax is plain words
        ("/restart", "restart"),
        ("/session_start", "session_start"),
        ('/activate_account{"member_ref": "x"}', 'activate_account{"member_ref": "x"}'),
        ('/choose{"service": "autre"}', 'choose{"service": "autre"}'),
        ("/affirm@1.0", "affirm@1.0"),
        ("//restart", "restart"),
        ("/ /restart", "restart"),
        (" \t/\u2003/restart", "restart"),
        ("/", ""),
        ('/greet{"x": 1}', 'greet{"x": 1}'),
        # ordinary texts are left alone
        ("bonjour", "bonjour"),
        ("oui / non", "oui / non"),
        ("1/2", "1/2"),
        ("", ""),
    ],
)
def test_screen(typed, sent):
    assert screen(typed, OFFERED) == sent


@pytest.mark.parametrize(
    "text",
    ["/restart", " /restart", "\u00a0/restart", "\u2028/restart", "//x", "/ / /x", '/\n/x{"a": 1}', "/", "//"],
)
def test_neutralised_text_is_never_read_as_a_payload_by_rasa(text):
    plain = neutralise(text)
    assert not plain.strip().startswith("/")
    assert not is_payload_syntax(plain)
    message = Message(data={"text": plain})
    unpacked = YAMLStoryReader.unpack_regex_message(message, domain=None)
    assert unpacked.get("intent") is None


def test_rasa_really_reads_what_we_let_through_as_payloads():
    unpacked = YAMLStoryReader.unpack_regex_message(Message(data={"text": screen("/affirm", OFFERED)}), domain=None)
    assert unpacked.get("intent")["name"] == "affirm"


def test_offered_payloads_are_the_buttons_since_the_last_user_message():
    events = [
        UserUttered("bonjour"),
        BotUttered("Bonjour", data={"buttons": [{"title": "Activer", "payload": "/activate_account"}]}),
        UserUttered("je veux parler à quelqu'un"),
        ActionExecuted("action_offer"),
        BotUttered("Voulez-vous ?", data={"buttons": [{"title": "Oui", "payload": "/affirm"}]}),
        BotUttered("Ou bien", data={"buttons": [{"title": "Non", "payload": "/deny"}, {"title": "x"}, "y"]}),
        BotUttered("Sans bouton"),
        ActionExecuted("action_listen"),
    ]
    assert offered_payloads(events) == {"/affirm", "/deny"}
    assert offered_payloads([event.as_dict() for event in events]) == {"/affirm", "/deny"}
    assert offered_payloads(events + [UserUttered("oui")]) == frozenset()
    assert offered_payloads([]) == frozenset()


@pytest.mark.parametrize("length", [0, 10, MAX_LENGTH - 1, MAX_LENGTH, MAX_LENGTH + 1, MAX_LENGTH + 2, 10**6])
@pytest.mark.parametrize("unit", ["x", "mot ", "  \n", "é😀"])
def test_cap_length_keeps_over_long_texts_recognisably_too_long(length, unit):
    text = (unit * (length // len(unit) + 1))[:length]
    capped = cap_length(text)
    seen_by_rasa = capped.strip()  # UserMessage strips the text
    if len(text.strip()) <= MAX_LENGTH:
        assert capped == text
    else:
        assert capped == text.strip()[:MAX_LENGTH] + TRUNCATION_MARK
        assert len(seen_by_rasa) == MAX_LENGTH + 1
        assert classify_input(seen_by_rasa) == TOO_LONG


@pytest.mark.parametrize(
    ("text", "sent"),
    [
        ("/affirm", "/affirm"),
        ("/restart", "restart"),
        ("/" + "x" * 3 * MAX_LENGTH, "x" * MAX_LENGTH + TRUNCATION_MARK),
        ("/affirm" + " " * 3 * MAX_LENGTH, "/affirm"),
        ("  " + "x" * MAX_LENGTH + "  ", "  " + "x" * MAX_LENGTH + "  "),
    ],
)
def test_prepare_screens_then_caps(text, sent):
    assert prepare(text, OFFERED) == sent


@pytest.mark.parametrize(
    "payload",
    [
        "/contact",
        "/faq/services",
        "x" * CALLBACK_DATA_LIMIT,
        "x" * (CALLBACK_DATA_LIMIT + 1),
        "/choose" + '{"service": "' + "remboursements " * 10 + '"}',
        "é" * 32,  # 64 bytes
        "é" * 33,  # 66 bytes
        "#not-a-hash",
        "Quels services propose mon espace en ligne ?",
    ],
)
def test_callback_data_fits_telegram_and_resolves_back_while_offered(payload):
    data = callback_data(payload)
    assert 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT
    fits = len(payload.encode("utf-8")) <= CALLBACK_DATA_LIMIT and not payload.startswith("#")
    assert (data == payload) is fits
    assert resolve_callback(data, {payload, "/other"}) == payload


@pytest.mark.parametrize(
    ("data", "offered", "payload"),
    [
        # a press on a button that is not among the latest ones
        ("/affirm", set(), None),
        ("/activate_account", {"/affirm"}, None),
        (callback_data("/inform" + "x" * 100), set(), None),
        ("#" + "0" * 40, {"/affirm"}, None),
        ("#", set(), None),
        ("", set(), None),
        (None, set(), None),
        # forged callback data in payload syntax is not a press either
        ('/activate_account{"member_ref": "x"}', {"/activate_account"}, None),
        # the greeting is always fine; plain text is what the member could type anyway
        ("/greet", set(), "/greet"),
        ("Quels services propose mon espace en ligne ?", set(), "Quels services propose mon espace en ligne ?"),
    ],
)
def test_stale_or_forged_callback_data_resolves_to_nothing(data, offered, payload):
    assert resolve_callback(data, offered) == payload


@pytest.mark.parametrize(
    ("text", "needed"),
    [("/affirm", True), (" /restart", True), ("/greet", False), (" /greet ", False), ("bonjour", False), ("", False)],
)
def test_the_conversation_is_read_only_for_payload_syntax_other_than_the_greeting(text, needed):
    assert needs_offered(text) is needed
