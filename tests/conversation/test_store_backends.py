"""The started servers really use the stores the run asked for (tests/conftest.py, ``ASSISTANT_TEST_BACKEND``).

``make test-conversation``: SQLite files and in-memory locks.
``make test-conversation-pg``: members and conversations in PostgreSQL schemas,
locks in Redis. Either way the same conversation tests run; these tests make
sure a server did not quietly fall back to the defaults.
"""

from __future__ import annotations

import os
import threading
import time

import pytest
import redis

from tests.conftest import store_backend

pytestmark = pytest.mark.conversation

EXPECTED = {"sqlite": "sqlite", "postgres": "postgresql"}


def test_members_and_conversations_are_in_the_configured_database(miel):
    expected = EXPECTED[store_backend()]
    sender = miel.new_sender()
    assert "Bonjour" in miel.say_text(sender, "bonjour")
    assert miel.backend == expected
    assert f"Conversations stored with redaction ({expected})" in miel.log()
    assert [event["text"] for name, event in miel.stored_events(sender) if name == "user"] == ["bonjour"]
    assert miel.member_rows("select count(*) from members")[0][0] >= 12  # the demo members
    on_disk = {path.name for path in miel.workdir.glob("*.db")}
    if expected == "sqlite":
        assert on_disk == {"assistant.db", "conversations.db"}
    else:
        assert on_disk == set(), f"a server on PostgreSQL wrote SQLite files: {on_disk}"


def _redis_commands_during(url: str, action) -> list:  # noqa: ANN001
    """The commands Redis received (MONITOR) while ``action()`` ran."""
    client = redis.Redis.from_url(url)
    seen: list = []
    ready = threading.Event()
    monitor = client.monitor()

    def listen() -> None:
        with monitor as commands:
            ready.set()
            try:
                for command in commands.listen():
                    seen.append(command["command"])
            except (redis.ConnectionError, OSError, ValueError, AttributeError):
                pass

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    assert ready.wait(10), "MONITOR did not start"
    time.sleep(0.2)
    try:
        action()
        time.sleep(0.5)  # the lock is released before the reply; let MONITOR catch up
    finally:
        monitor.connection.disconnect()
        client.close()
    return list(seen)


def test_conversation_locks_are_where_configured(miel):
    sender = miel.new_sender()
    redis_url = os.environ.get("ASSISTANT_TEST_REDIS_URL")
    if not redis_url:
        assert store_backend() == "sqlite" and "ASSISTANT_LOCK_STORE_URL" not in miel.env
        return
    commands = _redis_commands_during(redis_url, lambda: miel.say_text(sender, "bonjour"))
    # the cross-replica lock store (issue 18): Lua scripts on the conversation's ticket queue
    lock_commands = [command for command in commands if f"assistant:tq:holder:{sender}" in command]
    if store_backend() == "postgres":
        assert miel.env["ASSISTANT_LOCK_STORE_URL"] == redis_url
        scripts = [command for command in lock_commands if command.startswith("EVALSHA ")]
        assert len(scripts) >= 2, commands[-20:]  # acquire, then release (MONITOR also shows their inner commands)
    else:
        assert "ASSISTANT_LOCK_STORE_URL" not in miel.env
        assert lock_commands == []  # in-memory locks
