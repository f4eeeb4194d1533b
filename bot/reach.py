"""How to reach the mutuelle, in French, from the tenant profile only.

Every text that tells a member how to reach the mutuelle (chat replies,
e-mails, SMS notices, the password page) is built here, with only the
routes the tenant's guide gives: a phone, opening hours or support address
the profile does not have is never invented, the member space always is
one.  The variants, by what the caller needs:

- :func:`contact_lines`: every route as a list (e-mails, notices, the
  activation's hand-off): « - par e-mail : … », « - par téléphone : …
  (horaires) », « - depuis … »;
- :func:`contact_sentence`: the same routes in one sentence (password page):
  « Besoin d'aide ? Contactez-nous par e-mail à …, par téléphone au … ou
  depuis … »;
- :func:`call_lines`: « Vous pouvez appeler … au … (note), horaires. » and,
  given an instant, whether the line is open now or when it reopens
  (:func:`bot.answers.hours.status_sentence`); without a phone,
  :func:`how_to_reach`;
- :func:`main_route`: the one route a short text names (an SMS, a refusal):
  the phone, else the support address, else the member space;
- :func:`how_to_reach`: the member space only;
- :func:`phone_phrase`, :func:`hours_phrase`: the pieces the contact answers
  (:mod:`bot.answers.contact`) put in their own sentences;
- :func:`signature`: the legal name and website that end every e-mail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import List

from bot.answers.hours import status_sentence
from bot.tenants import Tenant

PHONE = "phone"
EMAIL = "email"
SPACE = "space"


@dataclass(frozen=True)
class Route:
    kind: str  # PHONE | EMAIL | SPACE
    phrase: str  # « au 04 77 49 35 35 », « à assistance@… », « depuis le menu … »


def signature(tenant: Tenant) -> str:
    """The two last lines of every e-mail: who writes, and its website."""
    return f"{tenant.legal_name}\n{tenant.website}"


def phone_phrase(tenant: Tenant) -> str:
    """« au 04 77 49 35 35 (prix d'un appel local) » (the tenant has a phone)."""
    assert tenant.phone is not None
    note = f" ({tenant.phone.note})" if tenant.phone.note else ""
    return f"au {tenant.phone.number}{note}"


def hours_phrase(tenant: Tenant) -> str:
    """« , du lundi au vendredi de 8h30 à 17h30 », or nothing without opening hours."""
    return f", {tenant.opening_hours.text}" if tenant.opening_hours else ""


def how_to_reach(tenant: Tenant) -> str:
    """How to reach the mutuelle with the member space and website only."""
    return (
        f"Pour joindre {tenant.display_name}, passez par {tenant.contact_in_space}.\n"
        f"Vous y accédez {tenant.member_space_path}."
    )


def call_sentence(tenant: Tenant) -> str:
    """« Vous pouvez appeler Miel au … (prix d'un appel local), du lundi au vendredi … » (the tenant has a phone)."""
    return f"Vous pouvez appeler {tenant.display_name} {phone_phrase(tenant)}{hours_phrase(tenant)}."


def call_lines(tenant: Tenant, at: datetime | None = None) -> List[str]:
    """Who to call and when; with ``at`` (aware), whether the line is open then.

    Without a phone: :func:`how_to_reach`.
    """
    if tenant.phone is None:
        return [how_to_reach(tenant)]
    lines = [call_sentence(tenant)]
    status = status_sentence(tenant, at) if at is not None else None
    if status:
        lines.append(status)
    return lines


def _ways(tenant: Tenant) -> List[tuple[str, str, str]]:
    """(how, preposition, where) of the support address and the phone, when the profile gives them."""
    ways = []
    if tenant.support_email:
        ways.append(("par e-mail", "à", tenant.support_email))
    if tenant.phone:
        hours = f" ({tenant.opening_hours.text})" if tenant.opening_hours else ""
        ways.append(("par téléphone", "au", f"{tenant.phone.number}{hours}"))
    return ways


def contact_lines(tenant: Tenant) -> List[str]:
    """Every route, one line each, the member space last."""
    return [f"- {how} : {where}" for how, _, where in _ways(tenant)] + [f"- depuis {tenant.contact_in_space}"]


def contact_sentence(tenant: Tenant) -> str:
    """Every route in one sentence, the member space last."""
    ways = [f"{how} {preposition} {where}" for how, preposition, where in _ways(tenant)]
    ways.append(f"depuis {tenant.contact_in_space}")
    listed = ", ".join(ways[:-1]) + (" ou " if len(ways) > 1 else "") + ways[-1]
    return f"Besoin d'aide ? Contactez-nous {listed}."


def main_route(tenant: Tenant) -> Route:
    """The one route a short text names: the phone, else the support address, else the member space."""
    if tenant.phone is not None:
        return Route(PHONE, f"au {tenant.phone.number}")
    if tenant.support_email:
        return Route(EMAIL, f"à {tenant.support_email}")
    return Route(SPACE, f"depuis {tenant.contact_in_space}")
