"""Birth departments: reference data and :func:`parse_department`.

The departments (and the overseas collectivities that have a NIR code) are
read once, at import time, from ``data/reference/departements.csv``; other
names people use come from ``departement_aliases.csv``, and the prefectures
and large cities members name instead from ``department_cities.csv``; country names (which
all mean "born abroad", code 99) come from Babel's French territory names.
The NIR codes whose meaning depends on the birth year (Corsica 20, Seine 75,
Seine-et-Oise 78, Algeria, Morocco, Tunisia) are in
``nir_historical_codes.csv`` and used by :mod:`bot.identity.consistency`.

Corsica was one department, 20, until 1 January 1976, then Corse-du-Sud (2A)
and Haute-Corse (2B): :data:`CORSICA`, :data:`CORSICA_CODES` and
:data:`CORSICA_SPLIT_YEAR` come from the 20 row of that file, and
:func:`same_birth_department` treats 20 and 2A/2B as the same birth
department for people born before 1976 (a member file may hold either).
"""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from babel import Locale

from bot.identity.errors import InvalidDepartment
from bot.identity.text import fold, safe_quote, squeeze

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "data" / "reference"

ABROAD = "99"


@dataclass(frozen=True)
class Department:
    """A birth department as the member gave it (``str()`` → "Rhône (69)")."""

    code: str
    name: str
    kind: str = "departement"
    #: Country of birth, in French, when the member named one (code 99).
    country: str | None = None

    @property
    def is_abroad(self) -> bool:
        return self.code == ABROAD

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


@dataclass(frozen=True)
class HistoricalCode:
    """A NIR department code that meant something else before a given year."""

    code: str
    name: str
    born_before: int
    covers: frozenset[str]


def _rows(filename: str) -> Iterator[dict[str, str]]:
    with open(REFERENCE_DIR / filename, encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if line.strip() and not line.startswith("#")]
    yield from csv.DictReader(lines)


_FILLERS = frozenset("je suis ne nee e en au aux a dans le la les l de du des d departement dept dpt dep c est".split())
_ABBREVIATIONS = {"st": "saint", "ste": "sainte"}


def _key(text: str) -> str:
    words = fold(text).split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)


def _variants(key: str) -> Iterator[str]:
    """The key, then the key without each leading filler word in turn."""
    words = key.split()
    while words:
        yield " ".join(words)
        if words[0] not in _FILLERS:
            return
        words = words[1:]


DEPARTMENTS: dict[str, Department] = {
    row["code"]: Department(row["code"], row["name"], row["kind"]) for row in _rows("departements.csv")
}

HISTORICAL_CODES: dict[str, HistoricalCode] = {
    row["code"]: HistoricalCode(row["code"], row["name"], int(row["born_before"]), frozenset(row["covers"].split()))
    for row in _rows("nir_historical_codes.csv")
}

#: Corsica's code in the NIR (and in older records) for births before the split.
CORSICA = "20"
#: Today's Corsican codes (2A Corse-du-Sud, 2B Haute-Corse), used from this year on.
CORSICA_CODES: frozenset[str] = HISTORICAL_CODES[CORSICA].covers
CORSICA_SPLIT_YEAR: int = HISTORICAL_CODES[CORSICA].born_before


def same_birth_department(first: str, second: str, birth_year: int | None) -> bool:
    """Whether two department codes name the same birth department for a
    person born in ``birth_year``: equal codes, or 20 and 2A/2B (either way
    round) for a birth before 1976. Codes as :func:`parse_department` gives
    them (upper case, "01" not "1")."""
    if first == second:
        return True
    pair = {first, second}
    return birth_year is not None and birth_year < CORSICA_SPLIT_YEAR and CORSICA in pair and bool(pair & CORSICA_CODES)


_BY_NAME: dict[str, tuple[str, ...]] = {}
for _department in DEPARTMENTS.values():
    _BY_NAME[_key(_department.name)] = (_department.code,)
for _row in _rows("departement_aliases.csv"):
    _BY_NAME.setdefault(_key(_row["alias"]), tuple(_row["code"].split()))
# prefectures and large cities ("Lyon" → Rhône): after department names and aliases
for _row in _rows("department_cities.csv"):
    _BY_NAME.setdefault(_key(_row["city"]), tuple(_row["code"].split()))

# ISO codes of France and of its overseas parts (they have their own codes),
# and Babel's territories that are not countries.
_NOT_ABROAD = frozenset("FR FX GP MQ GF RE YT PM BL MF WF PF NC TF CP EU EZ UN QO ZZ".split())
_COUNTRIES: dict[str, str] = {
    _key(name): name
    for iso, name in Locale("fr").territories.items()
    if len(iso) == 2 and iso.isalpha() and iso not in _NOT_ABROAD
}

_BY_COMPACT_NAME: dict[str, tuple[str, ...]] = {key.replace(" ", ""): codes for key, codes in _BY_NAME.items()}

_SUGGESTABLE: dict[str, str] = {_key(d.name): d.code for d in DEPARTMENTS.values()}

_CODE_TEXT = re.compile(r"[0-9]{1,3}|2[AB]", re.ASCII)
_NAME_WITH_CODE = re.compile(r"(.*?)\s*\(\s*([0-9]{1,3}|2[AaBb])\s*\)", re.ASCII)
_CODE_WITH_NAME = re.compile(r"([0-9]{2,3}|2[AaBb])\s*[-–:,]?\s*([^\W\d_].*)")


def department_by_code(code: str) -> Department | None:
    """The department with this exact code ("69", "2A", "971", "99"), if any."""
    return DEPARTMENTS.get(code)


def department_label(code: str) -> str:
    """The label of a known code, e.g. "Rhône (69)", else the code itself."""
    department = DEPARTMENTS.get(code)
    return str(department) if department else code


def _from_code(compact: str) -> Department:
    if len(compact) == 1 and compact != "0":
        compact = "0" + compact
    if compact == "20":
        raise InvalidDepartment(
            "corsica", "utter_refused_birth_department_corsica", [str(DEPARTMENTS["2A"]), str(DEPARTMENTS["2B"])]
        )
    department = DEPARTMENTS.get(compact)
    if department is not None:
        return department
    if len(compact) == 3 and compact.startswith("0"):
        raise InvalidDepartment("format", "utter_refused_birth_department_format", short_code=compact[1:])
    overseas = [d for d in DEPARTMENTS.values() if d.kind == "departement" and len(d.code) == 3]
    if compact in {"97", "98"}:
        raise InvalidDepartment(
            "overseas_code",
            "utter_refused_birth_department_overseas_code",
            [str(d) for d in overseas],
            overseas=", ".join(str(d) for d in overseas),
        )
    raise InvalidDepartment("unknown_code", "utter_refused_birth_department_unknown_code", code=compact)


def _lookup(key: str) -> Department | None:
    for variant in _variants(key):
        codes = _BY_NAME.get(variant) or _BY_COMPACT_NAME.get(variant.replace(" ", ""))
        if codes is not None:
            if len(codes) > 1:
                choices = [str(DEPARTMENTS[code]) for code in codes]
                raise InvalidDepartment(
                    "ambiguous", "utter_refused_birth_department_ambiguous", choices, choices=" ou ".join(choices)
                )
            return DEPARTMENTS[codes[0]]
        country = _COUNTRIES.get(variant)
        if country is not None:
            abroad = DEPARTMENTS[ABROAD]
            return Department(abroad.code, abroad.name, abroad.kind, country=country)
    return None


def _code_and_name(code: str, name: str) -> Department:
    """Code and name typed together ("69 - Rhône", "Rhône (69)"): they must agree."""
    by_code = _from_code(code.upper())
    by_name = _lookup(_key(name)) if name.strip() else None
    if by_name is not None and by_name.code != by_code.code:
        quoted = safe_quote(name)
        values = {"code": by_code.code, "by_code": str(by_code), "by_name": str(by_name)}
        raise InvalidDepartment(
            "conflict",
            "utter_refused_birth_department_conflict" if quoted else "utter_refused_birth_department_conflict_unquoted",
            [str(by_code), str(by_name)],
            **values,
            **({"typed": quoted} if quoted else {}),
        )
    return by_code


def parse_department(text: str) -> Department:
    """Read a birth department typed by the member.

    Accepts a code ("42", "2a", "971", "99", "1" for "01" — but not "042"), a
    name with or without accents, hyphens or capitals ("corse du sud",
    "Réunion", "seine st denis"), "né(e) à l'étranger" or a country name
    (both give code 99), and the "Rhône (69)" form this module prints.
    Raises :class:`InvalidDepartment`, with the closest names in
    ``suggestions`` when the name is unknown.
    """
    raw = squeeze(text or "")
    if not raw:
        raise InvalidDepartment("empty", "utter_refused_birth_department_empty")
    with_code = _NAME_WITH_CODE.fullmatch(raw)
    if with_code:
        return _code_and_name(with_code.group(2), with_code.group(1))
    compact = re.sub(r"[\s.\-]", "", raw).upper()
    if _CODE_TEXT.fullmatch(compact):
        return _from_code(compact)
    key = _key(raw)
    found = _lookup(key)
    if found is not None:
        return found
    code_then_name = _CODE_WITH_NAME.fullmatch(raw)
    if code_then_name:
        return _code_and_name(code_then_name.group(1), code_then_name.group(2))
    variants = list(_variants(key))
    guess = variants[-1] if variants else key
    names = difflib.get_close_matches(guess, list(_SUGGESTABLE), n=3, cutoff=0.6)
    suggestions = [str(DEPARTMENTS[_SUGGESTABLE[name]]) for name in names]
    quoted = safe_quote(raw)
    response = {  # (suggestions, quoted) -> the refusal
        (True, True): "utter_refused_birth_department_unknown_suggested",
        (True, False): "utter_refused_birth_department_unknown_suggested_unquoted",
        (False, True): "utter_refused_birth_department_unknown",
        (False, False): "utter_refused_birth_department_unknown_unquoted",
    }[(bool(suggestions), bool(quoted))]
    values = {"suggested": ", ".join(suggestions)} if suggestions else {}
    if quoted:
        values["typed"] = quoted
    raise InvalidDepartment("unknown", response, suggestions, **values)
