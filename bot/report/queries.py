"""The figures of the report, computed with SQL over the two stores (SQLite and PostgreSQL).

Three statements on the conversation store (Rasa's ``events`` table, read
as a plain table) and one on the member store (``audit_events``), all
SQLAlchemy Core, then a pass in Python that joins them on the
conversation: the audit trail keeps the conversation as a keyed hash
(:meth:`bot.context.Context.conversation_ref`), so each conversation id of
the period is hashed once with the same key.

What each figure means (README, "Report"):

- a *conversation* is a conversation id with at least one member message in
  the period (the widget's automatic opening ``/greet`` is not a member
  message); its *member turns* are those messages;
- *fallback turns* are the turns answered by ``action_default_fallback``;
  ``fallback_rate`` = fallback turns / member turns; the top fallback
  messages are the member messages those turns answered, masked again with
  :func:`bot.privacy.mask_text`, counted after trimming and lower-casing;
- the funnels count conversations of the period that reached each step
  (:mod:`bot.report.steps`), whenever the step happened (a password may be
  set on the link's page days later); a step implies the earlier ones;
- a *hand-off* is a support ticket created from the conversation
  (``handoffs.count`` tickets, ``handoffs.conversations`` conversations with
  one, ``handoffs.offered`` conversations where support was offered);
  ``containment_rate`` = conversations without a ticket / conversations;
- *satisfaction*: conversations shown the question (per topic: after an activation or
  an answer) and the first button pressed in each.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Callable, Dict, Iterable, List, Mapping, Set

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.privacy import mask_text
from bot.report import steps as S  # noqa: N812 - short, read like a namespace
from bot.report.period import Period

TOP_MESSAGES = 10
MESSAGE_LENGTH = 120
# audit rows are read from this long before the period: a conversation of the period
# may have begun the day before (Rasa sessions expire after 60 minutes of silence)
AUDIT_LOOKBACK = timedelta(days=1)
# what a channel sends by itself when a chat opens (bot.channels.payloads.ENTRY_PAYLOADS)
ENTRY_TEXTS = ("/greet",)

_meta = sa.MetaData()
EVENTS = sa.Table(
    "events",
    _meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255)),
    sa.Column("type_name", sa.String(255)),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)
AUDIT = sa.Table(
    "audit_events",
    _meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True)),
    sa.Column("event", sa.String(48)),
    sa.Column("conversation", sa.String(64)),
    sa.Column("details", sa.JSON),
)


def _flag(condition: Any) -> Any:
    return sa.case((condition, 1), else_=0)


def _is_member_message() -> Any:
    """A user event that is not a channel's automatic opening payload."""
    e = EVENTS.c
    opening = sa.or_(*[e.data.like(f'%"text": "{text}"%') for text in ENTRY_TEXTS])
    return sa.and_(e.type_name == S.USER_EVENT, sa.not_(opening))


def _in_period(period: Period) -> Any:
    e = EVENTS.c
    return sa.and_(e.timestamp >= period.start.timestamp(), e.timestamp < period.end.timestamp())


def conversation_rows(engine: Engine | None, period: Period) -> List[Any]:
    """One row per conversation of the period, with its counts and flags."""
    e = EVENTS.c
    member = _is_member_message()
    action = e.type_name == S.ACTION_EVENT
    turns = sa.func.sum(_flag(member))
    query = (
        sa.select(
            e.sender_id,
            sa.func.min(sa.case((member, e.timestamp))).label("first_message"),
            turns.label("turns"),
            sa.func.sum(_flag(sa.and_(action, e.action_name == S.FALLBACK_ACTION))).label("fallbacks"),
            sa.func.max(_flag(sa.and_(action, e.action_name == S.START_ACTIVATION_ACTION))).label("activation"),
            sa.func.max(_flag(sa.and_(action, e.action_name == S.START_REGISTRATION_ACTION))).label("registration"),
            sa.func.max(_flag(sa.and_(action, e.action_name == S.SUPPORT_OFFER_ACTION))).label("offered"),
        )
        .where(_in_period(period))
        .group_by(e.sender_id)
        .having(turns > 0)
    )
    if engine is None:
        return []
    with engine.connect() as connection:
        return list(connection.execute(query))


def fallback_messages(engine: Engine | None, period: Period) -> List[str]:
    """The member message each fallback turn of the period answered (stored redacted)."""
    answered = EVENTS.alias("answered")
    before = EVENTS.alias("before")
    latest_user = (
        sa.select(before.c.data)
        .where(
            before.c.sender_id == answered.c.sender_id,
            before.c.id < answered.c.id,
            before.c.type_name == S.USER_EVENT,
        )
        .order_by(before.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    query = sa.select(latest_user).where(
        answered.c.type_name == S.ACTION_EVENT,
        answered.c.action_name == S.FALLBACK_ACTION,
        answered.c.timestamp >= period.start.timestamp(),
        answered.c.timestamp < period.end.timestamp(),
    )
    texts: List[str] = []
    if engine is None:
        return texts
    with engine.connect() as connection:
        for (data,) in connection.execute(query):
            try:
                text = json.loads(data or "{}").get("text")
            except ValueError:
                continue
            if isinstance(text, str) and text.strip():
                texts.append(text)
    return texts


def satisfaction_rows(engine: Engine | None, period: Period) -> List[Any]:
    """``(sender_id, topic, rating)`` in order: a question shown (topic, no rating) or a
    button pressed (rating, no topic), from the bot messages and member intents of the period."""
    e = EVENTS.c
    asked = {topic: f'%"utter_action": "{response}"%' for topic, response in S.SATISFACTION_QUESTIONS.items()}
    topic = sa.case(*[(e.data.like(pattern), topic) for topic, pattern in asked.items()])
    query = (
        sa.select(e.sender_id, sa.case((e.type_name == S.BOT_EVENT, topic)).label("topic"), e.intent_name)
        .where(
            _in_period(period),
            sa.or_(
                sa.and_(e.type_name == S.BOT_EVENT, sa.or_(*[e.data.like(p) for p in asked.values()])),
                sa.and_(e.type_name == S.USER_EVENT, e.intent_name.in_(tuple(S.SATISFACTION_INTENTS))),
            ),
        )
        .order_by(e.id)
    )
    if engine is None:
        return []
    with engine.connect() as connection:
        return [
            (sender, topic, S.SATISFACTION_INTENTS.get(intent) if topic is None else None)
            for sender, topic, intent in connection.execute(query)
        ]


def audit_rows(engine: Engine | None, period: Period) -> List[Any]:
    """``(event, conversation, details)`` of the step events from the period's start (no end:
    a step of a conversation of the period may come later), and every ``password_set``."""
    a = AUDIT.c
    query = (
        sa.select(a.event, a.conversation, a.details)
        .where(a.at >= period.start - AUDIT_LOOKBACK, a.event.in_(S.STEP_EVENTS + (S.PASSWORD_SET,)))
        .order_by(a.id)
    )
    if engine is None:
        return []
    with engine.connect() as connection:
        return list(connection.execute(query))


@dataclass
class Conversation:
    sender_id: str
    day: date
    turns: int
    fallbacks: int
    started_activation: bool
    started_registration: bool
    offered: bool
    events: Counter = field(default_factory=Counter)
    tickets: List[str] = field(default_factory=list)
    token_ids: Set[int] = field(default_factory=set)
    password_set: bool = False


def _details(value: Any) -> Mapping[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, Mapping) else {}


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _funnel(
    conversations: Iterable[Conversation], reached: Dict[str, Callable[[Conversation], bool]]
) -> Dict[str, int]:
    counts = {name: 0 for name in reached}
    for conv in conversations:
        for name, test in reached.items():
            if test(conv):
                counts[name] += 1
    return counts


def normalise_message(text: str) -> str:
    """How fallback messages are grouped: masked, spaces collapsed, lower case, cut."""
    return " ".join(mask_text(text).split()).lower()[:MESSAGE_LENGTH]


def compute(
    tracker_engine: Engine | None,
    store_engine: Engine | None,
    period: Period,
    conversation_ref: Callable[[str], str | None],
) -> Dict[str, Any]:
    """The report of ``period`` as a JSON-ready dict (keys: README, "Report")."""
    convs: Dict[str, Conversation] = {}
    for row in conversation_rows(tracker_engine, period):
        convs[row.sender_id] = Conversation(
            sender_id=row.sender_id,
            day=period.day_of(float(row.first_message)),
            turns=int(row.turns or 0),
            fallbacks=int(row.fallbacks or 0),
            started_activation=bool(row.activation) and not bool(row.registration),
            started_registration=bool(row.registration),
            offered=bool(row.offered),
        )
    by_hash = {conversation_ref(sender): conv for sender, conv in convs.items()}
    tokens: Dict[int, Conversation] = {}
    for event, ref, raw in audit_rows(store_engine, period):
        details = _details(raw)
        if event == S.PASSWORD_SET:
            conv = tokens.get(details.get("token_id"))  # type: ignore[arg-type]
            if conv is not None:
                conv.password_set = True
            continue
        conv = by_hash.get(ref)
        if conv is None:
            continue
        purpose = details.get("purpose")
        if event in (S.OTP_SENT, S.OTP_SEND_FAILED, S.OTP_VERIFIED) and purpose != S.ACTIVATION_PURPOSE:
            continue
        conv.events[event] += 1
        if event == S.TICKET_CREATED:
            conv.tickets.append(str(details.get("reason") or "other"))
        if event in (S.ACTIVATION_COMPLETED, S.CONFIRMATION_SENT, S.EMAIL_CONFIRMED):
            token_id = details.get("token_id")
            if isinstance(token_id, int):
                conv.token_ids.add(token_id)
                tokens[token_id] = conv

    values = list(convs.values())

    def has(*events: str) -> Callable[[Conversation], bool]:
        return lambda c: any(c.events[e] for e in events)

    activation_password = lambda c: c.password_set and bool(c.events[S.ACTIVATION_COMPLETED])  # noqa: E731
    code_sent = lambda c: c.events[S.OTP_SENT] > c.events[S.OTP_SEND_FAILED]  # noqa: E731
    activation = _funnel(
        values,
        {
            "started": activation_started,
            "identity_verified": has(S.IDENTITY_MATCHED),
            "code_sent": code_sent,
            "code_verified": has(S.OTP_VERIFIED),
            "emails_sent": has(S.ACTIVATION_COMPLETED),
            "password_set": activation_password,
        },
    )
    registration_password = lambda c: c.password_set and bool(c.events[S.CONFIRMATION_SENT])  # noqa: E731
    registration = _funnel(
        values,
        {
            "started": registration_started,
            "access_verified": has(S.ACCESS_MATCHED),
            "cgu_accepted": has(S.CGU_ACCEPTED),
            "confirmation_sent": has(S.CONFIRMATION_SENT),
            "email_confirmed": has(S.EMAIL_CONFIRMED),
            "password_set": registration_password,
        },
    )

    reasons: Counter[str] = Counter(reason for c in values for reason in c.tickets)
    handed = sum(1 for c in values if c.tickets)
    turns = sum(c.turns for c in values)
    fallbacks = sum(c.fallbacks for c in values)

    messages: Counter[str] = Counter(normalise_message(t) for t in fallback_messages(tracker_engine, period))
    messages.pop("", None)
    top = [{"text": text, "count": count} for text, count in sorted(messages.items(), key=lambda i: (-i[1], i[0]))]

    satisfaction = _satisfaction(satisfaction_rows(tracker_engine, period))

    per_day = []
    by_day: Dict[date, List[Conversation]] = {}
    for conv in values:
        by_day.setdefault(conv.day, []).append(conv)
    for day in period.days:
        todays = by_day.get(day, [])
        per_day.append(
            {
                "date": day.isoformat(),
                "conversations": len(todays),
                "member_turns": sum(c.turns for c in todays),
                "fallback_turns": sum(c.fallbacks for c in todays),
                "handoffs": sum(1 for c in todays if c.tickets),
                "activations_started": sum(1 for c in todays if activation_started(c)),
                "activations_password_set": sum(1 for c in todays if activation_password(c)),
                "registrations_started": sum(1 for c in todays if registration_started(c)),
                "registrations_password_set": sum(1 for c in todays if registration_password(c)),
            }
        )

    return {
        "period": {"since": period.since.isoformat(), "until": period.until.isoformat(), "timezone": period.timezone},
        "conversations": len(values),
        "member_turns": turns,
        "fallback_turns": fallbacks,
        "activation": activation,
        "registration": registration,
        "handoffs": {
            "count": sum(reasons.values()),
            "conversations": handed,
            "offered": sum(1 for c in values if c.offered),
            "by_reason": dict(sorted(reasons.items(), key=lambda i: (-i[1], i[0]))),
        },
        "fallback_rate": _rate(fallbacks, turns),
        "containment_rate": _rate(len(values) - handed, len(values)),
        "satisfaction": satisfaction,
        "per_day": per_day,
        "top_fallback_messages": top[:TOP_MESSAGES],
    }


def activation_started(c: Conversation) -> bool:
    return c.started_activation or bool(c.events[S.IDENTITY_MATCHED])


def registration_started(c: Conversation) -> bool:
    return c.started_registration or bool(c.events[S.ACCESS_MATCHED])


def _satisfaction(rows: Iterable[Any]) -> Dict[str, Any]:
    """Questions shown per topic and the first answer of each conversation that was asked."""
    topic_of: Dict[str, str] = {}
    rating_of: Dict[str, str] = {}
    for sender, topic, rating in rows:
        if topic in S.SATISFACTION_TOPICS:
            topic_of.setdefault(sender, topic)
        elif rating in S.SATISFACTION_RATINGS and sender in topic_of:
            rating_of.setdefault(sender, rating)
    by_topic = {
        topic: {
            "asked": sum(1 for t in topic_of.values() if t == topic),
            **{
                rating: sum(1 for s, r in rating_of.items() if r == rating and topic_of[s] == topic)
                for rating in S.SATISFACTION_RATINGS
            },
        }
        for topic in S.SATISFACTION_TOPICS
    }
    answered = list(rating_of.values())
    helpful = answered.count("helpful")
    return {
        "asked": len(topic_of),
        "answered": len(answered),
        "helpful": helpful,
        "not_helpful": answered.count("not_helpful"),
        "helpful_rate": _rate(helpful, len(answered)),
        "by_topic": by_topic,
    }
