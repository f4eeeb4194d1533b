"""The one gate every SMS passes before it is queued: countries, per-number and global budgets.

Someone after free SMS (or after flooding a member's phone) can only make
the assistant text numbers of the countries the tenant allows
(``tenant.sms_countries``: France and its overseas territories by default),
at most ``ASSISTANT_LIMIT_SMS_PER_NUMBER`` times per number and window, and
the whole deployment sends at most ``ASSISTANT_LIMIT_SMS_PER_HOUR`` SMS an
hour; past that budget nothing more is sent, an ``ALERT`` is logged for the
operators and members are told to call.  Counts live in the member store
(:mod:`bot.limits`), shared by every replica.

:func:`admit_sms` returns one of :data:`ALLOWED`, :data:`COUNTRY_REFUSED`,
:data:`NUMBER_LIMITED`, :data:`BUDGET_EXHAUSTED` and counts the SMS when it
is allowed (call it in the transaction that queues the SMS).
"""

from __future__ import annotations

import logging
from datetime import datetime

import phonenumbers
from sqlalchemy.orm import Session

from bot import limits
from bot.settings import Settings
from bot.tenants import Tenant

log = logging.getLogger("bot.sms_gate")

ALLOWED = "allowed"
COUNTRY_REFUSED = "country_refused"
NUMBER_LIMITED = "number_limited"
BUDGET_EXHAUSTED = "budget_exhausted"


def sms_country(number: str) -> str | None:
    """The ISO country code of an E.164 number (``+262 692…`` -> ``RE``), None when unknown."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.region_code_for_number(parsed)


def country_allowed(tenant: Tenant, number: str) -> bool:
    return sms_country(number) in set(tenant.sms_countries)


def admit_sms(
    session: Session, settings: Settings, tenant: Tenant, number: str, now: datetime | None = None
) -> tuple[str, datetime | None]:
    """(outcome, retry_at): whether an SMS to ``number`` may be sent now; counts it when allowed."""
    if not country_allowed(tenant, number):
        return COUNTRY_REFUSED, None
    per_number = limits.limit("sms_number", settings.limits)
    number_decision = limits.peek(session, settings.secret_key, per_number, number, now)
    if not number_decision.allowed:
        return NUMBER_LIMITED, number_decision.retry_at
    budget = limits.limit("sms_global", settings.limits)
    # look first: refused requests are not counted, so a flood does not keep the budget spent
    decision = limits.peek(session, settings.secret_key, budget, limits.GLOBAL, now)
    if not decision.allowed:
        log.critical(
            "ALERT: hourly SMS budget reached (%d SMS in the last hour, ASSISTANT_LIMIT_SMS_PER_HOUR=%d): "
            "no SMS is sent until the count falls back",
            decision.count,
            budget.max_count,
        )
        return BUDGET_EXHAUSTED, decision.retry_at
    limits.hit(session, settings.secret_key, budget, limits.GLOBAL, now=now)
    limits.hit(session, settings.secret_key, per_number, number, now=now)
    return ALLOWED, None
