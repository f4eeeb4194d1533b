"""The report's figures from hand-made conversation events and audit rows (SQLite and PostgreSQL).

Each case writes Rasa-shaped rows into an ``events`` table and audit rows
into the member store of the same database, then checks what
:func:`bot.report.queries.compute` counts: conversations and member turns
(the widget's ``/greet`` is not a member message), each funnel step, a code
whose send failed, a password set days later on the link's page (joined by
its token), hand-offs and their reasons, the fallback messages masked, the
satisfaction question counted once even when a new session carries its slot
over, and the period's edges in local time.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from typing import Any, Dict, List
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bot.report.period import Period
from bot.report.queries import EVENTS, compute, normalise_message
from bot.security import keyed_hash
from bot.store import audit
from bot.store.db import session_scope

KEY = "unit-report-key-0123456789"
TZ = "Europe/Paris"
DAY = date(2026, 11, 20)
NOON = datetime(2026, 11, 20, 12, 0, tzinfo=ZoneInfo(TZ))


def ref(sender: str) -> str:
    return keyed_hash(KEY, "conversation", sender)[:32]


class Play:
    def __init__(self, engine: sa.engine.Engine) -> None:
        self.engine = engine
        self.rows: List[Dict[str, Any]] = []
        self.audits: List[tuple] = []

    def event(self, sender: str, kind: str, at: datetime, **data: Any) -> None:
        ts = at.timestamp()
        parse = data.get("parse_data") or {}
        self.rows.append(
            {
                "sender_id": sender,
                "type_name": kind,
                "timestamp": ts,
                "intent_name": (parse.get("intent") or {}).get("name"),
                "action_name": data.get("name"),
                "data": json.dumps({"event": kind, "timestamp": ts, **data}),
            }
        )

    def user(self, sender: str, at: datetime, text: str, intent: str = "faq") -> None:
        self.event(sender, "user", at, text=text, parse_data={"intent": {"name": intent}})

    def action(self, sender: str, at: datetime, name: str) -> None:
        self.event(sender, "action", at, name=name)

    def bot(self, sender: str, at: datetime, response: str) -> None:
        self.event(sender, "bot", at, text="…", metadata={"utter_action": response})

    def audit(self, sender: str | None, at: datetime, event: str, **details: Any) -> None:
        self.audits.append((sender, at, event, details))

    def report(self, since: date = DAY, until: date = DAY) -> Dict[str, Any]:
        EVENTS.create(self.engine, checkfirst=True)
        with self.engine.begin() as connection:
            if self.rows:
                connection.execute(EVENTS.insert(), self.rows)
        with session_scope(self.engine) as session:
            for sender, at, event, details in self.audits:
                row = audit.record(session, event, None, ref(sender) if sender else None, **details)
                row.at = at
        self.rows, self.audits = [], []
        return compute(self.engine, self.engine, Period.build(since, until, TZ, until), ref)


@pytest.fixture
def play(engine: sa.engine.Engine) -> Play:
    return Play(engine)


def test_turns_conversations_and_the_opening_greet(play):
    play.user("a", NOON, "/greet", "greet")  # the widget opening: not a member message
    play.user("b", NOON, "/greet", "greet")
    play.user("b", NOON, "bonjour", "greet")
    play.user("b", NOON, "merci", "thank")
    report = play.report()
    assert report["conversations"] == 1 and report["member_turns"] == 2
    assert report["fallback_rate"] == 0 and report["containment_rate"] == 1


def test_activation_funnel_steps(play):
    t = NOON
    for sender in ("s1", "s2", "s3", "s4"):
        play.user(sender, t, "je veux activer mon compte", "activate_account")
        play.action(sender, t, "action_start_activation")
    for sender in ("s2", "s3", "s4"):
        play.audit(sender, t, "identity_matched", status="inactive")
        play.audit(sender, t, "otp_sent", purpose="activation", channel="sms")
    play.audit("s2", t, "otp_send_failed", purpose="activation", channel="sms")  # the only send failed
    for sender in ("s3", "s4"):
        play.audit(sender, t, "otp_verified", purpose="activation")
    play.audit("s3", t, "activation_completed", token_id=11)
    play.audit("s4", t, "activation_completed", token_id=12)
    # the password of s4's link, set three days later, after the period: still counted
    play.audit(None, t + timedelta(days=3), "password_set", token_id=12, flow="sms")
    play.audit(None, t, "password_set", token_id=99, flow="sms")  # another conversation's link
    report = play.report()
    assert report["activation"] == {
        "started": 4,
        "identity_verified": 3,
        "code_sent": 2,
        "code_verified": 2,
        "emails_sent": 2,
        "password_set": 1,
    }
    assert set(report["registration"].values()) == {0}


def test_registration_funnel_and_an_smie_start_is_not_an_activation(play):
    t = NOON
    play.user("r1", t, "je veux m'inscrire", "activate_account")
    play.action("r1", t, "action_start_activation")
    play.action("r1", t, "action_start_registration")
    for event in ("access_matched", "cgu_accepted"):
        play.audit("r1", t, event)
    play.audit("r1", t, "confirmation_sent", token_id=5)
    play.audit("r1", t, "email_confirmed", token_id=5)
    play.audit(None, t, "password_set", token_id=5, flow="email")
    report = play.report()
    assert report["activation"]["started"] == 0
    assert report["registration"] == {
        "started": 1,
        "access_verified": 1,
        "cgu_accepted": 1,
        "confirmation_sent": 1,
        "email_confirmed": 1,
        "password_set": 1,
    }


def test_handoffs_fallbacks_and_masked_messages(play):
    t = NOON
    for sender, text in (
        ("f1", "mon numéro 06 12 34 56 78 ne marche pas"),
        ("f2", "Mon numéro  06.12.34.56.78 ne marche PAS"),
    ):
        play.user(sender, t, text, "nlu_fallback")
        play.action(sender, t, "action_default_fallback")
    play.user("f1", t, "encore un truc", "nlu_fallback")
    play.action("f1", t, "action_default_fallback")
    play.action("f1", t, "action_offer_support")
    play.audit("f1", t, "ticket_created", reason="fallback")
    play.user("h", t, "un conseiller", "request_human")
    play.action("h", t, "action_offer_support")
    play.audit("h", t, "ticket_created", reason="advisor_request")
    play.audit("h", t, "ticket_created", reason="advisor_request")
    play.audit("elsewhere", t, "ticket_created", reason="complaint")  # no message in the period
    report = play.report()
    assert report["conversations"] == 3 and report["member_turns"] == 4 and report["fallback_turns"] == 3
    assert report["fallback_rate"] == 0.75
    assert report["handoffs"] == {
        "count": 3,
        "conversations": 2,
        "offered": 2,
        "by_reason": {"advisor_request": 2, "fallback": 1},
    }
    assert report["containment_rate"] == round(1 / 3, 4)
    top = report["top_fallback_messages"]
    assert top[0]["count"] == 2 and "06 12" not in top[0]["text"] and "masqué" in top[0]["text"]
    assert top[1] == {"text": "encore un truc", "count": 1}
    assert normalise_message("  Encore   UN truc ") == "encore un truc"


def test_satisfaction_is_counted_once_per_conversation(play):
    t = NOON
    play.user("q", t, "question", "faq")
    play.bot("q", t, "utter_satisfaction_ask_answer")
    play.event("q", "slot", t, name="satisfaction_asked", value="answer")
    play.user("q", t, "/rate_not_helpful", "rate_not_helpful")
    play.user("q", t, "/rate_helpful", "rate_helpful")  # a second press does not count
    # a new session carries the slot over: not a second question
    play.event("q", "session_started", t + timedelta(hours=2))
    play.event("q", "slot", t + timedelta(hours=2), name="satisfaction_asked", value="answer")
    play.user("a", t, "oui", "affirm")
    play.bot("a", t, "utter_satisfaction_ask_activation")
    play.user("a", t, "/rate_helpful", "rate_helpful")
    play.user("x", t, "/rate_helpful", "rate_helpful")  # never asked: not counted
    sat = play.report()["satisfaction"]
    assert (sat["asked"], sat["answered"], sat["helpful"], sat["not_helpful"]) == (2, 2, 1, 1)
    assert sat["by_topic"] == {
        "activation": {"asked": 1, "helpful": 1, "not_helpful": 0},
        "answer": {"asked": 1, "helpful": 0, "not_helpful": 1},
    }


def test_period_edges_are_local_midnights_and_days_are_filled(play):
    midnight = datetime(2026, 11, 21, 0, 0, tzinfo=ZoneInfo(TZ))
    play.user("before", midnight - timedelta(seconds=1), "bonjour", "greet")  # 20/11, 23:59:59 in Paris
    play.user("at", midnight, "bonjour", "greet")  # 21/11, 00:00 in Paris (23:00 UTC on the 20th)
    report = play.report(DAY, DAY + timedelta(days=2))
    assert [d["conversations"] for d in report["per_day"]] == [1, 1, 0]
    assert [d["date"] for d in report["per_day"]] == ["2026-11-20", "2026-11-21", "2026-11-22"]
    assert play.report(DAY + timedelta(days=1), DAY + timedelta(days=1))["conversations"] == 1


def test_empty_stores_give_zeros_and_no_rates():
    period = Period.build(DAY, DAY, TZ, DAY)
    report = compute(None, None, period, ref)
    assert report["conversations"] == 0 and report["fallback_rate"] is None and report["containment_rate"] is None
    assert len(report["per_day"]) == 1


def test_utc_instants_are_stored_for_the_audit(play):
    play.user("u", NOON, "bonjour", "greet")
    play.audit("u", NOON.astimezone(timezone.utc), "identity_matched")
    assert play.report()["activation"]["identity_verified"] == 1
