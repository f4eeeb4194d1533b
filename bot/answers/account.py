"""Account answers that depend on profile values rather than on fixed text.

The password rules come from the profile's password policy, so a mutuelle
with another policy gets its own rules without touching the domain.
"""

from __future__ import annotations

from typing import List

from bot.tenants import Tenant


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"


def password_rules_text(tenant: Tenant) -> str:
    """The password rules of ``tenant`` and where the password is chosen."""
    policy = tenant.password_policy
    parts: List[str] = []
    if policy.upper:
        parts.append(_count(policy.upper, "majuscule", "majuscules"))
    if policy.lower:
        parts.append(_count(policy.lower, "minuscule", "minuscules"))
    if policy.digit:
        parts.append(_count(policy.digit, "chiffre", "chiffres"))
    if policy.special:
        parts.append(_count(policy.special, "caractère spécial", "caractères spéciaux"))
    rule = f"Votre mot de passe doit contenir au moins {policy.min_length} caractères"
    if parts:
        listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " et " + parts[-1]
        rule += f", dont {listed}"
    lines = [rule + ". Ne communiquez jamais votre mot de passe, même à moi."]
    # the next step comes last
    if tenant.activation_flow == "nir_sms":
        lines.append(
            "Vous le définissez avec le lien reçu par e-mail après l'activation : saisissez votre date "
            "de naissance, puis votre mot de passe, et confirmez-le."
        )
    else:
        lines.append(
            "Vous le choisissez en créant votre compte (saisi deux fois) ; il vous sert ensuite à vous "
            "connecter avec votre adresse e-mail."
        )
    return "\n".join(lines)
