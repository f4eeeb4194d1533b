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
    characters [too_long]. ``first_name`` only changes the wording."""
    what, example = ("prénom", "Marie") if first_name else ("nom", "Dupont")
    cleaned = squeeze(unicodedata.normalize("NFC", text or "").translate(_APOSTROPHES))
    cleaned = _AROUND_APOSTROPHE.sub("'", _AROUND_HYPHEN.sub("-", cleaned)).strip(" -'")
    if not cleaned:
        raise InvalidPersonName(
            "empty", f"Merci d'indiquer votre {what} tel qu'il figure sur votre carte Vitale, par exemple {example}."
        )
    if any(char.isdigit() for char in cleaned):
        raise InvalidPersonName(
            "digits", f"Un {what} ne contient pas de chiffres : merci de l'écrire en lettres, par exemple {example}."
        )
    if len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidPersonName(
            "too_long",
            f"Ce {what} est trop long (plus de {MAX_NAME_LENGTH} caractères) : merci d'indiquer seulement votre "
            f"{what}, par exemple {example}.",
        )
    if not _ALLOWED.fullmatch(cleaned):
        raise InvalidPersonName(
            "characters",
            f"Un {what} ne contient que des lettres, des espaces, des traits d'union et des apostrophes : "
            f"merci de le vérifier, par exemple {'Jean-Pierre' if first_name else 'Le Gall'}.",
        )
    return cleaned
