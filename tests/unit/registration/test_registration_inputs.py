"""Reading the member's answers during the SMIE-style registration, comparing the
typed address with the one on file, and the one answer to every refused access check."""

from __future__ import annotations

import re

import pytest
from helpers.responses import render, reply_text

from bot.registration import replies
from bot.registration.inputs import find_activation_code, parse_access_code, parse_adherent_number, read_email
from bot.registration.service import same_address
from bot.tenants import load_tenant


@pytest.mark.parametrize(
    "text, expected",
    [
        ("200001", "200001"),
        ("mon numéro est 200 001", "200001"),
        ("n° 200001", "200001"),
        ("c'est 200001.", "200001"),
        ("numéro d'adhérent : ab-123456", "AB-123456"),
        ("bonjour", None),
        ("12", None),
        ("200001 ou 200002", None),
        ("", None),
    ],
)
def test_adherent_number(text, expected):
    assert parse_adherent_number(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("SMIE-4821", "SMIE-4821"),
        ("mon code est SMIE-4821", "SMIE-4821"),
        ("code d'accès : SMIE-4821", "SMIE-4821"),
        ("smie-4821", "smie-4821"),
        ("je ne sais pas", None),
        ("/affirm", None),
        ("abc", None),
    ],
)
def test_access_code(text, expected):
    assert parse_access_code(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1753446898276", "1753446898276"),
        ("mon code 1753 4468 98276", "1753446898276"),
        ("code : 1753.4468.98276 merci", "1753446898276"),
        ("175344689827", None),  # 12 digits
        ("180104221812333", None),  # a NIR, 15 digits
        ("1753446898276 et 1753446898277", None),
        ("pas de code", None),
    ],
)
def test_activation_code(text, expected):
    assert find_activation_code(text) == expected


@pytest.mark.parametrize(
    "text, address",
    [
        ("paul.durand@example.com", "paul.durand@example.com"),
        ("mon mail est Paul.Durand@Example.COM.", "Paul.Durand@example.com"),
        ("paul durand", None),
        ("paul@", None),
    ],
)
def test_email(text, address):
    reading = read_email(text)
    assert reading.address == address
    if address is None:
        assert reading.message


def test_mistyped_domain_is_suggested_then_accepted_when_typed_again():
    first = read_email("paul@gmial.com")
    assert first.address is None and first.suggestion == "paul@gmail.com" and first.typed == "paul@gmial.com"
    assert read_email("paul@gmial.com", confirmed="paul@gmial.com").address == "paul@gmial.com"
    assert read_email("paul@gmail.com", confirmed="paul@gmial.com").address == "paul@gmail.com"


@pytest.mark.parametrize(
    "typed, on_file, same",
    [
        ("paul.durand@example.com", "paul.durand@example.com", True),
        ("Paul.Durand@EXAMPLE.com", "paul.durand@example.com", True),
        (" paul.durand@example.com ", "paul.durand@example.com", True),
        ("paul.durand@example.org", "paul.durand@example.com", False),
        ("pauldurand@example.com", "paul.durand@example.com", False),
        ("paul.durand@example.com", None, False),
        (None, "paul.durand@example.com", False),
        ("", "", False),
    ],
)
def test_the_typed_address_and_the_one_on_file(typed, on_file, same):
    assert same_address(typed, on_file) is same


@pytest.mark.parametrize(
    "tenant, route",
    [
        ("smie", "contactez SMIE Mutuelle depuis votre espace personnel, sur www.mutuellesmie.com"),
        ("miel", "appelez "),
    ],
)
@pytest.mark.parametrize("failures, left", [(1, "il vous reste 2 essais"), (2, "il vous reste 1 essai")])
def test_one_answer_for_every_refused_access_check(tenant, route, failures, left):
    profile = load_tenant(tenant)
    text = reply_text(replies.mismatch(failures, profile))
    for expected in ("ne correspondent pas", f"courrier de {profile.display_name}", left,
                     "suspendue pendant un moment", "réessayez plus tard", route):  # fmt: skip
        assert expected in text, expected
    if profile.phone is None:  # SMIE: the guide gives no phone, none is invented
        assert not re.search(r"\b0\d( ?\d\d){4}\b", text)
    else:
        assert profile.phone.number in text


def test_the_question_about_the_address_on_file_shows_it_masked_only():
    smie = load_tenant("smie")
    reply = replies.contact_on_file_question(smie, "p***d@example.com")
    rendered = render(reply.response, reply.values)
    text = rendered["text"]
    assert "p***d@example.com" in text and "toujours la vôtre" in text and "Je n'envoie rien" in text
    assert [b["payload"] for b in rendered["buttons"]] == ["/affirm", "/deny"]
