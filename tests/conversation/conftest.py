"""``@pytest.mark.pg_only``: conversation tests that start their own servers on PostgreSQL + Redis.

They need the CI services whatever the layer (two replicas sharing one
database, a database cut behind a proxy), so running them in both
conversation layers would only repeat them: they run in the
``conversation-pg`` layer (``ASSISTANT_TEST_BACKEND=postgres``) and are
deselected, not skipped, in the SQLite layer (the layer guard counts
deselections apart from skips).
"""

from __future__ import annotations

from typing import List

import pytest

from tests.conftest import store_backend

MARKER = "pg_only"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}: runs in the conversation-pg layer only (tests/conversation/conftest.py)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: List[pytest.Item]) -> None:
    if store_backend() == "postgres":
        return
    dropped = [item for item in items if item.get_closest_marker(MARKER) is not None]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if item.get_closest_marker(MARKER) is None]
