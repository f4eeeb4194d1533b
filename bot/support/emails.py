"""The French e-mails of a support ticket: the one to the support team and the member's acknowledgement.

Both return ``(subject, body)`` from the tenant profile and the ticket only.
The support e-mail carries what the team needs to find the member's file
(reference, reason, verified facts, masked description and transcript: the
caller masks them); the acknowledgement carries the reference only, never
the member's free text, so the assistant cannot be used to relay a message
to any address.
"""

from __future__ import annotations

from typing import Sequence

from bot.reach import hours_phrase, phone_phrase, signature
from bot.support.reason import REASON_LABELS
from bot.tenants import Tenant


def ticket_email(
    tenant: Tenant,
    reference: str,
    reason: str,
    created: str,
    adherent_number: str | None,
    contact_email: str,
    description: str,
    transcript: Sequence[str],
    facts: Sequence[str] = (),
) -> tuple[str, str]:
    subject = f"[{reference}] Demande d'assistance - {tenant.display_name}"
    adherent = adherent_number if adherent_number else "non vérifié (identité non confirmée dans la conversation)"
    body = (
        "Nouvelle demande d'assistance transmise par l'assistant conversationnel.\n\n"
        f"Référence : {reference}\n"
        f"Mutuelle : {tenant.display_name}\n"
        f"Date : {created}\n"
        f"Motif : {REASON_LABELS.get(reason, reason)}\n"
        f"Numéro d'adhérent : {adherent}\n"
        f"Adresse e-mail de contact : {contact_email}\n" + "".join(f"{fact}\n" for fact in facts) + "\nDescription :\n"
        f"{description}\n\n"
        "Conversation (numéros de sécurité sociale, codes, e-mails et téléphones masqués) :\n"
        + ("\n".join(transcript) if transcript else "(vide)")
        + "\n"
    )
    return subject, body


def ticket_ack_email(tenant: Tenant, reference: str) -> tuple[str, str]:
    """The member's acknowledgement: the reference only, never the member's free text
    (so the assistant cannot be used to relay a message to any address)."""
    subject = f"Votre demande d'assistance {reference} - {tenant.display_name}"
    phone = ""
    if tenant.phone:
        phone = f"Vous pouvez aussi nous appeler {phone_phrase(tenant)}{hours_phrase(tenant)}.\n\n"
    body = (
        "Bonjour,\n\n"
        f"Votre demande d'assistance a bien été transmise au service {tenant.display_name} "
        f"sous la référence {reference}.\n"
        "Conservez cette référence : elle permet de retrouver votre demande.\n\n"
        "Vous n'êtes pas à l'origine de cette demande ? Ignorez ce message.\n\n"
        f"{phone}"
        f"{signature(tenant)}\n"
    )
    return subject, body
