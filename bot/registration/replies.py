"""What the assistant says during the SMIE-style registration, from the tenant profile.

Every function returns French text (vouvoiement, short, says what to do
next).  Outcomes are the constants of :mod:`bot.activation.registration`.
The password is never asked in the conversation: the texts say so and send
the member to the page opened by the « Je valide mon inscription » link.
"""

from __future__ import annotations

from bot.activation import registration as service
from bot.activation.emails import format_deadline
from bot.tenants import Tenant

MAX_FAILURES = 3

YES_NO_CGU = [
    {"title": "J'accepte les conditions", "payload": "/affirm"},
    {"title": "Je refuse", "payload": "/deny"},
]


def intro(tenant: Tenant) -> str:
    return (
        f"Je vous accompagne pour créer votre compte sur votre {tenant.member_space_name}, en 3 étapes : "
        "vos informations (numéro d'adhérent, code d'accès, e-mail), les conditions générales d'utilisation, "
        "puis la confirmation par e-mail.\n"
        "Je ne vous demanderai jamais de mot de passe : vous le choisirez sur une page sécurisée. "
        "Vous pouvez dire « stop » à tout moment."
    )


def where_to_find(tenant: Tenant, slot: str | None) -> str:
    """Answer to « où je trouve ça ? » / « pourquoi ? » while ``slot`` is asked."""
    if slot == "registration_email":
        return (
            "Votre adresse e-mail sera votre identifiant de connexion : vous y recevrez l'e-mail "
            "« Je valide mon inscription », puis un code de sécurité à chaque connexion. "
            "Elle n'est utilisée que pour votre compte."
        )
    return (
        f"Votre numéro d'adhérent et votre code d'accès sont tous deux indiqués dans le courrier que "
        f"{tenant.display_name} vous a adressé. Ils servent uniquement à vérifier que vous êtes bien "
        "adhérent avant de créer votre compte."
    )


def invalid_adherent_number() -> str:
    return (
        "Je n'ai pas reconnu de numéro d'adhérent dans votre message. Recopiez-le tel qu'il figure "
        "dans le courrier de votre mutuelle (par exemple 123456)."
    )


def invalid_access_code() -> str:
    return (
        "Je n'ai pas reconnu de code d'accès dans votre message. Recopiez-le tel qu'il figure dans le "
        "courrier, à côté de votre numéro d'adhérent."
    )


def access_recognised() -> str:
    return "Merci, votre numéro d'adhérent et votre code d'accès sont reconnus."


def mismatch(failures: int) -> str:
    """Generic: never says which of the two values is wrong."""
    left = MAX_FAILURES - failures
    essais = "essai" if left == 1 else "essais"
    return (
        "Le numéro d'adhérent et le code d'accès ne correspondent pas à nos informations. "
        f"Vérifiez-les sur votre courrier et saisissez-les à nouveau (il vous reste {left} {essais})."
    )


def already_active(tenant: Tenant) -> str:
    return (
        f"Votre compte est déjà créé. Connectez-vous {tenant.member_space_path} avec votre e-mail et votre "
        "mot de passe. Mot de passe oublié ? Utilisez le lien prévu sur la page de connexion."
    )


def cgu_question(tenant: Tenant) -> str:
    where = tenant.cgu.url or tenant.website
    return (
        f"Merci, vos informations sont vérifiées. Étape 2 : les conditions générales d'utilisation de votre "
        f"{tenant.member_space_name}, à lire ici : {where}\n"
        "Acceptez-vous les conditions générales d'utilisation ?"
    )


def cgu_refused() -> str:
    return (
        "C'est noté. Sans votre accord sur les conditions générales d'utilisation, je ne peux pas finaliser "
        "la création de votre compte. Vous pourrez reprendre quand vous le souhaitez : dites simplement "
        "« créer mon compte »."
    )


def no_registration_in_progress() -> str:
    return (
        "Je n'ai pas de création de compte en cours dans cette conversation. Pour commencer, dites "
        "« créer mon compte »."
    )


def confirmation(
    tenant: Tenant, result: service.ConfirmationResult, timezone: str, problem: str | None = None
) -> str:
    """After :func:`bot.activation.registration.send_confirmation`."""
    outcome = result.outcome
    if outcome in (service.SENT, service.QUEUED):
        sender = f", envoyé par {tenant.sender_email}" if tenant.sender_email else ""
        deadline = f" ({format_deadline(tenant, result.expires_at, timezone)})" if result.expires_at else ""
        lines = [
            f"C'est noté, votre accord est enregistré. Étape 3 : l'e-mail « Je valide mon inscription » "
            f"part à l'adresse {result.email_masked}{sender}.",
            f"Cliquez sur le lien qu'il contient : il est valable {tenant.activation_link_hours} heures"
            f"{deadline} et ne sert qu'une fois. Il vous mène à la page où vous choisissez votre mot de passe.",
            "Pas d'e-mail ? Regardez dans vos courriers indésirables (spam).",
            "Si le lien ne fonctionne pas, écrivez-moi ici le code d'activation à 13 chiffres indiqué dans "
            "l'e-mail.",
        ]
        if outcome == service.QUEUED and problem:
            lines.insert(1, problem)
        return "\n".join(lines)
    if outcome == service.RATE_LIMITED:
        return (
            "Plusieurs e-mails vous ont déjà été envoyés dans l'heure : attendez un peu avant d'en demander "
            "un nouveau, et regardez dans vos courriers indésirables (spam)."
        )
    if outcome == service.ALREADY_ACTIVE:
        return already_active(tenant)
    if outcome == service.INVALID_EMAIL:
        return "Cette adresse e-mail ne semble pas valide. Recommencez en disant « créer mon compte »."
    if outcome in (service.INVALID_REF, service.CGU_REQUIRED):
        return (
            "Votre demande a expiré. Recommencez la création de votre compte en disant « créer mon compte »."
        )
    # failed, locked
    text = problem or "L'e-mail n'a pas pu être envoyé."
    return f"{text} Vous pouvez réessayer plus tard en disant « créer mon compte »."


def code_answer(tenant: Tenant, result: service.CodeResult, timezone: str) -> str:
    """After :func:`bot.activation.registration.confirm_with_code`."""
    outcome = result.outcome
    if outcome == service.CONFIRMED:
        deadline = f" jusqu'{_au(format_deadline(tenant, result.expires_at, timezone))}" if result.expires_at else ""
        return (
            "Merci, votre adresse e-mail est confirmée. Il vous reste à choisir votre mot de passe : ouvrez le "
            f"lien « Je valide mon inscription » de l'e-mail (valable{deadline}). Je ne vous demanderai jamais "
            "votre mot de passe ici.\n"
            "Si le lien ne fonctionne plus, recommencez en disant « créer mon compte » pour recevoir un nouvel "
            "e-mail."
        )
    if outcome == service.WRONG:
        left = result.attempts_left
        more = f" (encore {left} essai{'s' if left and left > 1 else ''} possible{'s' if left and left > 1 else ''})"
        return (
            "Ce code d'activation ne correspond pas. Vérifiez les 13 chiffres indiqués dans l'e-mail "
            f"« Je valide mon inscription » et saisissez-les à nouveau{more if left else ''}."
        )
    if outcome == service.TOO_MANY_ATTEMPTS:
        return (
            "Trop de codes erronés ont été saisis : réessayez dans une heure, ou utilisez directement le "
            "lien « Je valide mon inscription » de l'e-mail."
        )
    if outcome == service.EXPIRED:
        return (
            f"Ce code a expiré : l'inscription doit être confirmée sous {tenant.activation_link_hours} heures. "
            "Recommencez en disant « créer mon compte » pour recevoir un nouvel e-mail."
        )
    if outcome == service.USED:
        return (
            "Ce code a déjà été utilisé. Si votre mot de passe est choisi, connectez-vous "
            f"{tenant.member_space_path} ; sinon, recommencez en disant « créer mon compte »."
        )
    if outcome == service.ALREADY_ACTIVE:
        return already_active(tenant)
    if outcome == service.NO_TOKEN:
        return (
            "Je ne trouve pas d'e-mail de confirmation en cours pour votre compte. Recommencez en disant "
            "« créer mon compte »."
        )
    return no_registration_in_progress()


def not_a_code() -> str:
    return (
        "Le code d'activation compte 13 chiffres : recopiez-le tel qu'il figure dans l'e-mail "
        "« Je valide mon inscription »."
    )


def _au(deadline: str) -> str:
    """« le 24/11/2025 à 14h05 » -> « au 24/11/2025 à 14h05 »."""
    return "au " + deadline[3:] if deadline.startswith("le ") else deadline

