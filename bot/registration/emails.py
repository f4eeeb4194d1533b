"""The French e-mail the SMIE-style registration sends: « Demande de confirmation d'inscription ».

:func:`registration_confirmation_email` returns ``(subject, body)`` from the
tenant profile only (the signature comes from :mod:`bot.reach`), in the
guide's words: a « Je valide mon inscription » link to the password page,
its deadline, and the 13-digit activation code to type in the chat when the
link does not work.
"""

from __future__ import annotations

from bot.deadlines import until
from bot.passwords import describe_policy
from bot.reach import signature
from bot.tenants import Tenant


def registration_confirmation_email(tenant: Tenant, link: str, code: str, hours: int, deadline: str) -> tuple[str, str]:
    subject = f"Espace {tenant.display_name} - Demande de confirmation d'inscription"
    body = (
        "Bonjour,\n\n"
        "Vous nous avez adressé une demande d'inscription à votre espace personnel.\n"
        "Afin de valider cette inscription, merci de bien vouloir cliquer sur le lien ci-dessous :\n\n"
        f"Je valide mon inscription : {link}\n\n"
        "Sur cette page, vous confirmez votre adresse e-mail et choisissez votre mot de passe "
        f"({describe_policy(tenant.password_policy)}).\n\n"
        f"Sans confirmation de votre part sous {hours} heures (jusqu'{until(deadline)}), votre inscription "
        "ne sera pas validée. Le lien ne peut être utilisé qu'une seule fois.\n\n"
        "Si ce lien est en erreur ou n'est pas actif, saisissez dans votre conversation avec l'assistant "
        f"le code d'activation suivant : {code}\n\n"
        "Nous vous remercions pour votre confiance et restons à votre disposition.\n\n"
        f"{signature(tenant)}\n"
    )
    return subject, body
