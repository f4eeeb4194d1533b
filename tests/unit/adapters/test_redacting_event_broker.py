"""What an event broker receives is redacted: Rasa's own SQL event broker (a real
one, on SQLite) behind the redacting tracker store, and behind the
``RedactingEventBroker`` wrapper configured as in ``endpoints.yml``."""

from __future__ import annotations

import asyncio
import json

import sqlalchemy as sa

from bot.settings import reset_settings_cache

NIR = "2 85 03 971 12 345 67"
PASSWORD = "Soleil!2025x"


def _published(db_path) -> list:
    engine = sa.create_engine(f"sqlite:///{db_path}")
    with engine.connect() as conn:
        rows = conn.execute(sa.text("select data from events order by id")).all()
    engine.dispose()
    return [json.loads(row[0]) for row in rows]


def _conversation():
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

    return [
        ActionExecuted("action_listen"),
        UserUttered(f"mon numéro est {NIR}", {"name": "inform", "confidence": 1.0}),
        SlotSet("requested_slot", "otp_code"),
        UserUttered("48 29 13", {"name": "inform", "confidence": 1.0}),
        SlotSet("requested_slot", None),
        BotUttered("N'indiquez jamais votre mot de passe."),
        UserUttered(f"c'est {PASSWORD}", {"name": "inform", "confidence": 1.0}),
    ]


def _assert_clean(published, count):
    assert len(published) == count
    text = json.dumps(published, ensure_ascii=False)
    squeezed = "".join(c for c in text if c.isalnum())
    assert "2850397112345" not in squeezed and "482913" not in squeezed and PASSWORD not in text
    assert all(event.get("sender_id") == "broker-test" for event in published)


def test_the_tracker_store_publishes_redacted_events(tmp_path, monkeypatch):
    from rasa.core.brokers.sql import SQLEventBroker
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.adapters.extensions.tracker_store import RedactingTrackerStore

    monkeypatch.setenv("ASSISTANT_TRACKER_DATABASE_URL", f"sqlite:///{tmp_path / 'conversations.db'}")
    monkeypatch.setenv("ASSISTANT_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("ASSISTANT_SECRET_KEY", "x" * 32)
    reset_settings_cache()
    try:
        broker = SQLEventBroker(db=str(tmp_path / "broker.db"))
        store = RedactingTrackerStore(domain=Domain.empty(), event_broker=broker)
        events = _conversation()
        asyncio.run(store.save(DialogueStateTracker.from_events("broker-test", events)))
        _assert_clean(_published(tmp_path / "broker.db"), len(events))
        store.engine.dispose()
        broker.engine.dispose()
    finally:
        reset_settings_cache()


def test_the_wrapper_redacts_what_any_publisher_sends(tmp_path):
    from rasa.core.brokers.broker import EventBroker
    from rasa.utils.endpoints import EndpointConfig

    from bot.adapters.extensions.event_broker import RedactingEventBroker

    config = EndpointConfig.from_dict(
        {
            "type": "bot.adapters.extensions.event_broker.RedactingEventBroker",
            "inner": {"type": "sql", "dialect": "sqlite", "db": str(tmp_path / "broker.db")},
        }
    )
    broker = asyncio.run(EventBroker.create(config))
    assert isinstance(broker, RedactingEventBroker)
    events = _conversation()
    for event in events:
        broker.publish({"sender_id": "broker-test", **event.as_dict()})
    _assert_clean(_published(tmp_path / "broker.db"), len(events))
    asyncio.run(broker.close())
