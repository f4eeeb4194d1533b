"""Races decided by the database: one winner per status change of a member.

Each test starts several threads at the same instant (a barrier), each with
its own connection and transaction, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import threading
from typing import Callable

import pytest
from sqlalchemy.engine import Engine
from store_helpers import make_record

from bot.store import members
from bot.store.db import session_scope

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
