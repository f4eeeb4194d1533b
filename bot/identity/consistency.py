"""Cross-checks between the NIR and the birth date and department given.

:func:`check_nir_against` works on a full :class:`~bot.identity.nir.Nir` or
on the :class:`~bot.identity.nir.NirFacts` rebuilt from its masked form, and
knows the codes whose meaning depends on the birth year (listed in
``data/reference/nir_historical_codes.csv``): Corsica 20 before 1976,
Seine 75 / Seine-et-Oise 78 before 1968 for today's 91–95, Algeria 91–94
before 1963, Morocco 95 and Tunisia 96 before 1957 (now "born abroad", 99).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.identity.dates import today_in_france
from bot.identity.departments import ABROAD, DEPARTMENTS, HISTORICAL_CODES, Department, parse_department
from bot.identity.errors import InvalidDepartment
from bot.identity.nir import MONTHS_FR, NirFacts

#: A birth year this far from the NIR's means the number is someone else's.
OTHER_PERSON_GAP_YEARS = 10

_CHECK_BOTH = "Merci de vérifier votre {what} ou votre numéro de sécurité sociale."


@dataclass(frozen=True)
class Inconsistency:
    """One disagreement between the NIR and another answer."""

    field: str  # "birth_date", "birth_department" or "nir"
    reason: str  # "other_person", "birth_year", "birth_month", "birth_department", "historical_code"
    message: str


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
    if code == ABROAD:
        return "une naissance à l'étranger (99)"
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
    checked. An empty list means everything agrees.
    """
    today = today or today_in_france()
    found: list[Inconsistency] = []
    birth_year: int | None = None
    if birth_date is not None:
        birth_year = birth_date.year
        shown = birth_date.strftime("%d/%m/%Y")
        if nir.birth_year != birth_date.year % 100:
            nir_year = _full_year(nir.birth_year, birth_date.year, today)
            if abs(nir_year - birth_date.year) >= OTHER_PERSON_GAP_YEARS:
                return [
                    Inconsistency(
                        "nir",
                        "other_person",
                        f"Ce numéro semble être celui d'une autre personne (année de naissance {nir_year}) : "
                        "merci d'indiquer votre propre numéro de sécurité sociale. S'il s'agit bien du vôtre, "
                        f"vérifiez votre date de naissance ({shown}).",
                    )
                ]
            found.append(
                Inconsistency(
                    "birth_date",
                    "birth_year",
                    f"L'année de naissance de votre numéro ({nir_year}) ne correspond pas à votre date de "
                    f"naissance ({shown}). " + _CHECK_BOTH.format(what="date de naissance"),
                )
            )
        if nir.birth_month is not None and nir.birth_month != birth_date.month:
            found.append(
                Inconsistency(
                    "birth_date",
                    "birth_month",
                    f"Le mois de naissance de votre numéro ({MONTHS_FR[nir.birth_month - 1]}) ne correspond pas "
                    f"à votre date de naissance ({shown}). " + _CHECK_BOTH.format(what="date de naissance"),
                )
            )
    if department is not None:
        found.extend(_check_department(nir, _given_code(department), birth_year, today))
    return found


def _check_department(nir: NirFacts, given: str, birth_year: int | None, today: date) -> list[Inconsistency]:
    nir_code = nir.department
    if birth_year is None:
        birth_year = _full_year(nir.birth_year, today.year, today)
    rule = HISTORICAL_CODES.get(nir_code)
    if rule and nir_code not in DEPARTMENTS and birth_year >= rule.born_before:
        return [
            Inconsistency(
                "nir",
                "historical_code",
                f"Votre numéro indique le code {nir_code} ({rule.name}), utilisé seulement pour les naissances "
                f"avant {rule.born_before}, or vous êtes né(e) en {birth_year}. Merci de vérifier votre numéro "
                "de sécurité sociale et votre date de naissance.",
            )
        ]
    if department_matches(nir_code, given, birth_year):
        return []
    if nir_code == ABROAD:
        message = f"Votre numéro indique une naissance à l'étranger (99), ce qui ne correspond pas à {_label(given)}. "
    else:
        message = f"Le département {nir_code} de votre numéro ne correspond pas à {_label(given)}. "
    message += _CHECK_BOTH.format(what="département de naissance")
    return [Inconsistency("birth_department", "birth_department", message)]
