"""Rasa lock store chosen by configuration.

``ASSISTANT_LOCK_STORE_URL`` set to ``redis://host:port/db`` gives
:class:`TicketLockStore`, our lock store for several replicas sharing
conversations; unset, Rasa's in-memory lock store of a single server. Named
as ``lock_store.type`` in ``endpoints.yml``: Rasa's supported extension point.

:class:`TicketLockStore` replaces Rasa Open Source's ``RedisLockStore``,
which reads, changes and writes back a JSON ticket list without atomicity,
so two replicas can serve the same conversation at once and one of them
overwrites the other's turn (rasa#9213, fixed in Rasa Pro only). Ours
keeps the queue in Redis and changes it only with Lua scripts
(:mod:`bot.locks.ticket_queue`), refreshes the lock while a turn runs, and
hands the turn's fencing token to the tracker store (:mod:`bot.locks.fencing`),
which refuses to save a conversation the turn no longer holds.

Lock lifetime: Rasa's ``TICKET_LOCK_LIFETIME`` (seconds) when set, else
:data:`DEFAULT_LIFETIME`. Because a running turn refreshes it, the lifetime
bounds only how long a conversation stays held after its replica died.
"""

from __future__ import annotations

import asyncio
import logging
import os
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator
from urllib.parse import urlparse

from rasa.core.lock import TicketLock
from rasa.core.lock_store import InMemoryLockStore, LockError, LockStore

from bot.locks import fencing
from bot.locks.ticket_queue import LockLost, LockTimeout, TicketQueue

logger = logging.getLogger(__name__)

DEFAULT_LIFETIME = 15.0  # seconds; refreshed every third while a turn runs
KEY_PREFIX = "assistant:tq"


def lock_lifetime() -> float:
    """``TICKET_LOCK_LIFETIME`` (Rasa's variable, seconds) or :data:`DEFAULT_LIFETIME`."""
    raw = os.environ.get("TICKET_LOCK_LIFETIME", "").strip()
    try:
        return float(raw) if raw and float(raw) > 0 else DEFAULT_LIFETIME
    except ValueError:
        raise ValueError(f"TICKET_LOCK_LIFETIME: expected a number of seconds, got {raw!r}") from None


def redis_client(url: str) -> Any:
    """An asyncio Redis client for ``url`` retrying dropped connections with backoff."""
    import redis.asyncio as aioredis  # type: ignore[import-untyped]
    from redis.asyncio.retry import Retry  # type: ignore[import-untyped]
    from redis.backoff import ExponentialBackoff  # type: ignore[import-untyped]
    from redis.exceptions import ConnectionError as RedisConnectionError  # type: ignore[import-untyped]
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return aioredis.Redis.from_url(
        url,
        socket_timeout=5,
        socket_connect_timeout=2,
        retry=Retry(ExponentialBackoff(cap=1.0, base=0.05), 3),
        retry_on_error=[RedisConnectionError, RedisTimeoutError],
        health_check_interval=30,
    )


class TicketLockStore(LockStore):
    """Cross-replica lock store: Redis ticket queue, refreshed lifetime, fencing token for the writes."""

    def __init__(self, url: str, lifetime: float | None = None, prefix: str = KEY_PREFIX) -> None:
        self.queue = TicketQueue(redis_client(url), prefix=prefix, lifetime=lifetime or lock_lifetime())
        self.max_wait = max(30.0, 4 * self.queue.lifetime)
        super().__init__()

    @asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float = 0, wait_time_in_seconds: float = 0
    ) -> AsyncGenerator[TicketLock, None]:
        """Hold ``conversation_id`` for one turn (Rasa's arguments are ignored: see the module)."""
        try:
            token = await self.queue.issue(conversation_id)
        except Exception as error:  # noqa: BLE001 - Rasa expects LockError from a lock store
            raise LockError(f"could not queue for the conversation: {type(error).__name__}") from error
        keep_alive: asyncio.Task | None = None
        try:
            try:
                await self.queue.acquire(conversation_id, token, self.max_wait)
            except (LockTimeout, LockLost) as error:
                raise LockError(str(error)) from error
            keep_alive = asyncio.create_task(self.queue.keep_alive(conversation_id, token))
            with fencing.holding(fencing.HeldTurn(conversation_id, token, self.queue)):
                yield TicketLock(conversation_id)
        finally:
            if keep_alive is not None:
                keep_alive.cancel()
            try:
                await self.queue.release(conversation_id, token)
            except Exception as error:  # noqa: BLE001 - the lock then expires after its lifetime
                logger.warning("locks: could not release a conversation (%s)", type(error).__name__)

    # Rasa's base class builds lock() on these; TicketLockStore.lock() does not use them.
    def get_lock(self, conversation_id: str) -> TicketLock | None:
        raise NotImplementedError("TicketLockStore keeps its queue in Redis: use lock()")

    def delete_lock(self, conversation_id: str) -> None:
        raise NotImplementedError("TicketLockStore keeps its queue in Redis: use lock()")

    def save_lock(self, lock: TicketLock) -> None:
        raise NotImplementedError("TicketLockStore keeps its queue in Redis: use lock()")


class ConfiguredLockStore:
    """Factory used as ``lock_store.type`` in endpoints.yml."""

    def __new__(cls, endpoint_config: Any = None, **_: Any) -> LockStore:
        url = os.environ.get("ASSISTANT_LOCK_STORE_URL", "").strip()
        if not url:
            return InMemoryLockStore()
        parsed = urlparse(url)
        if parsed.scheme not in {"redis", "rediss"}:
            raise ValueError(f"ASSISTANT_LOCK_STORE_URL: expected redis://host:port/db, got scheme {parsed.scheme!r}")
        if not parsed.path.strip("/"):
            url = parsed._replace(path="/1").geturl()  # database 1 when none is given, as before
        return TicketLockStore(url)
