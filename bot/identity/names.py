"""Last and first names: cleaning what the member typed and comparing names."""

from __future__ import annotations

import re
import unicodedata

from bot.identity.errors import InvalidPersonName
from bot.identity.text import fold, squeeze

MAX_NAME_LENGTH = 80

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'", "‐": "-", "‑": "-", "–": "-"})
_ALLOWED = re.compile(r"[^\W\d_]+(?:[ '\-.]+[^\W\d_]+)*\.?")
_AROUND_HYPHEN = re.compile(r"\s*-\s*")
_AROUND_APOSTROPHE = re.compile(r"\s*'\s*")

# reason -> the refusal in domain.yml, for a last name and for a first name
_LAST_NAME_REFUSALS = {
    "empty": "utter_refused_last_name_empty",
    "digits": "utter_refused_last_name_digits",
    "too_long": "utter_refused_last_name_too_long",
    "characters": "utter_refused_last_name_characters",
}
_FIRST_NAME_REFUSALS = {
    "empty": "utter_refused_first_name_empty",
    "digits": "utter_refused_first_name_digits",
    "too_long": "utter_refused_first_name_too_long",
    "characters": "utter_refused_first_name_characters",
}


def normalize_name(text: str) -> str:
    """Comparable form of a name: lower case, no accents, hyphens and
    apostrophes as spaces, single spaces ("LE-GALL" → "le gall")."""
    return fold(text or "")


def same_person_name(left: str, right: str) -> bool:
    """Whether two spellings are the same name, ignoring case, accents,
    hyphens or spaces, apostrophes and extra spaces ("Le Gall" = "LE-GALL" =
    "Legall", "Hélène" = "helene", "N'Diaye" = "NDIAYE"). Empty names never match."""
    left_key = normalize_name(left).replace(" ", "")
    right_key = normalize_name(right).replace(" ", "")
    return bool(left_key) and left_key == right_key


def parse_person_name(text: str, first_name: bool = False) -> str:
    """Clean a last or first name as typed: single spaces, straight
    apostrophes, no spaces around hyphens or apostrophes ("  jean - pierre "
    → "jean-pierre"). Case is kept. Refuses (:class:`InvalidPersonName`):
    nothing typed [empty], digits [digits], other characters than letters,
    spaces, hyphens, apostrophes and dots [characters], more than 80
    characters [too_long]. ``first_name`` only changes the wording (the refusal is
    ``utter_refused_first_name_<reason>`` instead of ``utter_refused_last_name_<reason>``)."""
    refused = _FIRST_NAME_REFUSALS if first_name else _LAST_NAME_REFUSALS
    cleaned = squeeze(unicodedata.normalize("NFC", text or "").translate(_APOSTROPHES))
    cleaned = _AROUND_APOSTROPHE.sub("'", _AROUND_HYPHEN.sub("-", cleaned)).strip(" -'")
    if not cleaned:
        raise InvalidPersonName("empty", refused["empty"])
    if any(char.isdigit() for char in cleaned):
        raise InvalidPersonName("digits", refused["digits"])
    if len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidPersonName("too_long", refused["too_long"], max_length=str(MAX_NAME_LENGTH))
    if not _ALLOWED.fullmatch(cleaned):
        raise InvalidPersonName("characters", refused["characters"])
    return cleaned
