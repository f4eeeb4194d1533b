"""Identity edges (issue 17): provisional numbers (first digit 3, 4, 7, 8) and
Corsica before 1976 (20, not 2A/2B), table-driven, keys from python-stdnum."""

from __future__ import annotations

from datetime import date

import pytest
from helpers.nir import group_nir, nir_key
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from identity_factories import (
    DEFINITIVE_FIRST_DIGITS,
    INVALID_FIRST_DIGITS,
    PROVISIONAL_FIRST_DIGITS,
    format_with_spaces,
    valid_nirs,
)
from stdnum.fr import nir as stdnum_nir

from bot.activation.extract import find_identity
from bot.activation.identity_match import same_department
from bot.identity import Inconsistency, InvalidNir, NirFacts, check_nir_against, find_nir, parse_nir
from bot.identity.departments import CORSICA, CORSICA_CODES, CORSICA_SPLIT_YEAR, same_birth_department
from bot.privacy import NIR_MASK, mask_text
from bot.store.hashing import nir_hash

TODAY = date(2025, 11, 22)
SECRET = "test-secret-key-0123456789"
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FIRST_DIGIT_MESSAGE = "Un numéro de sécurité sociale commence par 1 ou 2 : merci de vérifier le premier chiffre."
CORSICA_BEFORE_1976 = (
    "Pour une naissance en Corse avant 1976, le numéro de sécurité sociale porte le département 20 "
    "(les codes 2A et 2B n'existent que depuis 1976). Vérifiez votre numéro ou votre date de naissance."
)


def stdnum_made(body: str) -> str:
    """A 15-character number whose key python-stdnum computes (and our independent helper agrees)."""
    body = body.replace(" ", "")
    key = stdnum_nir.calc_check_digits(body)
    assert key == nir_key(body)
    return body + key


def _reasons(found: list[Inconsistency]) -> list[str]:
    return [item.reason for item in found]


# ---- provisional numbers --------------------------------------------------------------


def test_the_first_digit_sets_are_the_documented_ones() -> None:
    from bot.identity.nir import DEFINITIVE_FIRST_DIGITS as DEFINITIVE
    from bot.identity.nir import PROVISIONAL_FIRST_DIGITS as PROVISIONAL

    assert DEFINITIVE == {int(d) for d in DEFINITIVE_FIRST_DIGITS} == {1, 2}
    assert PROVISIONAL == {int(d) for d in PROVISIONAL_FIRST_DIGITS} == {3, 4, 7, 8}


@pytest.mark.parametrize("first", list("0123456789"))
def test_stdnum_checks_the_key_whatever_the_first_digit(first: str) -> None:
    # parse_nir relies on python-stdnum for the key only: it must not refuse
    # provisional numbers itself (the first digit is our check).
    number = stdnum_made(first + "801042123456")
    assert stdnum_nir.validate(number) == number
    wrong = number[:13] + f"{(int(number[13:]) + 1) % 100:02d}"
    assert not stdnum_nir.is_valid(wrong)


@pytest.mark.parametrize(
    ("body", "provisional", "sex", "department"),
    [
        ("1801042123456", False, 1, "42"),
        ("2920369045012", False, 2, "69"),
        ("3851299135042", True, 3, "99"),  # born abroad, being registered
        ("4900199352017", True, 4, "99"),
        ("7880175120031", True, 7, "75"),  # waiting number (NIA)
        ("8920569045012", True, 8, "69"),
        ("77006" + "2A" + "004321", True, 7, "2A"),
        ("8850397112345", True, 8, "971"),
    ],
)
def test_first_digits_1_2_3_4_7_8_are_accepted(body: str, provisional: bool, sex: int, department: str) -> None:
    number = stdnum_made(body)
    for typed in (number, group_nir(number), group_nir(number).replace(" ", "."), f"Mon numéro : {group_nir(number)}"):
        nir = parse_nir(typed)
        assert nir.normalized == number
        assert nir.provisional is provisional
        assert nir.facts.provisional is provisional
        assert (nir.sex, nir.department) == (sex, department)


@pytest.mark.parametrize("first", list(INVALID_FIRST_DIGITS))
def test_other_first_digits_are_refused_with_the_existing_message(first: str) -> None:
    number = stdnum_made(first + "801042123456")
    with pytest.raises(InvalidNir) as caught:
        parse_nir(group_nir(number))
    assert (caught.value.reason, caught.value.message) == ("sex", FIRST_DIGIT_MESSAGE)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("7801342123456", "month"),  # still built like a NIR: month 13 is no month
        ("8801000123456", "department"),
        ("7801042000456", "commune"),
        ("3801042123000", "order"),
        ("7801020004111", "department"),  # 20 only before 1976
    ],
)
def test_provisional_numbers_are_checked_like_a_nir(body: str, reason: str) -> None:
    with pytest.raises(InvalidNir) as caught:
        parse_nir(stdnum_made(body))
    assert caught.value.reason == reason


def test_provisional_number_with_a_wrong_key_is_refused() -> None:
    number = stdnum_made("7880175120031")
    wrong = number[:13] + f"{(int(number[13:]) % 97) + 1:02d}"
    with pytest.raises(InvalidNir) as caught:
        parse_nir(wrong)
    assert caught.value.reason == "key"


@pytest.mark.parametrize(
    ("body", "masked"),
    [
        ("7880175120031", "7 88 01 75 *** *** **"),
        ("3851299135042", "3 85 12 99 *** *** **"),
        ("4900199352017", "4 90 01 99 *** *** **"),
        ("8850397112345", "8 85 03 971 ** *** **"),
        ("77006" + "2A" + "004321", "7 70 06 2A *** *** **"),
    ],
)
def test_provisional_masked_form_and_facts_round_trip(body: str, masked: str) -> None:
    nir = parse_nir(stdnum_made(body))
    assert nir.masked == masked == str(nir)
    assert nir.normalized not in repr(nir)
    facts = NirFacts.from_masked(masked)
    assert facts == nir.facts
    assert facts.provisional
    assert facts.masked == masked


def test_provisional_keyed_hash_is_that_of_its_normalized_form() -> None:
    number = stdnum_made("7880175120031")
    spaced = parse_nir(group_nir(number))
    assert nir_hash(SECRET, spaced.normalized) == nir_hash(SECRET, number)
    # the definitive number with the same other digits is another number
    other = parse_nir(stdnum_made("1880175120031"))
    assert nir_hash(SECRET, other.normalized) != nir_hash(SECRET, number)


def test_provisional_number_is_found_in_a_message_and_masked_in_text() -> None:
    spaced = group_nir(stdnum_made("7880175120031"))
    message = f"Amrani Youssef, {spaced}, né le 14/06/1987"
    assert find_nir(message) == spaced
    assert find_identity(message).values["nir"] == spaced
    assert mask_text(message).count(NIR_MASK) == 1 and spaced not in mask_text(message)


@pytest.mark.parametrize(
    ("born", "department"),
    [
        (date(1987, 6, 14), "99"),  # year, month and department all differ from 88 / 01 / 75
        (date(1988, 1, 1), "75"),  # the number's own parts
        (date(1950, 1, 1), "Rhône"),  # far from the number's year: not "someone else's number"
        (date(2001, 1, 1), "2A"),
        (None, "69"),
        (date(1960, 3, 3), None),
    ],
)
def test_provisional_number_is_never_refused_for_date_or_department(born: date | None, department: str) -> None:
    nir = parse_nir(stdnum_made("7880175120031"))
    assert check_nir_against(nir, born, department, today=TODAY) == []
    assert check_nir_against(NirFacts.from_masked(nir.masked), born, department, today=TODAY) == []


@PROPERTY_SETTINGS
@given(valid_nirs(first_digits=DEFINITIVE_FIRST_DIGITS + PROVISIONAL_FIRST_DIGITS))
def test_any_first_digit_1_2_3_4_7_8_round_trips(number: str) -> None:
    assert stdnum_nir.is_valid(number)
    nir = parse_nir(format_with_spaces(number))
    assert nir.normalized == number
    assert nir.provisional is (number[0] in PROVISIONAL_FIRST_DIGITS)
    assert NirFacts.from_masked(nir.masked) == nir.facts


@PROPERTY_SETTINGS
@given(valid_nirs(first_digits=PROVISIONAL_FIRST_DIGITS), st.dates(date(1900, 1, 1), TODAY), st.sampled_from(
    ["42", "2A", "2B", "971", "99", "Rhône", "étranger"]
))  # fmt: skip
def test_provisional_numbers_have_no_inconsistency(number: str, born: date, department: str) -> None:
    assert check_nir_against(parse_nir(number), born, department, today=TODAY) == []


@PROPERTY_SETTINGS
@given(valid_nirs(first_digits=DEFINITIVE_FIRST_DIGITS), st.sampled_from(INVALID_FIRST_DIGITS))
def test_invalid_first_digits_are_refused_even_with_a_right_key(number: str, first: str) -> None:
    changed = stdnum_made(first + number[1:13])
    with pytest.raises(InvalidNir) as caught:
        parse_nir(changed)
    assert (caught.value.reason, caught.value.message) == ("sex", FIRST_DIGIT_MESSAGE)


# ---- Corsica before 1976 --------------------------------------------------------------


def test_corsica_constants_come_from_the_reference_file() -> None:
    assert (CORSICA, CORSICA_CODES, CORSICA_SPLIT_YEAR) == ("20", frozenset({"2A", "2B"}), 1976)


@pytest.mark.parametrize(
    ("code", "born", "department", "reasons"),
    [
        # 2A/2B: only from 1 January 1976
        ("2A", date(1970, 3, 17), "2A", ["corsica_split"]),
        ("2A", date(1970, 3, 17), "Corse-du-Sud", ["corsica_split"]),
        ("2B", date(1975, 3, 31), "2B", ["corsica_split"]),
        ("2A", date(1970, 3, 17), None, ["corsica_split"]),  # the birth date alone tells
        ("2A", None, "2A", ["corsica_split"]),  # 70 can only be 1970 (2070 is to come)
        ("2A", date(1976, 3, 1), "2A", []),
        ("2B", date(1976, 3, 1), "haute corse", []),
        ("2A", date(2010, 3, 1), "2A", []),
        # 20: only before 1976, then it stands for 2A or 2B
        ("20", date(1970, 3, 17), "2A", []),
        ("20", date(1970, 3, 17), "Corse-du-Sud", []),
        ("20", date(1970, 3, 17), "2B", []),
        ("20", date(1970, 3, 17), "20", []),  # a member file may hold 20
        ("20", date(1970, 3, 17), None, []),
        ("20", None, "2A", []),
        ("20", date(1970, 3, 17), "69", ["birth_department"]),
        ("20", date(2010, 3, 1), "2A", ["historical_code"]),
        ("20", date(2010, 3, 1), None, ["historical_code"]),
        ("20", date(1910, 3, 1), "2B", []),
        # a birth-date mismatch is still said, before the Corsican code
        ("2A", date(1970, 5, 17), "2A", ["birth_month", "corsica_split"]),
    ],
)
def test_corsica_codes_and_the_birth_year(code: str, born: date | None, department: str | None, reasons: list[str]):
    year = born.year % 100 if born else 70
    nir = parse_nir(stdnum_made(f"1{year:02d}03{code}004118"))
    found = check_nir_against(nir, born, department, today=TODAY)
    assert _reasons(found) == reasons
    assert all(item.field in {"nir", "birth_date", "birth_department"} for item in found)
    assert _reasons(check_nir_against(NirFacts.from_masked(nir.masked), born, department, today=TODAY)) == reasons


@pytest.mark.parametrize("code", ["2A", "2B"])
def test_corsica_before_1976_message_explains_the_change(code: str) -> None:
    nir = parse_nir(stdnum_made(f"17003{code}004118"))
    [found] = check_nir_against(nir, date(1970, 3, 17), "Corse-du-Sud", today=TODAY)
    assert (found.field, found.reason) == ("nir", "corsica_split")
    assert found.message == f"Votre numéro porte le département {code}, or vous êtes né(e) en 1970. " + (
        CORSICA_BEFORE_1976
    )
    assert nir.normalized not in found.message


def test_corsica_message_without_a_birth_date_asks_for_the_number_only() -> None:
    nir = parse_nir(stdnum_made("170032A004118"))
    [found] = check_nir_against(nir, None, "2A", today=TODAY)
    assert found.message.startswith("Votre numéro porte le département 2A et indique une naissance en 1970.")
    assert found.message.endswith("Vérifiez votre numéro de sécurité sociale.")


def test_corsica_20_after_1976_message_names_2a_and_2b() -> None:
    nir = parse_nir(stdnum_made("1100320004118"))
    [found] = check_nir_against(nir, date(2010, 3, 17), "2A", today=TODAY)
    assert (found.field, found.reason) == ("nir", "historical_code")
    assert found.message == (
        "Votre numéro porte le département 20, or vous êtes né(e) en 2010. Le code 20 n'était utilisé que pour "
        "les naissances en Corse avant 1976 : depuis, le numéro de sécurité sociale porte le département 2A "
        "(Corse-du-Sud) ou 2B (Haute-Corse). Vérifiez votre numéro ou votre date de naissance."
    )


def test_other_historical_codes_keep_their_message() -> None:
    nir = parse_nir(stdnum_made("1050496123111"))  # Tunisia 96, only before 1957
    [found] = check_nir_against(nir, date(2005, 4, 1), "99", today=TODAY)
    assert found.reason == "historical_code"
    assert "le code 96 (Tunisie), utilisé seulement pour les naissances avant 1957" in found.message


@pytest.mark.parametrize(
    ("first", "second", "year", "same"),
    [
        ("2A", "2A", 1970, True),
        ("20", "2A", 1970, True),
        ("2B", "20", 1975, True),
        ("20", "2A", None, False),
        ("20", "2A", 1976, False),
        ("20", "2B", 1990, False),
        ("2A", "2B", 1970, False),
        ("20", "69", 1970, False),
        ("75", "92", 1960, False),  # only Corsica here: other old codes are the NIR's business
        ("42", "42", None, True),
    ],
)
def test_same_birth_department(first: str, second: str, year: int | None, same: bool) -> None:
    assert same_birth_department(first, second, year) is same


@pytest.mark.parametrize(
    ("stored", "given", "born", "same"),
    [
        ("2A", "2A", date(1970, 3, 17), True),
        ("2a", "2A", date(1970, 3, 17), True),
        ("20", "2A", date(1970, 3, 17), True),  # a file holding the code of the time
        ("2A", "20", date(1970, 3, 17), True),
        ("20", "2B", date(1975, 12, 31), True),
        ("20", "2A", date(1976, 1, 1), False),
        ("2A", "2B", date(1970, 3, 17), False),
        ("1", "01", date(1980, 1, 1), True),
        ("42", "69", date(1980, 1, 1), False),
    ],
)
def test_member_store_department_comparison(stored: str, given: str, born: date, same: bool) -> None:
    assert same_department(stored, given, born) is same
