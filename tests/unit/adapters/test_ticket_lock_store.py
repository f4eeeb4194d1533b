"""The cross-replica lock store (issue 18) on a real Redis, and the fencing of conversation writes.

Each "replica" is its own ``TicketLockStore`` with its own Redis client, as
two ``bot serve`` processes would have.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
import uuid

import pytest
import sqlalchemy as sa

from bot.locks import fencing
from bot.locks.ticket_queue import TicketQueue

REDIS_URL = os.environ.get("ASSISTANT_TEST_REDIS_URL")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="ASSISTANT_TEST_REDIS_URL not set")


def _stores(count: int, lifetime: float = 1.0) -> list:
    from bot.adapters.extensions.lock_store import TicketLockStore

    prefix = f"t18:{uuid.uuid4().hex[:8]}"
    return [TicketLockStore(REDIS_URL, lifetime=lifetime, prefix=prefix) for _ in range(count)]


async def _close(*stores) -> None:
    """Close the clients and drop the test's token counter (the queues empty themselves)."""
    await stores[0].queue.client.delete(f"{stores[0].queue.prefix}:tokens")
    for store in stores:
        await store.queue.client.close()


@needs_redis
def test_configured_lock_store_is_the_ticket_lock_store(monkeypatch):
    from bot.adapters.extensions.lock_store import ConfiguredLockStore, TicketLockStore

    monkeypatch.setenv("ASSISTANT_LOCK_STORE_URL", "redis://127.0.0.1:6379")
    store = ConfiguredLockStore(endpoint_config=None)
    assert isinstance(store, TicketLockStore)
    assert store.queue.client.connection_pool.connection_kwargs["db"] == 1  # no database given: 1, as before
    monkeypatch.setenv("TICKET_LOCK_LIFETIME", "9")
    assert ConfiguredLockStore(endpoint_config=None).queue.lifetime == 9.0
    monkeypatch.setenv("TICKET_LOCK_LIFETIME", "soon")
    with pytest.raises(ValueError, match="TICKET_LOCK_LIFETIME"):
        ConfiguredLockStore(endpoint_config=None)


@needs_redis
def test_two_replicas_never_hold_one_conversation_at_once_and_serve_in_ticket_order():
    a, b = _stores(2)
    conversation = "c-" + uuid.uuid4().hex
    inside, most, served, issued = [0], [0], [], []
    original_issue = TicketQueue.issue

    async def turn(store, number: int) -> None:
        async with store.lock(conversation):
            inside[0] += 1
            most[0] = max(most[0], inside[0])
            served.append(fencing.held_turn(conversation).token)
            await asyncio.sleep(random.uniform(0, 0.01))
            inside[0] -= 1

    async def scenario() -> None:
        async def recording_issue(self, conversation_id):
            token = await original_issue(self, conversation_id)
            issued.append(token)
            return token

        TicketQueue.issue = recording_issue  # type: ignore[method-assign]
        try:
            await asyncio.gather(*(turn(a if n % 2 else b, n) for n in range(40)))
        finally:
            TicketQueue.issue = original_issue  # type: ignore[method-assign]
        assert await a.queue.client.keys(f"{a.queue.prefix}:*:{conversation}") == []
        await _close(a, b)

    asyncio.run(scenario())
    assert most[0] == 1
    assert len(served) == 40
    assert served == sorted(issued)  # first come, first served


@needs_redis
def test_a_dead_holder_releases_the_conversation_within_the_lock_lifetime():
    dead, alive = _stores(2, lifetime=1.0)
    conversation = "c-" + uuid.uuid4().hex

    async def scenario() -> float:
        token = await dead.queue.issue(conversation)
        assert await dead.queue.try_acquire(conversation, token)
        # the replica dies here: no refresh, no release
        started = time.monotonic()
        async with alive.lock(conversation):
            waited = time.monotonic() - started
        assert not await dead.queue.holds(conversation, token)
        await _close(dead, alive)
        return waited

    waited = asyncio.run(scenario())
    assert 0.5 < waited < 2.0, waited


@needs_redis
def test_a_running_turn_keeps_its_conversation_past_the_lifetime():
    running, other = _stores(2, lifetime=1.0)
    conversation = "c-" + uuid.uuid4().hex

    async def scenario() -> None:
        async with running.lock(conversation):
            token = await other.queue.issue(conversation)
            for _ in range(10):  # 2.5 lifetimes
                assert not await other.queue.try_acquire(conversation, token)
                await asyncio.sleep(0.25)
            held = fencing.held_turn(conversation)
            assert held is not None and await running.queue.holds(conversation, held.token)
        assert await other.queue.try_acquire(conversation, token)
        await other.queue.release(conversation, token)
        await _close(running, other)

    asyncio.run(scenario())


@needs_redis
def test_a_turn_that_lost_its_conversation_cannot_save():
    store, thief = _stores(2, lifetime=1.0)
    conversation = "c-" + uuid.uuid4().hex

    async def scenario() -> None:
        async with store.lock(conversation):
            held = fencing.held_turn(conversation)
            assert held is not None
            await fencing.check_holder(conversation)  # still ours
            # frozen past its lifetime: holder key expired, ticket past its deadline
            _, alive, holder = store.queue.keys(conversation)
            await store.queue.client.delete(holder)
            await store.queue.client.hset(alive, str(held.token), 0)
            token = await thief.queue.issue(conversation)
            assert await thief.queue.try_acquire(conversation, token)
            with pytest.raises(fencing.StaleTurn):
                await fencing.check_holder(conversation)
        await thief.queue.release(conversation, token)
        await _close(store, thief)

    asyncio.run(scenario())


def test_the_fence_refuses_an_older_token_after_a_newer_one_wrote(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'fences.db'}", future=True)
    fencing.prepare(engine)
    fencing.prepare(engine)  # a second replica starting: nothing to do
    queue = object()
    with sa.orm.Session(engine) as session:
        fencing.advance(session, "c1")  # not in a held turn: not fenced
        with fencing.holding(fencing.HeldTurn("c1", 7, queue)):
            fencing.advance(session, "c1")
            fencing.advance(session, "c2")  # another conversation: not fenced by c1's turn
        session.commit()
        with fencing.holding(fencing.HeldTurn("c1", 9, queue)):
            fencing.advance(session, "c1")
        session.commit()
        with fencing.holding(fencing.HeldTurn("c1", 8, queue)), pytest.raises(fencing.StaleTurn):
            fencing.advance(session, "c1")
        session.rollback()
        assert session.execute(sa.select(fencing.FENCES.c.sender_id, fencing.FENCES.c.token)).all() == [("c1", 9)]
    engine.dispose()
