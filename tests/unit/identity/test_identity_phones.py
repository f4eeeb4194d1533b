"""parse_mobile: E.164 output, overseas national numbers, refusals."""

from __future__ import annotations

import pytest

from bot.identity import InvalidMobile, parse_mobile


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0033612345678", "+33612345678"),
        ("06.12.34.56.78", "+33612345678"),
        ("06-12-34-56-78", "+33612345678"),
        ("07 60 00 00 00", "+33760000000"),
        ("mon portable : 06 12 34 56 78", "+33612345678"),
        # overseas, typed the national way or with +33
        ("0690 12 34 56", "+590690123456"),  # Guadeloupe
        ("0691 22 34 56", "+590691223456"),  # Guadeloupe
        ("0692 12 34 56", "+262692123456"),  # La Réunion
        ("0693 01 23 45", "+262693012345"),  # La Réunion
        ("0694 20 12 34", "+594694201234"),  # Guyane
        ("0696 20 12 34", "+596696201234"),  # Martinique
        ("0697 12 34 56", "+596697123456"),  # Martinique
        ("0639 01 23 45", "+262639012345"),  # Mayotte
        ("+33 6 90 12 34 56", "+590690123456"),
        ("+590 690 12 34 56", "+590690123456"),
        ("+262 692 12 34 56", "+262692123456"),
        # foreign mobiles with their country code
        ("+32 470 12 34 56", "+32470123456"),
        ("+41 79 123 45 67", "+41791234567"),
        ("+44 7911 123456", "+447911123456"),
        ("0032 470 12 34 56", "+32470123456"),
    ],
)
def test_mobile_is_accepted(typed: str, expected: str) -> None:
    assert parse_mobile(typed) == expected


@pytest.mark.parametrize(
    ("typed", "reason", "fragment"),
    [
        ("", "empty", "Merci d'indiquer votre numéro de téléphone mobile"),
        ("abc", "characters", "que des chiffres"),
        ("06 12 34 56 78 ou 06 11 11 11 11 le soir", "characters", "que des chiffres"),
        ("06 12 34 56 7", "length", "10 chiffres et vous en avez saisi 9"),
        ("06 12 34 56 78 9", "length", "vous en avez saisi 11"),
        ("04 77 49 35 35", "landline", "téléphone fixe"),
        ("01 23 45 67 89", "landline", "téléphone fixe"),
        ("+33 1 23 45 67 89", "landline", "téléphone fixe"),
        ("0590 12 34 56", "landline", "téléphone fixe"),
        ("09 12 34 56 78", "voip", "09"),
        ("08 00 12 34 56", "special", "numéro spécial"),
        ("08 92 12 34 56", "special", "numéro spécial"),
        ("07 12 34 56 78", "invalid", "n'est pas valide"),
        ("3631", "invalid", "n'est pas valide"),
        ("+999 12345678", "invalid", "indicatif du pays"),
    ],
)
def test_mobile_refusals_say_a_mobile_is_needed_for_the_sms(typed: str, reason: str, fragment: str) -> None:
    with pytest.raises(InvalidMobile) as caught:
        parse_mobile(typed)
    assert caught.value.reason == reason
    assert fragment in caught.value.message
    if reason not in {"empty", "characters", "length"}:
        assert "SMS" in caught.value.message
        assert "mobile" in caught.value.message
