"""How long each class of data is kept, and the purge that enforces it.

Four classes, each with its setting (``ASSISTANT_RETENTION_*_DAYS``, see
:class:`bot.settings.RetentionSettings` for the defaults):

- conversations (tracker store): deleted when their latest event is older;
- audit events (``audit_events``): deleted when older;
- outbox entries (``outbox``): delivered (``sent``) or abandoned (``dead``)
  entries older than the retention are deleted; ``pending``/``failed`` ones
  still being delivered are kept until they reach one of those states;
- support tickets (``support_tickets``): deleted when older (their outbox
  entries lose the link to them first).

:func:`purge` runs them all and returns the counts; it only deletes rows past
their retention, so running it twice, or from cron while the assistant runs,
is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Dict

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.privacy.conversations import purge_conversations
from bot.store.models import AuditEvent, OutboxMessage, SupportTicket

FINISHED_OUTBOX_STATES = ("sent", "dead")


@dataclass(frozen=True)
class PurgeReport:
    conversations: int = 0
    conversation_events: int = 0
    audit_events: int = 0
    outbox_entries: int = 0
    tickets: int = 0

    def lines(self) -> Dict[str, int]:
        return {
            "conversations": self.conversations,
            "conversation events": self.conversation_events,
            "audit events": self.audit_events,
            "outbox entries": self.outbox_entries,
            "support tickets": self.tickets,
        }


def _count_or_delete(conn: sa.engine.Connection, table: sa.Table, where: sa.ColumnElement, dry_run: bool) -> int:
    if dry_run:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table).where(where)).scalar_one())
    return int(conn.execute(sa.delete(table).where(where)).rowcount or 0)


def purge_store(
    engine: Engine, now: datetime, audit_days: int, outbox_days: int, ticket_days: int, dry_run: bool = False
) -> Dict[str, int]:
    """Delete audit events, finished outbox entries and tickets past their retention (member store)."""
    audit = AuditEvent.__table__
    outbox = OutboxMessage.__table__
    tickets = SupportTicket.__table__
    with engine.begin() as conn:
        counts = {
            "audit": _count_or_delete(conn, audit, audit.c.at < now - timedelta(days=audit_days), dry_run),
            "outbox": _count_or_delete(
                conn,
                outbox,
                sa.and_(
                    outbox.c.created_at < now - timedelta(days=outbox_days),
                    outbox.c.state.in_(FINISHED_OUTBOX_STATES),
                ),
                dry_run,
            ),
        }
        old_tickets = tickets.c.created_at < now - timedelta(days=ticket_days)
        if not dry_run:
            conn.execute(
                sa.update(outbox)
                .where(outbox.c.ticket_id.in_(sa.select(tickets.c.id).where(old_tickets)))
                .values(ticket_id=None)
            )
        counts["tickets"] = _count_or_delete(conn, tickets, old_tickets, dry_run)
    return counts


def purge(
    store_engine: Engine,
    tracker_engine: Engine,
    now: datetime,
    conversation_days: int,
    audit_days: int,
    outbox_days: int,
    ticket_days: int,
    dry_run: bool = False,
) -> PurgeReport:
    """Every class past its retention, deleted (or only counted with ``dry_run``)."""
    conversations, events = purge_conversations(
        tracker_engine, (now - timedelta(days=conversation_days)).timestamp(), dry_run
    )
    counts = purge_store(store_engine, now, audit_days, outbox_days, ticket_days, dry_run)
    return PurgeReport(conversations, events, counts["audit"], counts["outbox"], counts["tickets"])
