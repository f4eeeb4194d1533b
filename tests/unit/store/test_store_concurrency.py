"""Races decided by the database: one winner per activation, no attempt past the limit.

Each test starts several threads at the same instant (a barrier), each with
its own connection and transaction, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Callable

import pytest
from sqlalchemy.engine import Engine
from store_helpers import make_record

from bot.clock import now
from bot.store import guards, members
from bot.store.db import session_scope
from bot.store.models import ActivationToken, Challenge

THREADS = 8


def _race(engine: Engine, attempt: Callable, threads: int = THREADS) -> list:
    """Run ``attempt(session)`` in ``threads`` threads at once; their results."""
    barrier = threading.Barrier(threads)
    results: list = [None] * threads
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            with session_scope(engine) as session:
                results[index] = attempt(session)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert not errors, errors
    return results


def _new_member(engine: Engine, status: str = "inactive") -> int:
    with session_scope(engine) as session:
        members.upsert_member(session, make_record(status=status))
        return members.get_by_adherent_number(session, "100001").id


@pytest.mark.parametrize("round_", range(3))
def test_two_activations_of_the_same_member_cannot_both_succeed(engine: Engine, round_: int) -> None:
    member_id = _new_member(engine, status="pending")
    results = _race(engine, lambda session: members.activate(session, member_id, expected_version=1))
    assert results.count(True) == 1
    with session_scope(engine) as session:
        member = members.get_by_id(session, member_id)
        assert (member.status, member.version) == ("active", 2)


def test_racing_identity_matches_start_one_activation(engine: Engine) -> None:
    member_id = _new_member(engine)
    results = _race(engine, lambda session: members.start_activation(session, member_id, expected_version=1))
    assert results.count(True) == 1


def _new_challenge(engine: Engine, member_id: int, max_attempts: int = 3, expires_in: int = 600) -> int:
    with session_scope(engine) as session:
        challenge = Challenge(
            member_id=member_id,
            channel="sms",
            purpose="activation",
            secret_encrypted="not-a-real-secret",
            destination_masked="+33 ******* 01",
            expires_at=now() + timedelta(seconds=expires_in),
            max_attempts=max_attempts,
        )
        session.add(challenge)
        session.flush()
        return challenge.id


@pytest.mark.parametrize("max_attempts", [1, 3])
def test_attempts_cannot_be_raced_past_the_limit(engine: Engine, max_attempts: int) -> None:
    challenge_id = _new_challenge(engine, _new_member(engine), max_attempts=max_attempts)
    results = _race(engine, lambda session: guards.use_challenge_attempt(session, challenge_id))
    granted = sorted(r for r in results if r is not None)
    assert granted == list(range(1, max_attempts + 1))
    with session_scope(engine) as session:
        assert session.get(Challenge, challenge_id).attempts_used == max_attempts
        assert guards.use_challenge_attempt(session, challenge_id) is None


def test_a_code_is_consumed_once(engine: Engine) -> None:
    challenge_id = _new_challenge(engine, _new_member(engine))
    results = _race(engine, lambda session: guards.consume_challenge(session, challenge_id))
    assert results.count(True) == 1
    with session_scope(engine) as session:
        assert guards.use_challenge_attempt(session, challenge_id) is None


def test_an_expired_challenge_takes_no_attempt(engine: Engine) -> None:
    challenge_id = _new_challenge(engine, _new_member(engine), expires_in=-1)
    with session_scope(engine) as session:
        assert guards.use_challenge_attempt(session, challenge_id) is None
        assert not guards.consume_challenge(session, challenge_id)


@pytest.mark.parametrize(("expires_in", "winners"), [(3600, 1), (-1, 0)])
def test_an_activation_link_is_used_once(engine: Engine, expires_in: int, winners: int) -> None:
    member_id = _new_member(engine)
    with session_scope(engine) as session:
        token = ActivationToken(
            member_id=member_id,
            token_hash="0" * 64,
            purpose="set_password",
            expires_at=now() + timedelta(seconds=expires_in),
        )
        session.add(token)
        session.flush()
        token_id = token.id
    results = _race(engine, lambda session: guards.consume_activation_token(session, token_id))
    assert results.count(True) == winners
