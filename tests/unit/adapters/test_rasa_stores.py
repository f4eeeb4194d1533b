"""Our Rasa stores on real databases: the redacting tracker store (SQLite and
PostgreSQL; with Rasa's own queries and with the tracker_sql patch) and the
configured lock store (in memory, Redis)."""

from __future__ import annotations

import asyncio
import json
import os
import uuid

import pytest
import sqlalchemy as sa

from bot.settings import reset_settings_cache

NIR = "2 85 07 75 123 456 12"
REDIS_URL = os.environ.get("ASSISTANT_TEST_REDIS_URL")


@pytest.fixture(params=["rasa_queries", "tracker_sql_patch"])
def store_class(request, pristine_rasa):
    """``RedactingTrackerStore`` with Rasa's own queries, then with the tracker_sql patch."""
    from bot.adapters.extensions.tracker_store import RedactingTrackerStore
    from bot.adapters.patches import tracker_sql

    if request.param == "tracker_sql_patch":
        assert tracker_sql.install() is True
        assert tracker_sql.install() is True  # twice: the same functions
        assert tracker_sql.is_installed()
    return RedactingTrackerStore


@pytest.fixture
def tracker_db_url(db_url, tmp_path, monkeypatch):
    """The conversations on a fresh database (``db_url``: SQLite, then PostgreSQL)."""
    monkeypatch.setenv("ASSISTANT_TRACKER_DATABASE_URL", db_url)
    monkeypatch.setenv("ASSISTANT_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("ASSISTANT_SECRET_KEY", "x" * 32)
    reset_settings_cache()
    yield db_url
    reset_settings_cache()


def test_redacting_tracker_store_never_writes_a_nir_or_code(tracker_db_url, store_class):
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.from_dict({"slots": {"otp_code": {"type": "text", "mappings": [{"type": "custom"}]}}})
    store = store_class(domain=domain)
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

    from bot.adapters.extensions.lock_store import ConfiguredLockStore

    monkeypatch.delenv("ASSISTANT_LOCK_STORE_URL", raising=False)
    assert isinstance(ConfiguredLockStore(endpoint_config=None), InMemoryLockStore)


def test_lock_store_rejects_a_non_redis_url(monkeypatch):
    from bot.adapters.extensions.lock_store import ConfiguredLockStore

    monkeypatch.setenv("ASSISTANT_LOCK_STORE_URL", "http://127.0.0.1:6379")
    with pytest.raises(ValueError, match="ASSISTANT_LOCK_STORE_URL"):
        ConfiguredLockStore(endpoint_config=None)


@pytest.mark.skipif(not REDIS_URL, reason="ASSISTANT_TEST_REDIS_URL not set")
def test_redis_lock_store_serialises_a_conversation(monkeypatch):
    from bot.adapters.extensions.lock_store import ConfiguredLockStore, TicketLockStore

    monkeypatch.setenv("ASSISTANT_LOCK_STORE_URL", REDIS_URL)
    store = ConfiguredLockStore(endpoint_config=None)
    assert isinstance(store, TicketLockStore)  # ours, not Rasa's RedisLockStore (issue 18)
    conversation = f"lock-{uuid.uuid4().hex[:8]}"

    other = ConfiguredLockStore(endpoint_config=None)  # e.g. a second Rasa server

    async def scenario() -> None:
        async with store.lock(conversation):
            # the other server sees the lock through Redis: its ticket waits
            ticket = await other.queue.issue(conversation)
            assert not await other.queue.try_acquire(conversation, ticket)
            await other.queue.release(conversation, ticket)
        # released: nothing left in Redis for that conversation
        assert await other.queue.client.keys(f"{other.queue.prefix}:*:{conversation}") == []
        await store.queue.client.close()
        await other.queue.client.close()

    asyncio.run(scenario())


def _conversation(sessions: int):
    """Events of ``sessions`` conversation sessions, a few turns each, increasing timestamps."""
    from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered

    events, clock = [], 1_700_000_000.0
    for session in range(sessions):
        batch = [
            ActionExecuted("action_session_start"),
            SessionStarted(),
            SlotSet("tenant_name", "Miel"),
            ActionExecuted("action_listen"),
        ]
        for turn in range(3):
            batch += [
                UserUttered(f"merci {session}.{turn}", {"name": "thank", "confidence": 0.9}),
                ActionExecuted("utter_thank"),
                BotUttered("Je vous en prie."),
                ActionExecuted("action_listen"),
            ]
        for event in batch:
            clock += 1.0
            event.timestamp = clock
        events.append(batch)
    return events


@pytest.mark.parametrize("sessions", [1, 3])
def test_tracker_store_reads_the_rows_rasa_s_queries_read(tracker_db_url, store_class, sessions):
    """What the store reads and counts is what Rasa's ORM ``_event_query`` selects, turn after turn."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.from_dict({"slots": {"tenant_name": {"type": "text", "mappings": [{"type": "custom"}]}}})
    store = store_class(domain=domain)
    sender = f"queries-{uuid.uuid4().hex[:8]}"

    def rasa_view(all_sessions: bool):
        with store.session_scope() as session:
            rows = store._event_query(session, sender, fetch_events_from_all_sessions=all_sessions).all()
        return [json.loads(row.data) for row in rows]

    async def scenario():
        assert await store.retrieve(sender) is None
        for batch in _conversation(sessions):  # one turn starting a session, saved as Rasa saves it
            tracker = await store.retrieve(sender) or DialogueStateTracker(sender, domain.slots)
            for event in batch:
                tracker.update(event)
            await store.save(tracker)
            latest = await store.retrieve(sender)
            full = await store.retrieve_full_tracker(sender)
            assert [e.as_dict() for e in latest.events] == rasa_view(False)
            assert [e.as_dict() for e in full.events] == rasa_view(True)
            # the session starts at SessionStarted (action_session_start is before it)
            assert len(latest.events) == len(batch) - 1
            # Rasa's own reading of the rows gives the same tracker
            assert latest.current_state() == (await SQLTrackerStore._retrieve(store, sender, False)).current_state()
        await store.save(latest)  # nothing new: nothing written
        with store.session_scope() as session:
            count = store._stored_count(session, sender)
        assert count == len(rasa_view(False)) == len(latest.events)
        return await store.retrieve_full_tracker(sender)

    full = asyncio.run(scenario())
    assert len(full.events) == sum(len(batch) for batch in _conversation(sessions))
    store.engine.dispose()


def test_tracker_sql_patch_keeps_a_sqlite_file_in_wal_mode(tracker_db_url, store_class):
    if not tracker_db_url.startswith("sqlite"):
        pytest.skip("SQLite only")
    from bot.adapters.patches import tracker_sql

    store = store_class(domain=None)
    with store.engine.connect() as conn:
        journal = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
        synchronous = conn.exec_driver_sql("PRAGMA synchronous").scalar()
    if tracker_sql.is_installed():
        assert (journal, synchronous) == ("wal", 1)  # 1: NORMAL
    else:
        assert journal != "wal"  # Rasa's engine, untouched
    store.engine.dispose()
