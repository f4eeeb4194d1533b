"""Create and upgrade the store schema with Alembic, from Python.

``upgrade(url)`` brings a database (an empty SQLite file, a PostgreSQL
database or schema) to the latest revision and is a no-op when it is already
there; ``current_revision``/``head_revision`` tell where a database stands.
``python -m bot db upgrade`` and ``make run`` call this; no ``alembic.ini`` is
needed at the top of the repository.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from bot.store.db import make_engine

STORE_DIR = Path(__file__).resolve().parent
ALEMBIC_INI = STORE_DIR / "alembic.ini"
MIGRATIONS_DIR = STORE_DIR / "migrations"


class SchemaNotReady(RuntimeError):
    """The database has no schema or an older one (message says what to run)."""


def alembic_config(url: str | None = None) -> Config:
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        config.attributes["database_url"] = url
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: no schema yet)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(url: str, revision: str = "head") -> tuple[str | None, str | None]:
    """Upgrade the database at ``url``; returns (revision before, revision after)."""
    engine = make_engine(url)
    try:
        before = current_revision(engine)
        command.upgrade(alembic_config(url), revision)
        after = current_revision(engine)
    finally:
        engine.dispose()
    return before, after


def ensure_current(engine: Engine) -> None:
    """Raise :class:`SchemaNotReady` unless the database is at the latest revision."""
    current = current_revision(engine)
    head = head_revision()
    if current is None:
        raise SchemaNotReady("the database has no schema yet: run `python -m bot db upgrade`")
    if current != head:
        raise SchemaNotReady(
            f"the database schema is at revision {current}, this code needs {head}: run `python -m bot db upgrade`"
        )
