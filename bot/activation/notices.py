"""Security notices to the contacts already on file (never to a contact typed in a chat).

Whenever something happens to a member's account that an impostor could be
behind, the member hears of it through what the mutuelle already knows:

- :data:`ACTIVATION_COMPLETED`: the password was set, the space is active;
- :data:`CONTACT_CHANGED`: an e-mail or mobile on file was added or replaced
  (the *old* contact is told; ``previous_email`` / ``previous_mobile``);
- :data:`LOCKED`: online activation was locked after repeated failed checks;
- :data:`ATTEMPT_STOPPED`: someone gave the member's identity but said the
  contact on file was not theirs (an impostor, or a member whose number
  changed): nothing was changed, the member is told (at most once a window).

Each notice goes by e-mail to the address on file and by SMS to the mobile on
file (through :mod:`bot.activation.sms_gate`: an SMS the gate refuses is
skipped, the e-mail still goes). The texts say what happened, when, and whom
to call if it was not the member, with only the contact routes the tenant
profile gives (:mod:`bot.reach`). Call :func:`queue_notices` inside the transaction that makes
the change, then :func:`deliver` after the commit.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Iterable, List

from sqlalchemy.orm import Session

from bot import clock
from bot.activation import sms_gate
from bot.context import Context
from bot.deadlines import format_deadline
from bot.notify import DeliveryResult
from bot.reach import contact_lines, main_route, signature
from bot.security import mask_email, mask_phone
from bot.store.models import Member

log = logging.getLogger("bot.notices")

ACTIVATION_COMPLETED = "activation_completed"
CONTACT_CHANGED = "contact_changed"
LOCKED = "locked"
ATTEMPT_STOPPED = "attempt_stopped"
KINDS = (ACTIVATION_COMPLETED, CONTACT_CHANGED, LOCKED, ATTEMPT_STOPPED)


def _what(ctx: Context, kind: str, when: str, change: str | None) -> tuple[str, str]:
    """(subject, first paragraph) of a notice."""
    tenant = ctx.tenant
    space = f"{tenant.member_space_name} {tenant.display_name}"
    if kind == ACTIVATION_COMPLETED:
        return (
            f"Votre {space} est activé",
            f"Votre {space} a été activé {when} : un mot de passe vient d'y être enregistré.",
        )
    if kind == CONTACT_CHANGED:
        return (
            f"Modification de vos coordonnées - {tenant.display_name}",
            f"{change or 'Vos coordonnées ont été modifiées'} {when}, lors de l'activation de votre {space}.",
        )
    if kind == ATTEMPT_STOPPED:
        return (
            f"Tentative d'activation de votre {space}",
            f"Une activation de votre {space} a été demandée {when} avec vos informations d'identité, mais "
            "la personne a indiqué que les coordonnées de votre dossier n'étaient pas les siennes. "
            "L'activation a été arrêtée et rien n'a été modifié.",
        )
    return (
        f"Activation de votre {space} bloquée",
        f"Par sécurité, l'activation en ligne de votre {space} a été bloquée {when}, après plusieurs "
        "vérifications d'identité qui n'ont pas abouti.",
    )


def _email_body(ctx: Context, kind: str, first: str) -> str:
    tenant = ctx.tenant
    if kind == ATTEMPT_STOPPED:
        follow = (
            "Si c'était vous, un conseiller peut mettre vos coordonnées à jour. "
            "Si ce n'était pas vous, contactez-nous :"
        )
    elif kind == LOCKED:
        follow = (
            "Personne n'a eu accès à votre espace. Si c'était vous, ou si ce n'était pas vous, "
            "contactez-nous pour débloquer l'activation :"
        )
    else:
        follow = "Si c'était vous, vous n'avez rien à faire. Si ce n'était pas vous, contactez-nous sans attendre :"
    return f"Bonjour,\n\n{first}\n\n{follow}\n" + "\n".join(contact_lines(tenant)) + f"\n\n{signature(tenant)}\n"


def _sms_body(ctx: Context, kind: str, first: str) -> str:
    tenant = ctx.tenant
    return f"{tenant.display_name} : {first} Si ce n'était pas vous, contactez-nous {main_route(tenant).phrase}."


def queue_notices(
    ctx: Context,
    session: Session,
    member: Member,
    kind: str,
    *,
    previous_email: str | None = None,
    previous_mobile: str | None = None,
    change: str | None = None,
    added: Iterable[str] = (),
    now: datetime | None = None,
) -> List[int]:
    """Queue the notice of ``kind`` to the member's contacts on file; returns outbox ids.

    For :data:`CONTACT_CHANGED` give the contact(s) on file *before* the
    change, and in ``added`` a contact that did not exist before: the notice
    goes to the previous contacts and the unchanged ones, never to ``added``.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notice {kind!r}")
    now = now or clock.now()
    when = format_deadline(ctx.tenant, now, ctx.settings.timezone)
    subject, first = _what(ctx, kind, when, change)
    if kind == CONTACT_CHANGED:
        # the notice is for the contacts the member had before: the old one of
        # what changed, the unchanged other one; never the contact just added
        emails = {previous_email or member.email} - set(added) - {None}
        mobiles = {previous_mobile or member.mobile} - set(added) - {None}
    else:
        emails = {e for e in (previous_email, member.email) if e}
        mobiles = {m for m in (previous_mobile, member.mobile) if m}
    ids: List[int] = []
    for address in sorted(emails):
        ids.append(
            ctx.notifier.queue_email(session, address, subject, _email_body(ctx, kind, first), kind=f"notice_{kind}")
        )
    for number in sorted(mobiles):
        outcome, _retry = sms_gate.admit_sms(session, ctx.settings, ctx.tenant, number, now)
        if outcome != sms_gate.ALLOWED:
            log.warning("notice %s: SMS to %s skipped (%s)", kind, mask_phone(number), outcome)
            continue
        ids.append(ctx.notifier.queue_sms(session, number, _sms_body(ctx, kind, first), kind=f"notice_{kind}"))
    if not ids:
        log.warning("notice %s: member %s has no contact on file to tell", kind, member.id)
    return ids


def deliver(ctx: Context, outbox_ids: List[int]) -> List[DeliveryResult]:
    """Deliver queued notices (after the commit); failures stay in the outbox for retry."""
    return [ctx.notifier.deliver(i) for i in outbox_ids]


def describe_change(
    old_email: str | None, new_email: str | None, old_mobile: str | None, new_mobile: str | None
) -> str:
    """« L'adresse e-mail de votre dossier a été remplacée par j•••@e••• » and the like (masked)."""
    parts = []
    if new_email and new_email != old_email:
        verb = "remplacée par" if old_email else "ajoutée :"
        parts.append(f"l'adresse e-mail de votre dossier a été {verb} {mask_email(new_email)}")
    if new_mobile and new_mobile != old_mobile:
        verb = "remplacé par" if old_mobile else "ajouté :"
        parts.append(f"le numéro de mobile de votre dossier a été {verb} {mask_phone(new_mobile)}")
    text = " et ".join(parts) or "vos coordonnées ont été modifiées"
    return text[0].upper() + text[1:]


__all__ = [
    "ACTIVATION_COMPLETED",
    "ATTEMPT_STOPPED",
    "CONTACT_CHANGED",
    "LOCKED",
    "deliver",
    "describe_change",
    "queue_notices",
]
