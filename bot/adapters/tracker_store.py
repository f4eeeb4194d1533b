"""Rasa tracker store that redacts secrets before writing conversations.

Configured in ``endpoints.yml`` (``type: bot.adapters.tracker_store.RedactingTrackerStore``).
It is Rasa's SQL tracker store (SQLite by default, PostgreSQL in production,
URL from ``ASSISTANT_TRACKER_DATABASE_URL``) whose new events pass through
:mod:`bot.adapters.redaction` on their way to the database, one for one, so
the number of events never changes.
"""

from __future__ import annotations

import logging
from typing import Any, Iterator

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker

from bot.adapters.redaction import redact_events
from bot.settings import get_settings

logger = logging.getLogger(__name__)


class RedactingTrackerStore(SQLTrackerStore):
    """SQL tracker store writing only redacted events."""

    def __init__(self, domain: Any = None, host: str | None = None, event_broker: Any = None, **kwargs: Any) -> None:
        url = get_settings().tracker_database_url
        if url.startswith("sqlite:///"):
            from pathlib import Path

            Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        kwargs.pop("url", None)
        super().__init__(domain=domain, host=url, event_broker=event_broker, **kwargs)
        logger.info("Conversations stored with redaction (%s)", self.engine.url.get_backend_name())

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        """The tracker's events not yet stored, redacted (same slicing as Rasa's)."""
        stored = self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False).count()
        events = list(tracker.events)
        for index, redacted in redact_events([event.as_dict() for event in events], start=stored):
            yield Event.from_parameters(redacted) or events[index]


__all__ = ["RedactingTrackerStore"]
