"""Which ``contact/<key>`` answer to give, from the tenant profile and the clock.

The texts are the ``utter_answer_contact_*`` responses of ``domain.yml``
(:mod:`bot.reply`); this module chooses them and computes their values.
Every fact (phone, hours, address, e-mail, website) comes from the profile
(most are tenant slots, :mod:`bot.tenants.facts`); a fact the tenant's guide
does not give is never invented: the answer says so (``…_not_given``) and
explains how to reach the mutuelle with what the guide does give (member
space, website).  A request the guides do not answer
(``contact/autre_demande``: ending a contract, a quote...) gets the ways to
reach the mutuelle and the offer of the support, never an answer made up
here.  Phone answers use the opening hours: the line's status comes first
(``{line_status}``, :func:`bot.answers.hours.status_sentence`), and when the
line is closed the member is told when it reopens and how to write instead
(``…_closed``, ``{written_ways}``).  The phrases of the phone, hours and
routes are those of every other message (:mod:`bot.reach`): ``{call_sentence}``,
``{how_to_reach}``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Callable, Dict, List

from bot.answers.hours import line_status, status_sentence
from bot.reach import call_sentence, hours_phrase, how_to_reach, phone_phrase
from bot.reply import Reply
from bot.tenants import Tenant

CONTACT_KEYS = ("telephone", "horaires", "adresse", "email", "site", "general", "autre_demande")
DEFAULT_CONTACT_KEY = "general"


def written_ways(tenant: Tenant) -> str:
    """The written ways to reach the mutuelle, offered when the line is closed:
    « écrire à … ou passer par … », or the member space only."""
    if tenant.support_email:
        return f"écrire à {tenant.support_email} ou passer par {tenant.contact_in_space}"
    return f"passer par {tenant.contact_in_space}"


def _with_line_status(tenant: Tenant, at: datetime, values: Dict[str, str], open_: str, closed: str) -> Reply:
    """The answer with the line's status first: ``open_``, or ``closed`` with the written ways
    (the next step ends the answer).  The tenant has opening hours."""
    status = line_status(tenant, at)
    assert status is not None
    values = {**values, "line_status": status_sentence(tenant, at) or ""}
    if status.is_open:
        return Reply(open_, values)
    return Reply(closed, {**values, "written_ways": written_ways(tenant)})


def _not_given(tenant: Tenant, response: str) -> Reply:
    return Reply(response, {"how_to_reach": how_to_reach(tenant)})


def _telephone(tenant: Tenant, at: datetime) -> Reply:
    if tenant.phone is None:
        return _not_given(tenant, "utter_answer_contact_telephone_not_given")
    values = {"call_sentence": call_sentence(tenant)}
    if tenant.opening_hours is None:
        return Reply("utter_answer_contact_telephone", values)
    return _with_line_status(
        tenant, at, values, "utter_answer_contact_telephone_open", "utter_answer_contact_telephone_closed"
    )


def _horaires(tenant: Tenant, at: datetime) -> Reply:
    if tenant.opening_hours is None:
        return _not_given(tenant, "utter_answer_contact_horaires_not_given")
    values = {"opening_hours": tenant.opening_hours.text}
    if tenant.phone is None:
        return _with_line_status(
            tenant, at, values, "utter_answer_contact_horaires_open", "utter_answer_contact_horaires_closed"
        )
    values["phone_number"] = tenant.phone.number
    values["phone_note_clause"] = f" ({tenant.phone.note})" if tenant.phone.note else ""
    return _with_line_status(
        tenant, at, values, "utter_answer_contact_horaires_phone_open", "utter_answer_contact_horaires_phone_closed"
    )


def _adresse(tenant: Tenant, at: datetime) -> Reply:
    if not tenant.postal_address:
        return _not_given(tenant, "utter_answer_contact_adresse_not_given")
    return Reply("utter_answer_contact_adresse", {"postal_address": tenant.address_text or ""})


def _email(tenant: Tenant, at: datetime) -> Reply:
    if tenant.support_email:
        return Reply("utter_answer_contact_email")
    if tenant.sender_email:
        return _not_given(tenant, "utter_answer_contact_email_not_given_sender")
    return _not_given(tenant, "utter_answer_contact_email_not_given")


def _site(tenant: Tenant, at: datetime) -> Reply:
    return Reply("utter_answer_contact_site")


def contact_ways(tenant: Tenant) -> List[str]:
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


def _autre_demande(tenant: Tenant, at: datetime) -> Reply:
    """A request the guides do not answer (ending a contract, a quote...): who to ask, nothing invented."""
    ways = contact_ways(tenant)
    if len(ways) == 1:
        return _not_given(tenant, "utter_answer_contact_other_request_space")
    return Reply("utter_answer_contact_other_request", {"contact_ways": "\n".join(ways)})


def _general(tenant: Tenant, at: datetime) -> Reply:
    ways = contact_ways(tenant)
    if len(ways) == 1:
        return _not_given(tenant, "utter_answer_contact_general_space")
    values = {"contact_ways": "\n".join(ways)}
    sentence = status_sentence(tenant, at)
    if sentence is None:
        return Reply("utter_answer_contact_general", values)
    return Reply("utter_answer_contact_general_status", {**values, "line_status": sentence})


_BUILDERS: Dict[str, Callable[[Tenant, datetime], Reply]] = {
    "telephone": _telephone,
    "horaires": _horaires,
    "adresse": _adresse,
    "email": _email,
    "site": _site,
    "general": _general,
    "autre_demande": _autre_demande,
}


def contact_answer(tenant: Tenant, key: str | None, at: datetime) -> Reply:
    """The answer for ``contact/<key>`` at instant ``at`` (aware datetime).

    An unknown or missing key gets the general answer.
    """
    builder = _BUILDERS.get(key or DEFAULT_CONTACT_KEY, _general)
    return builder(tenant, at)
