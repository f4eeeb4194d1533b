"""Issue 12: someone who knows a member's NIR, birth date and names must not
be able to take the account. The one-time code goes only to a contact on
file, a code belongs to the conversation that asked for it, a consumed code
is never good again, the two e-mails go to the e-mail on file, and a pending
activation is only replaced by a completed one."""

from __future__ import annotations

import pytest
from helpers.members import EMAIL, MOBILE, add_member, codes_sent, identity, last_code, link_token, sent_to
from helpers.outbox import read_outbox
from sqlalchemy import select, update

from bot.activation import activation, identity_match, otp, tokens
from bot.store.db import session_scope
from bot.store.models import ActivationToken, Member

ATTACKER_MOBILE = "+33699999999"
ATTACKER_EMAIL = "pirate@example.net"


def _codes_anywhere(path):
    return [m for m in read_outbox(path) if str(m.get("kind", "")).endswith("_code")]


# ---- where the code goes ------------------------------------------------------------------


@pytest.mark.parametrize(
    "contacts, channel, destination, masked",
    [
        ({"mobile": MOBILE, "email": EMAIL}, "sms", MOBILE, "+33 ******* 78"),
        ({"mobile": MOBILE}, "sms", MOBILE, "+33 ******* 78"),
        ({"email": EMAIL}, "email", EMAIL, "m***t@example.org"),
        ({"mobile": "+32470123456", "email": EMAIL}, "email", EMAIL, "m***t@example.org"),  # Belgium: not allowed
        ({"mobile": "+262692123456"}, "sms", "+262692123456", "+262 ******* 56"),  # La Réunion
        ({"mobile": "+590690123456", "email": EMAIL}, "sms", "+590690123456", "+590 ******* 56"),  # Guadeloupe
        ({"mobile": "0612345678", "email": EMAIL}, "email", EMAIL, "m***t@example.org"),  # not E.164 on file
        ({"mobile": "+32470123456"}, None, None, None),
        ({}, None, None, None),
    ],
    ids=[
        "mobile-and-email",
        "mobile",
        "email",
        "belgian-mobile",
        "reunion",
        "guadeloupe",
        "bad-mobile",
        "belgian-mobile-only",
        "nothing",
    ],
)
def test_the_code_goes_to_the_contact_on_file(ctx, engine, outbox_path, contacts, channel, destination, masked):
    m = add_member(engine, **contacts)
    ref = ctx.member_ref(m.id)
    # what the match announces, what the summary says and where the code goes agree
    matched = identity_match.match_member(ctx, **identity(m), conversation="conv")
    assert matched.outcome == identity_match.MATCHED and matched.factor == channel
    assert otp.on_file_summary(ctx, ref) == ((channel, masked) if channel else None)
    result = otp.start_challenge(ctx, ref, conversation="conv")
    if channel is None:
        assert (result.outcome, result.destination_masked) == (otp.NO_CONTACT, None)
        assert read_outbox(outbox_path) == []
        return
    assert (result.outcome, result.channel, result.destination_masked) == (otp.SENT, channel, masked)
    [message] = read_outbox(outbox_path)
    assert (message["channel"], message["to"]) == (channel, destination)
    assert otp.verify_code(ctx, ref, last_code(outbox_path, destination), conversation="conv").outcome == otp.OK


@pytest.mark.parametrize(
    "typed, expected",
    [
        ({"mobile": MOBILE}, True),
        ({"mobile": ATTACKER_MOBILE}, False),
        ({"email": "Marie.Dupont@Example.org "}, True),
        ({"email": ATTACKER_EMAIL}, False),
        ({}, False),
    ],
)
def test_a_typed_contact_is_only_compared_with_the_one_on_file(ctx, engine, outbox_path, typed, expected):
    m = add_member(engine, mobile=MOBILE, email=EMAIL)
    assert otp.typed_contact_on_file(ctx, ctx.member_ref(m.id), **typed) is expected
    assert read_outbox(outbox_path) == []  # comparing sends nothing anywhere


def test_a_typed_mobile_never_matches_a_record_without_one(ctx, engine):
    m = add_member(engine, email=EMAIL)
    assert otp.typed_contact_on_file(ctx, ctx.member_ref(m.id), mobile=MOBILE) is False
    assert otp.typed_contact_on_file(ctx, "m1.1.forged.0000000000000000", email=EMAIL) is False


def test_whatever_is_typed_the_code_goes_to_the_mobile_on_file(ctx, engine, outbox_path):
    m = add_member(engine, mobile=MOBILE, email=EMAIL)
    ref = ctx.member_ref(m.id)
    otp.typed_contact_on_file(ctx, ref, mobile=ATTACKER_MOBILE)
    otp.typed_contact_on_file(ctx, ref, email=ATTACKER_EMAIL)
    assert otp.start_challenge(ctx, ref, conversation="attacker").outcome == otp.SENT
    assert [m["to"] for m in read_outbox(outbox_path)] == [MOBILE]


# ---- a code belongs to its conversation -----------------------------------------------------


@pytest.fixture
def member(engine):
    return add_member(engine, mobile=MOBILE, email=EMAIL)


def test_a_code_started_in_a_cannot_be_checked_in_b(ctx, member, outbox_path):
    ref = ctx.member_ref(member.id)
    assert otp.start_challenge(ctx, ref, conversation="A").outcome == otp.SENT
    code = last_code(outbox_path, MOBILE)
    assert otp.verify_code(ctx, ref, code, conversation="B").outcome == otp.NO_CHALLENGE
    assert otp.verify_code(ctx, ref, code, conversation=None).outcome == otp.NO_CHALLENGE
    # B's guesses did not use A's attempts
    for _ in range(5):
        otp.verify_code(ctx, ref, "000000", conversation="B")
    result = otp.verify_code(ctx, ref, code, conversation="A")
    assert (result.outcome, result.attempts_left) == (otp.OK, 2)


def test_a_consumed_code_is_never_ok_again(ctx, member, outbox_path):
    ref = ctx.member_ref(member.id)
    otp.start_challenge(ctx, ref, conversation="A")
    code = last_code(outbox_path, MOBILE)
    assert otp.verify_code(ctx, ref, code, conversation="A").outcome == otp.OK
    for conversation in ("A", "A", "B"):
        assert otp.verify_code(ctx, ref, code, conversation=conversation).outcome in (
            otp.CONSUMED,
            otp.NO_CHALLENGE,
        )
    assert otp.verify_code(ctx, ref, code, conversation="A").outcome == otp.CONSUMED
    assert activation.complete_activation(ctx, ref, conversation="A").outcome == activation.COMPLETED
    assert otp.verify_code(ctx, ref, code, conversation="A").outcome == otp.CONSUMED


def test_a_send_in_b_does_not_kill_the_live_code_of_a(ctx, member, outbox_path, clock):
    ref = ctx.member_ref(member.id)
    otp.start_challenge(ctx, ref, conversation="A")
    clock.advance(minutes=1)
    assert otp.start_challenge(ctx, ref, conversation="B").outcome == otp.SENT
    code_a, code_b = codes_sent(outbox_path, MOBILE)
    if code_a != code_b:
        assert otp.verify_code(ctx, ref, code_b, conversation="A").outcome == otp.WRONG
    assert otp.verify_code(ctx, ref, code_a, conversation="A").outcome == otp.OK
    assert otp.verify_code(ctx, ref, code_b, conversation="B").outcome == otp.OK


def test_completion_needs_the_code_verified_in_the_same_conversation(ctx, member, outbox_path):
    ref = ctx.member_ref(member.id)
    otp.start_challenge(ctx, ref, conversation="A")
    assert otp.verify_code(ctx, ref, last_code(outbox_path, MOBILE), conversation="A").outcome == otp.OK
    assert activation.complete_activation(ctx, ref, conversation="B").outcome == activation.NOT_VERIFIED
    assert activation.complete_activation(ctx, ref, conversation=None).outcome == activation.NOT_VERIFIED
    assert activation.complete_activation(ctx, ref, conversation="A").outcome == activation.COMPLETED


# ---- the two e-mails go to the e-mail on file ---------------------------------------------------


def _verify(ctx, member, outbox_path, conversation, destination=MOBILE):
    matched = identity_match.match_member(ctx, **identity(member), conversation=conversation)
    ref = matched.member_ref
    assert otp.start_challenge(ctx, ref, conversation=conversation).outcome == otp.SENT
    code = last_code(outbox_path, destination)
    assert otp.verify_code(ctx, ref, code, conversation=conversation).outcome == otp.OK
    return ref


@pytest.mark.parametrize("typed", [None, EMAIL, ATTACKER_EMAIL])
def test_completion_sends_both_emails_to_the_email_on_file(ctx, member, outbox_path, engine, typed):
    ref = _verify(ctx, member, outbox_path, "A")
    result = activation.complete_activation(ctx, ref, typed, conversation="A")
    assert (result.outcome, result.email_added, result.email_masked) == (
        activation.COMPLETED,
        False,
        "m***t@example.org",
    )
    assert [m["kind"] for m in sent_to(outbox_path, EMAIL)] == ["identifier", "set_password_link"]
    assert all(ATTACKER_EMAIL not in (m["to"], m["body"]) for m in read_outbox(outbox_path))
    assert not [m for m in read_outbox(outbox_path) if m["kind"].startswith("notice_")]  # nothing changed
    with session_scope(engine) as session:
        assert session.get(Member, member.id).email == EMAIL


def test_with_a_code_by_email_the_link_goes_to_that_email(ctx, engine, outbox_path):
    m = add_member(engine, email=EMAIL)  # no mobile: the code went by e-mail
    ref = _verify(ctx, m, outbox_path, "A", destination=EMAIL)
    result = activation.complete_activation(ctx, ref, ATTACKER_EMAIL, conversation="A")
    assert result.outcome == activation.COMPLETED
    assert [x["kind"] for x in sent_to(outbox_path, EMAIL)] == ["activation_code", "identifier", "set_password_link"]
    assert sent_to(outbox_path, ATTACKER_EMAIL) == []


def test_a_record_without_email_takes_the_typed_one_and_the_mobile_is_told(ctx, engine, outbox_path):
    m = add_member(engine, mobile=MOBILE)
    new = "marie.nouvelle@example.org"
    ref = _verify(ctx, m, outbox_path, "A")
    assert activation.complete_activation(ctx, ref, conversation="A").outcome == activation.EMAIL_REQUIRED
    result = activation.complete_activation(ctx, ref, new, conversation="A")
    assert (result.outcome, result.email_added, result.email_masked) == (
        activation.COMPLETED,
        True,
        "m***e@example.org",
    )
    kinds = [x["kind"] for x in sent_to(outbox_path, new)]
    assert kinds[:2] == ["identifier", "set_password_link"]
    [notice] = sent_to(outbox_path, MOBILE, kind="notice_contact_changed")
    assert notice["channel"] == "sms"
    assert "L'adresse e-mail de votre dossier a été ajoutée : m***e@example.org" in notice["body"]
    assert new not in notice["body"]
    with session_scope(engine) as session:
        assert (session.get(Member, m.id).email, session.get(Member, m.id).status) == (new, "pending")


def test_the_contact_changed_notice_is_not_sent_to_the_new_email(ctx, engine, outbox_path):
    m = add_member(engine, mobile=MOBILE)
    new = "marie.nouvelle@example.org"
    ref = _verify(ctx, m, outbox_path, "A")
    activation.complete_activation(ctx, ref, new, conversation="A")
    assert [x["kind"] for x in sent_to(outbox_path, new)] == ["identifier", "set_password_link"]
    assert [x["to"] for x in read_outbox(outbox_path) if x["kind"] == "notice_contact_changed"] == [MOBILE]


# ---- a pending activation is only replaced by a completed one ------------------------------------


def _tokens(engine, ctx, *raw):
    with session_scope(engine) as session:
        return [tokens.lookup_token(session, ctx.settings.secret_key, t).state for t in raw]


def test_a_pending_link_survives_matches_and_codes_elsewhere(ctx, member, outbox_path, engine, clock):
    ref = _verify(ctx, member, outbox_path, "A")
    assert activation.complete_activation(ctx, ref, conversation="A").outcome == activation.COMPLETED
    link = link_token(sent_to(outbox_path, EMAIL, kind="set_password_link")[-1]["body"])

    # someone else, in conversation B, gives the identity and asks for codes: the link lives on
    clock.advance(minutes=5)
    matched = identity_match.match_member(ctx, **identity(member), conversation="B")
    assert matched.outcome == identity_match.MATCHED  # pending members may start again
    assert _tokens(engine, ctx, link) == [tokens.VALID]
    other_ref = matched.member_ref
    assert otp.start_challenge(ctx, other_ref, conversation="B").outcome == otp.SENT
    wrong = f"{(int(last_code(outbox_path, MOBILE)) + 1) % 1_000_000:06d}"  # B does not have the phone
    assert otp.verify_code(ctx, other_ref, wrong, conversation="B").outcome == otp.WRONG
    assert activation.complete_activation(ctx, other_ref, conversation="B").outcome == activation.NOT_VERIFIED
    assert _tokens(engine, ctx, link) == [tokens.VALID]
    with session_scope(engine) as session:
        assert session.get(Member, member.id).status == "pending"

    # only a completion (code proven in its own conversation) replaces it
    assert otp.start_challenge(ctx, other_ref, conversation="C").outcome == otp.SENT
    code = last_code(outbox_path, MOBILE)
    assert otp.verify_code(ctx, other_ref, code, conversation="C").outcome == otp.OK
    assert activation.complete_activation(ctx, other_ref, conversation="C").outcome == activation.COMPLETED
    second = link_token(sent_to(outbox_path, EMAIL, kind="set_password_link")[-1]["body"])
    assert _tokens(engine, ctx, link, second) == [tokens.EXPIRED, tokens.VALID]
    with session_scope(engine) as session:
        assert len(session.execute(select(ActivationToken)).all()) == 2


def test_a_contact_changed_by_an_operator_voids_a_verified_code(ctx, member, outbox_path, engine):
    ref = _verify(ctx, member, outbox_path, "A")
    with session_scope(engine) as session:
        session.execute(update(Member).where(Member.id == member.id).values(mobile=ATTACKER_MOBILE))
    assert activation.complete_activation(ctx, ref, conversation="A").outcome == activation.NOT_VERIFIED
    assert not [m for m in read_outbox(outbox_path) if m["channel"] == "email"]


# ---- « ce n'est pas mon numéro » -------------------------------------------------------------------


def test_contact_not_theirs_tells_the_member_once_a_window(ctx, member, outbox_path, clock):
    ref = ctx.member_ref(member.id)
    assert activation.contact_not_theirs(ctx, ref, conversation="A") is True
    kinds = sorted((x["channel"], x["to"]) for x in read_outbox(outbox_path))
    assert kinds == [("email", EMAIL), ("sms", MOBILE)]
    assert all(x["kind"] == "notice_attempt_stopped" for x in read_outbox(outbox_path))
    # repeated attempts do not flood the member
    assert activation.contact_not_theirs(ctx, ref, conversation="B") is False
    assert len(read_outbox(outbox_path)) == 2
    clock.advance(hours=25)
    assert activation.contact_not_theirs(ctx, ref, conversation="C") is True
    assert len(read_outbox(outbox_path)) == 4
    assert _codes_anywhere(outbox_path) == []  # and no code went anywhere


def test_contact_not_theirs_with_a_forged_ref(ctx, outbox_path):
    assert activation.contact_not_theirs(ctx, "m1.1.abc.0123456789abcdef", conversation="A") is False
    assert read_outbox(outbox_path) == []
