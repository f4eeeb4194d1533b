"""What ``GET /health`` reports about each part the Rasa server depends on.

Probed on each request, each with a short timeout, so the answer is true now:

- ``action_server``: ``GET /health`` of the action server on 127.0.0.1
  (``bot serve`` restarts it when it stops);
- ``conversation_store``: ``SELECT 1`` on the tracker store's database;
- ``member_store``: ``SELECT 1`` on the member store;
- ``lock_store``: ``PING`` to Redis when the cross-replica lock store is
  configured, ``not_used`` for in-memory locks.

The HTTP status stays 200 while this Rasa server answers (it is alive and
apologises politely for what is down); ``status`` is ``"degraded"`` and
``down`` names the parts that are down (:func:`bot.service_status.health_status`).
"""

from __future__ import annotations

import asyncio
from typing import Any, Dict

import sqlalchemy as sa

from bot.service_status import DOWN, NOT_USED, UP, health_status

PROBE_TIMEOUT = 1.5  # seconds, per part


def _select_one(engine: Any) -> None:
    with engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))


async def _probe(check: Any) -> str:
    try:
        await asyncio.wait_for(check(), PROBE_TIMEOUT)
        return UP
    except Exception:  # noqa: BLE001 - any failure means the part is down for members
        return DOWN


async def parts(app: Any, actions_port: int, database_url: str) -> Dict[str, str]:
    """``{part: "up" | "down" | "not_used"}`` for the parts listed in the module docstring."""
    import aiohttp

    loop = asyncio.get_running_loop()
    agent: Any = getattr(app.ctx, "agent", None)
    store: Any = getattr(agent, "tracker_store", None)
    store = getattr(store, "_tracker_store", store)
    lock_store: Any = getattr(agent, "lock_store", None)

    async def action_server() -> None:
        timeout = aiohttp.ClientTimeout(total=PROBE_TIMEOUT)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.get(f"http://127.0.0.1:{actions_port}/health") as answer:
                answer.raise_for_status()

    async def conversation_store() -> None:
        await loop.run_in_executor(None, _select_one, store.engine)

    async def member_store() -> None:
        from bot.store.db import get_engine

        await loop.run_in_executor(None, _select_one, get_engine(database_url))

    async def locks() -> None:
        await lock_store.queue.client.ping()

    checks: Dict[str, Any] = {"action_server": action_server, "member_store": member_store}
    if store is not None and hasattr(store, "engine"):
        checks["conversation_store"] = conversation_store
    queue = getattr(lock_store, "queue", None)
    if queue is not None:
        checks["lock_store"] = locks
    names = list(checks)
    results = await asyncio.gather(*(_probe(checks[name]) for name in names))
    found = dict(zip(names, results, strict=True))
    found.setdefault("lock_store", NOT_USED)
    return found


async def report(app: Any, actions_port: int, database_url: str) -> Dict[str, Any]:
    """``status``, ``down`` and ``parts`` for ``/health``."""
    found = await parts(app, actions_port, database_url)
    return {**health_status(found), "parts": found}


__all__ = ["PROBE_TIMEOUT", "parts", "report"]
