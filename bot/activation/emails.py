"""The French texts of every message the activation services send.

Each builder returns ``(subject, body)`` (or the SMS body) from the tenant
profile only: no mutuelle name, address or contact is written here.  The
wording follows the guides in ../shared/seeds/ (Miel: two e-mails, one with
the identifier, one with a time-limited link; SMIE: "Demande de confirmation
d'inscription" with "Je valide mon inscription" and the activation code).
"""

from __future__ import annotations

from datetime import datetime
from typing import Sequence
from zoneinfo import ZoneInfo

from bot.passwords import describe_policy
from bot.tenants import Tenant


def local_time(tenant: Tenant, at: datetime, default_tz: str = "Europe/Paris") -> datetime:
    tz = tenant.opening_hours.timezone if tenant.opening_hours else default_tz
    return at.astimezone(ZoneInfo(tz))


def format_deadline(tenant: Tenant, at: datetime, default_tz: str = "Europe/Paris") -> str:
    """« le 24/11/2025 à 14h05 » in the tenant's time zone."""
    local = local_time(tenant, at, default_tz)
    return f"le {local:%d/%m/%Y} à {local:%H}h{local:%M}"


def contact_lines(tenant: Tenant) -> list[str]:
    """How to reach the mutuelle, with only what the profile gives."""
    lines = []
    if tenant.support_email:
        lines.append(f"- par e-mail : {tenant.support_email}")
    if tenant.phone:
        hours = f" ({tenant.opening_hours.text})" if tenant.opening_hours else ""
        lines.append(f"- par téléphone : {tenant.phone.number}{hours}")
    lines.append(f"- depuis {tenant.contact_in_space}")
    return lines


def _signature(tenant: Tenant) -> str:
    return f"{tenant.legal_name}\n{tenant.website}"


def otp_sms(tenant: Tenant, code: str, minutes: int) -> str:
    return (
        f"Votre code d'activation {tenant.display_name} : {code}. "
        f"Il est valable {minutes} minutes. Ne le communiquez à personne."
    )


def otp_email(tenant: Tenant, code: str, minutes: int) -> tuple[str, str]:
    subject = f"Votre code de sécurité {tenant.display_name}"
    body = (
        "Bonjour,\n\n"
        "Voici le code de sécurité demandé pour vérifier votre identité. "
        f"Ce code est à usage unique et n'est valable que {minutes} minutes.\n\n"
        f"{code}\n\n"
        "Ne le communiquez à personne. Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.\n\n"
        f"{_signature(tenant)}\n"
    )
    return subject, body


def identifier_email(tenant: Tenant, adherent_number: str) -> tuple[str, str]:
    subject = f"Votre identifiant {tenant.member_space_name} {tenant.display_name}"
    body = (
        "Bonjour,\n\n"
        f"Votre demande d'activation de votre {tenant.member_space_name} {tenant.display_name} "
        "a bien été enregistrée.\n\n"
        f"Votre identifiant de connexion est votre numéro d'adhérent : {adherent_number}\n\n"
        "Un second e-mail vous apporte le lien pour choisir votre mot de passe.\n\n"
        f"Pour vous connecter ensuite, rendez-vous {tenant.member_space_path}, puis saisissez votre "
        "numéro d'adhérent et votre mot de passe.\n\n"
        "Vous n'êtes pas à l'origine de cette demande ? Contactez-nous :\n"
        + "\n".join(contact_lines(tenant))
        + f"\n\n{_signature(tenant)}\n"
    )
    return subject, body


def set_password_email(tenant: Tenant, link: str, hours: int, deadline: str) -> tuple[str, str]:
    subject = f"Choisissez votre mot de passe - {tenant.member_space_name} {tenant.display_name}"
    body = (
        "Bonjour,\n\n"
        f"Pour terminer l'activation de votre {tenant.member_space_name} {tenant.display_name}, "
        "choisissez votre mot de passe en ouvrant ce lien :\n\n"
        f"{link}\n\n"
        f"Ce lien est valable {hours} heures (jusqu'{_au(deadline)}) et ne peut être utilisé qu'une seule fois.\n\n"
        "Sur cette page, renseignez votre date de naissance et le mot de passe que vous avez choisi, "
        f"puis confirmez-le. Votre mot de passe doit contenir {describe_policy(tenant.password_policy)}.\n\n"
        f"Vous pourrez ensuite vous connecter {_space_path(tenant)} avec votre identifiant (votre numéro "
        "d'adhérent) et ce mot de passe. Une fois connecté, acceptez les Conditions Générales d'Utilisation "
        "en cliquant sur « Valider » en bas de la page ; vous pourrez aussi choisir vos préférences de "
        "communication.\n\n"
        "Vous n'êtes pas à l'origine de cette demande ? N'ouvrez pas ce lien et contactez-nous :\n"
        + "\n".join(contact_lines(tenant))
        + f"\n\n{_signature(tenant)}\n"
    )
    return subject, body


def registration_confirmation_email(tenant: Tenant, link: str, code: str, hours: int, deadline: str) -> tuple[str, str]:
    subject = f"Espace {tenant.display_name} - Demande de confirmation d'inscription"
    body = (
        "Bonjour,\n\n"
        "Vous nous avez adressé une demande d'inscription à votre espace personnel.\n"
        "Afin de valider cette inscription, merci de bien vouloir cliquer sur le lien ci-dessous :\n\n"
        f"Je valide mon inscription : {link}\n\n"
        "Sur cette page, vous confirmez votre adresse e-mail et choisissez votre mot de passe "
        f"({describe_policy(tenant.password_policy)}).\n\n"
        f"Sans confirmation de votre part sous {hours} heures (jusqu'{_au(deadline)}), votre inscription "
        "ne sera pas validée. Le lien ne peut être utilisé qu'une seule fois.\n\n"
        "Si ce lien est en erreur ou n'est pas actif, saisissez dans votre conversation avec l'assistant "
        f"le code d'activation suivant : {code}\n\n"
        "Nous vous remercions pour votre confiance et restons à votre disposition.\n\n"
        f"{_signature(tenant)}\n"
    )
    return subject, body


REASON_LABELS = {
    "advisor_request": "demande à parler à un conseiller",
    "fallback": "l'assistant n'a pas compris la demande",
    "activation_locked": "activation bloquée après plusieurs essais",
    "contact_not_theirs": "le mobile ou l'e-mail du dossier n'est plus celui de l'adhérent",
    "no_contact_on_file": "aucun mobile ni e-mail dans le dossier pour envoyer un code",
    "code_not_delivered": "le code de vérification n'a pas pu être envoyé",
    "complaint": "réclamation",
    "other": "autre demande",
}


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
        f"Adresse e-mail de contact : {contact_email}\n"
        + "".join(f"{fact}\n" for fact in facts)
        + "\nDescription :\n"
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
        hours = f", {tenant.opening_hours.text}" if tenant.opening_hours else ""
        phone = f"Vous pouvez aussi nous appeler au {tenant.phone.number}{hours}.\n\n"
    body = (
        "Bonjour,\n\n"
        f"Votre demande d'assistance a bien été transmise au service {tenant.display_name} "
        f"sous la référence {reference}.\n"
        "Conservez cette référence : elle permet de retrouver votre demande.\n\n"
        "Vous n'êtes pas à l'origine de cette demande ? Ignorez ce message.\n\n"
        f"{phone}"
        f"{_signature(tenant)}\n"
    )
    return subject, body


def _au(deadline: str) -> str:
    """« le 24/11/2025 à 14h05 » -> « au 24/11/2025 à 14h05 » (after « jusqu' »)."""
    return "au " + deadline[3:] if deadline.startswith("le ") else deadline


def _space_path(tenant: Tenant) -> str:
    return tenant.member_space_path
