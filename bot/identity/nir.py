"""The French social security number (NIR): parsing, masking, extraction.

``parse_nir`` accepts what people type ("1 80 10 42 123 456 78",
"1.80.10.2a.123.456.78", a whole sentence containing the number) and returns
a :class:`Nir`. Its ``str()``/``repr()`` only show the masked form
("1 80 10 42 *** *** **"): the full number is in ``normalized`` and must not
go to a log, a reply or the database in clear.

Layout (15 characters): sex (1), birth year (2), birth month (2), birth
place (5: department 2 + commune 3, or overseas department 3 + commune 2, or
99 + country 3), order number (3), key (2).

The first digit is 1 (man) or 2 (woman) for a definitive NIR. People still
waiting for theirs are identified by a *provisional* number built the same
way, with the same key: 3 or 4 while a person born abroad is being
registered, 7 or 8 for the waiting number (NIA) of the national register. A
member file can hold such a number, so it is accepted, with
``provisional=True`` (odd first digit: man, even: woman); its birth date and
place are not cross-checked (:func:`bot.identity.check_nir_against`), the
member-store match decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum import exceptions as stdnum_errors
from stdnum.fr import nir as stdnum_nir

from bot.identity.departments import DEPARTMENTS, HISTORICAL_CODES
from bot.identity.errors import InvalidNir

MONTHS_FR = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip

_SEPARATORS = re.compile(r"[\s.\-_/]+")
_ALLOWED = re.compile(r"[0-9AB]+", re.ASCII)
_SHAPE = re.compile(r"[0-9]{5}(?:[0-9]{2}|2[AB])[0-9]{6}(?:[0-9]{2})?", re.ASCII)
_RUN = re.compile(r"(?<![0-9A-Za-z])[0-9](?:[ .\-]?(?:[0-9]|(?<=2)[AaBb])){12,14}(?![0-9A-Za-z])")
_ANY_RUN = re.compile(r"[0-9](?:[ .\-]?(?:[0-9]|(?<=2)[AaBb]))*")
_WORD = re.compile(r"[^\W\d_]{2,}")
_MASKED = re.compile(r"([123478]) ([0-9]{2}) ([0-9]{2}) ([0-9]{2}|2[AB]|9[78][0-9]) [* ]+", re.ASCII)

# Department codes a NIR can carry: today's codes (2 characters, or 3 digits
# for overseas), plus the codes only used for births before a given year
# (Corsica 20, Tunisia 96).
_TWO_CHAR_CODES = frozenset(code for code in DEPARTMENTS if len(code) == 2) | frozenset(HISTORICAL_CODES)
_OVERSEAS_CODES = frozenset(code for code in DEPARTMENTS if len(code) == 3)

#: First digit of a definitive NIR: 1 man, 2 woman.
DEFINITIVE_FIRST_DIGITS = frozenset({1, 2})
#: First digit of a provisional number: 3/4 (person born abroad being
#: registered), 7/8 (waiting number, NIA, until the NIR is certified).
PROVISIONAL_FIRST_DIGITS = frozenset({3, 4, 7, 8})


def _month_from_code(code: int) -> int | None:
    """Birth month of a NIR month code: 01–12 as is, 31–42 = month + 30, others unknown."""
    if 1 <= code <= 12:
        return code
    if 31 <= code <= 42:
        return code - 30
    return None


def _month_code_valid(code: int) -> bool:
    # 01-12 known month; 20-30 and 50-99 unknown month; 31-42 known month + 30.
    return 1 <= code <= 12 or 20 <= code <= 42 or 50 <= code <= 99


@dataclass(frozen=True, repr=False)
class NirFacts:
    """What the masked NIR still tells: sex, birth year and month, department.

    The conversation keeps only the masked number; ``NirFacts.from_masked``
    rebuilds these facts so :func:`check_nir_against` can run later.
    ``sex`` is the first digit as written: 1 or 2, or 3, 4, 7, 8 for a
    provisional number (see ``provisional``).
    """

    sex: int
    birth_year: int
    month_code: str
    department: str

    @property
    def provisional(self) -> bool:
        """A provisional number (first digit 3, 4, 7 or 8), not yet a definitive NIR."""
        return self.sex in PROVISIONAL_FIRST_DIGITS

    @property
    def birth_month(self) -> int | None:
        """1–12, or None for the "unknown month" codes (20–30, 50–99)."""
        return _month_from_code(int(self.month_code))

    @property
    def masked(self) -> str:
        hidden = "*** *** **" if len(self.department) == 2 else "** *** **"
        return f"{self.sex} {self.birth_year:02d} {self.month_code} {self.department} {hidden}"

    @classmethod
    def from_masked(cls, masked: str) -> NirFacts:
        """Facts of a masked NIR such as "1 80 10 42 *** *** **" (or "7 80 10 42 …", provisional)."""
        match = _MASKED.fullmatch((masked or "").strip())
        if (
            not match
            or not _month_code_valid(int(match.group(3)))
            or match.group(4) not in _TWO_CHAR_CODES | _OVERSEAS_CODES
        ):
            raise InvalidNir("masked", "utter_refused_nir_masked")
        sex, year, month, department = match.groups()
        return NirFacts(int(sex), int(year), month, department)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.masked!r})"

    def __str__(self) -> str:
        return self.masked


@dataclass(frozen=True, repr=False)
class Nir(NirFacts):
    """A structurally valid NIR (or provisional number) with a correct key. ``str()`` is the masked form."""

    commune: str
    order: str
    key: str

    @property
    def normalized(self) -> str:
        """The 15 characters without separators (secret: never log or show it)."""
        return f"{self.sex}{self.birth_year:02d}{self.month_code}{self.department}{self.commune}{self.order}{self.key}"

    @property
    def facts(self) -> NirFacts:
        return NirFacts(self.sex, self.birth_year, self.month_code, self.department)


def nir_facts_from_masked(masked: str) -> NirFacts:
    """Same as :meth:`NirFacts.from_masked`."""
    return NirFacts.from_masked(masked)


def _compact(text: str) -> str:
    return _SEPARATORS.sub("", text).upper()


def find_nir(text: str) -> str | None:
    """The first NIR-looking run in a sentence (13 or 15 characters once
    spaces, dots and dashes are removed; 2A/2B allowed), as typed, or None.

    It only finds candidates: pass the result to :func:`parse_nir`.
    """
    for match in _RUN.finditer(text or ""):
        if _SHAPE.fullmatch(_compact(match.group(0))):
            return match.group(0)
    return None


def _longest_run_in_sentence(text: str) -> str | None:
    """In a sentence ("mon numéro est 1 80 10 42 123"), the longest digit run,
    so that a number of the wrong length gets the length message."""
    if not _WORD.search(text):
        return None
    runs = [match.group(0) for match in _ANY_RUN.finditer(text)]
    longest = max(runs, key=lambda run: len(_compact(run)), default="")
    return longest if len(_compact(longest)) >= 8 else None


def _characters_error() -> InvalidNir:
    return InvalidNir("characters", "utter_refused_nir_characters")


def parse_nir(text: str) -> Nir:
    """Check a NIR typed by the member and return it, or raise :class:`InvalidNir`.

    A provisional number (first digit 3, 4, 7 or 8) is checked the same way
    and comes back with ``provisional`` true.

    Reasons: ``empty``, ``characters``, ``missing_key`` (13 characters: the
    key is missing), ``length``, ``sex``, ``month``, ``department``,
    ``commune``, ``order``, ``key``.
    """
    raw = text or ""
    compact = _compact(raw)
    if not compact:
        raise InvalidNir("empty", "utter_refused_nir_empty")
    if not _ALLOWED.fullmatch(compact):
        found = find_nir(raw) or _longest_run_in_sentence(raw)
        if found is None:
            raise _characters_error()
        compact = _compact(found)
    letters = [index for index, char in enumerate(compact) if char in "AB"]
    if letters and (letters != [6] or compact[5] != "2"):
        raise _characters_error()
    if len(compact) == 13:
        raise InvalidNir("missing_key", "utter_refused_nir_missing_key")
    if len(compact) != 15:
        raise InvalidNir("length", "utter_refused_nir_length", digit_count=str(len(compact)))
    return _check_structure(compact)


def _check_structure(compact: str) -> Nir:
    sex = int(compact[0])
    if sex not in DEFINITIVE_FIRST_DIGITS | PROVISIONAL_FIRST_DIGITS:
        raise InvalidNir("sex", "utter_refused_nir_sex")
    year = int(compact[1:3])
    month_code = compact[3:5]
    if not _month_code_valid(int(month_code)):
        raise InvalidNir("month", "utter_refused_nir_month", month_code=month_code)
    if compact[5:7] in {"97", "98"}:
        department, commune = compact[5:8], compact[8:10]
        if department not in _OVERSEAS_CODES:
            raise InvalidNir("department", "utter_refused_nir_department_overseas", department_code=department)
    else:
        department, commune = compact[5:7], compact[7:10]
        if department not in _TWO_CHAR_CODES:
            raise InvalidNir("department", "utter_refused_nir_department", department_code=department)
        historical = HISTORICAL_CODES.get(department)
        if department not in DEPARTMENTS and historical and year >= historical.born_before % 100:
            # Only used before a given year (e.g. Corsica "20" before 1976):
            # 19yy would be too late and 18yy impossible.
            raise InvalidNir(
                "department",
                "utter_refused_nir_department_historical",
                department_code=department,
                department_name=historical.name,
                born_before=str(historical.born_before),
                nir_year=f"{year:02d}",
            )
    if set(commune) == {"0"}:
        response = "utter_refused_nir_commune_abroad" if department == "99" else "utter_refused_nir_commune"
        raise InvalidNir("commune", response, commune_code=commune)
    order = compact[10:13]
    if order == "000":
        raise InvalidNir("order", "utter_refused_nir_order")
    # python-stdnum checks the characters, the length and the key (97 minus
    # the first 13 digits modulo 97, with 2A -> 19 and 2B -> 18). It does not
    # check the sex digit (so provisional numbers, 3/4/7/8, pass as they are;
    # a test pins it), the month codes, the department codes (nor those that
    # depend on the birth year), commune/order 000, nor tell a missing key
    # apart: those are the checks above.
    try:
        stdnum_nir.validate(compact)
    except stdnum_errors.InvalidChecksum:
        raise InvalidNir("key", "utter_refused_nir_key") from None
    except stdnum_errors.ValidationError:
        raise _characters_error() from None
    return Nir(sex, year, month_code, department, commune, order, compact[13:15])
