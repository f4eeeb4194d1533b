"""Which response the SMIE-style registration says, and the values of its variables.

The texts are the ``utter_registration_*`` responses of ``domain.yml``
(:mod:`bot.reply`); this module chooses them from the tenant profile and the
outcomes of :mod:`bot.registration.service`.  A value that exists only when a
fact is known (the sender of the e-mail, a deadline, the tries left) is
given as a ``…_clause`` value, empty without the fact.  The password is never
asked in the conversation: the texts say so and send the member to the page
opened by the « Je valide mon inscription » link.
"""

from __future__ import annotations

from bot.deadlines import format_deadline, until
from bot.reach import PHONE, SPACE, main_route
from bot.registration import service
from bot.reply import Reply
from bot.tenants import Tenant

MAX_FAILURES = 3


def _tenant(tenant: Tenant) -> dict[str, str]:
    return {
        "tenant_name": tenant.display_name,
        "tenant_space": tenant.member_space_name,
        "tenant_space_path": tenant.member_space_path,
        "tenant_link_hours": str(tenant.activation_link_hours),
    }


def intro(tenant: Tenant) -> Reply:
    return Reply("utter_registration_intro", _tenant(tenant))


def where_to_find(tenant: Tenant, slot: str | None) -> Reply:
    """Answer to « où je trouve ça ? » / « pourquoi ? » while ``slot`` is asked."""
    if slot == "registration_email":
        return Reply("utter_registration_why_email")
    return Reply("utter_registration_where_to_find", _tenant(tenant))


def invalid_adherent_number() -> Reply:
    return Reply("utter_registration_invalid_adherent_number")


def invalid_access_code() -> Reply:
    return Reply("utter_registration_invalid_access_code")


def access_recognised() -> Reply:
    return Reply("utter_registration_access_recognised")


def contact_route(tenant: Tenant) -> str:
    """The one route to the mutuelle its guide gives first (:func:`bot.reach.main_route`), as an order:
    « appelez Miel au … », « écrivez à … », « contactez SMIE depuis … »."""
    route = main_route(tenant)
    if route.kind == PHONE:
        return f"appelez {tenant.display_name} {route.phrase}"
    if route.kind == SPACE:
        return f"contactez {tenant.display_name} {route.phrase}"
    return f"écrivez {route.phrase}"


def mismatch(failures: int, tenant: Tenant) -> Reply:
    """The one answer for an unknown number, a wrong code and a paused check.

    Never says which of the two values is wrong, nor whether the check was
    refused by a limit: an unknown number, a wrong code and a throttled
    number (or client, or deployment) read exactly the same.
    """
    left = MAX_FAILURES - failures
    essais = "essai" if left == 1 else "essais"
    return Reply(
        "utter_registration_mismatch",
        {**_tenant(tenant), "attempts_left": f"{left} {essais}", "contact_route": contact_route(tenant)},
    )


def contact_on_file_question(tenant: Tenant, on_file_masked: str) -> Reply:
    """The typed address differs from the one on file: nothing is sent to it; is the one on file still theirs?"""
    return Reply("utter_registration_contact_on_file", {**_tenant(tenant), "email_masked": on_file_masked})


def contact_kept() -> Reply:
    return Reply("utter_registration_contact_kept")


def contact_not_theirs() -> Reply:
    """The address on file is no longer the member's: nothing is sent (the hand-off that
    follows says why: only the contacts on file can be used, an advisor updates them)."""
    return Reply("utter_registration_contact_not_theirs")


def already_active(tenant: Tenant) -> Reply:
    return Reply("utter_registration_already_active", _tenant(tenant))


def cgu_question(tenant: Tenant) -> Reply:
    return Reply("utter_registration_cgu", {**_tenant(tenant), "cgu_url": tenant.cgu.url or tenant.website})


def cgu_refused() -> Reply:
    return Reply("utter_registration_cgu_refused")


def no_registration_in_progress() -> Reply:
    return Reply("utter_registration_none_in_progress")


def confirmation(
    tenant: Tenant, result: service.ConfirmationResult, timezone: str, problem: str | None = None
) -> Reply:
    """After :func:`bot.registration.service.send_confirmation`."""
    outcome = result.outcome
    if outcome in (service.SENT, service.QUEUED):
        values = {
            **_tenant(tenant),
            "email_masked": result.email_masked or "",
            "sender_clause": f", envoyé par {tenant.sender_email}" if tenant.sender_email else "",
            "deadline_clause": (
                f" ({format_deadline(tenant, result.expires_at, timezone)})" if result.expires_at else ""
            ),
        }
        if outcome == service.QUEUED and problem:
            return Reply("utter_registration_email_sent_problem", {**values, "problem": problem})
        return Reply("utter_registration_email_sent", values)
    if outcome == service.RATE_LIMITED:
        return Reply("utter_registration_email_rate_limited")
    if outcome == service.ALREADY_ACTIVE:
        return already_active(tenant)
    if outcome == service.EMAIL_NOT_ON_FILE:
        return Reply("utter_registration_email_not_on_file", {"email_masked": result.email_masked or ""})
    if outcome == service.INVALID_EMAIL:
        return Reply("utter_registration_email_invalid")
    if outcome in (service.INVALID_REF, service.CGU_REQUIRED):
        return Reply("utter_registration_expired")
    # failed, locked
    return Reply("utter_registration_email_failed", {"problem": problem or "L'e-mail n'a pas pu être envoyé."})


def code_answer(tenant: Tenant, result: service.CodeResult, timezone: str) -> Reply:
    """After :func:`bot.registration.service.confirm_with_code`."""
    outcome = result.outcome
    if outcome == service.CONFIRMED:
        deadline = f" jusqu'{until(format_deadline(tenant, result.expires_at, timezone))}" if result.expires_at else ""
        return Reply("utter_registration_code_confirmed", {"deadline_clause": deadline})
    if outcome == service.WRONG:
        left = result.attempts_left
        plural = "s" if left and left > 1 else ""
        more = f" (encore {left} essai{plural} possible{plural})" if left else ""
        return Reply("utter_registration_code_wrong", {"attempts_clause": more})
    if outcome == service.TOO_MANY_ATTEMPTS:
        return Reply("utter_registration_code_too_many")
    if outcome == service.EXPIRED:
        return Reply("utter_registration_code_expired", _tenant(tenant))
    if outcome == service.USED:
        return Reply("utter_registration_code_used", _tenant(tenant))
    if outcome == service.ALREADY_ACTIVE:
        return already_active(tenant)
    if outcome == service.NO_TOKEN:
        return Reply("utter_registration_code_no_token")
    return no_registration_in_progress()


def not_a_code() -> Reply:
    return Reply("utter_registration_not_a_code")
