"""Account answers that depend on profile values rather than on fixed text.

The password rules come from the profile's password policy, so a mutuelle
with another policy gets its own rules without touching the domain.  The
texts are the ``utter_answer_password_rules_*`` responses of ``domain.yml``
(one per activation flow, :mod:`bot.reply`); this module computes the
values: the minimum length and the character classes required
(``{password_classes_clause}``: « , dont 1 majuscule et 1 chiffre », empty
when the policy requires none).
"""

from __future__ import annotations

from typing import List

from bot.reply import Reply
from bot.tenants import Tenant


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"


def password_classes_clause(tenant: Tenant) -> str:
    """« , dont 1 majuscule, 1 minuscule, 1 chiffre et 1 caractère spécial », or nothing."""
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
    if not parts:
        return ""
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " et " + parts[-1]
    return f", dont {listed}"


def password_rules(tenant: Tenant) -> Reply:
    """The password rules of ``tenant`` and where the password is chosen (the next step comes last)."""
    values = {
        "password_min_length": str(tenant.password_policy.min_length),
        "password_classes_clause": password_classes_clause(tenant),
    }
    if tenant.activation_flow == "nir_sms":
        return Reply("utter_answer_password_rules_nir_sms", values)
    return Reply("utter_answer_password_rules_access_code_email", values)
