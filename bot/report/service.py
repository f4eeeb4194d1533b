"""Build the report for a period from the configured stores (CLI and page share it).

Opens the conversation store (``ASSISTANT_TRACKER_DATABASE_URL``) and the
member store (``ASSISTANT_DATABASE_URL``) read-only in spirit: plain engines
without the member store's write-lock-at-BEGIN (a report must not hold up
the conversations), kept per URL for the process.  A store without its table
yet (no conversation so far, database not migrated) counts as empty.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Any, Dict
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot import clock
from bot.report.period import Period
from bot.report.queries import compute
from bot.security import keyed_hash
from bot.settings import Settings

_engines: Dict[str, Engine] = {}
_lock = threading.Lock()


def reading_engine(url: str) -> Engine:
    """A process-wide engine to read ``url``."""
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            if url.startswith("sqlite"):
                engine = sa.create_engine(url, future=True, connect_args={"timeout": 30, "check_same_thread": False})
            else:
                engine = sa.create_engine(url, future=True, pool_pre_ping=True, pool_size=2, max_overflow=2)
            _engines[url] = engine
        return engine


def _empty_sqlite(url: str) -> bool:
    """A SQLite URL whose file does not exist (reading it would create it)."""
    from pathlib import Path

    parsed = sa.engine.make_url(url)
    return parsed.get_backend_name() == "sqlite" and bool(parsed.database) and not Path(str(parsed.database)).exists()


def period_for(settings: Settings, since: date | None, until: date | None) -> Period:
    today = clock.now().astimezone(ZoneInfo(settings.timezone)).date()
    return Period.build(since, until, settings.timezone, today)


def build_report(settings: Settings, period: Period) -> Dict[str, Any]:
    """The report of ``period`` (see :mod:`bot.report.queries` for what each figure means)."""
    from bot.report.queries import AUDIT, EVENTS

    engines = []
    for url, table in ((settings.tracker_database_url, EVENTS), (settings.database_url, AUDIT)):
        engine = None if _empty_sqlite(url) else reading_engine(url)
        if engine is not None and not sa.inspect(engine).has_table(table.name):
            engine = None  # nothing stored yet
        engines.append(engine)

    def conversation_ref(sender_id: str) -> str:
        return keyed_hash(settings.secret_key, "conversation", sender_id)[:32]

    return compute(engines[0], engines[1], period, conversation_ref)
