"""Per-conversation ticket queue on Redis: one turn at a time across every replica.

Each turn of a conversation takes a ticket, waits until it is the oldest
live ticket of that conversation, holds the conversation while it runs and
gives it back. Every step is one Lua script, so Redis runs it atomically:
two replicas can never both believe they hold the same conversation (the
read-modify-write of a JSON blob that Rasa Open Source's Redis lock store
does lets them, rasa#9213).

Keys, for a conversation ``c`` and the prefix ``p`` (``assistant:tq``):

- ``p:tokens``: one counter for every conversation, seeded from Redis' clock
  in microseconds when it is missing (so tokens keep growing after Redis
  loses its data) and ``INCR``-ed for each ticket. A token is also the
  fencing token of the turn (:mod:`bot.locks.fencing`);
- ``p:q:c``: the waiting tickets, a sorted set ordered by token;
- ``p:alive:c``: ticket -> deadline (ms, Redis' clock), refreshed while a
  ticket waits or runs; a ticket past its deadline (its replica died) is
  dropped when it reaches the head of the queue;
- ``p:holder:c``: the token holding the conversation, with a time to live of
  one lock lifetime, refreshed while the turn runs. A replica killed in the
  middle of a turn stops refreshing it: the next ticket gets the
  conversation at most one lifetime later.

The queue and the liveness hash expire by themselves a few lifetimes after
the last ticket, so idle conversations leave nothing in Redis.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

ISSUE = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('SET', KEYS[1], now[1] .. string.format('%06d', tonumber(now[2])))
end
local token = string.format('%.0f', redis.call('INCR', KEYS[1]))
local lifetime = tonumber(ARGV[1])
redis.call('ZADD', KEYS[2], token, token)
redis.call('HSET', KEYS[3], token, string.format('%.0f', now_ms + lifetime))
redis.call('PEXPIRE', KEYS[2], lifetime * 4)
redis.call('PEXPIRE', KEYS[3], lifetime * 4)
return token
"""

# 1: the ticket holds the conversation; 0: wait; -1: the ticket is gone (expired while waiting)
ACQUIRE = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local token = ARGV[1]
local lifetime = tonumber(ARGV[2])
if redis.call('ZSCORE', KEYS[1], token) == false then
  return -1
end
redis.call('HSET', KEYS[2], token, string.format('%.0f', now_ms + lifetime))
redis.call('PEXPIRE', KEYS[1], lifetime * 4)
redis.call('PEXPIRE', KEYS[2], lifetime * 4)
local holder = redis.call('GET', KEYS[3])
if holder == token then
  redis.call('PEXPIRE', KEYS[3], lifetime)
  return 1
end
if holder then
  return 0
end
while true do
  local head = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
  if head == token then
    break
  end
  local deadline = tonumber(redis.call('HGET', KEYS[2], head) or '0')
  if deadline >= now_ms then
    return 0
  end
  redis.call('ZREM', KEYS[1], head)
  redis.call('HDEL', KEYS[2], head)
end
redis.call('SET', KEYS[3], token, 'PX', lifetime)
return 1
"""

# 1: still the holder, lifetime renewed; 0: the conversation went to someone else
REFRESH = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local lifetime = tonumber(ARGV[2])
if redis.call('GET', KEYS[3]) ~= ARGV[1] then
  return 0
end
redis.call('PEXPIRE', KEYS[3], lifetime)
redis.call('HSET', KEYS[2], ARGV[1], string.format('%.0f', now_ms + lifetime))
redis.call('PEXPIRE', KEYS[1], lifetime * 4)
redis.call('PEXPIRE', KEYS[2], lifetime * 4)
return 1
"""

RELEASE = """
if redis.call('GET', KEYS[3]) == ARGV[1] then
  redis.call('DEL', KEYS[3])
end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
"""

HOLDS = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return 1
end
return 0
"""


class LockTimeout(RuntimeError):
    """The conversation stayed held by other turns longer than the wait allowed."""


class LockLost(RuntimeError):
    """The ticket expired while waiting, or the conversation went to another turn."""


class TicketQueue:
    """The ticket queue of every conversation, on one Redis client (``redis.asyncio``)."""

    def __init__(self, client: Any, prefix: str = "assistant:tq", lifetime: float = 15.0) -> None:
        self.client = client
        self.prefix = prefix
        self.lifetime_ms = max(1000, int(lifetime * 1000))
        self._issue = client.register_script(ISSUE)
        self._acquire = client.register_script(ACQUIRE)
        self._refresh = client.register_script(REFRESH)
        self._release = client.register_script(RELEASE)
        self._holds = client.register_script(HOLDS)

    @property
    def lifetime(self) -> float:
        return self.lifetime_ms / 1000

    def keys(self, conversation_id: str) -> list:
        """Queue, liveness and holder keys of a conversation."""
        return [
            f"{self.prefix}:q:{conversation_id}",
            f"{self.prefix}:alive:{conversation_id}",
            f"{self.prefix}:holder:{conversation_id}",
        ]

    async def issue(self, conversation_id: str) -> int:
        """A new ticket (and fencing token) in the conversation's queue."""
        queue, alive, _ = self.keys(conversation_id)
        return int(await self._issue(keys=[f"{self.prefix}:tokens", queue, alive], args=[self.lifetime_ms]))

    async def try_acquire(self, conversation_id: str, token: int) -> bool:
        """Take the conversation if ``token`` is the oldest live ticket and nobody holds it."""
        result = int(await self._acquire(keys=self.keys(conversation_id), args=[token, self.lifetime_ms]))
        if result < 0:
            raise LockLost(f"ticket {token} expired while waiting")
        return result == 1

    async def acquire(self, conversation_id: str, token: int, max_wait: float, poll: float = 0.05) -> None:
        """Wait (polling every ``poll`` s, at most ``max_wait`` s) until ``token`` holds the conversation."""
        deadline = time.monotonic() + max_wait
        while not await self.try_acquire(conversation_id, token):
            if time.monotonic() >= deadline:
                raise LockTimeout(f"conversation still busy after {max_wait:.0f} s")
            await asyncio.sleep(poll)

    async def refresh(self, conversation_id: str, token: int) -> bool:
        """Renew the holder's lifetime; False when the conversation is no longer ``token``'s."""
        return int(await self._refresh(keys=self.keys(conversation_id), args=[token, self.lifetime_ms])) == 1

    async def release(self, conversation_id: str, token: int) -> None:
        """Give the conversation back (or leave the queue) for ``token``."""
        await self._release(keys=self.keys(conversation_id), args=[token])

    async def holds(self, conversation_id: str, token: int) -> bool:
        """Whether ``token`` holds the conversation right now."""
        return int(await self._holds(keys=[self.keys(conversation_id)[2]], args=[token])) == 1

    async def keep_alive(self, conversation_id: str, token: int) -> None:
        """Refresh the holder every third of a lifetime until cancelled or the conversation is lost."""
        while True:
            await asyncio.sleep(self.lifetime / 3)
            if not await self.refresh(conversation_id, token):
                return


__all__ = ["LockLost", "LockTimeout", "TicketQueue"]
