"""Fixtures shared by the unit suites: a per-test database (SQLite, and
PostgreSQL when ASSISTANT_TEST_POSTGRES_URL is set), a store created from the
models, a driven clock, the outbox file, settings on them, a local SMTP
server, and for the services (activation, registration, support tickets,
password page) a ready :class:`bot.context.Context` (``ctx`` for Miel,
``smie_ctx``, ``make_ctx(tenant, **env)``) and a ``member`` in the store.

A suite may override one of them (the store tests use a migrated store; the
store and delivery suites have their own ``secret_key``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

import pytest
from db_schemas import database_urls
from helpers.clock import Clock
from helpers.members import SECRET_KEY, MemberData, add_member
from helpers.smtp import SmtpSink
from sqlalchemy.engine import Engine

from bot.context import Context
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
    """An empty database, once on SQLite and once on PostgreSQL (a schema named after the suite)."""
    yield from database_urls(request, tmp_path, f"{request.path.parent.name}_test")


@pytest.fixture
def engine(db_url: str, clock: Clock) -> Iterator[Engine]:
    """A store created from the models, the clock set."""
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
def make_settings(tmp_path: Path, db_url: str, outbox_path: Path, secret_key: str) -> Callable[..., Settings]:
    """``make_settings(**env)``: settings on this test's database and outbox file, ``env`` added."""

    def build(**env: str) -> Settings:
        base = {
            "ASSISTANT_SECRET_KEY": secret_key,
            "ASSISTANT_VAR_DIR": str(tmp_path / "var"),
            "ASSISTANT_OUTBOX": str(outbox_path),
            "ASSISTANT_DATABASE_URL": db_url,
            "ASSISTANT_PUBLIC_URL": "http://127.0.0.1:5005",  # the activation links
        }
        base.update(env)
        return load_settings(base)

    return build


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """A not yet started SMTP server; tests call ``start()`` (and may start it late)."""
    sink = SmtpSink()
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture
def secret_key() -> str:
    return SECRET_KEY


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()


@pytest.fixture
def make_ctx(engine: Engine, make_settings: Callable[..., Settings]) -> Callable[..., Context]:
    def build(tenant: str = "miel", **env: str) -> Context:
        settings = make_settings(ASSISTANT_TENANT=tenant, **env)
        return Context.create(settings=settings, tenant=load_tenant(tenant), engine=engine)

    return build


@pytest.fixture
def ctx(make_ctx: Callable[..., Context]) -> Context:
    """Miel tenant, nothing configured: messages go to the outbox file."""
    return make_ctx("miel")


@pytest.fixture
def smie_ctx(make_ctx: Callable[..., Context]) -> Context:
    return make_ctx("smie")


@pytest.fixture
def member(engine: Engine) -> MemberData:
    return add_member(engine)
