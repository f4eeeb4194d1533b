"""The answers computed from the tenant profile and the delivery problems, rendered from
domain.yml by Rasa's own interpolator, say word for word what the member read when they
were built in Python (``frozen_replies.py``, generated from that code), for both tenants,
variants of them that take every branch, and the clock on either side of the opening hours.
"""

from __future__ import annotations

import pytest
from frozen_replies import CONTACT, DELIVERY, FAQ
from helpers.responses import reply_text
from reply_cases import INSTANTS, contact_cases, delivery_cases, faq_cases, tenants

from bot.answers.contact import contact_answer
from bot.answers.faq import answer_faq
from bot.notify import DeliveryResult, delivery_problem, delivery_problem_message
from bot.reply import render_text
from bot.tenants.facts import tenant_slot_values

TENANTS = tenants()


def test_every_case_has_its_frozen_text() -> None:
    assert set(CONTACT) == set(contact_cases())
    assert set(DELIVERY) == set(delivery_cases())
    # the FAQ keys answered by utter_faq/<key> have no frozen text: their response did not move
    assert set(FAQ) <= set(faq_cases())


@pytest.mark.parametrize("tenant_id, key, moment", contact_cases())
def test_contact_answer_says_what_it_said(tenant_id: str, key: str | None, moment: str) -> None:
    tenant = TENANTS[tenant_id]
    reply = contact_answer(tenant, key, INSTANTS[moment])
    assert reply_text(reply, tenant) == CONTACT[(tenant_id, key, moment)]


@pytest.mark.parametrize("tenant_id, key", faq_cases())
def test_faq_answer_says_what_it_said(tenant_id: str, key: str | None) -> None:
    tenant = TENANTS[tenant_id]
    reply = answer_faq(tenant, key)
    if (tenant_id, key) in FAQ:
        assert reply_text(reply, tenant) == FAQ[(tenant_id, key)]
    else:
        assert reply.response == f"utter_faq/{key}" and not reply.values


@pytest.mark.parametrize("status, channel, tenant_id", delivery_cases())
def test_delivery_problem_says_what_it_said(status: str, channel: str, tenant_id: str | None) -> None:
    tenant = TENANTS[tenant_id] if tenant_id else None
    result = DeliveryResult(status, channel, 1, "x")
    reply = delivery_problem(result, tenant)
    expected = DELIVERY[(status, channel, tenant_id)]
    if expected is None:
        assert reply is None and delivery_problem_message(result, tenant) is None
        return
    assert reply is not None
    # in the chat (the tenant slots are set from the session start) ...
    assert reply_text(reply, TENANTS[tenant_id or "miel"]) == expected
    # ... and inside another reply ({problem}), rendered without Rasa
    assert delivery_problem_message(result, tenant) == expected
    assert render_text(reply, tenant_slot_values(tenant) if tenant else None) == expected
