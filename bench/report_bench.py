"""Time ``python -m bot report`` on one million conversation events in PostgreSQL (issue 16).

Creates a scratch schema in the PostgreSQL database of ``--url`` (default:
``ASSISTANT_TEST_POSTGRES_URL``, the ``test`` database), with Rasa's
``events`` table (same columns and ``sender_id`` index as Rasa 3.6's SQL
tracker store) and the member store's tables (``bot.store.models``), fills
them with ``--events`` events (default 1 000 000) in conversations shaped
like the assistant's — session start, member messages, actions, bot
messages, slots; a third of them activations with their audit rows, some
fallbacks, hand-offs and satisfaction answers — spread over ``--days`` days
(default 30), loaded with COPY, ANALYZEd, then times
:func:`bot.report.service.build_report` for the whole period and for its
last day, ``--repeat`` times each (best and median), first with Rasa's
indexes only, then with the report's ``ix_events_timestamp``
(:mod:`bot.report.indexes`).  The schema is dropped
at the end unless ``--keep``.

    .venv/bin/python bench/report_bench.py [--url URL] [--events 1000000] [--days 30] [--repeat 3] [--keep]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import sys
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List, Tuple
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bot.report.indexes import ensure_indexes  # noqa: E402
from bot.report.period import Period  # noqa: E402
from bot.report.queries import EVENTS  # noqa: E402
from bot.security import keyed_hash  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from bot.store.models import Base  # noqa: E402

SECRET = "bench-secret-key-0123456789"  # noqa: S105 - a throwaway key for generated data
TZ = "Europe/Paris"
FAQ_TEXTS = ["comment changer mon mot de passe", "où voir mes remboursements", "carte de tiers payant"]
FALLBACK_TEXTS = ["blabla truc", "je comprends rien", "hein ?", "mon voisin m'a dit 06 12 34 56 78", "euh"]


def _json(**data: Any) -> str:
    return json.dumps(data)


class Generator:
    """Conversations shaped like the assistant's, as event rows and audit rows."""

    def __init__(self, start: datetime, days: int, seed: int = 16) -> None:
        self.rnd = random.Random(seed)
        self.start = start.timestamp()
        self.span = days * 86400 - 3600
        self.events = io.StringIO()
        self.audit: List[Dict[str, Any]] = []
        self.count = 0
        self.token = 0

    def _row(self, sender: str, kind: str, ts: float, intent: str = "", action: str = "", data: str = "") -> None:
        def cell(value: str) -> str:
            return "\\N" if value == "" else value.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")

        self.events.write("\t".join((sender, kind, f"{ts:.6f}", cell(intent), cell(action), cell(data))) + "\n")
        self.count += 1

    def _user(self, sender: str, ts: float, text: str, intent: str) -> None:
        self._row(sender, "user", ts, intent, "", _json(event="user", timestamp=ts, text=text,
                                                        parse_data={"intent": {"name": intent}}))  # fmt: skip

    def _action(self, sender: str, ts: float, name: str) -> None:
        self._row(sender, "action", ts, "", name, _json(event="action", timestamp=ts, name=name))

    def _bot(self, sender: str, ts: float, response: str) -> None:
        self._row(sender, "bot", ts, "", "", _json(event="bot", timestamp=ts, text="Réponse de l'assistant.",
                                                   metadata={"utter_action": response}))  # fmt: skip

    def _slot(self, sender: str, ts: float, name: str, value: Any) -> None:
        self._row(sender, "slot", ts, "", name, _json(event="slot", timestamp=ts, name=name, value=value))

    def _audit(self, sender: str, ts: float, event: str, **details: Any) -> None:
        at = datetime.fromtimestamp(ts, timezone.utc)
        ref = keyed_hash(SECRET, "conversation", sender)[:32]
        self.audit.append({"at": at, "event": event, "conversation": ref, "details": details or None})

    def conversation(self) -> None:
        rnd = self.rnd
        sender = f"web-{uuid.UUID(int=rnd.getrandbits(128)).hex}.{rnd.getrandbits(64):016x}"
        ts = self.start + rnd.random() * self.span
        self._row(sender, "session_started", ts, data=_json(event="session_started", timestamp=ts))
        self._action(sender, ts, "action_session_start")
        for name in ("tenant_id", "tenant_name", "tenant_space", "tenant_flow"):
            self._slot(sender, ts, name, "miel")
        self._action(sender, ts, "action_listen")
        kind = rnd.random()
        step = lambda: ts + rnd.random() * 20  # noqa: E731
        if kind < 0.35:  # an activation, stopping at some step
            ts = step()
            self._user(sender, ts, "je veux activer mon espace", "activate_account")
            self._action(sender, ts, "action_start_activation")
            self._bot(sender, ts, "utter_activation_intro")
            self._slot(sender, ts, "activation_step", "identity")
            reached = rnd.choice([0, 1, 2, 3, 4, 4, 5])
            for _ in range(5):
                ts = step()
                self._user(sender, ts, "[n° de sécurité sociale masqué]", "inform")
                self._action(sender, ts, "activation_form")
                self._slot(sender, ts, "requested_slot", "birth_date")
                self._bot(sender, ts, "utter_ask_birth_date")
                self._action(sender, ts, "action_listen")
            if reached >= 1:
                self._action(sender, ts, "action_check_identity")
                self._audit(sender, ts, "identity_matched", status="inactive")
            if reached >= 2:
                ts = step()
                self._user(sender, ts, "oui", "affirm")
                self._action(sender, ts, "action_send_activation_code")
                self._audit(sender, ts, "otp_sent", purpose="activation", channel="sms")
            if reached >= 3:
                ts = step()
                self._user(sender, ts, "[code masqué]", "inform")
                self._action(sender, ts, "activation_code_form")
                self._audit(sender, ts, "otp_verified", purpose="activation")
            if reached >= 4:
                self.token += 1
                self._action(sender, ts, "action_complete_activation")
                self._bot(sender, ts, "utter_activation_done")
                self._audit(sender, ts, "activation_completed", token_id=self.token)
                self._bot(sender, ts, "utter_satisfaction_ask_activation")
                self._slot(sender, ts, "satisfaction_asked", "activation")
                if rnd.random() < 0.5:
                    ts = step()
                    self._user(sender, ts, "/rate_helpful", "rate_helpful")
                    self._action(sender, ts, "action_record_satisfaction")
            if reached >= 5:
                self.audit.append({"at": datetime.fromtimestamp(ts + 3600, timezone.utc), "event": "password_set",
                                   "conversation": None, "details": {"token_id": self.token}})  # fmt: skip
        else:  # questions, some not understood, some hand-offs
            for turn in range(rnd.randint(1, 4)):
                ts = step()
                if rnd.random() < 0.15:
                    self._user(sender, ts, rnd.choice(FALLBACK_TEXTS), "nlu_fallback")
                    self._action(sender, ts, "action_default_fallback")
                    self._bot(sender, ts, "utter_default")
                    self._row(sender, "rewind", ts, data=_json(event="rewind", timestamp=ts))
                else:
                    self._user(sender, ts, rnd.choice(FAQ_TEXTS), "faq")
                    self._action(sender, ts, "action_answer_faq")
                    self._bot(sender, ts, "utter_faq/mot_de_passe")
                    if turn == 0:
                        self._bot(sender, ts, "utter_satisfaction_ask_answer")
                        self._slot(sender, ts, "satisfaction_asked", "answer")
                self._action(sender, ts, "action_listen")
            if rnd.random() < 0.08:
                ts = step()
                self._user(sender, ts, "parler à un conseiller", "request_human")
                self._action(sender, ts, "action_offer_support")
                self._audit(sender, ts, "ticket_created", reason="advisor_request")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("ASSISTANT_TEST_POSTGRES_URL"))
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if not args.url:
        parser.error("--url or ASSISTANT_TEST_POSTGRES_URL is needed (a PostgreSQL database)")

    schema = f"report_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(args.url, future=True)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = f"{args.url}{'&' if '?' in args.url else '?'}options={quote(f'-csearch_path={schema}')}"
    engine = sa.create_engine(url, future=True)
    try:
        return _run(args, engine, url, schema)
    finally:
        engine.dispose()
        if not args.keep:
            with admin.begin() as connection:
                connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def _run(args: argparse.Namespace, engine: sa.engine.Engine, url: str, schema: str) -> int:
    until = date(2026, 11, 30)
    since = until - timedelta(days=args.days - 1)
    period = Period.build(since, until, TZ, until)
    # Rasa's events table: id, sender_id (indexed), type_name, timestamp, intent_name, action_name, data
    events = sa.Table("events", sa.MetaData(), *[column._copy() for column in EVENTS.columns])
    events.c.sender_id.nullable = False
    sa.Index("ix_events_sender_id", events.c.sender_id)
    events.metadata.create_all(engine)
    Base.metadata.create_all(engine)

    started = time.perf_counter()
    generator = Generator(period.start, args.days)
    while generator.count < args.events:
        generator.conversation()
    generated = time.perf_counter() - started
    generator.events.seek(0)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.copy_expert(
            "COPY events (sender_id, type_name, timestamp, intent_name, action_name, data) FROM STDIN", generator.events
        )
        raw.commit()
    finally:
        raw.close()
    with engine.begin() as connection:
        from bot.store.models import AuditEvent

        connection.execute(sa.insert(AuditEvent.__table__), generator.audit)
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("ANALYZE"))
    loaded = time.perf_counter() - started - generated
    print(f"schema {schema}: {generator.count} events, {len(generator.audit)} audit rows "
          f"(generated in {generated:.1f} s, loaded in {loaded:.1f} s)")  # fmt: skip

    from bot.report.service import build_report

    settings = load_settings(
        {
            "ASSISTANT_DATABASE_URL": url,
            "ASSISTANT_TRACKER_DATABASE_URL": url,
            "ASSISTANT_SECRET_KEY": SECRET,
            "ASSISTANT_TIMEZONE": TZ,
            "ASSISTANT_VAR_DIR": str(ROOT / "bench" / "work"),
        }  # fmt: skip
    )
    results: List[Tuple[str, str, List[float], Dict[str, Any]]] = []
    periods = ((f"{args.days} days (every event)", period), ("last day", Period.build(until, until, TZ, until)))
    for indexes in ("Rasa's only", "+ ix_events_timestamp"):
        if indexes != "Rasa's only":
            assert ensure_indexes(engine)
            with engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("ANALYZE events"))
        for label, chosen in periods:
            times = []
            report: Dict[str, Any] = {}
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                report = build_report(settings, chosen)
                times.append(time.perf_counter() - t0)
            results.append((indexes, label, times, report))
    print()
    print("| indexes on events | period | conversations | member turns | best | median |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for indexes, label, times, report in results:
        print(f"| {indexes} | {label} | {report['conversations']} | {report['member_turns']} | {min(times):.2f} s "
              f"| {statistics.median(times):.2f} s |")  # fmt: skip
    whole = results[0][3]
    print()
    print("activation funnel:", whole["activation"])
    print("handoffs:", whole["handoffs"]["count"], "fallback_rate:", whole["fallback_rate"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
