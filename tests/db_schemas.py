"""Per-test databases for the store-backed unit tests: a fresh SQLite file, or a
fresh PostgreSQL schema (when ASSISTANT_TEST_POSTGRES_URL is set) dropped afterwards.
Set but unreachable is a failure, not a skip."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Iterator
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

POSTGRES_ENV = "ASSISTANT_TEST_POSTGRES_URL"


def with_pg_options(url: str, *options: str) -> str:
    """``url`` with libpq ``options`` (e.g. ``-csearch_path=x``) added."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options={quote(' '.join(options))}"


def database_urls(request: pytest.FixtureRequest, tmp_path: Path, schema_prefix: str) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} is not set")
    schema = f"{schema_prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, future=True)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001 - set but unreachable is a failure, not a skip
        pytest.fail(f"{POSTGRES_ENV} is set but the server cannot be used: {exc}")
    try:
        yield with_pg_options(base, f"-csearch_path={schema}")
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
