"""Hand-off tickets: one masked e-mail to support, an acknowledgement, retries."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from support.outbox import read_outbox

from bot.activation import support
from bot.store.db import session_scope
from bot.store.models import OutboxMessage, SupportTicket

SUPPORT = "digital.assistance-miel@malakoffhumanis.com"
CONTACT = "marie.dupont@example.org"
TRANSCRIPT = [
    "Adhérent : je veux activer mon compte",
    "Assistant : Quel est votre numéro de sécurité sociale ?",
    "Adhérent : 2 80 03 42 001 001 04",
    "Assistant : Je vous ai envoyé un code par SMS au +33 6 12 34 56 78.",
    "Adhérent : 482913",
    "Adhérent : mon mail c'est marie.dupont@example.org et mon code d'activation 1753446898276",
]
SECRETS = ["2 80 03 42 001 001 04", "482913", "1753446898276", "+33 6 12 34 56 78", "marie.dupont@example.org"]


def _smtp_ctx(make_ctx, sink, tenant="miel"):
    return make_ctx(tenant, SMTP_HOST="127.0.0.1", SMTP_PORT=str(sink.port), SMTP_STARTTLS="false")


def test_ticket_email_reaches_the_support_address_masked(make_ctx, smtp_sink, member, engine):
    ctx = _smtp_ctx(make_ctx, smtp_sink.start())
    result = support.create_ticket(
        ctx,
        "advisor_request",
        "Je n'arrive pas à activer, mon code 482913 ne marche pas.",
        CONTACT,
        ctx.member_ref(member.id),
        TRANSCRIPT,
        conversation="c-9",
    )
    assert result.outcome == support.SENT
    assert re.fullmatch(r"MIEL-2511-[2-9A-HJKMNP-TV-Z]{6}", result.reference)
    [mail] = smtp_sink.to(SUPPORT)
    body = mail.get_content()
    assert mail["Subject"] == f"[{result.reference}] Demande d'assistance - Miel"
    assert mail["Reply-To"] == CONTACT
    assert f"Référence : {result.reference}" in body and "Mutuelle : Miel" in body
    assert f"Numéro d'adhérent : {member.adherent_number}" in body
    assert f"Adresse e-mail de contact : {CONTACT}" in body
    transcript = body.split("Conversation", 1)[1]
    for secret in SECRETS:
        assert secret not in transcript
    assert "[n° de sécurité sociale masqué]" in transcript and "[code masqué]" in transcript
    assert "Je n'arrive pas à activer" in body and "482913" not in body
    [ack] = smtp_sink.to(CONTACT)
    assert result.reference in ack["Subject"] and result.reference in ack.get_content()
    with session_scope(engine) as session:
        ticket = session.execute(select(SupportTicket)).scalar_one()
        assert (ticket.state, ticket.member_id, ticket.adherent_number) == ("sent", member.id, member.adherent_number)
        assert ticket.sent_at is not None
        assert all(secret not in ticket.transcript for secret in SECRETS)


def test_unverified_member(ctx, outbox_path):
    result = support.create_ticket(ctx, "fallback", "Question sur mon contrat", CONTACT, None, [])
    assert result.outcome == support.SENT
    mail = next(m for m in read_outbox(outbox_path) if m["to"] == SUPPORT)
    assert "Numéro d'adhérent : non vérifié" in mail["body"]


def test_smtp_down_then_up(make_ctx, smtp_sink, clock, engine):
    ctx = _smtp_ctx(make_ctx, smtp_sink)  # not started: connection refused
    result = support.create_ticket(ctx, "complaint", "Réclamation", CONTACT, None, TRANSCRIPT)
    assert result.outcome == support.QUEUED and result.support_delivery.queued
    with session_scope(engine) as session:
        assert session.execute(select(SupportTicket.state)).scalar_one() == "queued"
    smtp_sink.start()
    assert ctx.notifier.retry_due().sent == 0  # not due yet (backoff)
    clock.advance(minutes=2)
    report = ctx.notifier.retry_due()
    assert report.sent == 2 and report.failed == 0
    assert len(smtp_sink.to(SUPPORT)) == 1 and len(smtp_sink.to(CONTACT)) == 1
    with session_scope(engine) as session:
        assert session.execute(select(SupportTicket.state)).scalar_one() == "sent"
    clock.advance(hours=1)
    assert ctx.notifier.retry_due().sent == 0  # nothing sent twice


def test_tenant_without_support_address(smie_ctx, engine, outbox_path):
    result = support.create_ticket(smie_ctx, "advisor_request", "Besoin d'aide", CONTACT, None, TRANSCRIPT)
    assert result.outcome == support.NO_SUPPORT_ADDRESS
    assert result.reference.startswith("SMIE-")
    assert read_outbox(outbox_path) == []
    with session_scope(engine) as session:
        ticket = session.execute(select(SupportTicket)).scalar_one()
        assert (ticket.state, ticket.tenant) == ("queued", "smie")
        assert session.execute(select(OutboxMessage)).first() is None


@pytest.mark.parametrize(
    "description, email, outcome",
    [
        ("", CONTACT, support.INVALID_DESCRIPTION),
        ("   ", CONTACT, support.INVALID_DESCRIPTION),
        ("Aide", "pas-une-adresse", support.INVALID_EMAIL),
        ("Aide", "", support.INVALID_EMAIL),
    ],
)
def test_invalid_input(ctx, description, email, outcome):
    assert support.create_ticket(ctx, "other", description, email).outcome == outcome


def test_references_are_unique_and_unknown_reasons_become_other(ctx, engine):
    refs = {support.create_ticket(ctx, "weird", "Aide", CONTACT).reference for _ in range(15)}
    assert len(refs) == 15
    with session_scope(engine) as session:
        assert set(session.execute(select(SupportTicket.reason)).scalars()) == {"other"}
