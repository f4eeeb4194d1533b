"""Retention, erasure, export and key rotation on real databases (SQLite and
PostgreSQL): ``python -m bot purge``, ``python -m bot conversations
export|forget SENDER`` and ``python -m bot keys rotate``, run through the
command line's entry point on a migrated store and conversations written by
the redacting tracker store."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from helpers.members import add_member

from bot.cli import main
from bot.security import decrypt, encrypt
from bot.settings import reset_settings_cache
from bot.store.models import AuditEvent, Challenge, OutboxMessage, SupportTicket

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
OLD_KEY = "old-application-key-0123456789"
NEW_KEY = "new-application-key-9876543210"
NIR = "2 85 03 971 12 345 67"


@pytest.fixture
def env(db_url, tmp_path, monkeypatch, engine):
    """Settings on this test's store; conversations in the same database; the clock at NOW."""
    clock = tmp_path / "clock.txt"
    clock.write_text(NOW.isoformat(), encoding="utf-8")
    for name, value in {
        "ASSISTANT_DATABASE_URL": db_url,
        "ASSISTANT_TRACKER_DATABASE_URL": db_url,
        "ASSISTANT_VAR_DIR": str(tmp_path / "var"),
        "ASSISTANT_SECRET_KEY": OLD_KEY,
        "ASSISTANT_CLOCK_FILE": str(clock),
    }.items():
        monkeypatch.setenv(name, value)
    reset_settings_cache()
    yield monkeypatch
    reset_settings_cache()


def _save_conversation(sender: str, days_ago: list[float]) -> None:
    """A conversation written by the redacting tracker store, one user message per age."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.adapters.extensions.tracker_store import RedactingTrackerStore

    store = RedactingTrackerStore(domain=Domain.empty())
    events = [
        UserUttered(
            f"mon numéro est {NIR}",
            {"name": "inform", "confidence": 1.0},
            timestamp=(NOW - timedelta(days=d)).timestamp(),
        )
        for d in days_ago
    ]
    asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))
    store.engine.dispose()


def _count(engine, table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_purge_deletes_only_what_is_past_retention_and_is_safe_to_repeat(env, engine, capsys):
    env.setenv("ASSISTANT_RETENTION_CONVERSATIONS_DAYS", "30")
    env.setenv("ASSISTANT_RETENTION_AUDIT_DAYS", "365")
    env.setenv("ASSISTANT_RETENTION_OUTBOX_DAYS", "7")
    env.setenv("ASSISTANT_RETENTION_TICKETS_DAYS", "365")
    reset_settings_cache()
    _save_conversation("web-old", [60, 45])
    _save_conversation("web-recent", [2])
    _save_conversation("web-came-back", [90, 1])  # old start, recent end: kept whole
    with engine.begin() as conn:
        conn.execute(
            sa.insert(AuditEvent.__table__),
            [{"at": NOW - timedelta(days=400), "event": "old"}, {"at": NOW - timedelta(days=10), "event": "new"}],
        )
        ticket = lambda ref, days: {  # noqa: E731
            "reference": ref, "tenant": "miel", "reason": "other", "description": "d", "transcript": "t",
            "state": "sent", "created_at": NOW - timedelta(days=days),
        }  # fmt: skip
        conn.execute(
            sa.insert(SupportTicket.__table__), [ticket("MIEL-2401-AAAAAA", 400), ticket("MIEL-2605-BBBBBB", 3)]
        )
        old_ticket = conn.execute(
            sa.select(SupportTicket.id).where(SupportTicket.reference == "MIEL-2401-AAAAAA")
        ).scalar_one()
        outbox = lambda state, days, ticket_id=None: {  # noqa: E731
            "channel": "email", "kind": "ticket", "recipient_masked": "m***t@example.org",
            "payload_encrypted": encrypt(OLD_KEY, "{}"), "state": state, "attempts": 0,
            "created_at": NOW - timedelta(days=days), "ticket_id": ticket_id,
        }  # fmt: skip
        conn.execute(
            sa.insert(OutboxMessage.__table__),
            [
                outbox("sent", 10),
                outbox("dead", 20),
                outbox("failed", 20),
                outbox("sent", 1),
                outbox("pending", 9, old_ticket),
            ],
        )

    assert main(["purge", "--dry-run"]) == 0
    assert "conversations: 1 would delete" in capsys.readouterr().out
    assert _count(engine, AuditEvent.__table__) == 2

    assert main(["purge"]) == 0
    out = capsys.readouterr().out
    for line in (
        "conversations: 1 deleted (older than 30 days)",
        "conversation events: 2 deleted",
        "audit events: 1 deleted (older than 365 days)",
        "outbox entries: 2 deleted (older than 7 days)",
        "support tickets: 1 deleted (older than 365 days)",
    ):
        assert line in out, out
    with engine.connect() as conn:
        senders = {row[0] for row in conn.execute(sa.text("select distinct sender_id from events"))}
        events = conn.execute(sa.text("select count(*) from events")).scalar_one()
        states = sorted(row[0] for row in conn.execute(sa.select(OutboxMessage.state)))
        references = [row[0] for row in conn.execute(sa.select(SupportTicket.reference))]
        audit = [row[0] for row in conn.execute(sa.select(AuditEvent.event))]
    assert senders == {"web-recent", "web-came-back"} and events == 3
    assert states == ["failed", "pending", "sent"] and references == ["MIEL-2605-BBBBBB"] and audit == ["new"]

    assert main(["purge"]) == 0  # again, as cron would: nothing left to delete
    assert all(line.split(": ")[1].startswith("0 deleted") for line in capsys.readouterr().out.splitlines())


def test_export_then_forget_a_conversation(env, engine, capsys):
    _save_conversation("web-member", [1, 0])
    _save_conversation("web-other", [1])

    assert main(["conversations", "export", "web-member"]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert exported["sender"] == "web-member" and len(exported["events"]) == 2
    assert "12345" not in json.dumps(exported).replace(" ", "")  # what is stored is redacted
    assert exported["events"][0]["text"].startswith("mon numéro est [")

    assert main(["conversations", "forget", "web-member"]) == 0
    assert "web-member: 2 stored events deleted" in capsys.readouterr().out
    assert main(["conversations", "export", "web-member"]) == 1
    assert "no stored conversation" in capsys.readouterr().err
    assert main(["conversations", "export", "web-other"]) == 0  # the others are untouched


def test_purge_on_a_store_without_schema_says_so(db_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", db_url)
    monkeypatch.setenv("ASSISTANT_TRACKER_DATABASE_URL", db_url)
    monkeypatch.setenv("ASSISTANT_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("ASSISTANT_SECRET_KEY", OLD_KEY)
    reset_settings_cache()
    try:
        assert main(["purge"]) == 1
        assert "db upgrade" in capsys.readouterr().err
    finally:
        reset_settings_cache()


def test_keys_rotate_re_encrypts_under_the_newest_key(env, engine, capsys):
    member = add_member(engine, OLD_KEY)
    with engine.begin() as conn:
        conn.execute(
            sa.insert(Challenge.__table__),
            [{
                "member_id": member.id, "channel": "sms", "purpose": "activation",
                "secret_encrypted": encrypt(OLD_KEY, "BASE32SECRET"), "counter": 0,
                "destination_masked": "+33 ******* 78", "expires_at": NOW, "attempts_used": 0,
                "max_attempts": 3, "created_at": NOW,
            }],
        )  # fmt: skip
        conn.execute(
            sa.insert(OutboxMessage.__table__),
            [{
                "channel": "sms", "kind": "activation_code", "recipient_masked": "+33 ******* 78",
                "payload_encrypted": encrypt(OLD_KEY, '{"to": "+33612345678"}'), "state": "sent",
                "attempts": 1, "created_at": NOW,
            }, {
                "channel": "sms", "kind": "x", "recipient_masked": "x",
                "payload_encrypted": encrypt("a-key-nobody-configured-000", "{}"), "state": "sent",
                "attempts": 1, "created_at": NOW,
            }],
        )  # fmt: skip

    # the new key first, the old one still accepted for reading
    env.setenv("ASSISTANT_SECRET_KEY", NEW_KEY)
    env.setenv("ASSISTANT_SECRET_KEYS_PREVIOUS", OLD_KEY)
    reset_settings_cache()
    assert decrypt(NEW_KEY, _values(engine)[0]) == "BASE32SECRET"  # read under the older key meanwhile

    assert main(["keys", "rotate"]) == 0
    out = capsys.readouterr().out
    assert "one-time code secrets: 1 re-encrypted under the newest key, 0 unreadable" in out
    assert "outbox payloads: 1 re-encrypted under the newest key, 1 unreadable" in out

    # the old key can now be dropped: the newest alone reads everything it could
    env.delenv("ASSISTANT_SECRET_KEYS_PREVIOUS")
    reset_settings_cache()
    secret, payload = _values(engine)[:2]
    assert decrypt(NEW_KEY, secret) == "BASE32SECRET"
    assert json.loads(decrypt(NEW_KEY, payload)) == {"to": "+33612345678"}
    with pytest.raises(ValueError):
        decrypt(OLD_KEY, secret)


def _values(engine) -> list[str]:
    with engine.connect() as conn:
        secrets = [row[0] for row in conn.execute(sa.select(Challenge.secret_encrypted))]
        payloads = [
            row[0] for row in conn.execute(sa.select(OutboxMessage.payload_encrypted).order_by(OutboxMessage.id))
        ]
    return secrets + payloads
