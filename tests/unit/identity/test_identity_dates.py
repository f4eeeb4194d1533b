"""parse_birth_date (formats, two-digit years, refusals) and find_birth_date."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.identity import InvalidBirthDate, find_birth_date, parse_birth_date

TODAY = date(2025, 11, 22)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12/03/1980", date(1980, 3, 12)),
        ("12-03-1980", date(1980, 3, 12)),
        ("12.03.1980", date(1980, 3, 12)),
        ("12 03 1980", date(1980, 3, 12)),
        ("12031980", date(1980, 3, 12)),
        ("2/3/1980", date(1980, 3, 2)),
        ("1980-03-12", date(1980, 3, 12)),
        ("12 mars 1980", date(1980, 3, 12)),
        ("12 Mars 80", date(1980, 3, 12)),
        ("1er mai 1975", date(1975, 5, 1)),
        ("premier mai 1975", date(1975, 5, 1)),
        ("12 février 1980", date(1980, 2, 12)),
        ("12 fevrier 1980", date(1980, 2, 12)),
        ("12 févr. 1980", date(1980, 2, 12)),
        ("3 août 1964", date(1964, 8, 3)),
        ("3 aout 1964", date(1964, 8, 3)),
        ("25 DÉCEMBRE 1999", date(1999, 12, 25)),
        ("7 sept 2001", date(2001, 9, 7)),
        ("lundi 12 mars 1984", date(1984, 3, 12)),
        ("née le 12/03/1980", date(1980, 3, 12)),
        ("Dupont Marie née le 12/03/1980 à Lyon", date(1980, 3, 12)),
        ("29/02/2000", date(2000, 2, 29)),
    ],
)
def test_birth_date_formats(typed: str, expected: date) -> None:
    assert parse_birth_date(typed, today=TODAY) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12/03/80", date(1980, 3, 12)),  # 2080 would be in the future
        ("12/03/05", date(2005, 3, 12)),
        ("12/03/00", date(2000, 3, 12)),
        ("22/11/25", date(2025, 11, 22)),  # today itself
        ("23/11/25", date(1925, 11, 23)),  # tomorrow in 2025: 1925
        ("12/03/99", date(1999, 3, 12)),
        ("29/02/00", date(2000, 2, 29)),
    ],
)
def test_two_digit_year_rule(typed: str, expected: date) -> None:
    assert parse_birth_date(typed, today=TODAY) == expected


@pytest.mark.parametrize(
    ("typed", "reason", "fragments"),
    [
        ("", "empty", ["Merci d'indiquer votre date de naissance", "12/03/1980"]),
        ("bonjour", "format", ["Je n'ai pas reconnu de date", "jour/mois/année"]),
        ("12/03/198", "format", ["12/03/1980"]),
        ("1980", "format", ["jour/mois/année"]),
        ("12 mars", "year_missing", ["Il manque l'année"]),
        ("31/02/1980", "impossible", ["Le 31 février n'existe pas"]),
        ("31/04/1980", "impossible", ["Le 31 avril n'existe pas"]),
        ("29/02/1981", "impossible", ["29 février 1981", "bissextile"]),
        ("12/13/1980", "month", ["Le mois 13 n'existe pas", "le jour puis le mois"]),
        ("03/25/1980", "month", ["Le mois 25"]),
        ("00/03/1980", "day", ["Le jour 0 n'existe pas"]),
        ("32/01/1980", "day", ["Le jour 32"]),
        ("12/03/2030", "future", ["12/03/2030", "dans le futur"]),
        ("23/11/2025", "future", ["dans le futur"]),
        ("12/03/1880", "too_old", ["plus de 120 ans", "vérifier l'année"]),
        ("22/11/1904", "too_old", ["plus de 120 ans"]),  # 121 today
    ],
)
def test_birth_date_refusals(typed: str, reason: str, fragments: list[str]) -> None:
    with pytest.raises(InvalidBirthDate) as caught:
        parse_birth_date(typed, today=TODAY)
    assert caught.value.reason == reason
    for fragment in fragments:
        assert fragment in caught.value.message


def test_aged_120_is_accepted() -> None:
    assert parse_birth_date("22/11/1905", today=TODAY) == date(1905, 11, 22)
    assert parse_birth_date("23/11/1904", today=TODAY) == date(1904, 11, 23)


def test_default_today_comes_from_the_clock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clock_file = tmp_path / "clock"
    clock_file.write_text("2031-06-01T10:00:00+00:00", encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_CLOCK_FILE", str(clock_file))
    assert parse_birth_date("12/03/30") == date(2030, 3, 12)
    with pytest.raises(InvalidBirthDate):
        parse_birth_date("12/03/2032")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Dupont Marie née le 12/03/1980", "12/03/1980"),
        ("je suis né le 1er mai 1975 à Lyon", "1er mai 1975"),
        ("date: 1980-03-12.", "1980-03-12"),
        ("le 12 Mars 80 je crois", "12 Mars 80"),
        ("NIR 1.80.10.42.123.456.78 et rien d'autre", None),
        ("1 80 10 42 123 456 78", None),
        ("06.12.34.56.78", None),
        ("bonjour", None),
        ("", None),
    ],
)
def test_find_birth_date(text: str, found: str | None) -> None:
    assert find_birth_date(text) == found


def test_a_nir_typed_as_birth_date_is_not_echoed() -> None:
    with pytest.raises(InvalidBirthDate) as caught:
        parse_birth_date("1 80 10 42 123 456 78", today=TODAY)
    assert caught.value.reason == "format"
    assert "123" not in caught.value.message
    assert caught.value.message.startswith("Je n'ai pas reconnu de date.")
