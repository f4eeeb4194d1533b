"""Identity checks under attack (issue 12): mismatches on a known NIR lock the
member and tell them through the contacts on file; every client has a budget
of checks. Limits live in the store (``rate_counters``), so these run on
SQLite and PostgreSQL alike."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from alembic import command
from helpers.members import EMAIL, MOBILE, SECRET_KEY, add_member, identity, sent_to
from helpers.nir import make_nir
from helpers.outbox import read_outbox
from sqlalchemy import func, select

from bot import limits
from bot.activation.identity_match import (
    ALREADY_ACTIVE,
    CLIENT_LIMITED,
    LOCKED,
    MATCHED,
    NO_MATCH,
    match_member,
)
from bot.settings import PROJECT_ROOT
from bot.store import migrate
from bot.store.db import session_scope
from bot.store.models import AuditEvent, Member, RateCounter

# one wrong value each time, in turn: any mismatch counts the same
WRONG = [
    {"first_name": "Paul"},
    {"birth_date": "13/03/1980"},
    {"birth_department": "69"},
    {"last_name": "Durand"},
    {"first_name": "Marie"},
]


def _wrong(member, i):
    return identity(member, **WRONG[i % len(WRONG)])


def _status(engine, member_id):
    with session_scope(engine) as session:
        row = session.get(Member, member_id)
        return row.status, row.locked_at


def _audit(engine, event):
    with session_scope(engine) as session:
        return session.execute(select(AuditEvent).where(AuditEvent.event == event)).scalars().all()


def _ctx(make_ctx, **limits_env):
    return make_ctx("miel", **{f"ASSISTANT_LIMIT_{k.upper()}": str(v) for k, v in limits_env.items()})


@pytest.mark.parametrize("max_mismatches", [1, 3, 5])
def test_the_nth_mismatch_on_a_known_nir_locks_and_tells_the_member(
    make_ctx, engine, outbox_path, clock, max_mismatches
):
    ctx = _ctx(make_ctx, identity_mismatches=max_mismatches)
    m = add_member(engine, mobile=MOBILE, email=EMAIL)
    for i in range(max_mismatches - 1):
        # each from another conversation and client: the count is the member's
        result = match_member(ctx, **_wrong(m, i), conversation=f"conv-{i}", client=f"ip-{i}")
        assert result.outcome == NO_MATCH
        assert _status(engine, m.id) == ("inactive", None)
    assert read_outbox(outbox_path) == []

    last = match_member(ctx, **_wrong(m, max_mismatches), conversation="conv-last", client="ip-last")
    assert last == type(last)(NO_MATCH)  # the reply says nothing of the lock: nobody learns the NIR exists
    assert _status(engine, m.id) == ("locked", clock.now)
    [email] = sent_to(outbox_path, EMAIL)
    [sms] = sent_to(outbox_path, MOBILE)
    assert (email["kind"], sms["kind"]) == ("notice_locked", "notice_locked")
    assert "bloquée" in email["subject"] and "bloquée" in sms["body"]
    [event] = _audit(engine, "identity_locked_by_mismatches")
    assert event.member_id == m.id and event.details["mismatches"] == max_mismatches

    # the right values now get « locked »; more mismatches send no second notice
    assert match_member(ctx, **identity(m), conversation="conv-member").outcome == LOCKED
    assert match_member(ctx, **_wrong(m, 0), conversation="conv-more").outcome == NO_MATCH
    assert len(read_outbox(outbox_path)) == 2


@pytest.mark.parametrize(
    "status, after, notified",
    [
        ("inactive", "locked", True),
        ("pending", "pending", False),
        ("active", "active", False),
        ("locked", "locked", False),
    ],
)
def test_only_an_account_not_yet_in_activation_is_locked(make_ctx, engine, outbox_path, status, after, notified):
    """An active member keeps their space and a pending one their link (an impostor who knows
    the NIR cannot lock them out); neither gets a notice."""
    ctx = _ctx(make_ctx, identity_mismatches=2)
    m = add_member(engine, status=status, mobile=MOBILE, email=EMAIL)
    for i in range(4):
        assert match_member(ctx, **_wrong(m, i), conversation=f"c-{i}", client=f"ip-{i}").outcome == NO_MATCH
    assert _status(engine, m.id)[0] == after
    kinds = [message["kind"] for message in read_outbox(outbox_path)]
    assert kinds == (["notice_locked", "notice_locked"] if notified else [])
    assert len(_audit(engine, "identity_locked_by_mismatches")) == (1 if notified else 0)


@pytest.mark.parametrize(
    "contacts, told",
    [
        ({"email": EMAIL}, [EMAIL]),
        ({"mobile": MOBILE}, [MOBILE]),
        ({"mobile": "+32470123456", "email": EMAIL}, [EMAIL]),  # the SMS gate refuses Belgium: e-mail only
        ({}, []),
    ],
    ids=["email-only", "mobile-only", "foreign-mobile", "no-contact"],
)
def test_the_locked_notice_goes_to_the_contacts_on_file(make_ctx, engine, outbox_path, contacts, told):
    ctx = _ctx(make_ctx, identity_mismatches=1)
    m = add_member(engine, **contacts)
    assert match_member(ctx, **_wrong(m, 0), conversation="c-1", client="ip-1").outcome == NO_MATCH
    assert _status(engine, m.id)[0] == "locked"  # locked even when nobody can be told
    assert sorted(message["to"] for message in read_outbox(outbox_path)) == sorted(told)


def test_mismatches_leave_the_count_after_the_window(make_ctx, engine, clock):
    ctx = _ctx(make_ctx, identity_mismatches=3, identity_window_hours=24)
    m = add_member(engine, email=EMAIL)
    for i in range(2):
        match_member(ctx, **_wrong(m, i), conversation=f"c-{i}", client=f"ip-{i}")
    clock.advance(hours=24)
    for i in range(2):
        match_member(ctx, **_wrong(m, i), conversation=f"d-{i}", client=f"jp-{i}")
    assert _status(engine, m.id)[0] == "inactive"
    match_member(ctx, **_wrong(m, 2), conversation="d-3", client="jp-3")
    assert _status(engine, m.id)[0] == "locked"


@pytest.mark.parametrize(
    "nir",
    [make_nir("1801042218123"), "180104212345678", "pas un numéro", ""],
    ids=["valid-unknown", "wrong-key", "words", "empty-after-cleaning"],
)
def test_a_mismatch_on_an_unknown_nir_counts_for_no_member(make_ctx, engine, outbox_path, nir):
    ctx = _ctx(make_ctx, identity_mismatches=1)
    m = add_member(engine, mobile=MOBILE, email=EMAIL)
    for i in range(3):
        # every other value is the member's: still nothing may be counted against them
        values = identity(m, nir=nir or " ")
        assert match_member(ctx, **values, conversation=f"c-{i}", client=f"ip-{i}").outcome == NO_MATCH
    assert _status(engine, m.id)[0] == "inactive"
    assert read_outbox(outbox_path) == []
    with session_scope(engine) as session:
        scopes = set(session.execute(select(RateCounter.scope)).scalars())
    assert "identity_mismatch_member" not in scopes
    assert match_member(ctx, **identity(m), conversation="c-member", client="ip-member").outcome == MATCHED


def test_mismatches_count_for_the_member_of_the_nir_only(make_ctx, engine):
    ctx = _ctx(make_ctx, identity_mismatches=2)
    target, bystander = add_member(engine, email=EMAIL), add_member(engine, email="autre@example.org")
    for i in range(2):
        match_member(ctx, **_wrong(target, i), conversation=f"c-{i}", client=f"ip-{i}")
    assert _status(engine, target.id)[0] == "locked"
    assert _status(engine, bystander.id)[0] == "inactive"


def test_members_unlock_forgives_the_mismatch_count(make_ctx, engine, db_url, tmp_path):
    """The operator's ``python -m bot members unlock`` (a real process): a typo right after
    the unlock does not lock the member again, the count starts over."""
    ctx = _ctx(make_ctx, identity_mismatches=3)
    m = add_member(engine, email=EMAIL)
    for i in range(3):
        match_member(ctx, **_wrong(m, i), conversation=f"c-{i}", client=f"ip-{i}")
    assert _status(engine, m.id)[0] == "locked"
    command.stamp(migrate.alembic_config(db_url), "head")  # the store was built from the models
    env = {key: value for key, value in os.environ.items() if not key.startswith("ASSISTANT_")}
    env.update(
        ASSISTANT_DATABASE_URL=db_url,
        ASSISTANT_SECRET_KEY=SECRET_KEY,
        ASSISTANT_VAR_DIR=str(tmp_path / "var"),
        ASSISTANT_LIMIT_IDENTITY_MISMATCHES="3",
        ASSISTANT_CLOCK_FILE=os.environ["ASSISTANT_CLOCK_FILE"],
    )
    done = subprocess.run(
        [sys.executable, "-m", "bot", "members", "unlock", m.adherent_number],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert _status(engine, m.id) == ("inactive", None)
    for i in range(2):  # two typos: under the limit again
        match_member(ctx, **_wrong(m, i), conversation=f"d-{i}", client=f"jp-{i}")
    assert _status(engine, m.id)[0] == "inactive"
    match_member(ctx, **_wrong(m, 2), conversation="d-2", client="jp-2")
    assert _status(engine, m.id)[0] == "locked"


# ---- per-client budget -------------------------------------------------------------------


def test_the_client_limit_trips_with_a_retry_time_and_spares_other_clients(make_ctx, engine, clock):
    ctx = _ctx(make_ctx, client_attempts=3, client_window_minutes=60)
    m = add_member(engine, mobile=MOBILE)
    start = clock.now
    # every check counts, matched or not
    outcomes = [
        match_member(ctx, **values, conversation="c-1", client="ip-1").outcome
        for values in (_wrong(m, 0), identity(m), _wrong(m, 1))
    ]
    assert outcomes == [NO_MATCH, MATCHED, NO_MATCH]
    limited = match_member(ctx, **identity(m), conversation="c-2", client="ip-1")  # a new conversation: same client
    assert (limited.outcome, limited.member_ref) == (CLIENT_LIMITED, None)
    assert (
        start
        < limited.retry_at
        <= start + timedelta(minutes=60) + limits.limit("client_attempts", ctx.settings.limits).bucket
    )
    assert len(_audit(engine, "identity_client_limited")) == 1
    # another client is not affected
    assert match_member(ctx, **identity(m), conversation="c-3", client="ip-2").outcome == MATCHED
    clock.advance(minutes=59)
    assert match_member(ctx, **identity(m), conversation="c-4", client="ip-1").outcome == CLIENT_LIMITED
    clock.set(limited.retry_at)
    assert match_member(ctx, **identity(m), conversation="c-5", client="ip-1").outcome == MATCHED


def test_a_limited_client_checks_nothing_and_counts_nothing_for_the_member(make_ctx, engine, outbox_path):
    ctx = _ctx(make_ctx, client_attempts=1, identity_mismatches=2)
    m = add_member(engine, email=EMAIL)
    assert match_member(ctx, **_wrong(m, 0), conversation="c", client="ip-1").outcome == NO_MATCH
    for i in range(3):
        assert match_member(ctx, **_wrong(m, i), conversation="c", client="ip-1").outcome == CLIENT_LIMITED
    assert _status(engine, m.id)[0] == "inactive"
    assert read_outbox(outbox_path) == []
    assert len(_audit(engine, "identity_mismatch")) == 1


def test_without_a_client_the_conversation_is_the_client(make_ctx, engine):
    ctx = _ctx(make_ctx, client_attempts=1)
    m = add_member(engine, status="active")
    assert match_member(ctx, **identity(m), conversation="conv-a").outcome == ALREADY_ACTIVE
    assert match_member(ctx, **identity(m), conversation="conv-a").outcome == CLIENT_LIMITED
    assert match_member(ctx, **identity(m), conversation="conv-b").outcome == ALREADY_ACTIVE
    with session_scope(engine) as session:
        rows = session.execute(select(func.count()).select_from(RateCounter)).scalar_one()
    assert rows == 2  # one bucket per conversation, keys hashed
