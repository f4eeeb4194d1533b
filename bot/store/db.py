"""Engine and session factory for the member store (SQLite or PostgreSQL).

``make_engine(url)`` builds an engine with the right options per database
(SQLite: WAL journal, foreign keys and a busy timeout so the Rasa server, the
action server and the CLI can share one file); ``session_scope()`` is the
transaction helper every store operation uses.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import event
from sqlalchemy.engine import Engine, create_engine, make_url
from sqlalchemy.orm import Session, sessionmaker


class StoreUnavailable(RuntimeError):
    """The database cannot be reached or written (message is operator-facing)."""


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        # "file:...?uri=true" URLs (e.g. mode=ro) name an existing file: nothing to create
        if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, future=True, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            # take the write lock at BEGIN: read-then-write transactions
            # cannot interleave (pysqlite's default deferred BEGIN allows it)
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        # let our "begin" listener issue BEGIN instead of pysqlite
        @event.listens_for(engine, "connect")
        def _no_autobegin(dbapi_connection, _record):
            dbapi_connection.isolation_level = None

        return engine
    return create_engine(url, future=True, pool_pre_ping=True)


_engines: dict[str, Engine] = {}


def get_engine(url: str | None = None) -> Engine:
    """A process-wide engine for ``url`` (default: the configured database)."""
    if url is None:
        from bot.settings import get_settings

        url = get_settings().database_url
    if url not in _engines:
        _engines[url] = make_engine(url)
    return _engines[url]


def session_factory(engine: Engine | None = None) -> sessionmaker:
    return sessionmaker(bind=engine or get_engine(), future=True, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error."""
    session: Session = session_factory(engine)()
    try:
        yield session
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()
