"""Birth dates typed in French: :func:`parse_birth_date` and :func:`find_birth_date`."""

from __future__ import annotations

import re
from datetime import date
from zoneinfo import ZoneInfo

from bot import clock
from bot.identity.errors import InvalidBirthDate
from bot.identity.nir import MONTHS_FR
from bot.identity.text import fold, safe_quote

MAX_AGE_YEARS = 120
_PARIS = ZoneInfo("Europe/Paris")

_MONTH_WORDS: dict[str, int] = {}
for _month_number, _names in enumerate(
    (
        ("janvier", "janv", "jan"),
        ("fevrier", "fevr", "fev"),
        ("mars", "mar"),
        ("avril", "avr"),
        ("mai",),
        ("juin",),
        ("juillet", "juil"),
        ("aout",),
        ("septembre", "sept", "sep"),
        ("octobre", "oct"),
        ("novembre", "nov"),
        ("decembre", "dec"),
    ),
    start=1,
):
    for _name in _names:
        _MONTH_WORDS[_name] = _month_number

_FIRST_DAY = {"1er", "1ere", "premier", "premiere"}
_FILLERS = frozenset(
    "je suis ne nee e le la date de naissance c est ma mon nais"
    " lundi mardi mercredi jeudi vendredi samedi dimanche".split()
)

_MONTH_PATTERN = (
    r"janvier|janv|f[ée]vrier|f[ée]vr|f[ée]v|mars|avril|avr|mai|juin|juillet|juil|ao[uû]t"
    r"|septembre|sept|octobre|oct|novembre|nov|d[ée]cembre|d[ée]c"
)
_DATE_IN_TEXT = re.compile(
    r"(?<![0-9])(?<![0-9][/.\-])[0-9]{1,2}\s?[/.\-]\s?[0-9]{1,2}\s?[/.\-]\s?(?:[0-9]{4}|[0-9]{2})(?![/.\-]?[0-9])"
    r"|(?<![0-9])[0-9]{4}\s?[/.\-]\s?[0-9]{1,2}\s?[/.\-]\s?[0-9]{1,2}(?![/.\-]?[0-9])"
    rf"|(?<![0-9])(?:1er|1[èe]re|premier|[0-9]{{1,2}})\s+(?:{_MONTH_PATTERN})\.?\s+(?:[0-9]{{4}}|[0-9]{{2}})(?![0-9])",
    re.IGNORECASE,
)


def today_in_france() -> date:
    """Today's date in metropolitan France, from :func:`bot.clock.now`."""
    return clock.now().astimezone(_PARIS).date()


def find_birth_date(text: str) -> str | None:
    """The first date-looking part of a sentence, as typed, or None.

    "Dupont Marie née le 12/03/1980" → "12/03/1980". It only finds
    candidates: pass the result to :func:`parse_birth_date`.
    """
    match = _DATE_IN_TEXT.search(text or "")
    return match.group(0) if match else None


def _format_error(text: str) -> InvalidBirthDate:
    quoted = safe_quote(text)
    if quoted:
        return InvalidBirthDate("format", "utter_refused_birth_date_format", typed=quoted)
    return InvalidBirthDate("format", "utter_refused_birth_date_format_unquoted")


def _tokens(text: str) -> list[str] | None:
    """Day, month, year tokens (in that order), or None if not a date."""
    words = fold(text).split()
    while words and words[0] in _FILLERS:
        words = words[1:]
    if len(words) == 1 and words[0].isascii() and words[0].isdigit():
        digits = words[0]
        if len(digits) == 8:
            return [digits[:2], digits[2:4], digits[4:]]
        if len(digits) == 6:
            return [digits[:2], digits[2:4], digits[4:]]
        return None
    if len(words) != 3:
        return None
    if len(words[0]) == 4 and words[0].isdigit():  # ISO order: year, month, day
        words = [words[2], words[1], words[0]]
    return words


def _number(token: str) -> int | None:
    return int(token) if token.isascii() and token.isdigit() and len(token) <= 4 else None


def _full_year(two_digits: int, month: int, day: int, today: date) -> int:
    year = 2000 + two_digits
    try:
        if date(year, month, day) <= today:
            return year
    except ValueError:  # 29 February of a non-leap 20yy: fall through to 19yy
        if year <= today.year:
            return year
    return year - 100


def _read(tokens: list[str], today: date) -> date:
    day_token, month_token, year_token = tokens
    day = 1 if day_token in _FIRST_DAY else _number(day_token)
    month = _MONTH_WORDS.get(month_token.rstrip(".")) or _number(month_token)
    year = _number(year_token)
    if day is None or month is None or year is None or len(year_token) not in (2, 4) or day > 99:
        raise ValueError("not a date")
    if not 1 <= month <= 12:
        raise InvalidBirthDate("month", "utter_refused_birth_date_month", month=str(month))
    if not 1 <= day <= 31:
        raise InvalidBirthDate("day", "utter_refused_birth_date_day", day=str(day))
    if len(year_token) == 2:
        year = _full_year(year, month, day, today)
    if year < 1000:
        raise ValueError("not a year")
    try:
        return date(year, month, day)
    except ValueError:
        if month == 2 and day == 29:
            raise InvalidBirthDate("impossible", "utter_refused_birth_date_impossible_leap", year=str(year)) from None
        raise InvalidBirthDate(
            "impossible", "utter_refused_birth_date_impossible", day=str(day), month_name=MONTHS_FR[month - 1]
        ) from None


def parse_birth_date(text: str, today: date | None = None) -> date:
    """Read a birth date typed in French and check it is plausible.

    Accepted: "12/03/1980", "12-03-1980", "12.03.1980", "12 03 1980",
    "12031980", "1980-03-12", "12 mars 1980", "12 Mars 80", "1er mai 1975",
    "12 févr. 1980", with or without accents, and inside a short sentence
    ("née le 12/03/1980"). Day comes before month, always (French order),
    except in the ISO form year-month-day.

    Two-digit years: "yy" means 20yy when that date is not after today,
    otherwise 19yy. So, on 22 November 2025, "12/03/80" is 1980, "12/03/05"
    is 2005 and "12/12/25" is 1925 (2025-12-12 would be in the future).

    Refused (:class:`InvalidBirthDate`, reason in brackets): nothing typed
    [empty], no date recognised [format], day and month without a year
    [year_missing], month not 1–12 [month], day not
    1–31 [day], a day the month does not have such as 31/02 [impossible],
    a date after today [future], an age of 121 years or more [too_old].
    ``today`` defaults to today's date in France (:func:`bot.clock.now`).
    """
    raw = text or ""
    if not raw.strip():
        raise InvalidBirthDate("empty", "utter_refused_birth_date_empty")
    today = today or today_in_france()
    born: date | None = None
    for candidate in (raw, find_birth_date(raw)):
        tokens = _tokens(candidate) if candidate else None
        if tokens is None:
            continue
        try:
            born = _read(tokens, today)
        except InvalidBirthDate:
            raise
        except ValueError:
            continue
        break
    if born is None:
        words = [word for word in fold(raw).split() if word not in _FILLERS]
        if len(words) == 2 and words[1] in _MONTH_WORDS:
            raise InvalidBirthDate("year_missing", "utter_refused_birth_date_year_missing")
        raise _format_error(raw)
    shown = born.strftime("%d/%m/%Y") if born.year >= 1000 else str(born)
    if born > today:
        raise InvalidBirthDate("future", "utter_refused_birth_date_future", shown_date=shown)
    if _years_between(born, today) > MAX_AGE_YEARS:
        raise InvalidBirthDate(
            "too_old", "utter_refused_birth_date_too_old", shown_date=shown, max_age=str(MAX_AGE_YEARS)
        )
    return born


def _years_between(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
