"""Faster reads and writes for the redacting tracker store, on Rasa's SQL internals.

Every turn reads the conversation once and writes it once. Rasa 3.6's
``SQLTrackerStore`` rebuilds its ORM query (``_event_query``) for each read
and for the count of each write, adds one ORM object per new event, and its
SQLite engine opens the file again for every read and write (bench/README.md).

:func:`install` makes :class:`~bot.adapters.extensions.tracker_store.RedactingTrackerStore`
use SQLAlchemy Core statements built once (compiled once, then served from
SQLAlchemy's statement cache) that select exactly the rows Rasa's
``_event_query`` selects, one multi-row INSERT for the new events, and, for
a SQLite file, one pooled connection per thread in WAL mode with
``synchronous=NORMAL`` (a commit no longer waits for the disk twice). The
redaction is unchanged: it lives in the store's ``save``.

Relies on ``SQLTrackerStore.SQLEvent`` (its table and columns),
``engine``, ``sessionmaker``, ``session_scope``, the semantics of
``_event_query`` and ``_retrieve`` (docs/upgrading-rasa.md).
"""

from __future__ import annotations

import json
from typing import Any, Dict, List

import sqlalchemy as sa

from bot.adapters.patches import rasa_version_supported

RASA_VERSION = "3.6.x"


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


class EventQueries:
    """The statements of a turn, with the sender id as a bound parameter."""

    def __init__(self, table: sa.Table, session_started: str) -> None:
        sender = sa.bindparam("sender_id")
        # timestamp of the latest SessionStarted event, as in Rasa's _event_query
        session_start = (
            sa.select(sa.func.max(table.c.timestamp))
            .where(table.c.sender_id == sender, table.c.type_name == session_started)
            .scalar_subquery()
        )
        of_sender = table.c.sender_id == sender
        in_last_session = sa.or_(table.c.timestamp >= session_start, session_start.is_(None))
        self.all_sessions = sa.select(table.c.data).where(of_sender).order_by(table.c.id)
        self.last_session = sa.select(table.c.data).where(of_sender, in_last_session).order_by(table.c.id)
        self.count_last_session = sa.select(sa.func.count()).select_from(table).where(of_sender, in_last_session)
        self.insert = table.insert()


def _queries(store: Any) -> EventQueries:
    """The store's statements, built on first use (a store created before the patch has none)."""
    queries = store.__dict__.get("_bot_queries")
    if queries is None:
        from rasa.shared.core.events import SessionStarted

        queries = store._bot_queries = EventQueries(store.SQLEvent.__table__, SessionStarted.type_name)
    return queries


def _prepare(self: Any, url: str) -> None:
    if url.startswith("sqlite:///"):
        self.engine.dispose()
        self.engine = _sqlite_engine(url)
        self.sessionmaker.configure(bind=self.engine)
    _queries(self)


def _stored_count(self: Any, session: Any, sender_id: str) -> int:
    return session.execute(_queries(self).count_last_session, {"sender_id": sender_id}).scalar_one()


def _insert(self: Any, session: Any, rows: List[Dict[str, Any]]) -> None:
    session.execute(_queries(self).insert, rows)


async def _retrieve(self: Any, sender_id: str, fetch_events_from_all_sessions: bool) -> Any:
    from rasa.shared.core.trackers import DialogueStateTracker

    queries = _queries(self)
    query = queries.all_sessions if fetch_events_from_all_sessions else queries.last_session
    with self.session_scope() as session:
        rows = session.execute(query, {"sender_id": sender_id}).scalars().all()
    if not self.domain or not rows:
        return None
    return DialogueStateTracker.from_dict(sender_id, [json.loads(data) for data in rows], self.domain.slots)


REPLACED = {"_prepare": _prepare, "_stored_count": _stored_count, "_insert": _insert, "_retrieve": _retrieve}


def install(rasa_version: str | None = None) -> bool:
    """Give ``RedactingTrackerStore`` the statements built once (stores created from now on)."""
    if not rasa_version_supported(__name__, RASA_VERSION, rasa_version):
        return False
    from bot.adapters.extensions.tracker_store import RedactingTrackerStore

    for name, function in REPLACED.items():
        setattr(RedactingTrackerStore, name, function)
    return True


def is_installed() -> bool:
    from bot.adapters.extensions.tracker_store import RedactingTrackerStore

    return all(RedactingTrackerStore.__dict__.get(name) is function for name, function in REPLACED.items())


__all__ = ["RASA_VERSION", "EventQueries", "install", "is_installed"]
