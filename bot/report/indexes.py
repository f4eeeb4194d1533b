"""The index the report needs on the conversation store: ``events(timestamp)``.

Rasa's ``events`` table has only its primary key and a ``sender_id``
index: choosing a period would read every event ever stored.
:func:`ensure_indexes` adds ``ix_events_timestamp`` when it is missing
(``CREATE INDEX IF NOT EXISTS``, SQLite and PostgreSQL); the redacting
tracker store calls it when the Rasa server starts
(:class:`bot.adapters.extensions.tracker_store.RedactingTrackerStore`), so
a new deployment has it from the first conversation.  On an existing
PostgreSQL database with many conversations, create it beforehand without
blocking writes (README, "Report"):
``CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_events_timestamp ON events (timestamp);``
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy.engine import Engine

logger = logging.getLogger(__name__)

INDEXES = {"ix_events_timestamp": "CREATE INDEX IF NOT EXISTS ix_events_timestamp ON events (timestamp)"}


def ensure_indexes(engine: Engine) -> bool:
    """Create the missing report indexes on the ``events`` table; False when it could not be done."""
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table("events"):
                return False
            present = {index["name"] for index in sa.inspect(connection).get_indexes("events")}
        for name, statement in INDEXES.items():
            if name in present:
                continue
            with engine.begin() as connection:
                connection.execute(sa.text(statement))
            logger.info("Index %s created on the conversation store (report periods)", name)
        return True
    except sa.exc.SQLAlchemyError as exc:  # another replica creating it, a read-only role...
        logger.warning("Report index on the conversation store not created: %s", type(exc).__name__)
        return False
