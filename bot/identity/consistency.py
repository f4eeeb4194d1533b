"""Cross-checks between the NIR and the birth date and department given.

:func:`check_nir_against` works on a full :class:`~bot.identity.nir.Nir` or
on the :class:`~bot.identity.nir.NirFacts` rebuilt from its masked form, and
knows the codes whose meaning depends on the birth year (listed in
``data/reference/nir_historical_codes.csv``): Corsica 20 before 1976,
Seine 75 / Seine-et-Oise 78 before 1968 for today's 91–95, Algeria 91–94
before 1963, Morocco 95 and Tunisia 96 before 1957 (now "born abroad", 99).

Corsica is checked both ways: a NIR carries 20 for a birth before 1 January
1976 and 2A/2B from then on, so 2A/2B with an earlier birth year, or 20 with
a later one, is refused with a message explaining the 1976 change (the
field asked again is the NIR, as for the other historical codes). Both
checks need only the birth year, so they run as soon as the birth date is
known (or, without it, the department: the year is then read from the NIR).

A provisional number (first digit 3, 4, 7 or 8) is never refused here: its
birth date and place may be placeholders, the member-store match decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date

from bot.identity.dates import today_in_france
from bot.identity.departments import (
    ABROAD,
    CORSICA,
    CORSICA_CODES,
    CORSICA_SPLIT_YEAR,
    DEPARTMENTS,
    HISTORICAL_CODES,
    Department,
    parse_department,
)
from bot.identity.errors import InvalidDepartment
from bot.identity.nir import MONTHS_FR, NirFacts
from bot.reply import DomainReply

#: A birth year this far from the NIR's means the number is someone else's.
OTHER_PERSON_GAP_YEARS = 10


@dataclass(frozen=True)
class Inconsistency(DomainReply):
    """One disagreement between the NIR and another answer.

    What the member reads is the response ``response`` of ``domain.yml``
    (``utter_refused_mismatch_<reason>``, with a ``_<case>`` suffix where one
    reason has several sentences) with ``values`` (:attr:`reply`);
    :attr:`message` is the same text rendered without Rasa (import report).
    """

    field: str  # "birth_date", "birth_department" or "nir"
    # "other_person", "birth_year", "birth_month", "birth_department", "historical_code"
    # (a code used after the year it stopped meaning that, e.g. Corsica 20 from 1976 on),
    # "corsica_split" (2A/2B for a birth before 1976, when Corsica was 20)
    reason: str
    response: str
    values: dict[str, str] = dataclass_field(default_factory=dict)


def _full_year(two_digits: int, near: int, today: date) -> int:
    """The 19yy or 20yy (not after this year) closest to ``near``."""
    candidates = [year for year in (1900 + two_digits, 2000 + two_digits) if year <= today.year]
    return min(candidates or [1900 + two_digits], key=lambda year: abs(year - near))


def _given_code(department: str | Department) -> str:
    if isinstance(department, Department):
        return department.code
    try:
        return parse_department(department).code
    except InvalidDepartment:
        return (department or "").strip().upper()


def _label(code: str) -> str:
    department = DEPARTMENTS.get(code)
    return str(department) if department else code


def department_matches(nir_code: str, given_code: str, birth_year: int | None) -> bool:
    """Whether the department in the NIR agrees with the one given, for a
    person born in ``birth_year`` (4 digits; None: only exact matches)."""
    if nir_code == given_code:
        return True
    rule = HISTORICAL_CODES.get(nir_code)
    return bool(rule and birth_year is not None and birth_year < rule.born_before and given_code in rule.covers)


def check_nir_against(
    nir: NirFacts,
    birth_date: date | None,
    department: str | Department | None,
    today: date | None = None,
) -> list[Inconsistency]:
    """Inconsistencies between the NIR and the birth date and department.

    ``nir`` is a :class:`Nir` or the :class:`NirFacts` of its masked form;
    ``department`` a code ("69", "2A", "99"), a name, or a
    :class:`Department`. A birth date or department left as None is not
    checked. An empty list means everything agrees; always the case for a
    provisional number (``nir.provisional``).
    """
    if nir.provisional:
        return []
    today = today or today_in_france()
    found: list[Inconsistency] = []
    birth_year: int | None = None
    if birth_date is not None:
        birth_year = birth_date.year
        shown = birth_date.strftime("%d/%m/%Y")
        if nir.birth_year != birth_date.year % 100:
            nir_year = _full_year(nir.birth_year, birth_date.year, today)
            if abs(nir_year - birth_date.year) >= OTHER_PERSON_GAP_YEARS:
                # the date is asked again, the NIR kept: a slip in the year is the
                # likely case, and a parent's number is replaced by typing one's own
                return [
                    Inconsistency(
                        "birth_date",
                        "other_person",
                        "utter_refused_mismatch_other_person",
                        {"nir_year": str(nir_year), "shown_date": shown},
                    )
                ]
            found.append(
                Inconsistency(
                    "birth_date",
                    "birth_year",
                    "utter_refused_mismatch_birth_year",
                    {"nir_year": str(nir_year), "shown_date": shown},
                )
            )
        if nir.birth_month is not None and nir.birth_month != birth_date.month:
            found.append(
                Inconsistency(
                    "birth_date",
                    "birth_month",
                    "utter_refused_mismatch_birth_month",
                    {"month_name": MONTHS_FR[nir.birth_month - 1], "shown_date": shown},
                )
            )
    if birth_date is None and department is None:
        return found
    year_known = birth_year is not None
    if birth_year is None:
        birth_year = _full_year(nir.birth_year, today.year, today)
    wrong_era = _check_code_era(nir.department, birth_year, year_known)
    if wrong_era is not None:
        found.append(wrong_era)
    elif department is not None:
        found.extend(_check_department(nir, _given_code(department), birth_year))
    return found


def _check_code_era(nir_code: str, birth_year: int, year_known: bool) -> Inconsistency | None:
    """The NIR's department code used outside its years (Corsica 20/2A/2B, Tunisia 96...), if so.

    ``year_known``: the year comes from the birth date (else it was read from the NIR).
    """
    corsica = {
        "nir_code": nir_code,
        "birth_year": str(birth_year),
        "corsica_code": CORSICA,
        "split_year": str(CORSICA_SPLIT_YEAR),
    }
    # Corsica: a year from the birth date asks to check the number or the date; a year read
    # from the NIR (the _nir_year responses), only the number
    if nir_code in CORSICA_CODES and birth_year < CORSICA_SPLIT_YEAR:
        response = (
            "utter_refused_mismatch_corsica_split" if year_known else "utter_refused_mismatch_corsica_split_nir_year"
        )
        return Inconsistency("nir", "corsica_split", response, corsica)
    rule = HISTORICAL_CODES.get(nir_code)
    if not rule or nir_code in DEPARTMENTS or birth_year < rule.born_before:
        return None
    if nir_code == CORSICA:
        response = (
            "utter_refused_mismatch_historical_code_corsica"
            if year_known
            else "utter_refused_mismatch_historical_code_corsica_nir_year"
        )
        return Inconsistency("nir", "historical_code", response, corsica)
    return Inconsistency(
        "nir",
        "historical_code",
        "utter_refused_mismatch_historical_code",
        {
            "nir_code": nir_code,
            "code_name": rule.name,
            "born_before": str(rule.born_before),
            "birth_year": str(birth_year),
        },
    )


def _check_department(nir: NirFacts, given: str, birth_year: int) -> list[Inconsistency]:
    nir_code = nir.department
    if department_matches(nir_code, given, birth_year):
        return []
    if nir_code == ABROAD:
        response, values = "utter_refused_mismatch_birth_department_nir_abroad", {"given": _label(given)}
    elif given == ABROAD:
        response, values = "utter_refused_mismatch_birth_department_given_abroad", {"nir_code": nir_code}
    else:
        response, values = "utter_refused_mismatch_birth_department", {"nir_code": nir_code, "given": _label(given)}
    return [Inconsistency("birth_department", "birth_department", response, values)]
