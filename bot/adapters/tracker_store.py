"""Rasa tracker store that redacts secrets before writing conversations.

Configured in ``endpoints.yml`` (``type: bot.adapters.tracker_store.RedactingTrackerStore``).
It is Rasa's SQL tracker store (SQLite by default, PostgreSQL in production,
URL from ``ASSISTANT_TRACKER_DATABASE_URL``) whose new events pass through
:mod:`bot.adapters.redaction` on their way to the database, one for one, so
the number of events never changes.

Every turn reads the conversation once and writes it once, so both queries
are SQLAlchemy Core statements built once (compiled once, then served from
SQLAlchemy's statement cache) instead of Rasa's ORM queries rebuilt on each
call; they select exactly the rows Rasa's ``_event_query`` selects, and the
new events go in with one multi-row INSERT instead of one ORM object each. A SQLite
file is opened once in WAL mode with ``synchronous=NORMAL`` (a commit no
longer waits for the disk twice) and its connection kept in a pool, where
Rasa's engine opened the file again for every read and write. Measured in
bench/README.md.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Dict, Iterator

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker

from bot.adapters.redaction import redact_events
from bot.settings import get_settings

logger = logging.getLogger(__name__)


def _sqlite_engine(url: str) -> sa.engine.Engine:
    """One pooled connection per thread to the SQLite file, WAL journal."""
    engine = sa.create_engine(
        url,
        poolclass=sa.pool.QueuePool,
        pool_size=2,
        max_overflow=8,
        connect_args={"check_same_thread": False, "timeout": 30},
    )

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


class _EventQueries:
    """The two statements of a turn, with the sender id as a bound parameter."""

    def __init__(self, table: sa.Table) -> None:
        sender = sa.bindparam("sender_id")
        # timestamp of the latest SessionStarted event, as in Rasa's _event_query
        session_start = (
            sa.select(sa.func.max(table.c.timestamp))
            .where(table.c.sender_id == sender, table.c.type_name == SessionStarted.type_name)
            .scalar_subquery()
        )
        of_sender = table.c.sender_id == sender
        in_last_session = sa.or_(table.c.timestamp >= session_start, session_start.is_(None))
        self.all_sessions = sa.select(table.c.data).where(of_sender).order_by(table.c.id)
        self.last_session = sa.select(table.c.data).where(of_sender, in_last_session).order_by(table.c.id)
        self.count_last_session = sa.select(sa.func.count()).select_from(table).where(of_sender, in_last_session)


def _row(sender_id: str, data: Dict[str, Any]) -> Dict[str, Any]:
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
        sqlite = url.startswith("sqlite:///")
        if sqlite:
            Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        kwargs.pop("url", None)
        super().__init__(domain=domain, host=url, event_broker=event_broker, **kwargs)
        if sqlite:
            self.engine.dispose()
            self.engine = _sqlite_engine(url)
            self.sessionmaker.configure(bind=self.engine)
        self._queries = _EventQueries(self.SQLEvent.__table__)
        logger.info("Conversations stored with redaction (%s)", self.engine.url.get_backend_name())

    def _params(self, sender_id: str) -> Dict[str, str]:
        return {"sender_id": sender_id}

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> DialogueStateTracker | None:
        query = self._queries.all_sessions if fetch_events_from_all_sessions else self._queries.last_session
        with self.session_scope() as session:
            rows = session.execute(query, self._params(sender_id)).scalars().all()
        if not self.domain or not rows:
            return None
        return DialogueStateTracker.from_dict(sender_id, [json.loads(data) for data in rows], self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Append the events not yet stored, redacted, in one INSERT and one commit.

        Replaces Rasa's save (and so its unredacted ``_additional_events``):
        the rows are written from the redacted event dicts directly.
        """
        await self.stream_events(tracker)
        with self.session_scope() as session:
            rows = [_row(tracker.sender_id, data) for data in self._redacted_new_events(session, tracker)]
            if rows:
                session.execute(self.SQLEvent.__table__.insert(), rows)
            session.commit()

    def _redacted_new_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Dict[str, Any]]:
        """The tracker's events not yet stored, as redacted dicts (Rasa's slicing)."""
        stored = session.execute(self._queries.count_last_session, self._params(tracker.sender_id)).scalar_one()
        for _, redacted in redact_events([event.as_dict() for event in tracker.events], start=stored):
            yield redacted


__all__ = ["RedactingTrackerStore"]
