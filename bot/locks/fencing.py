"""Fencing of conversation writes: a turn saves only while it still holds its conversation.

A turn that holds a conversation through :class:`bot.locks.ticket_queue.TicketQueue`
has a fencing token (its ticket, growing for every turn). :func:`holding`
records it for the running task (a context variable, so the tracker store
reached further down the same task sees it), and the tracker store calls,
before it writes a conversation:

- :func:`check_holder`: the turn still holds the conversation in Redis
  (a turn frozen past its lock lifetime has lost it to another replica);
- :func:`advance`, inside the write's transaction: the
  ``conversation_fences`` row of the conversation is locked
  (``SELECT ... FOR UPDATE`` on PostgreSQL) and moved to the turn's token,
  unless a newer token already wrote, in which case the write is refused.
  The row lock also serialises the count-then-insert of two writes of one
  conversation.

A refused write raises :class:`StaleTurn`; the transaction is rolled back
and nothing of the turn is stored. Writes outside a held turn (the in-memory
lock store of a single server, maintenance commands) are not fenced.
"""

from __future__ import annotations

import contextvars
import logging
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator

import sqlalchemy as sa

logger = logging.getLogger(__name__)

METADATA = sa.MetaData()
FENCES = sa.Table(
    "conversation_fences",
    METADATA,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("token", sa.BigInteger, nullable=False),
)


class StaleTurn(RuntimeError):
    """The turn no longer holds its conversation: its write is refused."""


@dataclass(frozen=True)
class HeldTurn:
    conversation_id: str
    token: int
    queue: Any  # TicketQueue (holds())


_held: contextvars.ContextVar[HeldTurn | None] = contextvars.ContextVar("bot_held_turn", default=None)


@contextmanager
def holding(turn: HeldTurn) -> Iterator[HeldTurn]:
    """Mark ``turn`` as the one the running task holds, for the writes made inside."""
    reset = _held.set(turn)
    try:
        yield turn
    finally:
        _held.reset(reset)


def held_turn(conversation_id: str) -> HeldTurn | None:
    turn = _held.get()
    return turn if turn is not None and turn.conversation_id == conversation_id else None


def prepare(engine: sa.engine.Engine) -> None:
    """Create ``conversation_fences`` next to the conversations if it is missing (replicas may race)."""
    try:
        METADATA.create_all(engine, checkfirst=True)
    except sa.exc.SQLAlchemyError:
        if not sa.inspect(engine).has_table(FENCES.name):
            raise


async def check_holder(conversation_id: str) -> None:
    """Raise :class:`StaleTurn` if the running turn held ``conversation_id`` and lost it."""
    turn = held_turn(conversation_id)
    if turn is not None and not await turn.queue.holds(conversation_id, turn.token):
        logger.error("locks: a turn lost its conversation before saving it; its events are not stored")
        raise StaleTurn("the conversation went to another turn")


def advance(session: Any, conversation_id: str) -> None:
    """In the write's transaction: move the conversation's fence to the turn's token, or refuse."""
    turn = held_turn(conversation_id)
    if turn is None:
        return
    current = session.execute(
        sa.select(FENCES.c.token).where(FENCES.c.sender_id == conversation_id).with_for_update()
    ).scalar()
    if current is None:
        session.execute(sa.insert(FENCES).values(sender_id=conversation_id, token=turn.token))
        session.flush()
    elif current > turn.token:
        logger.error("locks: a newer turn already saved this conversation; the older turn's events are not stored")
        raise StaleTurn("a newer turn already saved the conversation")
    else:
        session.execute(sa.update(FENCES).where(FENCES.c.sender_id == conversation_id).values(token=turn.token))


__all__ = ["FENCES", "HeldTurn", "StaleTurn", "advance", "check_holder", "held_turn", "holding", "prepare"]
