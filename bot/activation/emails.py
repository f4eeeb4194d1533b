"""The French texts of the messages the Miel-style activation sends.

Each builder returns ``(subject, body)`` (or the SMS body) from the tenant
profile only: no mutuelle name, address or contact is written here (the
routes to the mutuelle and the signature come from :mod:`bot.reach`).  The
wording follows the Miel guide: the one-time code (SMS, or e-mail when only
an e-mail is on file), then two e-mails, one with the identifier, one with
a time-limited link to the password page.  The registration's e-mail is in
:mod:`bot.registration.emails`, the support tickets' in
:mod:`bot.support.emails`.
"""

from __future__ import annotations

from bot.deadlines import until
from bot.passwords import describe_policy
from bot.reach import contact_lines, signature
from bot.tenants import Tenant


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
        f"{signature(tenant)}\n"
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
        + f"\n\n{signature(tenant)}\n"
    )
    return subject, body


def set_password_email(tenant: Tenant, link: str, hours: int, deadline: str) -> tuple[str, str]:
    subject = f"Choisissez votre mot de passe - {tenant.member_space_name} {tenant.display_name}"
    body = (
        "Bonjour,\n\n"
        f"Pour terminer l'activation de votre {tenant.member_space_name} {tenant.display_name}, "
        "choisissez votre mot de passe en ouvrant ce lien :\n\n"
        f"{link}\n\n"
        f"Ce lien est valable {hours} heures (jusqu'{until(deadline)}) et ne peut être utilisé qu'une seule fois.\n\n"
        "Sur cette page, renseignez votre date de naissance et le mot de passe que vous avez choisi, "
        f"puis confirmez-le. Votre mot de passe doit contenir {describe_policy(tenant.password_policy)}.\n\n"
        f"Vous pourrez ensuite vous connecter {tenant.member_space_path} avec votre identifiant (votre numéro "
        "d'adhérent) et ce mot de passe. Une fois connecté, acceptez les Conditions Générales d'Utilisation "
        "en cliquant sur « Valider » en bas de la page ; vous pourrez aussi choisir vos préférences de "
        "communication.\n\n"
        "Vous n'êtes pas à l'origine de cette demande ? N'ouvrez pas ce lien et contactez-nous :\n"
        + "\n".join(contact_lines(tenant))
        + f"\n\n{signature(tenant)}\n"
    )
    return subject, body
