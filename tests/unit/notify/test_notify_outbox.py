"""The outbox: rows, encryption, the JSONL file, retries, leases and locking."""

from __future__ import annotations

import json
import multiprocessing
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from helpers.outbox import read_outbox
from notify_helpers import SECRET_KEY
from sqlalchemy import select

from bot.notify import DELIVERED, FAILED, QUEUED, DeliveryResult, Notifier, delivery_problem_message, outbox
from bot.security import decrypt
from bot.store.db import session_scope
from bot.store.models import OutboxMessage, SupportTicket
from bot.tenants import load_tenant


def _row(engine, row_id):
    with session_scope(engine) as session:
        return session.get(OutboxMessage, row_id)


def test_email_goes_to_the_file_and_the_table(notifier, engine, outbox_path, clock):
    result = notifier.send_email("marie.dupont@example.org", "Votre identifiant", "Corps é à ü", kind="identifier")
    assert result == DeliveryResult(DELIVERED, "email", result.outbox_id, "m***t@example.org")
    [line] = outbox_path.read_text(encoding="utf-8").splitlines()
    record = json.loads(line)
    assert record == {
        "channel": "email",
        "to": "marie.dupont@example.org",
        "subject": "Votre identifiant",
        "body": "Corps é à ü",
        "created_at": clock.now.isoformat(),
        "kind": "identifier",
    }
    assert datetime.fromisoformat(record["created_at"]) == clock.now
    row = _row(engine, result.outbox_id)
    assert (row.state, row.attempts, row.channel, row.kind) == ("sent", 1, "email", "identifier")
    assert row.sent_at == clock.now and row.next_attempt_at is None
    assert "Corps" not in row.payload_encrypted and "marie" not in row.payload_encrypted
    payload = json.loads(decrypt(SECRET_KEY, row.payload_encrypted))
    assert payload["to"] == "marie.dupont@example.org" and payload["body"] == "Corps é à ü"
    assert payload["sender"] == "digital.assistance-miel@malakoffhumanis.com" and payload["sender_name"] == "Miel"


def test_sms_goes_to_the_file(notifier, engine, outbox_path):
    result = notifier.send_sms("+33612345678", "Votre code : 123456.", kind="activation_code")
    assert result.delivered and result.recipient_masked == "+33 ******* 78"
    [record] = read_outbox(outbox_path)
    assert (record["channel"], record["to"], record["subject"], record["kind"]) == (
        "sms",
        "+33612345678",
        None,
        "activation_code",
    )
    assert "123456" not in _row(engine, result.outbox_id).payload_encrypted


def test_file_is_private(notifier, outbox_path):
    notifier.send_sms("+33612345678", "x", kind="k")
    assert outbox_path.stat().st_mode & 0o077 == 0


def test_deliver_twice_sends_once(notifier, outbox_path):
    result = notifier.send_email("a@example.org", "s", "b", kind="k")
    assert notifier.deliver(result.outbox_id).delivered
    assert len(read_outbox(outbox_path)) == 1


@pytest.mark.parametrize(
    "attempts, delay",
    [
        (1, timedelta(minutes=1)),
        (2, timedelta(minutes=2)),
        (3, timedelta(minutes=4)),
        (8, timedelta(minutes=128)),
        (12, timedelta(hours=6)),
        (0, timedelta(minutes=1)),
    ],
)
def test_backoff(attempts, delay):
    assert outbox.backoff(attempts) == delay


def _broken(make_notifier, tmp_path):
    """Outbox file path is a directory: every delivery attempt fails."""
    target = tmp_path / "blocked"
    target.mkdir()
    return make_notifier(ASSISTANT_OUTBOX=str(target)), target


def test_failed_email_is_queued_with_backoff_then_retried(make_notifier, tmp_path, engine, clock, outbox_path):
    broken, _target = _broken(make_notifier, tmp_path)
    result = broken.send_email("a@example.org", "Sujet", "Corps", kind="identifier")
    assert result.state == QUEUED and "not writable" in result.error
    row = _row(engine, result.outbox_id)
    assert (row.state, row.attempts, row.next_attempt_at) == ("failed", 1, clock.now + timedelta(minutes=1))
    fixed = make_notifier()  # same database, a writable outbox file
    assert fixed.retry_due().sent == 0  # not due yet
    clock.advance(seconds=61)
    report = fixed.retry_due()
    assert (report.sent, report.failed, report.dead) == (1, 0, 0)
    assert [m["subject"] for m in read_outbox(outbox_path)] == ["Sujet"]
    assert _row(engine, result.outbox_id).state == "sent"


def test_email_is_dead_after_max_attempts_and_its_ticket_failed(make_notifier, tmp_path, engine, clock):
    broken, _ = _broken(make_notifier, tmp_path)
    with session_scope(engine) as session:
        ticket = SupportTicket(
            reference="MIEL-2511-AAAAAA", tenant="miel", reason="other", description="d", transcript="", state="queued"
        )
        session.add(ticket)
        session.flush()
        ticket_id = ticket.id
    result = broken.send_email("support@example.org", "s", "b", kind="support_ticket", ticket_id=ticket_id)
    for _ in range(outbox.MAX_ATTEMPTS - 1):
        clock.advance(hours=7)
        broken.retry_due()
    row = _row(engine, result.outbox_id)
    assert (row.state, row.attempts, row.next_attempt_at) == ("dead", outbox.MAX_ATTEMPTS, None)
    with session_scope(engine) as session:
        assert session.get(SupportTicket, ticket_id).state == "failed"
    clock.advance(hours=7)
    assert broken.retry_due().ids == []


def test_failed_sms_is_dead_at_once(make_notifier, tmp_path, engine, clock):
    broken, _ = _broken(make_notifier, tmp_path)
    result = broken.send_sms("+33612345678", "code", kind="activation_code")
    assert result.state == FAILED
    assert _row(engine, result.outbox_id).state == "dead"
    clock.advance(hours=1)
    assert broken.retry_due().ids == []


def test_crash_between_commit_and_delivery(notifier, engine, clock, outbox_path):
    with session_scope(engine) as session:
        email_id = notifier.queue_email(session, "a@example.org", "Sujet", "Corps", kind="identifier")
        sms_id = notifier.queue_sms(session, "+33612345678", "code", kind="activation_code")
    assert notifier.retry_due().ids == []  # the lease protects a live delivery
    clock.advance(seconds=outbox.LEASE.total_seconds() + 1)
    report = notifier.retry_due()
    assert (report.sent, report.dead) == (1, 1)
    assert _row(engine, email_id).state == "sent" and _row(engine, sms_id).state == "dead"
    assert [m["channel"] for m in read_outbox(outbox_path)] == ["email"]


def test_concurrent_retry_jobs_send_each_message_once(make_notifier, tmp_path, engine, clock, outbox_path):
    broken, _ = _broken(make_notifier, tmp_path)
    ids = [broken.send_email("a@example.org", f"Sujet {i}", "Corps", kind="k").outbox_id for i in range(12)]
    clock.advance(minutes=5)
    workers = [make_notifier() for _ in range(4)]
    barrier = threading.Barrier(len(workers))
    reports, errors = [], []

    def run(n: Notifier):
        try:
            barrier.wait()
            reports.append(n.retry_due())
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    subjects = [m["subject"] for m in read_outbox(outbox_path)]
    assert sorted(subjects) == sorted(f"Sujet {i}" for i in range(12))
    assert sum(r.sent for r in reports) == 12
    with session_scope(engine) as session:
        states = session.execute(select(OutboxMessage.state).where(OutboxMessage.id.in_(ids))).scalars().all()
    assert set(states) == {"sent"}


def _append_many(path: str, worker: int, count: int) -> None:
    for i in range(count):
        outbox.append_jsonl(Path(path), {"w": worker, "i": i, "body": f"{worker}-{i}-" + "x" * 9000})


def test_concurrent_processes_never_interleave_lines(tmp_path):
    path = tmp_path / "outbox.jsonl"
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_append_many, args=(str(path), w, 60)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    records = read_outbox(path)
    assert len(records) == 240
    for record in records:
        assert record["body"] == f"{record['w']}-{record['i']}-" + "x" * 9000


@pytest.mark.parametrize(
    "result, tenant, expected",
    [
        (DeliveryResult(DELIVERED, "email", 1, "x"), "miel", None),
        (DeliveryResult(QUEUED, "email", 1, "x"), "miel", "renvoyé automatiquement"),
        (DeliveryResult(FAILED, "email", 1, "x"), "miel", "digital.assistance-miel@malakoffhumanis.com"),
        (DeliveryResult(FAILED, "sms", 1, "x"), "miel", "demandez un nouveau code"),
        (DeliveryResult(FAILED, "sms", 1, "x"), "smie", "votre espace personnel"),
    ],
)
def test_delivery_problem_message(result, tenant, expected):
    text = delivery_problem_message(result, load_tenant(tenant))
    if expected is None:
        assert text is None
    else:
        assert expected in text
