"""SMIE-style registration: access check and its limits, CGU, the e-mail on file,
confirmation e-mail, code in chat (issues 6 and 12).

Real components only: the store (SQLite, and PostgreSQL when
ASSISTANT_TEST_POSTGRES_URL is set), the shared limits, the outbox file, and
the Rasa SDK actions run with real trackers on the test's context.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from helpers.members import add_member, link_token
from helpers.outbox import read_outbox
from helpers.responses import rendered_message, reply_text
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

import actions.registration as registration_actions
from bot.activation import tokens
from bot.registration import replies
from bot.registration import service as reg
from bot.sealed import seal, unseal
from bot.store.db import session_scope
from bot.store.models import AuditEvent, Consent, Member

EMAIL = "jean.martin@example.org"


def _registered(ctx, member):
    result = reg.check_access(ctx, member.adherent_number, member.access_code, EMAIL)
    assert result.outcome == reg.MATCHED
    assert reg.record_cgu_acceptance(ctx, result.member_ref) == reg.RECORDED
    return result.member_ref


def _confirmation(outbox_path):
    mails = [m for m in read_outbox(outbox_path) if m["kind"] == "registration_confirmation"]
    assert mails
    body = mails[-1]["body"]
    return mails[-1], link_token(body), re.search(r"code d'activation suivant : (\d{13})", body).group(1)


@pytest.mark.parametrize(
    "number, code, outcome",
    [
        ("{n}", "{c}", reg.MATCHED),
        (" {n} ", "  {c_lower} ", reg.MATCHED),
        ("{n}", "SMIE-0000", reg.NO_MATCH),
        ("A999999", "{c}", reg.NO_MATCH),
        ("", "", reg.NO_MATCH),
    ],
    ids=["exact", "spaces-and-case", "wrong-code", "unknown-number", "empty"],
)
def test_check_access(smie_ctx, member, number, code, outcome):
    number = number.format(n=member.adherent_number)
    code = code.format(c=member.access_code, c_lower=member.access_code.lower())
    result = reg.check_access(smie_ctx, number, code, EMAIL)
    assert result.outcome == outcome
    assert (result.member_ref is not None) == (outcome == reg.MATCHED)


@pytest.mark.parametrize(
    "status, right_code, outcome",
    [
        ("active", True, reg.ALREADY_ACTIVE),
        ("locked", True, reg.LOCKED),  # the right code proved possession of the letter
        ("active", False, reg.NO_MATCH),
        ("locked", False, reg.NO_MATCH),  # a wrong code learns nothing about the status
    ],
)
def test_check_access_status(smie_ctx, engine, status, right_code, outcome):
    m = add_member(engine, status=status)
    code = m.access_code if right_code else "SMIE-0000"
    assert reg.check_access(smie_ctx, m.adherent_number, code).outcome == outcome


# ---- limits on access codes (issue 12) ---------------------------------------------------


def _audit_events(engine, name: str) -> int:
    with session_scope(engine) as session:
        return len(session.execute(select(AuditEvent.id).where(AuditEvent.event == name)).all())


def _exhaust_client(ctx, engine, victim):
    # every check counts for the client, right or wrong, whatever the number
    for attempt in range(3):
        reg.check_access(ctx, f"B{attempt}0000", "SMIE-0000", client="client:ip-1", conversation=f"c{attempt}")


def _exhaust_global(ctx, engine, victim):
    # wrong codes from many clients on many numbers, none of them on the victim
    for attempt in range(4):
        reg.check_access(ctx, f"B{attempt}0000", "SMIE-0000", client=f"client:ip-{attempt + 10}")


def _exhaust_number(ctx, engine, victim):
    # wrong codes on one number from many clients and conversations
    for attempt in range(reg.MAX_ACCESS_FAILURES_PER_HOUR):
        outcome = reg.check_access(
            ctx, victim.adherent_number, f"X-{attempt}", client=f"client:ip-{attempt + 20}", conversation=f"c{attempt}"
        ).outcome
        assert outcome == reg.NO_MATCH


LIMIT_CASES = [
    # name, settings, how the limit is reached, audit event of a refusal,
    # whether another client may still check the victim's number
    ("per-client", {"ASSISTANT_LIMIT_CLIENT_ATTEMPTS": "3"}, _exhaust_client, "access_client_limited", True),
    ("global", {"ASSISTANT_LIMIT_ACCESS_FAILURES_PER_HOUR": "4"}, _exhaust_global, "access_global_limited", False),
    ("per-number", {}, _exhaust_number, "access_throttled", False),
]


@pytest.mark.parametrize(
    "settings, exhaust, event, others_may_check",
    [case[1:] for case in LIMIT_CASES],
    ids=[case[0] for case in LIMIT_CASES],
)
def test_each_limit_refuses_even_the_right_code_then_lifts(
    make_ctx, engine, clock, settings, exhaust, event, others_may_check
):
    ctx = make_ctx("smie", **settings)
    victim = add_member(engine)
    exhaust(ctx, engine, victim)
    # the limited client (per-client case) or anyone (global, per-number) now gets no_match for the right code
    result = reg.check_access(ctx, victim.adherent_number, victim.access_code, client="client:ip-1")
    assert (result.outcome, result.member_ref) == (reg.NO_MATCH, None)
    assert _audit_events(engine, event) >= 1
    other = reg.check_access(ctx, victim.adherent_number, victim.access_code, client="client:ip-99")
    assert (other.outcome == reg.MATCHED) == others_may_check
    # after the window (plus one bucket of the shared counters) the right code works again
    clock.advance(seconds=reg.ACCESS_FAILURE_WINDOW.total_seconds() + 600)
    again = reg.check_access(ctx, victim.adherent_number, victim.access_code, client="client:ip-1")
    assert again.outcome == reg.MATCHED


def test_the_global_limit_logs_a_warning(make_ctx, engine, caplog):
    ctx = make_ctx("smie", ASSISTANT_LIMIT_ACCESS_FAILURES_PER_HOUR="2")
    member = add_member(engine)
    reg._last_global_warning[0] = 0.0
    for attempt in range(2):
        reg.check_access(ctx, f"C{attempt}0000", "SMIE-0000", client=f"client:{attempt}")
    with caplog.at_level("WARNING", logger="bot.registration"):
        assert reg.check_access(ctx, member.adherent_number, member.access_code).outcome == reg.NO_MATCH
        assert reg.check_access(ctx, member.adherent_number, member.access_code).outcome == reg.NO_MATCH
    warnings = [r for r in caplog.records if r.name == "bot.registration" and r.levelname == "WARNING"]
    assert len(warnings) == 1 and "refused for every adherent number" in warnings[0].getMessage()
    assert member.access_code not in caplog.text and member.adherent_number not in caplog.text


def test_unknown_numbers_are_throttled_like_known_ones(smie_ctx, engine):
    """An unknown number reaches the per-number limit after as many wrong codes as a known one."""
    known = add_member(engine)
    for throttled, number in enumerate((known.adherent_number, "Z999999"), start=1):
        for attempt in range(reg.MAX_ACCESS_FAILURES_PER_HOUR):
            reg.check_access(smie_ctx, number, f"X-{attempt}", client=f"client:{number}:{attempt}")
        assert _audit_events(engine, "access_throttled") == throttled - 1
        assert reg.check_access(smie_ctx, number, "X-last", client="client:last").outcome == reg.NO_MATCH
        assert _audit_events(engine, "access_throttled") == throttled


def test_guessing_across_conversations_is_throttled_per_member(smie_ctx, member, clock):
    for attempt in range(reg.MAX_ACCESS_FAILURES_PER_HOUR):
        assert (
            reg.check_access(smie_ctx, member.adherent_number, f"X-{attempt}", conversation=f"c{attempt}").outcome
            == reg.NO_MATCH
        )
    # even the right code is refused for the hour, with the answer of a wrong code
    assert reg.check_access(smie_ctx, member.adherent_number, member.access_code).outcome == reg.NO_MATCH
    clock.advance(seconds=reg.ACCESS_FAILURE_WINDOW.total_seconds() + 600)
    assert reg.check_access(smie_ctx, member.adherent_number, member.access_code).outcome == reg.MATCHED


# ---- the lock notice ------------------------------------------------------------------------


def _notices(outbox_path, kind: str) -> list[dict[str, Any]]:
    return [m for m in read_outbox(outbox_path) if m["kind"] == f"notice_{kind}"]


@pytest.mark.parametrize(
    "contacts, expected",
    [
        (
            {"email": "paul.durand@example.com", "mobile": "+33612345611"},
            {("email", "paul.durand@example.com"), ("sms", "+33612345611")},
        ),
        ({"email": "claire.moreau@example.com", "mobile": None}, {("email", "claire.moreau@example.com")}),
        ({"email": None, "mobile": None}, set()),
    ],
    ids=["email-and-mobile", "email-only", "no-contact"],
)
def test_the_lock_notice_goes_to_the_contacts_on_file_once_per_window(
    smie_ctx, engine, outbox_path, clock, contacts, expected
):
    m = add_member(engine, **contacts)

    def guess(count: int, start: int) -> None:
        for attempt in range(start, start + count):
            reg.check_access(
                smie_ctx, m.adherent_number, f"X-{attempt}", "intrus@example.net", client=f"client:{attempt}"
            )

    guess(reg.MAX_ACCESS_FAILURES_PER_HOUR - 1, 0)
    assert _notices(outbox_path, "locked") == []  # not before the limit
    guess(1, 100)
    sent = {(n["channel"], n["to"]) for n in _notices(outbox_path, "locked")}
    assert sent == expected
    assert all(n["to"] != "intrus@example.net" for n in read_outbox(outbox_path))
    guess(5, 200)  # further attempts during the pause: no second notice
    assert len(_notices(outbox_path, "locked")) == len(expected)
    if expected:
        body = _notices(outbox_path, "locked")[0]["body"]
        assert "bloquée" in body and m.access_code not in body
        assert not re.search(r"\b0\d( ?\d\d){4}\b", body)  # no phone invented for SMIE
    # the next window: a new series of wrong codes tells the member again
    clock.advance(hours=2)
    guess(reg.MAX_ACCESS_FAILURES_PER_HOUR, 300)
    assert len(_notices(outbox_path, "locked")) == 2 * len(expected)
    with session_scope(engine) as session:
        assert session.get(Member, m.id).status == "inactive"  # a pause, not a lock anyone could cause


def test_concurrent_wrong_codes_tell_the_member_once(smie_ctx, engine, outbox_path):
    """Replicas checking at the same moment: the limit and the notice hold (SQLite and PostgreSQL)."""
    from concurrent.futures import ThreadPoolExecutor

    m = add_member(engine, email="paul.durand@example.com")
    for attempt in range(reg.MAX_ACCESS_FAILURES_PER_HOUR - 3):
        reg.check_access(smie_ctx, m.adherent_number, f"X-{attempt}", client=f"client:{attempt}")
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(
            pool.map(
                lambda i: reg.check_access(smie_ctx, m.adherent_number, f"Y-{i}", client=f"client:t{i}").outcome,
                range(8),
            )
        )
    assert outcomes == [reg.NO_MATCH] * 8
    assert len(_notices(outbox_path, "locked")) == 1
    assert reg.check_access(smie_ctx, m.adherent_number, m.access_code).outcome == reg.NO_MATCH


@pytest.mark.parametrize("status", ["active", "locked"])
def test_no_lock_notice_for_an_active_or_already_locked_account(smie_ctx, engine, outbox_path, status):
    m = add_member(engine, status=status, email="paul.durand@example.com")
    for attempt in range(reg.MAX_ACCESS_FAILURES_PER_HOUR + 2):
        reg.check_access(smie_ctx, m.adherent_number, f"X-{attempt}", client=f"client:{attempt}")
    assert _notices(outbox_path, "locked") == []


def test_notices_can_be_left_to_the_caller(smie_ctx, engine, outbox_path):
    m = add_member(engine, email="paul.durand@example.com")
    results = [
        reg.check_access(smie_ctx, m.adherent_number, f"X-{i}", client=f"client:{i}", deliver_notices=False)
        for i in range(reg.MAX_ACCESS_FAILURES_PER_HOUR)
    ]
    assert [bool(r.notice_ids) for r in results] == [False] * (reg.MAX_ACCESS_FAILURES_PER_HOUR - 1) + [True]
    assert results[-1] == reg.AccessResult(reg.NO_MATCH)  # same outcome as any mismatch
    assert _notices(outbox_path, "locked") == []  # queued, not delivered yet
    smie_ctx.notifier.deliver(results[-1].notice_ids[0])
    assert [n["to"] for n in _notices(outbox_path, "locked")] == ["paul.durand@example.com"]


def test_member_without_access_code_never_matches(smie_ctx, engine):
    m = add_member(engine, access_code=None)
    assert reg.check_access(smie_ctx, m.adherent_number, "").outcome == reg.NO_MATCH


def test_confirmation_needs_the_cgu(smie_ctx, member, outbox_path, engine):
    ref = reg.check_access(smie_ctx, member.adherent_number, member.access_code).member_ref
    assert reg.send_confirmation(smie_ctx, ref, EMAIL).outcome == reg.CGU_REQUIRED
    assert read_outbox(outbox_path) == []
    reg.record_cgu_acceptance(smie_ctx, ref)
    with session_scope(engine) as session:
        consent = session.execute(select(Consent)).scalar_one()
        assert (consent.member_id, consent.cgu_version) == (member.id, "smie-espace-adherents")


def test_confirmation_email_of_the_guide(smie_ctx, member, outbox_path, engine, clock):
    ref = _registered(smie_ctx, member)
    result = reg.send_confirmation(smie_ctx, ref, EMAIL)
    assert result.outcome == reg.SENT and result.email_masked == "j***n@example.org"
    assert (result.expires_at - clock.now).total_seconds() == 24 * 3600
    mail, token, code = _confirmation(outbox_path)
    assert mail["to"] == EMAIL
    assert mail["subject"] == "Espace SMIE Mutuelle - Demande de confirmation d'inscription"
    assert "Je valide mon inscription : http://127.0.0.1:5005/activation/" in mail["body"]
    assert "sous 24 heures" in mail["body"]
    with session_scope(engine) as session:
        found = tokens.lookup_token(session, smie_ctx.settings.secret_key, token)
        assert (found.state, found.purpose, found.email) == (tokens.VALID, tokens.SMIE_CONFIRM, EMAIL)
        assert session.get(Member, member.id).status == "inactive"  # nothing confirmed yet
    assert len(code) == 13


def test_code_typed_in_chat_confirms_the_email(smie_ctx, member, outbox_path, engine):
    ref = _registered(smie_ctx, member)
    reg.send_confirmation(smie_ctx, ref, EMAIL)
    _mail, token, code = _confirmation(outbox_path)
    result = reg.confirm_with_code(smie_ctx, ref, f"{code[:4]} {code[4:]}")
    assert result.outcome == reg.CONFIRMED and result.expires_at is not None
    with session_scope(engine) as session:
        row = session.get(Member, member.id)
        assert (row.status, row.email) == ("pending", EMAIL)
        # the link still works to choose the password
        assert tokens.lookup_token(session, smie_ctx.settings.secret_key, token).state == tokens.VALID
    assert reg.confirm_with_code(smie_ctx, ref, code).outcome == reg.CONFIRMED  # idempotent


def test_wrong_codes_are_limited(smie_ctx, member, outbox_path):
    ref = _registered(smie_ctx, member)
    reg.send_confirmation(smie_ctx, ref, EMAIL)
    _mail, _token, code = _confirmation(outbox_path)
    wrong = "1" * 13 if code != "1" * 13 else "2" * 13
    results = [reg.confirm_with_code(smie_ctx, ref, wrong) for _ in range(5)]
    assert [r.attempts_left for r in results] == [4, 3, 2, 1, 0]
    assert results[-1].outcome == reg.TOO_MANY_ATTEMPTS
    assert reg.confirm_with_code(smie_ctx, ref, code).outcome == reg.TOO_MANY_ATTEMPTS


def test_code_expires_with_the_link(smie_ctx, member, outbox_path, clock):
    ref = _registered(smie_ctx, member)
    reg.send_confirmation(smie_ctx, ref, EMAIL)
    _mail, _token, code = _confirmation(outbox_path)
    clock.advance(hours=24)
    assert reg.confirm_with_code(smie_ctx, ref, code).outcome == reg.EXPIRED


def test_new_email_replaces_the_old_link_and_code(smie_ctx, member, outbox_path, clock, engine):
    ref = _registered(smie_ctx, member)
    reg.send_confirmation(smie_ctx, ref, EMAIL)
    _mail, old_token, old_code = _confirmation(outbox_path)
    clock.advance(minutes=1)
    reg.send_confirmation(smie_ctx, ref, "autre@example.org")
    _mail, new_token, new_code = _confirmation(outbox_path)
    assert reg.confirm_with_code(smie_ctx, ref, old_code).outcome == reg.EXPIRED
    assert reg.confirm_with_code(smie_ctx, ref, new_code).outcome == reg.CONFIRMED
    with session_scope(engine) as session:
        assert tokens.lookup_token(session, smie_ctx.settings.secret_key, old_token).state == tokens.EXPIRED
        assert session.get(Member, member.id).email == "autre@example.org"


def test_no_token_and_bad_refs(smie_ctx, member):
    ref = smie_ctx.member_ref(member.id)
    assert reg.confirm_with_code(smie_ctx, ref, "1234567890123").outcome == reg.NO_TOKEN
    assert reg.confirm_with_code(smie_ctx, "m1.1.a.b", "1234567890123").outcome == reg.INVALID_REF
    assert reg.send_confirmation(smie_ctx, "nope", EMAIL).outcome == reg.INVALID_REF
    assert reg.record_cgu_acceptance(smie_ctx, "nope") == reg.INVALID_REF


def test_resends_are_limited_per_hour(smie_ctx, member, clock):
    ref = _registered(smie_ctx, member)
    for _ in range(3):
        assert reg.send_confirmation(smie_ctx, ref, EMAIL).outcome == reg.SENT
        clock.advance(minutes=1)
    limited = reg.send_confirmation(smie_ctx, ref, EMAIL)
    assert limited.outcome == reg.RATE_LIMITED and limited.retry_at is not None


def test_invalid_email(smie_ctx, member):
    ref = _registered(smie_ctx, member)
    assert reg.send_confirmation(smie_ctx, ref, "pas-une-adresse").outcome == reg.INVALID_EMAIL


# ---- the e-mail on file (issue 12) ------------------------------------------------------------

ON_FILE = "paul.durand@example.com"
IMPOSTOR = "intrus@example.net"


@pytest.mark.parametrize(
    "on_file, typed, outcome, masked",
    [
        (ON_FILE, ON_FILE, reg.CONTACT_MATCH, "p***d@example.com"),
        (ON_FILE, "Paul.Durand@EXAMPLE.com", reg.CONTACT_MATCH, "p***d@example.com"),
        (ON_FILE, IMPOSTOR, reg.CONTACT_MISMATCH, "p***d@example.com"),
        (None, IMPOSTOR, reg.NO_CONTACT_ON_FILE, None),
    ],
    ids=["same", "same-other-case", "different", "none-on-file"],
)
def test_check_contact(smie_ctx, engine, on_file, typed, outcome, masked):
    m = add_member(engine, email=on_file)
    ref = reg.check_access(smie_ctx, m.adherent_number, m.access_code).member_ref
    assert reg.check_contact(smie_ctx, ref, typed) == reg.ContactCheck(outcome, masked)
    assert reg.check_contact(smie_ctx, "nope", typed).outcome == reg.INVALID_REF


@pytest.mark.parametrize(
    "on_file, typed, outcome, sent_to",
    [
        (ON_FILE, ON_FILE, reg.SENT, ON_FILE),
        (ON_FILE, "PAUL.DURAND@example.com", reg.SENT, ON_FILE),  # the address on file, as spelt there
        (ON_FILE, None, reg.SENT, ON_FILE),  # « the address on file is still mine »
        (ON_FILE, IMPOSTOR, reg.EMAIL_NOT_ON_FILE, None),  # nothing to anyone
        (None, IMPOSTOR, reg.SENT, IMPOSTOR),  # no e-mail on file: the letter's code is the proof
        (None, None, reg.INVALID_EMAIL, None),
    ],
    ids=["match", "match-other-case", "on-file-chosen", "mismatch", "none-on-file", "nothing"],
)
def test_the_confirmation_goes_only_to_the_email_on_file(
    smie_ctx, engine, outbox_path, on_file, typed, outcome, sent_to
):
    m = add_member(engine, email=on_file, mobile="+33612345611")
    ref = _registered(smie_ctx, m)
    result = reg.send_confirmation(smie_ctx, ref, typed)
    assert result.outcome == outcome
    mails = read_outbox(outbox_path)
    assert [mail["to"] for mail in mails] == ([sent_to] if sent_to else [])
    if outcome == reg.EMAIL_NOT_ON_FILE:
        assert result.email_masked == "p***d@example.com"
    with session_scope(engine) as session:
        row = session.get(Member, m.id)
        assert (row.email, row.status) == (on_file, "inactive")  # nothing stored before a confirmation


def test_a_first_address_is_stored_on_confirmation_and_the_mobile_told(smie_ctx, engine, outbox_path):
    m = add_member(engine, email=None, mobile="+33612345611")
    ref = _registered(smie_ctx, m)
    reg.send_confirmation(smie_ctx, ref, EMAIL)
    _mail, _token, code = _confirmation(outbox_path)
    assert reg.confirm_with_code(smie_ctx, ref, code).outcome == reg.CONFIRMED
    with session_scope(engine) as session:
        assert session.get(Member, m.id).email == EMAIL
    told = [n for n in read_outbox(outbox_path) if n["kind"] == "notice_contact_changed"]
    assert [(n["channel"], n["to"]) for n in told] == [("sms", "+33612345611")]
    assert "ajoutée" in told[0]["body"] and EMAIL not in told[0]["body"]  # masked
    assert reg.confirm_with_code(smie_ctx, ref, code).outcome == reg.CONFIRMED
    assert len([n for n in read_outbox(outbox_path) if n["kind"] == "notice_contact_changed"]) == 1


def test_an_email_on_file_is_never_replaced_by_a_confirmation(smie_ctx, engine, outbox_path):
    m = add_member(engine, email=ON_FILE)
    ref = _registered(smie_ctx, m)
    reg.send_confirmation(smie_ctx, ref, "PAUL.durand@example.com")
    _mail, _token, code = _confirmation(outbox_path)
    assert reg.confirm_with_code(smie_ctx, ref, code).outcome == reg.CONFIRMED
    with session_scope(engine) as session:
        row = session.get(Member, m.id)
        assert (row.email, row.status) == (ON_FILE, "pending")
    assert [n for n in read_outbox(outbox_path) if n["kind"].startswith("notice_")] == []


def test_a_code_sent_before_the_record_changed_no_longer_confirms(smie_ctx, engine, outbox_path):
    m = add_member(engine, email=None)
    ref = _registered(smie_ctx, m)
    reg.send_confirmation(smie_ctx, ref, IMPOSTOR)
    _mail, _token, code = _confirmation(outbox_path)
    with session_scope(engine) as session:  # the mutuelle's next import brings an address
        session.get(Member, m.id).email = ON_FILE
    assert reg.confirm_with_code(smie_ctx, ref, code).outcome == reg.EXPIRED
    with session_scope(engine) as session:
        assert session.get(Member, m.id).email == ON_FILE


# ---- the actions: one answer for every refusal, the client key, the e-mail on file ----------------


@pytest.fixture
def use_ctx(monkeypatch):
    """Make ``get_context()`` of the actions return the test's context (its store and outbox)."""

    def use(ctx):
        monkeypatch.setattr("bot.context._context", ctx)
        return ctx

    return use


def tracker(slots=None, text="x", intent="inform", client=None, events=None, loop="registration_form") -> Tracker:
    return Tracker(
        sender_id="unit-conversation",
        slots=slots or {},
        latest_message={
            "text": text,
            "intent": {"name": intent, "confidence": 1.0},
            "metadata": {"client": client} if client else {},
        },
        events=events or [],
        paused=False,
        followup_action=None,
        active_loop={"name": loop} if loop else {},
        latest_action_name="action_listen",
    )


async def _type_access_code(ctx, number: str, code: str, client: str | None = None):
    """The access-code turn of the form: (what the member reads, the slots set)."""
    dispatcher = CollectingDispatcher()
    slots = {"adherent_number": seal(ctx.settings.secret_key, number), "registration_failures": 0.0}
    result = await registration_actions.ValidateRegistrationForm().validate_access_code(
        code, dispatcher, tracker(slots, code, client=client), {}
    )
    if registration_actions.BACKGROUND:
        await asyncio.gather(*list(registration_actions.BACKGROUND))
    return dispatcher.messages, result


def _setup_unknown(ctx, engine, victim):
    return "Z123456", victim.access_code


def _setup_wrong(ctx, engine, victim):
    return victim.adherent_number, "SMIE-0000" if victim.access_code != "SMIE-0000" else "SMIE-0001"


def _setup_locked_wrong(ctx, engine, victim):
    locked = add_member(engine, status="locked")
    return locked.adherent_number, "SMIE-0000" if locked.access_code != "SMIE-0000" else "SMIE-0001"


def _setup_number(ctx, engine, victim):
    _exhaust_number(ctx, engine, victim)
    return victim.adherent_number, victim.access_code


def _setup_client(ctx, engine, victim):
    _exhaust_client(ctx, engine, victim)
    return victim.adherent_number, victim.access_code


def _setup_global(ctx, engine, victim):
    _exhaust_global(ctx, engine, victim)
    return victim.adherent_number, victim.access_code


REFUSAL_CASES = [
    ("unknown-number", {}, _setup_unknown),
    ("wrong-code", {}, _setup_wrong),
    ("locked-account-wrong-code", {}, _setup_locked_wrong),
    ("throttled-number", {}, _setup_number),
    ("throttled-client", {"ASSISTANT_LIMIT_CLIENT_ATTEMPTS": "3"}, _setup_client),
    ("global-limit", {"ASSISTANT_LIMIT_ACCESS_FAILURES_PER_HOUR": "5"}, _setup_global),
]


@pytest.mark.parametrize("settings, setup", [c[1:] for c in REFUSAL_CASES], ids=[c[0] for c in REFUSAL_CASES])
async def test_every_refusal_reads_like_a_wrong_code(make_ctx, use_ctx, engine, outbox_path, settings, setup):
    ctx = use_ctx(make_ctx("smie", **settings))
    victim = add_member(engine, email=ON_FILE)
    # what an unknown number gets, from another client, before anything else
    reference = await _type_access_code(ctx, "Z000000", "SMIE-0000", client="reference")
    number, code = setup(ctx, engine, victim)
    messages, slots = await _type_access_code(ctx, number, code, client="ip-1")
    assert (messages, slots) == reference
    assert slots == {"access_code": None, "adherent_number": None, "registration_failures": 1.0}
    (message,) = messages
    text = rendered_message(message)["text"]
    assert text == reply_text(replies.mismatch(1, ctx.tenant))
    # kind, says to check the letter, that checks pause, and the guide's route (no invented phone)
    for expected in ("ne correspondent pas", "courrier de SMIE Mutuelle", "suspendue pendant un moment",
                     "votre espace personnel"):  # fmt: skip
        assert expected in text, expected
    assert not re.search(r"\b0\d( ?\d\d){4}\b", text) and "@" not in text


async def test_the_action_counts_checks_per_client_key(make_ctx, use_ctx, engine):
    ctx = use_ctx(make_ctx("smie", ASSISTANT_LIMIT_CLIENT_ATTEMPTS="2"))
    m = add_member(engine)
    for _ in range(2):
        await _type_access_code(ctx, "Z000000", "SMIE-0000", client="hash-of-ip-A")
    _messages, refused = await _type_access_code(ctx, m.adherent_number, m.access_code, client="hash-of-ip-A")
    assert refused["access_code"] is None  # client A is over its limit
    _messages, allowed = await _type_access_code(ctx, m.adherent_number, m.access_code, client="hash-of-ip-B")
    assert allowed["access_code"] == registration_actions.VERIFIED


async def test_the_lock_notice_is_delivered_off_the_reply_path(make_ctx, use_ctx, engine, outbox_path):
    ctx = use_ctx(make_ctx("smie"))
    m = add_member(engine, email=ON_FILE)
    for attempt in range(reg.MAX_ACCESS_FAILURES_PER_HOUR):
        messages, _slots = await _type_access_code(ctx, m.adherent_number, f"WRONG-{attempt}", client=f"ip-{attempt}")
        assert messages[0]["response"] == replies.mismatch(1, ctx.tenant).response
        assert rendered_message(messages[0])["text"] == reply_text(replies.mismatch(1, ctx.tenant))
    assert [n["to"] for n in _notices(outbox_path, "locked")] == [ON_FILE]


async def test_a_locked_account_with_the_right_code_is_told_and_handed_off(make_ctx, use_ctx, engine):
    ctx = use_ctx(make_ctx("smie"))
    m = add_member(engine, status="locked")
    messages, slots = await _type_access_code(ctx, m.adherent_number, m.access_code, client="ip")
    assert messages == []  # the hand-off says it, once, without « after several attempts »
    assert slots["registration_result"] == registration_actions.LOCKED
    assert slots["support_reason"] == "account_locked"
    assert ctx.member_id(slots["member_ref"]) == m.id  # the ticket names the member


def _form_done(ctx, member, typed):
    ref = reg.check_access(ctx, member.adherent_number, member.access_code).member_ref
    return {
        "member_ref": ref,
        "registration_email": seal(ctx.settings.secret_key, typed),
        "registration_result": registration_actions.MATCHED,
    }


async def test_a_different_address_asks_about_the_one_on_file_and_sends_nothing(make_ctx, use_ctx, engine, outbox_path):
    ctx = use_ctx(make_ctx("smie"))
    m = add_member(engine, email=ON_FILE, mobile="+33612345611")
    dispatcher = CollectingDispatcher()
    events = await registration_actions.ActionRegistrationChecked().run(
        dispatcher, tracker(_form_done(ctx, m, IMPOSTOR), loop=None), {}
    )
    assert SlotSet("dialogue_step", "registration.contact_on_file") in events
    (message,) = dispatcher.messages
    text = rendered_message(message)["text"]
    assert "p***d@example.com" in text and "toujours la vôtre" in text
    assert IMPOSTOR not in text and ON_FILE not in text
    assert [b["payload"] for b in rendered_message(message)["buttons"]] == ["/affirm", "/deny"]
    assert read_outbox(outbox_path) == []


@pytest.mark.parametrize("typed", [ON_FILE, "Paul.Durand@Example.com"])
async def test_the_address_on_file_typed_goes_straight_to_the_cgu(make_ctx, use_ctx, engine, typed):
    ctx = use_ctx(make_ctx("smie"))
    m = add_member(engine, email=ON_FILE)
    dispatcher = CollectingDispatcher()
    events = await registration_actions.ActionRegistrationChecked().run(
        dispatcher, tracker(_form_done(ctx, m, typed), loop=None), {}
    )
    assert SlotSet("dialogue_step", "registration.cgu") in events
    assert "conditions générales d'utilisation" in rendered_message(dispatcher.messages[0])["text"]


ASKED = [{"event": "action", "name": "action_registration_checked"}, {"event": "user", "text": "x"}]


async def test_yes_the_address_on_file_is_mine_sends_it_there(make_ctx, use_ctx, engine, outbox_path):
    ctx = use_ctx(make_ctx("smie"))
    m = add_member(engine, email=ON_FILE)
    slots = {
        **_form_done(ctx, m, IMPOSTOR),
        "registration_result": None,
        "dialogue_step": "registration.contact_on_file",
    }
    dispatcher = CollectingDispatcher()
    events = await registration_actions.ActionRegistrationContactAnswer().run(
        dispatcher, tracker(slots, "/affirm", "affirm", events=ASKED, loop=None), {}
    )
    assert SlotSet("registration_email", registration_actions.ON_FILE) in events
    assert SlotSet("dialogue_step", "registration.cgu") in events
    slots.update({e["name"]: e["value"] for e in events if e["event"] == "slot"})
    cgu_asked = [{"event": "action", "name": "action_registration_contact_answer"}, {"event": "user", "text": "x"}]
    dispatcher = CollectingDispatcher()
    await registration_actions.ActionRegistrationAcceptCgu().run(
        dispatcher, tracker(slots, "/affirm", "affirm", events=cgu_asked, loop=None), {}
    )
    assert "p***d@example.com" in rendered_message(dispatcher.messages[0])["text"]
    assert [mail["to"] for mail in read_outbox(outbox_path)] == [ON_FILE]


async def test_no_the_address_on_file_is_not_mine_hands_off_and_sends_nothing(make_ctx, use_ctx, engine, outbox_path):
    ctx = use_ctx(make_ctx("smie"))
    m = add_member(engine, email=ON_FILE)
    slots = {
        **_form_done(ctx, m, IMPOSTOR),
        "registration_result": None,
        "dialogue_step": "registration.contact_on_file",
    }
    dispatcher = CollectingDispatcher()
    events = await registration_actions.ActionRegistrationContactAnswer().run(
        dispatcher, tracker(slots, "/deny", "deny", events=ASKED, loop=None), {}
    )
    assert [e for e in events if e["name"] == "dialogue_step"][-1] == SlotSet("dialogue_step", "support.offer")
    assert SlotSet("registration_email", None) in events
    assert SlotSet("support_reason", "contact_not_theirs") in events
    text = "\n".join(rendered_message(message)["text"] for message in dispatcher.messages)
    assert "je n'envoie rien" in text and "coordonnées déjà enregistrées" in text and "votre espace personnel" in text
    # nothing to the typed address; the member on file hears of the attempt, once
    assert [(n["kind"], n["to"]) for n in read_outbox(outbox_path)] == [("notice_attempt_stopped", ON_FILE)]
    await registration_actions.ActionRegistrationContactAnswer().run(
        CollectingDispatcher(), tracker(slots, "/deny", "deny", events=ASKED, loop=None), {}
    )
    assert len(read_outbox(outbox_path)) == 1
    with session_scope(engine) as session:
        assert session.get(Member, m.id).status == "inactive"


async def test_a_yes_that_does_not_answer_the_question_asks_it_again(make_ctx, use_ctx, engine, outbox_path):
    ctx = use_ctx(make_ctx("smie"))
    m = add_member(engine, email=ON_FILE)
    slots = {**_form_done(ctx, m, IMPOSTOR), "dialogue_step": "registration.contact_on_file"}
    elsewhere = [{"event": "action", "name": "action_answer_faq"}, {"event": "user", "text": "oui"}]
    dispatcher = CollectingDispatcher()
    events = await registration_actions.ActionRegistrationContactAnswer().run(
        dispatcher, tracker(slots, "oui", "affirm", events=elsewhere, loop=None), {}
    )
    assert events == [SlotSet("dialogue_step", "registration.contact_on_file")]
    assert "toujours la vôtre" in rendered_message(dispatcher.messages[0])["text"]
    assert unseal(ctx.settings.secret_key, slots["registration_email"]) == IMPOSTOR
    assert read_outbox(outbox_path) == []


async def test_stop_at_the_question_on_the_address_on_file_ends_it(make_ctx, use_ctx, engine, outbox_path):
    ctx = use_ctx(make_ctx("smie"))
    m = add_member(engine, email=ON_FILE)
    slots = {**_form_done(ctx, m, IMPOSTOR), "dialogue_step": "registration.contact_on_file"}
    dispatcher = CollectingDispatcher()
    events = await registration_actions.ActionRegistrationContactAnswer().run(
        dispatcher, tracker(slots, "stop", "stop", events=ASKED, loop=None), {}
    )
    assert dispatcher.messages[0]["response"] == "utter_stopped"
    assert SlotSet("dialogue_step", None) in events and SlotSet("registration_email", None) in events
    assert read_outbox(outbox_path) == []
