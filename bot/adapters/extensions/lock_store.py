"""Rasa lock store chosen by configuration.

``ASSISTANT_LOCK_STORE_URL`` set to ``redis://host:port/db`` gives Rasa's
Redis lock store (needed as soon as several Rasa servers share conversations);
unset, the in-memory lock store of a single server. Named as
``lock_store.type`` in ``endpoints.yml``: Rasa's supported extension point;
it builds Rasa's own lock stores with their public constructors.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlparse

from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore


class ConfiguredLockStore:
    """Factory used as ``lock_store.type`` in endpoints.yml."""

    def __new__(cls, endpoint_config: Any = None, **_: Any) -> LockStore:
        url = os.environ.get("ASSISTANT_LOCK_STORE_URL", "").strip()
        if not url:
            return InMemoryLockStore()
        parsed = urlparse(url)
        if parsed.scheme not in {"redis", "rediss"}:
            raise ValueError(f"ASSISTANT_LOCK_STORE_URL: expected redis://host:port/db, got scheme {parsed.scheme!r}")
        db = int(parsed.path.lstrip("/") or 1)
        return RedisLockStore(
            host=parsed.hostname or "localhost",
            port=parsed.port or 6379,
            db=db,
            password=parsed.password,
            use_ssl=parsed.scheme == "rediss",
            key_prefix="assistant",
        )
