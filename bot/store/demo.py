"""The fictional demo members that ``make run`` seeds (``python -m bot members demo``).

They live in ``data/demo/members.csv`` (described in ``data/demo/README.md``)
and go through the ordinary import, so the demo exercises the same checks as
a real member file.  Loading them again changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from bot.settings import PROJECT_ROOT
from bot.store.importer import ImportReport, import_members

DEMO_FILE: Path = PROJECT_ROOT / "data" / "demo" / "members.csv"


def load_demo_members(engine: Engine, secret_key: str) -> ImportReport:
    """Upsert the demo members into the store at ``engine``."""
    return import_members(DEMO_FILE, engine=engine, secret_key=secret_key)
