"""Member repository: upsert, look-ups, guarded status transitions, audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from store_helpers import SECRET_KEY, make_record

from bot.clock import now
from bot.store import audit, members
from bot.store.db import session_scope
from bot.store.hashing import access_code_hash, access_code_matches, nir_hash
from bot.store.models import AuditEvent, Member


def _member(engine: Engine, number: str = "100001") -> Member:
    with session_scope(engine) as session:
        member = members.get_by_adherent_number(session, number)
        assert member is not None
        return member


def test_hashes_are_keyed_and_normalized() -> None:
    assert nir_hash(SECRET_KEY, "180104221812333") != nir_hash("another-secret-key-0123", "180104221812333")
    assert len(nir_hash(SECRET_KEY, "180104221812333")) == 64
    assert access_code_hash(SECRET_KEY, " smie-4821 ") == access_code_hash(SECRET_KEY, "SMIE-4821")
    assert access_code_matches(SECRET_KEY, "smie-4821", access_code_hash(SECRET_KEY, "SMIE-4821"))
    assert not access_code_matches(SECRET_KEY, "SMIE-4822", access_code_hash(SECRET_KEY, "SMIE-4821"))
    assert not access_code_matches(SECRET_KEY, "SMIE-4821", None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("100001", "100001"), (" 100 001 ", "100001"), ("ab-12", "AB-12"), ("", None), ("12/34", None), ("1" * 33, None)],
)
def test_normalize_adherent_number(text: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(members.InvalidAdherentNumber):
            members.normalize_adherent_number(text)
    else:
        assert members.normalize_adherent_number(text) == expected


def test_upsert_adds_then_leaves_unchanged_then_updates(engine: Engine) -> None:
    with session_scope(engine) as session:
        assert members.upsert_member(session, make_record()) == "added"
    with session_scope(engine) as session:
        assert members.upsert_member(session, make_record()) == "unchanged"
    assert _member(engine).version == 1
    with session_scope(engine) as session:
        assert members.upsert_member(session, make_record(last_name="Martin-Durand")) == "updated"
    member = _member(engine)
    assert (member.last_name, member.version, member.status) == ("Martin-Durand", 2, "inactive")


@pytest.mark.parametrize("column", ["email", "mobile", "access_code_hash"])
def test_an_empty_optional_value_keeps_the_stored_one(engine: Engine, column: str) -> None:
    with session_scope(engine) as session:
        members.upsert_member(session, make_record())
    stored = getattr(_member(engine), column)
    with session_scope(engine) as session:
        assert members.upsert_member(session, make_record(**{column: None})) == "unchanged"
    assert getattr(_member(engine), column) == stored


def test_the_file_status_applies_to_new_members_only(engine: Engine) -> None:
    with session_scope(engine) as session:
        members.upsert_member(session, make_record(status="active"))
    member = _member(engine)
    assert member.status == "active" and member.activated_at is not None
    with session_scope(engine) as session:
        assert members.upsert_member(session, make_record(status="inactive", first_name="Jeanne")) == "updated"
    assert _member(engine).status == "active"


def test_upsert_refuses_duplicates_and_unknown_status(engine: Engine) -> None:
    with session_scope(engine) as session:
        with pytest.raises(ValueError, match="twice"):
            members.upsert_members(session, [make_record(), make_record()])
        with pytest.raises(ValueError, match="status"):
            members.upsert_members(session, [make_record(status="deleted")])


def test_bulk_upsert_counts(engine: Engine) -> None:
    records = [make_record(f"{100000 + i}") for i in range(1200)]
    with session_scope(engine) as session:
        counts = members.upsert_members(session, records)
    assert (counts.added, counts.updated, counts.unchanged) == (1200, 0, 0)
    records[5] = make_record("100005", first_name="Paul")
    with session_scope(engine) as session:
        counts = members.upsert_members(session, records + [make_record("300000")])
        assert members.count_members(session) == 1201
    assert (counts.added, counts.updated, counts.unchanged) == (1, 1, 1199)


def test_get_by_adherent_number_ignores_spaces_and_case(engine: Engine) -> None:
    with session_scope(engine) as session:
        members.upsert_member(session, make_record("AB-100"))
    with session_scope(engine) as session:
        assert members.get_by_adherent_number(session, " ab-100 ").adherent_number == "AB-100"
        assert members.get_by_adherent_number(session, "AB-101") is None
        assert members.get_by_adherent_number(session, "not valid!") is None


@pytest.mark.parametrize(
    ("start", "allowed", "target", "applies"),
    [
        ("inactive", ("inactive", "pending"), "pending", True),
        ("pending", ("pending",), "active", True),
        ("inactive", ("pending",), "active", False),
        ("active", ("inactive", "pending", "active"), "locked", True),
        ("locked", ("inactive", "pending", "active"), "locked", False),
    ],
)
def test_transition_status(engine: Engine, start: str, allowed: tuple, target: str, applies: bool) -> None:
    with session_scope(engine) as session:
        members.upsert_member(session, make_record(status=start))
    member_id = _member(engine).id
    with session_scope(engine) as session:
        assert members.transition_status(session, member_id, from_statuses=allowed, to_status=target) is applies
    member = _member(engine)
    assert member.status == (target if applies else start)
    assert member.version == (2 if applies else 1)
    if applies and target == "locked":
        assert member.locked_at is not None


def test_transition_with_a_stale_version_does_nothing(engine: Engine) -> None:
    with session_scope(engine) as session:
        members.upsert_member(session, make_record())
    member_id = _member(engine).id
    with session_scope(engine) as session:
        assert members.start_activation(session, member_id, expected_version=1)
    with session_scope(engine) as session:
        assert not members.activate(session, member_id, expected_version=1)
        assert members.activate(session, member_id, password_hash="$argon2id$fake", expected_version=2)
    member = _member(engine)
    assert (member.status, member.version, member.password_hash) == ("active", 3, "$argon2id$fake")
    with session_scope(engine) as session:
        with pytest.raises(ValueError):
            members.transition_status(session, member_id, from_statuses=("active",), to_status="deleted")


@pytest.mark.parametrize(("password", "after"), [(None, "inactive"), ("$argon2id$fake", "active")])
def test_unlock(engine: Engine, password: str | None, after: str) -> None:
    with session_scope(engine) as session:
        members.upsert_member(session, make_record())
    member_id = _member(engine).id
    with session_scope(engine) as session:
        members.transition_status(
            session, member_id, from_statuses=("inactive",), to_status="pending", password_hash=password
        )
        assert members.lock(session, member_id)
    with session_scope(engine) as session:
        result = members.unlock(session, "100001")
    assert (result.found, result.unlocked, result.status) == (True, True, after)
    assert _member(engine).locked_at is None
    with session_scope(engine) as session:
        again = members.unlock(session, "100001")
        assert (again.unlocked, again.status) == (False, after)
        assert members.unlock(session, "424242") == members.UnlockResult(found=False, unlocked=False, status=None)


def test_audit_log_refuses_secret_details(engine: Engine) -> None:
    with session_scope(engine) as session:
        members.upsert_member(session, make_record())
    member_id = _member(engine).id
    with session_scope(engine) as session:
        audit.record(session, "wrong_code", member_id, attempt=2, channel="sms")
        for key in ("code", "NIR", "password", "token", "email", "link"):
            with pytest.raises(ValueError, match="secrets"):
                audit.record(session, "wrong_code", **{key: "x"})
    with session_scope(engine) as session:
        events = session.execute(select(AuditEvent)).scalars().all()
        assert [(e.event, e.member_id, e.details) for e in events] == [
            ("wrong_code", member_id, {"attempt": 2, "channel": "sms"})
        ]
        assert events[0].at <= now() and events[0].at > now() - timedelta(minutes=1)
