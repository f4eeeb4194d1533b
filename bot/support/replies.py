"""What the assistant says when it hands a conversation to support.

Built from the tenant profile and the clock only: the phone and opening
hours when the tenant's guide gives them, with whether the line is open now
or when it reopens (« La ligne est fermée en ce moment : elle rouvre lundi
à 8h30 »), otherwise the ways the guide does give (member space, website):
:func:`bot.reach.call_lines`.  A tenant without a support address (SMIE)
is told so honestly: the request can be recorded with a reference, not
sent.  The ticket outcomes are those of :mod:`bot.support.tickets`.
"""

from __future__ import annotations

from datetime import datetime

from bot.notify import delivery_problem_message
from bot.privacy import mask_text
from bot.reach import call_lines
from bot.support import tickets as service
from bot.tenants import Tenant

YES_NO_OFFER = [
    {"title": "Oui, laisser un message", "payload": "/affirm"},
    {"title": "Non merci", "payload": "/deny"},
]
YES_NO_SEND = [
    {"title": "Oui, envoyer", "payload": "/affirm"},
    {"title": "Non, annuler", "payload": "/deny"},
]
SUMMARY_MAX = 300

_INTROS = {
    "advisor_request": "Je vous mets en relation avec l'équipe de {name}.",
    "fallback": "Je ne parviens pas à comprendre votre demande, désolé. Un conseiller pourra vous aider.",
    "activation_locked": (
        "Je ne peux pas vérifier vos informations après plusieurs essais : un conseiller pourra vous aider."
    ),
    "account_locked": (
        "Votre compte est bloqué par sécurité : il ne peut pas être activé en ligne. Un conseiller de {name} "
        "peut vérifier votre dossier et le débloquer avec vous."
    ),
    "contact_not_theirs": (
        "Pour votre sécurité, je ne peux envoyer un code qu'aux coordonnées déjà enregistrées dans votre dossier : "
        "un conseiller de {name} pourra les mettre à jour avec vous, puis vous pourrez activer votre espace."
    ),
    "no_contact_on_file": (
        "Votre dossier ne comporte ni mobile ni adresse e-mail où envoyer un code de vérification : "
        "pour votre sécurité, l'activation en ligne n'est donc pas possible. Un conseiller de {name} pourra "
        "compléter votre dossier avec vous."
    ),
    "code_not_delivered": (
        "Je n'ai pas pu vous envoyer le code de vérification. Un conseiller de {name} pourra vous aider."
    ),
    "complaint": (
        "Je suis désolé que vous rencontriez ce problème. Votre réclamation doit être traitée par un conseiller."
    ),
    "other": "Un conseiller de {name} peut prendre le relais.",
}


def offer(tenant: Tenant, reason: str, at: datetime) -> str:
    """The hand-off: who to call and when, then the offer of a written message."""
    intro = _INTROS.get(reason, _INTROS["other"]).format(name=tenant.display_name)
    lines = [intro, *call_lines(tenant, at)]
    if tenant.support_email:
        lines.append(
            "Je peux aussi transmettre un message écrit à l'équipe support, avec le fil de notre échange "
            "(vos numéros, codes et coordonnées y sont masqués). Voulez-vous laisser un message ?"
        )
    else:
        lines.append(
            f"Je ne peux pas transmettre de message directement à {tenant.display_name} depuis cette "
            "conversation. Je peux tout de même enregistrer votre demande, avec une référence à rappeler "
            "quand vous les contacterez. Voulez-vous que je l'enregistre ?"
        )
    return "\n".join(lines)


def declined() -> str:
    return "D'accord, je n'envoie rien. Puis-je vous aider pour autre chose ?"


def ask_email(known_masked: str | None) -> str:
    if known_masked:
        return (
            f"Pour vous répondre, j'utiliserai l'adresse {known_masked}. Est-ce la bonne ? "
            "Sinon, écrivez-moi l'adresse à utiliser."
        )
    return "À quelle adresse e-mail peut-on vous répondre ?"


def invalid_description() -> str:
    return "Je n'ai pas compris votre demande. Décrivez-la en une ou deux phrases, s'il vous plaît."


def ask_confirmation(tenant: Tenant, description: str, email_masked: str) -> str:
    summary = mask_text(" ".join(description.split()))
    if len(summary) > SUMMARY_MAX:
        summary = summary[: SUMMARY_MAX - 1] + "…"
    if tenant.support_email:
        action = f"Je transmets ce message à l'équipe de {tenant.display_name}"
        question = "Je l'envoie ?"
    else:
        action = "J'enregistre cette demande"
        question = "Je l'enregistre ?"
    return f"{action} :\n« {summary} »\nRéponse à : {email_masked}\n{question}"


def yes_or_no() -> str:
    return "Répondez simplement par oui ou par non, s'il vous plaît."


def cancelled() -> str:
    return "C'est noté, je n'envoie rien. Puis-je vous aider pour autre chose ?"


def ticket_outcome(tenant: Tenant, result: service.TicketResult) -> str:
    """After :func:`bot.support.tickets.create_ticket`."""
    outcome, reference = result.outcome, result.reference
    email = result.contact_email_masked or "votre adresse"
    if outcome == service.SENT:
        lines = [
            f"C'est transmis. Votre demande porte la référence {reference}.",
            f"L'équipe de {tenant.display_name} vous répondra à {email}. "
            "Un accusé de réception vous est envoyé par e-mail.",
        ]
        if result.ack_delivery is not None and not result.ack_delivery.delivered:
            problem = delivery_problem_message(result.ack_delivery)
            if problem:
                lines.append(f"Accusé de réception : {problem}")
        return "\n".join(lines)
    if outcome == service.QUEUED:
        return (
            f"Votre demande est enregistrée (référence {reference}) et sera transmise dès que possible : "
            "vous n'avez rien à refaire. Un accusé de réception vous sera envoyé par e-mail."
        )
    if outcome == service.NO_SUPPORT_ADDRESS:
        return (
            f"Votre demande est enregistrée sous la référence {reference}.\n"
            f"Je ne peux pas la transmettre directement à {tenant.display_name} : pour être recontacté, "
            f"passez par {tenant.contact_in_space} et indiquez cette référence. "
            f"Vous y accédez {tenant.member_space_path}."
        )
    if outcome == service.FAILED:
        lines = [f"Votre demande est enregistrée (référence {reference}), mais je n'ai pas pu la transmettre."]
        lines.extend(call_lines(tenant))
        return "\n".join(lines)
    if outcome == service.RATE_LIMITED:
        lines = ["Vous avez déjà envoyé plusieurs demandes : je ne peux pas en transmettre une autre pour le moment."]
        lines.extend(call_lines(tenant))
        return "\n".join(lines)
    if outcome == service.INVALID_EMAIL:
        return "Cette adresse e-mail ne semble pas valide. Recommencez en disant « parler à un conseiller »."
    return "Votre message est vide. Recommencez en disant « parler à un conseiller »."
