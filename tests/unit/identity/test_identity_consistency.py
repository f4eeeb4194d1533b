"""check_nir_against: birth date and department given vs. the NIR, with the
codes whose meaning depends on the birth year."""

from __future__ import annotations

from datetime import date

import pytest
from helpers.nir import make_nir

from bot.identity import Inconsistency, NirFacts, check_nir_against, parse_department, parse_nir

TODAY = date(2025, 11, 22)


def _reasons(found: list[Inconsistency]) -> list[str]:
    return [item.reason for item in found]


@pytest.mark.parametrize(
    ("body", "born", "department", "reasons"),
    [
        # metropolitan, everything agrees (code, name, Department)
        ("1801042123456", date(1980, 10, 5), "42", []),
        ("1801042123456", date(1980, 10, 5), "Loire", []),
        ("1801042123456", date(1980, 10, 5), parse_department("42"), []),
        # wrong department, month, year
        ("1801042123456", date(1980, 10, 5), "69", ["birth_department"]),
        ("1801042123456", date(1980, 3, 5), "42", ["birth_month"]),
        ("1801042123456", date(1981, 10, 5), "42", ["birth_year"]),
        ("1801042123456", date(1983, 3, 5), "69", ["birth_year", "birth_month", "birth_department"]),
        # a parent's number typed by a child (1980 vs 2008): only that is said
        ("1801042123456", date(2008, 10, 5), "69", ["other_person"]),
        ("1520342123456", date(1990, 3, 5), "42", ["other_person"]),
        # unknown-month codes and month + 30 codes
        ("1802042123456", date(1980, 7, 14), "42", []),
        ("1805542123456", date(1980, 1, 2), "42", []),
        ("1803342123456", date(1980, 3, 2), "42", []),
        ("1803342123456", date(1980, 4, 2), "42", ["birth_month"]),
        # Corsica: 20 before 1976 matches 2A/2B; 2A/2B after
        ("1600520004111", date(1960, 5, 1), "2A", []),
        ("1600520004111", date(1960, 5, 1), "Corse-du-Sud", []),
        ("1600520004111", date(1960, 5, 1), "haute corse", []),
        ("1600520004111", date(1960, 5, 1), "69", ["birth_department"]),
        ("11005" + "20" + "004111", date(2010, 5, 1), "2A", ["historical_code"]),
        ("11005" + "20" + "004111", date(1910, 5, 1), "2B", []),
        ("18005" + "2A" + "004111", date(1980, 5, 1), "2A", []),
        ("18005" + "2A" + "004111", date(1980, 5, 1), "2B", ["birth_department"]),
        # Seine / Seine-et-Oise before 1968 cover today's 91-95
        ("1600575056111", date(1960, 5, 1), "93", []),
        ("1600575056111", date(1960, 5, 1), "Hauts-de-Seine", []),
        ("1600578646111", date(1960, 5, 1), "91", []),
        ("1600578646111", date(1960, 5, 1), "95", []),
        ("1600575056111", date(1960, 5, 1), "75", []),
        ("1700575056111", date(1970, 5, 1), "93", ["birth_department"]),
        ("1600575056111", date(1960, 5, 1), "77", ["birth_department"]),
        # Algeria (91-94) before 1963, Morocco (95) and Tunisia (96) before 1957: now born abroad
        ("1550591352111", date(1955, 5, 1), "99", []),
        ("1550591352111", date(1955, 5, 1), "né en Algérie", []),
        ("1550594352111", date(1955, 5, 1), "étranger", []),
        ("1500495123111", date(1950, 4, 1), "99", []),
        ("1500496123111", date(1950, 4, 1), "Tunisie", []),
        ("1700591352111", date(1970, 5, 1), "99", ["birth_department"]),
        ("1700591352111", date(1970, 5, 1), "91", []),
        # born abroad
        ("2951099352111", date(1995, 10, 1), "99", []),
        ("2951099352111", date(1995, 10, 1), "Portugal", []),
        ("2951099352111", date(1995, 10, 1), "69", ["birth_department"]),
        ("2951069352111", date(1995, 10, 1), "99", ["birth_department"]),
        # overseas
        ("2850397112345", date(1985, 3, 1), "971", []),
        ("2850397112345", date(1985, 3, 1), "Guadeloupe", []),
        ("2850397112345", date(1985, 3, 1), "972", ["birth_department"]),
    ],
)
def test_inconsistencies(body: str, born: date, department: object, reasons: list[str]) -> None:
    nir = parse_nir(make_nir(body))
    assert _reasons(check_nir_against(nir, born, department, today=TODAY)) == reasons
    # the same answer from the masked form the conversation keeps
    facts = NirFacts.from_masked(nir.masked)
    assert _reasons(check_nir_against(facts, born, department, today=TODAY)) == reasons


def test_department_message_names_both_departments() -> None:
    nir = parse_nir(make_nir("1801042123456"))
    [found] = check_nir_against(nir, date(1980, 10, 5), "69", today=TODAY)
    assert found.field == "birth_department"
    assert found.message.startswith("Le département 42 de votre numéro ne correspond pas à Rhône (69).")
    assert "vérifier" in found.message


def test_born_abroad_message() -> None:
    nir = parse_nir(make_nir("2951099352111"))
    [found] = check_nir_against(nir, date(1995, 10, 1), "69", today=TODAY)
    assert "naissance à l'étranger (99)" in found.message
    assert "Rhône (69)" in found.message


def test_other_person_keeps_the_number_and_asks_the_date_or_another_number() -> None:
    # a slip in the year must not trap the member: the NIR is kept, the date asked again
    nir = parse_nir(make_nir("1520342123456"))
    [found] = check_nir_against(nir, date(1990, 3, 5), "42", today=TODAY)
    assert found.field == "birth_date"
    assert "naissance en 1952" in found.message and "05/03/1990" in found.message
    assert "l'année seule suffit" in found.message and "votre propre numéro" in found.message


@pytest.mark.parametrize(
    ("born", "reason", "fragments"),
    [
        (date(1981, 10, 5), "birth_year", ["1980", "05/10/1981", "date de naissance"]),
        (date(1980, 3, 5), "birth_month", ["octobre", "05/03/1980"]),
    ],
)
def test_date_messages(born: date, reason: str, fragments: list[str]) -> None:
    nir = parse_nir(make_nir("1801042123456"))
    [found] = check_nir_against(nir, born, "42", today=TODAY)
    assert (found.field, found.reason) == ("birth_date", reason)
    for fragment in fragments:
        assert fragment in found.message


def test_corsica_code_after_1976_message() -> None:
    nir = NirFacts.from_masked("1 10 05 20 *** *** **")
    [found] = check_nir_against(nir, date(2010, 5, 1), "2A", today=TODAY)
    assert found.field == "nir"
    assert "avant 1976" in found.message and "2010" in found.message
    assert "2A (Corse-du-Sud) ou 2B (Haute-Corse)" in found.message


def test_missing_answers_are_not_checked() -> None:
    nir = parse_nir(make_nir("1801042123456"))
    assert check_nir_against(nir, None, None, today=TODAY) == []
    assert _reasons(check_nir_against(nir, None, "69", today=TODAY)) == ["birth_department"]
    assert _reasons(check_nir_against(nir, date(1980, 2, 1), None, today=TODAY)) == ["birth_month"]
