"""Database fixtures of the store tests.

Every test gets its own database: a fresh SQLite file in ``tmp_path``, and,
when ``ASSISTANT_TEST_POSTGRES_URL`` is set, a fresh PostgreSQL schema
(``search_path`` set through the URL's ``options``) dropped afterwards.  With
the variable set, an unreachable server makes the PostgreSQL tests fail, not
skip.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Callable, Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from store_helpers import POSTGRES_ENV, SECRET_KEY, with_pg_options

from bot.store import migrate
from bot.store.db import make_engine


@pytest.fixture
def secret_key() -> str:
    return SECRET_KEY


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture
def postgres_schema() -> Iterator[tuple[str, str]]:
    """(base URL, schema name) of a fresh schema on the test server."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} is not set")
    schema = f"store_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, future=True)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield base, schema
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def postgres_url(postgres_schema: tuple[str, str]) -> str:
    base, schema = postgres_schema
    return with_pg_options(base, f"-csearch_path={schema}")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("postgres_url")


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
