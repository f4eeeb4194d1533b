"""Fixtures of the activation tests: a fresh store (SQLite, and PostgreSQL when
ASSISTANT_TEST_POSTGRES_URL is set), a driven clock, settings writing the
outbox to a temporary file, and a ready :class:`bot.activation.Context`."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

import pytest
from activation_helpers import SECRET_KEY, Clock, MemberData, SmtpSink, add_member, create_store, database_urls
from sqlalchemy.engine import Engine

from bot.activation import Context
from bot.settings import Settings, load_settings
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
    engine = create_store(db_url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def make_settings(tmp_path: Path, db_url: str) -> Callable[..., Settings]:
    def build(**env: str) -> Settings:
        base = {
            "ASSISTANT_SECRET_KEY": SECRET_KEY,
            "ASSISTANT_VAR_DIR": str(tmp_path / "var"),
            "ASSISTANT_OUTBOX": str(tmp_path / "outbox.jsonl"),
            "ASSISTANT_DATABASE_URL": db_url,
            "ASSISTANT_PUBLIC_URL": "http://127.0.0.1:5005",
        }
        base.update(env)
        return load_settings(base)

    return build


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


@pytest.fixture
def outbox_path(tmp_path: Path) -> Path:
    return tmp_path / "outbox.jsonl"


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """A not yet started SMTP server; tests call ``start()`` (and may start it late)."""
    sink = SmtpSink()
    try:
        yield sink
    finally:
        sink.stop()
