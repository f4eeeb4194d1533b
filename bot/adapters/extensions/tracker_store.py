"""Rasa tracker store that redacts secrets before writing conversations.

Configured in ``endpoints.yml`` (``type: bot.adapters.extensions.tracker_store.RedactingTrackerStore``).
It is Rasa's SQL tracker store (SQLite by default, PostgreSQL in production,
URL from ``ASSISTANT_TRACKER_DATABASE_URL``) whose new events pass through
:mod:`bot.privacy.events` on their way to the database, one for one, so
the number of events never changes. Rasa reads conversations back with its
own queries. At start it adds the index the report's periods need
(:mod:`bot.report.indexes`). An event broker, if configured, receives the same redacted
events (:mod:`.event_broker`), never Rasa's unredacted stream.

Its ``save`` replaces Rasa's (which would write the events unredacted):
it counts the events already stored for the latest session as Rasa's save
does, redacts the tracker's events from there on, and adds one row per
event with the columns Rasa's save fills. The three steps are methods
(:meth:`_prepare`, :meth:`_stored_count`, :meth:`_insert`) that the
``tracker_sql`` patch (:mod:`bot.adapters.patches.tracker_sql`) replaces
with faster equivalents, together with ``_retrieve``.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Dict, List

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

from bot.adapters.extensions.event_broker import publish_redacted
from bot.locks import fencing
from bot.privacy.events import redact_events
from bot.report.indexes import ensure_indexes
from bot.settings import get_settings

logger = logging.getLogger(__name__)


def event_row(sender_id: str, data: Dict[str, Any]) -> Dict[str, Any]:
    """The ``events`` row of one (redacted) event dict, with the columns Rasa's save fills."""
    parse_data = data.get("parse_data") or {}
    return {
        "sender_id": sender_id,
        "type_name": data["event"],
        "timestamp": data.get("timestamp"),
        "intent_name": (parse_data.get("intent") or {}).get("name"),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


class RedactingTrackerStore(SQLTrackerStore):
    """SQL tracker store writing only redacted events."""

    def __init__(self, domain: Any = None, host: str | None = None, event_broker: Any = None, **kwargs: Any) -> None:
        url = get_settings().tracker_database_url
        if url.startswith("sqlite:///"):
            Path(url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
        kwargs.pop("url", None)
        super().__init__(domain=domain, host=url, event_broker=event_broker, **kwargs)
        self._prepare(url)
        fencing.prepare(self.engine)  # cross-replica locks (bot/locks/fencing.py)
        ensure_indexes(self.engine)  # events(timestamp), for the report's periods
        logger.info("Conversations stored with redaction (%s)", self.engine.url.get_backend_name())

    def _prepare(self, url: str) -> None:
        """Run once connected to the database (nothing to do without the tracker_sql patch)."""

    def _stored_count(self, session: Any, sender_id: str) -> int:
        """How many events of the latest session are stored (what Rasa's save counts)."""
        return self._event_query(session, sender_id, fetch_events_from_all_sessions=False).count()

    def _insert(self, session: Any, rows: List[Dict[str, Any]]) -> None:
        """Add the rows of new events to the session, one ORM object each as Rasa does."""
        session.add_all([self.SQLEvent(**row) for row in rows])

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Append the events not yet stored, redacted, commit, and publish them redacted."""
        await fencing.check_holder(tracker.sender_id)  # the turn still holds the conversation
        with self.session_scope() as session:
            fencing.advance(session, tracker.sender_id)  # refuses a stale turn, serialises writes
            stored = self._stored_count(session, tracker.sender_id)
            events = [event.as_dict() for event in tracker.events]
            redacted = [data for _, data in redact_events(events, start=stored)]
            rows = [event_row(tracker.sender_id, data) for data in redacted]
            if rows:
                self._insert(session, rows)
            session.commit()
        # an event broker, if configured, gets the same redacted events (never Rasa's raw stream)
        publish_redacted(self.event_broker, tracker.sender_id, redacted)


__all__ = ["RedactingTrackerStore", "event_row"]
