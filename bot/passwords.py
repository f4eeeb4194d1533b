"""Password policy and password hashing (Argon2id).

``policy_errors(password, policy)`` returns one short French message per rule
the password misses ("au moins 8 caractères", "au moins une majuscule"...),
from the tenant's ``password_policy``; an empty list means the password is
acceptable.  ``hash_password`` / ``verify_password`` use argon2-cffi's
Argon2id with its RFC 9106 default parameters.
"""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from bot.tenants import PasswordPolicy

# Argon2 hashes arbitrarily long input, but a cap keeps a hostile form cheap
MAX_LENGTH = 128

_hasher = PasswordHasher(type=Type.ID)


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
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " et " + parts[-1]
    return f"{sentence}, dont {listed}"


def policy_errors(password: str, policy: PasswordPolicy) -> list[str]:
    """The French message of each rule ``password`` misses (empty when valid)."""
    errors: list[str] = []
    if len(password) < policy.min_length:
        errors.append(f"au moins {policy.min_length} caractères")
    uppers = sum(1 for c in password if c.isupper())
    lowers = sum(1 for c in password if c.islower())
    digits = sum(1 for c in password if c.isdecimal())
    specials = sum(1 for c in password if not c.isalnum() and c.isprintable())
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
    if any(not c.isprintable() for c in password):
        errors.append("aucun caractère invisible (tabulation, retour à la ligne)")
    return errors


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
