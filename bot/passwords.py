"""Password policy, strength checks and password hashing (Argon2id).

Three kinds of checks, each with a short French message:

- composition, from the tenant's ``password_policy``: ``policy_errors(password,
  policy)`` returns one phrase per rule the password misses ("au moins 8
  caractères", "au moins une majuscule"...), an empty list when it satisfies
  them.  Up to ``MAX_LENGTH`` (128) characters are accepted, spaces and any
  Unicode included; only control characters (tab, new line) are refused.
- personal data: :func:`personal_data_found` tells whether the password
  contains the member's last name, a first name, the birth date (DDMMYYYY,
  YYYYMMDD, DDMMYY, YYMMDD, with or without ``/ - . _`` or spaces), the birth
  year or the adherent number, compared without case, accents or separators.
- guessability: :func:`guessability_error` asks zxcvbn (Dropbox's estimator,
  offline: its lists of common passwords, words and names ship inside the
  package) and refuses a password it finds in its common-password list or
  scores below ``MIN_SCORE`` because of a known pattern (dictionary word,
  keyboard walk, sequence, repetition, date).  The member's personal data are
  given to zxcvbn as user inputs, so disguised forms ("M4rt1n", reversed)
  are caught too.

:func:`password_errors` puts them together as full French sentences for the
password page.  ``hash_password`` / ``verify_password`` use argon2-cffi's
Argon2id with its RFC 9106 default parameters.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from bot.tenants import PasswordPolicy

# Argon2 hashes arbitrarily long input, but a cap keeps a hostile form cheap
MAX_LENGTH = 128
# zxcvbn score (0-4) a password must reach when zxcvbn recognises a pattern in it
MIN_SCORE = 3
# zxcvbn's cost grows quickly with length (measured: 0.15 s for 64 random
# characters, up to 3 s for 128; about 2 s for 64 characters crafted with every
# l33t substitute): only the beginning is scored
SCORED_LENGTH = 64
# shorter name parts ("Le" of "Le Gall") would refuse too many passwords
MIN_NAME_PART = 3
MIN_NUMBER_PART = 4

LAST_NAME = "last_name"
FIRST_NAME = "first_name"
BIRTH_DATE = "birth_date"
BIRTH_YEAR = "birth_year"
ADHERENT_NUMBER = "adherent_number"
_KIND_WORDS = {
    LAST_NAME: "votre nom",
    FIRST_NAME: "votre prénom",
    BIRTH_DATE: "votre date de naissance",
    BIRTH_YEAR: "votre année de naissance",
    ADHERENT_NUMBER: "votre numéro d'adhérent",
}

TOO_COMMON_MESSAGE = (
    "Ce mot de passe est trop courant : il figure parmi les mots de passe les plus utilisés. "
    "Choisissez-en un autre, par exemple une phrase de plusieurs mots."
)
TOO_GUESSABLE_MESSAGE = (
    "Ce mot de passe est trop facile à deviner (mot courant, suite de touches ou de chiffres, répétition, date). "
    "Choisissez-en un plus long ou moins prévisible, par exemple une phrase de plusieurs mots."
)
PERSONAL_DATA_ADVICE = (
    "Choisissez-en un sans information personnelle (nom, prénom, date de naissance, numéro d'adhérent)."
)

_hasher = PasswordHasher(type=Type.ID)
# zxcvbn keeps the user inputs of the current call in a module-level dict:
# calls from several threads must not interleave
_zxcvbn_lock = threading.Lock()


def _count(n: int, one: str, many: str) -> str:
    return one if n == 1 else many.format(n=n)


def rule_messages(policy: PasswordPolicy) -> list[str]:
    """Every rule of the policy as a French phrase, in display order."""
    rules = [f"au moins {policy.min_length} caractères"]
    if policy.upper:
        rules.append(_count(policy.upper, "au moins une majuscule", "au moins {n} majuscules"))
    if policy.lower:
        rules.append(_count(policy.lower, "au moins une minuscule", "au moins {n} minuscules"))
    if policy.digit:
        rules.append(_count(policy.digit, "au moins un chiffre", "au moins {n} chiffres"))
    if policy.special:
        rules.append(
            _count(
                policy.special,
                "au moins un caractère spécial (par exemple ! ? @ # % * -)",
                "au moins {n} caractères spéciaux (par exemple ! ? @ # % * -)",
            )
        )
    return rules


def describe_policy(policy: PasswordPolicy) -> str:
    """One sentence: « au moins 8 caractères, dont 1 majuscule, 1 minuscule, 1 chiffre et 1 caractère spécial »."""
    parts = []
    if policy.upper:
        parts.append(f"{policy.upper} majuscule{'s' if policy.upper > 1 else ''}")
    if policy.lower:
        parts.append(f"{policy.lower} minuscule{'s' if policy.lower > 1 else ''}")
    if policy.digit:
        parts.append(f"{policy.digit} chiffre{'s' if policy.digit > 1 else ''}")
    if policy.special:
        plural = policy.special > 1
        parts.append(f"{policy.special} caractère{'s' if plural else ''} spécia{'ux' if plural else 'l'}")
    sentence = f"au moins {policy.min_length} caractères"
    if not parts:
        return sentence
    return f"{sentence}, dont {_join(parts)}"


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " et " + parts[-1]


def _is_control(char: str) -> bool:
    # Cc: tab, new line and other control characters; Cs: lone surrogates (not encodable)
    return unicodedata.category(char) in ("Cc", "Cs")


def _is_special(char: str) -> bool:
    # punctuation, symbols and spaces (a combining accent or a joiner is not one)
    return unicodedata.category(char)[0] in "PSZ"


def policy_errors(password: str, policy: PasswordPolicy) -> list[str]:
    """The French phrase of each composition rule ``password`` misses (empty when valid)."""
    errors: list[str] = []
    if len(password) < policy.min_length:
        errors.append(f"au moins {policy.min_length} caractères")
    uppers = sum(1 for c in password if c.isupper())
    lowers = sum(1 for c in password if c.islower())
    digits = sum(1 for c in password if c.isdecimal())
    specials = sum(1 for c in password if _is_special(c))
    if uppers < policy.upper:
        errors.append(_count(policy.upper, "au moins une majuscule", "au moins {n} majuscules"))
    if lowers < policy.lower:
        errors.append(_count(policy.lower, "au moins une minuscule", "au moins {n} minuscules"))
    if digits < policy.digit:
        errors.append(_count(policy.digit, "au moins un chiffre", "au moins {n} chiffres"))
    if specials < policy.special:
        errors.append(
            _count(
                policy.special,
                "au moins un caractère spécial (par exemple ! ? @ # % * -)",
                "au moins {n} caractères spéciaux (par exemple ! ? @ # % * -)",
            )
        )
    if len(password) > MAX_LENGTH:
        errors.append(f"au plus {MAX_LENGTH} caractères")
    if any(_is_control(c) for c in password):
        errors.append("aucun caractère invisible (tabulation, retour à la ligne)")
    return errors


# ---- personal data ----------------------------------------------------------------------


@dataclass(frozen=True)
class PersonalData:
    """What a password must not contain: the member's own data."""

    last_name: str = ""
    first_name: str = ""
    birth_date: date | None = None
    adherent_number: str = ""

    @classmethod
    def of(cls, member: Any) -> PersonalData:
        """From anything with the attributes of a member row."""
        return cls(
            last_name=getattr(member, "last_name", None) or "",
            first_name=getattr(member, "first_name", None) or "",
            birth_date=getattr(member, "birth_date", None),
            adherent_number=getattr(member, "adherent_number", None) or "",
        )


def fold(text: str) -> str:
    """Lower case without accents: « Hélène » -> « helene », « Œuvre » -> « oeuvre »."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.casefold().replace("œ", "oe").replace("æ", "ae")


def _compact(text: str) -> str:
    """Letters and digits only (separators, spaces and symbols removed)."""
    return "".join(c for c in text if c.isalnum())


def _name_parts(name: str) -> list[str]:
    folded = fold(name)
    parts = [p for p in re.split(r"[\W_]+", folded) if len(p) >= MIN_NAME_PART]
    whole = _compact(folded)
    if len(whole) >= MIN_NAME_PART and whole not in parts:
        parts.append(whole)
    return parts


def _date_forms(born: date) -> list[str]:
    """DDMMYYYY, YYYYMMDD, DDMMYY, YYMMDD (separators are compared removed)."""
    dd, mm, yyyy = f"{born.day:02d}", f"{born.month:02d}", f"{born.year:04d}"
    yy = yyyy[2:]
    return [dd + mm + yyyy, yyyy + mm + dd, dd + mm + yy, yy + mm + dd]


def _number_parts(number: str) -> list[str]:
    whole = _compact(fold(number))
    parts = [whole] if len(whole) >= MIN_NUMBER_PART else []
    parts += [run for run in re.findall(r"\d+", whole) if len(run) >= MIN_NUMBER_PART and run not in parts]
    return parts


def personal_tokens(personal: PersonalData) -> dict[str, str]:
    """Folded token -> kind (``LAST_NAME``...), the forms a password must not contain."""
    tokens: dict[str, str] = {}

    def add(values: Iterable[str], kind: str) -> None:
        for value in values:
            tokens.setdefault(value, kind)

    add(_number_parts(personal.adherent_number), ADHERENT_NUMBER)
    if personal.birth_date:
        add(_date_forms(personal.birth_date), BIRTH_DATE)
        add([f"{personal.birth_date.year:04d}"], BIRTH_YEAR)
    add(_name_parts(personal.last_name), LAST_NAME)
    add(_name_parts(personal.first_name), FIRST_NAME)
    return tokens


def personal_data_found(password: str, personal: PersonalData | None) -> list[str]:
    """The kinds of personal data ``password`` contains, in display order (empty: none)."""
    if not personal or not password:
        return []
    haystack = _compact(fold(password))
    kinds = {kind for token, kind in personal_tokens(personal).items() if token in haystack}
    return _ordered(kinds)


def _ordered(kinds: set[str]) -> list[str]:
    if BIRTH_DATE in kinds:
        kinds = kinds - {BIRTH_YEAR}  # the date says it all
    return [kind for kind in _KIND_WORDS if kind in kinds]


def personal_data_message(kinds: list[str]) -> str:
    """« Ce mot de passe contient votre nom et votre année de naissance. Choisissez-en un sans… »."""
    return f"Ce mot de passe contient {_join([_KIND_WORDS[k] for k in kinds])}. {PERSONAL_DATA_ADVICE}"


# ---- guessability (zxcvbn) --------------------------------------------------------------


def _user_inputs(personal: PersonalData | None) -> dict[str, str]:
    """What zxcvbn gets as user inputs (lower case, as zxcvbn compares) -> kind."""
    if not personal:
        return {}
    inputs = personal_tokens(personal)
    for name, kind in ((personal.last_name, LAST_NAME), (personal.first_name, FIRST_NAME)):
        lowered = name.lower()  # accented forms too: zxcvbn does not fold accents
        for value in [fold(name), lowered, *re.split(r"[\W_]+", lowered)]:
            if len(value) >= MIN_NAME_PART:
                inputs.setdefault(value, kind)
    return inputs


def strength(password: str, personal: PersonalData | None = None) -> dict[str, Any]:
    """zxcvbn's analysis of the first ``SCORED_LENGTH`` characters, personal data as user inputs."""
    # imported on first use: its lists take ~14 MiB, and only the password page needs them
    from zxcvbn import zxcvbn

    user_inputs = list(_user_inputs(personal))
    with _zxcvbn_lock:
        return zxcvbn(password[:SCORED_LENGTH], user_inputs=user_inputs, max_length=SCORED_LENGTH)


def guessability_error(password: str, personal: PersonalData | None = None) -> str | None:
    """The French sentence refusing a common or guessable password, None when it is fine.

    Refused: a password zxcvbn explains with the member's own data (even
    disguised: "M4rt1n", reversed), or scores below ``MIN_SCORE`` with a
    pattern it knows.  A password zxcvbn can only brute-force is not refused
    for its score: an 8-character random password scores 2, and the guide
    allows 8 characters.
    """
    result = strength(password, personal)
    sequence = result.get("sequence", [])
    inputs = _user_inputs(personal)
    kinds = {
        inputs[m["matched_word"]]
        for m in sequence
        if m.get("dictionary_name") == "user_inputs" and m.get("matched_word") in inputs
    }
    if kinds:
        return personal_data_message(_ordered(kinds))
    if result["score"] >= MIN_SCORE or all(m.get("pattern") == "bruteforce" for m in sequence):
        return None
    if any(m.get("dictionary_name") == "passwords" for m in sequence):
        return TOO_COMMON_MESSAGE
    return TOO_GUESSABLE_MESSAGE


def password_errors(
    password: str, policy: PasswordPolicy, personal: PersonalData | None = None, *, guessability: bool = True
) -> list[str]:
    """Every reason to refuse ``password``, as full French sentences (empty: acceptable).

    Composition and personal data first; zxcvbn only looks at a password that
    passed them (``guessability=False`` skips it, see the password page).
    """
    errors = [f"Le mot de passe doit contenir {rule}." for rule in policy_errors(password, policy)]
    kinds = personal_data_found(password, personal)
    if kinds:
        errors.append(personal_data_message(kinds))
    if not errors and guessability:
        problem = guessability_error(password, personal)
        if problem:
            errors.append(problem)
    return errors


# ---- hashing ----------------------------------------------------------------------------


def hash_password(password: str) -> str:
    """Argon2id hash (PHC string with salt and parameters)."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches ``password_hash``; never raises on bad data."""
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
