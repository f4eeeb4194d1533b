"""parse_nir, find_nir, masking and NirFacts.from_masked on fictional numbers."""

from __future__ import annotations

import pytest
from helpers.nir import make_nir, nir_key
from identity_factories import format_with_spaces

from bot.identity import InvalidNir, Nir, NirFacts, find_nir, nir_facts_from_masked, parse_nir

METRO = make_nir("1801042123456")  # man, October 1980, Loire
WOMAN = make_nir("2920369045012")  # woman, March 1992, Rhône
AJACCIO = make_nir("21106" + "2A" + "004" + "321")  # woman, June 2011, Corse-du-Sud
BASTIA = make_nir("18007" + "2B" + "033" + "017")
CORSICA_1960 = make_nir("1600520004111")  # before 1976: Corsica is 20
GUADELOUPE = make_nir("2850397112345")  # 971, commune 12
REUNION = make_nir("1990197411002")
MAYOTTE = make_nir("2051297605123")
NOUMEA = make_nir("1781198818444")
ABROAD = make_nir("2951099352111")  # born in Algeria (country 352)
TUNISIA_1950 = make_nir("1500496123456")


@pytest.mark.parametrize(
    ("typed", "sex", "year", "month", "department", "commune"),
    [
        (format_with_spaces(METRO), 1, 80, 10, "42", "123"),
        (METRO, 1, 80, 10, "42", "123"),
        (format_with_spaces(WOMAN).replace(" ", "."), 2, 92, 3, "69", "045"),
        (format_with_spaces(WOMAN).replace(" ", "-"), 2, 92, 3, "69", "045"),
        ("  " + format_with_spaces(WOMAN).replace(" ", "   ") + " ", 2, 92, 3, "69", "045"),
        (format_with_spaces(AJACCIO).lower(), 2, 11, 6, "2A", "004"),
        (BASTIA.replace("2B", "2b"), 1, 80, 7, "2B", "033"),
        (CORSICA_1960, 1, 60, 5, "20", "004"),
        (format_with_spaces(GUADELOUPE), 2, 85, 3, "971", "12"),
        (REUNION, 1, 99, 1, "974", "11"),
        (MAYOTTE, 2, 5, 12, "976", "05"),
        (NOUMEA, 1, 78, 11, "988", "18"),
        (ABROAD, 2, 95, 10, "99", "352"),
        (TUNISIA_1950, 1, 50, 4, "96", "123"),
        (f"Mon numéro est le {format_with_spaces(METRO)}, merci", 1, 80, 10, "42", "123"),
    ],
)
def test_valid_nir_is_read(typed: str, sex: int, year: int, month: int, department: str, commune: str) -> None:
    nir = parse_nir(typed)
    assert (nir.sex, nir.birth_year, nir.birth_month, nir.department, nir.commune) == (
        sex,
        year,
        month,
        department,
        commune,
    )
    assert len(nir.normalized) == 15
    assert nir.key == nir.normalized[13:]
    assert nir.order == nir.normalized[10:13]


@pytest.mark.parametrize(
    ("month_code", "expected_month"),
    [("01", 1), ("12", 12), ("20", None), ("25", None), ("30", None), ("31", 1), ("33", 3), ("42", 12),
     ("50", None), ("75", None), ("99", None)],
)  # fmt: skip
def test_month_codes(month_code: str, expected_month: int | None) -> None:
    nir = parse_nir(make_nir(f"175{month_code}42123456"))
    assert nir.birth_month == expected_month
    assert nir.normalized[3:5] == month_code


def test_stdnum_documented_number_is_valid() -> None:
    assert parse_nir("2 95 10 99 126 111 93").normalized == "295109912611193"


def _with_key(body: str, key: str) -> str:
    return body + key


@pytest.mark.parametrize(
    ("typed", "reason", "fragment"),
    [
        ("", "empty", "Merci d'indiquer votre numéro de sécurité sociale"),
        ("   ", "empty", "15 chiffres"),
        ("1 80 1O 42 123 456 78", "characters", "O à la place d'un 0"),
        ("1 80 10 2C 123 456 78", "characters", "que des chiffres"),
        ("1 80 10 42 12A 456 78", "characters", "2A ou 2B"),
        ("bonjour", "characters", "que des chiffres"),
        ("1 80 10 42 123 456", "missing_key", "Il manque la clé"),
        ("2 11 06 2A 004 321", "missing_key", "les 2 derniers chiffres"),
        ("1 80 10 42 123 456 7", "length", "vous en avez saisi 14"),
        ("1 80 10 42 123 456 789", "length", "vous en avez saisi 16"),
        ("mon numéro est 1 80 10 42 12", "length", "vous en avez saisi 9"),
        (make_nir("0801042123456"), "sex", "commence par 1 ou 2"),
        (make_nir("5801042123456"), "sex", "premier chiffre"),
        (make_nir("1800042123456"), "month", "(00)"),
        (make_nir("1801342123456"), "month", "de 01 à 12"),
        (make_nir("1801942123456"), "month", "(19)"),
        (make_nir("1804342123456"), "month", "(43)"),
        (make_nir("1804942123456"), "month", "mois de naissance"),
        (make_nir("1801000123456"), "department", "(00)"),
        (make_nir("1801097012345"), "department", "970"),
        (make_nir("1801097912345"), "department", "979"),
        (make_nir("1801098012345"), "department", "980"),
        (make_nir("1801020004111"), "department", "avant 1976"),
        (make_nir("1605796123456"), "department", "Tunisie"),
        (make_nir("1801042000456"), "commune", "de la commune"),
        (make_nir("1801097100456"), "commune", "00"),
        (make_nir("1801099000456"), "commune", "du pays"),
        (make_nir("1801042123000"), "order", "000"),
        (_with_key("1801042123456", f"{(int(nir_key('1801042123456')) % 97) + 1:02d}"), "key", "clé"),
        (_with_key("1801042123456", "00"), "key", "erreur de frappe"),
    ],
)
def test_invalid_nir_has_reason_and_helpful_message(typed: str, reason: str, fragment: str) -> None:
    with pytest.raises(InvalidNir) as caught:
        parse_nir(typed)
    assert caught.value.reason == reason
    assert fragment in caught.value.message
    assert caught.value.field == "nir"
    digits = "".join(char for char in typed if char.isdigit())
    if len(digits) >= 13:
        assert digits not in caught.value.message
        assert digits[:13] not in caught.value.message


def test_key_error_for_wrong_key_of_2a_number() -> None:
    # The key of a 2A number read as if 2A were 20 is not the right one.
    body = "21106" + "2A" + "004321"
    wrong = body + f"{97 - int(body.replace('2A', '20')) % 97:02d}"
    assert wrong != make_nir(body)
    with pytest.raises(InvalidNir) as caught:
        parse_nir(wrong)
    assert caught.value.reason == "key"


@pytest.mark.parametrize(
    ("nir", "masked"),
    [
        (METRO, "1 80 10 42 *** *** **"),
        (AJACCIO, "2 11 06 2A *** *** **"),
        (GUADELOUPE, "2 85 03 971 ** *** **"),
        (ABROAD, "2 95 10 99 *** *** **"),
    ],
)
def test_masked_form_never_shows_the_rest(nir: str, masked: str) -> None:
    parsed = parse_nir(nir)
    assert parsed.masked == masked
    assert str(parsed) == masked
    assert masked in repr(parsed)
    for shown in (str(parsed), repr(parsed), f"{parsed}", str([parsed])):
        assert parsed.normalized not in shown
        assert parsed.normalized[7:13] not in shown.replace(" ", "")


@pytest.mark.parametrize("nir", [METRO, WOMAN, AJACCIO, GUADELOUPE, NOUMEA, ABROAD, CORSICA_1960])
def test_facts_from_masked_match_the_full_number(nir: str) -> None:
    parsed = parse_nir(nir)
    facts = NirFacts.from_masked(parsed.masked)
    assert facts == parsed.facts
    assert (facts.sex, facts.birth_year, facts.birth_month, facts.department) == (
        parsed.sex,
        parsed.birth_year,
        parsed.birth_month,
        parsed.department,
    )
    assert nir_facts_from_masked(parsed.masked) == facts
    assert Nir.from_masked(parsed.masked) == facts
    assert facts.masked == parsed.masked


@pytest.mark.parametrize(
    "masked",
    ["", "1 80 10 42", "5 80 10 42 *** *** **", "1 80 13 42 *** *** **", "1 80 10 00 *** *** **", METRO,
     "1 80 10 4 *** *** **"],
)  # fmt: skip
def test_unreadable_masked_form_is_refused(masked: str) -> None:
    with pytest.raises(InvalidNir) as caught:
        NirFacts.from_masked(masked)
    assert caught.value.reason == "masked"
    assert "redonner" in caught.value.message


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (f"Dupont Marie {format_with_spaces(METRO)} née le 12/03/1980", format_with_spaces(METRO)),
        (f"NIR:{METRO}.", METRO),
        (f"mon numéro {format_with_spaces(AJACCIO).lower()}", format_with_spaces(AJACCIO).lower()),
        ("numéro 1.80.10.42.123.456 sans clé", "1.80.10.42.123.456"),
        (f"{METRO} 06 12 34 56 78", METRO),
        ("appelez le 06 12 34 56 78", None),
        ("né le 12/03/1980", None),
        ("1234567890123456789", None),
        ("", None),
    ],
)
def test_find_nir_in_a_sentence(text: str, found: str | None) -> None:
    assert find_nir(text) == found
