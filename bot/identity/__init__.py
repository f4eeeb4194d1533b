"""Identity checks for account activation (pure Python, no Rasa import).

Each parser reads what the member typed and either returns a clean value or
raises a subclass of :class:`IdentityError` whose ``reason`` is machine
readable and whose ``reply`` (a response of ``domain.yml``,
``utter_refused_<field>_<reason>``, with its values) tells the member, in
French, what is wrong and how to fix it; ``message`` is the same text
rendered without Rasa (the import report):

- :func:`parse_nir` → :class:`Nir` (masked in ``str``/``repr``), :class:`InvalidNir`;
  provisional numbers (first digit 3, 4, 7, 8) are accepted, ``provisional`` true;
  :func:`find_nir` finds a NIR inside a sentence; :meth:`NirFacts.from_masked`
  rebuilds sex, birth year/month and department from the masked form;
- :func:`check_nir_against` → list of :class:`Inconsistency` between the NIR
  and the birth date and department given (Corsica: 20 before 1976, 2A/2B
  since; nothing for a provisional number);
- :func:`parse_department` → :class:`Department`, :class:`InvalidDepartment`;
- :func:`parse_birth_date` → ``datetime.date``, :class:`InvalidBirthDate`;
  :func:`find_birth_date` finds a date inside a sentence;
- :func:`parse_mobile` → E.164 string, :class:`InvalidMobile`;
- :func:`parse_email` → address, :class:`InvalidEmail` (``suggestion`` on typos);
- :func:`parse_person_name`, :func:`normalize_name`, :func:`same_person_name`,
  :class:`InvalidPersonName`.
"""

from bot.identity.consistency import Inconsistency, check_nir_against, department_matches
from bot.identity.dates import find_birth_date, parse_birth_date, today_in_france
from bot.identity.departments import Department, department_by_code, department_label, parse_department
from bot.identity.emails import parse_email, suggest_domain
from bot.identity.errors import (
    IdentityError,
    InvalidBirthDate,
    InvalidDepartment,
    InvalidEmail,
    InvalidMobile,
    InvalidNir,
    InvalidPersonName,
)
from bot.identity.names import normalize_name, parse_person_name, same_person_name
from bot.identity.nir import Nir, NirFacts, find_nir, nir_facts_from_masked, parse_nir
from bot.identity.phones import parse_mobile

__all__ = [
    "Department",
    "IdentityError",
    "Inconsistency",
    "InvalidBirthDate",
    "InvalidDepartment",
    "InvalidEmail",
    "InvalidMobile",
    "InvalidNir",
    "InvalidPersonName",
    "Nir",
    "NirFacts",
    "check_nir_against",
    "department_by_code",
    "department_label",
    "department_matches",
    "find_birth_date",
    "find_nir",
    "nir_facts_from_masked",
    "normalize_name",
    "parse_birth_date",
    "parse_department",
    "parse_email",
    "parse_mobile",
    "parse_nir",
    "parse_person_name",
    "same_person_name",
    "suggest_domain",
    "today_in_france",
]
