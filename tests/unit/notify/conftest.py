"""Fixtures of the delivery tests: notifier factories and a local HTTP server
for SMS gateways. The store (SQLite, and PostgreSQL when
ASSISTANT_TEST_POSTGRES_URL is set), the driven clock, the settings writing
the outbox to a temporary file and the SMTP server (aiosmtpd) come from
``tests/unit/conftest.py``."""

from __future__ import annotations

from typing import Callable, Iterator

import pytest
from helpers.smtp import SmtpSink
from notify_helpers import SECRET_KEY, HttpSink
from sqlalchemy.engine import Engine

from bot.notify import Notifier
from bot.settings import Settings
from bot.tenants import load_tenant


@pytest.fixture
def secret_key() -> str:
    return SECRET_KEY


@pytest.fixture
def make_notifier(engine: Engine, make_settings: Callable[..., Settings]) -> Callable[..., Notifier]:
    def build(tenant: str | None = "miel", **env: str) -> Notifier:
        return Notifier(engine, make_settings(**env), load_tenant(tenant) if tenant else None)

    return build


@pytest.fixture
def notifier(make_notifier: Callable[..., Notifier]) -> Notifier:
    """Nothing configured: e-mails and SMS go to the outbox file."""
    return make_notifier()


@pytest.fixture
def smtp_notifier(make_notifier: Callable[..., Notifier], smtp_sink: SmtpSink) -> Notifier:
    """SMTP configured on the (not yet started) local server, plain SMTP."""
    return make_notifier(SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_sink.port), SMTP_STARTTLS="false")


@pytest.fixture
def http_sink() -> Iterator[HttpSink]:
    sink = HttpSink()
    try:
        yield sink
    finally:
        sink.close()
