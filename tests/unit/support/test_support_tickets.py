"""Hand-off tickets: one masked e-mail to support, an acknowledgement, retries."""

from __future__ import annotations

import re

import pytest
from helpers.members import MOBILE, add_member
from helpers.outbox import read_outbox
from sqlalchemy import func, select

from bot.store.db import session_scope
from bot.store.models import AuditEvent, OutboxMessage, SupportTicket
from bot.support import tickets as support
from bot.support.emails import ticket_ack_email
from bot.support.reason import REASON_LABELS

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
    refs = {
        support.create_ticket(ctx, "weird", "Aide", CONTACT, conversation=f"c-{i}", client=f"client-{i}").reference
        for i in range(15)
    }
    assert len(refs) == 15 and None not in refs
    with session_scope(engine) as session:
        assert set(session.execute(select(SupportTicket.reason)).scalars()) == {"other"}


@pytest.mark.parametrize(
    "reason", ["contact_not_theirs", "no_contact_on_file", "code_not_delivered", "activation_locked"]
)
def test_the_new_reasons_are_kept_and_labelled(ctx, outbox_path, engine, reason):
    result = support.create_ticket(ctx, reason, "Aide", CONTACT, conversation="c-reason")
    assert result.outcome == support.SENT
    mail = next(m for m in read_outbox(outbox_path) if m["to"] == SUPPORT)
    assert f"Motif : {REASON_LABELS[reason]}" in mail["body"]
    with session_scope(engine) as session:
        assert session.execute(select(SupportTicket.reason)).scalar_one() == reason


# ---- abuse limits (issue 12): tickets are no relay ---------------------------------------


def _tickets(engine):
    with session_scope(engine) as session:
        return session.execute(select(SupportTicket)).scalars().all()


@pytest.mark.parametrize(
    "limit_env, calls, refused_at",
    [
        # (conversation, client) of each call; the call at index ``refused_at`` is refused
        ({}, [("c-1", "ip-1"), ("c-1", "ip-2"), ("c-1", "ip-3")], 2),  # 2 per conversation
        ({}, [("c-1", "ip-1"), ("c-2", "ip-1"), ("c-3", "ip-1"), ("c-4", "ip-1")], 3),  # 3 per client a day
        ({"ASSISTANT_LIMIT_TICKETS_PER_CONVERSATION": "1"}, [("c-1", "ip-1"), ("c-1", "ip-2")], 1),
        ({"ASSISTANT_LIMIT_TICKETS_PER_CLIENT": "1"}, [("c-1", "ip-1"), ("c-2", "ip-1")], 1),
        # no client given: the conversation is the client
        ({"ASSISTANT_LIMIT_TICKETS_PER_CLIENT": "1"}, [("c-1", None), ("c-1", None)], 1),
    ],
    ids=["per-conversation", "per-client", "conversation-setting", "client-setting", "conversation-as-client"],
)
def test_ticket_limits_trip(make_ctx, outbox_path, engine, limit_env, calls, refused_at):
    ctx = make_ctx("miel", **limit_env)
    outcomes = [
        support.create_ticket(ctx, "other", "Aide", CONTACT, conversation=conv, client=client).outcome
        for conv, client in calls
    ]
    assert outcomes == [support.SENT] * refused_at + [support.RATE_LIMITED] * (len(calls) - refused_at)
    # a refused ticket is neither stored nor sent, and is audited
    assert len(_tickets(engine)) == refused_at
    assert len([m for m in read_outbox(outbox_path) if m["to"] == SUPPORT]) == refused_at
    with session_scope(engine) as session:
        assert (
            session.execute(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.event == "ticket_rate_limited")
            ).scalar_one()
            == len(calls) - refused_at
        )


def test_other_clients_and_conversations_are_not_limited(ctx):
    for i in range(3):
        assert support.create_ticket(ctx, "other", "Aide", CONTACT, conversation=f"c-{i}", client="ip-1").outcome == (
            support.SENT
        )
    assert support.create_ticket(ctx, "other", "Aide", CONTACT, conversation="c-9", client="ip-1").outcome == (
        support.RATE_LIMITED
    )
    assert support.create_ticket(ctx, "other", "Aide", CONTACT, conversation="c-9", client="ip-2").outcome == (
        support.SENT
    )


def test_ticket_limits_are_daily_per_client(ctx, clock):
    for i in range(3):
        support.create_ticket(ctx, "other", "Aide", CONTACT, conversation=f"c-{i}", client="ip-1")
    assert support.create_ticket(ctx, "other", "Aide", CONTACT, conversation="c-8", client="ip-1").outcome == (
        support.RATE_LIMITED
    )
    clock.advance(days=1, minutes=1)
    assert support.create_ticket(ctx, "other", "Aide", CONTACT, conversation="c-9", client="ip-1").outcome == (
        support.SENT
    )


DESCRIPTION = "Urgent : virez 500 euros vers FR76 3000 4000 pour Zanzibar, signé Gertrude Pamplemousse"


def test_the_acknowledgement_relays_no_word_of_the_member(ctx, outbox_path):
    result = support.create_ticket(ctx, "other", DESCRIPTION, CONTACT, conversation="c-relay")
    assert result.outcome == support.SENT
    [ack] = [m for m in read_outbox(outbox_path) if m["to"] == CONTACT]
    assert ack["kind"] == "support_ticket_ack"
    # the acknowledgement is built from the reference alone: nothing the member wrote
    assert (ack["subject"], ack["body"]) == ticket_ack_email(ctx.tenant, result.reference)
    for word in ("Zanzibar", "Pamplemousse", "Gertrude", "virez", "500", "FR76", "Urgent"):
        assert word.casefold() not in (ack["subject"] + ack["body"]).casefold(), word
    # support gets the description
    [mail] = [m for m in read_outbox(outbox_path) if m["to"] == SUPPORT]
    assert "Zanzibar" in mail["body"]


def test_for_a_matched_member_the_acknowledgement_goes_to_the_email_on_file(ctx, engine, outbox_path):
    on_file = "marie.on-file@example.org"
    member = add_member(engine, email=on_file, mobile=MOBILE)
    typed = "quelquun.dautre@example.net"
    result = support.create_ticket(
        ctx, "advisor_request", DESCRIPTION, typed, ctx.member_ref(member.id), conversation="c-on-file"
    )
    assert result.outcome == support.SENT
    assert [m["kind"] for m in read_outbox(outbox_path) if m["to"] == on_file] == ["support_ticket_ack"]
    assert [m for m in read_outbox(outbox_path) if m["to"] == typed] == []
    [mail] = [m for m in read_outbox(outbox_path) if m["to"] == SUPPORT]
    body = mail["body"]
    # the verified facts, masked, for support to find the file
    assert f"Adhérent vérifié : DUPONT {member.first_name}, n° {member.adherent_number}" in body
    assert f"Numéro d'adhérent : {member.adherent_number}" in body
    assert f"Numéro de sécurité sociale (masqué) : {member.nir[0]} ** ** ** *** *** {member.nir[-2:]}" in body
    assert "Mobile du dossier : +33 ******* 78" in body and "E-mail du dossier : m***e@example.org" in body
    assert "Statut du compte : inactive" in body
    assert member.nir not in body and MOBILE not in body and on_file not in body


def test_an_unmatched_ticket_carries_no_member_facts(ctx, outbox_path):
    support.create_ticket(ctx, "other", "Aide", CONTACT, conversation="c-anon")
    [mail] = [m for m in read_outbox(outbox_path) if m["to"] == SUPPORT]
    assert "Adhérent vérifié" not in mail["body"] and "du dossier" not in mail["body"]
    assert [m["kind"] for m in read_outbox(outbox_path) if m["to"] == CONTACT] == ["support_ticket_ack"]
