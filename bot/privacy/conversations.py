"""The stored conversations (the tracker store's ``events`` table), for the member's rights and retention.

Plain SQLAlchemy over the table Rasa's SQL tracker store writes (one row per
event: ``sender_id``, ``timestamp`` in seconds since the epoch, ``data`` the
redacted event as JSON), so the command line, the web widget's "Effacer la
conversation" and the purge share one implementation without Rasa:

- :func:`export_conversation`: the events of one conversation, oldest first;
- :func:`forget_conversation`: delete every event of one conversation;
- :func:`purge_conversations`: delete the conversations whose *latest* event
  is older than a cut-off (a conversation is never cut in the middle).

A database without the table (no conversation yet) has nothing to export,
forget or purge.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Engine

EVENTS_TABLE = "events"
_events = sa.table(
    EVENTS_TABLE,
    sa.column("id"),
    sa.column("sender_id"),
    sa.column("type_name"),
    sa.column("timestamp"),
    sa.column("data"),
)
BATCH = 500  # conversations deleted per statement by the purge


def has_conversations_table(engine: Engine) -> bool:
    return sa.inspect(engine).has_table(EVENTS_TABLE)


def export_conversation(engine: Engine, sender_id: str) -> List[Dict[str, Any]]:
    """The stored (redacted) events of ``sender_id``, oldest first; [] when there are none."""
    if not has_conversations_table(engine):
        return []
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(_events.c.data).where(_events.c.sender_id == sender_id).order_by(_events.c.id)
        ).all()
    out = []
    for (data,) in rows:
        try:
            out.append(json.loads(data))
        except (TypeError, ValueError):
            out.append({"event": "unreadable"})
    return out


def forget_conversation(engine: Engine, sender_id: str) -> int:
    """Delete every stored event of ``sender_id``; the number of events deleted."""
    if not has_conversations_table(engine):
        return 0
    with engine.begin() as conn:
        result = conn.execute(sa.delete(_events).where(_events.c.sender_id == sender_id))
    return int(result.rowcount or 0)


def purge_conversations(engine: Engine, before_timestamp: float, dry_run: bool = False) -> Tuple[int, int]:
    """Delete conversations whose latest event is before ``before_timestamp``: (conversations, events)."""
    if not has_conversations_table(engine):
        return 0, 0
    latest = sa.func.max(_events.c.timestamp)
    with engine.connect() as conn:
        old = [
            row[0]
            for row in conn.execute(
                sa.select(_events.c.sender_id).group_by(_events.c.sender_id).having(latest < before_timestamp)
            )
        ]
    conversations = events = 0
    for start in range(0, len(old), BATCH):
        batch = old[start : start + BATCH]
        with engine.begin() as conn:
            if dry_run:
                count = conn.execute(
                    sa.select(sa.func.count()).select_from(_events).where(_events.c.sender_id.in_(batch))
                ).scalar_one()
            else:
                # the latest-event condition again: a conversation that came back meanwhile is kept
                still_old = (
                    sa.select(_events.c.sender_id)
                    .where(_events.c.sender_id.in_(batch))
                    .group_by(_events.c.sender_id)
                    .having(latest < before_timestamp)
                )
                batch = [row[0] for row in conn.execute(still_old)]
                count = conn.execute(sa.delete(_events).where(_events.c.sender_id.in_(batch))).rowcount
        conversations += len(batch)
        events += int(count or 0)
    return conversations, events
