"""Every chat reply the registration and support modules choose is a response of
domain.yml whose variables all get a value, for both tenants and every outcome
(the convention of CONTRIBUTING.md, « Where reply texts live »)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from helpers.responses import render, reply_text

from bot.registration import replies as reg
from bot.registration import service as reg_service
from bot.reply import Reply
from bot.support import replies as sup
from bot.support import tickets as tickets
from bot.support.reason import REASONS
from bot.tenants import load_tenant

TENANTS = [load_tenant("miel"), load_tenant("smie")]
LATER = datetime(2025, 11, 25, 13, 5, tzinfo=timezone.utc)
NOW = LATER - timedelta(hours=20)

REG_OUTCOMES = [
    reg_service.SENT,
    reg_service.QUEUED,
    reg_service.FAILED,
    reg_service.LOCKED,
    reg_service.RATE_LIMITED,
    reg_service.ALREADY_ACTIVE,
    reg_service.EMAIL_NOT_ON_FILE,
    reg_service.INVALID_EMAIL,
    reg_service.INVALID_REF,
    reg_service.CGU_REQUIRED,
]
CODE_OUTCOMES = [
    reg_service.CONFIRMED,
    reg_service.WRONG,
    reg_service.TOO_MANY_ATTEMPTS,
    reg_service.EXPIRED,
    reg_service.USED,
    reg_service.ALREADY_ACTIVE,
    reg_service.NO_TOKEN,
    reg_service.INVALID_REF,
]
TICKET_OUTCOMES = [
    tickets.SENT,
    tickets.QUEUED,
    tickets.FAILED,
    tickets.NO_SUPPORT_ADDRESS,
    tickets.INVALID_EMAIL,
    tickets.INVALID_DESCRIPTION,
    tickets.RATE_LIMITED,
]


def _all_replies(tenant) -> list[Reply]:
    out = [
        reg.intro(tenant),
        reg.where_to_find(tenant, "registration_email"),
        reg.where_to_find(tenant, "adherent_number"),
        reg.invalid_adherent_number(),
        reg.invalid_access_code(),
        reg.access_recognised(),
        reg.mismatch(1, tenant),
        reg.mismatch(2, tenant),
        reg.contact_on_file_question(tenant, "p***l@example.org"),
        reg.contact_kept(),
        reg.contact_not_theirs(),
        reg.cgu_question(tenant),
        reg.cgu_refused(),
        reg.no_registration_in_progress(),
        reg.not_a_code(),
        sup.declined(),
        sup.ask_email("p***l@example.org"),
        sup.ask_email(None),
        sup.other_email(),
        sup.invalid_description(),
        sup.ask_confirmation(tenant, "Ma demande", "p***l@example.org"),
        sup.yes_or_no(),
        sup.cancelled(),
    ]
    out += [sup.offer(tenant, reason, NOW) for reason in (*REASONS, "unknown")]
    for outcome in REG_OUTCOMES:
        result = reg_service.ConfirmationResult(outcome, "p***l@example.org", LATER)
        out += [reg.confirmation(tenant, result, "Europe/Paris"), reg.confirmation(tenant, result, "Europe/Paris", "X")]
    for outcome in CODE_OUTCOMES:
        for left in (0, 1, 2):
            out.append(reg.code_answer(tenant, reg_service.CodeResult(outcome, LATER, left), "Europe/Paris"))
    for outcome in TICKET_OUTCOMES:
        out.append(
            sup.ticket_outcome(
                tenant, tickets.TicketResult(outcome, "MIEL-2511-ABCDEF", contact_email_masked="p***l@example.org")
            )
        )
    return out


@pytest.mark.parametrize("tenant", TENANTS, ids=lambda t: t.id)
def test_every_reply_renders_with_all_its_values(tenant):
    for reply in _all_replies(tenant):
        text = reply_text(reply)  # fails on an unknown response or a variable without value
        assert text.strip() and "None" not in text, reply
        assert all(isinstance(value, str) for value in reply.values.values()), reply


@pytest.mark.parametrize("tenant", TENANTS, ids=lambda t: t.id)
def test_the_questions_carry_their_buttons(tenant):
    for reply in (reg.cgu_question(tenant), reg.contact_on_file_question(tenant, "x"), sup.yes_or_no()):
        assert [b["payload"] for b in render(reply.response, reply.values)["buttons"]] == ["/affirm", "/deny"]
    offer = sup.offer(tenant, "advisor_request", NOW)
    assert [b["payload"] for b in render(offer.response, offer.values)["buttons"]] == ["/affirm", "/deny"]
