"""What the assistant says during the SMIE-style registration, from the tenant profile.

Every function returns French text (vouvoiement, short, says what to do
next).  Outcomes are the constants of :mod:`bot.registration.service`.
The password is never asked in the conversation: the texts say so and send
the member to the page opened by the « Je valide mon inscription » link.
"""

from __future__ import annotations

from bot.deadlines import format_deadline, until
from bot.reach import PHONE, SPACE, main_route
from bot.registration import service
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


def contact_route(tenant: Tenant) -> str:
    """The one route to the mutuelle its guide gives first (:func:`bot.reach.main_route`), as an order:
    « appelez Miel au … », « écrivez à … », « contactez SMIE depuis … »."""
    route = main_route(tenant)
    if route.kind == PHONE:
        return f"appelez {tenant.display_name} {route.phrase}"
    if route.kind == SPACE:
        return f"contactez {tenant.display_name} {route.phrase}"
    return f"écrivez {route.phrase}"


def mismatch(failures: int, tenant: Tenant | None = None) -> str:
    """The one answer for an unknown number, a wrong code and a paused check.

    Never says which of the two values is wrong, nor whether the check was
    refused by a limit: an unknown number, a wrong code and a throttled
    number (or client, or deployment) read exactly the same.
    """
    left = MAX_FAILURES - failures
    essais = "essai" if left == 1 else "essais"
    letter = f"le courrier de {tenant.display_name}" if tenant else "votre courrier"
    then = f"réessayez plus tard ou {contact_route(tenant)}" if tenant else "réessayez plus tard"
    return (
        "Le numéro d'adhérent et le code d'accès ne correspondent pas à nos informations. "
        f"Vérifiez-les sur {letter} et saisissez-les à nouveau (il vous reste {left} {essais}).\n"
        "Par sécurité, après plusieurs essais, la vérification est suspendue pendant un moment. "
        f"Si vos informations sont exactes, {then}."
    )


def locked_account() -> str:
    """The right code for an account locked in the store (the hand-off follows)."""
    return "Votre compte en ligne est bloqué par sécurité : je ne peux pas poursuivre sa création ici."


YES_NO_CONTACT = [
    {"title": "Oui, c'est mon adresse", "payload": "/affirm"},
    {"title": "Non, plus maintenant", "payload": "/deny"},
]


def contact_on_file_question(tenant: Tenant, on_file_masked: str) -> str:
    """The typed address differs from the one on file: nothing is sent to it; is the one on file still theirs?"""
    return (
        "Pour votre sécurité, l'e-mail de confirmation est envoyé uniquement à l'adresse que "
        f"{tenant.display_name} a déjà dans votre dossier : {on_file_masked}. "
        "Je n'envoie rien à l'adresse que vous venez d'indiquer.\n"
        "Cette adresse est-elle toujours la vôtre ?"
    )


def contact_kept() -> str:
    return "C'est noté : l'e-mail de confirmation partira à l'adresse de votre dossier."


def contact_not_theirs() -> str:
    """The address on file is no longer the member's: nothing is sent (the hand-off that
    follows says why: only the contacts on file can be used, an advisor updates them)."""
    return "Entendu, je n'envoie rien à cette adresse."


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


def confirmation(tenant: Tenant, result: service.ConfirmationResult, timezone: str, problem: str | None = None) -> str:
    """After :func:`bot.registration.service.send_confirmation`."""
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
            "Si le lien ne fonctionne pas, écrivez-moi ici le code d'activation à 13 chiffres indiqué dans l'e-mail.",
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
    if outcome == service.EMAIL_NOT_ON_FILE:
        return (
            "Pour votre sécurité, l'e-mail de confirmation ne peut partir qu'à l'adresse de votre dossier "
            f"({result.email_masked}) : je n'ai rien envoyé. Recommencez en disant « créer mon compte »."
        )
    if outcome == service.INVALID_EMAIL:
        return "Cette adresse e-mail ne semble pas valide. Recommencez en disant « créer mon compte »."
    if outcome in (service.INVALID_REF, service.CGU_REQUIRED):
        return "Votre demande a expiré. Recommencez la création de votre compte en disant « créer mon compte »."
    # failed, locked
    text = problem or "L'e-mail n'a pas pu être envoyé."
    return f"{text} Vous pouvez réessayer plus tard en disant « créer mon compte »."


def code_answer(tenant: Tenant, result: service.CodeResult, timezone: str) -> str:
    """After :func:`bot.registration.service.confirm_with_code`."""
    outcome = result.outcome
    if outcome == service.CONFIRMED:
        deadline = f" jusqu'{until(format_deadline(tenant, result.expires_at, timezone))}" if result.expires_at else ""
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
