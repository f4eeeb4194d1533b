"""Real SMTP delivery against a local aiosmtpd server, including failures and retries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiosmtpd.smtp import AuthResult
from helpers.ports import free_port
from helpers.smtp import SmtpSink

from bot.notify import DELIVERED, FAILED, QUEUED, outbox
from bot.store.db import session_scope
from bot.store.models import OutboxMessage

SUBJECT = "Choisissez votre mot de passe - Espace Affilié Miel"
BODY = "Bonjour,\n\nVoici le lien : http://127.0.0.1:5005/activation/abc\n\nÀ bientôt, l'équipe.\n"


def _row(engine, row_id):
    with session_scope(engine) as session:
        return session.get(OutboxMessage, row_id)


def test_message_is_utf8_with_the_tenant_sender(smtp_notifier, smtp_sink, engine):
    smtp_sink.start()
    result = smtp_notifier.send_email(
        "marie@example.org", SUBJECT, BODY, kind="set_password_link", reply_to="support@example.org"
    )
    assert result.state == DELIVERED
    [(rcpts, message, mail_from)] = smtp_sink.messages
    assert rcpts == ["marie@example.org"]
    assert mail_from == "digital.assistance-miel@malakoffhumanis.com"
    assert message["From"] == "Miel <digital.assistance-miel@malakoffhumanis.com>"
    assert message["To"] == "marie@example.org" and message["Reply-To"] == "support@example.org"
    assert message["Subject"] == SUBJECT
    assert message["Message-ID"].endswith("@malakoffhumanis.com>") and message["Date"]
    assert message.get_content_charset() == "utf-8"
    assert message.get_content().replace("\r\n", "\n") == BODY
    assert _row(engine, result.outbox_id).state == "sent"


def test_smtp_sender_setting_wins(make_notifier, smtp_sink):
    smtp_sink.start()
    n = make_notifier(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp_sink.port),
        SMTP_STARTTLS="false",
        SMTP_SENDER="noreply@assistant.example",
    )
    assert n.send_email("a@example.org", "s", "b", kind="k").delivered
    assert smtp_sink.messages[0][2] == "noreply@assistant.example"


def test_smtp_down_then_up(smtp_notifier, smtp_sink, engine, clock):
    result = smtp_notifier.send_email("marie@example.org", SUBJECT, BODY, kind="identifier")
    assert result.state == QUEUED and result.error.startswith("ConnectionRefusedError")
    row = _row(engine, result.outbox_id)
    assert (row.state, row.attempts, row.next_attempt_at) == ("failed", 1, clock.now + timedelta(minutes=1))
    clock.advance(seconds=61)
    assert smtp_notifier.retry_due().failed == 1  # still down: backoff grows
    row = _row(engine, result.outbox_id)
    assert (row.attempts, row.next_attempt_at) == (2, clock.now + timedelta(minutes=2))
    smtp_sink.start()
    clock.advance(seconds=60)
    assert smtp_notifier.retry_due().ids == []  # not due yet
    clock.advance(seconds=61)
    report = smtp_notifier.retry_due()
    assert (report.sent, report.failed, report.dead) == (1, 0, 0)
    assert len(smtp_sink.messages) == 1 and smtp_sink.messages[0][1]["Subject"] == SUBJECT
    assert _row(engine, result.outbox_id).state == "sent"
    clock.advance(hours=1)
    smtp_notifier.retry_due()
    assert len(smtp_sink.messages) == 1


def test_smtp_down_for_good_ends_dead(smtp_notifier, engine, clock):
    result = smtp_notifier.send_email("marie@example.org", "s", "b", kind="identifier")
    for _ in range(outbox.MAX_ATTEMPTS - 1):
        clock.advance(hours=6, seconds=1)
        smtp_notifier.retry_due()
    row = _row(engine, result.outbox_id)
    assert (row.state, row.attempts) == ("dead", outbox.MAX_ATTEMPTS)


def test_recipient_refused_is_permanent(make_notifier, engine):
    sink = SmtpSink(refuse=True).start()
    try:
        n = make_notifier(SMTP_HOST="127.0.0.1", SMTP_PORT=str(sink.port), SMTP_STARTTLS="false")
        result = n.send_email("nobody@example.org", "s", "b", kind="identifier")
    finally:
        sink.stop()
    assert result.state == FAILED
    row = _row(engine, result.outbox_id)
    assert row.state == "dead" and "550" in row.last_error
    assert "nobody@example.org" not in row.last_error  # masked


class _Auth:
    def __init__(self, user, password):
        self.user, self.password = user.encode(), password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == self.user and auth_data.password == self.password
        return AuthResult(success=ok, handled=False)


@pytest.mark.parametrize("password, state", [("s3cret", DELIVERED), ("wrong", QUEUED)])
def test_login(make_notifier, password, state):
    sink = SmtpSink(authenticator=_Auth("relay", "s3cret"), auth_require_tls=False).start()
    try:
        n = make_notifier(
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=str(sink.port),
            SMTP_STARTTLS="false",
            SMTP_USER="relay",
            SMTP_PASSWORD=password,
        )
        result = n.send_email("a@example.org", "s", "b", kind="k")
    finally:
        sink.stop()
    assert result.state == state
    if state == QUEUED:
        assert "SMTPAuthenticationError" in result.error and "wrong" not in result.error


def test_starttls_required_but_not_offered_keeps_the_message(make_notifier, smtp_sink):
    smtp_sink.start()
    n = make_notifier(SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_sink.port))  # STARTTLS on by default
    result = n.send_email("a@example.org", "s", "b", kind="k")
    assert result.state == QUEUED and "SMTPNotSupportedError" in result.error
    assert smtp_sink.messages == []


def test_no_sender_address_keeps_the_message(make_notifier, smtp_sink):
    smtp_sink.start()
    n = make_notifier(None, SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_sink.port), SMTP_STARTTLS="false")
    result = n.send_email("a@example.org", "s", "b", kind="k")
    assert result.state == QUEUED and "SMTP_SENDER" in result.error


def test_implicit_tls_to_a_plain_server_fails_cleanly(make_notifier):
    port = free_port()
    n = make_notifier(SMTP_HOST="127.0.0.1", SMTP_PORT=str(port), SMTP_SSL="true")
    assert n.send_email("a@example.org", "s", "b", kind="k").state == QUEUED
