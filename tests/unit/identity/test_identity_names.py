"""same_person_name, normalize_name and parse_person_name."""

from __future__ import annotations

import pytest

from bot.identity import InvalidPersonName, normalize_name, parse_person_name, same_person_name


@pytest.mark.parametrize(
    ("left", "right", "same"),
    [
        ("Le Gall", "LE-GALL", True),
        ("Le Gall", "Legall", True),
        ("Hélène", "helene", True),
        ("  Marie   Claire ", "marie-claire", True),
        ("N'Diaye", "NDIAYE", True),
        ("N’Diaye", "n diaye", True),
        ("Lætitia", "laetitia", True),
        ("Cœur", "COEUR", True),
        ("Œuvray", "oeuvray", True),
        ("Müller", "Muller", True),
        ("D'Arc", "darc", True),
        ("Marie-Hélène", "marie helene", True),
        ("Marie", "Marine", False),
        ("Dupont", "Dupond", False),
        ("Martin", "Martine", False),
        ("", "", False),
        ("-", "'", False),
    ],
)
def test_same_person_name(left: str, right: str, same: bool) -> None:
    assert same_person_name(left, right) is same
    assert same_person_name(right, left) is same


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [("LE-GALL", "le gall"), ("  Hélène  ", "helene"), ("d’Artagnan", "d artagnan"), ("Jean--Pierre", "jean pierre")],
)
def test_normalize_name(typed: str, normalized: str) -> None:
    assert normalize_name(typed) == normalized


@pytest.mark.parametrize(
    ("typed", "cleaned"),
    [
        ("  Dupont ", "Dupont"),
        ("jean - pierre", "jean-pierre"),
        ("Marie   Claire", "Marie Claire"),
        ("O ’ Brien", "O'Brien"),
        ("Éloïse", "Éloïse"),
        ("Ste. Croix", "Ste. Croix"),
    ],
)
def test_parse_person_name_cleans(typed: str, cleaned: str) -> None:
    assert parse_person_name(typed) == cleaned


@pytest.mark.parametrize(
    ("typed", "first_name", "reason", "fragment"),
    [
        ("", False, "empty", "Merci d'indiquer votre nom"),
        ("  - ", True, "empty", "Merci d'indiquer votre prénom"),
        ("Dupont2", False, "digits", "pas de chiffres"),
        ("Marie 3", True, "digits", "Un prénom ne contient pas de chiffres"),
        ("Dupont (épouse Martin)", False, "characters", "que des lettres"),
        ("a@b", True, "characters", "que des lettres"),
        ("x" * 81, False, "too_long", "trop long"),
    ],
)
def test_parse_person_name_refusals(typed: str, first_name: bool, reason: str, fragment: str) -> None:
    with pytest.raises(InvalidPersonName) as caught:
        parse_person_name(typed, first_name=first_name)
    assert caught.value.reason == reason
    assert fragment in caught.value.message
