"""Our Rasa adapters on real databases: redacting tracker store (SQLite and
PostgreSQL) and the configured lock store (in memory, Redis)."""

from __future__ import annotations

import asyncio
import json
import os
import uuid

import pytest
import sqlalchemy as sa

from bot.settings import reset_settings_cache

NIR = "2 85 07 75 123 456 12"
PG_URL = os.environ.get("ASSISTANT_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("ASSISTANT_TEST_REDIS_URL")


def _drop_schema(engine, schema):
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def tracker_db_url(request, tmp_path, monkeypatch):
    if request.param == "postgres":
        if not PG_URL:
            pytest.skip("ASSISTANT_TEST_POSTGRES_URL not set")
        schema = f"t_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(PG_URL, future=True)
        with admin.begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
        request.addfinalizer(lambda: _drop_schema(admin, schema))
        url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///{tmp_path / 'conversations.db'}"
    monkeypatch.setenv("ASSISTANT_TRACKER_DATABASE_URL", url)
    monkeypatch.setenv("ASSISTANT_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("ASSISTANT_SECRET_KEY", "x" * 32)
    reset_settings_cache()
    yield url
    reset_settings_cache()


def test_redacting_tracker_store_never_writes_a_nir_or_code(tracker_db_url):
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.adapters.tracker_store import RedactingTrackerStore

    domain = Domain.from_dict({"slots": {"otp_code": {"type": "text", "mappings": [{"type": "custom"}]}}})
    store = RedactingTrackerStore(domain=domain)
    sender = f"redaction-{uuid.uuid4().hex[:8]}"
    events = [
        ActionExecuted("action_listen"),
        UserUttered(f"mon numéro est {NIR}", {"name": "inform", "confidence": 1.0}),
        SlotSet("requested_slot", "otp_code"),
        ActionExecuted("action_listen"),
        UserUttered("482913", {"name": "inform", "confidence": 1.0}),
        SlotSet("otp_code", "482913"),
    ]
    tracker = DialogueStateTracker.from_events(sender, events, domain.slots)
    asyncio.run(store.save(tracker))

    engine = sa.create_engine(tracker_db_url, future=True)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("select data from events where sender_id = :s order by id"), {"s": sender}).all()
    engine.dispose()
    stored = " ".join(row[0] for row in rows)
    assert len(rows) == len(events), "redaction must not change the number of events"
    assert "123 456" not in stored and "482913" not in stored
    assert json.loads(rows[1][0])["event"] == "user"

    # what Rasa reads back is the redacted conversation, with every event
    restored = asyncio.run(store.retrieve(sender))
    assert restored is not None and len(restored.events) == len(events)
    store.engine.dispose()


def test_lock_store_in_memory_by_default(monkeypatch):
    from rasa.core.lock_store import InMemoryLockStore

    from bot.adapters.lock_store import ConfiguredLockStore

    monkeypatch.delenv("ASSISTANT_LOCK_STORE_URL", raising=False)
    assert isinstance(ConfiguredLockStore(endpoint_config=None), InMemoryLockStore)


def test_lock_store_rejects_a_non_redis_url(monkeypatch):
    from bot.adapters.lock_store import ConfiguredLockStore

    monkeypatch.setenv("ASSISTANT_LOCK_STORE_URL", "http://127.0.0.1:6379")
    with pytest.raises(ValueError, match="ASSISTANT_LOCK_STORE_URL"):
        ConfiguredLockStore(endpoint_config=None)


@pytest.mark.skipif(not REDIS_URL, reason="ASSISTANT_TEST_REDIS_URL not set")
def test_redis_lock_store_serialises_a_conversation(monkeypatch):
    from rasa.core.lock_store import RedisLockStore

    from bot.adapters.lock_store import ConfiguredLockStore

    monkeypatch.setenv("ASSISTANT_LOCK_STORE_URL", REDIS_URL)
    store = ConfiguredLockStore(endpoint_config=None)
    assert isinstance(store, RedisLockStore)
    conversation = f"lock-{uuid.uuid4().hex[:8]}"

    other = ConfiguredLockStore(endpoint_config=None)  # e.g. a second Rasa server

    async def scenario() -> None:
        async with store.lock(conversation, lock_lifetime=5):
            seen = other.get_lock(conversation)
            # the other server sees the lock through Redis: a new ticket would wait
            assert seen is not None and seen.tickets
            assert seen.is_locked(seen.last_issued + 1)
        # released: nothing left in Redis for that conversation
        after = other.get_lock(conversation)
        assert after is None or not after.tickets

    asyncio.run(scenario())
