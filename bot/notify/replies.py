"""Which response tells a member that a message was not delivered.

The texts are the ``utter_delivery_problem_*`` responses of ``domain.yml``
(:mod:`bot.reply`): an SMS not sent (check the mobile, ask for a new code),
an e-mail late (it is retried, nothing to do) or not sent (check the
address).  Given the tenant, a message that will not be retried (``failed``)
also says where to write if the problem persists: the support address, or
the member space without one (the tenant slots ``{tenant_support_email}``,
``{tenant_contact}``).  A delivered message needs no reply (None).
"""

from __future__ import annotations

from bot.notify.base import DeliveryResult
from bot.reply import Reply
from bot.tenants import Tenant

# channel -> (no tenant or retried, failed with a support address, failed without one)
_FAILED = {
    "sms": ("utter_delivery_problem_sms", "utter_delivery_problem_sms_write", "utter_delivery_problem_sms_space"),
    "email": (
        "utter_delivery_problem_email_failed",
        "utter_delivery_problem_email_failed_write",
        "utter_delivery_problem_email_failed_space",
    ),
}


def delivery_problem(result: DeliveryResult, tenant: Tenant | None = None) -> Reply | None:
    """The reply for ``result`` when it is not ``delivered`` (else None)."""
    if result.delivered:
        return None
    if result.channel != "sms" and result.queued:
        return Reply("utter_delivery_problem_email_queued")
    plain, write, space = _FAILED["sms" if result.channel == "sms" else "email"]
    if tenant is None or not result.failed:
        return Reply(plain)
    return Reply(write if tenant.support_email else space)
