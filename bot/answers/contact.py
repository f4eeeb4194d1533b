"""The ``contact/<key>`` answers, built from the tenant profile.

Every fact (phone, hours, address, e-mail, website) comes from the profile;
a fact the tenant's guide does not give is never invented: the answer says
so and explains how to reach the mutuelle with what the guide does give
(member space, website).  A request the guides do not answer
(``contact/autre_demande``: ending a contract, a quote...) gets the ways to
reach the mutuelle and the offer of the support, never an answer made up
here.  Phone answers use the opening hours: when the
line is closed the member is told when it reopens and how to write instead.
The phrases of the phone, hours and routes are those of every other
message (:mod:`bot.reach`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Callable, Dict, List

from bot.answers.hours import line_status, status_sentence
from bot.reach import call_sentence, hours_phrase, how_to_reach, phone_phrase
from bot.tenants import Tenant

CONTACT_KEYS = ("telephone", "horaires", "adresse", "email", "site", "general", "autre_demande")
DEFAULT_CONTACT_KEY = "general"


def written_alternative(tenant: Tenant) -> str:
    """The written way to reach the mutuelle, offered when the line is closed."""
    if tenant.support_email:
        return f"En attendant, vous pouvez écrire à {tenant.support_email} ou passer par {tenant.contact_in_space}."
    return f"En attendant, vous pouvez passer par {tenant.contact_in_space}."


def _with_line_status(tenant: Tenant, at: datetime, lines: List[str]) -> List[str]:
    """The line's status first, the way to call next, then (closed) the written way: the next step ends the answer."""
    sentence = status_sentence(tenant, at)
    if sentence is None:
        return lines
    lines.insert(0, sentence)
    status = line_status(tenant, at)
    if status is not None and not status.is_open:
        lines.append(written_alternative(tenant))
    return lines


def _not_given(tenant: Tenant, what: str) -> str:
    return f"Je n'ai pas {what} à vous communiquer pour {tenant.display_name}."


def _telephone(tenant: Tenant, at: datetime) -> List[str]:
    if tenant.phone is None:
        return [_not_given(tenant, "de numéro de téléphone"), how_to_reach(tenant)]
    return _with_line_status(tenant, at, [call_sentence(tenant)])


def _horaires(tenant: Tenant, at: datetime) -> List[str]:
    if tenant.opening_hours is None:
        return [_not_given(tenant, "d'horaires d'ouverture"), how_to_reach(tenant)]
    if tenant.phone is not None:
        note = f" ({tenant.phone.note})" if tenant.phone.note else ""
        first = (
            f"{tenant.display_name} répond par téléphone {tenant.opening_hours.text} : "
            f"appelez le {tenant.phone.number}{note}."
        )
    else:
        first = f"Horaires d'ouverture de {tenant.display_name} : {tenant.opening_hours.text}."
    return _with_line_status(tenant, at, [first])


def _adresse(tenant: Tenant, at: datetime) -> List[str]:
    if not tenant.postal_address:
        return [_not_given(tenant, "d'adresse postale"), how_to_reach(tenant)]
    return [
        f"Pour écrire à {tenant.display_name} par courrier : {tenant.address_text}.",
        f"Vous pouvez aussi écrire depuis {tenant.contact_in_space}.",
    ]


def _email(tenant: Tenant, at: datetime) -> List[str]:
    if tenant.support_email:
        return [
            f"Pour une difficulté d'accès à votre espace, écrivez directement à {tenant.support_email}.",
            f"Pour vos autres demandes, passez par {tenant.contact_in_space}.",
        ]
    lines = [_not_given(tenant, "d'adresse e-mail de contact")]
    if tenant.sender_email:
        lines.append(f"Les e-mails envoyés par {tenant.sender_email} sont automatiques : n'y répondez pas.")
    lines.append(how_to_reach(tenant))
    return lines


def _site(tenant: Tenant, at: datetime) -> List[str]:
    return [
        f"Le site de {tenant.display_name} : {tenant.website}",
        f"Pour votre {tenant.member_space_name}, rendez-vous {tenant.member_space_path}.",
    ]


def _ways(tenant: Tenant) -> List[str]:
    """Every way to reach the mutuelle the profile gives, one line each."""
    ways: List[str] = []
    if tenant.phone is not None:
        ways.append(f"- par téléphone {phone_phrase(tenant)}{hours_phrase(tenant)} ;")
    if tenant.support_email:
        ways.append(f"- par e-mail, pour une difficulté d'accès à votre espace : {tenant.support_email} ;")
    ways.append(f"- depuis {tenant.contact_in_space} ;")
    if tenant.postal_address:
        ways.append(f"- par courrier : {tenant.address_text} ;")
    ways[-1] = ways[-1][:-2] + "."
    return ways


def _autre_demande(tenant: Tenant, at: datetime) -> List[str]:
    """A request the guides do not answer (ending a contract, a quote...): who to ask, nothing invented."""
    lines = [
        "Je ne peux pas traiter cette demande ici, et je n'ai pas d'information fiable à vous donner à ce sujet.",
    ]
    ways = _ways(tenant)
    if len(ways) == 1:
        lines.append(how_to_reach(tenant))
    else:
        lines += [f"Adressez-vous directement à {tenant.display_name} :", *ways]
    lines.append("Je peux aussi transmettre votre demande au support : dites « parler à un conseiller ».")
    return lines


def _general(tenant: Tenant, at: datetime) -> List[str]:
    ways = _ways(tenant)
    if len(ways) == 1:
        return [f"Site : {tenant.website}", how_to_reach(tenant)]
    lines = [f"Pour joindre {tenant.display_name} :", *ways]
    sentence = status_sentence(tenant, at)
    if sentence is not None:
        lines.append(sentence)
    lines.append("Je peux aussi transmettre votre demande au support : dites « parler à un conseiller ».")
    return lines


_BUILDERS: Dict[str, Callable[[Tenant, datetime], List[str]]] = {
    "telephone": _telephone,
    "horaires": _horaires,
    "adresse": _adresse,
    "email": _email,
    "site": _site,
    "general": _general,
    "autre_demande": _autre_demande,
}


def contact_answer(tenant: Tenant, key: str | None, at: datetime) -> str:
    """The French answer for ``contact/<key>`` at instant ``at`` (aware datetime).

    An unknown or missing key gets the general answer.
    """
    builder = _BUILDERS.get(key or DEFAULT_CONTACT_KEY, _general)
    return "\n".join(builder(tenant, at))
