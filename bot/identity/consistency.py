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

#: A birth year this far from the NIR's means the number is someone else's.
OTHER_PERSON_GAP_YEARS = 10

_CHECK_BOTH = "Merci de vérifier votre {what} ou votre numéro de sécurité sociale."


@dataclass(frozen=True)
class Inconsistency:
    """One disagreement between the NIR and another answer."""

    field: str  # "birth_date", "birth_department" or "nir"
    # "other_person", "birth_year", "birth_month", "birth_department", "historical_code"
    # (a code used after the year it stopped meaning that, e.g. Corsica 20 from 1976 on),
    # "corsica_split" (2A/2B for a birth before 1976, when Corsica was 20)
    reason: str
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
                        f"Votre numéro de sécurité sociale correspond à une naissance en {nir_year}, mais vous "
                        f"m'avez indiqué le {shown}. Si l'erreur est dans la date, donnez-moi la bonne (l'année "
                        "seule suffit) ; si ce numéro n'est pas le vôtre, donnez-moi votre propre numéro de "
                        "sécurité sociale.",
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
    if nir_code in CORSICA_CODES and birth_year < CORSICA_SPLIT_YEAR:
        return Inconsistency(
            "nir",
            "corsica_split",
            f"{_corsica_lead(nir_code, birth_year, year_known)} Pour une naissance en Corse avant "
            f"{CORSICA_SPLIT_YEAR}, le numéro de sécurité sociale porte le département {CORSICA} (les codes "
            f"2A et 2B n'existent que depuis {CORSICA_SPLIT_YEAR}). {_corsica_check(year_known)}",
        )
    rule = HISTORICAL_CODES.get(nir_code)
    if not rule or nir_code in DEPARTMENTS or birth_year < rule.born_before:
        return None
    if nir_code == CORSICA:
        message = (
            f"{_corsica_lead(nir_code, birth_year, year_known)} Le code {CORSICA} n'était utilisé que "
            f"pour les naissances en Corse avant {CORSICA_SPLIT_YEAR} : depuis, le numéro de sécurité sociale "
            f"porte le département 2A (Corse-du-Sud) ou 2B (Haute-Corse). {_corsica_check(year_known)}"
        )
    else:
        message = (
            f"Votre numéro indique le code {nir_code} ({rule.name}), utilisé seulement pour les naissances "
            f"avant {rule.born_before}, or vous êtes né(e) en {birth_year}. Merci de vérifier votre numéro "
            "de sécurité sociale et votre date de naissance."
        )
    return Inconsistency("nir", "historical_code", message)


def _corsica_lead(nir_code: str, birth_year: int, year_known: bool) -> str:
    if year_known:
        return f"Votre numéro porte le département {nir_code}, or vous êtes né(e) en {birth_year}."
    return f"Votre numéro porte le département {nir_code} et indique une naissance en {birth_year}."


def _corsica_check(year_known: bool) -> str:
    if year_known:
        return "Vérifiez votre numéro ou votre date de naissance."
    return "Vérifiez votre numéro de sécurité sociale."


def _check_department(nir: NirFacts, given: str, birth_year: int) -> list[Inconsistency]:
    nir_code = nir.department
    if department_matches(nir_code, given, birth_year):
        return []
    if nir_code == ABROAD:
        message = f"Votre numéro indique une naissance à l'étranger (99), ce qui ne correspond pas à {_label(given)}. "
    else:
        message = f"Le département {nir_code} de votre numéro ne correspond pas à {_label(given)}. "
    message += _CHECK_BOTH.format(what="département de naissance")
    return [Inconsistency("birth_department", "birth_department", message)]
