"""Alembic environment of the member store.

The database URL comes from ``config.attributes["database_url"]`` (set by
``bot.store.migrate``), else from ``ASSISTANT_DATABASE_URL`` through the
settings.  The engine is built by ``bot.store.db.make_engine`` so SQLite gets
the same pragmas as the application.  Each run is one transaction (SQLite and
PostgreSQL both have transactional DDL): a failed upgrade leaves nothing
half-done.  On PostgreSQL an advisory lock serialises concurrent upgrades
(two processes starting at once).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from bot.store.db import make_engine
from bot.store.models import Base

config = context.config
target_metadata = Base.metadata
_PG_LOCK_KEY = 0x6D656D62  # "memb"


def _url() -> str:
    url = config.attributes.get("database_url")
    if url:
        return str(url)
    from bot.settings import get_settings

    return get_settings().database_url


def run_migrations_offline() -> None:
    url = _url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(_url())
    try:
        with engine.connect() as connection:
            is_sqlite = connection.dialect.name == "sqlite"
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                transactional_ddl=True,
                render_as_batch=is_sqlite,
            )
            with context.begin_transaction():
                if connection.dialect.name == "postgresql":
                    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
