"""Reading the member's answers during the SMIE-style registration."""

from __future__ import annotations

import pytest

from bot.registration.inputs import find_activation_code, parse_access_code, parse_adherent_number, read_email


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
