"""Completing the Miel activation: the two e-mails, the link, and its guards.

Which e-mail address is used (the one on file) and the conversation binding
are in ``test_act_possession.py``."""

from __future__ import annotations

import re
import threading

import pytest
from helpers.members import EMAIL, MOBILE, add_member, identity, last_code, link_token
from helpers.outbox import read_outbox
from helpers.ports import free_port
from sqlalchemy import select, update

from bot.activation import activation, identity_match, otp, tokens
from bot.store.db import session_scope
from bot.store.models import ActivationToken, AuditEvent, Member

CONV = "conv-activation"


@pytest.fixture
def member(engine):
    """A member with a mobile and an e-mail on file."""
    return add_member(engine, mobile=MOBILE, email=EMAIL)


def _verified(ctx, member, outbox_path, conversation=CONV):
    """Matched, code sent to the mobile on file and verified in ``conversation``: the member ref."""
    result = identity_match.match_member(ctx, **identity(member), conversation=conversation)
    assert result.outcome == identity_match.MATCHED
    ref = result.member_ref
    assert otp.start_challenge(ctx, ref, conversation=conversation).outcome == otp.SENT
    assert otp.verify_code(ctx, ref, last_code(outbox_path, MOBILE), conversation=conversation).outcome == otp.OK
    return ref


def _complete(ctx, ref, email=None, conversation=CONV):
    return activation.complete_activation(ctx, ref, email, conversation=conversation)


def test_happy_path_sends_the_two_emails_of_the_guide(ctx, member, outbox_path, engine, clock):
    ref = _verified(ctx, member, outbox_path)
    result = _complete(ctx, ref)
    assert result.outcome == activation.COMPLETED
    assert result.all_delivered and len(result.deliveries) == 2
    assert result.email_masked == "m***t@example.org" and result.mobile_masked == "+33 ******* 78"
    assert result.email_added is False
    assert (result.link_expires_at - clock.now).total_seconds() == 48 * 3600

    identifier, link = [m for m in read_outbox(outbox_path) if m["channel"] == "email"]
    assert identifier["to"] == EMAIL and link["to"] == EMAIL
    assert (identifier["kind"], link["kind"]) == ("identifier", "set_password_link")
    assert identifier["subject"] == "Votre identifiant Espace Affilié Miel"
    assert f"numéro d'adhérent : {member.adherent_number}" in identifier["body"]
    assert "http://127.0.0.1:5005/activation/" in link["body"]
    assert "valable 48 heures" in link["body"] and "une seule fois" in link["body"]
    assert "date de naissance" in link["body"]
    assert "digital.assistance-miel@malakoffhumanis.com" in identifier["body"]  # from the tenant profile
    assert member.nir not in identifier["body"] + link["body"]

    token = link_token(link["body"])
    with session_scope(engine) as session:
        row = session.get(Member, member.id)
        assert (row.status, row.email, row.mobile, row.version) == ("pending", EMAIL, MOBILE, 2)
        found = tokens.lookup_token(session, ctx.settings.secret_key, token)
        assert (found.state, found.purpose, found.member_id) == (tokens.VALID, tokens.SET_PASSWORD, member.id)
        assert session.execute(select(ActivationToken.token_hash)).scalar_one() != token
        events = [e.event for e in session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars()]
        assert events[-1] == "activation_completed"
        assert (
            session.execute(select(AuditEvent.details).where(AuditEvent.event == "activation_completed")).scalar_one()[
                "factor"
            ]
            == "sms"
        )


def test_without_a_verified_code_nothing_happens(ctx, member, outbox_path, engine):
    ref = ctx.member_ref(member.id)
    assert _complete(ctx, ref).outcome == activation.NOT_VERIFIED
    otp.start_challenge(ctx, ref, conversation=CONV)  # sent but not verified
    assert _complete(ctx, ref).outcome == activation.NOT_VERIFIED
    assert [m["channel"] for m in read_outbox(outbox_path)] == ["sms"]
    with session_scope(engine) as session:
        assert session.get(Member, member.id).status == "inactive"


@pytest.mark.parametrize(
    "changes",
    [{"mobile": "+33699999999"}, {"mobile": None}, {"email": None, "mobile": None}],
    ids=["mobile-replaced", "mobile-removed", "contacts-removed"],
)
def test_the_contact_on_file_must_still_be_the_verified_one(ctx, member, outbox_path, engine, changes):
    """The record changed (an operator, an import) after the code went to the mobile on file."""
    ref = _verified(ctx, member, outbox_path)
    with session_scope(engine) as session:
        session.execute(update(Member).where(Member.id == member.id).values(**changes))
    assert _complete(ctx, ref, "x@example.org").outcome == activation.NOT_VERIFIED
    assert [m for m in read_outbox(outbox_path) if m["channel"] == "email"] == []


def test_verified_code_is_good_for_30_minutes(ctx, member, outbox_path, clock):
    ref = _verified(ctx, member, outbox_path)
    clock.advance(minutes=29)
    assert _complete(ctx, ref).outcome == activation.COMPLETED


def test_a_verified_code_older_than_30_minutes_is_refused(ctx, member, outbox_path, clock):
    ref = _verified(ctx, member, outbox_path)
    clock.advance(minutes=31)
    assert _complete(ctx, ref).outcome == activation.NOT_VERIFIED


def test_second_completion_with_the_same_code_is_refused(ctx, member, outbox_path):
    ref = _verified(ctx, member, outbox_path)
    assert _complete(ctx, ref).outcome == activation.COMPLETED
    assert _complete(ctx, ref).outcome == activation.ALREADY_COMPLETED
    assert len([m for m in read_outbox(outbox_path) if m["channel"] == "email"]) == 2


def test_starting_again_replaces_the_previous_link(ctx, member, outbox_path, clock, engine):
    ref = _verified(ctx, member, outbox_path)
    _complete(ctx, ref)
    first = link_token(read_outbox(outbox_path)[-1]["body"])
    clock.advance(minutes=5)
    ref = _verified(ctx, member, outbox_path)
    assert _complete(ctx, ref, "autre@example.org").outcome == activation.COMPLETED
    last = read_outbox(outbox_path)[-1]
    second = link_token(last["body"])
    assert last["to"] == EMAIL  # the e-mail on file, never the one typed
    with session_scope(engine) as session:
        assert tokens.lookup_token(session, ctx.settings.secret_key, first).state == tokens.EXPIRED
        assert tokens.lookup_token(session, ctx.settings.secret_key, second).state == tokens.VALID
        assert session.get(Member, member.id).email == EMAIL


@pytest.mark.parametrize("status, outcome", [("active", activation.ALREADY_ACTIVE), ("locked", activation.LOCKED)])
def test_status_guards(ctx, engine, status, outcome):
    m = add_member(engine, status=status, mobile=MOBILE, email=EMAIL)
    assert _complete(ctx, ctx.member_ref(m.id), EMAIL).outcome == outcome


@pytest.mark.parametrize(
    "email, outcome",
    [
        (None, activation.EMAIL_REQUIRED),
        ("", activation.EMAIL_REQUIRED),
        ("marie", activation.INVALID_EMAIL),
        ("marie@", activation.INVALID_EMAIL),
        ("a b@example.org", activation.INVALID_EMAIL),
    ],
)
def test_a_record_without_email_needs_a_valid_one(ctx, engine, outbox_path, email, outcome):
    m = add_member(engine, mobile=MOBILE)  # no e-mail on file
    ref = _verified(ctx, m, outbox_path)
    assert _complete(ctx, ref, email).outcome == outcome
    with session_scope(engine) as session:
        assert (session.get(Member, m.id).status, session.get(Member, m.id).email) == ("inactive", None)
    # the verified code is not spent by a refused completion
    assert _complete(ctx, ref, "marie@example.org").outcome == activation.COMPLETED


def test_forged_reference(ctx, member):
    assert _complete(ctx, "m1.1.abc.0123456789abcdef").outcome == activation.INVALID_REF


def test_concurrent_completions_only_one_wins(ctx, member, outbox_path, engine):
    ref = _verified(ctx, member, outbox_path)
    barrier = threading.Barrier(6)
    outcomes, errors = [], []

    def worker():
        try:
            barrier.wait()
            outcomes.append(_complete(ctx, ref).outcome)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert outcomes.count(activation.COMPLETED) == 1
    assert outcomes.count(activation.ALREADY_COMPLETED) == 5
    with session_scope(engine) as session:
        assert len(session.execute(select(ActivationToken)).all()) == 1
        assert session.get(Member, member.id).version == 2
    assert len([m for m in read_outbox(outbox_path) if m["channel"] == "email"]) == 2


def test_smtp_down_keeps_both_emails_for_retry(make_ctx, member, outbox_path, engine):
    ctx = make_ctx("miel", SMTP_HOST="127.0.0.1", SMTP_PORT=str(free_port()), SMTP_STARTTLS="false")
    ref = _verified(ctx, member, outbox_path)
    result = _complete(ctx, ref)
    assert result.outcome == activation.COMPLETED
    assert [d.state for d in result.deliveries] == ["queued", "queued"]
    assert not result.all_delivered
    assert re.fullmatch(r"ConnectionRefusedError: .*", result.deliveries[0].error)
