"""Which response the hand-off to support says, and the values of its variables.

The texts are the ``utter_support_*`` responses of ``domain.yml``
(:mod:`bot.reply`); this module chooses them from the tenant profile, the
clock and the ticket outcome.  The phone and opening hours when the tenant's
guide gives them, with whether the line is open now or when it reopens
(« La ligne est fermée en ce moment : elle rouvre lundi à 8h30 »), otherwise
the ways the guide does give (member space, website), come from
:func:`bot.reach.call_lines` (the one place that says how to reach a
mutuelle, e-mails and notices included) as the ``{call_lines}`` value.  A
tenant without a support address (SMIE) is told so honestly: the request can
be recorded with a reference, not sent.  The ticket outcomes are those of
:mod:`bot.support.tickets`.
"""

from __future__ import annotations

from datetime import datetime

from bot.notify import delivery_problem_message
from bot.privacy import mask_text
from bot.reach import call_lines
from bot.reply import Reply
from bot.support import tickets as service
from bot.tenants import Tenant

SUMMARY_MAX = 300

# the reasons with their own opening sentence (utter_support_offer_<reason>_...)
OFFER_REASONS = frozenset(
    {
        "advisor_request",
        "fallback",
        "activation_locked",
        "account_locked",
        "contact_not_theirs",
        "no_contact_on_file",
        "code_not_delivered",
        "complaint",
        "other",
    }
)


def _tenant(tenant: Tenant) -> dict[str, str]:
    return {"tenant_name": tenant.display_name}


def offer(tenant: Tenant, reason: str, at: datetime) -> Reply:
    """The hand-off: why, who to call and when, then the offer of a written message
    (``…_message``) or, without a support address, of a recorded request (``…_record``)."""
    reason = reason if reason in OFFER_REASONS else "other"
    way = "message" if tenant.support_email else "record"
    return Reply(
        f"utter_support_offer_{reason}_{way}", {**_tenant(tenant), "call_lines": "\n".join(call_lines(tenant, at))}
    )


def declined() -> Reply:
    return Reply("utter_support_declined")


def ask_email(known_masked: str | None) -> Reply:
    if known_masked:
        return Reply("utter_support_ask_email_known", {"email_masked": known_masked})
    return Reply("utter_support_ask_email")


def other_email() -> Reply:
    """« non » to the address already known: ask for the one to use."""
    return Reply("utter_support_other_email")


def invalid_description() -> Reply:
    return Reply("utter_support_invalid_description")


def summary(description: str) -> str:
    """The member's request as shown before sending: masked, on one line, at most :data:`SUMMARY_MAX` characters."""
    text = mask_text(" ".join(description.split()))
    if len(text) > SUMMARY_MAX:
        text = text[: SUMMARY_MAX - 1] + "…"
    return text


def ask_confirmation(tenant: Tenant, description: str, email_masked: str) -> Reply:
    way = "send" if tenant.support_email else "record"
    return Reply(
        f"utter_support_confirm_{way}",
        {**_tenant(tenant), "summary": summary(description), "email_masked": email_masked},
    )


def yes_or_no() -> Reply:
    return Reply("utter_support_yes_or_no")


def cancelled() -> Reply:
    return Reply("utter_support_cancelled")


def ticket_outcome(tenant: Tenant, result: service.TicketResult) -> Reply:
    """After :func:`bot.support.tickets.create_ticket`."""
    outcome = result.outcome
    values = {
        **_tenant(tenant),
        "ticket_reference": result.reference or "",
        "email_masked": result.contact_email_masked or "votre adresse",
    }
    if outcome == service.SENT:
        if result.ack_delivery is not None and not result.ack_delivery.delivered:
            problem = delivery_problem_message(result.ack_delivery)
            if problem:
                return Reply("utter_support_ticket_sent_ack_problem", {**values, "problem": problem})
        return Reply("utter_support_ticket_sent", values)
    if outcome == service.QUEUED:
        return Reply("utter_support_ticket_queued", values)
    if outcome == service.NO_SUPPORT_ADDRESS:
        return Reply(
            "utter_support_ticket_no_support_address",
            {**values, "tenant_contact": tenant.contact_in_space, "tenant_space_path": tenant.member_space_path},
        )
    if outcome in (service.FAILED, service.RATE_LIMITED):
        return Reply(f"utter_support_ticket_{outcome}", {**values, "call_lines": "\n".join(call_lines(tenant))})
    if outcome == service.INVALID_EMAIL:
        return Reply("utter_support_ticket_invalid_email")
    return Reply("utter_support_ticket_empty")
