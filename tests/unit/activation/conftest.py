"""Fixtures of the activation tests: a ready :class:`bot.activation.Context`
and a member. The store (SQLite, and PostgreSQL when
ASSISTANT_TEST_POSTGRES_URL is set), the driven clock, the settings writing
the outbox to a temporary file and the SMTP server come from
``tests/unit/conftest.py``."""

from __future__ import annotations

from typing import Callable

import pytest
from activation_helpers import SECRET_KEY, MemberData, add_member
from sqlalchemy.engine import Engine

from bot.activation import Context
from bot.settings import Settings
from bot.tenants import load_tenant


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
