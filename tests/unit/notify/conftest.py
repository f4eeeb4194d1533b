"""Fixtures of the delivery tests: a fresh store (SQLite, and PostgreSQL when
ASSISTANT_TEST_POSTGRES_URL is set), a driven clock, settings factories and
real local servers (SMTP with aiosmtpd, HTTP for SMS gateways)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

import pytest
from notify_helpers import SECRET_KEY, Clock, HttpSink, SmtpSink, database_urls
from sqlalchemy.engine import Engine

from bot.notify import Notifier
from bot.settings import Settings, load_settings
from bot.store.db import make_engine
from bot.store.models import Base
from bot.tenants import load_tenant


@pytest.fixture
def clock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Clock:
    path = tmp_path / "clock.txt"
    monkeypatch.setenv("ASSISTANT_CLOCK_FILE", str(path))
    return Clock(path)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from database_urls(request, tmp_path)


@pytest.fixture
def engine(db_url: str, clock: Clock) -> Iterator[Engine]:
    engine = make_engine(db_url)
    Base.metadata.create_all(engine)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def outbox_path(tmp_path: Path) -> Path:
    return tmp_path / "outbox.jsonl"


@pytest.fixture
def make_settings(tmp_path: Path, db_url: str, outbox_path: Path) -> Callable[..., Settings]:
    def build(**env: str) -> Settings:
        base = {
            "ASSISTANT_SECRET_KEY": SECRET_KEY,
            "ASSISTANT_VAR_DIR": str(tmp_path / "var"),
            "ASSISTANT_OUTBOX": str(outbox_path),
            "ASSISTANT_DATABASE_URL": db_url,
        }
        base.update(env)
        return load_settings(base)

    return build


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
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    try:
        yield sink
    finally:
        sink.stop()


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
