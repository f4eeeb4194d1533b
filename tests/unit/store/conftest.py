"""Database fixtures of the store tests.

Every test gets its own database (``db_url`` of ``tests/unit/conftest.py``): a
fresh SQLite file in ``tmp_path``, and, when ``ASSISTANT_TEST_POSTGRES_URL``
is set, a fresh PostgreSQL schema (``search_path`` set through the URL's
``options``) dropped afterwards.  With the variable set, an unreachable server
makes the PostgreSQL tests fail, not skip.  Here the store is migrated.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

import pytest
from sqlalchemy.engine import Engine
from store_helpers import SECRET_KEY

from bot.store import migrate
from bot.store.db import make_engine


@pytest.fixture
def secret_key() -> str:
    return SECRET_KEY


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated, empty store."""
    migrate.upgrade(db_url)
    engine = make_engine(db_url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """Write a member file: ``write_csv(text, name=..., encoding=..., bom=False)``."""

    def write(content: str, name: str = "members.csv", encoding: str = "utf-8", bom: bool = False) -> Path:
        path = tmp_path / name
        data = content.encode(encoding)
        if bom:
            data = b"\xef\xbb\xbf" + data
        path.write_bytes(data)
        return path

    return write
